namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    /// <summary>
    /// ID_AA64PFR0_EL1 (D17.2.64): the model's value with EL0 = 2 (AArch64 and AArch32), EL1 = 2 when the model's
    /// EL1 implements AArch32 (Cortex-A57 and A53 do: HCR_EL2.RW = 0 runs an AArch32 EL1) else 1, EL2 and EL3 = 1
    /// (AArch64 only: an AArch32 EL2 or EL3 is not modelled) for implemented ELs and 0 otherwise, FP and AdvSIMD = 0
    /// (implemented, with no half-precision arithmetic), and GIC = 0 (no GIC system register interface).
    /// </summary>
    internal static ulong IdAa64Pfr0(Cpu cpu)
    {
        ulong v = cpu.Configuration.Model.IdAa64Pfr0 & ~0x0FFF_FFFFUL;
        v |= cpu.Configuration.Model.HasAarch32El1 ? 0x22UL : 0x12UL;
        if (cpu.Configuration.HasEl2) v |= 1UL << 8;
        if (cpu.Configuration.HasEl3) v |= 1UL << 12;
        return v;
    }

    /// <summary>
    /// ID_AA64DFR0_EL1 (D17.2.60): the model's value, PMUVer = 1 (PMUv3 for Armv8.0) as Cortex-A57/A53 report, or 0
    /// when the CPU is configured without its PMU.
    /// </summary>
    internal static ulong IdAa64Dfr0(Cpu cpu) =>
        cpu.Configuration.HasPmu ? cpu.Configuration.Model.IdAa64Dfr0 : cpu.Configuration.Model.IdAa64Dfr0 & ~(0xFUL << 8);

    /// <summary>ID_PFR1 (G8.2.93): the model's value, with Security (bits 7..4) = 0 when EL3 is not implemented (as QEMU).</summary>
    internal static ulong IdPfr1(Cpu cpu) =>
        cpu.Configuration.HasEl3 ? cpu.Configuration.Model.Aarch32.Pfr1 : cpu.Configuration.Model.Aarch32.Pfr1 & ~0xF0UL;

    /// <summary>ID_DFR0 (G8.2.67): the model's value, with CopSDbg (bits 7..4, Secure debug) = 0 without EL3 (as QEMU).</summary>
    internal static ulong IdDfr0(Cpu cpu) =>
        cpu.Configuration.HasEl3 ? cpu.Configuration.Model.Aarch32.Dfr0 : cpu.Configuration.Model.Aarch32.Dfr0 & ~0xF0UL;

    /// <summary>Number of breakpoints ID_AA64DFR0_EL1.BRPs advertises.</summary>
    internal static int BreakpointCount(Cpu cpu) => (int)((IdAa64Dfr0(cpu) >> 12) & 0xF) + 1;

    /// <summary>Number of watchpoints ID_AA64DFR0_EL1.WRPs advertises.</summary>
    internal static int WatchpointCount(Cpu cpu) => (int)((IdAa64Dfr0(cpu) >> 20) & 0xF) + 1;

    /// <summary>MPIDR_EL1: RES1 bit 31, U = 0 (multiprocessor system), MT = 0, Aff0 (and Aff1..) from the CPU index.</summary>
    internal static ulong PhysicalMpidr(Cpu cpu)
    {
        ulong index = (ulong)(uint)cpu.Configuration.Index;
        return (1UL << 31) | (index & 0xFF) | (((index >> 8) & 0xFF) << 8) | (((index >> 16) & 0xFF) << 16);
    }

    // CLIDR_EL1 and CCSIDR_EL1 per CSSELR_EL1 (Level:InD) for the cores modelled, from their TRMs (the values
    // QEMU reports): L1 I + D separate, L2 unified, LoUU = 1, LoC = 2, LoUIS = 1.
    private const ulong CortexClidr = 0x0A20_0023;

    private static ulong Ccsidr(Cpu cpu)
    {
        if (cpu.Configuration.Model.Ccsidr is { } given) return (cpu.Sys.Csselr & 0xF) is var l and < 3 ? given[(int)l] : 0;
        bool a53 = ((cpu.Configuration.Model.Midr >> 4) & 0xFFF) == 0xD03;
        return (cpu.Sys.Csselr & 0xF) switch
        {
            0 => a53 ? 0x700F_E01AUL : 0x701F_E00AUL, // L1 data, 32 KiB
            1 => a53 ? 0x201F_E00AUL : 0x201F_E012UL, // L1 instruction, 32 / 48 KiB
            2 => a53 ? 0x707F_E07AUL : 0x70FF_E07AUL, // L2 unified, 1 / 2 MiB
            _ => 0, // no such cache: CCSIDR_EL1 is UNKNOWN
        };
    }

    // C5.3 / D17.2 identification registers. The ID space op0=3, op1=0, CRn=0, CRm=1..7 is fully allocated:
    // unused encodings there are RAZ (D17.1.3 "Reserved encodings ... ID registers"), and the AArch32 ID
    // registers are the model's (<see cref="Aarch32Identification"/>: AArch32 is implemented at EL0). All of it is
    // trapped by HCR_EL2.TID3.
    private static void AddIdentification(Cpu cpu, SystemRegisterTable t)
    {
        var model = cpu.Configuration.Model;
        var a32 = model.Aarch32;
        // EL1 reads of MIDR/MPIDR return VPIDR_EL2/VMPIDR_EL2 when EL2 is enabled (D17.2.97, D17.2.100).
        Add(t, "MIDR_EL1", 3, 0, 0, 0, 0, c => c.State.EL == 1 && c.IsEl2Enabled ? c.Sys.Vpidr : c.Sys.Midr, null);
        Add(t, "MPIDR_EL1", 3, 0, 0, 0, 5, c => c.State.EL == 1 && c.IsEl2Enabled ? c.Sys.Vmpidr : c.Sys.Mpidr, null);
        Add(t, "REVIDR_EL1", 3, 0, 0, 0, 6, c => c.Configuration.Model.Revidr, null, SystemRegisterTraps.IdGroup1);
        Add(t, "AIDR_EL1", 3, 1, 0, 0, 7, _ => 0, null, SystemRegisterTraps.IdGroup1);
        Add(t, "CCSIDR_EL1", 3, 1, 0, 0, 0, Ccsidr, null, SystemRegisterTraps.IdGroup2);
        Add(t, "CLIDR_EL1", 3, 1, 0, 0, 1, _ => CortexClidr, null, SystemRegisterTraps.IdGroup2);
        Add(t, "CSSELR_EL1", 3, 2, 0, 0, 0, c => c.Sys.Csselr, (c, v) => c.Sys.Csselr = v & 0xF, SystemRegisterTraps.IdGroup2);
        Add(t, "CTR_EL0", 3, 3, 0, 0, 1, c => c.Configuration.Model.Ctr, null, SystemRegisterTraps.Ctr);
        Add(t, "DCZID_EL0", 3, 3, 0, 0, 7, c => (c.Configuration.Model.Dczid & 0xF) | (DcZvaProhibited(c) ? 1UL << 4 : 0), null);

        var named = new Dictionary<(int crm, int op2), (string name, ulong value)>
        {
            [(1, 0)] = ("ID_PFR0_EL1", a32.Pfr0), [(1, 1)] = ("ID_PFR1_EL1", IdPfr1(cpu)), [(1, 2)] = ("ID_DFR0_EL1", IdDfr0(cpu)),
            [(1, 3)] = ("ID_AFR0_EL1", 0), [(1, 4)] = ("ID_MMFR0_EL1", a32.Mmfr0), [(1, 5)] = ("ID_MMFR1_EL1", a32.Mmfr1),
            [(1, 6)] = ("ID_MMFR2_EL1", a32.Mmfr2), [(1, 7)] = ("ID_MMFR3_EL1", a32.Mmfr3),
            [(2, 0)] = ("ID_ISAR0_EL1", a32.Isar0), [(2, 1)] = ("ID_ISAR1_EL1", a32.Isar1), [(2, 2)] = ("ID_ISAR2_EL1", a32.Isar2),
            [(2, 3)] = ("ID_ISAR3_EL1", a32.Isar3), [(2, 4)] = ("ID_ISAR4_EL1", a32.Isar4), [(2, 5)] = ("ID_ISAR5_EL1", a32.Isar5),
            [(2, 6)] = ("ID_MMFR4_EL1", a32.Mmfr4), [(2, 7)] = ("ID_ISAR6_EL1", 0),
            [(3, 0)] = ("MVFR0_EL1", a32.Mvfr0), [(3, 1)] = ("MVFR1_EL1", a32.Mvfr1), [(3, 2)] = ("MVFR2_EL1", a32.Mvfr2),
            [(3, 4)] = ("ID_PFR2_EL1", 0), [(3, 5)] = ("ID_DFR1_EL1", 0), [(3, 6)] = ("ID_MMFR5_EL1", 0),
            [(4, 0)] = ("ID_AA64PFR0_EL1", IdAa64Pfr0(cpu)), [(4, 1)] = ("ID_AA64PFR1_EL1", 0),
            [(4, 4)] = ("ID_AA64ZFR0_EL1", 0),
            [(5, 0)] = ("ID_AA64DFR0_EL1", IdAa64Dfr0(cpu)), [(5, 1)] = ("ID_AA64DFR1_EL1", 0),
            [(5, 4)] = ("ID_AA64AFR0_EL1", 0), [(5, 5)] = ("ID_AA64AFR1_EL1", 0),
            [(6, 0)] = ("ID_AA64ISAR0_EL1", model.IdAa64Isar0), [(6, 1)] = ("ID_AA64ISAR1_EL1", model.IdAa64Isar1),
            [(6, 2)] = ("ID_AA64ISAR2_EL1", 0),
            [(7, 0)] = ("ID_AA64MMFR0_EL1", model.IdAa64Mmfr0), [(7, 1)] = ("ID_AA64MMFR1_EL1", model.IdAa64Mmfr1),
            [(7, 2)] = ("ID_AA64MMFR2_EL1", model.IdAa64Mmfr2),
        };
        for (int crm = 1; crm <= 7; crm++)
        {
            for (int op2 = 0; op2 < 8; op2++)
            {
                var (name, value) = named.TryGetValue((crm, op2), out var n) ? n : ($"S3_0_C0_C{crm}_{op2}", 0UL);
                Add(t, name, 3, 0, 0, crm, op2, _ => value, null, SystemRegisterTraps.IdGroup3);
            }
        }
    }

    /// <summary>DCZID_EL0.DZP: DC ZVA at the current EL would be trapped (SCTLR_EL1.DZE at EL0, HCR_EL2.TDZ).</summary>
    internal static bool DcZvaProhibited(Cpu c) =>
        (c.State.EL == 0 && (c.Sys.Sctlr[1] & SctlrEl1.Dze) == 0)
        || (c.State.EL <= 1 && (c.EffectiveHcr & HcrEl2.Tdz) != 0);
}
