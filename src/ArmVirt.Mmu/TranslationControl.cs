namespace ArmVirt.Mmu;

/// <summary>
/// A snapshot of the system registers and PE state one translation depends on, built by the CPU for the regime
/// of the access (AArch64.GetS1TTWParams / AArch64.GetS2TTWParams read the same registers). For the EL1&amp;0 regime
/// the CPU fills SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1 plus HCR_EL2, VTCR_EL2, VTTBR_EL2; for EL2 and EL3
/// SCTLR/TCR/TTBR0/MAIR of that EL (TTBR1 unused). Register fields are decoded here so the walkers stay small.
/// </summary>
/// <remarks>
/// Not modelled (no CPU model advertises them): FEAT_VHE (E2H), FEAT_HAFDBS (TCR.HA/HD are ignored, descriptors
/// are never updated), FEAT_HPDS, FEAT_LPA/LPA2 (52-bit addresses), FEAT_TTST (TxSZ above 39), 16-bit VMIDs,
/// big-endian walks (SCTLR.EE), Secure EL1&amp;0.
/// </remarks>
internal readonly struct TranslationControl
{
    /// <summary>The translation regime of the access.</summary>
    public TranslationRegime Regime { get; init; }

    /// <summary>The current exception level (0-3). Decides privileged vs unprivileged checks and PAN.</summary>
    public int El { get; init; }

    /// <summary>SCTLR_ELx of the regime (M bit 0, C bit 2, I bit 12, WXN bit 19, EE bit 25).</summary>
    public ulong Sctlr { get; init; }

    /// <summary>TCR_ELx of the regime.</summary>
    public ulong Tcr { get; init; }

    /// <summary>TTBR0_ELx of the regime.</summary>
    public ulong Ttbr0 { get; init; }

    /// <summary>TTBR1_EL1 (EL1&amp;0 regime only).</summary>
    public ulong Ttbr1 { get; init; }

    /// <summary>MAIR_ELx of the regime.</summary>
    public ulong Mair { get; init; }

    /// <summary>True when EL2 is implemented and enabled in the current Security state (non-secure EL1&amp;0).</summary>
    public bool El2Enabled { get; init; }

    /// <summary>HCR_EL2 (VM bit 0, PTW bit 2, DC bit 12, TGE bit 27). Only read when <see cref="El2Enabled"/>.</summary>
    public ulong Hcr { get; init; }

    /// <summary>VTCR_EL2 (T0SZ, SL0, IRGN0/ORGN0/SH0, TG0, PS).</summary>
    public ulong Vtcr { get; init; }

    /// <summary>VTTBR_EL2 (BADDR, VMID in bits [55:48]).</summary>
    public ulong Vttbr { get; init; }

    /// <summary>
    /// EL1 is AArch32 (HCR_EL2.RW = 0 under an AArch64 EL2): the EL1&amp;0 stage 1 is VMSAv8-32, walked by
    /// <see cref="Aarch32Stage1Walker"/>: <see cref="Sctlr"/> holds the AArch32 SCTLR, <see cref="Tcr"/> TTBCR (and
    /// TTBCR2 above it), <see cref="Mair"/> PRRR/MAIR0 and NMRR/MAIR1, and <see cref="Dacr"/> and <see cref="ContextIdr"/> count.
    /// </summary>
    public bool Aarch32 { get; init; }

    /// <summary>
    /// EL2 is AArch32 (Hyp mode of an AArch32-only PE): the EL2 regime's stage 1 (HTTBR/HTCR) and stage 2 (VTTBR/VTCR)
    /// use the VMSAv8-32 long-descriptor format, which TCR_EL2/VTCR_EL2 describe (the CP15 views convert HTCR and VTCR)
    /// except that the initial table's alignment has no 64-byte minimum.
    /// </summary>
    public bool El2Aarch32 { get; init; }

    /// <summary>DACR (DACR32_EL2) of an AArch32 EL1: the 16 domains' access controls of the short-descriptor format.</summary>
    public uint Dacr { get; init; }

    /// <summary>CONTEXTIDR of an AArch32 EL1: its bits 7..0 are the ASID of the short-descriptor format.</summary>
    public uint ContextIdr { get; init; }

    /// <summary>TTBCR.EAE of an AArch32 EL1: the long-descriptor (LPAE) format.</summary>
    public bool LongDescriptors => (Tcr & (1UL << 31)) != 0;

    /// <summary>PSTATE.PAN.</summary>
    public bool Pan { get; init; }

    /// <summary>ID_AA64MMFR0_EL1 of the CPU model: PARange [3:0], ASIDBits [7:4], TGran16 [23:20], TGran64 [27:24], TGran4 [31:28].</summary>
    public ulong IdAa64Mmfr0 { get; init; }

    /// <summary>PAMax: the implemented physical address size in bits from ID_AA64MMFR0_EL1.PARange.</summary>
    public int PaBits => DecodePhysicalSize((uint)(IdAa64Mmfr0 & 0xF), 48);

    /// <summary>Decodes a PARange / IPS / PS encoding (000 32 bits ... 101 48 bits, 110 52 bits), capped at <paramref name="max"/>.</summary>
    public static int DecodePhysicalSize(uint encoding, int max)
    {
        int bits = encoding switch { 0 => 32, 1 => 36, 2 => 40, 3 => 42, 4 => 44, 5 => 48, _ => 52 };
        return Math.Min(bits, max);
    }

    /// <summary>SCTLR_ELx.M, ignoring HCR_EL2.DC/TGE.</summary>
    public bool SctlrM => (Sctlr & 1) != 0;

    /// <summary>
    /// The Secure PL1&amp;0 regime of an AArch32 EL3 (Secure PL1 modes and Secure User mode): the EL1&amp;0 walk
    /// (<see cref="Regime"/> EL10, no stage 2) with the Secure banks of the CP15 registers; its TLB entries are tagged apart
    /// from the Non-secure ones (<see cref="TlbContext"/>) and the descriptors' NS bits give the output's security.
    /// </summary>
    public bool Secure { get; init; }

    /// <summary>HCR_EL2.DC in effect for the EL1&amp;0 regime.</summary>
    public bool DefaultCacheable => Regime == TranslationRegime.EL10 && El2Enabled && (Hcr & (1UL << 12)) != 0;

    /// <summary>
    /// AArch64.S1Enabled: SCTLR_ELx.M, and for EL1&amp;0 not overridden by HCR_EL2.DC or HCR_EL2.TGE.
    /// </summary>
    public bool Stage1Enabled => Regime == TranslationRegime.EL10
        ? SctlrM && !(El2Enabled && (Hcr & ((1UL << 12) | (1UL << 27))) != 0)
        : SctlrM;

    /// <summary>AArch64.S2Enabled: EL1&amp;0 with EL2 enabled and HCR_EL2.VM or HCR_EL2.DC set.</summary>
    public bool Stage2Enabled => Regime == TranslationRegime.EL10 && El2Enabled && (Hcr & ((1UL << 0) | (1UL << 12))) != 0;

    /// <summary>HCR_EL2.PTW: a stage 1 walk that stage 2 maps to Device memory takes a stage 2 Permission fault.</summary>
    public bool ProtectedTableWalk => (Hcr & (1UL << 2)) != 0;

    /// <summary>SCTLR_ELx.WXN.</summary>
    public bool Wxn => (Sctlr & (1UL << 19)) != 0;

    /// <summary>SCTLR_ELx.I (instruction cacheability with stage 1 disabled).</summary>
    public bool InstructionCacheEnabled => (Sctlr & (1UL << 12)) != 0;

    /// <summary>
    /// The ASID the regime's stage 1 uses: TTBR1_EL1 or TTBR0_EL1 [63:48] per TCR_EL1.A1, 16 bits when TCR_EL1.AS is
    /// set and ID_AA64MMFR0_EL1.ASIDBits advertises 16-bit ASIDs, else 8 bits. Zero outside EL1&amp;0.
    /// </summary>
    public ushort Asid
    {
        get
        {
            if (Regime != TranslationRegime.EL10) return 0;
            if (Aarch32 && !LongDescriptors) return (ushort)(ContextIdr & 0xFF);
            ulong ttbr = (Tcr & (1UL << 22)) != 0 ? Ttbr1 : Ttbr0;
            bool as16 = (Tcr & (1UL << 36)) != 0 && ((IdAa64Mmfr0 >> 4) & 0xF) == 2;
            return (ushort)((ttbr >> 48) & (as16 ? 0xFFFFu : 0xFFu));
        }
    }

    /// <summary>The VMID (VTTBR_EL2[55:48]) tagging EL1&amp;0 translations when EL2 is enabled; else 0.</summary>
    public ushort Vmid => Regime == TranslationRegime.EL10 && El2Enabled ? (ushort)((Vttbr >> 48) & 0xFF) : (ushort)0;

    /// <summary>True when the granule is implemented according to ID_AA64MMFR0_EL1.TGran4/16/64.</summary>
    public bool GranuleSupported(TranslationGranule g) => g switch
    {
        TranslationGranule.Size4K => ((IdAa64Mmfr0 >> 28) & 0xF) != 0xF,
        TranslationGranule.Size64K => ((IdAa64Mmfr0 >> 24) & 0xF) != 0xF,
        _ => ((IdAa64Mmfr0 >> 20) & 0xF) != 0,
    };

    /// <summary>
    /// Decodes a TG field (TG0 encoding when <paramref name="tg1"/> is false, TG1 otherwise). A reserved or
    /// unimplemented size behaves as an implemented one (4 KiB, else 64 KiB), as the Arm ARM permits.
    /// </summary>
    internal TranslationGranule DecodeGranule(uint tg, bool tg1)
    {
        TranslationGranule g = tg1
            ? tg switch { 1 => TranslationGranule.Size16K, 2 => TranslationGranule.Size4K, 3 => TranslationGranule.Size64K, _ => TranslationGranule.Size4K }
            : tg switch { 0 => TranslationGranule.Size4K, 1 => TranslationGranule.Size64K, 2 => TranslationGranule.Size16K, _ => TranslationGranule.Size4K };
        if (GranuleSupported(g)) return g;
        return GranuleSupported(TranslationGranule.Size4K) ? TranslationGranule.Size4K : TranslationGranule.Size64K;
    }

    /// <summary>
    /// The TLB context key of translations made under this control: regime, VMID, ASID and whether each stage is
    /// enabled (so flipping SCTLR.M or HCR_EL2.VM never hits a stale entry). See <see cref="Tlb"/>.
    /// </summary>
    public ulong TlbContext => Tlb.MakeContext(Regime, Vmid, Asid, Stage1Enabled, Stage2Enabled) | (Secure ? Tlb.SecureContext : 0);
}
