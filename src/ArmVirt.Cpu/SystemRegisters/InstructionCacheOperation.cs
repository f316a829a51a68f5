namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>The instruction cache maintenance instructions (Arm ARM C5.3 "IC").</summary>
internal enum InstructionCacheOperation
{
    /// <summary>IC IALLUIS: invalidate all to the PoU, Inner Shareable.</summary>
    AllInnerShareable,
    /// <summary>IC IALLU: invalidate all to the PoU.</summary>
    All,
    /// <summary>IC IVAU: invalidate by VA to the PoU.</summary>
    ByVirtualAddress,
}
