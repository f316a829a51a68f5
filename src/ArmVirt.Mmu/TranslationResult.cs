namespace ArmVirt.Mmu;

/// <summary>
/// The outcome of a translation (AddressDescriptor): either a fault, or the output address with its attributes,
/// the rights of the whole mapping and the TLB tags. A readonly struct: returning it never allocates.
/// </summary>
internal readonly struct TranslationResult
{
    /// <summary>Creates a successful result.</summary>
    public TranslationResult(ulong va, ulong ipa, ulong pa, MemoryAttributes attributes, TlbPermissions permissions,
        int stage1PageShift, int stage2PageShift, bool global, bool nonSecure)
    {
        Va = va;
        Ipa = ipa;
        PhysicalAddress = pa;
        Attributes = attributes;
        Permissions = permissions;
        Stage1PageShift = (byte)stage1PageShift;
        Stage2PageShift = (byte)stage2PageShift;
        Global = global;
        NonSecure = nonSecure;
        Fault = default;
    }

    /// <summary>Creates a faulting result.</summary>
    public TranslationResult(ulong va, TranslationFault fault)
    {
        Va = va;
        Fault = fault;
    }

    /// <summary>The input virtual address.</summary>
    public ulong Va { get; }

    /// <summary>The intermediate physical address (stage 1 output); equal to <see cref="PhysicalAddress"/> without stage 2.</summary>
    public ulong Ipa { get; }

    /// <summary>The output physical address.</summary>
    public ulong PhysicalAddress { get; }

    /// <summary>The resulting memory attributes (stage 1 combined with stage 2).</summary>
    public MemoryAttributes Attributes { get; }

    /// <summary>Rights of the mapping, stage 1 and stage 2 combined (see <see cref="PermissionCheck"/>).</summary>
    public TlbPermissions Permissions { get; }

    /// <summary>
    /// log2 of the stage 1 block or page size (12 when stage 1 is disabled). TLBI by VA removes every cached
    /// page of that block.
    /// </summary>
    public int Stage1PageShift { get; }

    /// <summary>log2 of the stage 2 block or page size, 0 without stage 2. TLBI IPAS2 matches on it.</summary>
    public int Stage2PageShift { get; }

    /// <summary>True when the result went through stage 2.</summary>
    public bool HasStage2 => Stage2PageShift != 0;

    /// <summary>True for a global translation (nG = 0, or a regime without ASIDs).</summary>
    public bool Global { get; }

    /// <summary>The output address is Non-secure (PAR_EL1.NS).</summary>
    public bool NonSecure { get; }

    /// <summary>The fault; <c>Fault.IsFault</c> is false for a successful translation.</summary>
    public TranslationFault Fault { get; }

    /// <summary>True when the translation faulted.</summary>
    public bool IsFault => Fault.IsFault;

    /// <inheritdoc />
    public override string ToString() => IsFault
        ? $"VA 0x{Va:x}: {Fault}"
        : $"VA 0x{Va:x} -> IPA 0x{Ipa:x} -> PA 0x{PhysicalAddress:x} ({Attributes}, {Permissions}, 2^{Stage1PageShift}/2^{Stage2PageShift}{(Global ? ", global" : "")})";
}
