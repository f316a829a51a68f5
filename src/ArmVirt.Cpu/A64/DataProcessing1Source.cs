using System.Buffers.Binary;
using System.Numerics;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>C4.1.6 "Data-processing (1 source)": RBIT, REV16, REV32, REV, CLZ, CLS; register 31 is ZR.</summary>
internal static class DataProcessing1Source
{
    /// <summary>C6.2 RBIT: reverses the bit order.</summary>
    public static void Rbit(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), ReverseBits64(cpu.X(Rn(insn))));
        else cpu.SetW(Rd(insn), ReverseBits32(cpu.W(Rn(insn))));
    }

    /// <summary>C6.2 REV16: reverses the bytes in each halfword.</summary>
    public static void Rev16(Cpu cpu, uint insn)
    {
        ulong x = cpu.X(Rn(insn));
        ulong result = ((x >> 8) & 0x00FF_00FF_00FF_00FFUL) | ((x & 0x00FF_00FF_00FF_00FFUL) << 8);
        cpu.SetX(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 REV32: reverses the bytes in each word of a 64-bit register.</summary>
    public static void Rev32(Cpu cpu, uint insn)
    {
        ulong x = cpu.X(Rn(insn));
        ulong result = BinaryPrimitives.ReverseEndianness((uint)x) | ((ulong)BinaryPrimitives.ReverseEndianness((uint)(x >> 32)) << 32);
        cpu.SetX(Rd(insn), result);
    }

    /// <summary>C6.2 REV: reverses all bytes of the register (32- or 64-bit).</summary>
    public static void Rev(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), BinaryPrimitives.ReverseEndianness(cpu.X(Rn(insn))));
        else cpu.SetW(Rd(insn), BinaryPrimitives.ReverseEndianness(cpu.W(Rn(insn))));
    }

    /// <summary>C6.2 CLZ: CountLeadingZeroBits.</summary>
    public static void Clz(Cpu cpu, uint insn)
    {
        if (Sf(insn)) cpu.SetX(Rd(insn), (ulong)BitOperations.LeadingZeroCount(cpu.X(Rn(insn))));
        else cpu.SetW(Rd(insn), (uint)BitOperations.LeadingZeroCount(cpu.W(Rn(insn))));
    }

    /// <summary>
    /// C6.2 CLS: CountLeadingSignBits(x) = CountLeadingZeroBits(x&lt;N-1:1&gt; EOR x&lt;N-2:0&gt;), i.e. the
    /// number of bits below the top bit that equal it.
    /// </summary>
    public static void Cls(Cpu cpu, uint insn)
    {
        if (Sf(insn))
        {
            ulong x = cpu.X(Rn(insn));
            cpu.SetX(Rd(insn), (ulong)BitOperations.LeadingZeroCount(((x >> 1) ^ x) << 1 | 1));
        }
        else
        {
            uint x = cpu.W(Rn(insn));
            cpu.SetW(Rd(insn), (uint)BitOperations.LeadingZeroCount(((x >> 1) ^ x) << 1 | 1));
        }
    }

    /// <summary>Reverses the bit order of a 64-bit value (RBIT).</summary>
    public static ulong ReverseBits64(ulong x)
    {
        x = ((x >> 1) & 0x5555_5555_5555_5555UL) | ((x & 0x5555_5555_5555_5555UL) << 1);
        x = ((x >> 2) & 0x3333_3333_3333_3333UL) | ((x & 0x3333_3333_3333_3333UL) << 2);
        x = ((x >> 4) & 0x0F0F_0F0F_0F0F_0F0FUL) | ((x & 0x0F0F_0F0F_0F0F_0F0FUL) << 4);
        return BinaryPrimitives.ReverseEndianness(x);
    }

    /// <summary>Reverses the bit order of a 32-bit value (RBIT).</summary>
    public static uint ReverseBits32(uint x) => (uint)(ReverseBits64(x) >> 32);
}
