using ArmVirt.Cpu.A64.SimdFp;
using static ArmVirt.Cpu.A64.SimdFp.FpScalarInstructions;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decode rows of the SIMD and floating-point family (Arm ARM C4.1.96 "Data Processing -- Scalar Floating-Point
/// and Advanced SIMD", and the SIMD&amp;FP forms of C4.1.88 "Loads and Stores").
/// </summary>
internal static class SimdFpTable
{
    private static bool SD(uint insn) => IsSingleOrDouble(insn);

    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        // C4.1.96.x Floating-point data-processing (2 source): M=0 S=0 ftype 1 Rm opcode 10 Rn Rd
        A64Encoding.Pattern("FMUL (scalar)", "0001_1110_xx1x_xxxx_0000_10xx_xxxx_xxxx", Fmul, SD),
        A64Encoding.Pattern("FDIV (scalar)", "0001_1110_xx1x_xxxx_0001_10xx_xxxx_xxxx", Fdiv, SD),
        A64Encoding.Pattern("FADD (scalar)", "0001_1110_xx1x_xxxx_0010_10xx_xxxx_xxxx", Fadd, SD),
        A64Encoding.Pattern("FSUB (scalar)", "0001_1110_xx1x_xxxx_0011_10xx_xxxx_xxxx", Fsub, SD),
        A64Encoding.Pattern("FMAX (scalar)", "0001_1110_xx1x_xxxx_0100_10xx_xxxx_xxxx", Fmax, SD),
        A64Encoding.Pattern("FMIN (scalar)", "0001_1110_xx1x_xxxx_0101_10xx_xxxx_xxxx", Fmin, SD),
        A64Encoding.Pattern("FMAXNM (scalar)", "0001_1110_xx1x_xxxx_0110_10xx_xxxx_xxxx", Fmaxnm, SD),
        A64Encoding.Pattern("FMINNM (scalar)", "0001_1110_xx1x_xxxx_0111_10xx_xxxx_xxxx", Fminnm, SD),
        A64Encoding.Pattern("FNMUL (scalar)", "0001_1110_xx1x_xxxx_1000_10xx_xxxx_xxxx", Fnmul, SD),

        // Floating-point data-processing (1 source): M=0 S=0 ftype 1 opcode(6) 10000 Rn Rd
        A64Encoding.Pattern("FMOV (register)", "0001_1110_xx10_0000_0100_00xx_xxxx_xxxx", FmovRegister, SD),
        A64Encoding.Pattern("FABS (scalar)", "0001_1110_xx10_0000_1100_00xx_xxxx_xxxx", Fabs, SD),
        A64Encoding.Pattern("FNEG (scalar)", "0001_1110_xx10_0001_0100_00xx_xxxx_xxxx", Fneg, SD),
        A64Encoding.Pattern("FSQRT (scalar)", "0001_1110_xx10_0001_1100_00xx_xxxx_xxxx", Fsqrt, SD),
        A64Encoding.Pattern("FCVT", "0001_1110_xx10_001x_x100_00xx_xxxx_xxxx", Fcvt, FcvtAllowed),
        A64Encoding.Pattern("FRINT<N,P,M,Z> (scalar)", "0001_1110_xx10_010x_x100_00xx_xxxx_xxxx", Frint, SD),
        A64Encoding.Pattern("FRINTA (scalar)", "0001_1110_xx10_0110_0100_00xx_xxxx_xxxx", Frint, SD),
        A64Encoding.Pattern("FRINT<X,I> (scalar)", "0001_1110_xx10_0111_x100_00xx_xxxx_xxxx", Frint, SD),

        // Floating-point compare: M=0 S=0 ftype 1 Rm op=00 1000 Rn opcode2 (bits 2..0 = 000)
        A64Encoding.Pattern("FCMP/FCMPE", "0001_1110_xx1x_xxxx_0010_00xx_xxxx_x000", Fcmp, SD),
        // Floating-point conditional compare and select
        A64Encoding.Pattern("FCCMP/FCCMPE", "0001_1110_xx1x_xxxx_xxxx_01xx_xxxx_xxxx", Fccmp, SD),
        A64Encoding.Pattern("FCSEL", "0001_1110_xx1x_xxxx_xxxx_11xx_xxxx_xxxx", Fcsel, SD),
        // Floating-point immediate: imm8 100 imm5=00000 Rd
        A64Encoding.Pattern("FMOV (scalar, immediate)", "0001_1110_xx1x_xxxx_xxx1_0000_000x_xxxx", FmovImmediate, SD),

        // Floating-point data-processing (3 source)
        A64Encoding.Pattern("FMADD/FMSUB/FNMADD/FNMSUB", "0001_1111_xxxx_xxxx_xxxx_xxxx_xxxx_xxxx", FmulAdd, SD),

        // Conversion between floating-point and integer: sf 0 0 11110 ftype 1 rmode opcode 000000 Rn Rd
        A64Encoding.Pattern("FCVT<N,P,M,Z><S,U> (scalar, integer)", "x001_1110_xx1x_x00x_0000_00xx_xxxx_xxxx", FcvtToInt, SD),
        A64Encoding.Pattern("FCVTA<S,U> (scalar)", "x001_1110_xx10_010x_0000_00xx_xxxx_xxxx", FcvtToInt, SD),
        A64Encoding.Pattern("<S,U>CVTF (scalar, integer)", "x001_1110_xx10_001x_0000_00xx_xxxx_xxxx", CvtfFromInt, SD),
        A64Encoding.Pattern("FMOV (Wd, Sn)", "0001_1110_0010_0110_0000_00xx_xxxx_xxxx", FmovToGeneral),
        A64Encoding.Pattern("FMOV (Sd, Wn)", "0001_1110_0010_0111_0000_00xx_xxxx_xxxx", FmovFromGeneral),
        A64Encoding.Pattern("FMOV (Xd, Dn)", "1001_1110_0110_0110_0000_00xx_xxxx_xxxx", FmovToGeneral),
        A64Encoding.Pattern("FMOV (Dd, Xn)", "1001_1110_0110_0111_0000_00xx_xxxx_xxxx", FmovFromGeneral),
        A64Encoding.Pattern("FMOV (Xd, Vn.D[1])", "1001_1110_1010_1110_0000_00xx_xxxx_xxxx", FmovToGeneralTop),
        A64Encoding.Pattern("FMOV (Vd.D[1], Xn)", "1001_1110_1010_1111_0000_00xx_xxxx_xxxx", FmovFromGeneralTop),

        // Conversion between floating-point and fixed-point: sf 0 0 11110 ftype 0 rmode opcode scale Rn Rd
        A64Encoding.Pattern("<S,U>CVTF (scalar, fixed-point)", "x001_1110_xx00_001x_xxxx_xxxx_xxxx_xxxx", CvtfFromInt, FixedScaleAllowed),
        A64Encoding.Pattern("FCVTZ<S,U> (scalar, fixed-point)", "x001_1110_xx01_100x_xxxx_xxxx_xxxx_xxxx", FcvtToInt, FixedScaleAllowed),
        .. AdvSimdTable.Entries,
        .. SimdFpLoadStoreTable.Entries,
    ];
}
