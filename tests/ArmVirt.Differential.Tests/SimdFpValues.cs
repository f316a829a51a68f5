namespace ArmVirt.Differential.Tests;

/// <summary>
/// Input values for the FP/AdvSIMD state of a sequence: V registers biased toward the special cases of
/// IEEE 754 / the Arm ARM's FPUnpack and FPRound (quiet and signalling NaNs with payloads, ±0, ±infinity,
/// denormals, the largest and smallest normals, halfway cases, integer conversion and saturation edges),
/// and a random FPCR (rounding mode, FZ, DN, AHP) and FPSR (cumulative exception bits and QC) per sequence.
/// </summary>
internal static class SimdFpValues
{
    private static readonly ulong[] Doubles =
    [
        0, 0x8000_0000_0000_0000, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,  // ±0, ±inf
        0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0123, 0x7FF0_0000_0000_0001, 0xFFF4_0000_0000_0456, // qNaN, sNaN
        0x0000_0000_0000_0001, 0x800F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000, 0x8010_0000_0000_0001, // denormal, min normal
        0x7FEF_FFFF_FFFF_FFFF, 0xFFEF_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0000, 0xBFF8_0000_0000_0000, // max normal, 1, -1.5
        0x4004_0000_0000_0000, 0x3FE0_0000_0000_0000, 0x3FDF_FFFF_FFFF_FFFF, 0x4330_0000_0000_0001, // 2.5, 0.5, 2^52+1
        0x41E0_0000_0000_0000, 0x41DF_FFFF_FFE0_0000, 0xC1E0_0000_0000_0000, 0xC1E0_0000_0020_0000, // ±2^31 and neighbours
        0x43E0_0000_0000_0000, 0x43F0_0000_0000_0000, 0xC3E0_0000_0000_0001, 0x41F0_0000_0000_0000, // 2^63, 2^64, 2^32
        0x36A0_0000_0000_0000, 0x3810_0000_0000_0000, 0x47EF_FFFF_E000_0000, 0x3690_0000_0000_0001, // float denormal/normal/max edges
    ];

    private static readonly uint[] Singles =
    [
        0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0123, 0x7F80_0001, 0xFFA0_0456,
        0x0000_0001, 0x807F_FFFF, 0x0080_0000, 0x8080_0001, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x3F80_0000, 0xBFC0_0000,
        0x4020_0000, 0x3F00_0000, 0x3EFF_FFFF, 0x4B00_0001, 0x4F00_0000, 0x4EFF_FFFF, 0xCF00_0000, 0xCF00_0001,
        0x5F00_0000, 0x5F80_0000, 0x4F80_0000, 0x3380_0000, 0x3880_0000, 0x477F_E000, 0x477F_F000, 0x3380_0001,
    ];

    private static readonly ushort[] Halves =
    [
        0, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0xFE12, 0x7C01, 0xFD23, 0x0001, 0x83FF, 0x0400, 0x8401, 0x7BFF, 0xFBFF,
        0x3C00, 0xBE00, 0x4100, 0x3800, 0x37FF,
    ];

    private static readonly ulong[] IntegerEdges =
    [
        0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
    ];

    /// <summary>One 128-bit register value, written little-endian into <paramref name="v"/> (16 bytes).</summary>
    public static void Vector(Random r, Span<byte> v)
    {
        switch (r.Next(10))
        {
            case 0 or 1:
                for (int i = 0; i < 2; i++) BitConverter.TryWriteBytes(v[(8 * i)..], Double(r));
                break;
            case 2 or 3:
                for (int i = 0; i < 4; i++) BitConverter.TryWriteBytes(v[(4 * i)..], Single(r));
                break;
            case 4:
                for (int i = 0; i < 8; i++) BitConverter.TryWriteBytes(v[(2 * i)..], Half(r));
                break;
            case 5: // integer lanes of one size at saturation edges, sometimes negated
            {
                int bytes = 1 << r.Next(4);
                for (int i = 0; i < 16; i += bytes)
                {
                    ulong x = r.Next(3) == 0 ? (ulong)r.NextInt64() : IntegerEdges[r.Next(IntegerEdges.Length)];
                    if (r.Next(4) == 0) x = 0 - x;
                    for (int b = 0; b < bytes; b++) v[i + b] = (byte)(x >> (8 * b));
                }
                break;
            }
            case 6: // small bytes: TBL/TBX indices, shift counts
                for (int i = 0; i < 16; i++) v[i] = (byte)(r.Next(4) == 0 ? r.Next(256) : r.Next(70) - (r.Next(4) == 0 ? 70 : 0));
                break;
            default:
                r.NextBytes(v);
                break;
        }
    }

    /// <summary>A double: special (half the time), near 1.0, or any bit pattern.</summary>
    public static ulong Double(Random r) => r.Next(4) switch
    {
        0 or 1 => Doubles[r.Next(Doubles.Length)],
        2 => (ulong)r.Next(2) << 63 | (ulong)(0x3F0 + r.Next(0x30)) << 52 | ((ulong)r.NextInt64() & 0xF_FFFF_FFFF_FFFF),
        _ => (ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63),
    };

    public static uint Single(Random r) => r.Next(4) switch
    {
        0 or 1 => Singles[r.Next(Singles.Length)],
        2 => (uint)r.Next(2) << 31 | (uint)(0x70 + r.Next(0x18)) << 23 | ((uint)r.Next() & 0x7F_FFFF),
        _ => (uint)r.Next() ^ ((uint)r.Next(2) << 31),
    };

    public static ushort Half(Random r) => r.Next(2) == 0 ? Halves[r.Next(Halves.Length)] : (ushort)r.Next(65536);

    /// <summary>FPCR: RMode (23:22) always random; FZ (24), DN (25), AHP (26) each a quarter of the time.</summary>
    public static ulong Fpcr(Random r)
    {
        ulong v = (ulong)r.Next(4) << 22;
        if (r.Next(4) == 0) v |= 1UL << 24;
        if (r.Next(4) == 0) v |= 1UL << 25;
        if (r.Next(4) == 0) v |= 1UL << 26;
        return v;
    }

    /// <summary>FPSR: clear half the time, else a random subset of IOC, DZC, OFC, UFC, IXC, IDC and QC.</summary>
    public static ulong Fpsr(Random r)
    {
        if (r.Next(2) == 0) return 0;
        ulong v = 0;
        foreach (int bit in (ReadOnlySpan<int>)[0, 1, 2, 3, 4, 7, 27])
            if (r.Next(3) == 0) v |= 1UL << bit;
        return v;
    }
}
