using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Decode rows of the Advanced SIMD groups (Arm ARM C4.1.96 "Data Processing -- Scalar Floating-Point and Advanced SIMD").</summary>
public static class AdvSimdTable
{
    // Builds a 32-character pattern from a template by substituting a binary field at a bit position.
    private static string Field(string template, int hi, string bits)
    {
        var t = template.Replace("_", "").ToCharArray();
        for (int i = 0; i < bits.Length; i++) t[31 - hi + i] = bits[i];
        return new string(t);
    }

    private static string Bin(int value, int width) => Convert.ToString(value, 2).PadLeft(width, '0');

    private const string ThreeSameVector = "0xx0_1110_xx1x_xxxx_xxxx_x1xx_xxxx_xxxx";
    private const string ThreeSameScalar = "01x1_1110_xx1x_xxxx_xxxx_x1xx_xxxx_xxxx";

    private static A64Encoding Same(string name, string template, int opcode, int u, A64Handler handler, Func<uint, bool>? constraint)
    {
        string p = Field(template, 15, Bin(opcode, 5));
        if (u >= 0) p = Field(p, 29, u.ToString());
        return A64Encoding.Pattern(name, p, handler, constraint);
    }

    // FP three-same row: U, a (bit 23) and the low three opcode bits.
    private static A64Encoding FpSame(string name, string template, int u, int a, int opcode, A64Handler handler, Func<uint, bool>? constraint)
    {
        string p = Field(Field(Field(template, 15, Bin(opcode, 5)), 29, u.ToString()), 23, a.ToString());
        return A64Encoding.Pattern(name, p, handler, constraint);
    }

    private static IEnumerable<A64Encoding> ThreeSameRows()
    {
        A64Handler i = AdvSimdThreeSame.Integer, pw = AdvSimdThreeSame.IntegerPairwise;
        yield return Same("SHADD/UHADD", ThreeSameVector, 0b00000, -1, i, NotSize3);
        yield return Same("SQADD/UQADD", ThreeSameVector, 0b00001, -1, i, NotSize3Q0);
        yield return Same("SRHADD/URHADD", ThreeSameVector, 0b00010, -1, i, NotSize3);
        yield return Same("AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF", ThreeSameVector, 0b00011, -1, AdvSimdThreeSame.Logical, null);
        yield return Same("SHSUB/UHSUB", ThreeSameVector, 0b00100, -1, i, NotSize3);
        yield return Same("SQSUB/UQSUB", ThreeSameVector, 0b00101, -1, i, NotSize3Q0);
        yield return Same("CMGT/CMHI (register)", ThreeSameVector, 0b00110, -1, i, NotSize3Q0);
        yield return Same("CMGE/CMHS (register)", ThreeSameVector, 0b00111, -1, i, NotSize3Q0);
        yield return Same("SSHL/USHL", ThreeSameVector, 0b01000, -1, i, NotSize3Q0);
        yield return Same("SQSHL/UQSHL (register)", ThreeSameVector, 0b01001, -1, i, NotSize3Q0);
        yield return Same("SRSHL/URSHL", ThreeSameVector, 0b01010, -1, i, NotSize3Q0);
        yield return Same("SQRSHL/UQRSHL", ThreeSameVector, 0b01011, -1, i, NotSize3Q0);
        yield return Same("SMAX/UMAX", ThreeSameVector, 0b01100, -1, i, NotSize3);
        yield return Same("SMIN/UMIN", ThreeSameVector, 0b01101, -1, i, NotSize3);
        yield return Same("SABD/UABD", ThreeSameVector, 0b01110, -1, i, NotSize3);
        yield return Same("SABA/UABA", ThreeSameVector, 0b01111, -1, i, NotSize3);
        yield return Same("ADD/SUB (vector)", ThreeSameVector, 0b10000, -1, i, NotSize3Q0);
        yield return Same("CMTST/CMEQ (register)", ThreeSameVector, 0b10001, -1, i, NotSize3Q0);
        yield return Same("MLA/MLS (vector)", ThreeSameVector, 0b10010, -1, i, NotSize3);
        yield return Same("MUL (vector)", ThreeSameVector, 0b10011, 0, i, NotSize3);
        yield return Same("PMUL", ThreeSameVector, 0b10011, 1, i, static insn => ((insn >> 22) & 3) == 0);
        yield return Same("SMAXP/UMAXP", ThreeSameVector, 0b10100, -1, pw, NotSize3);
        yield return Same("SMINP/UMINP", ThreeSameVector, 0b10101, -1, pw, NotSize3);
        yield return Same("SQDMULH/SQRDMULH (vector)", ThreeSameVector, 0b10110, -1, i, SizeHS);
        yield return Same("ADDP (vector)", ThreeSameVector, 0b10111, 0, pw, NotSize3Q0);

        yield return Same("SQADD/UQADD (scalar)", ThreeSameScalar, 0b00001, -1, i, null);
        yield return Same("SQSUB/UQSUB (scalar)", ThreeSameScalar, 0b00101, -1, i, null);
        yield return Same("CMGT/CMHI (scalar)", ThreeSameScalar, 0b00110, -1, i, Size3);
        yield return Same("CMGE/CMHS (scalar)", ThreeSameScalar, 0b00111, -1, i, Size3);
        yield return Same("SSHL/USHL (scalar)", ThreeSameScalar, 0b01000, -1, i, Size3);
        yield return Same("SQSHL/UQSHL (scalar, register)", ThreeSameScalar, 0b01001, -1, i, null);
        yield return Same("SRSHL/URSHL (scalar)", ThreeSameScalar, 0b01010, -1, i, Size3);
        yield return Same("SQRSHL/UQRSHL (scalar)", ThreeSameScalar, 0b01011, -1, i, null);
        yield return Same("ADD/SUB (scalar)", ThreeSameScalar, 0b10000, -1, i, Size3);
        yield return Same("CMTST/CMEQ (scalar)", ThreeSameScalar, 0b10001, -1, i, Size3);
        yield return Same("SQDMULH/SQRDMULH (scalar)", ThreeSameScalar, 0b10110, -1, i, SizeHS);

        A64Handler f = AdvSimdThreeSame.Fp, fp = AdvSimdThreeSame.FpPairwise;
        (string, int, int, int, A64Handler)[] fpRows =
        [
            ("FMAXNM (vector)", 0, 0, 0b11000, f), ("FMLA (vector)", 0, 0, 0b11001, f), ("FADD (vector)", 0, 0, 0b11010, f),
            ("FMULX (vector)", 0, 0, 0b11011, f), ("FCMEQ (register)", 0, 0, 0b11100, f), ("FMAX (vector)", 0, 0, 0b11110, f),
            ("FRECPS (vector)", 0, 0, 0b11111, f), ("FMINNM (vector)", 0, 1, 0b11000, f), ("FMLS (vector)", 0, 1, 0b11001, f),
            ("FSUB (vector)", 0, 1, 0b11010, f), ("FMIN (vector)", 0, 1, 0b11110, f), ("FRSQRTS (vector)", 0, 1, 0b11111, f),
            ("FMAXNMP (vector)", 1, 0, 0b11000, fp), ("FADDP (vector)", 1, 0, 0b11010, fp), ("FMUL (vector)", 1, 0, 0b11011, f),
            ("FCMGE (register)", 1, 0, 0b11100, f), ("FACGE (vector)", 1, 0, 0b11101, f), ("FMAXP (vector)", 1, 0, 0b11110, fp),
            ("FDIV (vector)", 1, 0, 0b11111, f), ("FMINNMP (vector)", 1, 1, 0b11000, fp), ("FABD (vector)", 1, 1, 0b11010, f),
            ("FCMGT (register)", 1, 1, 0b11100, f), ("FACGT (vector)", 1, 1, 0b11101, f), ("FMINP (vector)", 1, 1, 0b11110, fp),
        ];
        foreach (var (name, u, a, opc, h) in fpRows) yield return FpSame(name, ThreeSameVector, u, a, opc, h, FpNot1D);
        (string, int, int, int)[] fpScalarRows =
        [
            ("FMULX (scalar)", 0, 0, 0b11011), ("FCMEQ (scalar, register)", 0, 0, 0b11100), ("FRECPS (scalar)", 0, 0, 0b11111),
            ("FRSQRTS (scalar)", 0, 1, 0b11111), ("FCMGE (scalar, register)", 1, 0, 0b11100), ("FACGE (scalar)", 1, 0, 0b11101),
            ("FABD (scalar)", 1, 1, 0b11010), ("FCMGT (scalar, register)", 1, 1, 0b11100), ("FACGT (scalar)", 1, 1, 0b11101),
        ];
        foreach (var (name, u, a, opc) in fpScalarRows) yield return FpSame(name, ThreeSameScalar, u, a, opc, f, null);

        // Advanced SIMD scalar pairwise: 01 U 11110 size 11000 opcode 10 Rn Rd
        yield return A64Encoding.Pattern("ADDP (scalar)", "0101_1110_1111_0001_1011_10xx_xxxx_xxxx", AdvSimdThreeSame.ScalarPairwise);
        yield return A64Encoding.Pattern("FMAXNMP/FMINNMP (scalar)", "0111_1110_xx11_0000_1100_10xx_xxxx_xxxx", AdvSimdThreeSame.ScalarPairwise);
        yield return A64Encoding.Pattern("FADDP (scalar)", "0111_1110_0x11_0000_1101_10xx_xxxx_xxxx", AdvSimdThreeSame.ScalarPairwise);
        yield return A64Encoding.Pattern("FMAXP/FMINP (scalar)", "0111_1110_xx11_0000_1111_10xx_xxxx_xxxx", AdvSimdThreeSame.ScalarPairwise);
    }

    private static bool AcrossValid(uint insn) => NotSize3(insn) && !(((insn >> 22) & 3) == 2 && !Q(insn));

    private static IEnumerable<A64Encoding> PermuteRows()
    {
        yield return A64Encoding.Pattern("DUP (element)", "0x00_1110_000x_xxxx_0000_01xx_xxxx_xxxx", AdvSimdPermute.DupElement, AdvSimdPermute.DupValid);
        yield return A64Encoding.Pattern("DUP (element, scalar)", "0101_1110_000x_xxxx_0000_01xx_xxxx_xxxx", AdvSimdPermute.DupElement, AdvSimdPermute.CopySizeValid);
        yield return A64Encoding.Pattern("DUP (general)", "0x00_1110_000x_xxxx_0000_11xx_xxxx_xxxx", AdvSimdPermute.DupGeneral, AdvSimdPermute.DupValid);
        yield return A64Encoding.Pattern("SMOV", "0x00_1110_000x_xxxx_0010_11xx_xxxx_xxxx", AdvSimdPermute.MoveToGeneral, AdvSimdPermute.SmovValid);
        yield return A64Encoding.Pattern("UMOV", "0x00_1110_000x_xxxx_0011_11xx_xxxx_xxxx", AdvSimdPermute.MoveToGeneral, AdvSimdPermute.UmovValid);
        yield return A64Encoding.Pattern("INS (general)", "0100_1110_000x_xxxx_0001_11xx_xxxx_xxxx", AdvSimdPermute.InsGeneral, AdvSimdPermute.CopySizeValid);
        yield return A64Encoding.Pattern("INS (element)", "0110_1110_000x_xxxx_0xxx_x1xx_xxxx_xxxx", AdvSimdPermute.InsElement, AdvSimdPermute.CopySizeValid);
        yield return A64Encoding.Pattern("MOVI/MVNI/ORR/BIC/FMOV (vector, immediate)", "0xx0_1111_0000_0xxx_xxxx_01xx_xxxx_xxxx",
            AdvSimdPermute.ModifiedImmediate, AdvSimdPermute.ModifiedImmediateValid);
        yield return A64Encoding.Pattern("UZP1/TRN1/ZIP1/UZP2/TRN2/ZIP2", "0x00_1110_xx0x_xxxx_0xxx_10xx_xxxx_xxxx", AdvSimdPermute.Permute,
            static insn => NotSize3Q0(insn) && (((insn >> 12) & 3) != 0));
        yield return A64Encoding.Pattern("EXT", "0x10_1110_000x_xxxx_0xxx_x0xx_xxxx_xxxx", AdvSimdPermute.Ext, static insn => Q(insn) || (insn & (1u << 14)) == 0);
        yield return A64Encoding.Pattern("TBL/TBX", "0x00_1110_000x_xxxx_0xxx_x0xx_xxxx_xxxx", AdvSimdPermute.Table, static insn => (insn & (1u << 11)) == 0);
        yield return A64Encoding.Pattern("SADDLV/UADDLV", "0xx0_1110_xx11_0000_0011_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesInteger, AcrossValid);
        yield return A64Encoding.Pattern("SMAXV/UMAXV", "0xx0_1110_xx11_0000_1010_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesInteger, AcrossValid);
        yield return A64Encoding.Pattern("SMINV/UMINV", "0xx0_1110_xx11_0001_1010_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesInteger, AcrossValid);
        yield return A64Encoding.Pattern("ADDV", "0x00_1110_xx11_0001_1011_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesInteger, AcrossValid);
        yield return A64Encoding.Pattern("FMAXNMV/FMINNMV", "0110_1110_x011_0000_1100_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesFp);
        yield return A64Encoding.Pattern("FMAXV/FMINV", "0110_1110_x011_0000_1111_10xx_xxxx_xxxx", AdvSimdPermute.AcrossLanesFp);
    }

    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        .. ThreeSameRows(),
        .. PermuteRows(),
    ];
}
