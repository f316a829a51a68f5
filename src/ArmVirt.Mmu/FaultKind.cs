namespace ArmVirt.Mmu;

/// <summary>The kind of MMU fault (Arm ARM D8.14 "MMU faults").</summary>
internal enum FaultKind : byte
{
    /// <summary>No fault.</summary>
    None = 0,
    /// <summary>Translation fault: invalid descriptor, input address out of range, walk disabled.</summary>
    Translation,
    /// <summary>Access flag fault: a block or page descriptor with AF = 0.</summary>
    AccessFlag,
    /// <summary>Permission fault.</summary>
    Permission,
    /// <summary>Address size fault: a table base, next-level table or output address wider than the output size.</summary>
    AddressSize,
    /// <summary>Alignment fault: an unaligned data access to Device memory.</summary>
    Alignment,
    /// <summary>Synchronous External abort on a translation table walk (the descriptor read was not answered).</summary>
    SyncExternalOnWalk,
    /// <summary>Domain fault: a VMSAv8-32 short-descriptor translation in a domain DACR gives no access.</summary>
    Domain,
}
