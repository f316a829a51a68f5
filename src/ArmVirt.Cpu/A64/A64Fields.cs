using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64;

/// <summary>Operand fields common to many A64 encodings (names as in the Arm ARM encoding diagrams).</summary>
internal static class A64Fields
{
    /// <summary>Rd / Rt: bits 4..0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rd(uint insn) => (int)(insn & 31);
    /// <summary>Rt: bits 4..0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rt(uint insn) => (int)(insn & 31);
    /// <summary>Rn: bits 9..5.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rn(uint insn) => (int)((insn >> 5) & 31);
    /// <summary>Rt2 / Ra: bits 14..10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rt2(uint insn) => (int)((insn >> 10) & 31);
    /// <summary>Ra: bits 14..10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Ra(uint insn) => (int)((insn >> 10) & 31);
    /// <summary>Rm / Rs: bits 20..16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rm(uint insn) => (int)((insn >> 16) & 31);
    /// <summary>Rs: bits 20..16.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static int Rs(uint insn) => (int)((insn >> 16) & 31);
    /// <summary>sf: bit 31 (1 = 64-bit operation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Sf(uint insn) => (insn & 0x8000_0000) != 0;
    /// <summary>Bits hi..lo of the word, unsigned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bits(uint insn, int hi, int lo) => (insn >> lo) & (uint)((1UL << (hi - lo + 1)) - 1);
    /// <summary>Bits hi..lo sign-extended to 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long SignedBits(uint insn, int hi, int lo)
    {
        int width = hi - lo + 1;
        return (long)((ulong)Bits(insn, hi, lo) << (64 - width)) >> (64 - width);
    }
}
