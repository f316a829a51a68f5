using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Decode rows of the Advanced SIMD groups (Arm ARM C4.1.96 "Data Processing -- Scalar Floating-Point and Advanced SIMD").</summary>
internal static class AdvSimdTable
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

    private const string MiscVector = "0xx0_1110_xx10_000x_xxxx_10xx_xxxx_xxxx";
    private const string MiscScalar = "01x1_1110_xx10_000x_xxxx_10xx_xxxx_xxxx";

    private static A64Encoding Misc(string name, string template, int u, int opcode, A64Handler h, Func<uint, bool>? c, int a = -1)
    {
        string p = Field(template, 16, Bin(opcode, 5));
        if (u >= 0) p = Field(p, 29, u.ToString());
        if (a >= 0) p = Field(p, 23, a.ToString());
        return A64Encoding.Pattern(name, p, h, c);
    }

    private static bool Size0(uint insn) => ((insn >> 22) & 3) == 0;
    private static bool Sz0(uint insn) => (insn & (1u << 22)) == 0;
    private static bool Sz1(uint insn) => (insn & (1u << 22)) != 0;

    private static IEnumerable<A64Encoding> TwoRegisterRows()
    {
        A64Handler i = AdvSimdTwoRegister.Integer;
        yield return Misc("REV64", MiscVector, 0, 0b00000, AdvSimdTwoRegister.Rev, AdvSimdTwoRegister.RevValid);
        yield return Misc("REV16 (vector)", MiscVector, 0, 0b00001, AdvSimdTwoRegister.Rev, AdvSimdTwoRegister.RevValid);
        yield return Misc("REV32 (vector)", MiscVector, 1, 0b00000, AdvSimdTwoRegister.Rev, AdvSimdTwoRegister.RevValid);
        yield return Misc("SADDLP/UADDLP", MiscVector, -1, 0b00010, AdvSimdTwoRegister.PairwiseLong, NotSize3);
        yield return Misc("SUQADD/USQADD", MiscVector, -1, 0b00011, i, NotSize3Q0);
        yield return Misc("CLS/CLZ (vector)", MiscVector, -1, 0b00100, i, NotSize3);
        yield return Misc("CNT", MiscVector, 0, 0b00101, i, Size0);
        yield return Misc("NOT/RBIT (vector)", MiscVector, 1, 0b00101, AdvSimdTwoRegister.NotRbit, static insn => ((insn >> 23) & 1) == 0);
        yield return Misc("SADALP/UADALP", MiscVector, -1, 0b00110, AdvSimdTwoRegister.PairwiseLong, NotSize3);
        yield return Misc("SQABS/SQNEG", MiscVector, -1, 0b00111, i, NotSize3Q0);
        yield return Misc("CMGT/CMGE (zero)", MiscVector, -1, 0b01000, i, NotSize3Q0);
        yield return Misc("CMEQ/CMLE (zero)", MiscVector, -1, 0b01001, i, NotSize3Q0);
        yield return Misc("CMLT (zero)", MiscVector, 0, 0b01010, i, NotSize3Q0);
        yield return Misc("ABS/NEG (vector)", MiscVector, -1, 0b01011, i, NotSize3Q0);
        yield return Misc("XTN/SQXTUN", MiscVector, -1, 0b10010, AdvSimdTwoRegister.Narrow, NotSize3);
        yield return Misc("SHLL", MiscVector, 1, 0b10011, AdvSimdTwoRegister.Shll, NotSize3);
        yield return Misc("SQXTN/UQXTN", MiscVector, -1, 0b10100, AdvSimdTwoRegister.Narrow, NotSize3);
        yield return Misc("FCVTN", MiscVector, 0, 0b10110, AdvSimdTwoRegister.FcvtNarrow, null, a: 0);
        yield return Misc("FCVTXN", MiscVector, 1, 0b10110, AdvSimdTwoRegister.FcvtNarrow, Sz1, a: 0);
        yield return Misc("FCVTL", MiscVector, 0, 0b10111, AdvSimdTwoRegister.FcvtLong, null, a: 0);

        yield return Misc("SUQADD/USQADD (scalar)", MiscScalar, -1, 0b00011, i, null);
        yield return Misc("SQABS/SQNEG (scalar)", MiscScalar, -1, 0b00111, i, null);
        yield return Misc("CMGT/CMGE (zero, scalar)", MiscScalar, -1, 0b01000, i, Size3);
        yield return Misc("CMEQ/CMLE (zero, scalar)", MiscScalar, -1, 0b01001, i, Size3);
        yield return Misc("CMLT (zero, scalar)", MiscScalar, 0, 0b01010, i, Size3);
        yield return Misc("ABS/NEG (scalar)", MiscScalar, -1, 0b01011, i, Size3);
        yield return Misc("SQXTUN (scalar)", MiscScalar, 1, 0b10010, AdvSimdTwoRegister.Narrow, NotSize3);
        yield return Misc("SQXTN/UQXTN (scalar)", MiscScalar, -1, 0b10100, AdvSimdTwoRegister.Narrow, NotSize3);
        yield return Misc("FCVTXN (scalar)", MiscScalar, 1, 0b10110, AdvSimdTwoRegister.FcvtNarrow, Sz1, a: 0);

        A64Handler f = AdvSimdTwoRegister.Fp;
        (string, int, int, int, Func<uint, bool>?)[] vector =
        [
            ("FRINTN (vector)", 0, 0, 0b11000, FpNot1D), ("FRINTM (vector)", 0, 0, 0b11001, FpNot1D), ("FCVTNS (vector)", 0, 0, 0b11010, FpNot1D),
            ("FCVTMS (vector)", 0, 0, 0b11011, FpNot1D), ("FCVTAS (vector)", 0, 0, 0b11100, FpNot1D), ("SCVTF (vector, integer)", 0, 0, 0b11101, FpNot1D),
            ("FCMGT (zero)", 0, 1, 0b01100, FpNot1D), ("FCMEQ (zero)", 0, 1, 0b01101, FpNot1D), ("FCMLT (zero)", 0, 1, 0b01110, FpNot1D),
            ("FABS (vector)", 0, 1, 0b01111, FpNot1D), ("FRINTP (vector)", 0, 1, 0b11000, FpNot1D), ("FRINTZ (vector)", 0, 1, 0b11001, FpNot1D),
            ("FCVTPS (vector)", 0, 1, 0b11010, FpNot1D), ("FCVTZS (vector, integer)", 0, 1, 0b11011, FpNot1D), ("URECPE", 0, 1, 0b11100, Sz0),
            ("FRECPE (vector)", 0, 1, 0b11101, FpNot1D), ("FRINTA (vector)", 1, 0, 0b11000, FpNot1D), ("FRINTX (vector)", 1, 0, 0b11001, FpNot1D),
            ("FCVTNU (vector)", 1, 0, 0b11010, FpNot1D), ("FCVTMU (vector)", 1, 0, 0b11011, FpNot1D), ("FCVTAU (vector)", 1, 0, 0b11100, FpNot1D),
            ("UCVTF (vector, integer)", 1, 0, 0b11101, FpNot1D), ("FCMGE (zero)", 1, 1, 0b01100, FpNot1D), ("FCMLE (zero)", 1, 1, 0b01101, FpNot1D),
            ("FNEG (vector)", 1, 1, 0b01111, FpNot1D), ("FRINTI (vector)", 1, 1, 0b11001, FpNot1D), ("FCVTPU (vector)", 1, 1, 0b11010, FpNot1D),
            ("FCVTZU (vector, integer)", 1, 1, 0b11011, FpNot1D), ("URSQRTE", 1, 1, 0b11100, Sz0), ("FRSQRTE (vector)", 1, 1, 0b11101, FpNot1D),
            ("FSQRT (vector)", 1, 1, 0b11111, FpNot1D),
        ];
        foreach (var (name, u, a, opc, c) in vector) yield return Misc(name, MiscVector, u, opc, f, c, a);
        (string, int, int, int)[] scalar =
        [
            ("FCVTNS/FCVTNU (scalar)", -1, 0, 0b11010), ("FCVTMS/FCVTMU (scalar)", -1, 0, 0b11011), ("FCVTAS/FCVTAU (scalar)", -1, 0, 0b11100),
            ("FCVTPS/FCVTPU (scalar)", -1, 1, 0b11010), ("FCVTZS/FCVTZU (scalar, integer)", -1, 1, 0b11011), ("SCVTF/UCVTF (scalar, integer)", -1, 0, 0b11101),
            ("FCMGT (zero, scalar)", 0, 1, 0b01100), ("FCMEQ (zero, scalar)", 0, 1, 0b01101), ("FCMLT (zero, scalar)", 0, 1, 0b01110),
            ("FCMGE (zero, scalar)", 1, 1, 0b01100), ("FCMLE (zero, scalar)", 1, 1, 0b01101), ("FRECPE (scalar)", 0, 1, 0b11101),
            ("FRSQRTE (scalar)", 1, 1, 0b11101), ("FRECPX", 0, 1, 0b11111),
        ];
        foreach (var (name, u, a, opc) in scalar) yield return Misc(name, MiscScalar, u, opc, f, null, a);
    }

    private const string ShiftVector = "0xx0_1111_0xxx_xxxx_xxxx_x1xx_xxxx_xxxx";
    private const string ShiftScalar = "01x1_1111_0xxx_xxxx_xxxx_x1xx_xxxx_xxxx";

    private static A64Encoding Sh(string name, string template, int u, int opcode, A64Handler h, Func<uint, bool> c)
    {
        string p = Field(template, 15, Bin(opcode, 5));
        if (u >= 0) p = Field(p, 29, u.ToString());
        return A64Encoding.Pattern(name, p, h, c);
    }

    private static IEnumerable<A64Encoding> ShiftRows()
    {
        A64Handler s = AdvSimdShift.Shift, n = AdvSimdShift.ShiftNarrow;
        Func<uint, bool> v = AdvSimdShift.ShiftValid, nv = AdvSimdShift.NarrowValid;
        static bool D(uint insn) => AdvSimdShift.ShiftValid(insn) && AdvSimdShift.ScalarD(insn);
        yield return Sh("SSHR/USHR", ShiftVector, -1, 0b00000, s, v);
        yield return Sh("SSRA/USRA", ShiftVector, -1, 0b00010, s, v);
        yield return Sh("SRSHR/URSHR", ShiftVector, -1, 0b00100, s, v);
        yield return Sh("SRSRA/URSRA", ShiftVector, -1, 0b00110, s, v);
        yield return Sh("SRI", ShiftVector, 1, 0b01000, s, v);
        yield return Sh("SHL/SLI", ShiftVector, -1, 0b01010, s, v);
        yield return Sh("SQSHLU", ShiftVector, 1, 0b01100, s, v);
        yield return Sh("SQSHL/UQSHL (immediate)", ShiftVector, -1, 0b01110, s, v);
        yield return Sh("SHRN/SQSHRUN", ShiftVector, -1, 0b10000, n, nv);
        yield return Sh("RSHRN/SQRSHRUN", ShiftVector, -1, 0b10001, n, nv);
        yield return Sh("SQSHRN/UQSHRN", ShiftVector, -1, 0b10010, n, nv);
        yield return Sh("SQRSHRN/UQRSHRN", ShiftVector, -1, 0b10011, n, nv);
        yield return Sh("SSHLL/USHLL", ShiftVector, -1, 0b10100, AdvSimdShift.ShiftLong, nv);
        yield return Sh("SCVTF/UCVTF (vector, fixed-point)", ShiftVector, -1, 0b11100, AdvSimdShift.FixedConvert, AdvSimdShift.FixedValid);
        yield return Sh("FCVTZS/FCVTZU (vector, fixed-point)", ShiftVector, -1, 0b11111, AdvSimdShift.FixedConvert, AdvSimdShift.FixedValid);

        yield return Sh("SSHR/USHR (scalar)", ShiftScalar, -1, 0b00000, s, D);
        yield return Sh("SSRA/USRA (scalar)", ShiftScalar, -1, 0b00010, s, D);
        yield return Sh("SRSHR/URSHR (scalar)", ShiftScalar, -1, 0b00100, s, D);
        yield return Sh("SRSRA/URSRA (scalar)", ShiftScalar, -1, 0b00110, s, D);
        yield return Sh("SRI (scalar)", ShiftScalar, 1, 0b01000, s, D);
        yield return Sh("SHL/SLI (scalar)", ShiftScalar, -1, 0b01010, s, D);
        yield return Sh("SQSHLU (scalar)", ShiftScalar, 1, 0b01100, s, v);
        yield return Sh("SQSHL/UQSHL (scalar, immediate)", ShiftScalar, -1, 0b01110, s, v);
        yield return Sh("SQSHRUN (scalar)", ShiftScalar, 1, 0b10000, n, nv);
        yield return Sh("SQRSHRUN (scalar)", ShiftScalar, 1, 0b10001, n, nv);
        yield return Sh("SQSHRN/UQSHRN (scalar)", ShiftScalar, -1, 0b10010, n, nv);
        yield return Sh("SQRSHRN/UQRSHRN (scalar)", ShiftScalar, -1, 0b10011, n, nv);
        yield return Sh("SCVTF/UCVTF (scalar, fixed-point)", ShiftScalar, -1, 0b11100, AdvSimdShift.FixedConvert, AdvSimdShift.FixedValid);
        yield return Sh("FCVTZS/FCVTZU (scalar, fixed-point)", ShiftScalar, -1, 0b11111, AdvSimdShift.FixedConvert, AdvSimdShift.FixedValid);
    }

    private const string DiffVector = "0xx0_1110_xx1x_xxxx_xxxx_00xx_xxxx_xxxx";
    private const string DiffScalar = "01x1_1110_xx1x_xxxx_xxxx_00xx_xxxx_xxxx";
    private const string IndexVector = "0xx0_1111_xxxx_xxxx_xxxx_x0xx_xxxx_xxxx";
    private const string IndexScalar = "01x1_1111_xxxx_xxxx_xxxx_x0xx_xxxx_xxxx";

    private static A64Encoding Op4(string name, string template, int u, int opcode, A64Handler h, Func<uint, bool>? c)
    {
        string p = Field(template, 15, Bin(opcode, 4));
        if (u >= 0) p = Field(p, 29, u.ToString());
        return A64Encoding.Pattern(name, p, h, c);
    }

    private static bool FpIndexValid(uint insn) => (insn & (1u << 23)) != 0 && ((insn & (1u << 22)) == 0 || ((insn & (1u << 21)) == 0 && (IsScalar(insn) || Q(insn))));

    private static IEnumerable<A64Encoding> DifferentRows()
    {
        A64Handler l = AdvSimdThreeDifferent.Long;
        yield return Op4("SADDL/UADDL", DiffVector, -1, 0b0000, l, NotSize3);
        yield return Op4("SADDW/UADDW", DiffVector, -1, 0b0001, AdvSimdThreeDifferent.Wide, NotSize3);
        yield return Op4("SSUBL/USUBL", DiffVector, -1, 0b0010, l, NotSize3);
        yield return Op4("SSUBW/USUBW", DiffVector, -1, 0b0011, AdvSimdThreeDifferent.Wide, NotSize3);
        yield return Op4("ADDHN/RADDHN", DiffVector, -1, 0b0100, AdvSimdThreeDifferent.NarrowHigh, NotSize3);
        yield return Op4("SABAL/UABAL", DiffVector, -1, 0b0101, l, NotSize3);
        yield return Op4("SUBHN/RSUBHN", DiffVector, -1, 0b0110, AdvSimdThreeDifferent.NarrowHigh, NotSize3);
        yield return Op4("SABDL/UABDL", DiffVector, -1, 0b0111, l, NotSize3);
        yield return Op4("SMLAL/UMLAL (vector)", DiffVector, -1, 0b1000, l, NotSize3);
        yield return Op4("SQDMLAL (vector)", DiffVector, 0, 0b1001, l, SizeHS);
        yield return Op4("SMLSL/UMLSL (vector)", DiffVector, -1, 0b1010, l, NotSize3);
        yield return Op4("SQDMLSL (vector)", DiffVector, 0, 0b1011, l, SizeHS);
        yield return Op4("SMULL/UMULL (vector)", DiffVector, -1, 0b1100, l, NotSize3);
        yield return Op4("SQDMULL (vector)", DiffVector, 0, 0b1101, l, SizeHS);
        yield return Op4("PMULL (8-bit)", DiffVector, 0, 0b1110, l, static insn => ((insn >> 22) & 3) == 0);
        yield return Op4("PMULL (64-bit)", DiffVector, 0, 0b1110, Crypto.Pmull64, Size3);
        yield return Op4("SQDMLAL (scalar)", DiffScalar, 0, 0b1001, l, SizeHS);
        yield return Op4("SQDMLSL (scalar)", DiffScalar, 0, 0b1011, l, SizeHS);
        yield return Op4("SQDMULL (scalar)", DiffScalar, 0, 0b1101, l, SizeHS);

        A64Handler same = AdvSimdThreeDifferent.IndexedSame, lng = AdvSimdThreeDifferent.IndexedLong, fp = AdvSimdThreeDifferent.IndexedFp;
        yield return Op4("MLA (by element)", IndexVector, 1, 0b0000, same, SizeHS);
        yield return Op4("MLS (by element)", IndexVector, 1, 0b0100, same, SizeHS);
        yield return Op4("MUL (by element)", IndexVector, 0, 0b1000, same, SizeHS);
        yield return Op4("SQDMULH (by element)", IndexVector, 0, 0b1100, same, SizeHS);
        yield return Op4("SQRDMULH (by element)", IndexVector, 0, 0b1101, same, SizeHS);
        yield return Op4("SMLAL/UMLAL (by element)", IndexVector, -1, 0b0010, lng, SizeHS);
        yield return Op4("SMLSL/UMLSL (by element)", IndexVector, -1, 0b0110, lng, SizeHS);
        yield return Op4("SMULL/UMULL (by element)", IndexVector, -1, 0b1010, lng, SizeHS);
        yield return Op4("SQDMLAL (by element)", IndexVector, 0, 0b0011, lng, SizeHS);
        yield return Op4("SQDMLSL (by element)", IndexVector, 0, 0b0111, lng, SizeHS);
        yield return Op4("SQDMULL (by element)", IndexVector, 0, 0b1011, lng, SizeHS);
        yield return Op4("FMLA (by element)", IndexVector, 0, 0b0001, fp, FpIndexValid);
        yield return Op4("FMLS (by element)", IndexVector, 0, 0b0101, fp, FpIndexValid);
        yield return Op4("FMUL (by element)", IndexVector, 0, 0b1001, fp, FpIndexValid);
        yield return Op4("FMULX (by element)", IndexVector, 1, 0b1001, fp, FpIndexValid);
        yield return Op4("SQDMULH (scalar, by element)", IndexScalar, 0, 0b1100, same, SizeHS);
        yield return Op4("SQRDMULH (scalar, by element)", IndexScalar, 0, 0b1101, same, SizeHS);
        yield return Op4("SQDMLAL (scalar, by element)", IndexScalar, 0, 0b0011, lng, SizeHS);
        yield return Op4("SQDMLSL (scalar, by element)", IndexScalar, 0, 0b0111, lng, SizeHS);
        yield return Op4("SQDMULL (scalar, by element)", IndexScalar, 0, 0b1011, lng, SizeHS);
        yield return Op4("FMLA (scalar, by element)", IndexScalar, 0, 0b0001, fp, FpIndexValid);
        yield return Op4("FMLS (scalar, by element)", IndexScalar, 0, 0b0101, fp, FpIndexValid);
        yield return Op4("FMUL (scalar, by element)", IndexScalar, 0, 0b1001, fp, FpIndexValid);
        yield return Op4("FMULX (scalar, by element)", IndexScalar, 1, 0b1001, fp, FpIndexValid);

        yield return A64Encoding.Pattern("AESE/AESD/AESMC/AESIMC", "0100_1110_0010_1000_01xx_10xx_xxxx_xxxx", Crypto.Aes);
        yield return A64Encoding.Pattern("SHA1C/SHA1P/SHA1M/SHA1SU0/SHA256H/SHA256H2/SHA256SU1", "0101_1110_000x_xxxx_0xxx_00xx_xxxx_xxxx",
            Crypto.ShaThreeRegister, static insn => ((insn >> 12) & 7) != 7);
        yield return A64Encoding.Pattern("SHA1H/SHA1SU1/SHA256SU0", "0101_1110_0010_1000_00xx_10xx_xxxx_xxxx",
            Crypto.ShaTwoRegister, static insn => ((insn >> 12) & 0xF) < 3);
    }

    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        .. DifferentRows(),
        .. TwoRegisterRows(),
        .. ShiftRows(),
        .. ThreeSameRows(),
        .. PermuteRows(),
    ];
}
