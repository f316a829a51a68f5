using ArmVirt.Cpu.Pmu;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// PMUv3 (Arm ARM D7, registers D17.5): identification, counting from the CPU's cycle and instruction counts, EL
/// filtering, overflow flags and the overflow interrupt at the instruction where a counter wraps, CHAIN, the HPMN
/// partition and the PMUSERENR_EL0 / MDCR_EL2 / MDCR_EL3 traps.
/// </summary>
[TestClass]
public sealed class PmuTests
{
    private const ulong PmcrE = 1, PmcrP = 2, PmcrC = 4, PmcrD = 8, PmcrLc = 1 << 6;
    private const ulong Cycle = 1UL << 31;
    private const ulong FilterP = 1UL << 31, FilterU = 1UL << 30, FilterNsh = 1UL << 27;

    [TestMethod]
    [DataRow("cortex-a57", 0x4101_3000UL)]
    [DataRow("cortex-a53", 0x4103_3000UL)]
    public void PmcrReportsTheModelAndSixCounters(string model, ulong pmcr)
    {
        using var s = new SysCpu(model: CpuModel.Find(model));
        Assert.AreEqual(pmcr, s.Read("PMCR_EL0"), "IMP, IDCODE, N = 6, controls 0 at reset");
        Assert.AreEqual(1UL, (s.Read("ID_AA64DFR0_EL1") >> 8) & 0xF, "PMUVer = 1: PMUv3 for Armv8.0");
        s.Write("PMCR_EL0", PmcrE | PmcrP | PmcrC | PmcrD | PmcrLc | 0x10 | 0x20);
        Assert.AreEqual(pmcr | PmcrE | PmcrD | PmcrLc | 0x10 | 0x20, s.Read("PMCR_EL0"), "P and C are actions that read 0");
    }

    [TestMethod]
    public void CommonEventIdentificationListsTheCountedEvents()
    {
        using var s = new SysCpu();
        ulong expected0 = (1UL << 0x00) | (1UL << 0x02) | (1UL << 0x05) | (1UL << 0x06) | (1UL << 0x07) | (1UL << 0x08)
            | (1UL << 0x09) | (1UL << 0x0A) | (1UL << 0x11) | (1UL << 0x13) | (1UL << 0x1B) | (1UL << 0x1E);
        Assert.AreEqual(expected0, s.Read("PMCEID0_EL0"), "BR_MIS_PRED (0x10) is not listed");
        Assert.AreEqual(1UL << (0x21 - 32), s.Read("PMCEID1_EL0"), "BR_RETIRED");
    }

    [TestMethod]
    public void CycleAndInstructionCountersFollowTheExecutedInstructions()
    {
        using var s = new SysCpu();
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.InstRetired);
        s.Write("PMEVTYPER1_EL0", (ulong)PmuEvent.CpuCycles);
        s.Write("PMCR_EL0", PmcrE | PmcrP | PmcrC);
        s.Write("PMCNTENSET_EL0", 3 | Cycle);      // the counters count from here: this MSR retires counted
        s.Exec(Enc.Nop, Enc.Nop, Enc.Nop);
        Assert.AreEqual(4UL, s.Read("PMCCNTR_EL0"), "the enabling MSR and three NOPs before the MRS");
        Assert.AreEqual(5UL, s.Read("PMEVCNTR0_EL0"));
        Assert.AreEqual(6UL, s.Read("PMEVCNTR1_EL0"));
        Assert.AreEqual(0x8000_0003UL, s.Read("PMCNTENSET_EL0"));
        s.Write("PMCNTENCLR_EL0", 1);
        s.Exec(Enc.Nop, Enc.Nop);
        Assert.AreEqual(8UL, s.Read("PMEVCNTR0_EL0"), "stopped by PMCNTENCLR: the MSR, 3 NOPs and 4 MRS before it");
    }

    [TestMethod]
    public void CycleCounterDividerCountsEvery64Cycles()
    {
        using var s = new SysCpu();
        s.Write("PMCR_EL0", PmcrE | PmcrD | PmcrC);
        s.Write("PMCNTENSET_EL0", Cycle);
        s.Cpu.State.Cycles += 64 * 3 + 10;
        Assert.AreEqual(3UL, s.Read("PMCCNTR_EL0"));
    }

    [TestMethod]
    public void FiltersExcludeTheirExceptionLevels()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.InstRetired);              // EL0 and EL1, not EL2
        s.Write("PMEVTYPER1_EL0", FilterNsh | (ulong)PmuEvent.InstRetired);  // EL0, EL1 and EL2
        s.Write("PMEVTYPER2_EL0", FilterP | (ulong)PmuEvent.InstRetired);    // EL0 only
        s.Write("PMEVTYPER3_EL0", FilterU | (ulong)PmuEvent.InstRetired);    // EL1 only
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMCNTENSET_EL0", 0xF);   // at EL2: counter 1 counts this MSR
        s.Exec(Enc.Nop, Enc.Nop);         // 2 at EL2
        MoveTo(s, 1);
        s.Exec(Enc.Nop, Enc.Nop, Enc.Nop); // 3 at EL1
        MoveTo(s, 0);
        s.Exec(Enc.Nop, Enc.Nop, Enc.Nop, Enc.Nop, Enc.Nop); // 5 at EL0
        MoveTo(s, 2);
        // Counter 1 also counts the MRS of counter 0 read just before it (at EL2).
        CollectionAssert.AreEqual(new ulong[] { 8, 12, 5, 3 },
            new[] { s.Read("PMEVCNTR0_EL0"), s.Read("PMEVCNTR1_EL0"), s.Read("PMEVCNTR2_EL0"), s.Read("PMEVCNTR3_EL0") });
    }

    // An EL change between instructions, as the exception paths tell the PMU about one.
    private static void MoveTo(SysCpu s, int el)
    {
        s.Cpu.Pmu.Sync();
        s.Enter(el);
        s.Cpu.Pmu.ElChanged();
    }

    [TestMethod]
    [DataRow(1, 0x8000_0008UL | (1UL << 30))]
    [DataRow(2, 0x8000_0008UL | (1UL << 30) | (1UL << 27))]
    [DataRow(3, 0xFC00_0008UL)]
    public void FilterBitsOfAbsentElsAreRes0(int highestEl, ulong readBack)
    {
        using var s = new SysCpu(highestEl);
        s.Write("PMEVTYPER0_EL0", 0xFFFF_FFFF_FFFF_FC08UL);
        Assert.AreEqual(readBack, s.Read("PMEVTYPER0_EL0"), "P, U; NSK, NSU, M need EL3; NSH needs EL2; evtCount 9:0");
    }

    [TestMethod]
    public void ExceptionEntryAndReturnAttributeInstructionsToTheirEl()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Write("PMEVTYPER0_EL0", FilterU | (ulong)PmuEvent.InstRetired);   // EL1 only
        s.Write("PMEVTYPER1_EL0", FilterP | (ulong)PmuEvent.InstRetired);   // EL0 only
        s.Write("PMEVTYPER2_EL0", (ulong)PmuEvent.ExcTaken);                // taken from EL0/EL1
        s.Write("PMEVTYPER3_EL0", (ulong)PmuEvent.ExcReturn);
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMCNTENSET_EL0", 0xF);
        MoveTo(s, 1);
        s.Cpu.Sys.Spsr[1] = 0;                  // EL0t
        s.Cpu.Sys.Elr[1] = SysCpu.CodeBase + 0x100;
        s.Exec(Enc.Eret);                       // counts at EL1 (1 instruction), EXC_RETURN
        s.Exec(Enc.Nop, Enc.Nop, Enc.Svc1234);  // 3 at EL0 (the SVC too), EXC_TAKEN from EL0
        Assert.AreEqual(1, s.Cpu.State.EL);
        s.Exec(Enc.Nop);                        // 1 at EL1
        MoveTo(s, 2);
        Assert.AreEqual(2UL, s.Read("PMEVCNTR0_EL0"), "EL1: the ERET and the NOP in the handler");
        Assert.AreEqual(3UL, s.Read("PMEVCNTR1_EL0"), "EL0: two NOPs and the SVC");
        Assert.AreEqual(1UL, s.Read("PMEVCNTR2_EL0"), "EXC_TAKEN");
        Assert.AreEqual(1UL, s.Read("PMEVCNTR3_EL0"), "EXC_RETURN");
    }

    [TestMethod]
    public void FaultingInstructionsAreNotRetiredButTakeTheirCycles()
    {
        using var s = new SysCpu();
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.InstRetired);
        s.Write("PMEVTYPER1_EL0", (ulong)PmuEvent.CpuCycles);
        s.Write("PMEVTYPER2_EL0", (ulong)PmuEvent.ExcTaken);
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMCNTENSET_EL0", 7);                      // counted (1)
        s.Exec(0x0000_0000u);                              // UDF #0: UNDEFINED, taken to EL1
        s.Exec(Enc.Svc1234);                               // SVC: executed (2)
        s.Cpu.SetX(2, 0x10);                               // unmapped physical address (MMU off): an external abort
        s.Exec(0xF940_0041u);                              // LDR X1, [X2]: a data abort
        s.Exec(Enc.Nop);                                   // (3)
        Assert.AreEqual(0x25UL, s.Cpu.Sys.Esr[1] >> 26, "the LDR took a data abort");
        Assert.AreEqual(3UL, s.Read("PMEVCNTR0_EL0"), "the MSR, the SVC and the NOP; not the UDF or the faulting LDR");
        Assert.AreEqual(6UL, s.Read("PMEVCNTR1_EL0"), "cycles: the MSR, 4 instructions and the MRS above");
        Assert.AreEqual(3UL, s.Read("PMEVCNTR2_EL0"), "EXC_TAKEN: UDF, SVC, the abort");
    }

    [TestMethod]
    public void SoftwareIncrementOverflowsChainsAndRaisesTheInterrupt()
    {
        using var s = new SysCpu();
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.SwIncr);
        s.Write("PMEVTYPER1_EL0", (ulong)PmuEvent.Chain);
        s.Write("PMEVCNTR0_EL0", 0xFFFF_FFFF);
        s.Write("PMINTENSET_EL1", 1);
        s.Write("PMCNTENSET_EL0", 3);
        s.Write("PMSWINC_EL0", 1);
        Assert.IsFalse(s.Cpu.Pmu.Interrupt.IsAsserted, "PMCR_EL0.E = 0: nothing counts");
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMSWINC_EL0", 1);
        Assert.AreEqual(0UL, s.Read("PMEVCNTR0_EL0"));
        Assert.AreEqual(1UL, s.Read("PMEVCNTR1_EL0"), "CHAIN counts the even counter's overflow");
        Assert.AreEqual(1UL, s.Read("PMOVSSET_EL0"));
        Assert.IsTrue(s.Cpu.Pmu.Interrupt.IsAsserted);
        s.Write("PMOVSCLR_EL0", 1);
        Assert.IsFalse(s.Cpu.Pmu.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void CounterOverflowInterruptIsRaisedWhereTheCounterWraps()
    {
        using var s = new SysCpu();
        // A branch to itself, run by the execution loop: the overflow deadline stops it where the counter wraps.
        s.Bus.Load(SysCpu.CodeBase + 0x200, BitConverter.GetBytes(0x1400_0000u));
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.InstRetired);
        s.Write("PMEVCNTR0_EL0", 0xFFFF_FFFFUL - 999);
        s.Write("PMCCNTR_EL0", 0xFFFF_FFFFUL - 1999);  // PMCR_EL0.LC = 0: overflows at 32 bits
        s.Write("PMINTENSET_EL1", 1 | Cycle);
        s.Write("PMCR_EL0", PmcrE);
        s.Cpu.State.PC = SysCpu.CodeBase + 0x200;
        s.Cpu.State.Daif = 0x3C0;
        ulong enabledAt = s.Cpu.State.Instructions;
        var raised = new List<ulong>();
        s.Cpu.Pmu.Interrupt.Changed += level => { if (level) raised.Add(s.Cpu.State.Instructions - enabledAt); };
        s.Cpu.Pmu.WriteSetClear(PmuSetClear.CounterEnable, 1 | Cycle, set: true);
        s.Cpu.Run(5000);
        Assert.HasCount(1, raised, "asserted once: the flags stay set");
        Assert.AreEqual(1000UL, raised[0], "at the 1000th instruction counted");
        Assert.AreEqual(1UL | Cycle, s.Cpu.Pmu.Overflows);
        Assert.AreEqual(0x1_0000_0000UL + 3000, s.Cpu.Pmu.ReadCounter(PerformanceMonitors.CycleCounter));
    }

    [TestMethod]
    [DataRow((int)PmuEvent.BrPred, ExecutionEngine.Interpreter)]
    [DataRow((int)PmuEvent.BrPred, ExecutionEngine.Jit)]
    [DataRow((int)PmuEvent.BrMisPred, ExecutionEngine.Interpreter)]
    [DataRow((int)PmuEvent.BrMisPred, ExecutionEngine.Jit)]
    public void PredictorEventOverflowInterruptIsRaisedAtTheWrappingBranch(int eventNumber, ExecutionEngine engine)
    {
        var e = (PmuEvent)eventNumber;
        // loop: eor x0, x0, #1; tbz x0, #0, skip; nop; skip: b loop. The TBZ alternates, so the 2-bit counter
        // mispredicts it every time; B is always predicted. The counter wraps at its 100th event: the interrupt must
        // come right after the branch that counted it, under the interpreter and in compiled regions.
        uint[] loop = [0xd2400000, 0x36000040, 0xd503201f, 0x17fffffd];
        ulong Events(Cpu cpu) => e == PmuEvent.BrPred ? cpu.BranchPredictor!.Predicted : cpu.BranchPredictor!.Mispredicted;
        ulong wrapsAt;
        using (var reference = new SysCpu(timing: Timing.TimingModel.CortexA53))
        {
            reference.Bus.Load(SysCpu.CodeBase + 0x200, loop.SelectMany(BitConverter.GetBytes).ToArray());
            reference.Cpu.State.PC = SysCpu.CodeBase + 0x200;
            while (Events(reference.Cpu) < 100) reference.Cpu.Step();
            wrapsAt = reference.Cpu.State.Instructions;
        }
        using var s = new SysCpu(timing: Timing.TimingModel.CortexA53);
        s.Bus.Load(SysCpu.CodeBase + 0x200, loop.SelectMany(BitConverter.GetBytes).ToArray());
        if (engine == ExecutionEngine.Jit)
        {
            s.Cpu.Engine = ExecutionEngine.Jit;
            s.Cpu.JitThreshold = 0;
            s.Cpu.JitOptimizeThreshold = 0;
            s.Cpu.JitBaselineMinimumLength = 0;
            s.Cpu.JitBackgroundCompilation = false;
        }
        s.Write("PMEVTYPER0_EL0", (ulong)e);
        s.Write("PMEVCNTR0_EL0", 0xFFFF_FFFFUL - 99);
        s.Write("PMINTENSET_EL1", 1);
        s.Write("PMCR_EL0", PmcrE);
        s.Cpu.State.PC = SysCpu.CodeBase + 0x200;
        s.Cpu.State.Daif = 0x3C0;
        ulong start = s.Cpu.State.Instructions;
        var raised = new List<ulong>();
        s.Cpu.Pmu.Interrupt.Changed += level => { if (level) raised.Add(s.Cpu.State.Instructions - start); };
        s.Cpu.Pmu.WriteSetClear(PmuSetClear.CounterEnable, 1, set: true);
        s.Cpu.Run(5000);
        Assert.HasCount(1, raised);
        Assert.AreEqual(wrapsAt, raised[0], "raised right after the branch that wrapped the counter");
        if (engine == ExecutionEngine.Jit) Assert.IsGreaterThan(0L, s.Cpu.Translations!.RegionsCompiled);
    }

    [TestMethod]
    public void TlbRefillsAndLoadsAreCountedWhileStepping()
    {
        // Stage 1 on at EL1, an empty TLB; the code page holds two LDR X1, [X2].
        using var h = CpuTranslationTests.Stage1();
        var pmu = h.Cpu.Pmu;
        pmu.WriteType(0, (ulong)PmuEvent.L1dTlbRefill);
        pmu.WriteType(1, (ulong)PmuEvent.L1iTlbRefill);
        pmu.WriteType(2, (ulong)PmuEvent.LdRetired);
        pmu.WriteType(3, (ulong)PmuEvent.StRetired);
        pmu.Pmcr = PmcrE;
        pmu.WriteSetClear(PmuSetClear.CounterEnable, 0xF, set: true);
        Assert.IsTrue(pmu.NeedsInstructionStream, "instruction-stream events: the CPU steps");
        h.Cpu.SetX(2, CpuHarness.RamBase + 0x4010);
        h.Step(); // walks for the code page and the data page
        h.Step(); // both translations now in the TLB
        CollectionAssert.AreEqual(new ulong[] { 1, 1, 2, 0 },
            new[] { pmu.ReadCounter(0), pmu.ReadCounter(1), pmu.ReadCounter(2), pmu.ReadCounter(3) });
        pmu.WriteSetClear(PmuSetClear.CounterEnable, 0xF, set: false);
        Assert.IsFalse(pmu.NeedsInstructionStream);
    }

    [TestMethod]
    [Timeout(20_000)]
    public void WfiWithAnInstructionCounterStillHaltsAndTheCounterRearmsOnWake()
    {
        using var s = new SysCpu();
        s.Write("PMEVTYPER0_EL0", (ulong)PmuEvent.InstRetired);
        s.Write("PMEVCNTR0_EL0", 0xFFFF_FFFFUL - 9);
        s.Write("PMINTENSET_EL1", 1);
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMCNTENSET_EL0", 1);          // counted: 10 more instructions to the wrap
        s.Bus.Load(s.Cpu.State.PC, BitConverter.GetBytes(Enc.Wfi));
        Assert.AreEqual(StopReason.Halted, s.Cpu.Run(100), "nothing can end the wait: no deadline of the instruction counter");
        Assert.IsTrue(s.Cpu.IsWaiting);
        // An interrupt wakes it (masked: execution goes on after the WFI); the deadline is armed again.
        s.Cpu.ClearStop();
        s.Bus.Load(s.Cpu.State.PC, BitConverter.GetBytes(0x1400_0000u)); // b . (the PC is past the WFI)
        s.Cpu.Irq.Set(true);
        ulong at = 0;
        s.Cpu.Pmu.Interrupt.Changed += level => { if (level) at = s.Cpu.State.Instructions; };
        ulong before = s.Cpu.State.Instructions;
        s.Cpu.Run(100);
        Assert.AreEqual(before + 8, at, "the MSR and the WFI counted: 8 more to the wrap");
    }

    [TestMethod]
    public void OverflowWithoutItsInterruptSchedulesNothingAndIsSeenWhenRead()
    {
        using var s = new SysCpu();
        s.Write("PMCCNTR_EL0", 0xFFFF_FFF0UL);
        s.Write("PMCR_EL0", PmcrE);
        s.Write("PMCNTENSET_EL0", Cycle);
        Assert.AreEqual(ulong.MaxValue, s.Cpu.Clock.NextDeadline, "no interrupt can come of it: no clock event");
        s.Cpu.State.Cycles += 0x20;
        Assert.AreEqual(Cycle, s.Read("PMOVSSET_EL0"), "the wrap is found when the flags are read");
        s.Write("PMINTENSET_EL1", Cycle);
        Assert.AreNotEqual(ulong.MaxValue, s.Cpu.Clock.NextDeadline, "with the interrupt enabled the next wrap is scheduled");
    }

    [TestMethod]
    public void HpmnPartitionsTheCountersBetweenEl1AndEl2()
    {
        using var s = new SysCpu(highestEl: 2);
        Assert.AreEqual(6UL, s.Read("MDCR_EL2") & 0x1F, "HPMN resets to N");
        s.Write("MDCR_EL2", 4 | (1UL << 7)); // HPMN = 4, HPME
        s.Write("PMCNTENSET_EL0", 0x3F | Cycle);
        s.Enter(1);
        Assert.AreEqual(4UL, (s.Read("PMCR_EL0") >> 11) & 0x1F, "N reads HPMN at EL1");
        Assert.AreEqual(0x8000_000FUL, s.Read("PMCNTENSET_EL0"), "counters 4 and 5 belong to EL2");
        s.Exec(Enc.Mrs(s.Cpu, "PMEVCNTR5_EL0", 0));
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1], "EL2's counter from EL1: UNDEFINED");
        s.Enter(2);
        // Counter 5 counts under HPME with PMCR_EL0.E clear; counter 0 does not.
        s.Write("PMEVTYPER5_EL0", FilterNsh | (ulong)PmuEvent.SwIncr);
        s.Write("PMEVTYPER0_EL0", FilterNsh | (ulong)PmuEvent.SwIncr);
        s.Write("PMSWINC_EL0", 0x21);
        Assert.AreEqual(1UL, s.Read("PMEVCNTR5_EL0"));
        Assert.AreEqual(0UL, s.Read("PMEVCNTR0_EL0"));
    }

    [TestMethod]
    public void MdcrEl2HpmeGatesTheOverflowInterruptOfEl2Counters()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Write("MDCR_EL2", 4);                 // counters 4 and 5 are EL2's, HPME clear
        s.Write("PMINTENSET_EL1", 1UL << 5);
        s.Write("PMOVSSET_EL0", 1UL << 5);      // no counter enabled: only the flag and its interrupt enable
        Assert.IsFalse(s.Cpu.Pmu.Interrupt.IsAsserted, "counter 5's request needs MDCR_EL2.HPME");
        s.Write("MDCR_EL2", 4 | (1UL << 7));
        Assert.IsTrue(s.Cpu.Pmu.Interrupt.IsAsserted);
        s.Write("MDCR_EL2", 4);
        Assert.IsFalse(s.Cpu.Pmu.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void UserEnableAndMdcrTrapsRouteAccesses()
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= 1; // Non-secure: EL2 enabled
        s.Enter(0);
        s.Exec(Enc.Mrs(s.Cpu, "PMCCNTR_EL0", 0));
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(3, 3, 9, 13, 0, 0, read: true)), s.Cpu.Sys.Esr[1], "PMUSERENR_EL0 = 0: trapped to EL1");
        s.Enter(1);
        s.Write("PMUSERENR_EL0", 4); // CR
        s.Enter(0);
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Cpu.Sys.Esr[1] = 0;
        s.Exec(Enc.Mrs(s.Cpu, "PMCCNTR_EL0", 0));
        Assert.AreEqual(0UL, s.Cpu.Sys.Esr[1], "CR allows PMCCNTR_EL0 reads");
        s.Exec(Enc.Msr(s.Cpu, "PMUSERENR_EL0", 1));
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1], "PMUSERENR_EL0 is read-only at EL0");

        s.Enter(2);
        s.Write("MDCR_EL2", 6 | (1UL << 5)); // TPMCR
        s.Enter(1);
        s.Exec(Enc.Mrs(s.Cpu, "PMCNTENSET_EL0", 0));
        Assert.AreEqual(0UL, s.Cpu.Sys.Esr[2], "TPMCR traps only PMCR_EL0");
        s.Exec(Enc.Mrs(s.Cpu, "PMCR_EL0", 0));
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(3, 3, 9, 12, 0, 0, read: true)), s.Cpu.Sys.Esr[2]);
        s.Enter(2);
        s.Write("MDCR_EL2", 6 | (1UL << 6)); // TPM
        s.Enter(1);
        s.Exec(Enc.Msr(s.Cpu, "PMINTENSET_EL1", 1));
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(3, 0, 9, 14, 1, 1, read: false)), s.Cpu.Sys.Esr[2], "TPM traps EL1's accesses");
        s.Enter(3);
        s.Write("MDCR_EL3", 1UL << 6); // TPM at EL3
        s.Enter(2);
        s.Exec(Enc.Mrs(s.Cpu, "PMCR_EL0", 0));
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(3, 3, 9, 12, 0, 0, read: true)), s.Cpu.Sys.Esr[3], "MDCR_EL3.TPM traps EL2's");
    }
}
