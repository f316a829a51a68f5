namespace ArmVirt.Mmu;

/// <summary>Level arithmetic shared by the stage 1 and stage 2 walks (AArch64.TranslationTableWalk).</summary>
internal static class TranslationGeometry
{
    /// <summary>Bits [47:12] of a descriptor or base register: the output address field without LPA.</summary>
    public const ulong AddressMask = 0x0000_FFFF_FFFF_F000UL;

    /// <summary>log2 of the region one descriptor at <paramref name="level"/> maps.</summary>
    public static int LevelShift(int level, int granuleBits) => granuleBits + (3 - level) * (granuleBits - 3);

    /// <summary>The first lookup level for an input size (AArch64.S1StartLevel).</summary>
    public static int StartLevel(int inputSize, int granuleBits)
    {
        int stride = granuleBits - 3;
        return 4 - (inputSize - granuleBits + stride - 1) / stride;
    }

    /// <summary>
    /// Whether a block descriptor is allowed at <paramref name="level"/> (AArch64.BlockDescSupported without
    /// LPA/LPA2): levels 1 and 2 for 4 KiB, level 2 for 16 and 64 KiB.
    /// </summary>
    public static bool BlockAllowed(int level, int granuleBits) => granuleBits == 12 ? level is 1 or 2 : level == 2;

    /// <summary>
    /// The lowest bit of the table base held in TTBRn/VTTBR for a walk starting at <paramref name="startLevel"/>:
    /// the initial table (possibly concatenated) is aligned to its own size, and in VMSAv8-64 at least 64 bytes; the
    /// VMSAv8-32 long-descriptor format (<paramref name="aarch32"/>: TTBR0/1, HTTBR, VTTBR of an AArch32 regime) has no
    /// such minimum, so a level 1 table of four entries is 32-byte aligned (x = 5 - T0SZ: G8.2 "TTBR0", "VTTBR").
    /// </summary>
    public static int BaseLowBit(int inputSize, int startLevel, int granuleBits, bool aarch32 = false)
        => Math.Max(aarch32 ? 3 : 6, 3 + inputSize - LevelShift(startLevel, granuleBits));

    /// <summary>The descriptor's table index at <paramref name="level"/>.</summary>
    public static ulong Index(ulong ia, int level, int startLevel, int inputSize, int granuleBits)
    {
        int shift = LevelShift(level, granuleBits);
        int top = level == startLevel ? inputSize : shift + granuleBits - 3;
        return (ia >> shift) & ((1UL << (top - shift)) - 1);
    }

    /// <summary>Mask of bits [hi:lo] (inclusive), empty when hi &lt; lo.</summary>
    public static ulong Bits(int hi, int lo)
    {
        if (hi < lo) return 0;
        ulong upper = hi >= 63 ? ulong.MaxValue : (1UL << (hi + 1)) - 1;
        return upper & ~((1UL << lo) - 1);
    }

    /// <summary>Decodes descriptor SH[1:0]; the reserved 0b01 behaves as Non-shareable.</summary>
    public static Shareability DecodeShareability(ulong sh) => (sh & 3) switch
    {
        2 => Shareability.Outer,
        3 => Shareability.Inner,
        _ => Shareability.NonShareable,
    };
}
