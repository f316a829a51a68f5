using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>C4.1.2 "Extract": EXTR (and its ROR (immediate) alias).</summary>
public static class Extract
{
    /// <summary>Decode constraint: N must equal sf, and imms&lt;5&gt; must be 0 when sf = 0.</summary>
    public static bool IsAllocated(uint insn)
    {
        uint sf = insn >> 31, n = (insn >> 22) & 1;
        return n == sf && (sf == 1 || (insn & (1u << 15)) == 0);
    }

    /// <summary>C6.2 EXTR: (Rn:Rm)&lt;lsb + datasize - 1 : lsb&gt;.</summary>
    public static void Extr(Cpu cpu, uint insn)
    {
        int lsb = (int)Bits(insn, 15, 10);
        if (Sf(insn))
        {
            ulong hi = cpu.X(Rn(insn)), lo = cpu.X(Rm(insn));
            // (hi << 1) << (63 - lsb) is hi << (64 - lsb), and 0 when lsb = 0.
            cpu.SetX(Rd(insn), (lo >> lsb) | ((hi << 1) << (63 - lsb)));
        }
        else
        {
            uint hi = cpu.W(Rn(insn)), lo = cpu.W(Rm(insn));
            cpu.SetW(Rd(insn), (lo >> lsb) | ((hi << 1) << (31 - lsb)));
        }
    }
}
