using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Scalar floating-point data processing (Arm ARM C4.1.96 "Data Processing -- Scalar Floating-Point and
/// Advanced SIMD": FP data-processing 1/2/3 source, compare, conditional compare/select, immediate,
/// conversions between floating-point and integer or fixed-point).
/// </summary>
internal static class FpScalarInstructions
{
    /// <summary>The operand size in bits selected by the ftype field (bits 23..22): 00 single, 01 double, 11 half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FType(uint insn) => ((insn >> 22) & 3) switch { 0 => 32, 1 => 64, _ => 16 };

    /// <summary>Constraint: ftype is single or double (Armv8.0 has no half-precision arithmetic).</summary>
    public static bool IsSingleOrDouble(uint insn) => ((insn >> 22) & 2) == 0;

    // ---- Data-processing (2 source): C7.2 FADD, FSUB, FMUL, FDIV, FMAX, FMIN, FMAXNM, FMINNM, FNMUL ----

    /// <summary>FMUL (scalar).</summary>
    public static void Fmul(Cpu cpu, uint insn) => Binary(cpu, insn, 0);
    /// <summary>FDIV (scalar).</summary>
    public static void Fdiv(Cpu cpu, uint insn) => Binary(cpu, insn, 1);
    /// <summary>FADD (scalar).</summary>
    public static void Fadd(Cpu cpu, uint insn) => Binary(cpu, insn, 2);
    /// <summary>FSUB (scalar).</summary>
    public static void Fsub(Cpu cpu, uint insn) => Binary(cpu, insn, 3);
    /// <summary>FMAX (scalar).</summary>
    public static void Fmax(Cpu cpu, uint insn) => Binary(cpu, insn, 4);
    /// <summary>FMIN (scalar).</summary>
    public static void Fmin(Cpu cpu, uint insn) => Binary(cpu, insn, 5);
    /// <summary>FMAXNM (scalar).</summary>
    public static void Fmaxnm(Cpu cpu, uint insn) => Binary(cpu, insn, 6);
    /// <summary>FMINNM (scalar).</summary>
    public static void Fminnm(Cpu cpu, uint insn) => Binary(cpu, insn, 7);
    /// <summary>FNMUL (scalar): FPNeg(FPMul(n, m)).</summary>
    public static void Fnmul(Cpu cpu, uint insn) => Binary(cpu, insn, 8);

    /// <summary>Applies a two-operand FP operation selected by the 4-bit opcode of the 2-source group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong BinaryOp(int op, ulong a, ulong b, int n, uint fpcr, ref uint fpsr) => op switch
    {
        0 => FloatingPoint.Mul(a, b, n, fpcr, ref fpsr),
        1 => FloatingPoint.Div(a, b, n, fpcr, ref fpsr),
        2 => FloatingPoint.Add(a, b, n, fpcr, ref fpsr),
        3 => FloatingPoint.Sub(a, b, n, fpcr, ref fpsr),
        4 => FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, true),
        5 => FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, false),
        6 => FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, true),
        7 => FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, false),
        _ => FloatingPoint.Neg(FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n),
    };

    private static void Binary(Cpu cpu, uint insn, int op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        ulong r = BinaryOp(op, cpu.VScalar(Rn(insn), n), cpu.VScalar(Rm(insn), n), n, cpu.State.Fpcr, ref cpu.State.Fpsr);
        cpu.SetVScalar(Rd(insn), n, r);
    }

    // ---- Data-processing (1 source) ----

    /// <summary>FMOV (register).</summary>
    public static void FmovRegister(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        cpu.SetVScalar(Rd(insn), n, cpu.VScalar(Rn(insn), n));
    }

    /// <summary>FABS (scalar).</summary>
    public static void Fabs(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        cpu.SetVScalar(Rd(insn), n, FloatingPoint.Abs(cpu.VScalar(Rn(insn), n), n));
    }

    /// <summary>FNEG (scalar).</summary>
    public static void Fneg(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        cpu.SetVScalar(Rd(insn), n, FloatingPoint.Neg(cpu.VScalar(Rn(insn), n), n));
    }

    /// <summary>FSQRT (scalar).</summary>
    public static void Fsqrt(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        cpu.SetVScalar(Rd(insn), n, FloatingPoint.Sqrt(cpu.VScalar(Rn(insn), n), n, cpu.State.Fpcr, ref cpu.State.Fpsr));
    }

    /// <summary>FCVT: precision conversion between half, single and double (opc bits 16..15 = destination type).</summary>
    public static void Fcvt(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        int m = Bits(insn, 16, 15) switch { 0 => 32, 1 => 64, _ => 16 };
        uint fpcr = cpu.State.Fpcr;
        ulong r = FloatingPoint.Convert(cpu.VScalar(Rn(insn), n), n, m, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr);
        cpu.SetVScalar(Rd(insn), m, r);
    }

    /// <summary>Constraint for FCVT: destination type differs from the source and is not 0b10.</summary>
    public static bool FcvtAllowed(uint insn)
    {
        uint type = Bits(insn, 23, 22), opc = Bits(insn, 16, 15);
        return type != 2 && opc != 2 && opc != type;
    }

    /// <summary>FRINTN, FRINTP, FRINTM, FRINTZ, FRINTA, FRINTX, FRINTI (rmode = bits 17..15).</summary>
    public static void Frint(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        uint rmode = Bits(insn, 17, 15);
        uint fpcr = cpu.State.Fpcr;
        FPRounding rounding = rmode switch
        {
            0 => FPRounding.TieEven,
            1 => FPRounding.PosInf,
            2 => FPRounding.NegInf,
            3 => FPRounding.Zero,
            4 => FPRounding.TieAway,
            _ => FloatingPoint.RoundingMode(fpcr), // 110 FRINTX, 111 FRINTI
        };
        ulong r = FloatingPoint.RoundInt(cpu.VScalar(Rn(insn), n), n, fpcr, rounding, rmode == 6, ref cpu.State.Fpsr);
        cpu.SetVScalar(Rd(insn), n, r);
    }

    // ---- Compare, conditional compare, conditional select, immediate ----

    /// <summary>FCMP / FCMPE (bit 4 = E: signal quiet NaNs too; bit 3: compare with +0.0).</summary>
    public static void Fcmp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        ulong a = cpu.VScalar(Rn(insn), n);
        ulong b = (insn & 8) != 0 ? 0 : cpu.VScalar(Rm(insn), n);
        uint flags = FloatingPoint.Compare(a, b, n, (insn & 16) != 0, cpu.State.Fpcr, ref cpu.State.Fpsr);
        cpu.State.Nzcv = flags << 28;
    }

    /// <summary>FCCMP / FCCMPE.</summary>
    public static void Fccmp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        if (cpu.ConditionHolds((int)Bits(insn, 15, 12)))
        {
            uint flags = FloatingPoint.Compare(cpu.VScalar(Rn(insn), n), cpu.VScalar(Rm(insn), n), n, (insn & 16) != 0,
                cpu.State.Fpcr, ref cpu.State.Fpsr);
            cpu.State.Nzcv = flags << 28;
        }
        else cpu.State.Nzcv = (insn & 15) << 28;
    }

    /// <summary>FCSEL.</summary>
    public static void Fcsel(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        int src = cpu.ConditionHolds((int)Bits(insn, 15, 12)) ? Rn(insn) : Rm(insn);
        cpu.SetVScalar(Rd(insn), n, cpu.VScalar(src, n));
    }

    /// <summary>FMOV (scalar, immediate): VFPExpandImm(imm8).</summary>
    public static void FmovImmediate(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        cpu.SetVScalar(Rd(insn), n, FloatingPoint.ExpandImm(Bits(insn, 20, 13), n));
    }

    // ---- Data-processing (3 source): FMADD, FMSUB, FNMADD, FNMSUB ----

    /// <summary>FMADD/FMSUB/FNMADD/FNMSUB: o1 (bit 21) negates the addend, o1 != o0 (bit 15) negates Rn.</summary>
    public static void FmulAdd(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        bool o1 = (insn & (1u << 21)) != 0, o0 = (insn & (1u << 15)) != 0;
        ulong a = cpu.VScalar(Ra(insn), n), op1 = cpu.VScalar(Rn(insn), n), op2 = cpu.VScalar(Rm(insn), n);
        if (o1) a = FloatingPoint.Neg(a, n);
        if (o1 != o0) op1 = FloatingPoint.Neg(op1, n);
        cpu.SetVScalar(Rd(insn), n, FloatingPoint.MulAdd(a, op1, op2, n, cpu.State.Fpcr, ref cpu.State.Fpsr));
    }

    // ---- Conversions between floating-point and integer / fixed-point ----

    /// <summary>
    /// FCVTNS/NU, FCVTPS/PU, FCVTMS/MU, FCVTZS/ZU, FCVTAS/AU (integer) and FCVTZS/ZU (fixed-point): rounding from
    /// rmode (bits 20..19), or ties-away for FCVTA (opcode bit 18); bit 16 selects unsigned.
    /// </summary>
    public static void FcvtToInt(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        bool fixedPoint = (insn & (1u << 21)) == 0;
        int fbits = fixedPoint ? 64 - (int)Bits(insn, 15, 10) : 0;
        FPRounding rounding = (insn & (1u << 18)) != 0 ? FPRounding.TieAway : (FPRounding)Bits(insn, 20, 19);
        int m = Sf(insn) ? 64 : 32;
        ulong r = FloatingPoint.ToFixed(cpu.VScalar(Rn(insn), n), n, fbits, (insn & (1u << 16)) != 0, m,
            cpu.State.Fpcr, rounding, ref cpu.State.Fpsr);
        cpu.SetX(Rd(insn), r);
    }

    /// <summary>SCVTF/UCVTF (integer and fixed-point, general register source): bit 16 selects unsigned.</summary>
    public static void CvtfFromInt(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = FType(insn);
        bool fixedPoint = (insn & (1u << 21)) == 0;
        int fbits = fixedPoint ? 64 - (int)Bits(insn, 15, 10) : 0;
        int m = Sf(insn) ? 64 : 32;
        uint fpcr = cpu.State.Fpcr;
        ulong r = FloatingPoint.FromFixed(cpu.X(Rn(insn)), m, fbits, (insn & (1u << 16)) != 0, n, fpcr,
            FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr);
        cpu.SetVScalar(Rd(insn), n, r);
    }

    /// <summary>Constraint for the fixed-point conversions: a 32-bit integer needs scale &gt;= 32.</summary>
    public static bool FixedScaleAllowed(uint insn) => IsSingleOrDouble(insn) && (Sf(insn) || (insn & (1u << 15)) != 0);

    /// <summary>FMOV Wd, Sn / FMOV Xd, Dn (opcode 110).</summary>
    public static void FmovToGeneral(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = Sf(insn) ? 64 : 32;
        cpu.SetX(Rd(insn), cpu.VScalar(Rn(insn), n));
    }

    /// <summary>FMOV Sd, Wn / FMOV Dd, Xn (opcode 111).</summary>
    public static void FmovFromGeneral(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int n = Sf(insn) ? 64 : 32;
        cpu.SetVScalar(Rd(insn), n, cpu.X(Rn(insn)));
    }

    /// <summary>FMOV Xd, Vn.D[1].</summary>
    public static void FmovToGeneralTop(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        cpu.SetX(Rd(insn), cpu.VElement<ulong>(Rn(insn), 1));
    }

    /// <summary>FMOV Vd.D[1], Xn: writes the top half and keeps the bottom half.</summary>
    public static void FmovFromGeneralTop(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        cpu.SetVElement(Rd(insn), 1, cpu.X(Rn(insn)));
    }
}
