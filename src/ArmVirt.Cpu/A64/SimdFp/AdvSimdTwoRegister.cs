using System.Numerics;
using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Advanced SIMD two-register miscellaneous and scalar two-register miscellaneous (Arm ARM C4.1.96.x).</summary>
internal static class AdvSimdTwoRegister
{
    /// <summary>Integer element operation keyed by U:opcode.</summary>
    public static ulong IntOp(int key, int esize, ulong d, ulong x, Cpu cpu)
    {
        ulong mask = Mask(esize);
        long s = SignExtend(x, esize);
        switch (key)
        {
            case 0b0_00011: return SatS((Int128)SignExtend(d, esize) + (Int128)x, esize, cpu);   // SUQADD
            case 0b1_00011: return SatU((Int128)d + s, esize, cpu);                              // USQADD
            case 0b0_00100: return (ulong)(BitOperations.LeadingZeroCount((x ^ (x >> 1)) & (mask >> 1)) - 65 + esize); // CLS
            case 0b1_00100: return (ulong)(BitOperations.LeadingZeroCount(x) - (64 - esize));  // CLZ
            case 0b0_00101: return (ulong)BitOperations.PopCount(x);                           // CNT
            case 0b0_00111: return SatS(Int128.Abs(s), esize, cpu);                            // SQABS
            case 0b1_00111: return SatS(-(Int128)s, esize, cpu);                                // SQNEG
            case 0b0_01000: return s > 0 ? mask : 0;                                           // CMGT #0
            case 0b1_01000: return s >= 0 ? mask : 0;                                          // CMGE #0
            case 0b0_01001: return s == 0 ? mask : 0;                                          // CMEQ #0
            case 0b1_01001: return s <= 0 ? mask : 0;                                          // CMLE #0
            case 0b0_01010: return s < 0 ? mask : 0;                                           // CMLT #0
            case 0b0_01011: return (ulong)(s < 0 ? -s : s) & mask;                             // ABS
            default: return (ulong)-s & mask;                                                  // NEG
        }
    }

    /// <summary>Integer two-register misc with one result per element (vector and scalar).</summary>
    public static void Integer(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        int esize = Esize(insn), key = (U(insn) ? 32 : 0) | (int)Bits(insn, 16, 12);
        int elements = scalar ? 1 : (q ? 128 : 64) / esize;
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < elements; i++) r = With(r, i, esize, IntOp(key, esize, Elem(d, i, esize), Elem(n, i, esize), cpu));
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>NOT (size 00) and RBIT (size 01), bytewise.</summary>
    public static void NotRbit(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), rbit = (insn & (1u << 22)) != 0;
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < 16; i++)
        {
            ulong b = Elem(n, i, 8);
            r = With(r, i, 8, rbit ? (ulong)(byte)((b * 0x0202020202UL & 0x010884422010UL) % 1023) : ~b);
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>REV64, REV32, REV16: reverses elements within 64/32/16-bit containers.</summary>
    public static void Rev(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn);
        int esize = Esize(insn);
        int container = U(insn) ? 32 : (insn & (1u << 12)) != 0 ? 16 : 64;
        int perContainer = container / esize;
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        int elements = (q ? 128 : 64) / esize;
        for (int i = 0; i < elements; i++)
        {
            int baseIndex = i - i % perContainer;
            r = With(r, baseIndex + perContainer - 1 - i % perContainer, esize, Elem(n, i, esize));
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Constraint for REV: element size below the container.</summary>
    public static bool RevValid(uint insn)
    {
        int container = U(insn) ? 32 : (insn & (1u << 12)) != 0 ? 16 : 64;
        return Esize(insn) < container;
    }

    /// <summary>SADDLP, UADDLP, SADALP, UADALP (bit 14 = accumulate).</summary>
    public static void PairwiseLong(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), u = U(insn), acc = (insn & (1u << 14)) != 0;
        int esize = Esize(insn), elements = (q ? 128 : 64) / (2 * esize);
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            Int128 sum = Int(Elem(n, 2 * i, esize), esize, u) + Int(Elem(n, 2 * i + 1, esize), esize, u);
            ulong v = (ulong)sum + (acc ? Elem(d, i, 2 * esize) : 0);
            r = With(r, i, 2 * esize, v);
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>XTN, SQXTN, UQXTN, SQXTUN (vector, with the "2" upper-half forms, and scalar).</summary>
    public static void Narrow(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = Esize(insn), elements = scalar ? 1 : 64 / esize;
        int opc = (int)Bits(insn, 16, 12);
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            ulong x = Elem(n, i, 2 * esize);
            ulong e = opc == 0b10010 && !u ? x & Mask(esize)                                   // XTN
                : opc == 0b10010 ? SatU(SignExtend(x, 2 * esize), esize, cpu)                  // SQXTUN
                : u ? SatU(x, esize, cpu) : SatS(SignExtend(x, 2 * esize), esize, cpu);        // UQXTN / SQXTN
            r = With(r, i, esize, e);
        }
        WriteHalf(cpu, Rd(insn), r, q);
    }

    /// <summary>Writes a 64-bit result to the lower half (clearing the upper) or, for the "2" forms, to the upper half.</summary>
    public static void WriteHalf(Cpu cpu, int d, UInt128 r, bool upper)
    {
        if (upper) Set(cpu, d, ((UInt128)(ulong)r << 64) | (ulong)Get(cpu, d), true);
        else Set(cpu, d, (ulong)r, false);
    }

    /// <summary>SHLL/SHLL2: widens and shifts left by the element size.</summary>
    public static void Shll(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int esize = Esize(insn);
        UInt128 n = Get(cpu, Rn(insn));
        ulong half = Q(insn) ? (ulong)(n >> 64) : (ulong)n;
        UInt128 r = 0;
        for (int i = 0; i < 64 / esize; i++) r = With(r, i, 2 * esize, Elem(half, i, esize) << esize);
        Set(cpu, Rd(insn), r, true);
    }

    /// <summary>FCVTN/FCVTN2 (bit 29 clear) and FCVTXN/FCVTXN2 (round to odd), vector and scalar.</summary>
    public static void FcvtNarrow(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        int src = FpEsize(insn), dst = src / 2;
        uint fpcr = cpu.State.Fpcr;
        FPRounding rounding = U(insn) ? FPRounding.Odd : FloatingPoint.RoundingMode(fpcr);
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < (scalar ? 1 : 64 / dst); i++)
            r = With(r, i, dst, FloatingPoint.Convert(Elem(n, i, src), src, dst, fpcr, rounding, ref cpu.State.Fpsr));
        WriteHalf(cpu, Rd(insn), r, q);
    }

    /// <summary>FCVTL/FCVTL2: widens half to single or single to double.</summary>
    public static void FcvtLong(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int dst = FpEsize(insn), src = dst / 2;
        uint fpcr = cpu.State.Fpcr;
        UInt128 n = Get(cpu, Rn(insn));
        ulong half = Q(insn) ? (ulong)(n >> 64) : (ulong)n;
        UInt128 r = 0;
        for (int i = 0; i < 128 / dst; i++)
            r = With(r, i, dst, FloatingPoint.Convert(Elem(half, i, src), src, dst, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr));
        Set(cpu, Rd(insn), r, true);
    }

    /// <summary>Floating-point element operation keyed by U:a:opcode (a = bit 23).</summary>
    public static ulong FpOp(int key, int n, ulong x, Cpu cpu) => FpOp(key, n, x, cpu, cpu.State.Fpcr);

    /// <summary><see cref="FpOp(int, int, ulong, Cpu)"/> under the given FPCR (AArch32 Advanced SIMD passes StandardFPSCRValue).</summary>
    public static ulong FpOp(int key, int n, ulong x, Cpu cpu, uint fpcr)
    {
        ref uint fpsr = ref cpu.State.Fpsr;
        ulong ones = Mask(n);
        switch (key)
        {
            case 0b0_0_11000: return FloatingPoint.RoundInt(x, n, fpcr, FPRounding.TieEven, false, ref fpsr);  // FRINTN
            case 0b0_0_11001: return FloatingPoint.RoundInt(x, n, fpcr, FPRounding.NegInf, false, ref fpsr);   // FRINTM
            case 0b0_1_11000: return FloatingPoint.RoundInt(x, n, fpcr, FPRounding.PosInf, false, ref fpsr);   // FRINTP
            case 0b0_1_11001: return FloatingPoint.RoundInt(x, n, fpcr, FPRounding.Zero, false, ref fpsr);     // FRINTZ
            case 0b1_0_11000: return FloatingPoint.RoundInt(x, n, fpcr, FPRounding.TieAway, false, ref fpsr);  // FRINTA
            case 0b1_0_11001: return FloatingPoint.RoundInt(x, n, fpcr, FloatingPoint.RoundingMode(fpcr), true, ref fpsr);  // FRINTX
            case 0b1_1_11001: return FloatingPoint.RoundInt(x, n, fpcr, FloatingPoint.RoundingMode(fpcr), false, ref fpsr); // FRINTI
            case 0b0_0_11010: case 0b1_0_11010: return FloatingPoint.ToFixed(x, n, 0, key >= 64, n, fpcr, FPRounding.TieEven, ref fpsr); // FCVTN*
            case 0b0_1_11010: case 0b1_1_11010: return FloatingPoint.ToFixed(x, n, 0, key >= 64, n, fpcr, FPRounding.PosInf, ref fpsr);  // FCVTP*
            case 0b0_0_11011: case 0b1_0_11011: return FloatingPoint.ToFixed(x, n, 0, key >= 64, n, fpcr, FPRounding.NegInf, ref fpsr);  // FCVTM*
            case 0b0_1_11011: case 0b1_1_11011: return FloatingPoint.ToFixed(x, n, 0, key >= 64, n, fpcr, FPRounding.Zero, ref fpsr);    // FCVTZ*
            case 0b0_0_11100: case 0b1_0_11100: return FloatingPoint.ToFixed(x, n, 0, key >= 64, n, fpcr, FPRounding.TieAway, ref fpsr); // FCVTA*
            case 0b0_0_11101: case 0b1_0_11101: return FloatingPoint.FromFixed(x, n, 0, key >= 64, n, fpcr, FloatingPoint.RoundingMode(fpcr), ref fpsr); // SCVTF/UCVTF
            case 0b0_1_01100: return FloatingPoint.CompareCondition(x, 0, n, 2, fpcr, ref fpsr) ? ones : 0;  // FCMGT #0
            case 0b0_1_01101: return FloatingPoint.CompareCondition(x, 0, n, 0, fpcr, ref fpsr) ? ones : 0;  // FCMEQ #0
            case 0b0_1_01110: return FloatingPoint.CompareCondition(0, x, n, 2, fpcr, ref fpsr) ? ones : 0;  // FCMLT #0
            case 0b1_1_01100: return FloatingPoint.CompareCondition(x, 0, n, 1, fpcr, ref fpsr) ? ones : 0;  // FCMGE #0
            case 0b1_1_01101: return FloatingPoint.CompareCondition(0, x, n, 1, fpcr, ref fpsr) ? ones : 0;  // FCMLE #0
            case 0b0_1_01111: return FloatingPoint.Abs(x, n);                                               // FABS
            case 0b1_1_01111: return FloatingPoint.Neg(x, n);                                               // FNEG
            case 0b1_1_11111: return FloatingPoint.Sqrt(x, n, fpcr, ref fpsr);                              // FSQRT
            case 0b0_1_11101: return FloatingPoint.RecipEstimateFP(x, n, fpcr, ref fpsr);                   // FRECPE
            case 0b1_1_11101: return FloatingPoint.RSqrtEstimateFP(x, n, fpcr, ref fpsr);                   // FRSQRTE
            case 0b0_1_11111: return FloatingPoint.RecpX(x, n, fpcr, ref fpsr);                             // FRECPX
            case 0b0_1_11100:                                                                               // URECPE
                return (x & 0x8000_0000) == 0 ? 0xFFFF_FFFF : (ulong)(FloatingPoint.RecipEstimate((int)((x >> 23) & 0x1FF)) & 0x1FF) << 23;
            default:                                                                                        // URSQRTE
                return (x & 0xC000_0000) == 0 ? 0xFFFF_FFFF : (ulong)(FloatingPoint.RecipSqrtEstimate((int)((x >> 23) & 0x1FF)) & 0x1FF) << 23;
        }
    }

    /// <summary>Floating-point two-register misc (vector and scalar).</summary>
    public static void Fp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        int esize = FpEsize(insn), key = (U(insn) ? 64 : 0) | ((insn & (1u << 23)) != 0 ? 32 : 0) | (int)Bits(insn, 16, 12);
        int elements = scalar ? 1 : (q ? 128 : 64) / esize;
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < elements; i++) r = With(r, i, esize, FpOp(key, esize, Elem(n, i, esize), cpu));
        Set(cpu, Rd(insn), r, q);
    }
}
