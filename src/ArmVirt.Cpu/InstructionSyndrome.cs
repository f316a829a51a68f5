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
        uint insn;
        bool thumb = cpu.State.Aarch32 && cpu.State.Thumb;
        if ((thumb ? cpu.FetchT32Fault(cpu.State.PC, out insn) : cpu.FetchFault(cpu.State.PC, out insn)) != null) return 0;
        if (!cpu.State.Aarch32) return For(insn);
        // SRT is the AArch64 view of the register (R14_svc is X18 ...) for an AArch64 EL2, the instruction's for Hyp mode.
        uint iss = thumb ? ForT32(insn) : ForA32(insn);
        if ((iss & Isv) == 0) return iss;
        int srt = cpu.SyndromeRegister((int)(iss >> 16) & 0xF);
        return (iss & ~(0x1Fu << 16)) | ((uint)srt << 16);
    }

    /// <summary>
    /// The syndrome bits for the A32 instruction <paramref name="insn"/>, or 0: LDR/STR/LDRB/STRB (immediate, register)
    /// and LDRH/STRH/LDRSB/LDRSH in their offset form (P = 1, W = 0: no write-back), and LDA/STL (B/H) with AR = 1;
    /// SF = 0 (32-bit registers). Loads of the PC, LDRD/STRD and the write-back forms have ISV = 0.
    /// </summary>
    public static uint ForA32(uint insn)
    {
        bool offsetForm = (insn & (1u << 24)) != 0 && (insn & (1u << 21)) == 0;
        bool load = (insn & (1u << 20)) != 0;
        int rt = (int)((insn >> 12) & 15);
        // Load/store word and unsigned byte: cond 01 I P U B W L, not the media space (I = 1 with bit 4 set).
        if ((insn & 0x0C00_0000) == 0x0400_0000 && (insn & 0x0200_0010) != 0x0200_0010 && offsetForm && rt != 15)
            return Isv | ((insn & (1u << 22)) != 0 ? 0u : 2u << 22) | ((uint)rt << 16);
        // Extra load/store: cond 000 P U I W L Rn Rt .. 1 op2 1, op2 = 01 halfword, 10/11 with L = 1 LDRSB/LDRSH.
        uint op2 = (insn >> 5) & 3;
        if ((insn & 0x0E00_0090) == 0x0000_0090 && op2 != 0 && offsetForm && rt != 15 && (load || op2 == 1)
            && ((insn & (1u << 22)) != 0 || (insn & 0xF00) == 0))
        {
            uint sas = op2 == 2 ? 0u : 1u;
            bool signExtend = op2 != 1;
            return Isv | (sas << 22) | (signExtend ? 1u << 21 : 0) | ((uint)rt << 16);
        }
        // LDA, LDAB, LDAH, STL, STLB, STLH: cond 0001 1 sz L Rn Rt 1100 1001 Rt (bits 9..8 = 00), sz 00 word, 10 byte, 11 halfword.
        if ((insn & 0x0F80_03F0) == 0x0180_0090 && ((insn >> 8) & 0xC) == 0xC && ((insn >> 21) & 3) != 1)
        {
            uint sas = ((insn >> 21) & 3) switch { 0 => 2u, 2 => 0u, _ => 1u };
            int t = load ? rt : (int)(insn & 15);
            return t == 15 ? 0 : Isv | (sas << 22) | ((uint)t << 16) | (1u << 14);
        }
        return 0;
    }

    /// <summary>
    /// The syndrome bits for the T32 instruction <paramref name="insn"/> (a 16-bit one is the halfword, a 32-bit one
    /// hw1:hw2), or 0. The same instructions as in A32 (the Arm ARM's list for a Data Abort: LDR, LDRB, LDRH, LDRSB, LDRSH,
    /// their unprivileged T forms, STR, STRB, STRH, LDA/STL (B/H) with AR = 1; no write-back, no PC as Rt): the 16-bit
    /// immediate, register, SP-relative and literal forms, the 32-bit imm12, negative imm8 (P = 1, W = 0), unprivileged,
    /// register and literal forms. ESR.IL = 0 for a 16-bit instruction is <c>Cpu.T32LengthInSyndrome</c>'s.
    /// </summary>
    public static uint ForT32(uint insn)
    {
        if (insn <= 0xFFFF)
        {
            int rt = (int)insn & 7;
            switch (insn >> 12)
            {
                case 0b0101: // register offset: STR, STRH, STRB, LDRSB, LDR, LDRH, LDRB, LDRSH
                    {
                        uint opB = (insn >> 9) & 7;
                        uint sas = opB switch { 0 or 4 => 2u, 1 or 5 or 7 => 1u, _ => 0u };
                        return Isv | (sas << 22) | (opB is 3 or 7 ? 1u << 21 : 0) | ((uint)rt << 16);
                    }
                case 0b0110: return Isv | (2u << 22) | ((uint)rt << 16); // LDR/STR (immediate)
                case 0b0111: return Isv | ((uint)rt << 16);              // LDRB/STRB (immediate)
                case 0b1000: return Isv | (1u << 22) | ((uint)rt << 16); // LDRH/STRH (immediate)
                case 0b1001: return Isv | (2u << 22) | (((insn >> 8) & 7) << 16); // LDR/STR (SP plus immediate)
                case 0b0100 when (insn & 0x0800) != 0: return Isv | (2u << 22) | (((insn >> 8) & 7) << 16); // LDR (literal)
                default: return 0;
            }
        }
        int t = (int)(insn >> 12) & 15;
        // Load/store single: 1111 100 S U sz L Rn : Rt ..., sz 00 byte, 01 halfword, 10 word.
        if ((insn & 0xFE00_0000) == 0xF800_0000 && ((insn >> 21) & 3) != 3)
        {
            bool offset = (insn & (1u << 23)) != 0 || ((insn >> 16) & 15) == 15 // imm12, literal
                || (insn & 0xFC0) == 0                                          // register
                || (insn & 0xD00) == 0xC00;                                     // imm8 with P = 1, W = 0 (negative, unprivileged)
            if (!offset || t == 15) return 0;
            bool load = (insn & (1u << 20)) != 0, signed = (insn & (1u << 24)) != 0;
            if (signed && !load) return 0;
            return Isv | (((insn >> 21) & 3) << 22) | (signed ? 1u << 21 : 0) | ((uint)t << 16);
        }
        // LDA, LDAB, LDAH, STL, STLB, STLH: 1110 1000 110 L Rn : Rt 1111 10 sz 1111, sz 00 byte, 01 halfword, 10 word.
        if ((insn & 0xFFE0_0FCF) == 0xE8C0_0F8F && ((insn >> 4) & 3) != 3 && t != 15)
            return Isv | (((insn >> 4) & 3) << 22) | ((uint)t << 16) | (1u << 14);
        return 0;
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
