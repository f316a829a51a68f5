using static ArmVirt.Cpu.A64.A64Encoding;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decode rows of the integer data-processing families (Arm ARM C4.1.2 "Data Processing -- Immediate" and
/// C4.1.6 "Data Processing -- Register"), for the Armv8.0 base ISA. Patterns are written field by field as
/// in the encoding diagrams; every encoding no row accepts is unallocated.
/// </summary>
internal static class DataProcessingTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        // ---- C4.1.2 PC-rel. addressing: op immlo 10000 immhi Rd ----
        Pattern("ADR", "0 xx 10000 xxxxxxxxxxxxxxxxxxx xxxxx", AluImmediate.Adr),
        Pattern("ADRP", "1 xx 10000 xxxxxxxxxxxxxxxxxxx xxxxx", AluImmediate.Adrp),

        // ---- Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd (bit 23 = 1 is unallocated in v8.0) ----
        Pattern("ADD (immediate)", "x 0 0 100010 x xxxxxxxxxxxx xxxxx xxxxx", AluImmediate.AddImmediate),
        Pattern("ADDS (immediate)", "x 0 1 100010 x xxxxxxxxxxxx xxxxx xxxxx", AluImmediate.AddsImmediate),
        Pattern("SUB (immediate)", "x 1 0 100010 x xxxxxxxxxxxx xxxxx xxxxx", AluImmediate.SubImmediate),
        Pattern("SUBS (immediate)", "x 1 1 100010 x xxxxxxxxxxxx xxxxx xxxxx", AluImmediate.SubsImmediate),

        // ---- Logical (immediate): sf opc 100100 N immr imms Rn Rd ----
        Pattern("AND (immediate)", "x 00 100100 x xxxxxx xxxxxx xxxxx xxxxx", AluImmediate.AndImmediate, BitMasks.IsValidLogicalImmediate),
        Pattern("ORR (immediate)", "x 01 100100 x xxxxxx xxxxxx xxxxx xxxxx", AluImmediate.OrrImmediate, BitMasks.IsValidLogicalImmediate),
        Pattern("EOR (immediate)", "x 10 100100 x xxxxxx xxxxxx xxxxx xxxxx", AluImmediate.EorImmediate, BitMasks.IsValidLogicalImmediate),
        Pattern("ANDS (immediate)", "x 11 100100 x xxxxxx xxxxxx xxxxx xxxxx", AluImmediate.AndsImmediate, BitMasks.IsValidLogicalImmediate),

        // ---- Move wide (immediate): sf opc 100101 hw imm16 Rd; hw<1> = 1 unallocated when sf = 0 ----
        Pattern("MOVN", "x 00 100101 xx xxxxxxxxxxxxxxxx xxxxx", AluImmediate.Movn, MoveWideAllocated),
        Pattern("MOVZ", "x 10 100101 xx xxxxxxxxxxxxxxxx xxxxx", AluImmediate.Movz, MoveWideAllocated),
        Pattern("MOVK", "x 11 100101 xx xxxxxxxxxxxxxxxx xxxxx", AluImmediate.Movk, MoveWideAllocated),

        // ---- Bitfield: sf opc 100110 N immr imms Rn Rd ----
        Pattern("SBFM", "x 00 100110 x xxxxxx xxxxxx xxxxx xxxxx", Bitfield.Sbfm, Bitfield.IsAllocated),
        Pattern("BFM", "x 01 100110 x xxxxxx xxxxxx xxxxx xxxxx", Bitfield.Bfm, Bitfield.IsAllocated),
        Pattern("UBFM", "x 10 100110 x xxxxxx xxxxxx xxxxx xxxxx", Bitfield.Ubfm, Bitfield.IsAllocated),

        // ---- Extract: sf op21 100111 N o0 Rm imms Rn Rd ----
        Pattern("EXTR", "x 00 100111 x 0 xxxxx xxxxxx xxxxx xxxxx", Extract.Extr, Extract.IsAllocated),

        // ---- C4.1.6 Data-processing (2 source): sf 0 S 11010110 Rm opcode Rn Rd ----
        Pattern("UDIV", "x 0 0 11010110 xxxxx 000010 xxxxx xxxxx", DataProcessing2Source.Udiv),
        Pattern("SDIV", "x 0 0 11010110 xxxxx 000011 xxxxx xxxxx", DataProcessing2Source.Sdiv),
        Pattern("LSLV", "x 0 0 11010110 xxxxx 001000 xxxxx xxxxx", DataProcessing2Source.Lslv),
        Pattern("LSRV", "x 0 0 11010110 xxxxx 001001 xxxxx xxxxx", DataProcessing2Source.Lsrv),
        Pattern("ASRV", "x 0 0 11010110 xxxxx 001010 xxxxx xxxxx", DataProcessing2Source.Asrv),
        Pattern("RORV", "x 0 0 11010110 xxxxx 001011 xxxxx xxxxx", DataProcessing2Source.Rorv),
        Pattern("CRC32B/H/W/X", "x 0 0 11010110 xxxxx 0100xx xxxxx xxxxx", DataProcessing2Source.Crc32, DataProcessing2Source.IsCrcSizeAllocated),
        Pattern("CRC32CB/CH/CW/CX", "x 0 0 11010110 xxxxx 0101xx xxxxx xxxxx", DataProcessing2Source.Crc32C, DataProcessing2Source.IsCrcSizeAllocated),

        // ---- Data-processing (1 source): sf 1 S 11010110 opcode2 opcode Rn Rd (opcode2 != 0 is PAC, v8.3) ----
        Pattern("RBIT", "x 1 0 11010110 00000 000000 xxxxx xxxxx", DataProcessing1Source.Rbit),
        Pattern("REV16", "x 1 0 11010110 00000 000001 xxxxx xxxxx", DataProcessing1Source.Rev16),
        Pattern("REV (32-bit)", "0 1 0 11010110 00000 000010 xxxxx xxxxx", DataProcessing1Source.Rev),
        Pattern("REV32", "1 1 0 11010110 00000 000010 xxxxx xxxxx", DataProcessing1Source.Rev32),
        Pattern("REV (64-bit)", "1 1 0 11010110 00000 000011 xxxxx xxxxx", DataProcessing1Source.Rev),
        Pattern("CLZ", "x 1 0 11010110 00000 000100 xxxxx xxxxx", DataProcessing1Source.Clz),
        Pattern("CLS", "x 1 0 11010110 00000 000101 xxxxx xxxxx", DataProcessing1Source.Cls),

        // ---- Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd ----
        Pattern("AND (shifted register)", "x 00 01010 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.And, AluShiftedRegister.ShiftAmountFits),
        Pattern("BIC (shifted register)", "x 00 01010 xx 1 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.And, AluShiftedRegister.ShiftAmountFits),
        Pattern("ORR (shifted register)", "x 01 01010 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Orr, AluShiftedRegister.ShiftAmountFits),
        Pattern("ORN (shifted register)", "x 01 01010 xx 1 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Orr, AluShiftedRegister.ShiftAmountFits),
        Pattern("EOR (shifted register)", "x 10 01010 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Eor, AluShiftedRegister.ShiftAmountFits),
        Pattern("EON (shifted register)", "x 10 01010 xx 1 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Eor, AluShiftedRegister.ShiftAmountFits),
        Pattern("ANDS (shifted register)", "x 11 01010 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Ands, AluShiftedRegister.ShiftAmountFits),
        Pattern("BICS (shifted register)", "x 11 01010 xx 1 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Ands, AluShiftedRegister.ShiftAmountFits),

        // ---- Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd; shift = 11 reserved ----
        Pattern("ADD (shifted register)", "x 0 0 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Add, AluShiftedRegister.IsAddSubAllocated),
        Pattern("ADDS (shifted register)", "x 0 1 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Adds, AluShiftedRegister.IsAddSubAllocated),
        Pattern("SUB (shifted register)", "x 1 0 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Sub, AluShiftedRegister.IsAddSubAllocated),
        Pattern("SUBS (shifted register)", "x 1 1 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx", AluShiftedRegister.Subs, AluShiftedRegister.IsAddSubAllocated),

        // ---- Add/subtract (extended register): sf op S 01011 opt 1 Rm option imm3 Rn Rd; opt = 00, imm3 <= 4 ----
        Pattern("ADD (extended register)", "x 0 0 01011 00 1 xxxxx xxx xxx xxxxx xxxxx", AluExtendedRegister.Add, AluExtendedRegister.IsAllocated),
        Pattern("ADDS (extended register)", "x 0 1 01011 00 1 xxxxx xxx xxx xxxxx xxxxx", AluExtendedRegister.Adds, AluExtendedRegister.IsAllocated),
        Pattern("SUB (extended register)", "x 1 0 01011 00 1 xxxxx xxx xxx xxxxx xxxxx", AluExtendedRegister.Sub, AluExtendedRegister.IsAllocated),
        Pattern("SUBS (extended register)", "x 1 1 01011 00 1 xxxxx xxx xxx xxxxx xxxxx", AluExtendedRegister.Subs, AluExtendedRegister.IsAllocated),

        // ---- Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd ----
        Pattern("ADC", "x 0 0 11010000 xxxxx 000000 xxxxx xxxxx", AddSubtractWithCarry.Adc),
        Pattern("ADCS", "x 0 1 11010000 xxxxx 000000 xxxxx xxxxx", AddSubtractWithCarry.Adcs),
        Pattern("SBC", "x 1 0 11010000 xxxxx 000000 xxxxx xxxxx", AddSubtractWithCarry.Sbc),
        Pattern("SBCS", "x 1 1 11010000 xxxxx 000000 xxxxx xxxxx", AddSubtractWithCarry.Sbcs),

        // ---- Conditional compare (register / immediate): sf op 1 11010010 Rm|imm5 cond 0|1 o2 Rn o3 nzcv ----
        Pattern("CCMN (register)", "x 0 1 11010010 xxxxx xxxx 0 0 xxxxx 0 xxxx", ConditionalCompare.CcmnRegister),
        Pattern("CCMN (immediate)", "x 0 1 11010010 xxxxx xxxx 1 0 xxxxx 0 xxxx", ConditionalCompare.CcmnImmediate),
        Pattern("CCMP (register)", "x 1 1 11010010 xxxxx xxxx 0 0 xxxxx 0 xxxx", ConditionalCompare.CcmpRegister),
        Pattern("CCMP (immediate)", "x 1 1 11010010 xxxxx xxxx 1 0 xxxxx 0 xxxx", ConditionalCompare.CcmpImmediate),

        // ---- Conditional select: sf op S 11010100 Rm cond op2 Rn Rd ----
        Pattern("CSEL", "x 0 0 11010100 xxxxx xxxx 00 xxxxx xxxxx", ConditionalSelect.Csel),
        Pattern("CSINC", "x 0 0 11010100 xxxxx xxxx 01 xxxxx xxxxx", ConditionalSelect.Csinc),
        Pattern("CSINV", "x 1 0 11010100 xxxxx xxxx 00 xxxxx xxxxx", ConditionalSelect.Csinv),
        Pattern("CSNEG", "x 1 0 11010100 xxxxx xxxx 01 xxxxx xxxxx", ConditionalSelect.Csneg),

        // ---- Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd ----
        Pattern("MADD", "x 00 11011 000 xxxxx 0 xxxxx xxxxx xxxxx", DataProcessing3Source.Madd),
        Pattern("MSUB", "x 00 11011 000 xxxxx 1 xxxxx xxxxx xxxxx", DataProcessing3Source.Msub),
        Pattern("SMADDL", "1 00 11011 001 xxxxx 0 xxxxx xxxxx xxxxx", DataProcessing3Source.Smaddl),
        Pattern("SMSUBL", "1 00 11011 001 xxxxx 1 xxxxx xxxxx xxxxx", DataProcessing3Source.Smsubl),
        Pattern("SMULH", "1 00 11011 010 xxxxx 0 xxxxx xxxxx xxxxx", DataProcessing3Source.Smulh),
        Pattern("UMADDL", "1 00 11011 101 xxxxx 0 xxxxx xxxxx xxxxx", DataProcessing3Source.Umaddl),
        Pattern("UMSUBL", "1 00 11011 101 xxxxx 1 xxxxx xxxxx xxxxx", DataProcessing3Source.Umsubl),
        Pattern("UMULH", "1 00 11011 110 xxxxx 0 xxxxx xxxxx xxxxx", DataProcessing3Source.Umulh),
    ];

    // Move wide: sf = 0 with hw<1> = 1 (a shift of 32 or 48 in a 32-bit register) is unallocated.
    private static bool MoveWideAllocated(uint insn) => (insn & 0x8000_0000) != 0 || (insn & (1u << 22)) == 0;
}
