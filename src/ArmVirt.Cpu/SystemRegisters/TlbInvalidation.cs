namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>One executed TLBI instruction, for the MMU's TLB to apply.</summary>
/// <param name="Operation">Which invalidation.</param>
/// <param name="Address">
/// For by-VA operations the VA (Xt[43:0] = VA[55:12], sign-extended from bit 55); for IPAS2* the IPA
/// (Xt[35:0] = IPA[47:12]); otherwise 0. Always page aligned.
/// </param>
/// <param name="Asid">Xt[63:48] for operations that take an ASID, otherwise 0.</param>
/// <param name="Vmid">The VMID the operation applies to (VTTBR_EL2.VMID for EL1&amp;0 operations when EL2 is enabled), otherwise 0.</param>
/// <param name="Broadcast">True for the Inner Shareable (IS) forms, or when HCR_EL2.FB upgrades an EL1 operation.</param>
/// <param name="Operand">The raw Xt value.</param>
internal readonly record struct TlbInvalidation(TlbiOperation Operation, ulong Address, ushort Asid, ushort Vmid, bool Broadcast, ulong Operand)
{
    /// <summary>True for the last-level-only forms (VALE*, VAALE1, IPAS2LE1).</summary>
    public bool LastLevelOnly => Operation is TlbiOperation.ValeE1 or TlbiOperation.VaaleE1 or TlbiOperation.Ipas2LE1
        or TlbiOperation.ValeE2 or TlbiOperation.ValeE3;
}
