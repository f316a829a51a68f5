using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>C4.1.2 "Extract": EXTR (and its ROR (immediate) alias).</summary>
internal static class Extract
{
    /// <summary>Decode constraint: N must equal sf, and imms&lt;5&gt; must be 0 when sf = 0.</summary>
    public static bool IsAllocated(uint insn)
    {
        uint sf = insn >> 31, n = (insn >> 22) & 1;
        return n == sf && (sf == 1 || (insn & (1u << 15)) == 0);
    }

    // (hi << 1) << (63 - lsb) is hi << (64 - lsb), and 0 when lsb = 0.
    /// <summary>EXTR at 64 bits: bits lsb+63..lsb of hi:lo.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static ulong Extr64(ulong hi, ulong lo, int lsb) => (lo >> lsb) | ((hi << 1) << (63 - lsb));

    /// <summary>EXTR at 32 bits.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static uint Extr32(uint hi, uint lo, int lsb) => (lo >> lsb) | ((hi << 1) << (31 - lsb));

    /// <summary>C6.2 EXTR: Rd = (Rn:Rm)&lt;lsb+datasize-1:lsb&gt;.</summary>
    public static void Extr(Cpu cpu, uint insn)
    {
        int lsb = (int)Bits(insn, 15, 10);
        if (Sf(insn)) cpu.SetX(Rd(insn), Extr64(cpu.X(Rn(insn)), cpu.X(Rm(insn)), lsb));
        else cpu.SetW(Rd(insn), Extr32(cpu.W(Rn(insn)), cpu.W(Rm(insn)), lsb));
    }
}
