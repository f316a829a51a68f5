namespace ArmVirt.Mmu;

/// <summary>
/// What an access is, for the permission checks of AArch64.CheckPermission / AArch64.S1HasPermissionsFault and
/// for the syndrome. The low two bits are the kind (<see cref="Read"/>, <see cref="Write"/>, <see cref="Execute"/>);
/// the rest are modifiers.
/// </summary>
[Flags]
internal enum AccessType : byte
{
    /// <summary>A data read.</summary>
    Read = 0,
    /// <summary>A data write (also DC ZVA, DC IVAC).</summary>
    Write = 1,
    /// <summary>An instruction fetch.</summary>
    Execute = 2,
    /// <summary>
    /// Checked with EL0 permissions although executed at EL1 (LDTR/STTR family, AT S1E0R/S1E0W). Meaningful only in
    /// the EL1&amp;0 regime; ignored in EL2 and EL3 which have a single privilege level.
    /// </summary>
    Unprivileged = 4,
    /// <summary>An address translation (AT) instruction: PSTATE.PAN is ignored unless <see cref="AtPan"/> is also set.</summary>
    AtInstruction = 8,
    /// <summary>AT S1E1RP / AT S1E1WP: an AT instruction that honours PSTATE.PAN (FEAT_PAN2).</summary>
    AtPan = 16,
    /// <summary>
    /// Cache maintenance by VA (DC CVAC, DC CIVAC, IC IVAU, ...): can take translation and access flag faults, but
    /// no permission fault unless <see cref="Write"/> is also set (DC IVAC); not subject to PAN.
    /// </summary>
    CacheMaintenance = 32,
}

/// <summary>Helpers over <see cref="AccessType"/>.</summary>
internal static class AccessTypeExtensions
{
    /// <summary>True for a data write.</summary>
    public static bool IsWrite(this AccessType a) => (a & AccessType.Write) != 0;

    /// <summary>True for an instruction fetch.</summary>
    public static bool IsExecute(this AccessType a) => (a & AccessType.Execute) != 0;
}
