using static ArmVirt.Cpu.A32.T32DecodeTable;
using F = ArmVirt.Cpu.A32.T32Formats;
using DP = ArmVirt.Cpu.A32.A32DataProcessing;
using LS = ArmVirt.Cpu.A32.A32LoadStore;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The T32 decode table (Arm ARM F3.1 "T32 instruction set encoding"), Armv8.0 at EL0: every 16-bit encoding, and the
/// 32-bit data-processing (modified immediate, plain binary immediate, shifted register, register shifts, saturate),
/// branch, load/store single, dual, multiple and exclusive, table branch, multiply and divide, miscellaneous register,
/// barrier, hint, status register, CP15 move, VFP (<see cref="A32FloatingPointTable"/>) and Advanced SIMD
/// (<see cref="A32AdvSimdTable"/>) encodings. Rows reuse the A32 handlers where the semantics are the same. Patterns are written field by
/// field as in the encoding diagrams (16 or 32 characters; 32-bit patterns are hw1:hw2). A 16-bit encoding no row
/// accepts is UNDEFINED; a 32-bit one is UNDEFINED when it lies in a space modelled here, and stops the run
/// (<see cref="T32Miscellaneous.NotImplemented"/>) in the spaces not modelled yet (the other coprocessors and what is
/// left of the media and miscellaneous control spaces).
/// </summary>
internal static class T32DecodeTable
{
    // (Declared before the tables: static fields initialize in order.) The opcodes of data-processing (modified
    // immediate) and (shifted register), bits 24..21, with the alias a row takes
    // when Rd = 1111 with S = 1 (the compares) or Rn = 1111 (MOV, MVN).
    private static readonly (string Name, string Op, A32Handler Handler, string? Compare, A32Handler? CompareHandler, string? Move, A32Handler? MoveHandler)[] DataOpcodes =
    [
        ("AND", "0000", DP.And, "TST", DP.Tst, null, null),
        ("BIC", "0001", DP.Bic, null, null, null, null),
        ("ORR", "0010", DP.Orr, null, null, "MOV", DP.Mov),
        ("ORN", "0011", T32Miscellaneous.Orn, null, null, "MVN", DP.Mvn),
        ("EOR", "0100", DP.Eor, "TEQ", DP.Teq, null, null),
        ("ADD", "1000", DP.Add, "CMN", DP.Cmn, null, null),
        ("ADC", "1010", DP.Adc, null, null, null, null),
        ("SBC", "1011", DP.Sbc, null, null, null, null),
        ("SUB", "1101", DP.Sub, "CMP", DP.Cmp, null, null),
        ("RSB", "1110", DP.Rsb, null, null, null, null),
    ];

    /// <summary>Every 16-bit row (Mask and Value over bits 15..0).</summary>
    public static IReadOnlyList<A32Encoding> Narrow { get; } = [.. NarrowRows()];

    /// <summary>Every 32-bit row (Mask and Value over hw1:hw2).</summary>
    public static IReadOnlyList<A32Encoding> Wide { get; } = [.. WideRows()];

    /// <summary>A 16-bit row from a 16-character pattern.</summary>
    public static A32Encoding N(string name, string bits, A32OperandFormat format, A32Handler handler, Func<uint, bool>? constraint = null)
    {
        bits = bits.Replace(" ", "");
        if (bits.Length != 16) throw new ArgumentException($"{name}: a 16-bit pattern must have 16 bits, has {bits.Length}.");
        var row = A32Encoding.Pattern(name, new string('x', 16) + bits, format, handler, constraint);
        return row;
    }

    /// <summary>A 32-bit row from a 32-character pattern (hw1:hw2).</summary>
    public static A32Encoding W(string name, string bits, A32OperandFormat format, A32Handler handler, Func<uint, bool>? constraint = null) =>
        A32Encoding.Pattern(name, bits, format, handler, constraint);

    private static IEnumerable<A32Encoding> NarrowRows()
    {
        // F3.1.x Shift (immediate), add, subtract, move, and compare.
        yield return N("LSL (immediate) / MOVS (register)", "000 00 xxxxx xxx xxx", F.ShiftImmediate16, DP.Mov);
        yield return N("LSR (immediate)", "000 01 xxxxx xxx xxx", F.ShiftImmediate16, DP.Mov);
        yield return N("ASR (immediate)", "000 10 xxxxx xxx xxx", F.ShiftImmediate16, DP.Mov);
        yield return N("ADD (register)", "000 11 0 0 xxx xxx xxx", F.AddSubRegister16, DP.Add);
        yield return N("SUB (register)", "000 11 0 1 xxx xxx xxx", F.AddSubRegister16, DP.Sub);
        yield return N("ADD (immediate, T1)", "000 11 1 0 xxx xxx xxx", F.AddSubImmediate3, DP.Add);
        yield return N("SUB (immediate, T1)", "000 11 1 1 xxx xxx xxx", F.AddSubImmediate3, DP.Sub);
        yield return N("MOV (immediate)", "001 00 xxx xxxxxxxx", F.Immediate8, DP.Mov);
        yield return N("CMP (immediate)", "001 01 xxx xxxxxxxx", F.Immediate8, DP.Cmp);
        yield return N("ADD (immediate, T2)", "001 10 xxx xxxxxxxx", F.Immediate8, DP.Add);
        yield return N("SUB (immediate, T2)", "001 11 xxx xxxxxxxx", F.Immediate8, DP.Sub);

        // Data-processing (two low registers): 010000 op Rm Rdn.
        (string Name, string Op, A32OperandFormat Format, A32Handler Handler)[] dp =
        [
            ("AND", "0000", F.DataProcessing16, DP.And), ("EOR", "0001", F.DataProcessing16, DP.Eor),
            ("LSL (register)", "0010", F.ShiftRegister16, DP.Mov), ("LSR (register)", "0011", F.ShiftRegister16, DP.Mov),
            ("ASR (register)", "0100", F.ShiftRegister16, DP.Mov), ("ADC", "0101", F.DataProcessing16, DP.Adc),
            ("SBC", "0110", F.DataProcessing16, DP.Sbc), ("ROR (register)", "0111", F.ShiftRegister16, DP.Mov),
            ("TST", "1000", F.DataProcessing16, DP.Tst), ("RSB (immediate) #0", "1001", F.Negate16, DP.Rsb),
            ("CMP (register)", "1010", F.DataProcessing16, DP.Cmp), ("CMN", "1011", F.DataProcessing16, DP.Cmn),
            ("ORR", "1100", F.DataProcessing16, DP.Orr), ("MUL", "1101", F.Multiply16, A32Multiply.Mul),
            ("BIC", "1110", F.DataProcessing16, DP.Bic), ("MVN", "1111", F.DataProcessing16, DP.Mvn),
        ];
        foreach (var (name, op, format, handler) in dp) yield return N($"{name} (16-bit)", $"010000 {op} xxx xxx", format, handler);

        // Special data instructions and branch and exchange: 010001 op.
        yield return N("ADD (register, high)", "010001 00 x xxxx xxx", F.HighRegisters, T32Miscellaneous.AddHigh, NotBothPc);
        yield return N("CMP (register, high)", "010001 01 x xxxx xxx", F.HighRegisters, DP.Cmp);
        yield return N("MOV (register, high)", "010001 10 x xxxx xxx", F.HighRegisters, T32Miscellaneous.MovHigh);
        yield return N("BX", "010001 11 0 xxxx 000", F.BranchRegister16, T32Branches.Bx);
        yield return N("BLX (register)", "010001 11 1 xxxx 000", F.BranchRegister16, T32Branches.BlxRegister, k => ((k >> 3) & 0xF) != 15);

        yield return N("LDR (literal)", "01001 xxx xxxxxxxx", F.PcRelative16, T32Miscellaneous.LdrLiteral);

        // Load/store (register offset): 0101 op Rm Rn Rt.
        (string, A32Handler)[] lsr = [("STR", LS.Str), ("STRH", LS.Strh), ("STRB", LS.Strb), ("LDRSB", LS.Ldrsb), ("LDR", LS.Ldr), ("LDRH", LS.Ldrh), ("LDRB", LS.Ldrb), ("LDRSH", LS.Ldrsh)];
        for (int op = 0; op < 8; op++)
            yield return N($"{lsr[op].Item1} (register, 16-bit)", $"0101 {Convert.ToString(op, 2).PadLeft(3, '0')} xxx xxx xxx", F.LoadStoreRegister16, lsr[op].Item2);

        yield return N("STR (immediate, 16-bit)", "011 0 0 xxxxx xxx xxx", F.LoadStoreImmediate16(4), LS.Str);
        yield return N("LDR (immediate, 16-bit)", "011 0 1 xxxxx xxx xxx", F.LoadStoreImmediate16(4), LS.Ldr);
        yield return N("STRB (immediate, 16-bit)", "011 1 0 xxxxx xxx xxx", F.LoadStoreImmediate16(1), LS.Strb);
        yield return N("LDRB (immediate, 16-bit)", "011 1 1 xxxxx xxx xxx", F.LoadStoreImmediate16(1), LS.Ldrb);
        yield return N("STRH (immediate, 16-bit)", "1000 0 xxxxx xxx xxx", F.LoadStoreImmediate16(2), LS.Strh);
        yield return N("LDRH (immediate, 16-bit)", "1000 1 xxxxx xxx xxx", F.LoadStoreImmediate16(2), LS.Ldrh);
        yield return N("STR (SP-relative)", "1001 0 xxx xxxxxxxx", F.SpRelative16, LS.Str);
        yield return N("LDR (SP-relative)", "1001 1 xxx xxxxxxxx", F.SpRelative16, LS.Ldr);
        yield return N("ADR (16-bit)", "10100 xxx xxxxxxxx", F.PcRelative16, T32Miscellaneous.Adr);
        yield return N("ADD (SP plus immediate, T1)", "10101 xxx xxxxxxxx", F.SpRelative16, DP.Add);

        // Miscellaneous 16-bit instructions: 1011 xxxx.
        yield return N("ADD (SP plus immediate, T2)", "1011 0000 0 xxxxxxx", F.AdjustSp16, DP.Add);
        yield return N("SUB (SP minus immediate)", "1011 0000 1 xxxxxxx", F.AdjustSp16, DP.Sub);
        yield return N("CBZ/CBNZ", "1011 x0x1 xxxxx xxx", F.CompareBranch16, T32Branches.CompareBranch);
        yield return N("SXTH (16-bit)", "1011 0010 00 xxx xxx", F.Extend16, A32Miscellaneous.Sxtah);
        yield return N("SXTB (16-bit)", "1011 0010 01 xxx xxx", F.Extend16, A32Miscellaneous.Sxtab);
        yield return N("UXTH (16-bit)", "1011 0010 10 xxx xxx", F.Extend16, A32Miscellaneous.Uxtah);
        yield return N("UXTB (16-bit)", "1011 0010 11 xxx xxx", F.Extend16, A32Miscellaneous.Uxtab);
        yield return N("PUSH (16-bit)", "1011 010 x xxxxxxxx", F.Push16, A32LoadStoreMultiple.Stm, k => (k & 0x1FF) != 0);
        yield return N("POP (16-bit)", "1011 110 x xxxxxxxx", F.Pop16, A32LoadStoreMultiple.Ldm, k => (k & 0x1FF) != 0);
        yield return N("SETEND", "1011 0110 0101 x 000", F.Immediate8Plain, T32Miscellaneous.Setend);
        yield return N("CPS (16-bit)", "1011 0110 011 x 0 xxx", F.ChangeProcessorState16, A32System.Cps);
        yield return N("REV (16-bit)", "1011 1010 00 xxx xxx", F.Reverse16, A32Miscellaneous.Rev);
        yield return N("REV16 (16-bit)", "1011 1010 01 xxx xxx", F.Reverse16, A32Miscellaneous.Rev16);
        yield return N("REVSH (16-bit)", "1011 1010 11 xxx xxx", F.Reverse16, A32Miscellaneous.Revsh);
        yield return N("BKPT", "1011 1110 xxxxxxxx", F.Breakpoint16, A32System.Bkpt);
        yield return N("IT", "1011 1111 xxxx xxxx", F.Immediate8Plain, T32Branches.It, k => (k & 0xF) != 0);
        yield return N("NOP (hint, 16-bit)", "1011 1111 xxxx 0000", F.Immediate8Plain, A32System.Nop);
        yield return N("YIELD (16-bit)", "1011 1111 0001 0000", F.Immediate8Plain, A32System.Nop);
        yield return N("WFE (16-bit)", "1011 1111 0010 0000", F.Immediate8Plain, A32System.Wfe);
        yield return N("WFI (16-bit)", "1011 1111 0011 0000", F.Immediate8Plain, A32System.Wfi);
        yield return N("SEV (16-bit)", "1011 1111 0100 0000", F.Immediate8Plain, A32System.Sev);
        yield return N("SEVL (16-bit)", "1011 1111 0101 0000", F.Immediate8Plain, A32System.Sevl);

        yield return N("STM (16-bit)", "1100 0 xxx xxxxxxxx", F.LoadStoreMultiple16, A32LoadStoreMultiple.Stm, k => (k & 0xFF) != 0);
        yield return N("LDM (16-bit)", "1100 1 xxx xxxxxxxx", F.LoadStoreMultiple16, A32LoadStoreMultiple.Ldm, k => (k & 0xFF) != 0);
        yield return N("B (T1, conditional)", "1101 xxxx xxxxxxxx", F.ConditionalBranch16, T32Branches.BConditional, k => ((k >> 9) & 7) != 7);
        yield return N("UDF (16-bit)", "1101 1110 xxxxxxxx", F.Immediate8Plain, A32System.Udf);
        yield return N("SVC", "1101 1111 xxxxxxxx", F.Immediate8Plain, A32System.Svc);
        yield return N("B (T2)", "11100 xxxxxxxxxxx", F.Branch16, T32Branches.B);
    }

    // ADD (register, high) with both Rdn and Rm the PC is UNPREDICTABLE: UNDEFINED.
    private static bool NotBothPc(uint k) => !(((k >> 3) & 0xF) == 15 && (((k >> 4) & 8) | (k & 7)) == 15);

    private static IEnumerable<A32Encoding> WideRows()
    {
        // Data-processing (modified immediate): 11110 i 0 op S Rn 0 imm3 Rd imm8; (shifted register): 1110101 op S Rn (0) imm3 Rd imm2 type Rm.
        // Rd = PC outside the compares is UNPREDICTABLE: UNDEFINED (no row accepts it).
        foreach (var (name, op, handler, compare, compareHandler, move, moveHandler) in DataOpcodes)
        {
            string s = "x";
            yield return W($"{name} (immediate, T32)", $"11110 x 0 {op} {s} xxxx 0 xxx xxxx xxxxxxxx", F.ModifiedImmediate, handler, w => RdNotPc(w) && F.ModifiedImmediateValid(w));
            yield return W($"{name} (register, T32)", $"1110101 {op} {s} xxxx 0 xxx xxxx xx xx xxxx", F.ShiftedRegister, handler, RdNotPc);
            if (compare != null)
            {
                yield return W($"{compare} (immediate, T32)", $"11110 x 0 {op} 1 xxxx 0 xxx 1111 xxxxxxxx", F.ModifiedImmediate, compareHandler!, F.ModifiedImmediateValid);
                yield return W($"{compare} (register, T32)", $"1110101 {op} 1 xxxx 0 xxx 1111 xx xx xxxx", F.ShiftedRegister, compareHandler!);
            }
            if (move != null)
            {
                yield return W($"{move} (immediate, T32)", $"11110 x 0 {op} x 1111 0 xxx xxxx xxxxxxxx", F.ModifiedImmediate, moveHandler!, w => RdNotPc(w) && F.ModifiedImmediateValid(w));
                yield return W($"{move} (register, T32)", $"1110101 {op} x 1111 0 xxx xxxx xx xx xxxx", F.ShiftedRegister, moveHandler!, RdNotPc);
            }
        }
        yield return W("LSL/LSR/ASR/ROR (register, T32)", "11111010 0 xx x xxxx 1111 xxxx 0000 xxxx", F.ShiftRegister32, DP.Mov, RdNotPc);

        // Data-processing (plain binary immediate).
        yield return W("ADDW", "11110 x 1 0000 0 xxxx 0 xxx xxxx xxxxxxxx", F.PlainImmediate12, DP.Add, RdNotPc);
        yield return W("SUBW", "11110 x 1 0101 0 xxxx 0 xxx xxxx xxxxxxxx", F.PlainImmediate12, DP.Sub, RdNotPc);
        yield return W("ADR (T3, add)", "11110 x 1 0000 0 1111 0 xxx xxxx xxxxxxxx", F.PlainImmediate12, T32Miscellaneous.Adr, RdNotPc);
        yield return W("ADR (T2, subtract)", "11110 x 1 0101 0 1111 0 xxx xxxx xxxxxxxx", F.PlainImmediate12, T32Miscellaneous.Adr, RdNotPc);
        yield return W("MOVW (T32)", "11110 x 1 0010 0 xxxx 0 xxx xxxx xxxxxxxx", F.MoveWide32, DP.Movw);
        yield return W("MOVT (T32)", "11110 x 1 0110 0 xxxx 0 xxx xxxx xxxxxxxx", F.MoveWide32, DP.Movt);
        yield return W("SBFX (T32)", "11110 0 11 010 0 xxxx 0 xxx xxxx xx 0 xxxxx", F.Bitfield32, A32Miscellaneous.Sbfx, F.BitfieldExtractFits);
        yield return W("UBFX (T32)", "11110 0 11 110 0 xxxx 0 xxx xxxx xx 0 xxxxx", F.Bitfield32, A32Miscellaneous.Ubfx, F.BitfieldExtractFits);
        yield return W("BFI/BFC (T32)", "11110 0 11 011 0 xxxx 0 xxx xxxx xx 0 xxxxx", F.Bitfield32, A32Miscellaneous.Bfi, F.BitfieldInsertFits);

        // Branches and miscellaneous control: 11110 op1 ... 1 op2.
        yield return W("B (T3, conditional)", "11110 x xxxx xxxxxx 10 x 0 x xxxxxxxxxxx", F.ConditionalBranch32, T32Branches.BConditional, w => ((w >> 23) & 7) != 7);
        yield return W("B (T4)", "11110 x xxxxxxxxxx 10 x 1 x xxxxxxxxxxx", F.Branch32, T32Branches.B);
        yield return W("BL", "11110 x xxxxxxxxxx 11 x 1 x xxxxxxxxxxx", F.Branch32, T32Branches.Bl);
        yield return W("BLX (immediate)", "11110 x xxxxxxxxxx 11 x 0 x xxxxxxxxxx 0", F.Branch32, T32Branches.BlxImmediate);
        yield return W("MSR (register)", "11110 0111 00 0 xxxx 10 0 0 xxxx 0000 0000", F.StatusRegister32, A32System.Msr, w => ((w >> 8) & 0xF) != 0);
        yield return W("MSR (register, SPSR)", "11110 0111 00 1 xxxx 10 0 0 xxxx 0000 0000", F.StatusRegister32, A32System.MsrSpsr, w => ((w >> 8) & 0xF) != 0);
        yield return W("MRS", "11110 0111 11 0 1111 10 0 0 xxxx 0000 0000", F.StatusRegister32, A32System.Mrs);
        yield return W("MRS (SPSR)", "11110 0111 11 1 1111 10 0 0 xxxx 0000 0000", F.StatusRegister32, A32System.MrsSpsr);
        yield return W("MSR (banked register)", "11110 0111 00 x xxxx 10 0 0 xxxx 001 x 0000", F.MsrBanked32, A32System.MsrBanked);
        yield return W("MRS (banked register)", "11110 0111 11 x xxxx 10 0 0 xxxx 001 x 0000", F.MrsBanked32, A32System.MrsBanked);
        yield return W("CPS (32-bit)", "11110 0111 01 0 1111 10 0 0 0 xxx xxxx xxxx", F.ChangeProcessorState32, A32System.Cps, w => ((w >> 8) & 7) != 0); // imod = 00 with M = 0: the hints
        yield return W("SUBS PC, LR (ERET)", "11110 0111 10 1 1110 10 0 0 1111 xxxx xxxx", F.SubsPcLr32, T32Miscellaneous.SubsPcLr);
        yield return W("HVC (T32)", "11110 1111110 xxxx 1000 xxxxxxxxxxxx", F.Hypervisor32, A32System.Hvc);
        yield return W("SMC (T32)", "11110 1111111 xxxx 1000 0000 0000 0000", F.Hypervisor32, A32System.Smc);
        yield return W("NOP (hint, 32-bit)", "11110 0111 01 0 1111 10 0 0 0000 xxxx xxxx", F.Barrier32, A32System.Nop);
        yield return W("YIELD (32-bit)", "11110 0111 01 0 1111 10 0 0 0000 0000 0001", F.Barrier32, A32System.Nop);
        yield return W("WFE (32-bit)", "11110 0111 01 0 1111 10 0 0 0000 0000 0010", F.Barrier32, A32System.Wfe);
        yield return W("WFI (32-bit)", "11110 0111 01 0 1111 10 0 0 0000 0000 0011", F.Barrier32, A32System.Wfi);
        yield return W("SEV (32-bit)", "11110 0111 01 0 1111 10 0 0 0000 0000 0100", F.Barrier32, A32System.Sev);
        yield return W("SEVL (32-bit)", "11110 0111 01 0 1111 10 0 0 0000 0000 0101", F.Barrier32, A32System.Sevl);
        yield return W("CLREX (T32)", "11110 0111 01 1 1111 10 0 0 1111 0010 1111", F.None, A32System.Clrex);
        yield return W("DSB (T32)", "11110 0111 01 1 1111 10 0 0 1111 0100 xxxx", F.Barrier32, A32System.Barrier);
        yield return W("DMB (T32)", "11110 0111 01 1 1111 10 0 0 1111 0101 xxxx", F.Barrier32, A32System.Barrier);
        yield return W("ISB (T32)", "11110 0111 01 1 1111 10 0 0 1111 0110 xxxx", F.Barrier32, A32System.Barrier);
        yield return W("UDF (32-bit)", "11110 1111111 xxxx 1010 xxxxxxxxxxxx", F.None, A32System.Udf);

        // Load/store single: 1111 100 S U size L Rn Rt ... (S: signed; U = 1 with Rn != PC: imm12).
        (string Name, string Sz, string L, string S, A32Handler Handler, A32Handler? Literal)[] single =
        [
            ("STRB", "00", "0", "0", LS.Strb, null), ("STRH", "01", "0", "0", LS.Strh, null), ("STR", "10", "0", "0", LS.Str, null),
            ("LDRB", "00", "1", "0", LS.Ldrb, T32Miscellaneous.LdrbLiteral), ("LDRH", "01", "1", "0", LS.Ldrh, T32Miscellaneous.LdrhLiteral),
            ("LDR", "10", "1", "0", LS.Ldr, T32Miscellaneous.LdrLiteral),
            ("LDRSB", "00", "1", "1", LS.Ldrsb, T32Miscellaneous.LdrsbLiteral), ("LDRSH", "01", "1", "1", LS.Ldrsh, T32Miscellaneous.LdrshLiteral),
        ];
        foreach (var (name, sz, l, s, handler, literal) in single)
        {
            // Byte and halfword loads to the PC are the preload hints (rows below).
            Func<uint, bool> valid = sz != "10" && l == "1" ? RtNotPc : _ => true;
            yield return W($"{name} (immediate, T32 imm12)", $"1111 100 {s} 1 {sz} {l} xxxx xxxx xxxxxxxxxxxx", F.LoadStoreImmediate12, handler, w => RnNotPc(w) && valid(w));
            yield return W($"{name} (immediate, T32 imm8)", $"1111 100 {s} 0 {sz} {l} xxxx xxxx 1 xxx xxxxxxxx", F.LoadStoreImmediate8, handler, w => RnNotPc(w) && valid(w) && ((w >> 10 | w >> 8) & 1) != 0);
            yield return W($"{name} (register, T32)", $"1111 100 {s} 0 {sz} {l} xxxx xxxx 0 00000 xx xxxx", F.LoadStoreRegister32, handler, w => RnNotPc(w) && valid(w));
            if (literal != null)
                yield return W($"{name} (literal, T32)", $"1111 100 {s} x {sz} 1 1111 xxxx xxxxxxxxxxxx", F.Literal32, literal, valid);
        }
        yield return W("PLD/PLDW/PLI (preload hints)", "1111 100x x0x1 xxxx 1111 xxxx xxxx xxxx", F.None, A32System.Nop);

        // Load/store multiple (IA, DB) and the table branches.
        yield return W("STM (T32, IA)", "1110 100 01 0 x 0 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple32, A32LoadStoreMultiple.Stm, A32LoadStoreMultiple.HasRegisters);
        yield return W("LDM (T32, IA)", "1110 100 01 0 x 1 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple32, A32LoadStoreMultiple.Ldm, A32LoadStoreMultiple.HasRegisters);
        yield return W("STMDB (T32)", "1110 100 10 0 x 0 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple32, A32LoadStoreMultiple.Stm, A32LoadStoreMultiple.HasRegisters);
        yield return W("LDMDB (T32)", "1110 100 10 0 x 1 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple32, A32LoadStoreMultiple.Ldm, A32LoadStoreMultiple.HasRegisters);
        // LDRD/STRD (immediate): P or W set (P = W = 0 is the exclusive space); the literal LDRD has Rn = PC and W = 0.
        // Rt = Rt2 for LDRD, a PC or SP transfer register, and a written-back base that is transferred are UNPREDICTABLE: UNDEFINED.
        yield return W("STRD (immediate, T32)", "1110 100 x x 1 x 0 xxxx xxxx xxxx xxxxxxxx", F.LoadStoreDual32, T32Miscellaneous.Strd, w => DualValid(w, load: false));
        yield return W("LDRD (immediate, literal, T32)", "1110 100 x x 1 x 1 xxxx xxxx xxxx xxxxxxxx", F.LoadStoreDual32, T32Miscellaneous.Ldrd, w => DualValid(w, load: true));
        // SRS and RFE (T32): the DB and IA forms (A32 also has DA and IB).
        yield return W("SRSDB (T32)", "1110 1000 00x0 1101 1100 0000 000x xxxx", F.ReturnState32, A32LoadStoreMultiple.Srs);
        yield return W("SRSIA (T32)", "1110 1001 10x0 1101 1100 0000 000x xxxx", F.ReturnState32, A32LoadStoreMultiple.Srs);
        yield return W("RFEDB (T32)", "1110 1000 00x1 xxxx 1100 0000 0000 0000", F.ReturnState32, A32LoadStoreMultiple.Rfe, RnNotPc);
        yield return W("RFEIA (T32)", "1110 1001 10x1 xxxx 1100 0000 0000 0000", F.ReturnState32, A32LoadStoreMultiple.Rfe, RnNotPc);
        yield return W("TBB/TBH", "1110 1000 1101 xxxx 1111 0000 000x xxxx", F.TableBranch32, T32Branches.TableBranch);

        // Multiply, multiply accumulate, long multiply and divide.
        yield return W("MUL (T32)", "11111 0110 000 xxxx 1111 xxxx 0000 xxxx", F.Multiply32, A32Multiply.Mul);
        yield return W("MLA (T32)", "11111 0110 000 xxxx xxxx xxxx 0000 xxxx", F.Multiply32, A32Multiply.Mla);
        yield return W("MLS (T32)", "11111 0110 000 xxxx xxxx xxxx 0001 xxxx", F.Multiply32, A32Multiply.Mls);
        yield return W("SMULL (T32)", "11111 0111 000 xxxx xxxx xxxx 0000 xxxx", F.LongMultiply32, A32Multiply.Smull);
        yield return W("SDIV (T32)", "11111 0111 001 xxxx 1111 xxxx 1111 xxxx", F.LongMultiply32, A32Multiply.Sdiv);
        yield return W("UMULL (T32)", "11111 0111 010 xxxx xxxx xxxx 0000 xxxx", F.LongMultiply32, A32Multiply.Umull);
        yield return W("UDIV (T32)", "11111 0111 011 xxxx 1111 xxxx 1111 xxxx", F.LongMultiply32, A32Multiply.Udiv);
        yield return W("SMLAL (T32)", "11111 0111 100 xxxx xxxx xxxx 0000 xxxx", F.LongMultiply32, A32Multiply.Smlal);
        yield return W("UMLAL (T32)", "11111 0111 110 xxxx xxxx xxxx 0000 xxxx", F.LongMultiply32, A32Multiply.Umlal);
        yield return W("UMAAL (T32)", "11111 0111 110 xxxx xxxx xxxx 0110 xxxx", F.LongMultiply32, A32Multiply.Umaal);

        // Halfword, dual, word-by-halfword and most significant word multiplies; USAD8.
        yield return W("SMUL<x><y> (T32)", "11111 0110 001 xxxx 1111 xxxx 00 xx xxxx", F.HalfwordMultiply32, A32Multiply.Smulxy);
        yield return W("SMLA<x><y> (T32)", "11111 0110 001 xxxx xxxx xxxx 00 xx xxxx", F.HalfwordMultiply32, A32Multiply.Smlaxy);
        yield return W("SMLAD/SMUAD (T32)", "11111 0110 010 xxxx xxxx xxxx 000 x xxxx", F.DualMultiply32(false), A32Multiply.Smlad);
        yield return W("SMULW<y> (T32)", "11111 0110 011 xxxx 1111 xxxx 000 x xxxx", F.WordHalfMultiply32, A32Multiply.Smulwy);
        yield return W("SMLAW<y> (T32)", "11111 0110 011 xxxx xxxx xxxx 000 x xxxx", F.WordHalfMultiply32, A32Multiply.Smlawy);
        yield return W("SMLSD/SMUSD (T32)", "11111 0110 100 xxxx xxxx xxxx 000 x xxxx", F.DualMultiply32(true), A32Multiply.Smlad);
        yield return W("SMMLA/SMMUL (T32)", "11111 0110 101 xxxx xxxx xxxx 000 x xxxx", F.DualMultiply32(false), A32Multiply.Smmla);
        yield return W("SMMLS (T32)", "11111 0110 110 xxxx xxxx xxxx 000 x xxxx", F.DualMultiply32(true), A32Multiply.Smmls, w => ((w >> 12) & 0xF) != 0xF);
        yield return W("USAD8/USADA8 (T32)", "11111 0110 111 xxxx xxxx xxxx 0000 xxxx", F.Multiply32, A32ParallelArithmetic.Usad8);
        yield return W("SMLAL<x><y> (T32)", "11111 0111 100 xxxx xxxx xxxx 10 xx xxxx", F.HalfwordMultiply32, A32Multiply.Smlalxy);
        yield return W("SMLALD (T32)", "11111 0111 100 xxxx xxxx xxxx 110 x xxxx", F.DualMultiply32(false), A32Multiply.Smlald);
        yield return W("SMLSLD (T32)", "11111 0111 101 xxxx xxxx xxxx 110 x xxxx", F.DualMultiply32(true), A32Multiply.Smlald);

        // Miscellaneous operations, extend and add.
        yield return W("QADD (T32)", "11111010 1000 xxxx 1111 xxxx 1000 xxxx", F.Register32, A32Miscellaneous.Qadd);
        yield return W("QDADD (T32)", "11111010 1000 xxxx 1111 xxxx 1001 xxxx", F.Register32, A32Miscellaneous.Qdadd);
        yield return W("QSUB (T32)", "11111010 1000 xxxx 1111 xxxx 1010 xxxx", F.Register32, A32Miscellaneous.Qsub);
        yield return W("QDSUB (T32)", "11111010 1000 xxxx 1111 xxxx 1011 xxxx", F.Register32, A32Miscellaneous.Qdsub);
        yield return W("REV (T32)", "11111010 1001 xxxx 1111 xxxx 1000 xxxx", F.Register32, A32Miscellaneous.Rev, SameRm);
        yield return W("REV16 (T32)", "11111010 1001 xxxx 1111 xxxx 1001 xxxx", F.Register32, A32Miscellaneous.Rev16, SameRm);
        yield return W("RBIT (T32)", "11111010 1001 xxxx 1111 xxxx 1010 xxxx", F.Register32, A32Miscellaneous.Rbit, SameRm);
        yield return W("REVSH (T32)", "11111010 1001 xxxx 1111 xxxx 1011 xxxx", F.Register32, A32Miscellaneous.Revsh, SameRm);
        yield return W("CLZ (T32)", "11111010 1011 xxxx 1111 xxxx 1000 xxxx", F.Register32, A32Miscellaneous.Clz, SameRm);
        yield return W("SXTAH/SXTH (T32)", "11111010 0000 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Sxtah);
        yield return W("UXTAH/UXTH (T32)", "11111010 0001 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Uxtah);
        yield return W("SXTAB/SXTB (T32)", "11111010 0100 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Sxtab);
        yield return W("UXTAB/UXTB (T32)", "11111010 0101 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Uxtab);

        // Exclusives and acquire/release.
        // Rt, Rn or the status register being the PC, or the status being Rt or Rn, is UNPREDICTABLE: UNDEFINED.
        yield return W("LDREX (T32)", "1110 1000 0101 xxxx xxxx 1111 xxxxxxxx", F.Exclusive32, A32Synchronization.Ldrex, ExclusiveValid);
        yield return W("STREX (T32)", "1110 1000 0100 xxxx xxxx xxxx xxxxxxxx", F.Exclusive32, A32Synchronization.Strex, ExclusiveValid);
        (string Name, string Op, A32Handler Load, A32Handler Store)[] sync =
        [
            ("B", "0100", A32Synchronization.Ldrexb, A32Synchronization.Strexb), ("H", "0101", A32Synchronization.Ldrexh, A32Synchronization.Strexh),
            ("A B", "1000", A32Synchronization.Ldab, A32Synchronization.Stlb), ("A H", "1001", A32Synchronization.Ldah, A32Synchronization.Stlh),
            ("A", "1010", A32Synchronization.Lda, A32Synchronization.Stl), ("AEX B", "1100", A32Synchronization.Ldaexb, A32Synchronization.Stlexb),
            ("AEX H", "1101", A32Synchronization.Ldaexh, A32Synchronization.Stlexh), ("AEX", "1110", A32Synchronization.Ldaex, A32Synchronization.Stlex),
        ];
        foreach (var (name, op, load, store) in sync)
        {
            bool plain = op[0] == '1' && op[1] == '0'; // LDA/STL: no status register
            yield return W($"LD{name} (T32)", $"1110 1000 1101 xxxx xxxx 1111 {op} 1111", F.Exclusive32, load, ExclusiveValid);
            yield return W($"ST{name} (T32)", $"1110 1000 1100 xxxx xxxx 1111 {op} {(plain ? "1111" : "xxxx")}", F.Exclusive32, store, ExclusiveValid);
        }
        // The doubleword forms: Rt2 is a field of its own. A PC or SP transfer register, Rt = Rt2 for the loads, Rn = PC,
        // and a status register that is the PC, SP, Rn, Rt or Rt2 are UNPREDICTABLE: UNDEFINED.
        yield return W("LDREXD (T32)", "1110 1000 1101 xxxx xxxx xxxx 0111 1111", F.ExclusiveDual32, A32Synchronization.Ldrexd, w => ExclusiveDualValid(w));
        yield return W("LDAEXD (T32)", "1110 1000 1101 xxxx xxxx xxxx 1111 1111", F.ExclusiveDual32, A32Synchronization.Ldaexd, w => ExclusiveDualValid(w));
        yield return W("STREXD (T32)", "1110 1000 1100 xxxx xxxx xxxx 0111 xxxx", F.ExclusiveDual32, A32Synchronization.Strexd, w => ExclusiveDualValid(w));
        yield return W("STLEXD (T32)", "1110 1000 1100 xxxx xxxx xxxx 1111 xxxx", F.ExclusiveDual32, A32Synchronization.Stlexd, w => ExclusiveDualValid(w));
        yield return W("SSAT (T32)", "11110 0 11 00 x 0 xxxx 0 xxx xxxx xx 0 xxxxx", F.Saturate32, A32Miscellaneous.Ssat);
        yield return W("USAT (T32)", "11110 0 11 10 x 0 xxxx 0 xxx xxxx xx 0 xxxxx", F.Saturate32, A32Miscellaneous.Usat);
        yield return W("SSAT16 (T32)", "11110 0 11 00 1 0 xxxx 0 000 xxxx 00 0 0 xxxx", F.Saturate16, A32ParallelArithmetic.Ssat16);
        yield return W("USAT16 (T32)", "11110 0 11 10 1 0 xxxx 0 000 xxxx 00 0 0 xxxx", F.Saturate16, A32ParallelArithmetic.Usat16);

        // Parallel add/subtract, SEL, PKHBT/PKHTB, SXTAB16/UXTAB16.
        yield return W("parallel add/subtract (T32)", "11111010 1 xxx xxxx 1111 xxxx 0 xxx xxxx", F.Parallel32, A32ParallelArithmetic.AddSubtract, F.ParallelAllocated);
        yield return W("SEL (T32)", "11111010 1010 xxxx 1111 xxxx 1000 xxxx", F.Register32, A32ParallelArithmetic.Sel);
        yield return W("PKHBT/PKHTB (T32)", "1110101 0110 0 xxxx 0 xxx xxxx xx x 0 xxxx", F.ShiftedRegister, A32ParallelArithmetic.Pkh);
        yield return W("SXTAB16/SXTB16 (T32)", "11111010 0010 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Sxtab16);
        yield return W("UXTAB16/UXTB16 (T32)", "11111010 0011 xxxx 1111 xxxx 10 xx xxxx", F.Register32, A32Miscellaneous.Uxtab16);

        // Coprocessor moves: the T32 words are the A32 encodings with cond = 1110, so the A32 format and handlers serve.
        yield return W("MCR/MRC (CP15, T32)", "1110 1110 xxxx xxxx xxxx 1111 xxx1 xxxx", A32Formats.Coprocessor, A32System.Cp15);
        yield return W("MCRR/MRRC (CP15, T32)", "1110 1100 010x xxxx xxxx 1111 xxxx xxxx", A32Formats.Coprocessor, A32System.Cp15Pair);
        yield return W("MCR/MRC (CP14, T32)", "1110 1110 xxxx xxxx xxxx 1110 xxx1 xxxx", A32Formats.Coprocessor, A32System.Cp14);
        yield return W("MCRR/MRRC (CP14, T32)", "1110 1100 010x xxxx xxxx 1110 xxxx xxxx", A32Formats.Coprocessor, A32System.Cp14Pair);
        yield return W("LDC (CP14, c5, T32)", "1110 110x x0x1 xxxx 0101 1110 xxxx xxxx", A32Formats.CoprocessorLoadStore, A32System.LdcStcCp14, w => A32System.LdcStcValid(w, thumb: true));
        yield return W("STC (CP14, c5, T32)", "1110 110x x0x0 xxxx 0101 1110 xxxx xxxx", A32Formats.CoprocessorLoadStore, A32System.LdcStcCp14, w => A32System.LdcStcValid(w, thumb: true));
        yield return W("CRC32/CRC32C (T32)", "1111 1010 110x xxxx 1111 xxxx 10xx xxxx", A32Formats.Crc32T32, A32Miscellaneous.Crc32);
        foreach (var row in A32FloatingPointTable.T32Rows()) yield return row;
        // The rest of the VFP space (CP10, CP11) is unallocated: UNDEFINED.
        yield return W("VFP load/store/64-bit move (unallocated)", "1110 110x xxxx xxxx xxxx 101x xxxx xxxx", F.None, A32Decoder.Undefined.Handler);
        yield return W("VFP data-processing/register move (unallocated)", "111x 1110 xxxx xxxx xxxx 101x xxxx xxxx", F.None, A32Decoder.Undefined.Handler);
        foreach (var row in A32AdvSimdTable.T32Rows()) yield return row;
        // The rest of the Advanced SIMD space is unallocated: UNDEFINED.
        yield return W("Advanced SIMD data-processing (unallocated)", "111x 1111 xxxx xxxx xxxx xxxx xxxx xxxx", F.None, A32Decoder.Undefined.Handler);
        yield return W("Advanced SIMD element or structure load/store (unallocated)", "1111 1001 xxx0 xxxx xxxx xxxx xxxx xxxx", F.None, A32Decoder.Undefined.Handler);

        // The spaces not modelled yet stop the run (least specific, so every row above wins).
        yield return W("other media encodings (not modelled)", "11111 01x xxxx xxxx xxxx xxxx xxxx xxxx", F.None, T32Miscellaneous.NotImplemented);
        yield return W("other coprocessor encodings (not modelled)", "111x 11xx xxxx xxxx xxxx xxxx xxxx xxxx", F.None, T32Miscellaneous.NotImplemented);
        yield return W("other miscellaneous control encodings (not modelled)", "11110 0111 xx x xxxx 10 x 0 xxxx xxxx xxxx", F.None, T32Miscellaneous.NotImplemented);
    }

    private static bool ExclusiveValid(uint w)
    {
        int rn = (int)(w >> 16) & 15, rt = (int)(w >> 12) & 15;
        if (rn == 15 || rt is 13 or 15) return false;
        if ((w & (1u << 20)) != 0) return true;
        bool word = (w & 0xFFE0_0000) == 0xE840_0000;
        if (!word && ((w >> 4) & 0xF) is 0b1000 or 0b1001 or 0b1010) return true; // STL, STLB, STLH: no status
        int status = word ? (int)(w >> 8) & 15 : (int)w & 15;
        return status is not (13 or 15) && status != rt && status != rn;
    }

    private static bool ExclusiveDualValid(uint w)
    {
        int rn = (int)(w >> 16) & 15, rt = (int)(w >> 12) & 15, rt2 = (int)(w >> 8) & 15, rd = (int)w & 15;
        if (rn == 15 || rt is 13 or 15 || rt2 is 13 or 15) return false;
        if ((w & (1u << 20)) != 0) return rt != rt2;
        return rd is not (13 or 15) && rd != rn && rd != rt && rd != rt2;
    }

    private static bool DualValid(uint w, bool load)
    {
        int rn = (int)(w >> 16) & 15, rt = (int)(w >> 12) & 15, rt2 = (int)(w >> 8) & 15;
        bool p = (w & (1u << 24)) != 0, wb = (w & (1u << 21)) != 0;
        if (!p && !wb) return false;
        if (rt is 13 or 15 || rt2 is 13 or 15 || (load && rt == rt2)) return false;
        if (wb && (rn == rt || rn == rt2 || rn == 15)) return false;
        return load || rn != 15;
    }

    private static bool RdNotPc(uint w) => ((w >> 8) & 0xF) != 15;
    private static bool RnNotPc(uint w) => ((w >> 16) & 0xF) != 15;
    private static bool RtNotPc(uint w) => ((w >> 12) & 0xF) != 15;
    // The miscellaneous register forms repeat Rm in bits 19..16 and 3..0 (UNPREDICTABLE when they differ: UNDEFINED).
    private static bool SameRm(uint w) => ((w >> 16) & 0xF) == (w & 0xF);
}
