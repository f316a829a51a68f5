using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// Decoder built from <see cref="A32DecodeTable"/>: rows split into buckets by bits 27..20 (op0/op1 of the top-level
/// encoding, F4.1), conditional and unconditional apart, most specific first. Words no row accepts are UNDEFINED.
/// </summary>
internal sealed class A32Decoder
{
    private readonly A32Encoding[][] _conditional = new A32Encoding[256][];
    private readonly A32Encoding[][] _unconditional = new A32Encoding[256][];

    /// <summary>The row unallocated encodings decode to: UNDEFINED (EC 0x00).</summary>
    public static readonly A32Encoding Undefined =
        new("UNDEFINED", 0, 0, A32Formats.None, static (cpu, in _) => throw cpu.UndefinedException());

    /// <summary>The shared decoder for the full table.</summary>
    public static A32Decoder Instance { get; } = new(A32DecodeTable.All);

    /// <summary>Builds a decoder over <paramref name="table"/>.</summary>
    public A32Decoder(IReadOnlyList<A32Encoding> table)
    {
        Table = table;
        var ordered = table.OrderByDescending(e => BitOperations.PopCount(e.Mask)).ToArray();
        const uint bucketMask = 0x0FF0_0000;
        for (uint b = 0; b < 256; b++)
        {
            uint top = b << 20;
            bool Fits(A32Encoding e) => (e.Value & e.Mask & bucketMask) == (top & e.Mask & bucketMask);
            _conditional[b] = ordered.Where(e => !e.Unconditional && Fits(e)).ToArray();
            _unconditional[b] = ordered.Where(e => e.Unconditional && Fits(e)).ToArray();
        }
    }

    /// <summary>The rows this decoder was built from.</summary>
    public IReadOnlyList<A32Encoding> Table { get; }

    /// <summary>The row of one instruction word.</summary>
    public A32Encoding DecodeRow(uint insn)
    {
        var bucket = (insn >> 28) == 0xF ? _unconditional[(insn >> 20) & 0xFF] : _conditional[(insn >> 20) & 0xFF];
        for (int i = 0; i < bucket.Length; i++)
        {
            var e = bucket[i];
            if ((insn & e.Mask) == e.Value && (e.Constraint == null || e.Constraint(insn))) return e;
        }
        return Undefined;
    }

    /// <summary>Decodes one instruction word into its row and operands.</summary>
    public A32Instruction Decode(uint insn)
    {
        var row = DecodeRow(insn);
        return new A32Instruction(row, row.Format(insn));
    }
}
