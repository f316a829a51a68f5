namespace ArmVirt.Cpu.A32;

/// <summary>
/// One row of the A32 decode table: an instruction matches when <c>(insn &amp; Mask) == Value</c> and, if set,
/// <see cref="Constraint"/> accepts the word. Rows whose fixed bits include cond = 0b1111 belong to the unconditional
/// space (Arm ARM F4.1 "A32 instruction set encoding"); every other row matches only cond != 0b1111.
/// </summary>
/// <param name="Name">Mnemonic and form, as the Arm ARM names it.</param>
/// <param name="Mask">Fixed-bit mask.</param>
/// <param name="Value">Fixed-bit values.</param>
/// <param name="Format">Builds the typed operands.</param>
/// <param name="Handler">The semantics.</param>
/// <param name="Constraint">Extra acceptance test on the whole word, or null.</param>
internal sealed record A32Encoding(string Name, uint Mask, uint Value, A32OperandFormat Format, A32Handler Handler, Func<uint, bool>? Constraint = null)
{
    /// <summary>
    /// Builds a row from a 32-character pattern of '0', '1' and any other character for a variable bit; a pattern
    /// that starts with a variable cond field matches every condition but 0b1111.
    /// </summary>
    public static A32Encoding Pattern(string name, string bits, A32OperandFormat format, A32Handler handler, Func<uint, bool>? constraint = null)
    {
        bits = bits.Replace("_", "").Replace(" ", "");
        if (bits.Length != 32) throw new ArgumentException($"{name}: pattern must have 32 bits, has {bits.Length}.");
        uint mask = 0, value = 0;
        for (int i = 0; i < 32; i++)
        {
            uint bit = 1u << (31 - i);
            if (bits[i] == '0') mask |= bit;
            else if (bits[i] == '1') { mask |= bit; value |= bit; }
        }
        return new A32Encoding(name, mask, value, format, handler, constraint);
    }

    /// <summary>
    /// The address of <see cref="Handler"/>'s static method (called as <c>delegate*&lt;Cpu, in A32Operands, void&gt;</c>,
    /// without the delegate's shuffle thunk), or 0 when the handler is not a single static method.
    /// </summary>
    internal nint FunctionPointer { get; } = HandlerPointer.Of(Handler);

    /// <summary>True for a row of the unconditional space (cond = 0b1111 is part of its fixed bits).</summary>
    public bool Unconditional => (Mask >> 28) == 0xF && (Value >> 28) == 0xF;

    /// <summary>True when <paramref name="insn"/> is this encoding.</summary>
    public bool Matches(uint insn) =>
        (insn & Mask) == Value && (Unconditional || (insn >> 28) != 0xF) && (Constraint == null || Constraint(insn));
}
