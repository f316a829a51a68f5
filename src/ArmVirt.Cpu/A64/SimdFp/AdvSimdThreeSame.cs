using System.Runtime.Intrinsics;
using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Advanced SIMD three same and scalar three same (Arm ARM C4.1.96.x), integer and floating-point, including
/// the pairwise forms. The 5-bit opcode (bits 15..11) and U select the operation as in the encoding tables.
/// </summary>
internal static class AdvSimdThreeSame
{
    /// <summary>Integer three-same operation on one element (opcode = bits 15..11).</summary>
    public static ulong IntOp(int opc, bool u, int esize, ulong d, ulong a, ulong b, Cpu cpu)
    {
        ulong mask = Mask(esize);
        Int128 x = Int(a, esize, u), y = Int(b, esize, u);
        switch (opc)
        {
            case 0b00000: return (ulong)((x + y) >> 1) & mask;                 // SHADD/UHADD
            case 0b00001: return Sat(x + y, esize, u, cpu);                     // SQADD/UQADD
            case 0b00010: return (ulong)((x + y + 1) >> 1) & mask;             // SRHADD/URHADD
            case 0b00100: return (ulong)((x - y) >> 1) & mask;                 // SHSUB/UHSUB
            case 0b00101: return Sat(x - y, esize, u, cpu);                     // SQSUB/UQSUB
            case 0b00110: return x > y ? mask : 0;                              // CMGT/CMHI
            case 0b00111: return x >= y ? mask : 0;                             // CMGE/CMHS
            case 0b01000: return ShiftByRegister(a, b, esize, u, false, false, cpu); // SSHL/USHL
            case 0b01001: return ShiftByRegister(a, b, esize, u, false, true, cpu);  // SQSHL/UQSHL
            case 0b01010: return ShiftByRegister(a, b, esize, u, true, false, cpu);  // SRSHL/URSHL
            case 0b01011: return ShiftByRegister(a, b, esize, u, true, true, cpu);   // SQRSHL/UQRSHL
            case 0b01100: return (ulong)(x > y ? x : y) & mask;                 // SMAX/UMAX
            case 0b01101: return (ulong)(x < y ? x : y) & mask;                 // SMIN/UMIN
            case 0b01110: return (ulong)Int128.Abs(x - y) & mask;               // SABD/UABD
            case 0b01111: return (d + (ulong)Int128.Abs(x - y)) & mask;         // SABA/UABA
            case 0b10000: return (u ? a - b : a + b) & mask;                    // ADD/SUB
            case 0b10001: return (u ? a == b : (a & b) != 0) ? mask : 0;        // CMEQ/CMTST
            case 0b10010: return (u ? d - a * b : d + a * b) & mask;            // MLS/MLA
            case 0b10011: return (u ? PolynomialMultiply(a, b, esize) : a * b) & mask; // PMUL/MUL
            case 0b10100: return (ulong)(x > y ? x : y) & mask;                 // SMAXP/UMAXP
            case 0b10101: return (ulong)(x < y ? x : y) & mask;                 // SMINP/UMINP
            case 0b10110:                                                       // SQDMULH/SQRDMULH
            {
                Int128 p = 2 * (Int128)SignExtend(a, esize) * SignExtend(b, esize);
                if (u) p += Int128.One << (esize - 1);
                return SatS(p >> esize, esize, cpu);
            }
            default: return (a + b) & mask;                                     // ADDP
        }
    }

    /// <summary>
    /// SQRDMLAH/SQRDMLSH (FEAT_RDM; A32 VQRDMLAH/VQRDMLSH) for one element: SignedSatQ(((acc &lt;&lt; esize) +/- 2 * a * b
    /// + 2^(esize-1)) &gt;&gt; esize), FPSR.QC set on saturation (shared/functions AdvSIMD SQRDMLAH pseudocode).
    /// </summary>
    public static ulong RoundingDoublingMultiplyAccumulate(bool subtract, int esize, ulong acc, ulong a, ulong b, Cpu cpu)
    {
        Int128 product = 2 * (Int128)SignExtend(a, esize) * SignExtend(b, esize);
        Int128 accum = ((Int128)SignExtend(acc, esize) << esize) + (subtract ? -product : product) + (Int128.One << (esize - 1));
        return SatS(accum >> esize, esize, cpu);
    }

    /// <summary>
    /// The shift-by-register family (SSHL, SQSHL, SRSHL, SQRSHL and unsigned forms): shift = SInt(b&lt;7:0&gt;),
    /// negative shifts go right with an optional rounding constant, saturating forms use SatQ.
    /// </summary>
    public static ulong ShiftByRegister(ulong a, ulong b, int esize, bool unsigned, bool rounding, bool saturating, Cpu cpu)
    {
        int shift = (sbyte)(byte)b;
        Int128 x = Int(a, esize, unsigned);
        Int128 result;
        if (shift >= 0)
        {
            if (x == 0) return 0;
            if (shift >= esize)
            {
                if (!saturating) return 0;
                return Sat(x > 0 ? Int128.MaxValue : Int128.MinValue, esize, unsigned, cpu);
            }
            result = x << shift;
        }
        else
        {
            int s = -shift;
            if (s >= 100) result = rounding ? 0 : (x < 0 ? -1 : 0);
            else result = (x + (rounding ? Int128.One << (s - 1) : 0)) >> s;
        }
        return saturating ? Sat(result, esize, unsigned, cpu) : (ulong)result & Mask(esize);
    }

    /// <summary>PolynomialMult truncated to <paramref name="esize"/> bits (PMUL).</summary>
    public static ulong PolynomialMultiply(ulong a, ulong b, int esize)
    {
        ulong r = 0;
        for (int i = 0; i < esize; i++)
            if (((b >> i) & 1) != 0) r ^= a << i;
        return r;
    }

    /// <summary>Integer three same, vector and scalar (non-pairwise opcodes).</summary>
    public static void Integer(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = Esize(insn), opc = (int)Bits(insn, 15, 11);
        int elements = scalar ? 1 : (q ? 128 : 64) / esize;
        if (!scalar && HostVectorOps.TryThreeSame(opc, u, esize, cpu.VReg(Rn(insn)), cpu.VReg(Rm(insn)), out var hostResult))
        {
            cpu.VReg(Rd(insn)) = q ? hostResult : hostResult.AsUInt64().WithElement(1, 0UL).AsByte();
            return;
        }
        UInt128 vn = Get(cpu, Rn(insn)), vm = Get(cpu, Rm(insn)), vd = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, IntOp(opc, u, esize, Elem(vd, i, esize), Elem(vn, i, esize), Elem(vm, i, esize), cpu));
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Integer pairwise three same: ADDP, SMAXP/UMAXP, SMINP/UMINP (operand pairs from Vm:Vn).</summary>
    public static void IntegerPairwise(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), u = U(insn);
        int esize = Esize(insn), opc = (int)Bits(insn, 15, 11);
        int elements = (q ? 128 : 64) / esize;
        UInt128 vn = Get(cpu, Rn(insn)), vm = Get(cpu, Rm(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            UInt128 src = i < elements / 2 ? vn : vm;
            int j = (i % (elements / 2)) * 2;
            r = With(r, i, esize, IntOp(opc, u, esize, 0, Elem(src, j, esize), Elem(src, j + 1, esize), cpu));
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF (vector).</summary>
    public static void Logical(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn)), d = Get(cpu, Rd(insn));
        UInt128 r = ((U(insn) ? 4 : 0) + (int)Bits(insn, 23, 22)) switch
        {
            0 => n & m,
            1 => n & ~m,
            2 => n | m,
            3 => n | ~m,
            4 => n ^ m,
            5 => (d & n) | (~d & m),  // BSL
            6 => (m & n) | (~m & d),  // BIT
            _ => (~m & n) | (m & d),  // BIF
        };
        Set(cpu, Rd(insn), r, Q(insn));
    }

    /// <summary>Floating-point three-same operation on one element: key = U:a:opcode&lt;2:0&gt;.</summary>
    public static ulong FpOp(int key, int n, ulong d, ulong a, ulong b, Cpu cpu) => FpOp(key, n, d, a, b, cpu, cpu.State.Fpcr);

    /// <summary>
    /// <see cref="FpOp(int, int, ulong, ulong, ulong, Cpu)"/> under the given FPCR (AArch32 Advanced SIMD passes
    /// StandardFPSCRValue).
    /// </summary>
    public static ulong FpOp(int key, int n, ulong d, ulong a, ulong b, Cpu cpu, uint fpcr)
    {
        ref uint fpsr = ref cpu.State.Fpsr;
        ulong ones = Mask(n);
        switch (key)
        {
            case 0b0_0_000: return FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, true);   // FMAXNM
            case 0b0_0_001: return FloatingPoint.MulAdd(d, a, b, n, fpcr, ref fpsr);         // FMLA
            case 0b0_0_010: return FloatingPoint.Add(a, b, n, fpcr, ref fpsr);               // FADD
            case 0b0_0_011: return FloatingPoint.Mul(a, b, n, fpcr, ref fpsr, mulx: true);   // FMULX
            case 0b0_0_100: return FloatingPoint.CompareCondition(a, b, n, 0, fpcr, ref fpsr) ? ones : 0; // FCMEQ
            case 0b0_0_110: return FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, true);      // FMAX
            case 0b0_0_111: return FloatingPoint.RecipStepFused(a, b, n, fpcr, ref fpsr);    // FRECPS
            case 0b0_1_000: return FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, false);  // FMINNM
            case 0b0_1_001: return FloatingPoint.MulAdd(d, FloatingPoint.Neg(a, n), b, n, fpcr, ref fpsr); // FMLS
            case 0b0_1_010: return FloatingPoint.Sub(a, b, n, fpcr, ref fpsr);               // FSUB
            case 0b0_1_110: return FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, false);     // FMIN
            case 0b0_1_111: return FloatingPoint.RSqrtStepFused(a, b, n, fpcr, ref fpsr);    // FRSQRTS
            case 0b1_0_000: return FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, true);   // FMAXNMP
            case 0b1_0_010: return FloatingPoint.Add(a, b, n, fpcr, ref fpsr);               // FADDP
            case 0b1_0_011: return FloatingPoint.Mul(a, b, n, fpcr, ref fpsr);               // FMUL
            case 0b1_0_100: return FloatingPoint.CompareCondition(a, b, n, 1, fpcr, ref fpsr) ? ones : 0; // FCMGE
            case 0b1_0_101: return FloatingPoint.CompareCondition(FloatingPoint.Abs(a, n), FloatingPoint.Abs(b, n), n, 1, fpcr, ref fpsr) ? ones : 0; // FACGE
            case 0b1_0_110: return FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, true);      // FMAXP
            case 0b1_0_111: return FloatingPoint.Div(a, b, n, fpcr, ref fpsr);               // FDIV
            case 0b1_1_000: return FloatingPoint.MaxMinNum(a, b, n, fpcr, ref fpsr, false);  // FMINNMP
            case 0b1_1_010: return FloatingPoint.Abs(FloatingPoint.Sub(a, b, n, fpcr, ref fpsr), n); // FABD
            case 0b1_1_100: return FloatingPoint.CompareCondition(a, b, n, 2, fpcr, ref fpsr) ? ones : 0; // FCMGT
            case 0b1_1_101: return FloatingPoint.CompareCondition(FloatingPoint.Abs(a, n), FloatingPoint.Abs(b, n), n, 2, fpcr, ref fpsr) ? ones : 0; // FACGT
            default: return FloatingPoint.MaxMin(a, b, n, fpcr, ref fpsr, false);            // FMINP
        }
    }

    private static int FpKey(uint insn) => (U(insn) ? 16 : 0) | ((insn & (1u << 23)) != 0 ? 8 : 0) | (int)Bits(insn, 13, 11);

    /// <summary>Floating-point three same, vector and scalar (non-pairwise).</summary>
    public static void Fp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        int esize = FpEsize(insn), key = FpKey(insn);
        int elements = scalar ? 1 : (q ? 128 : 64) / esize;
        UInt128 vn = Get(cpu, Rn(insn)), vm = Get(cpu, Rm(insn)), vd = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, FpOp(key, esize, Elem(vd, i, esize), Elem(vn, i, esize), Elem(vm, i, esize), cpu));
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Floating-point pairwise three same: FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (vector).</summary>
    public static void FpPairwise(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn);
        int esize = FpEsize(insn), key = FpKey(insn);
        int elements = (q ? 128 : 64) / esize;
        UInt128 vn = Get(cpu, Rn(insn)), vm = Get(cpu, Rm(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            UInt128 src = i < elements / 2 ? vn : vm;
            int j = (i % (elements / 2)) * 2;
            r = With(r, i, esize, FpOp(key, esize, 0, Elem(src, j, esize), Elem(src, j + 1, esize), cpu));
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Scalar pairwise: ADDP (D), FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (bits 16..12 select; U = 1 for FP).</summary>
    public static void ScalarPairwise(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        UInt128 vn = Get(cpu, Rn(insn));
        ulong r;
        if (!U(insn))
            r = Elem(vn, 0, 64) + Elem(vn, 1, 64);
        else
        {
            int esize = FpEsize(insn);
            int opcode = (int)Bits(insn, 16, 12);
            int key = 16 | ((insn & (1u << 23)) != 0 ? 8 : 0) | (opcode == 0b01100 ? 0 : opcode == 0b01101 ? 2 : 6);
            r = FpOp(key, esize, 0, Elem(vn, 0, esize), Elem(vn, 1, esize), cpu);
            Set(cpu, Rd(insn), r, false);
            return;
        }
        Set(cpu, Rd(insn), r, false);
    }
}
