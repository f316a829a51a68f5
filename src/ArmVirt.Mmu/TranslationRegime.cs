namespace ArmVirt.Mmu;

/// <summary>
/// A VMSAv8-64 translation regime (Arm ARM D8.1.2). EL2&amp;0 (FEAT_VHE) is not modelled: none of the CPU
/// models advertise it.
/// </summary>
internal enum TranslationRegime : byte
{
    /// <summary>Non-secure EL1&amp;0: stage 1 controlled from EL1 (two VA ranges, ASIDs), optional stage 2 from EL2.</summary>
    EL10 = 0,
    /// <summary>EL2: one stage, one VA range (TTBR0_EL2), no ASID.</summary>
    EL2 = 1,
    /// <summary>EL3: one stage, one VA range (TTBR0_EL3), no ASID, Secure.</summary>
    EL3 = 2,
}
