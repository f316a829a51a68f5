using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// tests/guests/aborts.c (about 8,500 data aborts: stage 1 at EL2 and EL1, alignment, external aborts, stage 2 to EL2)
/// is compared byte for byte with QEMU, and run under both engines with equal counts, by <see cref="GuestTests"/>.
/// These tests add what QEMU cannot say: that every one of those aborts, in every engine tier, was taken without a
/// .NET exception (Cpu.DataAborts.cs), and the lines that matter pinned to the Arm ARM.
/// </summary>
[TestClass]
public sealed class AbortGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("aborts", ExecutionEngine.Interpreter, 0)]
    [DataRow("aborts", ExecutionEngine.Jit, 0)]     // predecoded blocks, then regions (background compiles off: below)
    [DataRow("aborts", ExecutionEngine.Jit, 1)]     // baseline blocks from the second entry, regions after 200
    [DataRow("aborts-max", ExecutionEngine.Jit, 1)] // with the LSE atomics
    public void EveryDataAbortIsTakenWithoutADotNetThrow(string name, ExecutionEngine engine, int early)
    {
        var guest = GuestCase.Named(name);
        using var serial = new MemoryStream();
        using var machine = guest.Builder(engine, serial).Build();
        var cpu = machine.Cpu;
        cpu.JitBackgroundCompilation = false;
        if (early == 1)
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 200;
        }
        int thread = Environment.CurrentManagedThreadId, throws = 0;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, e) =>
        {
            if (e.Exception is GuestException && Environment.CurrentManagedThreadId == thread) throws++;
        };
        AppDomain.CurrentDomain.FirstChanceException += count;
        MachineExit exit;
        try
        {
            exit = machine.Run(guest.MaxInstructions);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= count;
        }
        string text = Encoding.ASCII.GetString(serial.ToArray());
        TestContext.WriteLine($"{name} ({engine}): {exit.Reason} after {machine.InstructionsExecuted} instructions, " +
                              $"{cpu.Statistics.ExceptionsTaken.Aggregate(0UL, (a, b) => a + b)} exceptions, {cpu.Statistics.CompiledEntries} compiled entries, {cpu.Translations?.BlocksCompiled ?? 0} blocks compiled");
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message);
        Assert.AreEqual(File.ReadAllText(guest.ExpectedPath), text, "the output QEMU prints");
        Assert.AreEqual(0, throws, "GuestExceptions thrown while the guest took its data aborts");
        var lines = text.Split('\n').Where(l => l.Contains(": aborts=", StringComparison.Ordinal)).ToList();
        Assert.IsGreaterThan(100, lines.Count);
        foreach (string line in lines)
        {
            StringAssert.Contains(line, "aborts=64 ", line);
            StringAssert.Contains(line, " unchanged ", line);
        }
        if (engine == ExecutionEngine.Jit) Assert.IsGreaterThan(0UL, cpu.Statistics.PredecodedRuns, "predecoded blocks ran");
        if (early == 1) Assert.IsGreaterThan(0UL, cpu.Statistics.CompiledEntries, "compiled blocks and regions ran");
    }

    [TestMethod]
    public void SyndromesFollowTheArmArm()
    {
        string text = File.ReadAllText(GuestCase.Named("aborts-max").ExpectedPath);
        // ESR_ELx (D17.2.40): EC 0x25 from the same EL, IL = 1, DFSC 0b000111 translation level 3, 0b001011 access flag,
        // 0b001111 permission, 0b100001 alignment, 0b010000 synchronous external abort; WnR for stores.
        Contains(text, "EL2 LDR, s1 translation: aborts=64 to EL2 unchanged ESR=0x96000007 FAR=0x40097040");
        Contains(text, "EL2 STR pre, s1 permission: aborts=64 to EL2 unchanged ESR=0x9600004f FAR=0x40098040");
        Contains(text, "EL1 LDR post, s1 access flag: aborts=64 to EL1 unchanged ESR=0x9600000b FAR=0x40099040");
        Contains(text, "EL1 STR post, external abort: aborts=64 to EL1 unchanged ESR=0x96000050 FAR=0x9008040");
        Contains(text, "EL2 LD1 x4, alignment: aborts=64 to EL2 unchanged ESR=0x96000021 FAR=0x40096044");
        // A pair whose second element is in the invalid page reports that element's address.
        Contains(text, "EL1 LDP post, page crossing: aborts=64 to EL1 unchanged ESR=0x96000007 FAR=0x40097000");
        // Stage 2 to EL2 (EC 0x24): the instruction syndrome of a single-register load without write-back (ISV, SAS = 3,
        // SRT = 2, SF), none with write-back or for a pair; AR for LDAR; HPFAR_EL2 = IPA[47:12] << 4.
        Contains(text, "EL1 LDR, s2 translation: aborts=64 to EL2 unchanged ESR=0x93c28007 FAR=0x4009a040 HPFAR=0x4009a0");
        Contains(text, "EL1 LDR pre, s2 translation: aborts=64 to EL2 unchanged ESR=0x92000007 FAR=0x4009a040 HPFAR=0x4009a0");
        Contains(text, "EL1 LDAR, s2 translation: aborts=64 to EL2 unchanged ESR=0x93c2c007 FAR=0x4009a040 HPFAR=0x4009a0");
        Contains(text, "EL1 STP pre, s2 permission: aborts=64 to EL2 unchanged ESR=0x9200004f FAR=0x4009b040 HPFAR=0x4009b0");
        // An atomic's fault that a read would also take has WnR = 0; a permission fault only its write takes, WnR = 1.
        Contains(text, "EL1 LDADD, s1 translation: aborts=64 to EL1 unchanged ESR=0x96000007");
        Contains(text, "EL1 CAS, s1 permission: aborts=64 to EL1 unchanged ESR=0x9600004f");
        Contains(text, "EL1 SWP, s2 permission: aborts=64 to EL2 unchanged ESR=0x9200004f");
        Contains(text, "EL1: read-only pages intact");
    }

    private static void Contains(string text, string line) =>
        Assert.IsTrue(text.Contains(line, StringComparison.Ordinal), $"missing: {line}");
}
