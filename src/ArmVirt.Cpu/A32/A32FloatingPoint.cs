using ArmVirt.Cpu.A64.SimdFp;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// VFPv4 data processing in A32 and T32 (Arm ARM F4.1 "Floating-point data-processing" and the Armv8 additions VSEL,
/// VMAXNM/VMINNM, VRINT*, VCVTA/N/P/M): thin adapters over the A64 value functions of <see cref="FloatingPoint"/>, with
/// FPSCR's control bits (the same bit positions as FPCR's) and cumulative flags (FPSR's) as their FPCR and FPSR.
/// </summary>
/// <remarks>
/// Short vectors: Armv8 does not implement them (MVFR0.FPShVec = 0), so the instructions that would operate on a
/// vector when FPSCR.Len or FPSCR.Stride is nonzero (the three-register forms, VMOV, VABS, VNEG, VSQRT) are UNDEFINED
/// then, as QEMU does; the always-scalar ones (VCMP, VCVT, VRINT, VSEL, VMAXNM) ignore the fields.
/// </remarks>
internal static class A32FloatingPoint
{
    private const uint LenStride = 0x0037_0000;

    // AArch32.CheckAdvSIMDOrFPEnabled (the AArch64 enable checks, as EL1 is AArch64) and, for the instructions that
    // Len/Stride would make vector operations, the short-vector rule.
    private static void CheckEnabled(Cpu cpu, bool vectorCapable)
    {
        cpu.CheckFPAdvSIMDEnabled();
        if (vectorCapable && (cpu.State.Fpcr & LenStride) != 0) throw cpu.UndefinedException();
    }

    /// <summary>
    /// F5.1 VMLA, VMLS, VNMLA, VNMLS, VMUL, VNMUL, VADD, VSUB, VDIV, VFNMS, VFNMA, VFMA, VFMS (floating-point), selected
    /// by opc1&lt;3&gt;:opc1&lt;1:0&gt;:opc3&lt;0&gt;. The multiply-accumulates round twice (FPMul then FPAdd), the fused ones once
    /// (FPMulAdd with the FPNeg of their pseudocode).
    /// </summary>
    public static void ThreeRegister(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        int n = op.Size;
        ulong a = cpu.VfpReg(op.Rn, n), b = cpu.VfpReg(op.Rm, n), d = cpu.VfpReg(op.Rd, n);
        uint fpcr = cpu.State.Fpcr;
        ref uint fpsr = ref cpu.State.Fpsr;
        ulong r = op.Imm switch
        {
            0 => FloatingPoint.Add(d, FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n, fpcr, ref fpsr),                       // VMLA
            1 => FloatingPoint.Add(d, FloatingPoint.Neg(FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n), n, fpcr, ref fpsr), // VMLS
            2 => FloatingPoint.Add(FloatingPoint.Neg(d, n), FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n, fpcr, ref fpsr), // VNMLS
            3 => FloatingPoint.Add(FloatingPoint.Neg(d, n), FloatingPoint.Neg(FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n), n, fpcr, ref fpsr), // VNMLA
            4 => FloatingPoint.Mul(a, b, n, fpcr, ref fpsr),                                                                // VMUL
            5 => FloatingPoint.Neg(FloatingPoint.Mul(a, b, n, fpcr, ref fpsr), n),                                         // VNMUL
            6 => FloatingPoint.Add(a, b, n, fpcr, ref fpsr),                                                                // VADD
            7 => FloatingPoint.Sub(a, b, n, fpcr, ref fpsr),                                                                // VSUB
            8 => FloatingPoint.Div(a, b, n, fpcr, ref fpsr),                                                                // VDIV
            10 => FloatingPoint.MulAdd(FloatingPoint.Neg(d, n), a, b, n, fpcr, ref fpsr),                                   // VFNMS
            11 => FloatingPoint.MulAdd(FloatingPoint.Neg(d, n), FloatingPoint.Neg(a, n), b, n, fpcr, ref fpsr),             // VFNMA
            12 => FloatingPoint.MulAdd(d, a, b, n, fpcr, ref fpsr),                                                          // VFMA
            _ => FloatingPoint.MulAdd(d, FloatingPoint.Neg(a, n), b, n, fpcr, ref fpsr),                                     // VFMS
        };
        cpu.SetVfpReg(op.Rd, n, r);
    }

    /// <summary>Decode constraint of the three-register rows: VDIV exists only with opc3&lt;0&gt; = 0.</summary>
    public static bool ThreeRegisterAllocated(uint insn) => (insn & 0x00B0_0040) != 0x0080_0040;

    /// <summary>F5.1 VMOV (immediate): VFPExpandImm(imm8).</summary>
    public static void MoveImmediate(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.ExpandImm(op.Imm, op.Size));
    }

    /// <summary>F5.1 VMOV (register).</summary>
    public static void MoveRegister(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        cpu.SetVfpReg(op.Rd, op.Size, cpu.VfpReg(op.Rm, op.Size));
    }

    /// <summary>F5.1 VABS (floating-point): FPAbs, the sign bit cleared (no NaN processing).</summary>
    public static void Abs(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.Abs(cpu.VfpReg(op.Rm, op.Size), op.Size));
    }

    /// <summary>F5.1 VNEG (floating-point): FPNeg, the sign bit inverted (no NaN processing).</summary>
    public static void Neg(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.Neg(cpu.VfpReg(op.Rm, op.Size), op.Size));
    }

    /// <summary>F5.1 VSQRT: FPSqrt.</summary>
    public static void Sqrt(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, true);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.Sqrt(cpu.VfpReg(op.Rm, op.Size), op.Size, cpu.State.Fpcr, ref cpu.State.Fpsr));
    }

    /// <summary>
    /// F5.1 VCMP, VCMPE (register and with zero; the zero form's Vm is 0 and compares with +0.0): FPCompare into
    /// FPSCR.NZCV, VCMPE (E = 1) signalling Invalid Operation on quiet NaNs too.
    /// </summary>
    public static void Compare(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        ulong b = op.Imm == 1 ? 0 : cpu.VfpReg(op.Rm, op.Size);
        uint nzcv = FloatingPoint.Compare(cpu.VfpReg(op.Rd, op.Size), b, op.Size, op.Imm2 == 1, cpu.State.Fpcr, ref cpu.State.Fpsr);
        cpu.State.Fpsr = (cpu.State.Fpsr & 0x0FFF_FFFFu) | nzcv << 28;
    }

    /// <summary>F5.1 VCMP with zero (opc2 = 0101): as <see cref="Compare"/> with +0.0 for the second operand.</summary>
    public static void CompareZero(Cpu cpu, in A32Operands op) => Compare(cpu, op with { Imm = 1 });

    /// <summary>F5.1 VRINTR (op = 0: FPSCR rounding) and VRINTZ (op = 1: towards zero): FPRoundInt, no Inexact.</summary>
    public static void RoundIntRZ(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        var rounding = op.Imm2 == 1 ? FPRounding.Zero : FloatingPoint.RoundingMode(fpcr);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.RoundInt(cpu.VfpReg(op.Rm, op.Size), op.Size, fpcr, rounding, false, ref cpu.State.Fpsr));
    }

    /// <summary>F5.1 VRINTX: FPRoundInt with the FPSCR rounding, raising Inexact when the value changes.</summary>
    public static void RoundIntX(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.RoundInt(cpu.VfpReg(op.Rm, op.Size), op.Size, fpcr, FloatingPoint.RoundingMode(fpcr), true, ref cpu.State.Fpsr));
    }

    // FPDecodeRM: the RM field of VRINTA/N/P/M and VCVTA/N/P/M (00 ties away, 01 nearest even, 10 +inf, 11 -inf).
    private static FPRounding DecodeRM(uint rm) => rm switch
    {
        0 => FPRounding.TieAway,
        1 => FPRounding.TieEven,
        2 => FPRounding.PosInf,
        _ => FPRounding.NegInf,
    };

    /// <summary>F5.1 VRINTA, VRINTN, VRINTP, VRINTM: FPRoundInt with the rounding of RM, no Inexact.</summary>
    public static void RoundIntDirected(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.RoundInt(cpu.VfpReg(op.Rm, op.Size), op.Size, cpu.State.Fpcr, DecodeRM(op.Imm), false, ref cpu.State.Fpsr));
    }

    /// <summary>F5.1 VCVT (between double-precision and single-precision): FPConvert with the FPSCR rounding.</summary>
    public static void ConvertPrecision(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        ulong r = FloatingPoint.Convert(cpu.VfpReg(op.Rm, op.Size), op.Size, op.Imm2, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr);
        cpu.SetVfpReg(op.Rd, op.Imm2, r);
    }

    /// <summary>
    /// F5.1 VCVTB, VCVTT: half precision (FPSCR.AHP selecting the alternative format) in the bottom or top half of an S
    /// register, to or from single or double precision; writing a half leaves the other half of the S register.
    /// </summary>
    public static void ConvertHalf(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        int shift = (int)op.Imm;
        if (op.Imm2 == 16)
        {
            ulong h = FloatingPoint.Convert(cpu.VfpReg(op.Rm, op.Size), op.Size, 16, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr);
            uint s = cpu.SReg(op.Rd);
            cpu.SetSReg(op.Rd, (s & ~(0xFFFFu << shift)) | (uint)h << shift);
        }
        else
        {
            ulong h = (cpu.SReg(op.Rm) >> shift) & 0xFFFF;
            cpu.SetVfpReg(op.Rd, op.Imm2, FloatingPoint.Convert(h, 16, op.Imm2, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr));
        }
    }

    /// <summary>F5.1 VCVT, VCVTR (floating-point to integer): FPToFixed to 32 bits, towards zero (VCVT) or with the FPSCR rounding (VCVTR).</summary>
    public static void ToInteger(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        var rounding = op.Imm2 == 1 ? FPRounding.Zero : FloatingPoint.RoundingMode(fpcr);
        cpu.SetSReg(op.Rd, (uint)FloatingPoint.ToFixed(cpu.VfpReg(op.Rm, op.Size), op.Size, 0, op.Unsigned, 32, fpcr, rounding, ref cpu.State.Fpsr));
    }

    /// <summary>F5.1 VCVTA, VCVTN, VCVTP, VCVTM (floating-point to integer): FPToFixed to 32 bits with the rounding of RM.</summary>
    public static void ToIntegerDirected(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        cpu.SetSReg(op.Rd, (uint)FloatingPoint.ToFixed(cpu.VfpReg(op.Rm, op.Size), op.Size, 0, op.Unsigned, 32, cpu.State.Fpcr, DecodeRM(op.Imm), ref cpu.State.Fpsr));
    }

    /// <summary>F5.1 VCVT (integer to floating-point): FixedToFP of a 32-bit S register with the FPSCR rounding.</summary>
    public static void FromInteger(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        uint fpcr = cpu.State.Fpcr;
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.FromFixed(cpu.SReg(op.Rm), 32, 0, op.Unsigned, op.Size, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr));
    }

    /// <summary>
    /// F5.1 VCVT (floating-point to fixed-point): FPToFixed towards zero to 16 or 32 bits, sign- or zero-extended into
    /// the whole register.
    /// </summary>
    public static void ToFixed(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        ulong r = FloatingPoint.ToFixed(cpu.VfpReg(op.Rd, op.Size), op.Size, (int)op.Imm, op.Unsigned, op.Imm2, cpu.State.Fpcr, FPRounding.Zero, ref cpu.State.Fpsr);
        if (!op.Unsigned && op.Imm2 == 16) r = (ulong)(long)(short)r;
        else if (!op.Unsigned) r = (ulong)(long)(int)r;
        cpu.SetVfpReg(op.Rd, op.Size, op.Size == 32 ? (uint)r : r);
    }

    /// <summary>
    /// F5.1 VCVT (fixed-point to floating-point): FixedToFP of the low 16 or 32 bits, rounding to nearest whatever
    /// FPSCR.RMode says (the pseudocode's FPRounding_TIEEVEN; QEMU agrees).
    /// </summary>
    public static void FromFixed(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.FromFixed(cpu.VfpReg(op.Rd, op.Size), op.Imm2, (int)op.Imm, op.Unsigned, op.Size, cpu.State.Fpcr, FPRounding.TieEven, ref cpu.State.Fpsr));
    }

    /// <summary>Decode constraint of VCVT (fixed-point): a fraction-bit count of 0 or more (size - imm5 &lt; 0 is UNPREDICTABLE).</summary>
    public static bool FixedFractionValid(uint insn) => A32Formats.VfpFixed(insn).Imm <= 32;

    /// <summary>F5.1 VSEL: Dd = cond ? Dn : Dm for cond = EQ, VS, GE, GT (the cc field), over the APSR flags.</summary>
    public static void Select(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        int cond = op.Imm2 switch { 0 => 0x0, 1 => 0x6, 2 => 0xA, _ => 0xC };
        cpu.SetVfpReg(op.Rd, op.Size, cpu.VfpReg(cpu.ConditionHolds(cond) ? op.Rn : op.Rm, op.Size));
    }

    /// <summary>F5.1 VMAXNM, VMINNM (op = opc3&lt;0&gt;): FPMaxNum / FPMinNum with the FPSCR controls.</summary>
    public static void MaxMinNum(Cpu cpu, in A32Operands op)
    {
        CheckEnabled(cpu, false);
        bool max = (op.Imm & 1) == 0;
        cpu.SetVfpReg(op.Rd, op.Size, FloatingPoint.MaxMinNum(cpu.VfpReg(op.Rn, op.Size), cpu.VfpReg(op.Rm, op.Size), op.Size, cpu.State.Fpcr, ref cpu.State.Fpsr, max));
    }
}
