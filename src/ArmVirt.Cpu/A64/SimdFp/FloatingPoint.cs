using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>FPType (shared/functions/float/fpdecoderounding/FPType).</summary>
internal enum FPType
{
    /// <summary>±0 (or a denormal flushed by FPCR.FZ).</summary>
    Zero,
    /// <summary>Subnormal number.</summary>
    Denormal,
    /// <summary>Normal number.</summary>
    Nonzero,
    /// <summary>±infinity.</summary>
    Infinity,
    /// <summary>Quiet NaN.</summary>
    QNaN,
    /// <summary>Signalling NaN.</summary>
    SNaN,
}

/// <summary>FPRounding (shared/functions/float/fprounding/FPRounding).</summary>
internal enum FPRounding
{
    /// <summary>Round to nearest, ties to even.</summary>
    TieEven = 0,
    /// <summary>Round towards +infinity.</summary>
    PosInf = 1,
    /// <summary>Round towards -infinity.</summary>
    NegInf = 2,
    /// <summary>Round towards zero.</summary>
    Zero = 3,
    /// <summary>Round to nearest, ties away from zero.</summary>
    TieAway = 4,
    /// <summary>Round to odd (von Neumann rounding, FCVTXN).</summary>
    Odd = 5,
}

/// <summary>An unpacked floating-point operand: value = ±Mantissa × 2^Exponent for finite nonzero types.</summary>
internal readonly record struct FPUnpacked(FPType Type, bool Sign, ulong Mantissa, int Exponent)
{
    /// <summary>True for QNaN and SNaN.</summary>
    public bool IsNaN => Type is FPType.QNaN or FPType.SNaN;

    /// <summary>The exact value as a double (every half, single and double value is exactly a double).</summary>
    public double ToDouble() => Type switch
    {
        FPType.Zero => 0.0,
        FPType.Infinity => Sign ? double.NegativeInfinity : double.PositiveInfinity,
        FPType.QNaN or FPType.SNaN => double.NaN,
        _ => Sign ? -Math.ScaleB(Mantissa, Exponent) : Math.ScaleB(Mantissa, Exponent),
    };
}

/// <summary>
/// The Arm ARM floating-point library (shared/functions/float/*) for half (16), single (32) and double (64)
/// precision, over raw bit patterns. Arithmetic is exact (integer mantissas with a sticky bit) followed by
/// FPRound, so every rounding mode, FPCR.FZ/DN/AHP and the FPSR cumulative flags behave as the pseudocode says.
/// </summary>
internal static class FloatingPoint
{
    /// <summary>FPSR.IOC, invalid operation.</summary>
    public const uint Ioc = 1u << 0;
    /// <summary>FPSR.DZC, divide by zero.</summary>
    public const uint Dzc = 1u << 1;
    /// <summary>FPSR.OFC, overflow.</summary>
    public const uint Ofc = 1u << 2;
    /// <summary>FPSR.UFC, underflow.</summary>
    public const uint Ufc = 1u << 3;
    /// <summary>FPSR.IXC, inexact.</summary>
    public const uint Ixc = 1u << 4;
    /// <summary>FPSR.IDC, input denormal.</summary>
    public const uint Idc = 1u << 7;
    /// <summary>FPSR.QC, cumulative saturation.</summary>
    public const uint Qc = 1u << 27;
    /// <summary>FPCR.AHP, alternative half-precision.</summary>
    public const uint FpcrAhp = 1u << 26;
    /// <summary>FPCR.DN, default NaN.</summary>
    public const uint FpcrDn = 1u << 25;
    /// <summary>FPCR.FZ, flush to zero.</summary>
    public const uint FpcrFz = 1u << 24;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FracBits(int n) => n == 64 ? 52 : n == 32 ? 23 : 10;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ExpBits(int n) => n == 64 ? 11 : n == 32 ? 8 : 5;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bias(int n) => n == 64 ? 1023 : n == 32 ? 127 : 15;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SignBit(int n) => 1UL << (n - 1);

    // Armv8.0 has no FPCR.FZ16: half precision is never flushed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Flush(int n, uint fpcr) => n != 16 && (fpcr & FpcrFz) != 0;

    /// <summary>FPRoundingMode: FPCR.RMode.</summary>
    public static FPRounding RoundingMode(uint fpcr) => (FPRounding)((fpcr >> 22) & 3);

    /// <summary>FPDefaultNaN.</summary>
    public static ulong DefaultNaN(int n) => n == 64 ? 0x7FF8_0000_0000_0000UL : n == 32 ? 0x7FC0_0000UL : 0x7E00UL;

    /// <summary>FPInfinity.</summary>
    public static ulong Infinity(bool sign, int n) =>
        (sign ? SignBit(n) : 0) | (((1UL << ExpBits(n)) - 1) << FracBits(n));

    /// <summary>FPZero.</summary>
    public static ulong Zero(bool sign, int n) => sign ? SignBit(n) : 0;

    /// <summary>FPMaxNormal.</summary>
    public static ulong MaxNormal(bool sign, int n) =>
        (sign ? SignBit(n) : 0) | (((1UL << ExpBits(n)) - 2) << FracBits(n)) | ((1UL << FracBits(n)) - 1);

    /// <summary>FPTwo / FPOnePointFive / FPOne: 2^exp × (1 + frac/2^F) with a given top-fraction pattern.</summary>
    private static ulong Constant(bool sign, int n, int unbiasedExp, ulong topFraction) =>
        (sign ? SignBit(n) : 0) | ((ulong)(unbiasedExp + Bias(n)) << FracBits(n)) | (topFraction << (FracBits(n) - 1));

    /// <summary>FPNeg.</summary>
    public static ulong Neg(ulong op, int n) => op ^ SignBit(n);

    /// <summary>FPAbs.</summary>
    public static ulong Abs(ulong op, int n) => op & ~SignBit(n);

    /// <summary>VFPExpandImm: the 8-bit FMOV immediate expanded to N bits.</summary>
    public static ulong ExpandImm(uint imm8, int n)
    {
        int e = ExpBits(n), f = FracBits(n);
        ulong sign = (imm8 >> 7) & 1;
        ulong b6 = (imm8 >> 6) & 1;
        ulong exp = ((b6 ^ 1) << (e - 1)) | ((b6 != 0 ? (1UL << (e - 3)) - 1 : 0) << 2) | ((imm8 >> 4) & 3);
        ulong frac = (ulong)(imm8 & 15) << (f - 4);
        return (sign << (n - 1)) | (exp << f) | frac;
    }

    /// <summary>FPUnpack (FPUnpackBase with fpexc = TRUE); <paramref name="ahp"/> selects the alternative half format.</summary>
    public static FPUnpacked Unpack(ulong op, int n, uint fpcr, ref uint fpsr, bool ahp = false)
    {
        int f = FracBits(n), e = ExpBits(n);
        bool sign = ((op >> (n - 1)) & 1) != 0;
        ulong exp = (op >> f) & ((1UL << e) - 1);
        ulong frac = op & ((1UL << f) - 1);
        if (exp == 0)
        {
            if (frac == 0) return new(FPType.Zero, sign, 0, 0);
            if (Flush(n, fpcr))
            {
                fpsr |= Idc;
                return new(FPType.Zero, sign, 0, 0);
            }
            return new(FPType.Denormal, sign, frac, 1 - Bias(n) - f);
        }
        if (exp == (1UL << e) - 1 && !(n == 16 && ahp))
        {
            if (frac == 0) return new(FPType.Infinity, sign, 0, 0);
            return new((frac >> (f - 1)) != 0 ? FPType.QNaN : FPType.SNaN, sign, 0, 0);
        }
        return new(FPType.Nonzero, sign, frac | (1UL << f), (int)exp - Bias(n) - f);
    }

    /// <summary>FPProcessNaN: quietens a signalling NaN (raising Invalid Operation) or returns the default NaN under FPCR.DN.</summary>
    public static ulong ProcessNaN(FPType type, ulong op, int n, uint fpcr, ref uint fpsr)
    {
        if (type == FPType.SNaN)
        {
            fpsr |= Ioc;
            op |= 1UL << (FracBits(n) - 1);
        }
        return (fpcr & FpcrDn) != 0 ? DefaultNaN(n) : op;
    }

    /// <summary>FPProcessNaNs: signalling NaNs first, then quiet NaNs, first operand first.</summary>
    public static bool ProcessNaNs(in FPUnpacked a, in FPUnpacked b, ulong opA, ulong opB, int n, uint fpcr, ref uint fpsr, out ulong result)
    {
        if (a.Type == FPType.SNaN) { result = ProcessNaN(a.Type, opA, n, fpcr, ref fpsr); return true; }
        if (b.Type == FPType.SNaN) { result = ProcessNaN(b.Type, opB, n, fpcr, ref fpsr); return true; }
        if (a.Type == FPType.QNaN) { result = ProcessNaN(a.Type, opA, n, fpcr, ref fpsr); return true; }
        if (b.Type == FPType.QNaN) { result = ProcessNaN(b.Type, opB, n, fpcr, ref fpsr); return true; }
        result = 0;
        return false;
    }

    /// <summary>FPProcessNaNs3.</summary>
    public static bool ProcessNaNs3(in FPUnpacked a, in FPUnpacked b, in FPUnpacked c, ulong opA, ulong opB, ulong opC,
        int n, uint fpcr, ref uint fpsr, out ulong result)
    {
        if (a.Type == FPType.SNaN) { result = ProcessNaN(a.Type, opA, n, fpcr, ref fpsr); return true; }
        if (b.Type == FPType.SNaN) { result = ProcessNaN(b.Type, opB, n, fpcr, ref fpsr); return true; }
        if (c.Type == FPType.SNaN) { result = ProcessNaN(c.Type, opC, n, fpcr, ref fpsr); return true; }
        if (a.Type == FPType.QNaN) { result = ProcessNaN(a.Type, opA, n, fpcr, ref fpsr); return true; }
        if (b.Type == FPType.QNaN) { result = ProcessNaN(b.Type, opB, n, fpcr, ref fpsr); return true; }
        if (c.Type == FPType.QNaN) { result = ProcessNaN(c.Type, opC, n, fpcr, ref fpsr); return true; }
        result = 0;
        return false;
    }

    /// <summary>
    /// FPRound (FPRoundBase): rounds the real value ±<paramref name="mant"/> × 2^<paramref name="exp"/> to N bits.
    /// <paramref name="mant"/> is nonzero; its least significant bit may be a sticky bit as long as at least two
    /// bits below the rounding point are present (which the callers guarantee).
    /// </summary>
    public static ulong Round(bool sign, UInt128 mant, int exp, int n, uint fpcr, FPRounding rounding, ref uint fpsr, bool ahpOutput = false)
    {
        int f = FracBits(n), e = ExpBits(n);
        int minExp = 1 - Bias(n);
        int top = 127 - (int)UInt128.LeadingZeroCount(mant);
        int exponent = top + exp;
        if (Flush(n, fpcr) && exponent < minExp)
        {
            fpsr |= Ufc;
            return Zero(sign, n);
        }
        int biasedExp = Math.Max(exponent - minExp + 1, 0);
        int shift = -(exp + f - (biasedExp == 0 ? minExp : exponent)); // bits of mant below the unit of int_mant
        ulong intMant;
        int error; // 0 exact, 1 below half, 2 half, 3 above half
        if (shift <= 0)
        {
            intMant = (ulong)(mant << -shift);
            error = 0;
        }
        else if (shift > 128)
        {
            intMant = 0;
            error = 1;
        }
        else
        {
            intMant = shift == 128 ? 0 : (ulong)(mant >> shift);
            UInt128 rem = shift == 128 ? mant : mant & ((UInt128.One << shift) - 1);
            UInt128 half = UInt128.One << (shift - 1);
            error = rem == 0 ? 0 : rem < half ? 1 : rem == half ? 2 : 3;
        }
        if (biasedExp == 0 && error != 0) fpsr |= Ufc;
        bool roundUp, overflowToInf;
        switch (rounding)
        {
            case FPRounding.TieEven: roundUp = error == 3 || (error == 2 && (intMant & 1) != 0); overflowToInf = true; break;
            case FPRounding.TieAway: roundUp = error >= 2; overflowToInf = true; break;
            case FPRounding.PosInf: roundUp = error != 0 && !sign; overflowToInf = !sign; break;
            case FPRounding.NegInf: roundUp = error != 0 && sign; overflowToInf = sign; break;
            default: roundUp = false; overflowToInf = false; break;
        }
        if (roundUp)
        {
            intMant++;
            if (intMant == 1UL << f) biasedExp = 1;
            if (intMant == 1UL << (f + 1)) { biasedExp++; intMant >>= 1; }
        }
        if (error != 0 && rounding == FPRounding.Odd) intMant |= 1;
        ulong result;
        ulong signBits = sign ? SignBit(n) : 0;
        if (n != 16 || !ahpOutput)
        {
            if (biasedExp >= (1 << e) - 1)
            {
                result = overflowToInf ? Infinity(sign, n) : MaxNormal(sign, n);
                fpsr |= Ofc;
                error = 1;
            }
            else result = signBits | ((ulong)biasedExp << f) | (intMant & ((1UL << f) - 1));
        }
        else
        {
            if (biasedExp >= 1 << e)
            {
                result = signBits | (SignBit(n) - 1);
                fpsr |= Ioc;
                error = 0;
            }
            else result = signBits | ((ulong)biasedExp << f) | (intMant & ((1UL << f) - 1));
        }
        if (error != 0) fpsr |= Ixc;
        return result;
    }

    // Exact sum of two signed values (mantissas up to 106 bits) with a sticky bit when the smaller is shifted out.
    private static void AddExact(bool sa, UInt128 ma, int ea, bool sb, UInt128 mb, int eb, out bool sign, out UInt128 mant, out int exp)
    {
        if (ma == 0) { sign = sb; mant = mb; exp = eb; return; }
        if (mb == 0) { sign = sa; mant = ma; exp = ea; return; }
        int sha = 125 - (127 - (int)UInt128.LeadingZeroCount(ma));
        int shb = 125 - (127 - (int)UInt128.LeadingZeroCount(mb));
        ma <<= sha; ea -= sha;
        mb <<= shb; eb -= shb;
        if (ea < eb) { (sa, ma, ea, sb, mb, eb) = (sb, mb, eb, sa, ma, ea); }
        int d = ea - eb;
        if (d > 0)
        {
            if (d >= 127) mb = 1;
            else
            {
                bool lost = (mb & ((UInt128.One << d) - 1)) != 0;
                mb = (mb >> d) | (lost ? UInt128.One : UInt128.Zero);
            }
        }
        exp = ea;
        if (sa == sb) { sign = sa; mant = ma + mb; }
        else if (ma >= mb) { sign = sa; mant = ma - mb; }
        else { sign = sb; mant = mb - ma; }
    }

    private static ulong RoundOrZero(bool sign, UInt128 mant, int exp, int n, uint fpcr, FPRounding rounding, ref uint fpsr) =>
        mant == 0 ? Zero(rounding == FPRounding.NegInf, n) : Round(sign, mant, exp, n, fpcr, rounding, ref fpsr);

    /// <summary>FPAdd.</summary>
    public static ulong Add(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr) => AddSub(op1, op2, n, fpcr, ref fpsr, false);

    /// <summary>FPSub.</summary>
    public static ulong Sub(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr) => AddSub(op1, op2, n, fpcr, ref fpsr, true);

    private static ulong AddSub(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr, bool subtract)
    {
        if (HostFloatingPoint.TryBinary(subtract ? HostFloatingPoint.Op.Sub : HostFloatingPoint.Op.Add, op1, op2, n, fpcr, ref fpsr, out ulong fast)) return fast;
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (ProcessNaNs(a, b, op1, op2, n, fpcr, ref fpsr, out ulong nan)) return nan;
        bool signB = b.Sign ^ subtract;
        bool inf1 = a.Type == FPType.Infinity, inf2 = b.Type == FPType.Infinity;
        if (inf1 && inf2 && a.Sign != signB) { fpsr |= Ioc; return DefaultNaN(n); }
        if ((inf1 && !a.Sign) || (inf2 && !signB)) return Infinity(false, n);
        if (inf1 || inf2) return Infinity(true, n);
        if (a.Type == FPType.Zero && b.Type == FPType.Zero && a.Sign == signB) return Zero(a.Sign, n);
        AddExact(a.Sign, a.Mantissa, a.Exponent, signB, b.Mantissa, b.Exponent, out bool s, out UInt128 m, out int e);
        return RoundOrZero(s, m, e, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPMul; <paramref name="mulx"/> selects FPMulX (0 × ∞ = ±2).</summary>
    public static ulong Mul(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr, bool mulx = false)
    {
        if (HostFloatingPoint.TryBinary(HostFloatingPoint.Op.Mul, op1, op2, n, fpcr, ref fpsr, out ulong fast)) return fast;
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (ProcessNaNs(a, b, op1, op2, n, fpcr, ref fpsr, out ulong nan)) return nan;
        bool inf1 = a.Type == FPType.Infinity, inf2 = b.Type == FPType.Infinity;
        bool zero1 = a.Type == FPType.Zero, zero2 = b.Type == FPType.Zero;
        bool sign = a.Sign ^ b.Sign;
        if ((inf1 && zero2) || (zero1 && inf2))
        {
            if (mulx) return Constant(sign, n, 1, 0);
            fpsr |= Ioc;
            return DefaultNaN(n);
        }
        if (inf1 || inf2) return Infinity(sign, n);
        if (zero1 || zero2) return Zero(sign, n);
        return Round(sign, (UInt128)a.Mantissa * b.Mantissa, a.Exponent + b.Exponent, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPDiv.</summary>
    public static ulong Div(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr)
    {
        if (HostFloatingPoint.TryBinary(HostFloatingPoint.Op.Div, op1, op2, n, fpcr, ref fpsr, out ulong fast)) return fast;
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (ProcessNaNs(a, b, op1, op2, n, fpcr, ref fpsr, out ulong nan)) return nan;
        bool inf1 = a.Type == FPType.Infinity, inf2 = b.Type == FPType.Infinity;
        bool zero1 = a.Type == FPType.Zero, zero2 = b.Type == FPType.Zero;
        bool sign = a.Sign ^ b.Sign;
        if ((inf1 && inf2) || (zero1 && zero2)) { fpsr |= Ioc; return DefaultNaN(n); }
        if (inf1 || zero2)
        {
            if (!inf1) fpsr |= Dzc;
            return Infinity(sign, n);
        }
        if (zero1 || inf2) return Zero(sign, n);
        // Normalise both mantissas to 53 significant bits, then a 125-bit dividend gives a >= 70-bit quotient.
        int na = 52 - (63 - BitOperations.LeadingZeroCount(a.Mantissa));
        int nb = 52 - (63 - BitOperations.LeadingZeroCount(b.Mantissa));
        UInt128 dividend = (UInt128)(a.Mantissa << na) << 72;
        ulong divisor = b.Mantissa << nb;
        UInt128 q = dividend / divisor;
        UInt128 r = dividend - q * divisor;
        if (r != 0) q |= 1;
        int exp = (a.Exponent - na - 72) - (b.Exponent - nb);
        return Round(sign, q, exp, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPSqrt.</summary>
    public static ulong Sqrt(ulong op, int n, uint fpcr, ref uint fpsr)
    {
        if (HostFloatingPoint.TrySqrt(op, n, fpcr, ref fpsr, out ulong fast)) return fast;
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) return ProcessNaN(a.Type, op, n, fpcr, ref fpsr);
        if (a.Type == FPType.Zero) return Zero(a.Sign, n);
        if (a.Type == FPType.Infinity && !a.Sign) return Infinity(false, n);
        if (a.Sign) { fpsr |= Ioc; return DefaultNaN(n); }
        int norm = 52 - (63 - BitOperations.LeadingZeroCount(a.Mantissa));
        ulong m = a.Mantissa << norm;
        int exp = a.Exponent - norm;
        int shift = 70;
        if ((exp & 1) != 0) shift++; // make the exponent of the radicand even
        UInt128 radicand = (UInt128)m << shift;
        exp -= shift;
        UInt128 root = ISqrt(radicand, out bool exact);
        if (!exact) root |= 1;
        return Round(false, root, exp / 2, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    // Integer square root by digit recurrence; exact is true when the remainder is zero.
    private static UInt128 ISqrt(UInt128 x, out bool exact)
    {
        UInt128 result = 0;
        UInt128 bit = UInt128.One << 126;
        while (bit > x) bit >>= 2;
        while (bit != 0)
        {
            if (x >= result + bit)
            {
                x -= result + bit;
                result = (result >> 1) + bit;
            }
            else result >>= 1;
            bit >>= 2;
        }
        exact = x == 0;
        return result;
    }

    /// <summary>
    /// FPMulAdd: addend + op1 × op2 with a single rounding. The operands are passed after any FPNeg the
    /// instruction applies (FMSUB, FNMADD, FNMSUB).
    /// </summary>
    public static ulong MulAdd(ulong addend, ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(addend, n, fpcr, ref fpsr);
        var b = Unpack(op1, n, fpcr, ref fpsr);
        var c = Unpack(op2, n, fpcr, ref fpsr);
        bool inf1 = b.Type == FPType.Infinity, inf2 = c.Type == FPType.Infinity;
        bool zero1 = b.Type == FPType.Zero, zero2 = c.Type == FPType.Zero;
        bool done = ProcessNaNs3(a, b, c, addend, op1, op2, n, fpcr, ref fpsr, out ulong result);
        if (a.Type == FPType.QNaN && ((inf1 && zero2) || (zero1 && inf2)))
        {
            fpsr |= Ioc;
            return DefaultNaN(n);
        }
        if (done) return result;
        bool infA = a.Type == FPType.Infinity, zeroA = a.Type == FPType.Zero;
        bool signP = b.Sign ^ c.Sign;
        bool infP = inf1 || inf2, zeroP = zero1 || zero2;
        if ((inf1 && zero2) || (zero1 && inf2) || (infA && infP && a.Sign != signP)) { fpsr |= Ioc; return DefaultNaN(n); }
        if ((infA && !a.Sign) || (infP && !signP)) return Infinity(false, n);
        if (infA || infP) return Infinity(true, n);
        if (zeroA && zeroP && a.Sign == signP) return Zero(a.Sign, n);
        UInt128 product = zeroP ? 0 : (UInt128)b.Mantissa * c.Mantissa;
        AddExact(a.Sign, zeroA ? 0 : a.Mantissa, a.Exponent, signP, product, b.Exponent + c.Exponent, out bool s, out UInt128 m, out int e);
        return RoundOrZero(s, m, e, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPRecipStepFused: 2 - op1 × op2 with one rounding (FRECPS).</summary>
    public static ulong RecipStepFused(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr) => StepFused(op1, op2, n, fpcr, ref fpsr, false);

    /// <summary>FPRSqrtStepFused: (3 - op1 × op2) / 2 with one rounding (FRSQRTS).</summary>
    public static ulong RSqrtStepFused(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr) => StepFused(op1, op2, n, fpcr, ref fpsr, true);

    private static ulong StepFused(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr, bool rsqrt)
    {
        op1 = Neg(op1, n);
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (ProcessNaNs(a, b, op1, op2, n, fpcr, ref fpsr, out ulong nan)) return nan;
        bool inf1 = a.Type == FPType.Infinity, inf2 = b.Type == FPType.Infinity;
        bool zero1 = a.Type == FPType.Zero, zero2 = b.Type == FPType.Zero;
        if ((inf1 && zero2) || (zero1 && inf2)) return rsqrt ? Constant(false, n, 0, 1) : Constant(false, n, 1, 0);
        if (inf1 || inf2) return Infinity(a.Sign ^ b.Sign, n);
        UInt128 product = zero1 || zero2 ? 0 : (UInt128)a.Mantissa * b.Mantissa;
        AddExact(false, rsqrt ? 3u : 1u, rsqrt ? -1 : 1, a.Sign ^ b.Sign, product, a.Exponent + b.Exponent - (rsqrt ? 1 : 0), out bool s, out UInt128 m, out int e);
        return RoundOrZero(s, m, e, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPMax / FPMin.</summary>
    public static ulong MaxMin(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr, bool max)
    {
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (ProcessNaNs(a, b, op1, op2, n, fpcr, ref fpsr, out ulong nan)) return nan;
        double v1 = a.ToDouble(), v2 = b.ToDouble();
        var r = (max ? v1 > v2 : v1 < v2) ? a : b;
        if (r.Type == FPType.Infinity) return Infinity(r.Sign, n);
        if (r.Type == FPType.Zero)
        {
            bool bothZero = a.Type == FPType.Zero && b.Type == FPType.Zero;
            bool sign = bothZero ? (max ? a.Sign & b.Sign : a.Sign | b.Sign) : r.Sign;
            return Zero(sign, n);
        }
        return Round(r.Sign, r.Mantissa, r.Exponent, n, fpcr, RoundingMode(fpcr), ref fpsr);
    }

    /// <summary>FPMaxNum / FPMinNum: a quiet NaN loses against a number.</summary>
    public static ulong MaxMinNum(ulong op1, ulong op2, int n, uint fpcr, ref uint fpsr, bool max)
    {
        uint ignore = 0;
        var a = Unpack(op1, n, fpcr, ref ignore);
        var b = Unpack(op2, n, fpcr, ref ignore);
        if (a.Type == FPType.QNaN && b.Type != FPType.QNaN) op1 = Infinity(max, n);
        else if (b.Type == FPType.QNaN && a.Type != FPType.QNaN) op2 = Infinity(max, n);
        return MaxMin(op1, op2, n, fpcr, ref fpsr, max);
    }

    /// <summary>FPCompare: returns NZCV in bits 3..0.</summary>
    public static uint Compare(ulong op1, ulong op2, int n, bool signalNaNs, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (a.IsNaN || b.IsNaN)
        {
            if (a.Type == FPType.SNaN || b.Type == FPType.SNaN || signalNaNs) fpsr |= Ioc;
            return 0b0011;
        }
        double v1 = a.ToDouble(), v2 = b.ToDouble();
        return v1 == v2 ? 0b0110u : v1 < v2 ? 0b1000u : 0b0010u;
    }

    /// <summary>FPCompareEQ / FPCompareGE / FPCompareGT for the vector compares: 0 = EQ, 1 = GE, 2 = GT.</summary>
    public static bool CompareCondition(ulong op1, ulong op2, int n, int kind, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(op1, n, fpcr, ref fpsr);
        var b = Unpack(op2, n, fpcr, ref fpsr);
        if (a.IsNaN || b.IsNaN)
        {
            if (a.Type == FPType.SNaN || b.Type == FPType.SNaN || kind != 0) fpsr |= Ioc;
            return false;
        }
        double v1 = a.ToDouble(), v2 = b.ToDouble();
        return kind == 0 ? v1 == v2 : kind == 1 ? v1 >= v2 : v1 > v2;
    }

    // Rounds |value| = mant × 2^exp to an integer magnitude; saturated is set when it does not fit in 65 bits.
    private static UInt128 RoundToIntegerMagnitude(bool sign, ulong mant, int exp, FPRounding rounding, out bool inexact, out bool huge)
    {
        huge = false;
        inexact = false;
        if (exp >= 0)
        {
            if (exp > 64) { huge = true; return UInt128.MaxValue; }
            return (UInt128)mant << exp;
        }
        int s = -exp;
        UInt128 m = mant;
        UInt128 intPart = s >= 128 ? 0 : m >> s;
        UInt128 rem = s >= 128 ? m : m & ((UInt128.One << s) - 1);
        if (rem == 0) return intPart;
        inexact = true;
        int error = s > 128 ? 1 : rem < (UInt128.One << (s - 1)) ? 1 : rem == (UInt128.One << (s - 1)) ? 2 : 3;
        bool up = rounding switch
        {
            FPRounding.TieEven => error == 3 || (error == 2 && (intPart & 1) != 0),
            FPRounding.TieAway => error >= 2,
            FPRounding.PosInf => !sign,
            FPRounding.NegInf => sign,
            _ => false,
        };
        return up ? intPart + 1 : intPart;
    }

    /// <summary>FPRoundInt (FRINTN/P/M/Z/A/X/I); <paramref name="exact"/> raises Inexact when the value changes (FRINTX).</summary>
    public static ulong RoundInt(ulong op, int n, uint fpcr, FPRounding rounding, bool exact, ref uint fpsr)
    {
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) return ProcessNaN(a.Type, op, n, fpcr, ref fpsr);
        if (a.Type == FPType.Infinity) return Infinity(a.Sign, n);
        if (a.Type == FPType.Zero) return Zero(a.Sign, n);
        if (a.Exponent >= 0) return op; // already an integer
        UInt128 mag = RoundToIntegerMagnitude(a.Sign, a.Mantissa, a.Exponent, rounding, out bool inexact, out _);
        ulong result = mag == 0 ? Zero(a.Sign, n) : Round(a.Sign, mag, 0, n, fpcr, FPRounding.Zero, ref fpsr);
        if (inexact && exact) fpsr |= Ixc;
        return result;
    }

    /// <summary>
    /// FPToFixed: converts to an <paramref name="m"/>-bit integer with <paramref name="fbits"/> fraction bits,
    /// saturating (Invalid Operation on overflow or NaN).
    /// </summary>
    public static ulong ToFixed(ulong op, int n, int fbits, bool unsigned, int m, uint fpcr, FPRounding rounding, ref uint fpsr)
    {
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) { fpsr |= Ioc; return 0; }
        if (a.Type == FPType.Zero) return 0;
        bool inexact = false, huge;
        UInt128 mag;
        if (a.Type == FPType.Infinity) { huge = true; mag = UInt128.MaxValue; }
        else mag = RoundToIntegerMagnitude(a.Sign, a.Mantissa, a.Exponent + fbits, rounding, out inexact, out huge);
        ulong result;
        bool overflow;
        if (unsigned)
        {
            UInt128 max = m == 64 ? ulong.MaxValue : (1UL << m) - 1;
            if (a.Sign && mag != 0) { result = 0; overflow = true; }
            else if (huge || mag > max) { result = (ulong)max; overflow = true; }
            else { result = (ulong)mag; overflow = false; }
        }
        else
        {
            UInt128 limit = UInt128.One << (m - 1); // magnitude of the most negative value
            if (!a.Sign && (huge || mag >= limit)) { result = (ulong)(limit - 1); overflow = true; }
            else if (a.Sign && (huge || mag > limit)) { result = (ulong)(-(long)(ulong)(limit - 1) - 1); overflow = true; }
            else { result = a.Sign ? (ulong)-(long)(ulong)mag : (ulong)mag; overflow = false; }
            if (m == 32) result &= 0xFFFF_FFFF;
        }
        if (overflow) fpsr |= Ioc;
        else if (inexact) fpsr |= Ixc;
        return result;
    }

    /// <summary>FixedToFP: the <paramref name="m"/>-bit integer <paramref name="op"/> scaled by 2^-fbits, rounded to N bits.</summary>
    public static ulong FromFixed(ulong op, int m, int fbits, bool unsigned, int n, uint fpcr, FPRounding rounding, ref uint fpsr)
    {
        bool sign = false;
        ulong mag;
        if (m < 64) op = unsigned ? op << (64 - m) >> (64 - m) : (ulong)((long)(op << (64 - m)) >> (64 - m)); // the low m bits, extended
        if (!unsigned && (long)op < 0) { sign = true; mag = (ulong)-(long)op; }
        else mag = op;
        if (mag == 0) return Zero(false, n);
        return Round(sign, mag, -fbits, n, fpcr, rounding, ref fpsr);
    }

    /// <summary>
    /// FPConvert: N-bit to M-bit conversion with FPCR.AHP selecting the alternative half-precision format for
    /// 16-bit inputs and outputs, as FPUnpackCV/FPRoundCV do.
    /// </summary>
    public static ulong Convert(ulong op, int n, int m, uint fpcr, FPRounding rounding, ref uint fpsr)
    {
        bool ahp = (fpcr & FpcrAhp) != 0;
        var a = Unpack(op, n, fpcr, ref fpsr, ahp: n == 16 && ahp);
        bool altOut = m == 16 && ahp;
        if (a.IsNaN)
        {
            ulong result;
            if (altOut) result = Zero(a.Sign, m);
            else if ((fpcr & FpcrDn) != 0) result = DefaultNaN(m);
            else result = ConvertNaN(op, n, m);
            if (a.Type == FPType.SNaN || altOut) fpsr |= Ioc;
            return result;
        }
        if (a.Type == FPType.Infinity)
        {
            if (altOut) { fpsr |= Ioc; return (a.Sign ? SignBit(m) : 0) | (SignBit(m) - 1); }
            return Infinity(a.Sign, m);
        }
        if (a.Type == FPType.Zero) return Zero(a.Sign, m);
        return Round(a.Sign, a.Mantissa, a.Exponent, m, fpcr, rounding, ref fpsr, altOut);
    }

    /// <summary>FPConvertNaN: keeps the sign and the most significant payload bits, and sets the quiet bit.</summary>
    public static ulong ConvertNaN(ulong op, int n, int m)
    {
        int fn = FracBits(n), fm = FracBits(m);
        ulong payload = op & ((1UL << (fn - 1)) - 1); // bits below the quiet bit
        payload = fm >= fn ? payload << (fm - fn) : payload >> (fn - fm);
        bool sign = ((op >> (n - 1)) & 1) != 0;
        return (sign ? SignBit(m) : 0) | (((1UL << ExpBits(m)) - 1) << fm) | (1UL << (fm - 1)) | payload;
    }

    /// <summary>RecipEstimate: 9-bit reciprocal estimate of a in [256, 511] (units of 1/512).</summary>
    public static int RecipEstimate(int a)
    {
        a = a * 2 + 1;
        int b = (1 << 19) / a;
        return (b + 1) / 2;
    }

    /// <summary>RecipSqrtEstimate: 9-bit reciprocal square root estimate of a in [128, 511].</summary>
    public static int RecipSqrtEstimate(int a)
    {
        if (a < 256) a = a * 2 + 1;
        else
        {
            a = (a >> 1) << 1;
            a = (a + 1) * 2;
        }
        int b = 512;
        while ((long)a * (b + 1) * (b + 1) < (1L << 28)) b++;
        return (b + 1) / 2;
    }

    /// <summary>FPRecipEstimate (FRECPE).</summary>
    public static ulong RecipEstimateFP(ulong op, int n, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) return ProcessNaN(a.Type, op, n, fpcr, ref fpsr);
        if (a.Type == FPType.Infinity) return Zero(a.Sign, n);
        if (a.Type == FPType.Zero) { fpsr |= Dzc; return Infinity(a.Sign, n); }
        double mag = Math.Abs(a.ToDouble());
        int tinyExp = n == 16 ? -16 : n == 32 ? -128 : -1024;
        if (mag < Math.ScaleB(1.0, tinyExp))
        {
            bool overflowToInf = RoundingMode(fpcr) switch
            {
                FPRounding.TieEven => true,
                FPRounding.PosInf => !a.Sign,
                FPRounding.NegInf => a.Sign,
                _ => false,
            };
            fpsr |= Ofc | Ixc;
            return overflowToInf ? Infinity(a.Sign, n) : MaxNormal(a.Sign, n);
        }
        int bigExp = n == 16 ? 14 : n == 32 ? 126 : 1022;
        if (Flush(n, fpcr) && mag >= Math.ScaleB(1.0, bigExp))
        {
            fpsr |= Ufc;
            return Zero(a.Sign, n);
        }
        int f = FracBits(n);
        ulong fraction = (op & ((1UL << f) - 1)) << (52 - f);
        int exp = (int)((op >> f) & ((1UL << ExpBits(n)) - 1));
        if (exp == 0)
        {
            if (((fraction >> 51) & 1) == 0) { exp = -1; fraction = (fraction << 2) & ((1UL << 52) - 1); }
            else fraction = (fraction << 1) & ((1UL << 52) - 1);
        }
        int scaled = (int)(0x100 | (fraction >> 44));
        int resultExp = (n == 16 ? 29 : n == 32 ? 253 : 2045) - exp;
        int estimate = RecipEstimate(scaled);
        ulong resFrac = (ulong)(estimate & 0xFF) << 44;
        if (resultExp == 0) resFrac = (1UL << 51) | (resFrac >> 1);
        else if (resultExp == -1) { resFrac = (1UL << 50) | (resFrac >> 2); resultExp = 0; }
        return (a.Sign ? SignBit(n) : 0) | ((ulong)resultExp << f) | (resFrac >> (52 - f));
    }

    /// <summary>FPRSqrtEstimate (FRSQRTE).</summary>
    public static ulong RSqrtEstimateFP(ulong op, int n, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) return ProcessNaN(a.Type, op, n, fpcr, ref fpsr);
        if (a.Type == FPType.Zero) { fpsr |= Dzc; return Infinity(a.Sign, n); }
        if (a.Sign) { fpsr |= Ioc; return DefaultNaN(n); }
        if (a.Type == FPType.Infinity) return Zero(false, n);
        int f = FracBits(n);
        ulong fraction = (op & ((1UL << f) - 1)) << (52 - f);
        int exp = (int)((op >> f) & ((1UL << ExpBits(n)) - 1));
        if (exp == 0)
        {
            while (((fraction >> 51) & 1) == 0) { fraction = (fraction << 1) & ((1UL << 52) - 1); exp--; }
            fraction = (fraction << 1) & ((1UL << 52) - 1);
        }
        int scaled = (exp & 1) == 0 ? (int)(0x100 | (fraction >> 44)) : (int)(0x80 | (fraction >> 45));
        int resultExp = (int)Math.Floor(((n == 16 ? 44 : n == 32 ? 380 : 3068) - exp) / 2.0);
        int estimate = RecipSqrtEstimate(scaled);
        return ((ulong)resultExp << f) | ((ulong)(estimate & 0xFF) << (f - 8));
    }

    /// <summary>FPRecpX (FRECPX): reciprocal exponent.</summary>
    public static ulong RecpX(ulong op, int n, uint fpcr, ref uint fpsr)
    {
        var a = Unpack(op, n, fpcr, ref fpsr);
        if (a.IsNaN) return ProcessNaN(a.Type, op, n, fpcr, ref fpsr);
        int f = FracBits(n), e = ExpBits(n);
        ulong exp = (op >> f) & ((1UL << e) - 1);
        ulong maxExp = (1UL << e) - 1;
        ulong sign = a.Sign ? SignBit(n) : 0;
        if (exp == 0) return sign | ((maxExp - 1) << f);
        return sign | (((~exp) & maxExp) << f);
    }
}
