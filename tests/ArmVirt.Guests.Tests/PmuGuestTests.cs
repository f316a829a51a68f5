using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// tests/guests/bin/pmu_counts.elf (pmu.c built with EXACT_COUNTS): the counts QEMU cannot give (it counts cycles from
/// host time and instructions only with -icount), pinned to the values the known instruction sequences give, and the
/// same output, instruction and cycle counts under the interpreter and under the JIT compiling every block at once, so
/// that counters read from compiled code, the instruction-stream events and the overflow interrupts are exact. The
/// part of the guest that QEMU can check is pmu.elf, one of <see cref="GuestCase.All"/>. Also pmu32_mrrc.elf (pmu32.elf
/// with PMCCNTR's AArch32 64-bit view, MCRR/MRRC p15, 0, c9, which QEMU 7.2 does not implement).
/// </summary>
[TestClass]
public sealed class PmuGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly GuestCase Counts = new("pmu_counts", "pmu_counts.elf", 2, false, StopReason.PowerOff, 0);
    private static readonly GuestCase Mrrc = new("pmu32_mrrc", "pmu32_mrrc.elf", 2, false, StopReason.PowerOff, 0);

    [TestMethod]
    [DataRow("flat")]
    [DataRow("cortex-a53")]
    public void Aarch32PmccntrByMcrrAndMrrcUnderBothEngines(string timing)
    {
        var interp = Run(Mrrc, ExecutionEngine.Interpreter, null, timing);
        var jit = Run(Mrrc, ExecutionEngine.Jit, cpu =>
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 200;
            cpu.JitBackgroundCompilation = false;
        }, timing);
        Assert.AreEqual(interp.Text, jit.Text, "pmu32_mrrc: --engine jit vs --engine interp");
        Assert.AreEqual(interp.Instructions, jit.Instructions, "instructions retired");
        Assert.AreEqual(interp.Cycles, jit.Cycles, "cycles");
        string text = jit.Text;
        Contains(text, "EL1: the cycle counter by MCRR and MRRC\n  MRRC high word after MCRR of 0x5_00000000 = 0x5\n"
            + "  MRC reads its low word (a little later) = 0x1\n  MRRC advanced over a loop = 0x1\n  PMCR.C reset it: high word = 0x0\n");
        // MRRC under MDCR_EL2.TPM: EC 0x04, CV, COND 0b1110, opc1 0, Rt2 = R4, Rt = R3, CRm 9, a read.
        Contains(text, "EL2: CP15 MRRC trap (MDCR_EL2.TPM) ESR=0x13e01073 ");
        Contains(text, "  PMCCNTR (MRRC) under TPM, low = 0x7e576400\n  high = 0x7e576411\n");
        // What comes before the 64-bit view is pmu32.elf's, as QEMU prints it.
        string mrrc = "EL1: the cycle counter by MCRR and MRRC";
        Assert.StartsWith(text.Split(mrrc)[0], File.ReadAllText(Path.Combine(GuestCase.GuestsDirectory, "expected", "pmu32.txt")));
    }

    [TestMethod]
    public void EventCountsOfKnownSequencesAreExactUnderBothEngines()
    {
        var interp = Run(Counts, ExecutionEngine.Interpreter, null);
        var jit = Run(Counts, ExecutionEngine.Jit, cpu =>
        {
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 200;
            cpu.JitBackgroundCompilation = false;
        });
        Assert.AreEqual(interp.Text, jit.Text, "pmu_counts: --engine jit vs --engine interp");
        Assert.AreEqual(interp.Instructions, jit.Instructions, "instructions retired");
        Assert.AreEqual(interp.Cycles, jit.Cycles, "cycles");
        Assert.IsGreaterThan(0, jit.Compiled, "the JIT compiled nothing");
        string text = jit.Text;
        // The enabling MSR, ISB, LDR, STR, LDP, STP, B, CBZ (taken), CBNZ (not taken), ADD; one cycle each.
        Contains(text, "EL1: known sequence: INST_RETIRED=10 LD_RETIRED=2 ST_RETIRED=2 BR_RETIRED=3 MEM_ACCESS=4 CPU_CYCLES=10 PMCCNTR=10\n");
        // The enabling MSR and 20000 x (LDR, ADD, SUBS, B.NE): compiled when only derived events count, stepped when
        // an instruction-stream event does.
        Contains(text, "EL1: hot loop (INST_RETIRED CPU_CYCLES SW_INCR EXC_TAKEN): 80001 80001 0 0 PMCCNTR=80001\n");
        Contains(text, "EL1: hot loop (INST_RETIRED LD_RETIRED BR_RETIRED MEM_ACCESS): 80001 20000 20000 20000 PMCCNTR=80001\n");
        Contains(text, "EL1: SVC: svcs=1 EXC_TAKEN=1 EXC_RETURN=1 INST_RETIRED=");
        Contains(text, "EL1: CHAIN: counter 0=0x1 counter 1=1 PMOVSSET=0x1\n");
        Contains(text, "EL1: INST_RETIRED overflow: irqs=1 INTID=23 PMOVSSET in the handler=0x4 counter there=");
        Contains(text, "EL1: PMCCNTR overflow: irqs=1 INTID=23 PMOVSSET in the handler=0x80000000 PMCCNTR there=0x1000000");
        // The part pmu.elf shares with QEMU comes first, unchanged.
        Assert.StartsWith(File.ReadAllText(Path.Combine(GuestCase.GuestsDirectory, "expected", "pmu.txt")).Split("EL1: powering off")[0], text);
    }

    private static void Contains(string text, string expected) =>
        Assert.Contains(expected, text, $"missing from the guest output: \"{expected}\"\n--- output:\n{text}");

    private sealed record EngineRun(string Text, ulong Instructions, ulong Cycles, long Compiled);

    private EngineRun Run(GuestCase guest, ExecutionEngine engine, Action<Cpu.Cpu>? configure, string timing = "flat")
    {
        using var serial = new MemoryStream();
        using var machine = new MachineBuilder()
            .WithEngine(engine)
            .WithTiming(timing)
            .WithMemory(128UL << 20)
            .WithCpu("cortex-a57")
            .WithHighestEl(guest.HighestEl)
            .WithKernel(guest.ElfPath)
            .WithSerial(serial)
            .Build();
        configure?.Invoke(machine.Cpu);
        MachineExit exit = machine.Run(guest.MaxInstructions);
        string text = Encoding.ASCII.GetString(serial.ToArray());
        TestContext.WriteLine($"{guest.Name} ({engine}, {timing}): {exit.Reason} after {machine.Cpu.State.Instructions} instructions\n{text}");
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message);
        return new EngineRun(text, machine.Cpu.State.Instructions, machine.Cpu.State.Cycles, machine.Cpu.Translations?.BlocksCompiled ?? 0);
    }
}
