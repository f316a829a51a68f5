namespace ArmVirt.Mmu;

/// <summary>
/// The AArch64 TLB maintenance operations (Arm ARM C5.5 "A64 system instructions for TLB maintenance"). The Inner
/// Shareable (…IS) and Outer Shareable (…OS) forms map to the same local operation here; broadcasting them to the
/// other PEs is the SMP machinery's job.
/// </summary>
internal enum TlbiOperation : byte
{
    /// <summary>TLBI VMALLE1: all EL1&amp;0 stage 1 entries of the current VMID.</summary>
    Vmalle1,
    /// <summary>TLBI VMALLS12E1: all EL1&amp;0 stage 1 and stage 2 entries of the current VMID.</summary>
    Vmalls12e1,
    /// <summary>TLBI ALLE1: all EL1&amp;0 entries of every VMID.</summary>
    Alle1,
    /// <summary>TLBI ASIDE1: non-global EL1&amp;0 entries of the current VMID with ASID Xt[63:48].</summary>
    Aside1,
    /// <summary>TLBI VAE1: EL1&amp;0 entries of the current VMID for VA Xt[43:0] and ASID Xt[63:48], plus global ones.</summary>
    Vae1,
    /// <summary>TLBI VALE1: as <see cref="Vae1"/>, last level only (we invalidate every level, which is allowed).</summary>
    Vale1,
    /// <summary>TLBI VAAE1: EL1&amp;0 entries of the current VMID for VA Xt[43:0], any ASID.</summary>
    Vaae1,
    /// <summary>TLBI VAALE1: as <see cref="Vaae1"/>, last level only.</summary>
    Vaale1,
    /// <summary>TLBI IPAS2E1: stage 2 entries of the current VMID for IPA Xt[35:0] &lt;&lt; 12.</summary>
    Ipas2e1,
    /// <summary>TLBI IPAS2LE1: as <see cref="Ipas2e1"/>, last level only.</summary>
    Ipas2le1,
    /// <summary>TLBI ALLE2: all EL2 entries.</summary>
    Alle2,
    /// <summary>TLBI VAE2: EL2 entries for VA Xt[43:0].</summary>
    Vae2,
    /// <summary>TLBI VALE2: as <see cref="Vae2"/>, last level only.</summary>
    Vale2,
    /// <summary>TLBI ALLE3: all EL3 entries.</summary>
    Alle3,
    /// <summary>TLBI VAE3: EL3 entries for VA Xt[43:0].</summary>
    Vae3,
    /// <summary>TLBI VALE3: as <see cref="Vae3"/>, last level only.</summary>
    Vale3,
}
