namespace ArmVirt.Mmu;

/// <summary>
/// The result of one stage of translation (TTWState of one stage): the output address, the level and size of the
/// final descriptor, that stage's attributes and rights, or a fault.
/// </summary>
internal readonly struct StageWalk
{
    /// <summary>Creates a successful stage result.</summary>
    public StageWalk(ulong outputAddress, int level, int blockShift, MemoryAttributes attributes,
        TlbPermissions permissions, bool global, bool nonSecure)
    {
        OutputAddress = outputAddress;
        Level = (sbyte)level;
        BlockShift = (byte)blockShift;
        Attributes = attributes;
        Permissions = permissions;
        Global = global;
        NonSecure = nonSecure;
        Fault = default;
    }

    /// <summary>Creates a faulting stage result.</summary>
    public StageWalk(TranslationFault fault)
    {
        Fault = fault;
        Level = (sbyte)fault.Level;
    }

    /// <summary>The output address (IPA for stage 1 of EL1&amp;0 with stage 2, else PA), including the page offset.</summary>
    public ulong OutputAddress { get; }

    /// <summary>Lookup level of the final descriptor (-1 when the stage is disabled).</summary>
    public int Level { get; }

    /// <summary>log2 of the block or page size the final descriptor maps.</summary>
    public int BlockShift { get; }

    /// <summary>This stage's memory attributes.</summary>
    public MemoryAttributes Attributes { get; }

    /// <summary>This stage's rights; for stage 2 the same rights are granted to EL0 and to privileged accesses.</summary>
    public TlbPermissions Permissions { get; }

    /// <summary>Stage 1: nG = 0 (or a regime without ASIDs).</summary>
    public bool Global { get; }

    /// <summary>The output is in the Non-secure physical address space.</summary>
    public bool NonSecure { get; }

    /// <summary>The domain of a VMSAv8-32 short-descriptor stage 1 translation (reported with its permission faults); else 0.</summary>
    public int Domain { get; init; }

    /// <summary>The fault, if any.</summary>
    public TranslationFault Fault { get; }

    /// <summary>True when this stage faulted.</summary>
    public bool IsFault => Fault.IsFault;
}
