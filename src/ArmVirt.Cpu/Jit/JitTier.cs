namespace ArmVirt.Cpu.Jit;

/// <summary>How far a translation block has been compiled.</summary>
internal enum JitTier
{
    /// <summary>Not compiled: the interpreter runs it.</summary>
    None,

    /// <summary>
    /// Cheap to compile: one IL call per instruction through the handler's function pointer, so RyuJIT does not
    /// inline the semantics. Removes decode and dispatch from the hot path.
    /// </summary>
    Baseline,

    /// <summary>
    /// Run by the CPU: the block's region (the code of its page reachable from it, in one method, with loops and calls
    /// inside the page kept in compiled code, registers in host registers and the hot families hand-emitted; see
    /// src/ArmVirt.Cpu/Jit/README.md). <see cref="BlockCompiler"/> alone (no CPU to read the page from) compiles the block
    /// with its handlers called directly and inlined. Used for blocks that proved hot.
    /// </summary>
    Optimized,
}
