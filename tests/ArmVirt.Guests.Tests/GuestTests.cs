using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// Boots each guest of tests/guests on ArmVirt in-process and compares its console output byte for byte with
/// the output QEMU produced (recorded in tests/guests/expected, and live when qemu-system-aarch64 is installed).
/// </summary>
[TestClass]
public sealed class GuestTests
{
    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> Guests => GuestCase.All.Select(g => new object[] { g.Name });

    [TestMethod]
    [DynamicData(nameof(Guests))]
    public void GuestOutputMatchesRecordedQemuOutput(string name)
    {
        var guest = GuestCase.Named(name);
        var (output, exit) = RunOnArmVirt(guest);
        AssertSameOutput(File.ReadAllBytes(guest.ExpectedPath), output, $"{name}: ArmVirt vs tests/guests/expected/{name}.txt", exit);
        Assert.AreEqual(guest.Reason, exit.Reason, $"{name}: stop reason ({exit.Message})");
        Assert.AreEqual(guest.ExitCode, exit.ExitCode, $"{name}: exit code");
    }

    [TestMethod]
    [DynamicData(nameof(Guests))]
    public async Task GuestOutputMatchesLiveQemu(string name)
    {
        string qemu = QemuSystemRunner.Find() ?? Inconclusive("qemu-system-aarch64 is not on PATH (install qemu-system-arm; .ci/run does)");
        var guest = GuestCase.Named(name);
        var qemuRun = QemuSystemRunner.RunAsync(qemu, guest);
        var (output, exit) = RunOnArmVirt(guest);
        var (reference, qemuExit) = await qemuRun;
        Assert.AreEqual(guest.ExitCode, qemuExit, $"{name}: QEMU exit status");
        AssertSameOutput(reference, output, $"{name}: ArmVirt vs live qemu-system-aarch64", exit);
        Assert.AreEqual(guest.Reason, exit.Reason, $"{name}: stop reason ({exit.Message})");
    }

    /// <summary>Keeps tests/guests/expected honest: the committed outputs are what QEMU prints today.</summary>
    [TestMethod]
    [DynamicData(nameof(Guests))]
    public async Task RecordedOutputIsWhatQemuPrints(string name)
    {
        string qemu = QemuSystemRunner.Find() ?? Inconclusive("qemu-system-aarch64 is not on PATH (install qemu-system-arm; .ci/run does)");
        var guest = GuestCase.Named(name);
        var (reference, qemuExit) = await QemuSystemRunner.RunAsync(qemu, guest);
        Assert.AreEqual(guest.ExitCode, qemuExit, $"{name}: QEMU exit status");
        AssertSameOutput(File.ReadAllBytes(guest.ExpectedPath), reference, $"{name}: tests/guests/expected/{name}.txt vs live QEMU (rerun tests/guests/record-expected.sh)", null);
    }

    [TestMethod]
    public void ExceptionsGuestReportsNoFailedSelfChecks()
    {
        var (output, _) = RunOnArmVirt(GuestCase.Named("exceptions"));
        string text = Encoding.ASCII.GetString(output);
        var failures = text.Split('\n').Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ToList();
        Assert.IsEmpty(failures, "self-check failures on ArmVirt:\n" + string.Join('\n', failures));
        StringAssert.Contains(text, "51 checks, 0 failed");
    }

    /// <summary>
    /// Lockstep of the two engines on whole guests: the JIT (compiling every block on its second entry, on the CPU
    /// thread, and tiering up early, so that both tiers run) gives the interpreter's output, stop, registers and
    /// instruction and cycle counts.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Guests))]
    public void GuestRunsIdenticallyUnderBothEngines(string name)
    {
        var guest = GuestCase.Named(name);
        var interp = RunOnArmVirt(guest, ExecutionEngine.Interpreter);
        var jit = RunOnArmVirt(guest, ExecutionEngine.Jit, cpu =>
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 200;
            cpu.JitBackgroundCompilation = false;
        });
        AssertSameOutput(interp.Output, jit.Output, $"{name}: --engine jit vs --engine interp", jit.Exit);
        Assert.AreEqual(interp.Exit.Reason, jit.Exit.Reason, $"{name}: stop reason");
        Assert.AreEqual(interp.Instructions, jit.Instructions, $"{name}: instructions retired");
        Assert.AreEqual(interp.Cycles, jit.Cycles, $"{name}: cycles");
        CollectionAssert.AreEqual(interp.Registers, jit.Registers, $"{name}: every CPU's X0-X30, SP, PC");
        // (AArch32 code too: an AArch32-only CPU's guest runs A32/T32 blocks, src/ArmVirt.Cpu/Jit/README.md.)
        Assert.IsGreaterThan(0, jit.BlocksCompiled, $"{name}: the JIT compiled nothing");
    }

    private (byte[] Output, MachineExit Exit) RunOnArmVirt(GuestCase guest)
    {
        var run = RunOnArmVirt(guest, ExecutionEngine.Jit);
        return (run.Output, run.Exit);
    }

    private sealed record EngineRun(byte[] Output, MachineExit Exit, ulong Instructions, ulong Cycles, ulong[] Registers, long BlocksCompiled);

    private EngineRun RunOnArmVirt(GuestCase guest, ExecutionEngine engine, Action<Cpu.Cpu>? configure = null)
    {
        using var serial = new MemoryStream();
        using var machine = guest.Builder(engine, serial).Build();
        int exceptions = 0;
        string? first = null;
        foreach (var cpu in machine.Cpus)
        {
            configure?.Invoke(cpu);
            cpu.ExceptionEntered += (kind, el) =>
            {
                string what = $"{kind} to EL{el} on CPU {cpu.Configuration.Index} with ESR_EL{el}=0x{cpu.Sys.Esr[el]:x} ELR_EL{el}=0x{cpu.Sys.Elr[el]:x}";
                first ??= what;
                if (++exceptions == guest.MaxExceptions * guest.Cpus)
                    cpu.RequestStop(StopReason.Error, 0, $"exception storm: {exceptions} exceptions, the first {first}, the last {what}");
            };
        }
        MachineExit exit = machine.Run(guest.MaxInstructions);
        TestContext.WriteLine($"{guest.Name} ({engine}): {exit.Reason} (exit code {exit.ExitCode}) after {machine.InstructionsExecuted} instructions, PC 0x{machine.Cpu.State.PC:x}{(exit.Message is null ? "" : ": " + exit.Message)}");
        // Every CPU's X0-X30, SP and PC.
        var registers = new ulong[33 * machine.Cpus.Count];
        for (int c = 0; c < machine.Cpus.Count; c++)
        {
            for (int i = 0; i < 32; i++) registers[33 * c + i] = machine.Cpus[c].State.X[i];
            registers[33 * c + 32] = machine.Cpus[c].State.PC;
        }
        long compiled = machine.Cpus.Sum(c => c.Translations?.BlocksCompiled ?? 0);
        return new EngineRun(serial.ToArray(), exit, machine.InstructionsExecuted, machine.CyclesExecuted, registers, compiled);
    }

    private static void AssertSameOutput(byte[] expected, byte[] actual, string what, MachineExit? exit)
    {
        if (expected.AsSpan().SequenceEqual(actual)) return;
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at]) at++;
        int line = expected.AsSpan(0, at).Count((byte)'\n') + 1;
        string Around(byte[] b) => Encoding.ASCII.GetString(b, Math.Max(0, at - 200), Math.Min(b.Length, at + 200) - Math.Max(0, at - 200));
        Assert.Fail($"{what}: outputs differ at byte {at} (line {line}){(exit is { } e ? $"; ArmVirt stopped: {e.Reason} {e.Message}" : "")}\n" +
                    $"--- expected ({expected.Length} bytes) around it:\n{Around(expected)}\n--- actual ({actual.Length} bytes) around it:\n{Around(actual)}");
    }

    private static string Inconclusive(string message)
    {
        Assert.Inconclusive(message);
        return "";
    }
}
