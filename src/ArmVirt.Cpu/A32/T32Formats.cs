using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The operand formats of the T32 encodings (Arm ARM F3.1 "T32 instruction set encoding", field names from the encoding
/// diagrams), building the same <see cref="A32Operands"/> as the A32 formats so that the A32 handlers run T32
/// instructions. A 16-bit instruction is the halfword with bit 16 set inside an IT block (its data-processing forms set
/// the flags only outside one: <c>setflags = !InITBlock()</c>); a 32-bit instruction is hw1:hw2.
/// </summary>
internal static class T32Formats
{
    private static int Field(uint insn, int hi, int lo) => (int)((insn >> lo) & ((1u << (hi - lo + 1)) - 1));
    private static bool Bit(uint insn, int n) => ((insn >> n) & 1) != 0;
    private static bool OutsideIt(uint key) => (key & 0x1_0000) == 0;
    private const int Al = 0xE;

    /// <summary>No operands.</summary>
    public static A32Operands None(uint insn) => new() { Cond = Al };

    // ---- 16-bit ----

    /// <summary>LSL/LSR/ASR (immediate), MOVS (register): 000 op imm5 Rm Rd, the shift through DecodeImmShift.</summary>
    public static A32Operands ShiftImmediate16(uint k)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(k, 12, 11), Field(k, 10, 6));
        return new() { Cond = Al, Kind = A32OperandKind.Register, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rm = Field(k, 5, 3), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>ADD/SUB (register): 000 11 0 op Rm Rn Rd.</summary>
    public static A32Operands AddSubRegister16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Register, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Rm = Field(k, 8, 6) };

    /// <summary>ADD/SUB (immediate, 3 bits): 000 11 1 op imm3 Rn Rd.</summary>
    public static A32Operands AddSubImmediate3(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Imm = (uint)Field(k, 8, 6) };

    /// <summary>MOV/CMP/ADD/SUB (immediate, 8 bits): 001 op Rdn imm8.</summary>
    public static A32Operands Immediate8(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, SetFlags = OutsideIt(k), Rd = Field(k, 10, 8), Rn = Field(k, 10, 8), Imm = (uint)Field(k, 7, 0) };

    /// <summary>Data-processing (two low registers): 010000 op Rm Rdn; Rd = Rn = Rdn.</summary>
    public static A32Operands DataProcessing16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Register, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rn = Field(k, 2, 0), Rm = Field(k, 5, 3) };

    /// <summary>LSL/LSR/ASR/ROR (register): MOV Rdn, Rdn, shift Rm (the shift type from op).</summary>
    public static A32Operands ShiftRegister16(uint k)
    {
        int type = Field(k, 9, 6) switch { 0b0010 => A32Shift.Lsl, 0b0011 => A32Shift.Lsr, 0b0100 => A32Shift.Asr, _ => A32Shift.Ror };
        return new() { Cond = Al, Kind = A32OperandKind.RegisterShiftedRegister, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rm = Field(k, 2, 0), Rs = Field(k, 5, 3), ShiftType = type };
    }

    /// <summary>RSB (immediate) #0 (NEG): Rd = 0 - Rn.</summary>
    public static A32Operands Negate16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Imm = 0 };

    /// <summary>MUL (16-bit): Rdm = Rn * Rdm.</summary>
    public static A32Operands Multiply16(uint k) =>
        new() { Cond = Al, SetFlags = OutsideIt(k), Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Rm = Field(k, 2, 0) };

    /// <summary>ADD/CMP/MOV (high registers): 010001 op D Rm Rdn; Rd = Rn = D:Rdn.</summary>
    public static A32Operands HighRegisters(uint k)
    {
        int rdn = (Field(k, 7, 7) << 3) | Field(k, 2, 0);
        return new() { Cond = Al, Kind = A32OperandKind.Register, Rd = rdn, Rn = rdn, Rm = Field(k, 6, 3) };
    }

    /// <summary>BX/BLX (register): 010001 11 L Rm 000.</summary>
    public static A32Operands BranchRegister16(uint k) => new() { Cond = Al, Rm = Field(k, 6, 3) };

    /// <summary>LDR (literal) 01001 Rt imm8, ADR 10100 Rd imm8: Imm = imm8 * 4 added to Align(PC, 4).</summary>
    public static A32Operands PcRelative16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, Index = true, Add = true, Rn = 15, Rd = Field(k, 10, 8), Imm = (uint)Field(k, 7, 0) * 4 };

    /// <summary>Load/store (register offset): 0101 op Rm Rn Rt, offset addressing.</summary>
    public static A32Operands LoadStoreRegister16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Register, Index = true, Add = true, Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Rm = Field(k, 8, 6) };

    /// <summary>Load/store (immediate offset) of a word, byte or halfword: imm5 scaled by the size.</summary>
    public static A32OperandFormat LoadStoreImmediate16(int scale) => k =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, Index = true, Add = true, Rd = Field(k, 2, 0), Rn = Field(k, 5, 3), Imm = (uint)(Field(k, 10, 6) * scale) };

    /// <summary>LDR/STR (SP-relative) 1001 L Rt imm8, ADD Rd, SP, #imm8*4 (10101 Rd imm8): base SP.</summary>
    public static A32Operands SpRelative16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, Index = true, Add = true, Rn = 13, Rd = Field(k, 10, 8), Imm = (uint)Field(k, 7, 0) * 4 };

    /// <summary>ADD/SUB SP, SP, #imm7*4: 1011 0000 op imm7.</summary>
    public static A32Operands AdjustSp16(uint k) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, Rd = 13, Rn = 13, Imm = (uint)Field(k, 6, 0) * 4 };

    /// <summary>CBZ/CBNZ: 1011 op 0 i 1 imm5 Rn; Imm = i:imm5:'0', SetFlags = op (CBNZ).</summary>
    public static A32Operands CompareBranch16(uint k) =>
        new() { Cond = Al, Rn = Field(k, 2, 0), Imm = (uint)((Field(k, 9, 9) << 6) | (Field(k, 7, 3) << 1)), SetFlags = Bit(k, 11) };

    /// <summary>SXTH/SXTB/UXTH/UXTB (16-bit): Rd, Rm, no rotation, no addend (Rn = 15).</summary>
    public static A32Operands Extend16(uint k) => new() { Cond = Al, Rd = Field(k, 2, 0), Rm = Field(k, 5, 3), Rn = 15 };

    /// <summary>REV/REV16/REVSH (16-bit): Rd, Rm.</summary>
    public static A32Operands Reverse16(uint k) => new() { Cond = Al, Rd = Field(k, 2, 0), Rm = Field(k, 5, 3) };

    /// <summary>PUSH: STMDB SP!, register_list with M (bit 8) as LR.</summary>
    public static A32Operands Push16(uint k) =>
        new() { Cond = Al, Index = true, Add = false, WriteBack = true, Rn = 13, Registers = (ushort)((k & 0xFF) | ((k & 0x100) << 6)) };

    /// <summary>POP: LDMIA SP!, register_list with P (bit 8) as PC.</summary>
    public static A32Operands Pop16(uint k) =>
        new() { Cond = Al, Index = false, Add = true, WriteBack = true, Rn = 13, Registers = (ushort)((k & 0xFF) | ((k & 0x100) << 7)) };

    /// <summary>STM/LDM (16-bit): 1100 L Rn register_list, increment after; LDM writes back unless Rn is in the list.</summary>
    public static A32Operands LoadStoreMultiple16(uint k)
    {
        int rn = Field(k, 10, 8);
        bool load = Bit(k, 11);
        return new() { Cond = Al, Index = false, Add = true, WriteBack = !load || (k & (1u << rn)) == 0, Rn = rn, Registers = (ushort)(k & 0xFF) };
    }

    /// <summary>SVC, UDF, hints, IT (firstcond:mask): Imm = imm8.</summary>
    public static A32Operands Immediate8Plain(uint k) => new() { Cond = Al, Imm = k & 0xFF };

    /// <summary>BKPT: Imm = imm8; executed unconditionally inside an IT block.</summary>
    public static A32Operands Breakpoint16(uint k) => new() { Cond = Al, Imm = k & 0xFF, Unconditional = true };

    /// <summary>B&lt;c&gt; (16-bit): 1101 cond imm8, Imm = SignExtend(imm8:'0').</summary>
    public static A32Operands ConditionalBranch16(uint k) => new() { Cond = Field(k, 11, 8), Imm = (uint)((int)(k << 24) >> 23) };

    /// <summary>B (16-bit): 11100 imm11, Imm = SignExtend(imm11:'0').</summary>
    public static A32Operands Branch16(uint k) => new() { Cond = Al, Imm = (uint)((int)(k << 21) >> 20) };

    // ---- 32-bit (hw1:hw2) ----

    /// <summary>
    /// ThumbExpandImm_C(i:imm3:imm8): the byte replicated in one of four patterns (carry = PSTATE.C, returned as -1),
    /// or '1':imm12&lt;6:0&gt; rotated right by imm12&lt;11:7&gt; (carry = bit 31 of the result).
    /// </summary>
    public static uint ThumbExpandImm(uint imm12, out int carry)
    {
        uint imm8 = imm12 & 0xFF;
        if ((imm12 >> 10) == 0)
        {
            carry = -1;
            return ((imm12 >> 8) & 3) switch
            {
                0 => imm8,
                1 => (imm8 << 16) | imm8,
                2 => (imm8 << 24) | (imm8 << 8),
                _ => imm8 * 0x0101_0101u,
            };
        }
        uint value = BitOperations.RotateRight(0x80u | (imm12 & 0x7F), (int)(imm12 >> 7));
        carry = (int)(value >> 31);
        return value;
    }

    private static uint Imm12(uint insn) => (uint)((Field(insn, 26, 26) << 11) | (Field(insn, 14, 12) << 8) | Field(insn, 7, 0));

    /// <summary>Data-processing (modified immediate): 11110 i 0 op S Rn 0 imm3 Rd imm8, through ThumbExpandImm_C.</summary>
    public static A32Operands ModifiedImmediate(uint insn)
    {
        uint imm = ThumbExpandImm(Imm12(insn), out int carry);
        return new() { Cond = Al, Kind = A32OperandKind.Immediate, SetFlags = Bit(insn, 20), Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Imm = imm, ImmCarry = carry };
    }

    /// <summary>True when the imm12 of a modified immediate is not one of the UNPREDICTABLE zero-byte patterns.</summary>
    public static bool ModifiedImmediateValid(uint insn)
    {
        uint imm12 = Imm12(insn);
        return (imm12 >> 10) != 0 || (imm12 >> 8) == 0 || (imm12 & 0xFF) != 0;
    }

    /// <summary>Data-processing (plain binary immediate) ADDW/SUBW/ADR: Imm = i:imm3:imm8 (zero-extended).</summary>
    public static A32Operands PlainImmediate12(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, ImmCarry = -1, Index = true, Add = Field(insn, 23, 21) == 0, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Imm = Imm12(insn) };

    /// <summary>MOVW/MOVT (T32): Imm = imm4:i:imm3:imm8.</summary>
    public static A32Operands MoveWide32(uint insn) =>
        new() { Cond = Al, Rd = Field(insn, 11, 8), Imm = (uint)(Field(insn, 19, 16) << 12) | Imm12(insn) };

    /// <summary>Data-processing (shifted register): 1110101 op S Rn 0 imm3 Rd imm2 type Rm, through DecodeImmShift.</summary>
    public static A32Operands ShiftedRegister(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 5, 4), (Field(insn, 14, 12) << 2) | Field(insn, 7, 6));
        return new() { Cond = Al, Kind = A32OperandKind.Register, SetFlags = Bit(insn, 20), Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Rm = Field(insn, 3, 0), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>LSL/LSR/ASR/ROR (register), 32-bit: 11111010 0 type S Rn 1111 Rd 0000 Rm as MOV Rd, Rn, type Rm.</summary>
    public static A32Operands ShiftRegister32(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.RegisterShiftedRegister, SetFlags = Bit(insn, 20), Rd = Field(insn, 11, 8), Rm = Field(insn, 19, 16), Rs = Field(insn, 3, 0), ShiftType = Field(insn, 22, 21) };

    /// <summary>Load/store single (immediate 12): 1111 100 S 1 size L Rn Rt imm12, offset addressing.</summary>
    public static A32Operands LoadStoreImmediate12(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, Index = true, Add = true, Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Imm = insn & 0xFFF };

    /// <summary>
    /// Load/store single (immediate 8): 1111 100 S 0 size L Rn Rt 1 P U W imm8; P U W = 110 is the unprivileged
    /// (T) form, offset addressing with a positive offset.
    /// </summary>
    public static A32Operands LoadStoreImmediate8(uint insn)
    {
        bool unprivileged = Field(insn, 10, 8) == 0b110;
        return new() { Cond = Al, Kind = A32OperandKind.Immediate, Index = Bit(insn, 10), Add = Bit(insn, 9), WriteBack = Bit(insn, 8), Unprivileged = unprivileged, Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Imm = insn & 0xFF };
    }

    /// <summary>Load/store single (register): 1111 100 S 0 size L Rn Rt 0 00000 imm2 Rm, LSL #imm2.</summary>
    public static A32Operands LoadStoreRegister32(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.Register, Index = true, Add = true, Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), ShiftType = A32Shift.Lsl, ShiftAmount = Field(insn, 5, 4) };

    /// <summary>Load (literal), 32-bit: 1111 100 S U size 1 1111 Rt imm12 from Align(PC, 4).</summary>
    public static A32Operands Literal32(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.Immediate, Index = true, Add = Bit(insn, 23), Rn = 15, Rd = Field(insn, 15, 12), Imm = insn & 0xFFF };

    /// <summary>LDM/STM (32-bit): 1110 100 op 0 W L Rn register_list; op 01 is increment after, 10 decrement before.</summary>
    public static A32Operands LoadStoreMultiple32(uint insn) =>
        new() { Cond = Al, Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = Bit(insn, 21), Rn = Field(insn, 19, 16), Registers = (ushort)insn };

    /// <summary>MUL/MLA/MLS: 11111 0110 op1 Rn Ra Rd 00 op2 Rm, as <see cref="A32Formats.Multiply"/> (Rs = Ra).</summary>
    public static A32Operands Multiply32(uint insn) =>
        new() { Cond = Al, Rd = Field(insn, 11, 8), Rs = Field(insn, 15, 12), Rn = Field(insn, 19, 16), Rm = Field(insn, 3, 0) };

    /// <summary>Long multiplies: 11111 0111 op1 Rn RdLo RdHi op2 Rm (Rd = RdHi, Rs = RdLo); SDIV/UDIV: Rd, Rn, Rm.</summary>
    public static A32Operands LongMultiply32(uint insn) =>
        new() { Cond = Al, Rd = Field(insn, 11, 8), Rs = Field(insn, 15, 12), Rn = Field(insn, 19, 16), Rm = Field(insn, 3, 0) };

    /// <summary>
    /// BL / B.W (T4): 11110 S imm10 1 x J1 x J2 imm11, Imm = SignExtend(S:I1:I2:imm10:imm11:'0') with I1 = NOT(J1 EOR S),
    /// I2 = NOT(J2 EOR S); BLX (immediate) has imm11 = imm10L:H and a word-aligned target.
    /// </summary>
    public static A32Operands Branch32(uint insn)
    {
        uint s = (uint)Field(insn, 26, 26), i1 = ~((uint)Field(insn, 13, 13) ^ s) & 1, i2 = ~((uint)Field(insn, 11, 11) ^ s) & 1;
        uint imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((uint)Field(insn, 25, 16) << 12) | ((uint)Field(insn, 10, 0) << 1);
        return new() { Cond = Al, Imm = (uint)((int)(imm << 7) >> 7) };
    }

    /// <summary>B&lt;c&gt;.W (T3): 11110 S cond imm6 10 J1 0 J2 imm11, Imm = SignExtend(S:J2:J1:imm6:imm11:'0').</summary>
    public static A32Operands ConditionalBranch32(uint insn)
    {
        uint imm = ((uint)Field(insn, 26, 26) << 20) | ((uint)Field(insn, 11, 11) << 19) | ((uint)Field(insn, 13, 13) << 18)
            | ((uint)Field(insn, 21, 16) << 12) | ((uint)Field(insn, 10, 0) << 1);
        return new() { Cond = Field(insn, 25, 22), Imm = (uint)((int)(imm << 11) >> 11) };
    }

    /// <summary>Barriers (DMB/DSB/ISB, 32-bit): the option in Imm.</summary>
    public static A32Operands Barrier32(uint insn) => new() { Cond = Al, Imm = insn & 0xF };

    /// <summary>Register forms of the miscellaneous 32-bit space (REV, CLZ, QADD..., extend and add): Rn 19..16, Rd 11..8, Rm 3..0, the extend rotation in bits 5..4.</summary>
    public static A32Operands Register32(uint insn) =>
        new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Rm = Field(insn, 3, 0), ShiftAmount = Field(insn, 5, 4) * 8 };

    /// <summary>SBFX/UBFX (Imm = lsb = imm3:imm2, Imm2 = widthm1) and BFI/BFC (Imm2 = msb): 11110 0 11 op Rn 0 imm3 Rd imm2 0 x.</summary>
    public static A32Operands Bitfield32(uint insn) =>
        new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Imm = (uint)((Field(insn, 14, 12) << 2) | Field(insn, 7, 6)), Imm2 = Field(insn, 4, 0) };

    /// <summary>Decode constraint of SBFX/UBFX: lsb + widthm1 &lt;= 31.</summary>
    public static bool BitfieldExtractFits(uint insn) => ((Field(insn, 14, 12) << 2) | Field(insn, 7, 6)) + Field(insn, 4, 0) <= 31;

    /// <summary>Decode constraint of BFI/BFC: msb &gt;= lsb.</summary>
    public static bool BitfieldInsertFits(uint insn) => Field(insn, 4, 0) >= ((Field(insn, 14, 12) << 2) | Field(insn, 7, 6));

    /// <summary>
    /// MRS (Rd 11..8) and MSR (register): 11110 0111 00 R Rn 10 0 0 mask 0000 0000, the mask in A32's order (f s x c) as
    /// Imm2, SetFlags = R (the SPSR).
    /// </summary>
    public static A32Operands StatusRegister32(uint insn) =>
        new() { Cond = Al, Kind = A32OperandKind.Register, Rd = Field(insn, 11, 8), Rn = Field(insn, 19, 16), Imm2 = Field(insn, 11, 8), SetFlags = Bit(insn, 20) };

    /// <summary>
    /// MSR (banked register): 11110 0111 00 R Rn 10 0 0 M1 001 M 0000, and MRS (banked register): 11110 0111 11 R M1 10 0 0
    /// Rd 001 M 0000; Imm2 = SYSm (M:M1), SetFlags = R, as <see cref="A32Formats.BankedRegister"/>.
    /// </summary>
    public static A32Operands MsrBanked32(uint insn) =>
        new() { Cond = Al, Rn = Field(insn, 19, 16), Imm2 = (Field(insn, 4, 4) << 4) | Field(insn, 11, 8), SetFlags = Bit(insn, 20) };

    /// <summary>MRS (banked register), T32: Rd = bits 11..8, M1 = bits 19..16.</summary>
    public static A32Operands MrsBanked32(uint insn) =>
        new() { Cond = Al, Rd = Field(insn, 11, 8), Imm2 = (Field(insn, 4, 4) << 4) | Field(insn, 19, 16), SetFlags = Bit(insn, 20) };

    /// <summary>CPS (T32, 32-bit): 11110 0111 01 0 1111 10 0 0 0 imod M A I F mode, as <see cref="A32Formats.ChangeProcessorState"/>.</summary>
    public static A32Operands ChangeProcessorState32(uint insn) =>
        new() { Cond = Al, Imm2 = Field(insn, 10, 9), SetFlags = Bit(insn, 8), Imm = (uint)Field(insn, 7, 5) << 6, Rd = Field(insn, 4, 0) };

    /// <summary>CPS (T32, 16-bit): 1011 0110 011 im 0 A I F; im = 1 disables (imod 0b11), 0 enables (0b10), no mode change.</summary>
    public static A32Operands ChangeProcessorState16(uint k) =>
        new() { Cond = Al, Imm2 = Bit(k, 4) ? 3 : 2, Imm = (uint)Field(k, 2, 0) << 6 };

    /// <summary>SUBS PC, LR, #imm8 (and ERET, imm8 = 0): 11110 0111 10 1 1110 10 0 0 1111 imm8.</summary>
    public static A32Operands SubsPcLr32(uint insn) => new() { Cond = Al, Imm = insn & 0xFF };

    /// <summary>HVC (T32): 11110 1111110 imm4 10 0 0 imm12; Imm = imm4:imm12.</summary>
    public static A32Operands Hypervisor32(uint insn) => new() { Cond = Al, Imm = (uint)(Field(insn, 19, 16) << 12 | Field(insn, 11, 0)) };

    /// <summary>TBB/TBH: 1110 1000 1101 Rn 1111 0000 000 H Rm; SetFlags = H (halfword table).</summary>
    public static A32Operands TableBranch32(uint insn) => new() { Cond = Al, Rn = Field(insn, 19, 16), Rm = Field(insn, 3, 0), SetFlags = Bit(insn, 4) };

    /// <summary>LDRD/STRD (immediate, literal): 1110 100 P U 1 W L Rn Rt Rt2 imm8; Rd = Rt, Rs = Rt2, Imm = imm8 * 4.</summary>
    public static A32Operands LoadStoreDual32(uint insn) =>
        new() { Cond = Al, Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = Bit(insn, 21), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rs = Field(insn, 11, 8), Imm = (insn & 0xFF) * 4 };

    /// <summary>
    /// Exclusive and acquire/release loads and stores (1110 1000 010x / 110x Rn ...): Rn, the transfer register Rt
    /// (bits 15..12) as Rd for loads and Rm for stores, the store status Rd (bits 11..8 for STREX, 3..0 for the others),
    /// Imm = imm8 * 4 for LDREX/STREX.
    /// </summary>
    public static A32Operands Exclusive32(uint insn)
    {
        bool word = (insn & 0xFFE0_0000) == 0xE840_0000;
        bool load = Bit(insn, 20);
        int status = word ? Field(insn, 11, 8) : Field(insn, 3, 0);
        return new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = load ? Field(insn, 15, 12) : status, Rm = Field(insn, 15, 12), Imm = word ? (insn & 0xFF) * 4 : 0 };
    }

    /// <summary>
    /// The doubleword exclusives (1110 1000 110 L Rn : Rt Rt2 op3 Rd): Rt as Rd for loads and Rm for stores, Rt2 as Rs,
    /// the store status Rd (bits 3..0).
    /// </summary>
    public static A32Operands ExclusiveDual32(uint insn)
    {
        bool load = Bit(insn, 20);
        int rt = Field(insn, 15, 12);
        return new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = load ? rt : Field(insn, 3, 0), Rm = rt, Rs = Field(insn, 11, 8) };
    }

    /// <summary>
    /// SRS and RFE (T32): 1110 100 op 0 W L Rn : ... mode, op = 00 the DB form, 11 the IA form, as the A32 format's P/U
    /// (DB: P = 1, U = 0; IA: P = 0, U = 1), Rn, W and the SRS mode in bits 4..0 (Registers).
    /// </summary>
    public static A32Operands ReturnState32(uint insn) =>
        new() { Cond = Al, Index = !Bit(insn, 23), Add = Bit(insn, 23), WriteBack = Bit(insn, 21), Rn = Field(insn, 19, 16), Registers = (ushort)insn };

    /// <summary>SSAT/USAT (T32): 11110 0 11 0U sh 0 Rn 0 imm3 Rd imm2 0 sat_imm; Imm2 = sat_imm, the shift DecodeImmShift(sh:'0', imm3:imm2).</summary>
    public static A32Operands Saturate32(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 21, 21) << 1, (Field(insn, 14, 12) << 2) | Field(insn, 7, 6));
        return new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Imm2 = Field(insn, 4, 0), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>SMUL/SMLA/SMLAL&lt;x&gt;&lt;y&gt; (T32): as <see cref="Multiply32"/>, Imm = N (bit 5) | M (bit 4) &lt;&lt; 1 as the A32 handlers read them.</summary>
    public static A32Operands HalfwordMultiply32(uint insn) =>
        Multiply32(insn) with { Imm = (uint)(Field(insn, 5, 5) | (Field(insn, 4, 4) << 1)) };

    /// <summary>SMULW/SMLAW&lt;y&gt; (T32): Imm = M (bit 4) &lt;&lt; 1.</summary>
    public static A32Operands WordHalfMultiply32(uint insn) => Multiply32(insn) with { Imm = (uint)(Field(insn, 4, 4) << 1) };

    /// <summary>The dual and most-significant-word multiplies (T32): Imm = M or R (bit 4) | subtract &lt;&lt; 1, as in A32's op2.</summary>
    public static A32OperandFormat DualMultiply32(bool subtract) => insn => Multiply32(insn) with { Imm = (uint)(Field(insn, 4, 4) | (subtract ? 2 : 0)) };

    // T32 parallel add/subtract op1 (bits 22..20) to A32's op2 (bits 7..5): ADD8, ADD16, ASX, -, SUB8, SUB16, SAX.
    private static readonly int[] ParallelOperation = [0b100, 0b000, 0b001, -1, 0b111, 0b011, 0b010, -1];

    /// <summary>True for an allocated T32 parallel add/subtract: op1 not 011 or 111, and not U = 0 with H = S = 1.</summary>
    public static bool ParallelAllocated(uint insn) => ParallelOperation[Field(insn, 22, 20)] >= 0 && Field(insn, 5, 4) != 3;

    /// <summary>
    /// Parallel add/subtract (T32): 11111010 1 op1 Rn 1111 Rd 0 U H S Rm, as A32's <see cref="A32Formats.ParallelArithmetic"/>:
    /// Imm = A32 op1 (001 signed, 010 Q, 011 SH, 101 U, 110 UQ, 111 UH) &lt;&lt; 4 | A32 op2.
    /// </summary>
    public static A32Operands Parallel32(uint insn)
    {
        int kind = (Bit(insn, 6) ? 4 : 0) | (Bit(insn, 5) ? 3 : Bit(insn, 4) ? 2 : 1);
        int operation = ParallelOperation[Field(insn, 22, 20)];
        return new() { Cond = Al, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Rm = Field(insn, 3, 0), Imm = (uint)((kind << 4) | (operation & 7)) };
    }

    /// <summary>SSAT16/USAT16 (T32): 11110 0 11 0U10 Rn 0000 Rd 0000 sat_imm; the source as A32's Rm, Imm2 = sat_imm.</summary>
    public static A32Operands Saturate16(uint insn) =>
        new() { Cond = Al, Rm = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Imm2 = Field(insn, 3, 0) };
}
