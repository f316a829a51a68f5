using System.Numerics;
using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.2 "Bitfield": SBFM, BFM, UBFM (and through them the ASR/LSL/LSR/SBFX/UBFX/BFI/SXT*/UXT* aliases).
/// </summary>
public static class Bitfield
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

    /// <summary>C6.2 SBFM: rotated, masked field with sign bit src&lt;S&gt; replicated above it.</summary>
    public static void Sbfm(Cpu cpu, uint insn)
    {
        int r = Immr(insn), s = Imms(insn);
        if (Sf(insn))
        {
            ulong src = cpu.X(Rn(insn));
            Masks64(r, s, out ulong wmask, out ulong tmask);
            ulong bot = BitOperations.RotateRight(src, r) & wmask;
            ulong top = (ulong)((long)(src << (63 - s)) >> 63);
            cpu.SetX(Rd(insn), (top & ~tmask) | (bot & tmask));
        }
        else
        {
            uint src = cpu.W(Rn(insn));
            Masks32(r, s, out uint wmask, out uint tmask);
            uint bot = BitOperations.RotateRight(src, r) & wmask;
            uint top = (uint)((int)(src << (31 - s)) >> 31);
            cpu.SetW(Rd(insn), (top & ~tmask) | (bot & tmask));
        }
    }

    /// <summary>C6.2 BFM: inserts the rotated, masked source field into Rd, keeping Rd's other bits.</summary>
    public static void Bfm(Cpu cpu, uint insn)
    {
        int r = Immr(insn), s = Imms(insn);
        int d = Rd(insn);
        if (Sf(insn))
        {
            ulong dst = cpu.X(d), src = cpu.X(Rn(insn));
            Masks64(r, s, out ulong wmask, out ulong tmask);
            ulong bot = (dst & ~wmask) | (BitOperations.RotateRight(src, r) & wmask);
            cpu.SetX(d, (dst & ~tmask) | (bot & tmask));
        }
        else
        {
            uint dst = cpu.W(d), src = cpu.W(Rn(insn));
            Masks32(r, s, out uint wmask, out uint tmask);
            uint bot = (dst & ~wmask) | (BitOperations.RotateRight(src, r) & wmask);
            cpu.SetW(d, (dst & ~tmask) | (bot & tmask));
        }
    }

    /// <summary>C6.2 UBFM: rotated, masked field, zero above.</summary>
    public static void Ubfm(Cpu cpu, uint insn)
    {
        int r = Immr(insn), s = Imms(insn);
        if (Sf(insn))
        {
            Masks64(r, s, out ulong wmask, out ulong tmask);
            cpu.SetX(Rd(insn), BitOperations.RotateRight(cpu.X(Rn(insn)), r) & wmask & tmask);
        }
        else
        {
            Masks32(r, s, out uint wmask, out uint tmask);
            cpu.SetW(Rd(insn), BitOperations.RotateRight(cpu.W(Rn(insn)), r) & wmask & tmask);
        }
    }
}
