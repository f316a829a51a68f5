using System.Runtime.Intrinsics;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Host-accelerated forms of the Advanced SIMD integer operations whose <see cref="Vector128"/> equivalents are
/// bit-exact (wrapping add/subtract, compares, min/max, multiply, logical). Used when the host accelerates
/// Vector128; the element-by-element semantics remain the reference and are selected when this is off.
/// </summary>
internal static class HostVectorOps
{
    /// <summary>Whether the host path is used; selected at start-up, overridable (tests run both paths).</summary>
    public static bool Enabled { get; set; } = Vector128.IsHardwareAccelerated;

    /// <summary>
    /// Computes an integer three-same operation (opcode bits 15..11, U) on whole vectors when a bit-exact host
    /// operation exists; returns false otherwise.
    /// </summary>
    public static bool TryThreeSame(int opc, bool u, int esize, Vector128<byte> n, Vector128<byte> m, out Vector128<byte> r)
    {
        r = default;
        if (!Enabled) return false;
        switch (esize)
        {
            case 8: return u ? Op(opc, true, n, m, out r) : Op(opc, false, n.AsSByte(), m.AsSByte(), out r);
            case 16: return u ? Op(opc, true, n.AsUInt16(), m.AsUInt16(), out r) : Op(opc, false, n.AsInt16(), m.AsInt16(), out r);
            case 32: return u ? Op(opc, true, n.AsUInt32(), m.AsUInt32(), out r) : Op(opc, false, n.AsInt32(), m.AsInt32(), out r);
            default: return u ? Op(opc, true, n.AsUInt64(), m.AsUInt64(), out r) : Op(opc, false, n.AsInt64(), m.AsInt64(), out r);
        }
    }

    private static bool Op<T>(int opc, bool u, Vector128<T> n, Vector128<T> m, out Vector128<byte> r)
    {
        Vector128<T> v;
        switch (opc)
        {
            case 0b00110: v = Vector128.GreaterThan(n, m); break;                                   // CMGT / CMHI
            case 0b00111: v = Vector128.GreaterThanOrEqual(n, m); break;                            // CMGE / CMHS
            case 0b01100: v = Vector128.Max(n, m); break;                                           // SMAX / UMAX
            case 0b01101: v = Vector128.Min(n, m); break;                                           // SMIN / UMIN
            case 0b10000: v = u ? Vector128.Subtract(n, m) : Vector128.Add(n, m); break;            // SUB / ADD
            case 0b10001: v = u ? Vector128.Equals(n, m) : ~Vector128.Equals(n & m, Vector128<T>.Zero); break; // CMEQ / CMTST
            default: r = default; return false;
        }
        r = v.AsByte();
        return true;
    }
}
