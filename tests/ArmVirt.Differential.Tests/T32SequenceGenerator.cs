namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random T32 code for the A32 batch harness (<see cref="A32BatchProgram"/>): each group enters T32 state with an A32
/// <c>BLX</c> to the next word (interworking; LR is written), runs random T32 instructions of one class, and returns to
/// A32 with a word-aligned <c>BX PC</c>. Conventions as for A32: R11 holds the
/// block address and is never written; R7 is the T32 memory base pointed into the scratch area; R13 is only written by
/// the stack class (pointed into scratch first). Nothing generated is UNDEFINED or UNPREDICTABLE: IT blocks hold only
/// data-processing instructions, a 16-bit CMP/ADD/MOV of high registers never names the PC, no write-back base is also
/// loaded, RdLo != RdHi.
/// </summary>
internal static class T32SequenceGenerator
{
    private const int Block = A32BatchProgram.Block, Base = 7;

    /// <summary>Every class, by name.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] Classes =
    [
        ("t16-dp", r => Group("t16-dp", r, Narrow16)),
        ("t16-it", r => Group("t16-it", r, ItBlock)),
        ("t32-dp", r => Group("t32-dp", r, Wide32)),
        ("t32-it", r => Group("t32-it", r, ItBlockWide)),
        ("t-mul-misc", r => Group("t-mul-misc", r, MultiplyMisc)),
        ("t-ldst", r => Group("t-ldst", r, LoadStore)),
        ("t-stack", r => Group("t-stack", r, Stack)),
        ("t-branch", r => Group("t-branch", r, Branch)),
        ("t-exclusive", r => Group("t-exclusive", r, Exclusive)),
        ("t-exclusive-dual", r => Group("t-exclusive-dual", r, ExclusiveDual)),
        ("t-parallel", r => Group("t-parallel", r, Parallel)),
        ("t-crc32", r => Group("t-crc32", r, Crc32)),
    ];

    // A group: BLX (immediate) to the next word, a few items of one class, BX PC back to A32.
    private static InstructionGroup Group(string name, Random r, Action<Random, List<ushort>> make)
    {
        var hw = new List<ushort>();
        int items = r.Next(1, 5);
        for (int i = 0; i < items; i++) make(r, hw);
        // BX PC reads the BX's address + 4, which must be word-aligned for A32: a NOP first when needed; the halfword
        // after the BX is skipped.
        if (hw.Count % 2 != 0) hw.Add(0xBF00);
        hw.Add(0x4778);
        hw.Add(0xBF00);
        var words = new uint[1 + hw.Count / 2];
        words[0] = 0xFAFF_FFFF; // blx #-4 (H = 0): to the next word, in T32 state
        for (int i = 0; i < hw.Count / 2; i++) words[1 + i] = hw[2 * i] | (uint)hw[2 * i + 1] << 16;
        return new InstructionGroup(name, words);
    }

    private static void Wide(List<ushort> hw, uint insn) { hw.Add((ushort)(insn >> 16)); hw.Add((ushort)insn); }

    private static int Low(Random r) => r.Next(8);
    // A destination for 32-bit instructions: R0-R10, R12, R14 but R7 (the memory base) ... R7 is allowed outside memory groups.
    private static int Dst(Random r) { while (true) { int n = r.Next(15); if (n != Block && n != 13) return n; } }
    private static int Src(Random r) { while (true) { int n = r.Next(15); if (n != 13) return n; } }

    // ---- 16-bit data processing ----

    // inIt: MOVS Rd, Rm (LSL #0, encoding T2) is UNPREDICTABLE inside an IT block.
    private static ushort Narrow16Instruction(Random r, bool inIt = false)
    {
        switch (r.Next(9))
        {
            case 0: return (ushort)(r.Next(3) << 11 | (inIt ? r.Next(1, 32) : r.Next(32)) << 6 | Low(r) << 3 | Low(r)); // LSL/LSR/ASR #imm, MOVS
            case 1: return (ushort)(0x1800 | r.Next(4) << 9 | Low(r) << 6 | Low(r) << 3 | Low(r));    // ADD/SUB reg, imm3
            case 2: return (ushort)(0x2000 | r.Next(4) << 11 | Low(r) << 8 | r.Next(256));           // MOV/CMP/ADD/SUB imm8
            case 3:
            case 4: return (ushort)(0x4000 | r.Next(16) << 6 | Low(r) << 3 | Low(r));                 // data-processing (two low registers)
            case 5:
                {
                    // ADD/MOV (high registers): Rd in R0-R10, R12; Rm anything but SP and PC.
                    int rd = r.Next(12); if (rd == Block) rd = 12;
                    int rm = r.Next(13);
                    return (ushort)(0x4400 | (r.Next(2) == 0 ? 0 : 0x200) | (rd & 8) << 4 | rm << 3 | (rd & 7));
                }
            case 6:
                {
                    // CMP (high registers): not both low, neither the PC.
                    int rn = r.Next(13), rm = r.Next(13);
                    if (rn < 8 && rm < 8) rm = 8 + r.Next(5);
                    return (ushort)(0x4500 | (rn & 8) << 4 | rm << 3 | (rn & 7));
                }
            case 7: return (ushort)(0xB200 | r.Next(4) << 6 | Low(r) << 3 | Low(r));                   // SXTH/SXTB/UXTH/UXTB
            default:
                {
                    int op = r.Next(3); if (op == 2) op = 3;
                    return (ushort)(0xBA00 | op << 6 | Low(r) << 3 | Low(r));                         // REV/REV16/REVSH
                }
        }
    }

    private static void Narrow16(Random r, List<ushort> hw) => hw.Add(Narrow16Instruction(r));

    // IT with 1-4 instructions under random conditions (AL only for a single instruction), the flag-setting forms of the
    // 16-bit instructions not setting flags inside, preceded by a compare that makes the conditions mixed.
    private static void ItBlock(Random r, List<ushort> hw) => It(r, hw, wide: false);
    private static void ItBlockWide(Random r, List<ushort> hw) => It(r, hw, wide: true);

    private static void It(Random r, List<ushort> hw, bool wide)
    {
        hw.Add((ushort)(0x2800 | Low(r) << 8 | r.Next(256))); // cmp rX, #imm8
        int count = r.Next(1, 5);
        int firstcond = r.Next(8) == 0 ? 14 : r.Next(14);
        if (firstcond == 14) count = 1;
        int mask = 0;
        int fc0 = firstcond & 1;
        for (int i = 1; i < count; i++) mask |= (firstcond == 14 ? fc0 : (r.Next(2) == 0 ? fc0 : fc0 ^ 1)) << (4 - i);
        mask |= 1 << (4 - count);
        hw.Add((ushort)(0xBF00 | firstcond << 4 | mask));
        for (int i = 0; i < count; i++)
        {
            if (wide && r.Next(2) == 0) WideInstruction(r, hw);
            else hw.Add(Narrow16Instruction(r, inIt: true));
        }
    }

    // ---- 32-bit data processing ----

    private static readonly int[] DataOps = [0, 1, 2, 3, 4, 8, 10, 11, 13, 14];

    private static void Wide32(Random r, List<ushort> hw) => WideInstruction(r, hw);

    private static void WideInstruction(Random r, List<ushort> hw)
    {
        int op = DataOps[r.Next(DataOps.Length)], s = r.Next(2), rn = Src(r), rd = Dst(r);
        bool compare = op is 0 or 4 or 8 or 13 && s == 1 && r.Next(3) == 0;
        if (compare) rd = 15;
        if (op is 2 or 3 && r.Next(3) == 0) rn = 15; // MOV, MVN
        switch (r.Next(6))
        {
            case 0:
            case 1:
                {
                    // Modified immediate: i:imm3:imm8 avoiding the UNPREDICTABLE zero-byte patterns.
                    uint imm12 = (uint)r.Next(4096);
                    if ((imm12 >> 10) == 0 && (imm12 >> 8) != 0 && (imm12 & 0xFF) == 0) imm12 |= 1;
                    Wide(hw, 0xF000_0000u | (imm12 >> 11) << 26 | (uint)op << 21 | (uint)s << 20 | (uint)rn << 16 | ((imm12 >> 8) & 7) << 12 | (uint)rd << 8 | (imm12 & 0xFF));
                    break;
                }
            case 2:
            case 3:
                {
                    int imm5 = r.Next(4) == 0 ? 0 : r.Next(32);
                    Wide(hw, 0xEA00_0000u | (uint)op << 21 | (uint)s << 20 | (uint)rn << 16 | (uint)(imm5 >> 2) << 12 | (uint)rd << 8 | (uint)(imm5 & 3) << 6 | (uint)r.Next(4) << 4 | (uint)Src(r));
                    break;
                }
            case 4:
                {
                    // LSL/LSR/ASR/ROR (register), after a MOVS of an interesting amount into a low register.
                    int rs = Low(r);
                    int[] amounts = [0, 1, 7, 31, 32, 33, 40, 255];
                    hw.Add((ushort)(0x2000 | rs << 8 | amounts[r.Next(amounts.Length)]));
                    Wide(hw, 0xFA00_F000u | (uint)r.Next(4) << 21 | (uint)s << 20 | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)rs);
                    break;
                }
            default:
                {
                    uint imm12 = (uint)r.Next(4096), imm4 = (uint)r.Next(16);
                    uint op5 = r.Next(4) switch { 0 => 0b00000u, 1 => 0b01010u, 2 => 0b00100u, _ => 0b01100u }; // ADDW, SUBW, MOVW, MOVT
                    bool move = (op5 & 0b00100) != 0;
                    int n = move ? (int)imm4 : Src(r);
                    if (!move && r.Next(6) == 0) n = 15; // ADR
                    Wide(hw, 0xF200_0000u | (imm12 >> 11) << 26 | op5 << 20 | (uint)n << 16 | ((imm12 >> 8) & 7) << 12 | (uint)Dst(r) << 8 | (imm12 & 0xFF));
                    break;
                }
        }
    }

    // ---- multiplies, divide, bitfields, miscellaneous ----

    private static void MultiplyMisc(Random r, List<ushort> hw)
    {
        switch (r.Next(8))
        {
            case 6: // SMUL/SMLA<x><y>, SMLAD/SMUAD, SMULW/SMLAW<y>, SMLSD/SMUSD, SMMLA/SMMUL, SMMLS, USAD8/USADA8
                {
                    int op1 = r.Next(1, 8);
                    int ra = op1 == 6 ? Src(r) : r.Next(3) == 0 ? 15 : Src(r);
                    uint op2 = op1 == 1 ? (uint)r.Next(4) : op1 == 7 ? 0u : (uint)r.Next(2);
                    Wide(hw, 0xFB00_0000u | (uint)op1 << 20 | (uint)Src(r) << 16 | (uint)ra << 12 | (uint)Dst(r) << 8 | op2 << 4 | (uint)Src(r));
                    break;
                }
            case 7: // SMLAL<x><y>, SMLALD, SMLSLD
                {
                    int lo = Dst(r), hi; do hi = Dst(r); while (hi == lo);
                    (uint op1, uint op2) = r.Next(3) switch { 0 => (4u, 8u | (uint)r.Next(4)), 1 => (4u, 12u | (uint)r.Next(2)), _ => (5u, 12u | (uint)r.Next(2)) };
                    Wide(hw, 0xFB80_0000u | op1 << 20 | (uint)Src(r) << 16 | (uint)lo << 12 | (uint)hi << 8 | op2 << 4 | (uint)Src(r));
                    break;
                }
            case 0: // MUL/MLA/MLS
                {
                    int ra = r.Next(3) == 0 ? 15 : Src(r);
                    int op2 = ra == 15 ? 0 : r.Next(2);
                    Wide(hw, 0xFB00_0000u | (uint)Src(r) << 16 | (uint)ra << 12 | (uint)Dst(r) << 8 | (uint)op2 << 4 | (uint)Src(r));
                    break;
                }
            case 1: // SMULL/UMULL/SMLAL/UMLAL/UMAAL
                {
                    int lo = Dst(r), hi; do hi = Dst(r); while (hi == lo);
                    (uint op1, uint op2) = r.Next(5) switch { 0 => (0u, 0u), 1 => (2u, 0u), 2 => (4u, 0u), 3 => (6u, 0u), _ => (6u, 6u) };
                    Wide(hw, 0xFB80_0000u | op1 << 20 | (uint)Src(r) << 16 | (uint)lo << 12 | (uint)hi << 8 | op2 << 4 | (uint)Src(r));
                    break;
                }
            case 2: // SDIV/UDIV
                Wide(hw, 0xFB90_F0F0u | (uint)r.Next(2) << 21 | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)Src(r));
                break;
            case 3: // SBFX/UBFX/BFI/BFC
                {
                    int lsb = r.Next(32), kind = r.Next(3);
                    int last = kind == 2 ? lsb + r.Next(32 - lsb) : r.Next(32 - lsb);
                    uint op = kind switch { 0 => 0x0340u, 1 => 0x03C0u, _ => 0x0360u };
                    int rn = kind == 2 && r.Next(3) == 0 ? 15 : Src(r);
                    Wide(hw, 0xF000_0000u | op << 16 | (uint)rn << 16 | (uint)(lsb >> 2) << 12 | (uint)Dst(r) << 8 | (uint)(lsb & 3) << 6 | (uint)last);
                    break;
                }
            case 4: // REV/REV16/RBIT/REVSH/CLZ, QADD...
                {
                    int rm = Src(r);
                    uint w = r.Next(3) switch
                    {
                        0 => 0xFA90_F080u | (uint)r.Next(4) << 4,
                        1 => 0xFAB0_F080u,
                        _ => 0xFA80_F080u | (uint)r.Next(4) << 4,
                    };
                    uint rn = (w & 0xFFF0_0000) == 0xFA80_0000 ? (uint)Src(r) : (uint)rm;
                    Wide(hw, w | rn << 16 | (uint)Dst(r) << 8 | (uint)rm);
                    break;
                }
            default: // SXTAH/UXTAH/SXTAB/UXTAB (Rn = PC: SXTH...)
                {
                    uint op = (uint)new[] { 0, 1, 4, 5 }[r.Next(4)];
                    int rn = r.Next(3) == 0 ? 15 : Src(r);
                    Wide(hw, 0xFA00_F080u | op << 20 | (uint)rn << 16 | (uint)Dst(r) << 8 | (uint)r.Next(4) << 4 | (uint)Src(r));
                    break;
                }
        }
    }

    // ---- loads and stores: R7 = R11 + 64 .. 192 first ----

    private static void PointBase(Random r, List<ushort> hw, int align) =>
        Wide(hw, 0xF200_0000u | (uint)Block << 16 | (uint)Base << 8 | (uint)(64 + align * r.Next(0, 128 / align))); // addw r7, r11, #imm

    private static void LoadStore(Random r, List<ushort> hw)
    {
        int kind = r.Next(7);
        int size = kind >= 5 ? 4 : 1 << r.Next(3); // LDM/STM, LDRD/STRD are word-aligned
        PointBase(r, hw, size);
        int rt = Low(r); if (rt == Base) rt = 0;
        bool load = r.Next(2) == 0;
        switch (kind)
        {
            case 0: // 16-bit immediate offset
                {
                    int imm5 = r.Next(16);
                    ushort op = size switch { 4 => 0x6000, 1 => 0x7000, _ => 0x8000 };
                    hw.Add((ushort)(op | (load ? 0x800 : 0) | imm5 << 6 | Base << 3 | rt));
                    break;
                }
            case 1: // 16-bit register offset, after MOVS r6, #k
                {
                    hw.Add((ushort)(0x2600 | size * r.Next(16)));
                    int opb = size switch { 4 => load ? 4 : 0, 2 => load ? (r.Next(2) == 0 ? 5 : 7) : 1, _ => load ? (r.Next(2) == 0 ? 6 : 3) : 2 };
                    hw.Add((ushort)(0x5000 | opb << 9 | 6 << 6 | Base << 3 | rt));
                    break;
                }
            case 2: // 32-bit imm12
                {
                    uint sz = size switch { 1 => 0u, 2 => 1u, _ => 2u };
                    uint signed = load && size < 4 && r.Next(2) == 0 ? 1u : 0u;
                    int rt32 = Dst(r); if (rt32 == Base) rt32 = 0;
                    Wide(hw, 0xF880_0000u | signed << 24 | sz << 21 | (load ? 1u : 0) << 20 | (uint)Base << 16 | (uint)rt32 << 12 | (uint)(size * r.Next(16)));
                    break;
                }
            case 3: // 32-bit imm8: negative offset, pre- or post-indexed with write-back, unprivileged
                {
                    uint sz = size switch { 1 => 0u, 2 => 1u, _ => 2u };
                    uint signed = load && size < 4 && r.Next(2) == 0 ? 1u : 0u;
                    uint puw = new uint[] { 0b100, 0b110, 0b101, 0b111, 0b001, 0b011 }[r.Next(6)];
                    int rt32 = Dst(r); if (rt32 == Base) rt32 = 0;
                    Wide(hw, 0xF800_0800u | signed << 24 | sz << 21 | (load ? 1u : 0) << 20 | (uint)Base << 16 | (uint)rt32 << 12 | puw << 8 | (uint)(size * r.Next(8)));
                    break;
                }
            case 4: // 32-bit register offset, LSL #0-3, after MOVS r6, #k
                {
                    hw.Add((ushort)(0x2600 | r.Next(8)));
                    uint sz = size switch { 1 => 0u, 2 => 1u, _ => 2u };
                    int shift = size switch { 1 => 0, 2 => 1, _ => 2 };
                    uint signed = load && size < 4 && r.Next(2) == 0 ? 1u : 0u;
                    int rt32 = Dst(r); if (rt32 == Base || rt32 == 6) rt32 = 0;
                    Wide(hw, 0xF800_0000u | signed << 24 | sz << 21 | (load ? 1u : 0) << 20 | (uint)Base << 16 | (uint)rt32 << 12 | (uint)shift << 4 | 6u);
                    break;
                }
            case 6: // LDRD/STRD (offset, pre- or post-indexed)
                {
                    int t1 = Dst(r), t2 = Dst(r);
                    if (t1 == Base) t1 = 0;
                    if (t2 == Base) t2 = 1;
                    if (load && t1 == t2) t2 = t1 == 0 ? 1 : 0;
                    uint pw = new uint[] { 0b10, 0b11, 0b01 }[r.Next(3)];
                    Wide(hw, 0xE840_0000u | (pw >> 1) << 24 | (uint)r.Next(2) << 23 | (pw & 1) << 21 | (load ? 1u << 20 : 0) | (uint)Base << 16 | (uint)t1 << 12 | (uint)t2 << 8 | (uint)r.Next(8));
                    break;
                }
            default: // STM/LDM (16-bit, IA with write-back unless the base is loaded) and 32-bit IA/DB
                {
                    if (r.Next(2) == 0)
                    {
                        int list = r.Next(1, 256) & ~(1 << Base);
                        if (list == 0) list = 1;
                        if (load && r.Next(4) == 0) list |= 1 << Base; // no write-back then
                        hw.Add((ushort)((load ? 0xC800 : 0xC000) | Base << 8 | list));
                    }
                    else
                    {
                        int list = r.Next(1, 0x2000) & ~(1 << Base) & ~(1 << Block);
                        list |= 1; list |= 2; // at least two registers
                        bool db = r.Next(2) == 0;
                        Wide(hw, (db ? 0xE900_0000u : 0xE880_0000u) | (load ? 1u << 20 : 0) | 1u << 21 | (uint)Base << 16 | (uint)list);
                    }
                    break;
                }
        }
    }

    // PUSH/POP (16- and 32-bit) and SP-relative accesses with SP pointed into the scratch area (mov sp, r7).
    private static void Stack(Random r, List<ushort> hw)
    {
        PointBase(r, hw, 4);
        hw.Add(0x46BD); // mov sp, r7
        switch (r.Next(4))
        {
            case 0: hw.Add((ushort)(0xB400 | r.Next(1, 256))); hw.Add((ushort)(0xBC00 | r.Next(1, 256) & ~(1 << Base) | 1)); break; // push / pop
            case 1: hw.Add((ushort)(0x9000 | (r.Next(2) << 11) | (Low(r) == Base ? 0 : Low(r)) << 8 | r.Next(16))); break; // str/ldr rt, [sp, #imm]
            case 2: hw.Add((ushort)(0xB000 | r.Next(2) << 7 | r.Next(16))); hw.Add((ushort)(0xA800 | Low(r) << 8 | r.Next(64))); break; // add/sub sp ; add rX, sp, #imm
            default: hw.Add((ushort)(0xB500 | r.Next(256))); hw.Add((ushort)(0xBC00 | 0x01)); hw.Add(0xBC02); break; // push {.., lr} ; pop {r0} ; pop {r1}
        }
    }

    // ---- parallel add/subtract (GE), SEL, PKH, SSAT16/USAT16, SXTAB16/UXTAB16 ----

    private static void Parallel(Random r, List<ushort> hw)
    {
        uint ParallelWord()
        {
            int[] ops = [0, 1, 2, 4, 5, 6];
            int uhs = r.Next(6) switch { 0 => 0b000, 1 => 0b001, 2 => 0b010, 3 => 0b100, 4 => 0b101, _ => 0b110 };
            return 0xFA80_F000u | (uint)ops[r.Next(ops.Length)] << 20 | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)uhs << 4 | (uint)Src(r);
        }
        switch (r.Next(5))
        {
            case 0: Wide(hw, ParallelWord()); break;
            case 1: Wide(hw, ParallelWord() & ~0x70u); Wide(hw, 0xFAA0_F080u | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)Src(r)); break; // GE from a plain op; SEL
            case 2:
                {
                    int imm5 = r.Next(32), tb = r.Next(2);
                    Wide(hw, 0xEAC0_0000u | (uint)Src(r) << 16 | (uint)(imm5 >> 2) << 12 | (uint)Dst(r) << 8 | (uint)(imm5 & 3) << 6 | (uint)tb << 5 | (uint)Src(r));
                    break;
                }
            case 3: Wide(hw, 0xF320_0000u | (uint)r.Next(2) << 23 | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)r.Next(16)); break; // SSAT16 / USAT16
            default:
                {
                    int rn = r.Next(3) == 0 ? 15 : Src(r);
                    Wide(hw, 0xFA20_F080u | (uint)r.Next(2) << 20 | (uint)rn << 16 | (uint)Dst(r) << 8 | (uint)r.Next(4) << 4 | (uint)Src(r));
                    break;
                }
        }
    }

    // ---- exclusives and acquire/release: LDREX/STREX (word, with imm8 * 4), B/H, LDAEX/STLEX, LDA/STL ----

    private static void Exclusive(Random r, List<ushort> hw)
    {
        PointBase(r, hw, 4);
        int rt = Dst(r), rt2 = Src(r), status = Dst(r);
        if (rt == Base) rt = 0;
        while (status == Base || status == rt2) status = (status + 1) % 11;
        // op (hw2 bits 7..4) of the B/H/acquire-release forms: 0100 B, 0101 H, 1100 AEX B, 1101 AEX H, 1110 AEX.
        int kind = r.Next(4);
        uint load, store;
        if (kind == 0)
        {
            int imm8 = r.Next(8);
            load = 0xE850_0F00u | (uint)Base << 16 | (uint)rt << 12 | (uint)imm8;
            store = 0xE840_0000u | (uint)Base << 16 | (uint)rt2 << 12 | (uint)status << 8 | (uint)imm8;
        }
        else if (kind == 3)
        {
            // LDA/STL (B, H, word): no status.
            uint op = (uint)new[] { 0b1000, 0b1001, 0b1010 }[r.Next(3)];
            Wide(hw, r.Next(2) == 0 ? 0xE8D0_0F0Fu | (uint)Base << 16 | (uint)rt << 12 | op << 4 : 0xE8C0_0F0Fu | (uint)Base << 16 | (uint)rt2 << 12 | op << 4);
            return;
        }
        else
        {
            uint op = (uint)new[] { 0b0100, 0b0101, 0b1100, 0b1101, 0b1110 }[r.Next(5)];
            load = 0xE8D0_0F0Fu | (uint)Base << 16 | (uint)rt << 12 | op << 4;
            store = 0xE8C0_0F00u | (uint)Base << 16 | (uint)rt2 << 12 | op << 4 | (uint)status;
        }
        if (r.Next(4) == 0) { Wide(hw, 0xF3BF_8F2Fu); Wide(hw, store); } // clrex: the store fails
        else { Wide(hw, load); Wide(hw, store); }
    }

    // ---- the doubleword exclusives: LDREXD/STREXD, LDAEXD/STLEXD with independent Rt and Rt2 (any order, not adjacent) ----

    private static void ExclusiveDual(Random r, List<ushort> hw)
    {
        PointBase(r, hw, 8);
        int rt = Dst(r), rt2 = Dst(r), st = Src(r), st2 = Src(r), status = Dst(r);
        if (rt == Base) rt = 0;
        while (rt2 == Base || rt2 == rt) rt2 = (rt2 + 1) % 11;
        while (status == Base || status == st || status == st2) status = (status + 1) % 11;
        uint op = r.Next(2) == 0 ? 0b0111u : 0b1111u; // exclusive, acquire/release exclusive
        uint load = 0xE8D0_000Fu | (uint)Base << 16 | (uint)rt << 12 | (uint)rt2 << 8 | op << 4;
        uint store = 0xE8C0_0000u | (uint)Base << 16 | (uint)st << 12 | (uint)st2 << 8 | op << 4 | (uint)status;
        switch (r.Next(4))
        {
            case 0: Wide(hw, 0xF3BF_8F2Fu); Wide(hw, store); break; // clrex: the store fails
            case 1: Wide(hw, load); break;
            default: Wide(hw, load); Wide(hw, store); break;
        }
    }

    // ---- forward branches inside T32: each skips one following instruction (or not) ----

    private static void Branch(Random r, List<ushort> hw)
    {
        switch (r.Next(6))
        {
            case 0: hw.Add((ushort)(0xD000 | r.Next(14) << 8)); break;                    // b<c> +0: skips the next halfword
            case 1: hw.Add((ushort)(0xB100 | r.Next(2) << 11 | Low(r))); break;           // cbz/cbnz +0
            case 2: hw.Add(0xE000); break;                                                // b +0
            case 3: Wide(hw, 0xF000_8000u | (uint)r.Next(14) << 22 | 1); break;          // b<c>.w +2
            case 4: Wide(hw, 0xF000_B801u); break;                                        // b.w +2
            default:
                {
                    // ADR and a literal load of the code itself (the same image on both sides).
                    hw.Add((ushort)(0xA000 | Low(r) << 8 | r.Next(4)));
                    hw.Add((ushort)(0x4800 | Low(r) << 8 | r.Next(4)));
                    hw.Add(Narrow16Instruction(r));
                    return;
                }
        }
        hw.Add(Narrow16Instruction(r)); // the instruction a taken branch skips
    }

    // CRC32B/H/W, CRC32CB/H/W: 1111 1010 110 C Rn 1111 Rd 10 sz Rm.
    private static void Crc32(Random r, List<ushort> hw) =>
        Wide(hw, 0xFAC0_F080u | (uint)r.Next(2) << 20 | (uint)Src(r) << 16 | (uint)Dst(r) << 8 | (uint)r.Next(3) << 4 | (uint)Src(r));
}
