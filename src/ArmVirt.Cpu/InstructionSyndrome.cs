namespace ArmVirt.Cpu;

/// <summary>
/// The instruction syndrome of a Data Abort (ESR_ELx.ISS bits 24..14: ISV, SAS, SSE, SRT, SF, AR) for the
/// instructions that have one: single general-purpose-register loads and stores without writeback, and
/// load-acquire/store-release (Arm ARM D17.2.37, "ISS encoding for an exception from a Data Abort").
/// </summary>
internal static class InstructionSyndrome
{
    private const uint Isv = 1u << 24;

    /// <summary>The syndrome bits for the instruction at the CPU's PC, or 0 (ISV = 0) when it has none.</summary>
    public static uint ForCurrentInstruction(Cpu cpu)
    {
        if (cpu.State.Aarch32) return 0; // the A32 syndromes are not built yet: ISV = 0, which the Arm ARM permits
        uint insn;
        try
        {
            insn = cpu.FetchInstruction(cpu.State.PC);
        }
        catch (Exceptions.GuestException)
        {
            return 0;
        }
        return For(insn);
    }

    /// <summary>The syndrome bits for <paramref name="insn"/>, or 0.</summary>
    public static uint For(uint insn)
    {
        int size = (int)(insn >> 30);
        int rt = (int)(insn & 31);
        // Load/store register: unsigned offset (x x 111 0 01 ..), unscaled / unprivileged (x x 111 0 00 .. 0 ... 00 / 10),
        // register offset (x x 111 0 00 .. 1 ... 10). V (bit 26) must be 0.
        if ((insn & 0x3F00_0000) == 0x3900_0000)
            return Ldst(size, (insn >> 22) & 3, rt);
        if ((insn & 0x3F20_0000) == 0x3800_0000 && ((insn >> 10) & 3) is 0 or 2)
            return Ldst(size, (insn >> 22) & 3, rt);
        if ((insn & 0x3F20_0C00) == 0x3820_0800)
            return Ldst(size, (insn >> 22) & 3, rt);
        // LDAR/STLR family: size 001000 o2=1 L o1=0 Rs o0=1 Rt2 Rn Rt; AR = 1.
        if ((insn & 0x3FA0_8000) == 0x0880_8000)
            return Isv | ((uint)size << 22) | ((uint)rt << 16) | (size == 3 ? 1u << 15 : 0) | (1u << 14);
        return 0;
    }

    private static uint Ldst(int size, uint opc, int rt)
    {
        // opc: 00 store, 01 load (zero-extend), 10 load signed to 64 bits, 11 load signed to 32 bits (or PRFM for size 3).
        if (size == 3 && opc >= 2) return 0; // PRFM / unallocated
        if (size == 2 && opc == 3) return 0;
        bool signExtend = opc >= 2;
        bool sixtyFour = size == 3 || opc == 2;
        return Isv | ((uint)size << 22) | (signExtend ? 1u << 21 : 0) | ((uint)rt << 16) | (sixtyFour ? 1u << 15 : 0);
    }
}
