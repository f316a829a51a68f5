using System.Numerics;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decoder built from <see cref="A64DecodeTable"/>: the table is split into buckets by the top bits of the
/// word, each bucket holding the rows that can match it, most specific first. Words no row accepts are
/// unallocated and decode to <see cref="Unallocated"/>.
/// </summary>
internal sealed class A64Decoder
{
    private const int BucketShift = 21; // bits 31..21 select a bucket (2048 buckets)
    private readonly A64Encoding[][] _buckets;

    /// <summary>The entry unallocated encodings decode to; its handler takes the UNDEFINED exception (<see cref="Cpu.TakeUndefined"/>).</summary>
    public static readonly A64Encoding Unallocated =
        new("UNALLOCATED", 0, 0, static (cpu, _) => cpu.TakeUndefined());

    /// <summary>The shared decoder for the full table.</summary>
    public static A64Decoder Instance { get; } = new(A64DecodeTable.All);

    /// <summary>Builds a decoder over <paramref name="table"/>.</summary>
    public A64Decoder(IReadOnlyList<A64Encoding> table)
    {
        Table = table;
        _buckets = new A64Encoding[1 << (32 - BucketShift)][];
        var ordered = table.OrderByDescending(e => BitOperations.PopCount(e.Mask)).ToArray();
        for (uint b = 0; b < _buckets.Length; b++)
        {
            uint top = b << BucketShift;
            const uint topMask = ~((1u << BucketShift) - 1);
            _buckets[b] = ordered.Where(e => (e.Value & e.Mask & topMask) == (top & e.Mask & topMask)).ToArray();
        }
    }

    /// <summary>The rows this decoder was built from.</summary>
    public IReadOnlyList<A64Encoding> Table { get; }

    /// <summary>Decodes one instruction word.</summary>
    public A64Encoding Decode(uint insn)
    {
        var bucket = _buckets[insn >> BucketShift];
        for (int i = 0; i < bucket.Length; i++)
        {
            var e = bucket[i];
            if ((insn & e.Mask) == e.Value && (e.Constraint == null || e.Constraint(insn))) return e;
        }
        return Unallocated;
    }
}
