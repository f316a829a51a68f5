using System.Numerics;
using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Advanced SIMD shift by immediate and scalar shift by immediate (Arm ARM C4.1.96.x).</summary>
internal static class AdvSimdShift
{
    /// <summary>Element size from immh (bits 22..19): 8 &lt;&lt; HighestSetBit(immh).</summary>
    public static int ShiftEsize(uint insn) => 8 << (31 - BitOperations.LeadingZeroCount(Bits(insn, 22, 19)));

    private static int ImmhImmb(uint insn) => (int)Bits(insn, 22, 16);

    /// <summary>Constraint: immh != 0, and a 64-bit element needs Q = 1 (vector) — scalar forms take any size.</summary>
    public static bool ShiftValid(uint insn) => Bits(insn, 22, 19) != 0 && (IsScalar(insn) || (insn & (1u << 22)) == 0 || Q(insn));

    /// <summary>Constraint for scalar forms that exist only for 64-bit elements (immh = 1xxx).</summary>
    public static bool ScalarD(uint insn) => (insn & (1u << 22)) != 0;

    /// <summary>Constraint for narrowing and long forms: immh is 0001..0111.</summary>
    public static bool NarrowValid(uint insn) => Bits(insn, 22, 19) != 0 && (insn & (1u << 22)) == 0;

    /// <summary>Constraint for the fixed-point conversions: immh is 01xx or (1xxx with Q = 1 or scalar).</summary>
    public static bool FixedValid(uint insn) => Bits(insn, 22, 21) != 0 && ShiftValid(insn);

    /// <summary>SSHR, USHR, SSRA, USRA, SRSHR, URSHR, SRSRA, URSRA, SRI, SHL, SLI, SQSHLU, SQSHL, UQSHL (vector and scalar).</summary>
    public static void Shift(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = ShiftEsize(insn), elements = scalar ? 1 : (q ? 128 : 64) / esize;
        int opc = (int)Bits(insn, 15, 11);
        int right = 2 * esize - ImmhImmb(insn), left = ImmhImmb(insn) - esize;
        UInt128 n = Get(cpu, Rn(insn)), d = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, ShiftOp(opc, u, esize, Elem(n, i, esize), Elem(d, i, esize), right, left, cpu));
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>
    /// One element of SSHR, SSRA, SRSHR, SRSRA, SRI, SHL/SLI, SQSHLU, SQSHL/UQSHL (opc = bits 15..11) and of their
    /// A32 counterparts: <paramref name="x"/> shifted right by <paramref name="right"/> or left by <paramref name="left"/>,
    /// <paramref name="de"/> the destination element (accumulate and insert forms).
    /// </summary>
    public static ulong ShiftOp(int opc, bool u, int esize, ulong x, ulong de, int right, int left, Cpu cpu)
    {
        ulong mask = Mask(esize);
        Int128 v = Int(x, esize, u);
        ulong e;
        switch (opc)
        {
            case 0b00000: e = (ulong)(v >> right) & mask; break;
            case 0b00010: e = (de + (ulong)(v >> right)) & mask; break;
            case 0b00100: e = (ulong)((v + (Int128.One << (right - 1))) >> right) & mask; break;
            case 0b00110: e = (de + (ulong)((v + (Int128.One << (right - 1))) >> right)) & mask; break;
            case 0b01000: // SRI
            {
                ulong m = right >= 64 ? 0 : mask >> right;
                e = (de & ~m) | (right >= 64 ? 0 : x >> right);
                break;
            }
            case 0b01010: // SHL / SLI
            {
                ulong shifted = (x << left) & mask;
                e = u ? (de & ~((mask << left) & mask)) | shifted : shifted;
                break;
            }
            case 0b01100: e = SatU((Int128)SignExtend(x, esize) << left, esize, cpu); break; // SQSHLU
            default: e = Sat(v << left, esize, u, cpu); break;                                  // SQSHL / UQSHL
        }
        return e;
    }

    /// <summary>SHRN, RSHRN, SQSHRN, UQSHRN, SQRSHRN, UQRSHRN, SQSHRUN, SQRSHRUN (vector "2" forms and scalar).</summary>
    public static void ShiftNarrow(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = ShiftEsize(insn), elements = scalar ? 1 : 64 / esize;
        int opc = (int)Bits(insn, 15, 11);
        int shift = 2 * esize - ImmhImmb(insn);
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < elements; i++)
            r = With(r, i, esize, NarrowOp(opc, u, esize, Elem(n, i, 2 * esize), shift, cpu));
        AdvSimdTwoRegister.WriteHalf(cpu, Rd(insn), r, q);
    }

    /// <summary>
    /// One element of SHRN, RSHRN, SQSHRUN, SQRSHRUN, SQSHRN/UQSHRN, SQRSHRN/UQRSHRN (opc = bits 15..11) and of their
    /// A32 counterparts: the 2 * esize-bit <paramref name="x"/> shifted right by <paramref name="shift"/>, narrowed.
    /// </summary>
    public static ulong NarrowOp(int opc, bool u, int esize, ulong x, int shift, Cpu cpu)
    {
        bool round = (opc & 1) != 0;
        bool srcUnsigned = opc < 0b10010 ? !u : u; // SHRN/RSHRN: any; SQSHRUN/SQRSHRUN: signed source
        Int128 v = Int(x, 2 * esize, opc < 0b10010 ? (!u) : u);
        if (round) v += Int128.One << (shift - 1);
        v >>= shift;
        return opc < 0b10010
            ? (u ? SatU(v, esize, cpu) : (ulong)v & Mask(esize))
            : Sat(v, esize, srcUnsigned, cpu);
    }

    /// <summary>SSHLL/USHLL (and SXTL/UXTL): widening shift left of the lower or upper half.</summary>
    public static void ShiftLong(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool u = U(insn);
        int esize = ShiftEsize(insn), shift = ImmhImmb(insn) - esize;
        UInt128 n = Get(cpu, Rn(insn));
        ulong half = Q(insn) ? (ulong)(n >> 64) : (ulong)n;
        UInt128 r = 0;
        for (int i = 0; i < 64 / esize; i++)
        {
            ulong x = Elem(half, i, esize);
            ulong v = u ? x : (ulong)SignExtend(x, esize);
            r = With(r, i, 2 * esize, v << shift);
        }
        Set(cpu, Rd(insn), r, true);
    }

    /// <summary>SCVTF/UCVTF (vector and scalar, fixed-point) and FCVTZS/FCVTZU (fixed-point).</summary>
    public static void FixedConvert(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar, u = U(insn);
        int esize = ShiftEsize(insn), elements = scalar ? 1 : (q ? 128 : 64) / esize;
        int fbits = 2 * esize - ImmhImmb(insn);
        bool toFp = Bits(insn, 15, 11) == 0b11100;
        uint fpcr = cpu.State.Fpcr;
        UInt128 n = Get(cpu, Rn(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            ulong x = Elem(n, i, esize);
            ulong e = toFp
                ? FloatingPoint.FromFixed(x, esize, fbits, u, esize, fpcr, FloatingPoint.RoundingMode(fpcr), ref cpu.State.Fpsr)
                : FloatingPoint.ToFixed(x, esize, fbits, u, esize, fpcr, FPRounding.Zero, ref cpu.State.Fpsr);
            r = With(r, i, esize, e);
        }
        Set(cpu, Rd(insn), r, q);
    }
}
