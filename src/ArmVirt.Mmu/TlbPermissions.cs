namespace ArmVirt.Mmu;

/// <summary>
/// The combined (stage 1 and stage 2) access rights of a translation, as cached in the TLB. Each bit grants one
/// access; <see cref="PanBlocked"/> marks an EL0-accessible page that a privileged data access may not touch while
/// PSTATE.PAN is set. Check with <see cref="PermissionCheck"/>.
/// </summary>
[Flags]
internal enum TlbPermissions : byte
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>Privileged (EL1, EL2, EL3) read.</summary>
    PrivRead = 1,
    /// <summary>Privileged write.</summary>
    PrivWrite = 2,
    /// <summary>Privileged execute.</summary>
    PrivExec = 4,
    /// <summary>EL0 (or LDTR/STTR) read.</summary>
    UserRead = 8,
    /// <summary>EL0 write.</summary>
    UserWrite = 16,
    /// <summary>EL0 execute.</summary>
    UserExec = 32,
    /// <summary>Stage 1 AP[1] = 1 (EL0-accessible): privileged data accesses fault under PSTATE.PAN.</summary>
    PanBlocked = 64,
    /// <summary>Every access right.</summary>
    All = PrivRead | PrivWrite | PrivExec | UserRead | UserWrite | UserExec,
}
