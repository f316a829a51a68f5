namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>The Armv8.0 TLB maintenance instructions (Arm ARM C5.5 "A64 System instructions for TLB maintenance").</summary>
internal enum TlbiOperation
{
    /// <summary>TLBI VMALLE1(IS): all stage 1 EL1&amp;0 entries of the current VMID.</summary>
    VmallE1,
    /// <summary>TLBI VAE1(IS): by VA and ASID, EL1&amp;0, all levels.</summary>
    VaE1,
    /// <summary>TLBI ASIDE1(IS): by ASID, EL1&amp;0.</summary>
    AsidE1,
    /// <summary>TLBI VAAE1(IS): by VA, all ASIDs, EL1&amp;0.</summary>
    VaaE1,
    /// <summary>TLBI VALE1(IS): by VA and ASID, last level only.</summary>
    ValeE1,
    /// <summary>TLBI VAALE1(IS): by VA, all ASIDs, last level only.</summary>
    VaaleE1,
    /// <summary>TLBI IPAS2E1(IS): stage 2 entries by IPA, current VMID.</summary>
    Ipas2E1,
    /// <summary>TLBI IPAS2LE1(IS): stage 2 entries by IPA, last level only.</summary>
    Ipas2LE1,
    /// <summary>TLBI ALLE2(IS): all EL2 regime entries.</summary>
    AllE2,
    /// <summary>TLBI VAE2(IS): EL2 regime by VA.</summary>
    VaE2,
    /// <summary>TLBI VALE2(IS): EL2 regime by VA, last level only.</summary>
    ValeE2,
    /// <summary>TLBI ALLE1(IS): all EL1&amp;0 entries of every VMID, stage 1 and 2.</summary>
    AllE1,
    /// <summary>TLBI VMALLS12E1(IS): stage 1 and 2 EL1&amp;0 entries of the current VMID.</summary>
    VmallS12E1,
    /// <summary>TLBI ALLE3(IS): all EL3 regime entries.</summary>
    AllE3,
    /// <summary>TLBI VAE3(IS): EL3 regime by VA.</summary>
    VaE3,
    /// <summary>TLBI VALE3(IS): EL3 regime by VA, last level only.</summary>
    ValeE3,
}
