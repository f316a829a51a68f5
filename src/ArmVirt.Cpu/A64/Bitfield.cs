using System.Numerics;
using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.2 "Bitfield": SBFM, BFM, UBFM (and through them the ASR/LSL/LSR/SBFX/UBFX/BFI/SXT*/UXT* aliases).
/// </summary>
internal static class Bitfield
{
    /// <summary>
    /// Decode constraint of the bitfield class: sf = 1 requires N = 1; sf = 0 requires N = 0 and
    /// immr&lt;5&gt; = imms&lt;5&gt; = 0.
    /// </summary>
    public static bool IsAllocated(uint insn)
    {
        uint n = (insn >> 22) & 1;
        if (Sf(insn)) return n == 1;
        return n == 0 && (insn & (1u << 21)) == 0 && (insn & (1u << 15)) == 0;
    }

    // DecodeBitMasks(N, imms, immr, FALSE, datasize) where the allocated encodings always have
    // esize == datasize (len = 6 for sf = 1, 5 for sf = 0), so there is no replication:
    // wmask = ROR(Ones(S + 1), R), tmask = Ones(((S - R) MOD esize) + 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Masks64(int r, int s, out ulong wmask, out ulong tmask)
    {
        wmask = BitOperations.RotateRight(ulong.MaxValue >> (63 - s), r);
        tmask = ulong.MaxValue >> (63 - ((s - r) & 63));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Masks32(int r, int s, out uint wmask, out uint tmask)
    {
        wmask = BitOperations.RotateRight(uint.MaxValue >> (31 - s), r);
        tmask = uint.MaxValue >> (31 - ((s - r) & 31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static int Immr(uint insn) => (int)Bits(insn, 21, 16);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private static int Imms(uint insn) => (int)Bits(insn, 15, 10);

    /// <summary>SBFM on a 64-bit source: the rotated, masked field with the sign bit src&lt;S&gt; replicated above it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sbfm64(ulong src, int r, int s)
    {
        Masks64(r, s, out ulong wmask, out ulong tmask);
        ulong bot = BitOperations.RotateRight(src, r) & wmask;
        ulong top = (ulong)((long)(src << (63 - s)) >> 63);
        return (top & ~tmask) | (bot & tmask);
    }

    /// <summary>SBFM on a 32-bit source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Sbfm32(uint src, int r, int s)
    {
        Masks32(r, s, out uint wmask, out uint tmask);
        uint bot = BitOperations.RotateRight(src, r) & wmask;
        uint top = (uint)((int)(src << (31 - s)) >> 31);
        return (top & ~tmask) | (bot & tmask);
    }

    /// <summary>BFM at 64 bits: the rotated, masked source field inserted into <paramref name="dst"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bfm64(ulong dst, ulong src, int r, int s)
    {
        Masks64(r, s, out ulong wmask, out ulong tmask);
        ulong bot = (dst & ~wmask) | (BitOperations.RotateRight(src, r) & wmask);
        return (dst & ~tmask) | (bot & tmask);
    }

    /// <summary>BFM at 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Bfm32(uint dst, uint src, int r, int s)
    {
        Masks32(r, s, out uint wmask, out uint tmask);
        uint bot = (dst & ~wmask) | (BitOperations.RotateRight(src, r) & wmask);
        return (dst & ~tmask) | (bot & tmask);
    }

    /// <summary>UBFM at 64 bits: the rotated, masked field, zero above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Ubfm64(ulong src, int r, int s)
    {
        Masks64(r, s, out ulong wmask, out ulong tmask);
        return BitOperations.RotateRight(src, r) & wmask & tmask;
    }

    /// <summary>UBFM at 32 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Ubfm32(uint src, int r, int s)
    {
        Masks32(r, s, out uint wmask, out uint tmask);
        return BitOperations.RotateRight(src, r) & wmask & tmask;
    }

    /// <summary>C6.2 SBFM: rotated, masked field with sign bit src&lt;S&gt; replicated above it.</summary>
    public static void Sbfm(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), Sbfm64(cpu.X(Rn(insn)), Immr(insn), Imms(insn)));
        else cpu.SetW(Rd(insn), Sbfm32(cpu.W(Rn(insn)), Immr(insn), Imms(insn)));
    }

    /// <summary>C6.2 BFM: inserts the rotated, masked source field into Rd, keeping Rd's other bits.</summary>
    public static void Bfm(Cpu cpu, uint insn)
    {
        int d = Rd(insn);
        if (Sf(insn)) cpu.SetX(d, Bfm64(cpu.X(d), cpu.X(Rn(insn)), Immr(insn), Imms(insn)));
        else cpu.SetW(d, Bfm32(cpu.W(d), cpu.W(Rn(insn)), Immr(insn), Imms(insn)));
    }

    /// <summary>C6.2 UBFM: rotated, masked field, zero above.</summary>
    public static void Ubfm(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), Ubfm64(cpu.X(Rn(insn)), Immr(insn), Imms(insn)));
        else cpu.SetW(Rd(insn), Ubfm32(cpu.W(Rn(insn)), Immr(insn), Imms(insn)));
    }
}
