namespace ArmVirt.Cpu.Jit;

/// <summary>What a translation block must do around one instruction.</summary>
internal enum InstructionClass
{
    /// <summary>
    /// Touches only registers, NZCV and FPSR (integer and floating-point data processing, NOP-like hints and
    /// barriers): it cannot change interrupt state, the clock, the translation regime or memory, so the block
    /// continues after it.
    /// </summary>
    Plain,

    /// <summary>
    /// A load or store: it may fault, reach an MMIO device (which can raise an interrupt line or reschedule the
    /// clock) or write the block's own page, so the block checks whether it must stop after it.
    /// </summary>
    Memory,

    /// <summary>
    /// Anything else (branches, exception-generating and system instructions, and every row not known to be
    /// one of the above): it is the last instruction of its block.
    /// </summary>
    EndsBlock,
}
