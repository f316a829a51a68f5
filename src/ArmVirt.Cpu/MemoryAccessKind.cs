namespace ArmVirt.Cpu;

/// <summary>What kind of access an instruction makes, for permission, alignment and syndrome purposes.</summary>
[Flags]
internal enum MemoryAccessKind
{
    /// <summary>A plain data read.</summary>
    Read = 0,
    /// <summary>A data write.</summary>
    Write = 1,
    /// <summary>Load-acquire / store-release: must be aligned.</summary>
    AcquireRelease = 2,
    /// <summary>Exclusive access: must be aligned.</summary>
    Exclusive = 4,
    /// <summary>Atomic read-modify-write (LSE): must be aligned.</summary>
    Atomic = 8,
    /// <summary>Unprivileged access (LDTR/STTR): checked as if at EL0.</summary>
    Unprivileged = 16,
    /// <summary>Cache maintenance by VA (DC CIVAC etc.): reported with ESR.CM.</summary>
    CacheMaintenance = 32,
    /// <summary>DC ZVA: a write that takes an alignment fault on Device memory whatever its alignment.</summary>
    ZeroBlock = 64,
}
