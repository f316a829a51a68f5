using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// 64 x 64 -> 128-bit polynomial multiplication over GF(2) (PolynomialMult for PMULL with 64-bit elements).
/// Uses PCLMULQDQ on hosts that have it and a portable shift-and-xor loop otherwise.
/// </summary>
internal static class CarrylessMultiply
{
    /// <summary>Whether the host instruction is used; selected at start-up, overridable (tests run both paths).</summary>
    public static bool UseHostIntrinsics { get; set; } = Pclmulqdq.IsSupported;

    /// <summary>The carry-less product of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static UInt128 Multiply(ulong a, ulong b)
    {
        if (UseHostIntrinsics && Pclmulqdq.IsSupported)
        {
            var r = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar(a), Vector128.CreateScalar(b), 0);
            return new UInt128(r.GetElement(1), r.GetElement(0));
        }
        return Portable(a, b);
    }

    /// <summary>The portable implementation.</summary>
    public static UInt128 Portable(ulong a, ulong b)
    {
        UInt128 r = 0;
        for (int i = 0; i < 64; i++)
            if (((b >> i) & 1) != 0) r ^= (UInt128)a << i;
        return r;
    }
}
