using System.Text;
using System.Text.RegularExpressions;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// The store-buffering litmus test (tests/guests/litmus.c) on two CPUs: with one host thread per CPU (parallel mode) an
/// x86 host lets a store wait in its store buffer while a later load reads memory, which the guest's plain STR; LDR form
/// may show (the Arm memory model allows it too), but its STR; DMB ISH; LDR and STLR; LDAR forms must never end with
/// both loads reading 0 (DMB and LDAR after STLR order the store first: the host fences of Barriers.Dmb and
/// Cpu.AfterStoreRelease). Each forbidden form reads 0 in every run; the plain form's count is written to the test log,
/// as evidence that the harness does overlap the CPUs (about 0.1-1% of its runs on a quiet 2-core host).
/// </summary>
[TestClass]
public sealed class MemoryOrderingGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    // Not in GuestCase.All: its plain form's count depends on host timing, so there is no transcript to compare.
    private static readonly GuestCase Litmus = new("litmus", "litmus.elf", 1, false, StopReason.PowerOff, 0, Cpus: 2);

    private static (string Output, MachineExit Exit) Run(ExecutionEngine engine, SmpMode mode, ulong quantum)
    {
        using var serial = new MemoryStream();
        using var machine = Litmus.Builder(engine, serial).WithSmpMode(mode).WithQuantum(quantum).Build();
        var exit = machine.Run(4_000_000_000);
        return (Encoding.ASCII.GetString(serial.ToArray()), exit);
    }

    private static long Count(string output, string form)
    {
        var m = Regex.Match(output, Regex.Escape(form) + @" \((allowed|forbidden)\): (\d+)");
        Assert.IsTrue(m.Success, $"no line for {form} in:\n{output}");
        return long.Parse(m.Groups[2].Value);
    }

    // Under the JIT, where plain loads and stores are a few host instructions apart (the interpreter's, with a handler
    // call between them, spin far longer at the guest's rendezvous on a loaded host).
    [TestMethod]
    public void ForbiddenOutcomesNeverAppearInParallelMode()
    {
        // Turns of 20,000 cycles: a CPU spinning at the guest's rendezvous while the other's thread is not scheduled
        // (a loaded host) waits at most a turn.
        for (int run = 0; run < 2; run++)
        {
            var (output, exit) = Run(ExecutionEngine.Jit, SmpMode.Parallel, 20_000);
            Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message + "\n" + output);
            Assert.AreEqual(0, Count(output, "STR; DMB ISH; LDR"), output);
            Assert.AreEqual(0, Count(output, "STLR; LDAR"), output);
            TestContext.WriteLine($"run {run + 1}: plain STR; LDR ended with both loads 0 in {Count(output, "STR; LDR")} of 10,000 runs");
        }
    }

    [TestMethod]
    public void TheRoundRobinIsSequentiallyConsistent()
    {
        // One host thread runs both CPUs a turn at a time: every access is in program order, so no form ever reads 0
        // twice, and the output is the same every time.
        var (output, exit) = Run(ExecutionEngine.Jit, SmpMode.Deterministic, 500);
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message + "\n" + output);
        Assert.AreEqual(0, Count(output, "STR; LDR"), output);
        Assert.AreEqual(0, Count(output, "STR; DMB ISH; LDR"), output);
        Assert.AreEqual(0, Count(output, "STLR; LDAR"), output);
    }
}
