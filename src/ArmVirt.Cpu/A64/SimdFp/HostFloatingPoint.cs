using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// A fast path for the common case of <see cref="FloatingPoint"/>: FPCR = 0 (round to nearest, no FZ, DN or AHP)
/// with normal operands well inside the exponent range and a normal result. There the host's IEEE double
/// arithmetic gives the Arm result exactly (single precision is computed in double, where double rounding is
/// innocuous for +, -, ×, ÷ and √), and Inexact is detected with error-free transformations. Anything else
/// (NaNs, infinities, zeros, denormals, results near the range limits, other FPCR settings) returns false and
/// takes the exact path, so flags and results never differ.
/// </summary>
internal static class HostFloatingPoint
{
    /// <summary>Whether the fast path is used (tests run with it on and off).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Operation selector.</summary>
    public enum Op
    {
        /// <summary>FPAdd.</summary>
        Add,
        /// <summary>FPSub.</summary>
        Sub,
        /// <summary>FPMul.</summary>
        Mul,
        /// <summary>FPDiv.</summary>
        Div,
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SafeDouble(ulong bits)
    {
        ulong exp = (bits >> 52) & 0x7FF;
        return exp >= 128 && exp <= 2047 - 128;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SafeSingle(uint bits)
    {
        uint exp = (bits >> 23) & 0xFF;
        return exp >= 32 && exp <= 255 - 32;
    }

    /// <summary>Tries a two-operand operation; on success returns true with the result and Inexact accumulated.</summary>
    public static bool TryBinary(Op op, ulong a, ulong b, int n, uint fpcr, ref uint fpsr, out ulong result)
    {
        result = 0;
        if (!Enabled || fpcr != 0) return false;
        if (n == 64)
        {
            if (!SafeDouble(a) || !SafeDouble(b)) return false;
            double x = BitConverter.UInt64BitsToDouble(a), y = BitConverter.UInt64BitsToDouble(b), r;
            bool exact;
            switch (op)
            {
                case Op.Add: r = x + y; exact = TwoSumError(x, y, r) == 0; break;
                case Op.Sub: r = x - y; exact = TwoSumError(x, -y, r) == 0; break;
                case Op.Mul: r = x * y; exact = Math.FusedMultiplyAdd(x, y, -r) == 0; break;
                default: r = x / y; exact = Math.FusedMultiplyAdd(r, y, -x) == 0; break;
            }
            ulong bits = BitConverter.DoubleToUInt64Bits(r);
            if (!SafeDouble(bits)) return false;
            if (!exact) fpsr |= FloatingPoint.Ixc;
            result = bits;
            return true;
        }
        if (n == 32)
        {
            if (!SafeSingle((uint)a) || !SafeSingle((uint)b)) return false;
            double x = BitConverter.UInt32BitsToSingle((uint)a), y = BitConverter.UInt32BitsToSingle((uint)b), d;
            bool exactDouble;
            switch (op)
            {
                case Op.Add: d = x + y; exactDouble = TwoSumError(x, y, d) == 0; break;
                case Op.Sub: d = x - y; exactDouble = TwoSumError(x, -y, d) == 0; break;
                case Op.Mul: d = x * y; exactDouble = true; break;
                default: d = x / y; exactDouble = false; break;
            }
            float f = (float)d;
            uint bits = BitConverter.SingleToUInt32Bits(f);
            if (!SafeSingle(bits)) return false;
            bool exact = op == Op.Div ? (double)f * y == x : exactDouble && (double)f == d;
            if (!exact) fpsr |= FloatingPoint.Ixc;
            result = bits;
            return true;
        }
        return false;
    }

    /// <summary>Tries FPSqrt.</summary>
    public static bool TrySqrt(ulong a, int n, uint fpcr, ref uint fpsr, out ulong result)
    {
        result = 0;
        if (!Enabled || fpcr != 0) return false;
        if (n == 64)
        {
            if (!SafeDouble(a) || (a >> 63) != 0) return false;
            double x = BitConverter.UInt64BitsToDouble(a), r = Math.Sqrt(x);
            if (Math.FusedMultiplyAdd(r, r, -x) != 0) fpsr |= FloatingPoint.Ixc;
            result = BitConverter.DoubleToUInt64Bits(r);
            return true;
        }
        if (n == 32)
        {
            if (!SafeSingle((uint)a) || (a >> 31) != 0) return false;
            double x = BitConverter.UInt32BitsToSingle((uint)a);
            float f = (float)Math.Sqrt(x);
            if ((double)f * f != x) fpsr |= FloatingPoint.Ixc;
            result = BitConverter.SingleToUInt32Bits(f);
            return true;
        }
        return false;
    }

    // TwoSum (Knuth): the exact rounding error of s = x + y, valid without overflow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double TwoSumError(double x, double y, double s)
    {
        double bp = s - x;
        return (x - (s - bp)) + (y - bp);
    }
}
