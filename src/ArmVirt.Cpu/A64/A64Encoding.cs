namespace ArmVirt.Cpu.A64;

/// <summary>
/// One row of the A64 decode table: an instruction matches when <c>(insn &amp; Mask) == Value</c> and, if
/// <see cref="Constraint"/> is set, it also accepts the encoding (for the "unallocated when" rules of the Arm ARM).
/// </summary>
/// <param name="Name">Mnemonic and form, e.g. "ADD (shifted register)".</param>
/// <param name="Mask">Fixed-bit mask.</param>
/// <param name="Value">Fixed-bit values.</param>
/// <param name="Handler">The semantics.</param>
/// <param name="Constraint">Extra acceptance test on the whole word, or null.</param>
internal sealed record A64Encoding(string Name, uint Mask, uint Value, A64Handler Handler, Func<uint, bool>? Constraint = null)
{
    /// <summary>Builds an entry from a 32-character pattern of '0', '1' and any other character for a variable bit.</summary>
    public static A64Encoding Pattern(string name, string bits, A64Handler handler, Func<uint, bool>? constraint = null)
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
        return new A64Encoding(name, mask, value, handler, constraint);
    }

    /// <summary>
    /// The address of <see cref="Handler"/>'s static method (called as <c>delegate*&lt;Cpu, uint, void&gt;</c>, without
    /// the delegate's shuffle thunk), or 0 when the handler is not a single static method (a lambda or a closure).
    /// </summary>
    internal nint FunctionPointer { get; } = HandlerPointer.Of(Handler);

    /// <summary>True when <paramref name="insn"/> is this encoding.</summary>
    public bool Matches(uint insn) => (insn & Mask) == Value && (Constraint == null || Constraint(insn));
}
