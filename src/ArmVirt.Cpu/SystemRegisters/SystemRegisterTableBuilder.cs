namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// Declares the architectural system registers and system instructions a <see cref="Cpu"/> implements
/// (Arm ARM D17 "AArch64 System Register Descriptions", C5.3 "A64 System instructions"). Registers of an EL the
/// CPU does not implement are not declared, so accessing them is UNDEFINED; so are the registers of an AArch32 EL1
/// (SPSR_irq/abt/und/fiq, DACR32_EL2, IFSR32_EL2, FPEXC32_EL2) when the model's EL1 does not implement AArch32. The
/// generic timer and FPCR/FPSR are declared by their own components.
/// </summary>
internal static partial class SystemRegisterTableBuilder
{
    private const SystemRegisterAccess Allowed = SystemRegisterAccess.Allowed;

    /// <summary>Adds every register to <paramref name="cpu"/>'s table.</summary>
    public static void Populate(Cpu cpu)
    {
        var t = cpu.SystemRegisters;
        AddSpecialPurpose(cpu, t);
        AddEl1(cpu, t);
        AddIdentification(cpu, t);
        AddDebug(cpu, t);
        if (cpu.Configuration.HasPmu) AddPmu(t);
        AddImplementationDefined(t);
        if (cpu.Configuration.HasEl2) AddEl2(cpu, t);
        if (cpu.Configuration.HasEl3) AddEl3(cpu, t);
        AddSystemInstructions(cpu, t);
    }

    private static void Add(SystemRegisterTable t, string name, int op0, int op1, int crn, int crm, int op2,
        Func<Cpu, ulong>? read, Action<Cpu, ulong>? write, Func<Cpu, bool, SystemRegisterAccess>? check = null) =>
        t.Add(new SystemRegister(name, op0, op1, crn, crm, op2, read, write, check, MinElForOp1(op1))
        {
            ChangesTranslation = TranslationRegisters.Contains(name),
        });

    // The registers Cpu.TranslationControlFor, TranslationEnabled and IsEl2Enabled read, and PAN (PSTATE.PAN is also
    // compared on every use of the cached regime): an MSR to one of them drops the cached regime
    // (SystemRegister.ChangesTranslation). SystemRegisterTests checks that no other register's write changes them.
    internal static readonly HashSet<string> TranslationRegisters =
    [
        "SCTLR_EL1", "SCTLR_EL2", "SCTLR_EL3", "TCR_EL1", "TCR_EL2", "TCR_EL3", "TTBR0_EL1", "TTBR1_EL1", "TTBR0_EL2",
        "TTBR0_EL3", "MAIR_EL1", "MAIR_EL2", "MAIR_EL3", "HCR_EL2", "VTCR_EL2", "VTTBR_EL2", "SCR_EL3", "PAN",
        // An AArch32 EL1's short-descriptor regime also reads DACR and CONTEXTIDR (its ASID).
        "CONTEXTIDR_EL1", "DACR32_EL2",
    ];

    /// <summary>The lowest EL that may access an encoding with this op1 (AArch64.CheckSystemAccess).</summary>
    public static int MinElForOp1(int op1) => op1 switch { 3 => 0, 4 or 5 => 2, 6 => 3, _ => 1 };

    // SPSR_ELx as written by MSR: the PSTATE fields this CPU has (GetPSRFromPSTATE) in the format M[4] selects, AArch64
    // or AArch32 (N Z C V Q, IT, PAN, SS, IL, GE, E, A I F, T, M: the AArch32 fields of an exception from EL0).
    internal static ulong SpsrMask(Cpu cpu) =>
        0xF000_0000UL | (cpu.HasPan ? 1UL << 22 : 0) | (1UL << 21) | (1UL << 20) | 0x3C0UL | 0x1FUL;

    internal static ulong SpsrMask(Cpu cpu, ulong value) => (value & 0x10) == 0
        ? SpsrMask(cpu)
        : SpsrMask(cpu) | (1UL << 27) | (3UL << 25) | (0xFUL << 16) | 0xFE00UL | 0x3FFUL;

    // C5.2 "Special-purpose registers": PSTATE fields, stack pointers, ELR/SPSR.
    private static void AddSpecialPurpose(Cpu cpu, SystemRegisterTable t)
    {
        Add(t, "NZCV", 3, 3, 4, 2, 0, c => c.State.Nzcv & 0xF000_0000u, (c, v) => c.State.Nzcv = (uint)v & 0xF000_0000u);
        Add(t, "DAIF", 3, 3, 4, 2, 1, c => c.State.Daif & 0x3C0u, (c, v) => c.State.Daif = (uint)v & 0x3C0u,
            static (c, _) => SystemRegisterTraps.SctlrEl0(c, SctlrEl1.Uma));
        Add(t, "SPSel", 3, 0, 4, 2, 0, c => (ulong)c.State.SpSel, (c, v) => c.SetElAndSpSel(c.State.EL, (int)(v & 1)));
        Add(t, "CurrentEL", 3, 0, 4, 2, 2, c => (ulong)c.State.EL << 2, null);
        if (cpu.HasPan)
            Add(t, "PAN", 3, 0, 4, 2, 3, c => c.State.Pan ? 1UL << 22 : 0, (c, v) => c.State.Pan = (v & (1UL << 22)) != 0);
        // SP_EL0 is UNDEFINED while it is the selected stack pointer (PSTATE.SP == 0).
        Add(t, "SP_EL0", 3, 0, 4, 1, 0, c => c.GetSpEl(0), (c, v) => c.SetSpEl(0, v),
            static (c, _) => c.State.SpSel == 0 ? SystemRegisterAccess.Undefined : Allowed);
        Add(t, "SPSR_EL1", 3, 0, 4, 0, 0, c => c.Sys.Spsr[1], (c, v) => c.Sys.Spsr[1] = v & SpsrMask(c, v));
        Add(t, "ELR_EL1", 3, 0, 4, 0, 1, c => c.Sys.Elr[1], (c, v) => c.Sys.Elr[1] = v);
        Add(t, "ISR_EL1", 3, 0, 12, 1, 0, InterruptStatus, null);
    }

    // ISR_EL1 (Arm ARM D17.2.81): A, I, F pending bits. At EL0/EL1 with HCR_EL2.{AMO,IMO,FMO} set (and TGE clear)
    // they show the virtual interrupts; otherwise the physical ones.
    private static ulong InterruptStatus(Cpu c)
    {
        ulong hcr = c.EffectiveHcr;
        bool guest = c.State.EL <= 1 && (hcr & HcrEl2.Tge) == 0;
        bool a = guest && (hcr & HcrEl2.Amo) != 0 ? (hcr & HcrEl2.Vse) != 0 : c.SError.IsAsserted;
        bool i = guest && (hcr & HcrEl2.Imo) != 0 ? (hcr & HcrEl2.Vi) != 0 || c.VirtualIrq.IsAsserted : c.Irq.IsAsserted;
        bool f = guest && (hcr & HcrEl2.Fmo) != 0 ? (hcr & HcrEl2.Vf) != 0 || c.VirtualFiq.IsAsserted : c.Fiq.IsAsserted;
        return (a ? 1UL << 8 : 0) | (i ? 1UL << 7 : 0) | (f ? 1UL << 6 : 0);
    }
}
