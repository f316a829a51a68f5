using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// aarch64/instrs/integer/bitmasks/DecodeBitMasks: the wmask/tmask pair encoded by the N:immr:imms fields
/// of the logical (immediate) and bitfield instructions.
/// </summary>
internal static class BitMasks
{
    // wmask of every logical immediate, indexed by N:immr:imms (insn bits 22..10), for a 64-bit operation.
    // A 32-bit operation (N = 0) uses the low 32 bits: the element size divides 32, so the replicated
    // 64-bit pattern's low half is the 32-bit pattern. Reserved encodings hold 0 (never a valid immediate).
    private static readonly ulong[] LogicalImmediates = BuildLogicalImmediates();

    /// <summary>
    /// DecodeBitMasks(immN, imms, immr, immediate, M) for M = <paramref name="dataSize"/> (32 or 64). Returns
    /// false where the pseudocode is UNDEFINED: no element size (len &lt; 1), an element larger than M, or,
    /// when <paramref name="immediate"/>, an all-ones element (S = levels). Masks are replicated to 64 bits;
    /// a 32-bit operation uses their low halves.
    /// </summary>
    public static bool TryDecodeBitMasks(uint immN, uint imms, uint immr, bool immediate, int dataSize,
        out ulong wmask, out ulong tmask)
    {
        wmask = tmask = 0;
        uint combined = ((immN & 1) << 6) | (~imms & 0x3F);
        if (combined == 0) return false;
        int len = 31 - BitOperations.LeadingZeroCount(combined); // HighestSetBit
        if (len < 1 || (1 << len) > dataSize) return false;
        uint levels = (1u << len) - 1;
        if (immediate && (imms & levels) == levels) return false;
        int s = (int)(imms & levels);
        int r = (int)(immr & levels);
        int esize = 1 << len;
        int d = (s - r) & (int)levels;
        ulong elementMask = esize == 64 ? ulong.MaxValue : (1UL << esize) - 1;
        ulong welem = Ones(s + 1);
        ulong telem = Ones(d + 1);
        // ROR(welem, R) within an esize-bit element.
        ulong rotated = r == 0 ? welem : ((welem >> r) | (welem << (esize - r))) & elementMask;
        wmask = Replicate(rotated, esize);
        tmask = Replicate(telem, esize);
        return true;
    }

    /// <summary>
    /// The value of a logical (immediate) operand from insn bits 22..10 (N:immr:imms), already replicated
    /// to 64 bits; 0 for a reserved encoding (see <see cref="IsValidLogicalImmediate"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LogicalImmediate(uint insn) => LogicalImmediates[(insn >> 10) & 0x1FFF];

    /// <summary>
    /// Decode constraint of the logical (immediate) class: N = 1 is unallocated when sf = 0, and
    /// DecodeBitMasks must not be UNDEFINED.
    /// </summary>
    public static bool IsValidLogicalImmediate(uint insn)
    {
        bool sf = (insn & 0x8000_0000) != 0;
        uint n = (insn >> 22) & 1;
        if (!sf && n != 0) return false;
        return TryDecodeBitMasks(n, (insn >> 10) & 0x3F, (insn >> 16) & 0x3F, true, sf ? 64 : 32, out _, out _);
    }

    private static ulong Ones(int count) => count >= 64 ? ulong.MaxValue : (1UL << count) - 1;

    private static ulong Replicate(ulong element, int esize)
    {
        ulong result = element;
        for (int size = esize; size < 64; size <<= 1) result |= result << size;
        return result;
    }

    private static ulong[] BuildLogicalImmediates()
    {
        var table = new ulong[1 << 13];
        for (uint i = 0; i < table.Length; i++)
        {
            if (TryDecodeBitMasks(i >> 12, i & 0x3F, (i >> 6) & 0x3F, true, 64, out ulong wmask, out _))
                table[i] = wmask;
        }
        return table;
    }
}
