using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Element access and saturation helpers shared by the Advanced SIMD semantics (Arm ARM shared/functions/vector:
/// Elem[], SatQ, SignedSatQ, UnsignedSatQ). A 128-bit register is handled as a <see cref="UInt128"/>.
/// </summary>
internal static class AdvSimd
{
    /// <summary>V[n] as 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 Get(Cpu cpu, int n)
    {
        var v = cpu.VReg(n).AsUInt64();
        return new UInt128(v.GetElement(1), v.GetElement(0));
    }

    /// <summary>Writes V[n]; a 64-bit operation (<paramref name="q"/> false) clears bits 127..64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu cpu, int n, UInt128 value, bool q) =>
        cpu.VReg(n) = Vector128.Create((ulong)value, q ? (ulong)(value >> 64) : 0UL).AsByte();

    /// <summary>Mask of the low <paramref name="esize"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(int esize) => esize == 64 ? ulong.MaxValue : (1UL << esize) - 1;

    /// <summary>Elem[v, i, esize], zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Elem(UInt128 v, int i, int esize) => (ulong)(v >> (i * esize)) & Mask(esize);

    /// <summary>Elem[v, i, esize], sign-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SElem(UInt128 v, int i, int esize) => SignExtend(Elem(v, i, esize), esize);

    /// <summary>Returns <paramref name="v"/> with element <paramref name="i"/> replaced by the low bits of <paramref name="x"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 With(UInt128 v, int i, int esize, ulong x)
    {
        int shift = i * esize;
        UInt128 mask = (UInt128)Mask(esize) << shift;
        return (v & ~mask) | (((UInt128)(x & Mask(esize))) << shift);
    }

    /// <summary>Sign-extends the low <paramref name="bits"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignExtend(ulong x, int bits) => bits == 64 ? (long)x : (long)(x << (64 - bits)) >> (64 - bits);

    /// <summary>SignedSatQ: saturates to an <paramref name="esize"/>-bit signed value, setting FPSR.QC on saturation.</summary>
    public static ulong SatS(Int128 x, int esize, Cpu cpu)
    {
        Int128 max = (Int128.One << (esize - 1)) - 1, min = -(Int128.One << (esize - 1));
        if (x > max) { cpu.State.Fpsr |= FloatingPoint.Qc; return (ulong)max & Mask(esize); }
        if (x < min) { cpu.State.Fpsr |= FloatingPoint.Qc; return (ulong)(long)min & Mask(esize); }
        return (ulong)(long)x & Mask(esize);
    }

    /// <summary>UnsignedSatQ: saturates to an <paramref name="esize"/>-bit unsigned value, setting FPSR.QC on saturation.</summary>
    public static ulong SatU(Int128 x, int esize, Cpu cpu)
    {
        Int128 max = (Int128)Mask(esize);
        if (x > max) { cpu.State.Fpsr |= FloatingPoint.Qc; return Mask(esize); }
        if (x < 0) { cpu.State.Fpsr |= FloatingPoint.Qc; return 0; }
        return (ulong)x;
    }

    /// <summary>SatQ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sat(Int128 x, int esize, bool unsigned, Cpu cpu) => unsigned ? SatU(x, esize, cpu) : SatS(x, esize, cpu);

    /// <summary>Int(element, unsigned) as a 128-bit integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Int128 Int(ulong x, int esize, bool unsigned) => unsigned ? (Int128)x : (Int128)SignExtend(x, esize);

    /// <summary>Esize in bits from a 2-bit size field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Esize(uint insn) => 8 << (int)((insn >> 22) & 3);

    /// <summary>Q (bit 30).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Q(uint insn) => (insn & (1u << 30)) != 0;

    /// <summary>U (bit 29).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool U(uint insn) => (insn & (1u << 29)) != 0;

    /// <summary>True for the scalar forms (bit 28 set in the AdvSIMD scalar groups).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsScalar(uint insn) => (insn & (1u << 28)) != 0;

    /// <summary>Constraint: size = 11 requires Q = 1 (no 1D arrangement).</summary>
    public static bool NotSize3Q0(uint insn) => ((insn >> 22) & 3) != 3 || Q(insn);

    /// <summary>Constraint: size != 11.</summary>
    public static bool NotSize3(uint insn) => ((insn >> 22) & 3) != 3;

    /// <summary>Constraint: size is 01 or 10 (H or S elements).</summary>
    public static bool SizeHS(uint insn) => ((insn >> 22) & 3) is 1 or 2;

    /// <summary>Constraint: size = 11 (scalar D).</summary>
    public static bool Size3(uint insn) => ((insn >> 22) & 3) == 3;

    /// <summary>Constraint for FP vector forms: sz = 1 requires Q = 1.</summary>
    public static bool FpNot1D(uint insn) => (insn & (1u << 22)) == 0 || Q(insn);

    /// <summary>FP element size from sz (bit 22).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FpEsize(uint insn) => (insn & (1u << 22)) != 0 ? 64 : 32;
}
