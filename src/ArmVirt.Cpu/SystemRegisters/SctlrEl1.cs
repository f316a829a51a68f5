namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>SCTLR_EL1 bits (Arm ARM D17.2.118 "SCTLR_EL1, System Control Register (EL1)"), Armv8.0 and PAN.</summary>
internal static class SctlrEl1
{
    /// <summary>M: stage 1 MMU enable.</summary>
    public const ulong M = 1UL << 0;
    /// <summary>A: alignment check enable.</summary>
    public const ulong A = 1UL << 1;
    /// <summary>C: data cacheability.</summary>
    public const ulong C = 1UL << 2;
    /// <summary>SA: SP alignment check at EL1.</summary>
    public const ulong Sa = 1UL << 3;
    /// <summary>SA0: SP alignment check at EL0.</summary>
    public const ulong Sa0 = 1UL << 4;
    /// <summary>UMA: EL0 access to DAIF.</summary>
    public const ulong Uma = 1UL << 9;
    /// <summary>CP15BEN: the AArch32 CP15DMB, CP15DSB and CP15ISB barrier operations are enabled at EL0.</summary>
    public const ulong Cp15ben = 1UL << 5;
    /// <summary>ITD: IT instruction disable at AArch32 EL0 (T32).</summary>
    public const ulong Itd = 1UL << 7;
    /// <summary>SED: SETEND instruction disable at AArch32 EL0.</summary>
    public const ulong Sed = 1UL << 8;
    /// <summary>I: instruction cacheability.</summary>
    public const ulong I = 1UL << 12;
    /// <summary>DZE: EL0 may execute DC ZVA.</summary>
    public const ulong Dze = 1UL << 14;
    /// <summary>UCT: EL0 access to CTR_EL0.</summary>
    public const ulong Uct = 1UL << 15;
    /// <summary>nTWI: WFI at EL0 is not trapped.</summary>
    public const ulong NTwi = 1UL << 16;
    /// <summary>nTWE: WFE at EL0 is not trapped.</summary>
    public const ulong NTwe = 1UL << 18;
    /// <summary>WXN: write permission implies XN.</summary>
    public const ulong Wxn = 1UL << 19;
    /// <summary>SPAN: do not set PSTATE.PAN on exception entry to EL1 (FEAT_PAN; RES1 otherwise).</summary>
    public const ulong Span = 1UL << 23;
    /// <summary>E0E: EL0 data endianness.</summary>
    public const ulong E0E = 1UL << 24;
    /// <summary>EE: EL1 data and table walk endianness.</summary>
    public const ulong Ee = 1UL << 25;
    /// <summary>UCI: EL0 cache maintenance by VA (DC CVAU/CVAC/CIVAC, IC IVAU).</summary>
    public const ulong Uci = 1UL << 26;
}
