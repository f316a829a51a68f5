using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Timing;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// tests/guests/bin/timing.elf under each timing model (<c>--timing</c>): the cycles of known instruction sequences, the
/// branch predictor's BR_PRED/BR_MIS_PRED counts and the virtual timer's expiry, pinned per model (QEMU has no timing
/// model to record them from), and the same output, instruction and cycle counts under the interpreter and under the
/// JIT compiling every block at once. Also cpubench_quick.elf and shapes_el1_quick.elf (jump tables, function pointers,
/// a 2 MiB pointer chase with TLB misses) under both engines per model.
/// </summary>
[TestClass]
public sealed class TimingGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly GuestCase Timing = new("timing", "timing.elf", 1, false, StopReason.PowerOff, 0);

    [TestMethod]
    public void FlatModelCountsOneCyclePerInstructionAndPredictsNothing()
    {
        string text = RunBothEngines(TimingModel.Flat, Timing).Text;
        Contains(text, "PMCEID0_EL0: BR_MIS_PRED=0 BR_PRED=0\n");
        Contains(text, "8 independent ADD: 8 cycles\n");
        Contains(text, "4 UDIV X: 5 cycles\n"); // MOV and four UDIV
        Contains(text, "counted loop, 1000 x SUBS, B.NE: BR_PRED=0 BR_MIS_PRED=0 INST_RETIRED=2009 PMCCNTR=2011\n");
        Contains(text, "virtual timer fired after 9139 iterations\n");
    }

    [TestMethod]
    public void CortexA53DualIssuesAndStallsOnResultUse()
    {
        string text = RunBothEngines(TimingModel.CortexA53, Timing).Text;
        Contains(text, "PMCEID0_EL0: BR_MIS_PRED=1 BR_PRED=1\n");
        // Two ALU pipes: independent pairs issue together; a dependent chain does not.
        Contains(text, "8 independent ADD: 4 cycles\n");
        Contains(text, "8 dependent ADD: 8 cycles\n");
        // Load-use: each ADD waits 2 cycles for its load (latency 3); the next load pairs with it.
        Contains(text, "4 load-use pairs: 14 cycles\n");
        Contains(text, "4 load + independent ADD: 4 cycles\n");
        Contains(text, "4 UDIV W: 49 cycles\n");
        Contains(text, "4 UDIV X: 81 cycles\n");
        Contains(text, "4 dependent FADD D: 19 cycles\n");   // latency 6
        Contains(text, "4 dependent FMADD D: 31 cycles\n");  // latency 10
        Contains(text, "2 FDIV D: 58 cycles\n");             // 29 cycles each, not pipelined
        Contains(text, "DMB, DSB, ISB: 27 cycles\n");
        Predictor(text);
        Contains(text, "counted loop, 1000 x SUBS, B.NE: BR_PRED=1002 BR_MIS_PRED=2 INST_RETIRED=2009 PMCCNTR=2037\n");
        Contains(text, "virtual timer fired after 5327 iterations\n");
    }

    [TestMethod]
    public void CortexA57IssuesThreeWideWithoutStalls()
    {
        string text = RunBothEngines(TimingModel.CortexA57, Timing).Text;
        Contains(text, "PMCEID0_EL0: BR_MIS_PRED=1 BR_PRED=1\n");
        Contains(text, "8 independent ADD: 4 cycles\n");          // I0/I1: two per cycle
        Contains(text, "4 ADD shifted register: 4 cycles\n");     // the M pipe only
        Contains(text, "4 load-use pairs: 6 cycles\n");           // no stall, but no issue with the producer
        Contains(text, "4 dependent MUL: 13 cycles\n");           // MUL X: one every 3 cycles
        Contains(text, "4 ZIP1: 2 cycles\n");                     // F0/F1
        Contains(text, "2 FDIV D: 40 cycles\n");
        Predictor(text);
        Contains(text, "100 BR alternating between two targets: BR_PRED=202 BR_MIS_PRED=102 INST_RETIRED=711 PMCCNTR=2097\n");
        Contains(text, "virtual timer fired after 6389 iterations\n");
    }

    // The predictor is the same in both models: a counted loop mispredicts its first and last B.NE, an alternating TBZ
    // defeats a 2-bit counter, the return stack predicts calls but not a recursion deeper than its 8 entries, and the
    // last-target table misses every BR that alternates between two targets.
    private static void Predictor(string text)
    {
        Contains(text, "alternating TBZ in a 1000-iteration loop: BR_PRED=2002 BR_MIS_PRED=1002 ");
        Contains(text, "100 calls (BL, RET): BR_PRED=302 BR_MIS_PRED=2 ");
        Contains(text, "recursion 16 deep (return stack of 8): BR_PRED=53 BR_MIS_PRED=11 ");
        Contains(text, "100 BR alternating between two targets: BR_PRED=202 BR_MIS_PRED=102 ");
    }

    [TestMethod]
    public void VirtualTimeFollowsTheModelsCycles()
    {
        // The timer is due 64000 cycles ahead under every model: a model that charges more per instruction reaches it
        // after fewer instructions.
        var flat = RunBothEngines(TimingModel.Flat, Timing);
        var a53 = RunBothEngines(TimingModel.CortexA53, Timing);
        var a57 = RunBothEngines(TimingModel.CortexA57, Timing);
        ulong Retired(string text) => ulong.Parse(text.Split("timer loop: ")[1].Split("INST_RETIRED=")[1].Split(' ')[0]);
        Assert.IsLessThan(Retired(flat.Text), Retired(a57.Text));
        Assert.IsLessThan(Retired(a57.Text), Retired(a53.Text));
        Assert.IsLessThan(flat.Instructions, a53.Instructions, "whole run");
    }

    [TestMethod]
    [DataRow("cortex-a53", "cpubench")]
    [DataRow("cortex-a57", "cpubench")]
    [DataRow("cortex-a53", "shapes-el1")]
    [DataRow("cortex-a57", "shapes-s2")]
    public void BenchmarkGuestsCountTheSameCyclesUnderBothEngines(string model, string name)
    {
        var run = RunBothEngines(TimingModel.Parse(model), GuestCase.All.Single(c => c.Name == name));
        // The guest's output is the flat run's: a model changes time, not results.
        Assert.AreEqual(File.ReadAllText(Path.Combine(GuestCase.GuestsDirectory, "expected", name + ".txt")), run.Text);
        Assert.AreNotEqual(run.Instructions, run.Cycles, "the model charged nothing");
    }

    [TestMethod]
    [DataRow("cortex-a53", "aarch32")]
    [DataRow("cortex-a57", "aarch32")]
    [DataRow("cortex-a53", "aarch32_thumb")]
    [DataRow("cortex-a57", "aarch32_thumb")]
    [DataRow("cortex-a53", "aarch32_vfp_thumb")]
    [DataRow("cortex-a53", "aarch32_el1")]
    [DataRow("cortex-a57", "aarch32_el1")]
    [DataRow("cortex-a53", "pmu32")]
    [DataRow("cortex-a53", "cpubench-a32")]
    [DataRow("cortex-a57", "cpubench-a32")]
    [DataRow("cortex-a57", "armv7_hyp")]
    [DataRow("cortex-a53", "armv7_debug")]
    public void Aarch32GuestsCountTheSameCyclesUnderBothEngines(string model, string name)
    {
        // AArch32 code under a model: the interpreter's issue groups and predictor (A32TimingClassifier), and the AArch32
        // blocks' cost tables (predecoded, baseline and optimized tiers, all reached at these thresholds), give the same
        // cycles and predictor counts (BR_PRED, BR_MIS_PRED); the A64 parts of these guests run compiled.
        var timing = TimingModel.Parse(model);
        var guest = GuestCase.All.Single(c => c.Name == name);
        var interp = Run(timing, guest, ExecutionEngine.Interpreter, null);
        var jit = Run(timing, guest, ExecutionEngine.Jit, cpu =>
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 2;
            cpu.JitBackgroundCompilation = false;
        });
        Assert.AreEqual(interp.Text, jit.Text, $"{name} ({model}): --engine jit vs --engine interp");
        Assert.AreEqual(interp.Instructions, jit.Instructions, "instructions retired");
        Assert.AreEqual(interp.Cycles, jit.Cycles, "cycles");
        Assert.AreEqual(interp.Predicted, jit.Predicted, "BR_PRED");
        Assert.AreEqual(interp.Mispredicted, jit.Mispredicted, "BR_MIS_PRED");
        Assert.AreNotEqual(jit.Instructions, jit.Cycles, "the model charged nothing");
        Assert.IsGreaterThan(0UL, jit.Predicted, "branches predicted");
        Assert.IsLessThan(jit.Instructions / 2, jit.Stepped, "AArch32 code ran in blocks, not stepped");
    }

    [TestMethod]
    [DataRow(0.3)]
    [DataRow(0.77)]
    public void SnapshotUnderAModelContinuesWithTheSameCounts(double at)
    {
        // The predictor's tables, the issue group in progress and the PMU's view of the predictor's counts are saved:
        // a run restored from a snapshot (under either engine) ends as the uninterrupted run does.
        var whole = RunBothEngines(TimingModel.CortexA53, Timing);
        ulong n = (ulong)(whole.Instructions * at) | 1;
        foreach (var (saveOn, restoreOn) in new[] { (ExecutionEngine.Jit, ExecutionEngine.Interpreter), (ExecutionEngine.Interpreter, ExecutionEngine.Jit) })
        {
            byte[] snapshot;
            int prefix;
            using (var serial = new MemoryStream())
            using (var machine = Builder(TimingModel.CortexA53, Timing, saveOn, serial).Build())
            {
                Assert.AreEqual(StopReason.InstructionLimit, machine.Run(n).Reason);
                using var s = new MemoryStream();
                machine.SaveSnapshot(s);
                snapshot = s.ToArray();
                prefix = (int)serial.Length;
            }
            using (var serial = new MemoryStream())
            using (var machine = Builder(TimingModel.CortexA53, Timing, restoreOn, serial).Build())
            {
                machine.RestoreSnapshot(new MemoryStream(snapshot));
                Assert.AreEqual(StopReason.PowerOff, machine.Run(Timing.MaxInstructions).Reason);
                Assert.AreEqual(whole.Text[prefix..], Encoding.ASCII.GetString(serial.ToArray()), $"output after {n} ({saveOn} -> {restoreOn})");
                Assert.AreEqual(whole.Instructions, machine.Cpu.State.Instructions, "instructions");
                Assert.AreEqual(whole.Cycles, machine.Cpu.State.Cycles, "cycles");
            }
        }
        // A snapshot names its model: it is not restored into a machine with another.
        using var flat = Builder(TimingModel.Flat, Timing, ExecutionEngine.Jit, new MemoryStream()).Build();
        using var a53 = Builder(TimingModel.CortexA53, Timing, ExecutionEngine.Jit, new MemoryStream()).Build();
        using var saved = new MemoryStream();
        a53.SaveSnapshot(saved);
        Assert.Throws<Exception>(() => flat.RestoreSnapshot(new MemoryStream(saved.ToArray())));
    }

    private static MachineBuilder Builder(TimingModel model, GuestCase guest, ExecutionEngine engine, Stream serial) => new MachineBuilder()
        .WithEngine(engine)
        .WithTiming(model)
        .WithMemory(128UL << 20)
        .WithCpu(guest.Cpu)
        .WithHighestEl(guest.HighestEl)
        .WithKernel(guest.ElfPath)
        .WithSerial(serial);

    private static void Contains(string text, string expected) =>
        Assert.Contains(expected, text, $"missing from the guest output: \"{expected}\"\n--- output:\n{text}");

    private sealed record EngineRun(string Text, ulong Instructions, ulong Cycles, ulong Predicted = 0, ulong Mispredicted = 0, ulong Stepped = 0);

    private EngineRun RunBothEngines(TimingModel model, GuestCase guest)
    {
        var interp = Run(model, guest, ExecutionEngine.Interpreter, null);
        long regions = 0;
        var jit = Run(model, guest, ExecutionEngine.Jit, cpu =>
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 2; // regions (charging the model's cycles) for every block entered a few times
            cpu.JitBackgroundCompilation = false;
        }, cpu => regions = cpu.Translations!.RegionsCompiled);
        Assert.IsGreaterThan(0L, regions, $"{guest.Name} ({model}): regions compiled");
        Assert.AreEqual(interp.Text, jit.Text, $"{guest.Name} ({model}): --engine jit vs --engine interp");
        Assert.AreEqual(interp.Instructions, jit.Instructions, "instructions retired");
        Assert.AreEqual(interp.Cycles, jit.Cycles, "cycles");
        return jit;
    }

    private EngineRun Run(TimingModel model, GuestCase guest, ExecutionEngine engine, Action<Cpu.Cpu>? configure,
        Action<Cpu.Cpu>? after = null)
    {
        using var serial = new MemoryStream();
        using var machine = Builder(model, guest, engine, serial).Build();
        configure?.Invoke(machine.Cpu);
        MachineExit exit = machine.Run(guest.MaxInstructions);
        string text = Encoding.ASCII.GetString(serial.ToArray());
        TestContext.WriteLine($"{guest.Name} ({model}, {engine}): {exit.Reason} after {machine.Cpu.State.Instructions} instructions, {machine.Cpu.State.Cycles} cycles");
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message);
        after?.Invoke(machine.Cpu);
        var p = machine.Cpu.BranchPredictor;
        return new EngineRun(text, machine.Cpu.State.Instructions, machine.Cpu.State.Cycles, p?.Predicted ?? 0, p?.Mispredicted ?? 0,
            machine.Cpu.Statistics.InstructionsStepped);
    }
}
