using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Advanced SIMD three different (long, wide and narrowing-high forms, PMULL), scalar three different and
/// vector/scalar x indexed element (Arm ARM C4.1.96.x).
/// </summary>
internal static class AdvSimdThreeDifferent
{
    /// <summary>Long operation on narrow elements <paramref name="a"/>, <paramref name="b"/> with wide accumulator <paramref name="d"/> (opcode bits 15..12).</summary>
    public static ulong LongOp(int opc, bool u, int esize, ulong d, ulong a, ulong b, Cpu cpu)
    {
        int wide = 2 * esize;
        ulong mask = Mask(wide);
        Int128 x = Int(a, esize, u), y = Int(b, esize, u);
        switch (opc)
        {
            case 0b0000: return (ulong)(x + y) & mask;
            case 0b0010: return (ulong)(x - y) & mask;
            case 0b0101: return (d + (ulong)Int128.Abs(x - y)) & mask;
            case 0b0111: return (ulong)Int128.Abs(x - y) & mask;
            case 0b1000: return (d + (ulong)(x * y)) & mask;
            case 0b1010: return (d - (ulong)(x * y)) & mask;
            case 0b1100: return (ulong)(x * y) & mask;
            case 0b1001: return SatS((Int128)SignExtend(d, wide) + SignExtend(SatS(2 * x * y, wide, cpu), wide), wide, cpu);
            case 0b1011: return SatS((Int128)SignExtend(d, wide) - SignExtend(SatS(2 * x * y, wide, cpu), wide), wide, cpu);
            case 0b1101: return SatS(2 * x * y, wide, cpu);
            default: return AdvSimdThreeSame.PolynomialMultiply(a, b, wide);
        }
    }

    /// <summary>SADDL..UMULL, SQDMLAL, SQDMLSL, SQDMULL, PMULL (8-bit): long forms, vector and scalar.</summary>
    public static void Long(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), u = U(insn), part = Q(insn) && !scalar;
        int esize = Esize(insn), opc = (int)Bits(insn, 15, 12), elements = scalar ? 1 : 64 / esize;
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn)), d = Get(cpu, Rd(insn)), r = 0;
        ulong nh = part ? (ulong)(n >> 64) : (ulong)n, mh = part ? (ulong)(m >> 64) : (ulong)m;
        for (int i = 0; i < elements; i++)
            r = With(r, i, 2 * esize, LongOp(opc, u, esize, Elem(d, i, 2 * esize), Elem(nh, i, esize), Elem(mh, i, esize), cpu));
        Set(cpu, Rd(insn), r, !scalar);
    }

    /// <summary>SADDW, UADDW, SSUBW, USUBW (bit 13 = subtract).</summary>
    public static void Wide(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool u = U(insn), sub = (insn & (1u << 13)) != 0;
        int esize = Esize(insn);
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn)), r = 0;
        ulong mh = Q(insn) ? (ulong)(m >> 64) : (ulong)m;
        for (int i = 0; i < 64 / esize; i++)
        {
            ulong b = (ulong)(long)Int(Elem(mh, i, esize), esize, u);
            ulong a = Elem(n, i, 2 * esize);
            r = With(r, i, 2 * esize, sub ? a - b : a + b);
        }
        Set(cpu, Rd(insn), r, true);
    }

    /// <summary>ADDHN, RADDHN, SUBHN, RSUBHN (bit 13 = subtract, U = round).</summary>
    public static void NarrowHigh(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool round = U(insn), sub = (insn & (1u << 13)) != 0;
        int esize = Esize(insn);
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn)), r = 0;
        for (int i = 0; i < 64 / esize; i++)
        {
            UInt128 a = Elem(n, i, 2 * esize), b = Elem(m, i, 2 * esize);
            UInt128 s = sub ? a - b : a + b;
            if (round) s += UInt128.One << (esize - 1);
            r = With(r, i, esize, (ulong)(s >> esize));
        }
        AdvSimdTwoRegister.WriteHalf(cpu, Rd(insn), r, Q(insn));
    }

    /// <summary>PMULL/PMULL2 with 64-bit elements (FEAT_PMULL): 64 x 64 -> 128-bit carry-less product.</summary>
    public static void Pmull64(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn));
        ulong a = Q(insn) ? (ulong)(n >> 64) : (ulong)n, b = Q(insn) ? (ulong)(m >> 64) : (ulong)m;
        Set(cpu, Rd(insn), CarrylessMultiply.Multiply(a, b), true);
    }

    // ---- x indexed element ----

    private static (int Index, int Rm) IndexAndRegister(uint insn, int esize, bool fp)
    {
        int h = (int)Bits(insn, 11, 11), l = (int)Bits(insn, 21, 21), mBit = (int)Bits(insn, 20, 20);
        int rm = (int)Bits(insn, 19, 16);
        if (!fp && esize == 16) return ((h << 2) | (l << 1) | mBit, rm);
        if (fp && esize == 64) return (h, (mBit << 4) | rm);
        return ((h << 1) | l, (mBit << 4) | rm);
    }

    /// <summary>Integer x indexed element, same-width forms: MUL, MLA, MLS, SQDMULH, SQRDMULH (vector and scalar).</summary>
    public static void IndexedSame(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = Esize(insn), elements = scalar ? 1 : (q ? 128 : 64) / esize;
        var (index, rm) = IndexAndRegister(insn, esize, false);
        int opc = (int)Bits(insn, 15, 12) switch
        {
            0b1000 => 0b10011,        // MUL
            0b0000 => 0b10010,        // MLA
            0b0100 => 0b10010,        // MLS (U = 1 selects subtract)
            _ => 0b10110,             // SQDMULH (1100) / SQRDMULH (1101)
        };
        bool opU = Bits(insn, 15, 12) switch { 0b0100 => true, 0b1101 => true, _ => false };
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        ulong b = Elem(Get(cpu, rm), index, esize);
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, AdvSimdThreeSame.IntOp(opc, opU, esize, Elem(d, i, esize), Elem(n, i, esize), b, cpu));
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Integer x indexed element, long forms: SMLAL, UMLAL, SMLSL, UMLSL, SMULL, UMULL, SQDMLAL, SQDMLSL, SQDMULL.</summary>
    public static void IndexedLong(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), u = U(insn), part = Q(insn) && !scalar;
        int esize = Esize(insn), opc = (int)Bits(insn, 15, 12), elements = scalar ? 1 : 64 / esize;
        var (index, rm) = IndexAndRegister(insn, esize, false);
        int longOpc = opc switch
        {
            0b0010 => 0b1000, 0b0110 => 0b1010, 0b1010 => 0b1100,  // MLAL, MLSL, MULL
            0b0011 => 0b1001, 0b0111 => 0b1011, _ => 0b1101,         // SQDMLAL, SQDMLSL, SQDMULL
        };
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        ulong nh = part ? (ulong)(n >> 64) : (ulong)n;
        ulong b = Elem(Get(cpu, rm), index, esize);
        for (int i = 0; i < elements; i++)
            r = With(r, i, 2 * esize, LongOp(longOpc, u, esize, Elem(d, i, 2 * esize), Elem(nh, i, esize), b, cpu));
        Set(cpu, Rd(insn), r, !scalar);
    }

    /// <summary>FMLA, FMLS, FMUL, FMULX (by element), vector and scalar.</summary>
    public static void IndexedFp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        int esize = FpEsize(insn), elements = scalar ? 1 : (q ? 128 : 64) / esize;
        var (index, rm) = IndexAndRegister(insn, esize, true);
        int key = Bits(insn, 15, 12) switch
        {
            0b0001 => 0b0_0_001,                          // FMLA
            0b0101 => 0b0_1_001,                          // FMLS
            _ => U(insn) ? 0b0_0_011 : 0b1_0_011,         // FMULX : FMUL
        };
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        ulong b = Elem(Get(cpu, rm), index, esize);
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, AdvSimdThreeSame.FpOp(key, esize, Elem(d, i, esize), Elem(n, i, esize), b, cpu));
        Set(cpu, Rd(insn), r, q);
    }
}
