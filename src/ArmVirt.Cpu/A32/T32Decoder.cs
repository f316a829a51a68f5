using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// Decoder built from <see cref="T32DecodeTable"/>: 16-bit rows bucketed by bits 15..10, 32-bit rows by hw1 bits
/// 12..4, most specific first (as <see cref="A32Decoder"/>). Encodings no row accepts are UNDEFINED.
/// </summary>
internal sealed class T32Decoder
{
    private readonly A32Encoding[][] _narrow = new A32Encoding[64][];
    private readonly A32Encoding[][] _wide = new A32Encoding[512][];

    /// <summary>The shared decoder for the full table.</summary>
    public static T32Decoder Instance { get; } = new(T32DecodeTable.Narrow, T32DecodeTable.Wide);

    /// <summary>Builds a decoder over the 16-bit and 32-bit rows.</summary>
    public T32Decoder(IReadOnlyList<A32Encoding> narrow, IReadOnlyList<A32Encoding> wide)
    {
        Narrow = narrow;
        Wide = wide;
        var n = narrow.OrderByDescending(e => BitOperations.PopCount(e.Mask & 0xFFFF)).ToArray();
        for (uint b = 0; b < 64; b++)
            _narrow[b] = n.Where(e => (e.Value & e.Mask & 0xFC00) == ((b << 10) & e.Mask & 0xFC00)).ToArray();
        var w = wide.OrderByDescending(e => BitOperations.PopCount(e.Mask)).ToArray();
        for (uint b = 0; b < 512; b++)
            _wide[b] = w.Where(e => (e.Value & e.Mask & 0x1FF0_0000) == ((b << 20) & e.Mask & 0x1FF0_0000)).ToArray();
    }

    /// <summary>The 16-bit rows.</summary>
    public IReadOnlyList<A32Encoding> Narrow { get; }

    /// <summary>The 32-bit rows.</summary>
    public IReadOnlyList<A32Encoding> Wide { get; }

    /// <summary>The row of a 16-bit halfword (below 0x1_0000, bit 16 ignored) or a 32-bit hw1:hw2.</summary>
    public A32Encoding DecodeRow(uint insn)
    {
        bool narrow = insn < 0x2_0000;
        uint bits = narrow ? insn & 0xFFFF : insn;
        var bucket = narrow ? _narrow[bits >> 10] : _wide[(bits >> 20) & 0x1FF];
        for (int i = 0; i < bucket.Length; i++)
        {
            var e = bucket[i];
            if ((bits & e.Mask) == e.Value && (e.Constraint == null || e.Constraint(bits))) return e;
        }
        return A32Decoder.Undefined;
    }

    /// <summary>Decodes one instruction (the key of <see cref="Cpu.DecodeT32"/>) into its row and operands.</summary>
    public A32Instruction Decode(uint key)
    {
        var row = DecodeRow(key);
        return new A32Instruction(row, row == A32Decoder.Undefined ? new A32Operands { Cond = 0xE } : row.Format(key));
    }
}
