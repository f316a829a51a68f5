namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Decode rows of the SIMD&amp;FP loads and stores (Arm ARM C4.1.88, V = 1 forms and AdvSIMD structure loads/stores).</summary>
internal static class SimdFpLoadStoreTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        A64Encoding.Pattern("LDR/STR (immediate, SIMD&FP, unsigned offset)", "xx11_1101_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx",
            SimdFpLoadStore.UnsignedOffset, SimdFpLoadStore.ScaleValid),
        A64Encoding.Pattern("LDUR/STUR (SIMD&FP)", "xx11_1100_xx0x_xxxx_xxxx_00xx_xxxx_xxxx", SimdFpLoadStore.Immediate9, SimdFpLoadStore.ScaleValid),
        A64Encoding.Pattern("LDR/STR (immediate, SIMD&FP, post-index)", "xx11_1100_xx0x_xxxx_xxxx_01xx_xxxx_xxxx", SimdFpLoadStore.Immediate9, SimdFpLoadStore.ScaleValid),
        A64Encoding.Pattern("LDR/STR (immediate, SIMD&FP, pre-index)", "xx11_1100_xx0x_xxxx_xxxx_11xx_xxxx_xxxx", SimdFpLoadStore.Immediate9, SimdFpLoadStore.ScaleValid),
        A64Encoding.Pattern("LDR/STR (register, SIMD&FP)", "xx11_1100_xx1x_xxxx_xxxx_10xx_xxxx_xxxx", SimdFpLoadStore.RegisterOffset, SimdFpLoadStore.RegisterOffsetValid),
        A64Encoding.Pattern("LDR (literal, SIMD&FP)", "xx01_1100_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Literal, SimdFpLoadStore.PairValid),
        A64Encoding.Pattern("LDP/STP/LDNP/STNP (SIMD&FP)", "xx10_110x_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Pair, SimdFpLoadStore.PairValid),
        A64Encoding.Pattern("LD1-LD4/ST1-ST4 (multiple structures)", "0x00_1100_0x00_0000_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Multiple, SimdFpLoadStore.MultipleValid),
        A64Encoding.Pattern("LD1-LD4/ST1-ST4 (multiple structures, post-index)", "0x00_1100_1x0x_xxxx_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Multiple, SimdFpLoadStore.MultipleValid),
        A64Encoding.Pattern("LD1-LD4/ST1-ST4/LD1R-LD4R (single structure)", "0x00_1101_0xx0_0000_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Single, SimdFpLoadStore.SingleValid),
        A64Encoding.Pattern("LD1-LD4/ST1-ST4/LD1R-LD4R (single structure, post-index)", "0x00_1101_1xxx_xxxx_xxxx_xxxx_xxxx_xxxx", SimdFpLoadStore.Single, SimdFpLoadStore.SingleValid),
    ];
}
