namespace ArmVirt.Mmu;

/// <summary>
/// The rights an access needs (<see cref="Required"/>) and the marks that forbid it (<see cref="Forbidden"/>):
/// an access is allowed when <c>(perms &amp; Required) == Required &amp;&amp; (perms &amp; Forbidden) == 0</c>
/// (AArch64.S1HasPermissionsFault, AArch64.S2HasPermissionsFault).
/// </summary>
internal readonly struct PermissionCheck
{
    /// <summary>Creates a check.</summary>
    public PermissionCheck(TlbPermissions required, TlbPermissions forbidden)
    {
        Required = required;
        Forbidden = forbidden;
    }

    /// <summary>Rights that must all be present.</summary>
    public TlbPermissions Required { get; }

    /// <summary>Marks that must all be absent.</summary>
    public TlbPermissions Forbidden { get; }

    /// <summary>True when <paramref name="perms"/> allows the access.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Allows(TlbPermissions perms) => (perms & Required) == Required && (perms & Forbidden) == 0;

    /// <summary>
    /// The check for <paramref name="access"/> under <paramref name="control"/>: EL0 rights for EL0 and for
    /// unprivileged EL1 accesses in the EL1&amp;0 regime; PAN forbids privileged data accesses (not fetches, not
    /// cache maintenance, not AT unless AT S1E1RP/WP) to EL0-accessible pages.
    /// </summary>
    public static PermissionCheck For(in TranslationControl control, AccessType access)
    {
        bool user = IsUnprivileged(in control, access);
        if ((access & AccessType.Execute) != 0)
            return new(user ? TlbPermissions.UserExec : TlbPermissions.PrivExec, TlbPermissions.None);
        bool write = (access & AccessType.Write) != 0;
        if ((access & AccessType.CacheMaintenance) != 0)
        {
            // DC IVAC needs write permission; other maintenance by VA faults only at EL0 without read permission.
            if (write) return new(user ? TlbPermissions.UserWrite : TlbPermissions.PrivWrite, TlbPermissions.None);
            return new(user ? TlbPermissions.UserRead : TlbPermissions.None, TlbPermissions.None);
        }
        bool pan = control.Pan && !user && control.Regime == TranslationRegime.EL10 && control.El >= 1
            && ((access & AccessType.AtInstruction) == 0 || (access & AccessType.AtPan) != 0);
        var required = write
            ? (user ? TlbPermissions.UserWrite : TlbPermissions.PrivWrite)
            : (user ? TlbPermissions.UserRead : TlbPermissions.PrivRead);
        return new(required, pan ? TlbPermissions.PanBlocked : TlbPermissions.None);
    }

    /// <summary>
    /// True when the access is checked with EL0 permissions in the EL1&amp;0 regime: at EL0, or marked
    /// <see cref="AccessType.Unprivileged"/> (LDTR/STTR at EL1, AT S1E0*/S12E0* at EL1, EL2 or EL3). EL2 and EL3
    /// regimes have one privilege level.
    /// </summary>
    public static bool IsUnprivileged(in TranslationControl control, AccessType access)
        => control.Regime == TranslationRegime.EL10
           && (control.El == 0 || (access & AccessType.Unprivileged) != 0);
}
