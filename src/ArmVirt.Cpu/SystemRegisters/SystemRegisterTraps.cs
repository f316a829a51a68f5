namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// The trap controls shared by many registers, as access checks for <see cref="SystemRegister.Check"/>. Each
/// returns the first applicable outcome in the Arm ARM's priority order: traps to EL1 before traps to EL2
/// before traps to EL3 (D1.13.4 "Synchronous exception prioritization").
/// </summary>
internal static class SystemRegisterTraps
{
    private const ulong MdcrTdosa = 1UL << 10, MdcrTda = 1UL << 9, MdcrTdra = 1UL << 11, MdcrTde = 1UL << 8;
    private const ulong CptrTcpac = 1UL << 31;
    private const ulong MdscrTdcc = 1UL << 12;

    /// <summary>A trap by an HCR_EL2 bit that applies to accesses from EL1 only.</summary>
    public static SystemRegisterAccess HcrAtEl1(Cpu c, ulong bit) =>
        c.State.EL == 1 && (c.EffectiveHcr & bit) != 0 ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.Allowed;

    /// <summary>A trap by an HCR_EL2 bit that applies to accesses from EL0 and EL1.</summary>
    public static SystemRegisterAccess HcrAtEl0Or1(Cpu c, ulong bit) =>
        c.State.EL <= 1 && (c.EffectiveHcr & bit) != 0 ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.Allowed;

    /// <summary>An EL0 access allowed only when an SCTLR_EL1 bit is set, trapped to EL1 otherwise.</summary>
    public static SystemRegisterAccess SctlrEl0(Cpu c, ulong bit) =>
        c.State.EL == 0 && (c.Sys.Sctlr[1] & bit) == 0 ? SystemRegisterAccess.TrapToEl1 : SystemRegisterAccess.Allowed;

    /// <summary>The first of two outcomes that is not <see cref="SystemRegisterAccess.Allowed"/>.</summary>
    public static SystemRegisterAccess Then(SystemRegisterAccess first, SystemRegisterAccess second) =>
        first != SystemRegisterAccess.Allowed ? first : second;

    /// <summary>HCR_EL2.TVM (writes) / TRVM (reads) for the EL1 virtual memory control registers.</summary>
    public static SystemRegisterAccess VirtualMemoryControl(Cpu c, bool write) =>
        HcrAtEl1(c, write ? HcrEl2.Tvm : HcrEl2.Trvm);

    /// <summary>HCR_EL2.TID1: REVIDR_EL1, AIDR_EL1.</summary>
    public static SystemRegisterAccess IdGroup1(Cpu c, bool write) => HcrAtEl1(c, HcrEl2.Tid1);

    /// <summary>HCR_EL2.TID2: CCSIDR_EL1, CLIDR_EL1, CSSELR_EL1 (CTR_EL0 has its own check).</summary>
    public static SystemRegisterAccess IdGroup2(Cpu c, bool write) => HcrAtEl1(c, HcrEl2.Tid2);

    /// <summary>HCR_EL2.TID3: the ID registers at op0=3, op1=0, CRn=0, CRm=1..7.</summary>
    public static SystemRegisterAccess IdGroup3(Cpu c, bool write) => HcrAtEl1(c, HcrEl2.Tid3);

    /// <summary>CTR_EL0: SCTLR_EL1.UCT for EL0, then HCR_EL2.TID2 for EL0 and EL1.</summary>
    public static SystemRegisterAccess Ctr(Cpu c, bool write) =>
        Then(SctlrEl0(c, SctlrEl1.Uct), HcrAtEl0Or1(c, HcrEl2.Tid2));

    /// <summary>The IMPLEMENTATION DEFINED registers (op0 = 3, CRn = 11 or 15) from EL1: HCR_EL2.TIDCP.</summary>
    public static SystemRegisterAccess ImplementationDefined(Cpu c, bool write) => HcrAtEl1(c, HcrEl2.Tidcp);

    /// <summary>ACTLR_EL1: HCR_EL2.TACR.</summary>
    public static SystemRegisterAccess Actlr(Cpu c, bool write) => HcrAtEl1(c, HcrEl2.Tacr);

    /// <summary>CPACR_EL1: CPTR_EL2.TCPAC from EL1, then CPTR_EL3.TCPAC from EL1 and EL2.</summary>
    public static SystemRegisterAccess Cpacr(Cpu c, bool write)
    {
        if (c.State.EL == 1 && c.IsEl2Enabled && (c.Sys.Cptr[2] & CptrTcpac) != 0) return SystemRegisterAccess.TrapToEl2;
        return Cptr3(c);
    }

    /// <summary>CPTR_EL3.TCPAC for CPACR_EL1 and CPTR_EL2 below EL3.</summary>
    public static SystemRegisterAccess Cptr3(Cpu c) =>
        c.Configuration.HasEl3 && c.State.EL < 3 && (c.Sys.Cptr[3] & CptrTcpac) != 0
            ? SystemRegisterAccess.TrapToEl3 : SystemRegisterAccess.Allowed;

    /// <summary>Debug registers: MDCR_EL2.TDA/TDE (or HCR_EL2.TGE) from EL0/EL1, then MDCR_EL3.TDA below EL3.</summary>
    public static SystemRegisterAccess Debug(Cpu c, bool write) => DebugTrap(c, MdcrTda);

    /// <summary>OS lock and power registers: MDCR_EL2.TDOSA/TDE (or HCR_EL2.TGE), then MDCR_EL3.TDOSA.</summary>
    public static SystemRegisterAccess DebugOs(Cpu c, bool write) => DebugTrap(c, MdcrTdosa);

    /// <summary>MDRAR_EL1: MDCR_EL2.TDRA/TDE (HCR_EL2.TGE acts as TDE), then MDCR_EL3.TDA.</summary>
    public static SystemRegisterAccess DebugRom(Cpu c, bool write)
    {
        if (c.State.EL <= 1 && c.IsEl2Enabled && ((c.Sys.Mdcr[2] & (MdcrTdra | MdcrTde)) != 0 || (c.Sys.Hcr & HcrEl2.Tge) != 0))
            return SystemRegisterAccess.TrapToEl2;
        return c.Configuration.HasEl3 && c.State.EL < 3 && (c.Sys.Mdcr[3] & MdcrTda) != 0
            ? SystemRegisterAccess.TrapToEl3 : SystemRegisterAccess.Allowed;
    }

    /// <summary>MDCCSR_EL0: MDSCR_EL1.TDCC for EL0, then the debug traps.</summary>
    public static SystemRegisterAccess DebugComms(Cpu c, bool write) =>
        Then(c.State.EL == 0 && (c.Sys.Mdscr & MdscrTdcc) != 0 ? SystemRegisterAccess.TrapToEl1 : SystemRegisterAccess.Allowed,
            DebugTrap(c, MdcrTda));

    private const ulong MdcrTpm = 1UL << 6, MdcrTpmcr = 1UL << 5;

    /// <summary>
    /// Performance Monitors registers (the accessibility pseudocode of D17.5): at EL0 one of the PMUSERENR_EL0 bits in
    /// <paramref name="el0Allowed"/> (none: no EL0 gate) or a trap to EL1 (EL2 under HCR_EL2.TGE); then MDCR_EL2.TPM
    /// (and TPMCR for PMCR_EL0) from EL0 and EL1; then MDCR_EL3.TPM below EL3.
    /// </summary>
    public static SystemRegisterAccess Pmu(Cpu c, PmuUserAccess el0Allowed, bool pmcr = false)
    {
        if (c.State.EL == 0 && el0Allowed != PmuUserAccess.None && (c.Pmu.UserEnable & (ulong)el0Allowed) == 0)
            return c.SyncExceptionTargetEl == 2 ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.TrapToEl1;
        if (c.State.EL <= 1 && c.IsEl2Enabled && (c.Sys.Mdcr[2] & (MdcrTpm | (pmcr ? MdcrTpmcr : 0))) != 0)
            return SystemRegisterAccess.TrapToEl2;
        return c.Configuration.HasEl3 && c.State.EL < 3 && (c.Sys.Mdcr[3] & MdcrTpm) != 0
            ? SystemRegisterAccess.TrapToEl3 : SystemRegisterAccess.Allowed;
    }

    // MDCR_EL2.TDE makes TDA, TDOSA and TDRA behave as 1, and HCR_EL2.TGE makes TDE behave as 1 (other than for a
    // direct read of MDCR_EL2), as QEMU's access_tda/access_tdosa also check.
    private static SystemRegisterAccess DebugTrap(Cpu c, ulong bit)
    {
        if (c.State.EL <= 1 && c.IsEl2Enabled && ((c.Sys.Mdcr[2] & (bit | MdcrTde)) != 0 || (c.Sys.Hcr & HcrEl2.Tge) != 0))
            return SystemRegisterAccess.TrapToEl2;
        return c.Configuration.HasEl3 && c.State.EL < 3 && (c.Sys.Mdcr[3] & bit) != 0
            ? SystemRegisterAccess.TrapToEl3 : SystemRegisterAccess.Allowed;
    }
}

/// <summary>PMUSERENR_EL0 bits that allow an EL0 access to a PMU register (any one of those given suffices).</summary>
[Flags]
internal enum PmuUserAccess : ulong
{
    /// <summary>No EL0 gate (PMUSERENR_EL0 itself, the EL1 registers).</summary>
    None = 0,
    /// <summary>EN: every EL0-accessible PMU register.</summary>
    Enable = 1,
    /// <summary>SW: writes to PMSWINC_EL0.</summary>
    SoftwareIncrement = 2,
    /// <summary>CR: reads of PMCCNTR_EL0.</summary>
    CycleCounterRead = 4,
    /// <summary>ER: reads of the event counters and PMSELR_EL0 accesses.</summary>
    EventCounterRead = 8,
}
