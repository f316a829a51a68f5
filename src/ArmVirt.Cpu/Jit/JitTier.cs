namespace ArmVirt.Cpu.Jit;

/// <summary>How far a translation block has been compiled.</summary>
public enum JitTier
{
    /// <summary>Not compiled: the interpreter runs it.</summary>
    None,

    /// <summary>
    /// Cheap to compile: one IL call per instruction through the handler's function pointer, so RyuJIT does not
    /// inline the semantics. Removes decode and dispatch from the hot path.
    /// </summary>
    Baseline,

    /// <summary>
    /// The handlers are called directly with their instruction words as constants, so RyuJIT inlines them and folds
    /// the operand fields. Several times the compile cost of <see cref="Baseline"/>; used for blocks that proved very hot.
    /// </summary>
    Optimized,
}
