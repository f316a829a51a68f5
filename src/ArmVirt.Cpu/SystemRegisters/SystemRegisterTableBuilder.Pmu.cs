using ArmVirt.Cpu.Pmu;

namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // D17.5 "Performance Monitors registers" (PMUv3 for Armv8.0), state and counting in PerformanceMonitors. The
    // accessibility of each is its pseudocode's: PMUSERENR_EL0 at EL0, MDCR_EL2.TPM (and TPMCR for PMCR_EL0) at EL0 and
    // EL1, MDCR_EL3.TPM below EL3 (SystemRegisterTraps.Pmu).
    private static void AddPmu(SystemRegisterTable t)
    {
        const PmuUserAccess en = PmuUserAccess.Enable;
        AddPmu(t, "PMCR_EL0", 9, 12, 0, c => c.Pmu.Pmcr, (c, v) => c.Pmu.Pmcr = v, (c, w) => SystemRegisterTraps.Pmu(c, en, pmcr: true));
        AddPmu(t, "PMCNTENSET_EL0", 9, 12, 1, c => c.Pmu.Enables, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.CounterEnable, v, set: true));
        AddPmu(t, "PMCNTENCLR_EL0", 9, 12, 2, c => c.Pmu.Enables, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.CounterEnable, v, set: false));
        AddPmu(t, "PMOVSCLR_EL0", 9, 12, 3, c => c.Pmu.Overflows, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.Overflow, v, set: false));
        AddPmu(t, "PMSWINC_EL0", 9, 12, 4, null, (c, v) => c.Pmu.SoftwareIncrement(v),
            (c, w) => SystemRegisterTraps.Pmu(c, en | PmuUserAccess.SoftwareIncrement));
        AddPmu(t, "PMSELR_EL0", 9, 12, 5, c => c.Pmu.Select, (c, v) => c.Pmu.Select = v & 0x1F,
            (c, w) => SystemRegisterTraps.Pmu(c, en | PmuUserAccess.EventCounterRead));
        AddPmu(t, "PMCEID0_EL0", 9, 12, 6, c => PerformanceMonitors.CommonEventIds(0, c.BranchPredictor != null), null);
        AddPmu(t, "PMCEID1_EL0", 9, 12, 7, c => PerformanceMonitors.CommonEventIds(1, c.BranchPredictor != null), null);
        AddPmu(t, "PMCCNTR_EL0", 9, 13, 0, c => c.Pmu.ReadCounter(PerformanceMonitors.CycleCounter),
            (c, v) => c.Pmu.WriteCounter(PerformanceMonitors.CycleCounter, v),
            (c, w) => SystemRegisterTraps.Pmu(c, w ? en : en | PmuUserAccess.CycleCounterRead));
        // PMXEVTYPER/PMXEVCNTR_EL0 reach the counter PMSELR_EL0.SEL selects (31: PMCCFILTR_EL0 for the type); a SEL
        // that selects no accessible counter makes the access UNDEFINED (one of the CONSTRAINED UNPREDICTABLE choices).
        AddPmu(t, "PMXEVTYPER_EL0", 9, 13, 1, c => c.Pmu.ReadType((int)c.Pmu.Select), (c, v) => c.Pmu.WriteType((int)c.Pmu.Select, v),
            (c, w) => SystemRegisterTraps.Then(SystemRegisterTraps.Pmu(c, en), SelectedCounter(c, allowCycle: true)));
        AddPmu(t, "PMXEVCNTR_EL0", 9, 13, 2, c => c.Pmu.ReadCounter((int)c.Pmu.Select), (c, v) => c.Pmu.WriteCounter((int)c.Pmu.Select, v),
            (c, w) => SystemRegisterTraps.Then(SystemRegisterTraps.Pmu(c, w ? en : en | PmuUserAccess.EventCounterRead), SelectedCounter(c, allowCycle: false)));
        // PMUSERENR_EL0: read-only at EL0 (a write there is UNDEFINED).
        AddPmu(t, "PMUSERENR_EL0", 9, 14, 0, c => c.Pmu.UserEnable, (c, v) => c.Pmu.UserEnable = v & 0xF,
            (c, w) => c.State.EL == 0 && w ? SystemRegisterAccess.Undefined : SystemRegisterTraps.Pmu(c, PmuUserAccess.None));
        Add(t, "PMINTENSET_EL1", 3, 0, 9, 14, 1, c => c.Pmu.InterruptEnables, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.InterruptEnable, v, set: true),
            static (c, _) => SystemRegisterTraps.Pmu(c, PmuUserAccess.None));
        Add(t, "PMINTENCLR_EL1", 3, 0, 9, 14, 2, c => c.Pmu.InterruptEnables, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.InterruptEnable, v, set: false),
            static (c, _) => SystemRegisterTraps.Pmu(c, PmuUserAccess.None));
        AddPmu(t, "PMOVSSET_EL0", 9, 14, 3, c => c.Pmu.Overflows, (c, v) => c.Pmu.WriteSetClear(PmuSetClear.Overflow, v, set: true));
        for (int i = 0; i < PerformanceMonitors.EventCounters; i++)
        {
            int n = i;
            // PMEVCNTR<n>_EL0: CRm = 0b10:n<4:3>, op2 = n<2:0>; PMEVTYPER<n>_EL0: CRm = 0b11:n<4:3>.
            AddPmu(t, $"PMEVCNTR{n}_EL0", 14, 8 | (n >> 3), n & 7, c => c.Pmu.ReadCounter(n), (c, v) => c.Pmu.WriteCounter(n, v),
                (c, w) => SystemRegisterTraps.Then(SystemRegisterTraps.Pmu(c, w ? en : en | PmuUserAccess.EventCounterRead), Reserved(c, n)));
            AddPmu(t, $"PMEVTYPER{n}_EL0", 14, 12 | (n >> 3), n & 7, c => c.Pmu.ReadType(n), (c, v) => c.Pmu.WriteType(n, v),
                (c, w) => SystemRegisterTraps.Then(SystemRegisterTraps.Pmu(c, en), Reserved(c, n)));
        }
        AddPmu(t, "PMCCFILTR_EL0", 14, 15, 7, c => c.Pmu.ReadType(PerformanceMonitors.CycleCounter),
            (c, v) => c.Pmu.WriteType(PerformanceMonitors.CycleCounter, v));
    }

    // An EL0-accessible PMU register (op0 = 3, op1 = 3); the check defaults to PMUSERENR_EL0.EN and the EL2/EL3 traps.
    private static void AddPmu(SystemRegisterTable t, string name, int crn, int crm, int op2, Func<Cpu, ulong>? read,
        Action<Cpu, ulong>? write, Func<Cpu, bool, SystemRegisterAccess>? check = null) =>
        Add(t, name, 3, 3, crn, crm, op2, read, write, check ?? (static (c, _) => SystemRegisterTraps.Pmu(c, PmuUserAccess.Enable)));

    // An event counter that MDCR_EL2.HPMN reserves for EL2, accessed from EL0 or EL1: CONSTRAINED UNPREDICTABLE, here
    // UNDEFINED.
    private static SystemRegisterAccess Reserved(Cpu c, int n) =>
        (c.Pmu.Accessible & (1u << n)) == 0 ? SystemRegisterAccess.Undefined : Allowed;

    private static SystemRegisterAccess SelectedCounter(Cpu c, bool allowCycle)
    {
        int sel = (int)c.Pmu.Select;
        if (sel == PerformanceMonitors.CycleCounter) return allowCycle ? Allowed : SystemRegisterAccess.Undefined;
        return sel < PerformanceMonitors.EventCounters ? Reserved(c, sel) : SystemRegisterAccess.Undefined;
    }
}
