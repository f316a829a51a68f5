using static ArmVirt.Cpu.A32.A32Encoding;
using F = ArmVirt.Cpu.A32.A32Formats;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The A32 decode table (Arm ARM F4.1 "A32 instruction set encoding"), Armv8.0 at EL0, with VFP (<see cref="A32FloatingPointTable"/>) and Advanced SIMD (<see cref="A32AdvSimdTable"/>).
/// Patterns are written field by field as in the encoding diagrams: <c>c</c> is the condition, <c>x</c> any other
/// variable bit. Encodings no row accepts are UNDEFINED; the rows of <see cref="A32System.NotImplemented"/> name the
/// spaces not modelled yet, which stop the run rather than raise an UNDEFINED the hardware would not.
/// </summary>
internal static class A32DecodeTable
{
    /// <summary>Every row.</summary>
    public static IReadOnlyList<A32Encoding> All { get; } = [.. DataProcessing(), .. Others(), .. A32FloatingPointTable.A32Rows(), .. A32AdvSimdTable.A32Rows()];

    // F4.1.x Data-processing (register / register-shifted register / immediate): cond 00I opcode S Rn Rd operand2.
    // TST, TEQ, CMP and CMN exist only with S = 1 (S = 0 there is the miscellaneous space, MOVW/MOVT and MSR) and
    // have Rd = (0)(0)(0)(0); MOV and MVN have Rn = (0)(0)(0)(0). Those should-be-zero fields are required, as QEMU
    // does (otherwise CONSTRAINED UNPREDICTABLE: UNDEFINED).
    private static IEnumerable<A32Encoding> DataProcessing()
    {
        for (int opcode = 0; opcode < 16; opcode++)
        {
            var (name, handler, compare) = A32DataProcessing.Opcodes[opcode];
            string opc = Convert.ToString(opcode, 2).PadLeft(4, '0');
            string s = compare ? "1" : "x";
            string rn = name is "MOV" or "MVN" ? "0000" : "xxxx";
            string rd = compare ? "0000" : "xxxx";
            yield return Pattern($"{name} (register)", $"cccc 000 {opc} {s} {rn} {rd} xxxxx xx 0 xxxx", F.DataProcessingRegister, handler);
            yield return Pattern($"{name} (register-shifted register)", $"cccc 000 {opc} {s} {rn} {rd} xxxx 0 xx 1 xxxx", F.DataProcessingRegisterShifted, handler);
            yield return Pattern($"{name} (immediate)", $"cccc 001 {opc} {s} {rn} {rd} xxxxxxxxxxxx", F.DataProcessingImmediate, handler);
        }
    }

    private static IEnumerable<A32Encoding> Others() =>
    [
        Pattern("MOVW", "cccc 0011 0000 xxxx xxxx xxxxxxxxxxxx", F.MoveWide, A32DataProcessing.Movw),
        Pattern("MOVT", "cccc 0011 0100 xxxx xxxx xxxxxxxxxxxx", F.MoveWide, A32DataProcessing.Movt),

        // ---- Multiply and accumulate: cond 0000 opc S RdHi/Rd RdLo/Ra Rm 1001 Rn ----
        Pattern("MUL", "cccc 0000 000x xxxx 0000 xxxx 1001 xxxx", F.Multiply, A32Multiply.Mul),
        Pattern("MLA", "cccc 0000 001x xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Mla),
        Pattern("UMAAL", "cccc 0000 0100 xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Umaal),
        Pattern("MLS", "cccc 0000 0110 xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Mls),
        Pattern("UMULL", "cccc 0000 100x xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Umull),
        Pattern("UMLAL", "cccc 0000 101x xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Umlal),
        Pattern("SMULL", "cccc 0000 110x xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Smull),
        Pattern("SMLAL", "cccc 0000 111x xxxx xxxx xxxx 1001 xxxx", F.Multiply, A32Multiply.Smlal),

        // ---- Halfword multiply and accumulate: cond 0001 0opc0 Rd Ra Rm 1 M N 0 Rn ----
        Pattern("SMLA<x><y>", "cccc 0001 0000 xxxx xxxx xxxx 1xx0 xxxx", F.Multiply, A32Multiply.Smlaxy),
        Pattern("SMLAW<y>", "cccc 0001 0010 xxxx xxxx xxxx 1x00 xxxx", F.Multiply, A32Multiply.Smlawy),
        Pattern("SMULW<y>", "cccc 0001 0010 xxxx 0000 xxxx 1x10 xxxx", F.Multiply, A32Multiply.Smulwy),
        Pattern("SMLAL<x><y>", "cccc 0001 0100 xxxx xxxx xxxx 1xx0 xxxx", F.Multiply, A32Multiply.Smlalxy),
        Pattern("SMUL<x><y>", "cccc 0001 0110 xxxx 0000 xxxx 1xx0 xxxx", F.Multiply, A32Multiply.Smulxy),

        // ---- Integer saturating arithmetic: cond 0001 0opc0 Rn Rd 0000 0101 Rm ----
        Pattern("QADD", "cccc 0001 0000 xxxx xxxx 0000 0101 xxxx", F.RegisterMisc, A32Miscellaneous.Qadd),
        Pattern("QSUB", "cccc 0001 0010 xxxx xxxx 0000 0101 xxxx", F.RegisterMisc, A32Miscellaneous.Qsub),
        Pattern("QDADD", "cccc 0001 0100 xxxx xxxx 0000 0101 xxxx", F.RegisterMisc, A32Miscellaneous.Qdadd),
        Pattern("QDSUB", "cccc 0001 0110 xxxx xxxx 0000 0101 xxxx", F.RegisterMisc, A32Miscellaneous.Qdsub),

        // ---- Miscellaneous: MRS, MSR, BX, BXJ, BLX, CLZ, BKPT ----
        Pattern("MRS", "cccc 0001 0000 1111 xxxx 0000 0000 0000", F.StatusRegister, A32System.Mrs),
        Pattern("MSR (register)", "cccc 0001 0010 xxxx 1111 0000 0000 xxxx", F.StatusRegister, A32System.Msr, MsrMaskNonZero),
        Pattern("MSR (immediate)", "cccc 0011 0010 xxxx 1111 xxxx xxxx xxxx", F.StatusRegister, A32System.Msr, MsrMaskNonZero),
        Pattern("MRS (SPSR)", "cccc 0001 0100 1111 xxxx 0000 0000 0000", F.SavedStatusRegister, A32System.MrsSpsr),
        Pattern("MSR (register, SPSR)", "cccc 0001 0110 xxxx 1111 0000 0000 xxxx", F.SavedStatusRegister, A32System.MsrSpsr, MsrMaskNonZero),
        Pattern("MSR (immediate, SPSR)", "cccc 0011 0110 xxxx 1111 xxxx xxxx xxxx", F.SavedStatusRegister, A32System.MsrSpsr, MsrMaskNonZero),
        Pattern("MRS (banked register)", "cccc 0001 0x00 xxxx xxxx 001x 0000 0000", F.BankedRegister, A32System.MrsBanked),
        Pattern("MSR (banked register)", "cccc 0001 0x10 xxxx 1111 001x 0000 xxxx", F.BankedRegister, A32System.MsrBanked),
        Pattern("ERET", "cccc 0001 0110 0000 0000 0000 0110 1110", F.None, A32System.Eret),
        Pattern("HVC", "1110 0001 0100 xxxx xxxx xxxx 0111 xxxx", F.Immediate, A32System.Hvc),
        Pattern("SMC", "cccc 0001 0110 0000 0000 0000 0111 xxxx", F.Immediate, A32System.Smc),
        Pattern("BX", "cccc 0001 0010 1111 1111 1111 0001 xxxx", F.BranchRegister, A32Branches.Bx),
        Pattern("BXJ", "cccc 0001 0010 1111 1111 1111 0010 xxxx", F.BranchRegister, A32Branches.Bx),
        Pattern("BLX (register)", "cccc 0001 0010 1111 1111 1111 0011 xxxx", F.BranchRegister, A32Branches.BlxRegister),
        Pattern("CLZ", "cccc 0001 0110 1111 xxxx 1111 0001 xxxx", F.RegisterMisc, A32Miscellaneous.Clz),
        Pattern("BKPT", "1110 0001 0010 xxxx xxxx xxxx 0111 xxxx", F.Immediate, A32System.Bkpt),

        // ---- Hints: cond 0011 0010 0000 1111 0000 op ----
        Pattern("NOP (hint)", "cccc 0011 0010 0000 1111 0000 xxxx xxxx", F.Immediate, A32System.Nop),
        Pattern("YIELD", "cccc 0011 0010 0000 1111 0000 0000 0001", F.Immediate, A32System.Nop),
        Pattern("WFE", "cccc 0011 0010 0000 1111 0000 0000 0010", F.Immediate, A32System.Wfe),
        Pattern("WFI", "cccc 0011 0010 0000 1111 0000 0000 0011", F.Immediate, A32System.Wfi),
        Pattern("SEV", "cccc 0011 0010 0000 1111 0000 0000 0100", F.Immediate, A32System.Sev),
        Pattern("SEVL", "cccc 0011 0010 0000 1111 0000 0000 0101", F.Immediate, A32System.Sevl),

        // ---- Synchronization primitives and load-acquire/store-release: cond 0001 1 sz L Rn Rt xx 1001 Rt ----
        Pattern("STL", "cccc 0001 1000 xxxx 1111 1100 1001 xxxx", F.Synchronization, A32Synchronization.Stl),
        Pattern("STLB", "cccc 0001 1100 xxxx 1111 1100 1001 xxxx", F.Synchronization, A32Synchronization.Stlb),
        Pattern("STLH", "cccc 0001 1110 xxxx 1111 1100 1001 xxxx", F.Synchronization, A32Synchronization.Stlh),
        Pattern("LDA", "cccc 0001 1001 xxxx xxxx 1100 1001 1111", F.Synchronization, A32Synchronization.Lda),
        Pattern("LDAB", "cccc 0001 1101 xxxx xxxx 1100 1001 1111", F.Synchronization, A32Synchronization.Ldab),
        Pattern("LDAH", "cccc 0001 1111 xxxx xxxx 1100 1001 1111", F.Synchronization, A32Synchronization.Ldah),
        Pattern("STLEX", "cccc 0001 1000 xxxx xxxx 1110 1001 xxxx", F.Synchronization, A32Synchronization.Stlex),
        Pattern("STLEXD", "cccc 0001 1010 xxxx xxxx 1110 1001 xxxx", F.Synchronization, A32Synchronization.Stlexd, A32Synchronization.DoublewordRegistersValid),
        Pattern("STLEXB", "cccc 0001 1100 xxxx xxxx 1110 1001 xxxx", F.Synchronization, A32Synchronization.Stlexb),
        Pattern("STLEXH", "cccc 0001 1110 xxxx xxxx 1110 1001 xxxx", F.Synchronization, A32Synchronization.Stlexh),
        Pattern("LDAEX", "cccc 0001 1001 xxxx xxxx 1110 1001 1111", F.Synchronization, A32Synchronization.Ldaex),
        Pattern("LDAEXD", "cccc 0001 1011 xxxx xxxx 1110 1001 1111", F.Synchronization, A32Synchronization.Ldaexd, A32Synchronization.DoublewordRegistersValid),
        Pattern("LDAEXB", "cccc 0001 1101 xxxx xxxx 1110 1001 1111", F.Synchronization, A32Synchronization.Ldaexb),
        Pattern("LDAEXH", "cccc 0001 1111 xxxx xxxx 1110 1001 1111", F.Synchronization, A32Synchronization.Ldaexh),
        Pattern("STREX", "cccc 0001 1000 xxxx xxxx 1111 1001 xxxx", F.Synchronization, A32Synchronization.Strex),
        Pattern("STREXD", "cccc 0001 1010 xxxx xxxx 1111 1001 xxxx", F.Synchronization, A32Synchronization.Strexd, A32Synchronization.DoublewordRegistersValid),
        Pattern("STREXB", "cccc 0001 1100 xxxx xxxx 1111 1001 xxxx", F.Synchronization, A32Synchronization.Strexb),
        Pattern("STREXH", "cccc 0001 1110 xxxx xxxx 1111 1001 xxxx", F.Synchronization, A32Synchronization.Strexh),
        Pattern("LDREX", "cccc 0001 1001 xxxx xxxx 1111 1001 1111", F.Synchronization, A32Synchronization.Ldrex),
        Pattern("LDREXD", "cccc 0001 1011 xxxx xxxx 1111 1001 1111", F.Synchronization, A32Synchronization.Ldrexd, A32Synchronization.DoublewordRegistersValid),
        Pattern("LDREXB", "cccc 0001 1101 xxxx xxxx 1111 1001 1111", F.Synchronization, A32Synchronization.Ldrexb),
        Pattern("LDREXH", "cccc 0001 1111 xxxx xxxx 1111 1001 1111", F.Synchronization, A32Synchronization.Ldrexh),

        // ---- Extra load/store: cond 000 P U I W L Rn Rt imm4H 1 op2 1 imm4L/Rm ----
        Pattern("STRH", "cccc 000x xxx0 xxxx xxxx xxxx 1011 xxxx", F.LoadStoreExtra, A32LoadStore.Strh, ExtraRegisterFormValid),
        Pattern("LDRD", "cccc 000x xxx0 xxxx xxxx xxxx 1101 xxxx", F.LoadStoreExtra, A32LoadStore.Ldrd, DoublewordValid),
        Pattern("STRD", "cccc 000x xxx0 xxxx xxxx xxxx 1111 xxxx", F.LoadStoreExtra, A32LoadStore.Strd, DoublewordValid),
        Pattern("LDRH", "cccc 000x xxx1 xxxx xxxx xxxx 1011 xxxx", F.LoadStoreExtra, A32LoadStore.Ldrh, ExtraRegisterFormValid),
        Pattern("LDRSB", "cccc 000x xxx1 xxxx xxxx xxxx 1101 xxxx", F.LoadStoreExtra, A32LoadStore.Ldrsb, ExtraRegisterFormValid),
        Pattern("LDRSH", "cccc 000x xxx1 xxxx xxxx xxxx 1111 xxxx", F.LoadStoreExtra, A32LoadStore.Ldrsh, ExtraRegisterFormValid),

        // ---- Load/store word and unsigned byte: cond 01 I P U B W L Rn Rt imm12 / imm5 type 0 Rm ----
        Pattern("STR (immediate)", "cccc 010x x0x0 xxxx xxxx xxxxxxxxxxxx", F.LoadStoreImmediate, A32LoadStore.Str),
        Pattern("LDR (immediate)", "cccc 010x x0x1 xxxx xxxx xxxxxxxxxxxx", F.LoadStoreImmediate, A32LoadStore.Ldr),
        Pattern("STRB (immediate)", "cccc 010x x1x0 xxxx xxxx xxxxxxxxxxxx", F.LoadStoreImmediate, A32LoadStore.Strb),
        Pattern("LDRB (immediate)", "cccc 010x x1x1 xxxx xxxx xxxxxxxxxxxx", F.LoadStoreImmediate, A32LoadStore.Ldrb),
        Pattern("STR (register)", "cccc 011x x0x0 xxxx xxxx xxxx xxx0 xxxx", F.LoadStoreRegister, A32LoadStore.Str),
        Pattern("LDR (register)", "cccc 011x x0x1 xxxx xxxx xxxx xxx0 xxxx", F.LoadStoreRegister, A32LoadStore.Ldr),
        Pattern("STRB (register)", "cccc 011x x1x0 xxxx xxxx xxxx xxx0 xxxx", F.LoadStoreRegister, A32LoadStore.Strb),
        Pattern("LDRB (register)", "cccc 011x x1x1 xxxx xxxx xxxx xxx0 xxxx", F.LoadStoreRegister, A32LoadStore.Ldrb),

        // ---- Media: extend, reverse, saturate, bitfield, divide ----
        Pattern("SXTAB16", "cccc 0110 1000 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Sxtab16),
        Pattern("SXTAB", "cccc 0110 1010 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Sxtab),
        Pattern("SXTAH", "cccc 0110 1011 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Sxtah),
        Pattern("UXTAB16", "cccc 0110 1100 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Uxtab16),
        Pattern("UXTAB", "cccc 0110 1110 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Uxtab),
        Pattern("UXTAH", "cccc 0110 1111 xxxx xxxx xx00 0111 xxxx", F.Extend, A32Miscellaneous.Uxtah),
        Pattern("REV", "cccc 0110 1011 1111 xxxx 1111 0011 xxxx", F.RegisterMisc, A32Miscellaneous.Rev),
        Pattern("REV16", "cccc 0110 1011 1111 xxxx 1111 1011 xxxx", F.RegisterMisc, A32Miscellaneous.Rev16),
        Pattern("RBIT", "cccc 0110 1111 1111 xxxx 1111 0011 xxxx", F.RegisterMisc, A32Miscellaneous.Rbit),
        Pattern("REVSH", "cccc 0110 1111 1111 xxxx 1111 1011 xxxx", F.RegisterMisc, A32Miscellaneous.Revsh),
        Pattern("SSAT", "cccc 0110 101x xxxx xxxx xxxx xx01 xxxx", F.Saturate, A32Miscellaneous.Ssat),
        Pattern("USAT", "cccc 0110 111x xxxx xxxx xxxx xx01 xxxx", F.Saturate, A32Miscellaneous.Usat),
        Pattern("SBFX", "cccc 0111 101x xxxx xxxx xxxx x101 xxxx", F.BitfieldExtract, A32Miscellaneous.Sbfx, A32Miscellaneous.BitfieldExtractFits),
        Pattern("UBFX", "cccc 0111 111x xxxx xxxx xxxx x101 xxxx", F.BitfieldExtract, A32Miscellaneous.Ubfx, A32Miscellaneous.BitfieldExtractFits),
        Pattern("BFI/BFC", "cccc 0111 110x xxxx xxxx xxxx x001 xxxx", F.BitfieldInsert, A32Miscellaneous.Bfi, A32Miscellaneous.BitfieldInsertFits),
        Pattern("CRC32/CRC32C", "cccc 0001 0xx0 xxxx xxxx 00x0 0100 xxxx", F.Crc32, A32Miscellaneous.Crc32),
        Pattern("SDIV", "cccc 0111 0001 xxxx 1111 xxxx 0001 xxxx", F.Divide, A32Multiply.Sdiv),
        Pattern("UDIV", "cccc 0111 0011 xxxx 1111 xxxx 0001 xxxx", F.Divide, A32Multiply.Udiv),
        Pattern("UDF", "1110 0111 1111 xxxx xxxx xxxx 1111 xxxx", F.Immediate, A32System.Udf),

        // ---- Parallel arithmetic and the other SIMD-within-a-register media instructions ----
        Pattern("parallel add/subtract", "cccc 0110 0xxx xxxx xxxx 1111 xxx1 xxxx", F.ParallelArithmetic, A32ParallelArithmetic.AddSubtract, A32ParallelArithmetic.IsAllocated),
        Pattern("SEL", "cccc 0110 1000 xxxx xxxx 1111 1011 xxxx", F.ParallelArithmetic, A32ParallelArithmetic.Sel),
        Pattern("PKHBT/PKHTB", "cccc 0110 1000 xxxx xxxx xxxx xx01 xxxx", F.ParallelArithmetic, A32ParallelArithmetic.Pkh),
        Pattern("SSAT16", "cccc 0110 1010 xxxx xxxx 1111 0011 xxxx", F.ParallelArithmetic, A32ParallelArithmetic.Ssat16),
        Pattern("USAT16", "cccc 0110 1110 xxxx xxxx 1111 0011 xxxx", F.ParallelArithmetic, A32ParallelArithmetic.Usat16),
        Pattern("USAD8/USADA8", "cccc 0111 1000 xxxx xxxx xxxx 0001 xxxx", F.Multiply, A32ParallelArithmetic.Usad8),

        // ---- Signed multiply (dual, most significant word): cond 0111 0 op1 Rd Ra Rm op2 1 Rn ----
        Pattern("SMLAD/SMUAD/SMLSD/SMUSD", "cccc 0111 0000 xxxx xxxx xxxx 0xx1 xxxx", F.Multiply, A32Multiply.Smlad),
        Pattern("SMLALD/SMLSLD", "cccc 0111 0100 xxxx xxxx xxxx 0xx1 xxxx", F.Multiply, A32Multiply.Smlald),
        Pattern("SMMLA/SMMUL", "cccc 0111 0101 xxxx xxxx xxxx 00x1 xxxx", F.Multiply, A32Multiply.Smmla),
        Pattern("SMMLS", "cccc 0111 0101 xxxx xxxx xxxx 11x1 xxxx", F.Multiply, A32Multiply.Smmls, RaIsNotPc),

        // ---- Branch, branch with link, block data transfer, supervisor call ----
        Pattern("STM", "cccc 100x x0x0 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.Stm, A32LoadStoreMultiple.HasRegisters),
        Pattern("LDM", "cccc 100x x0x1 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.Ldm, A32LoadStoreMultiple.HasRegisters),
        Pattern("STM (User registers)", "cccc 100x x100 xxxx xxxxxxxxxxxxxxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.StmUser, A32LoadStoreMultiple.HasRegisters),
        Pattern("LDM (User registers)", "cccc 100x x101 xxxx 0xxxxxxxxxxxxxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.LdmUser, A32LoadStoreMultiple.HasRegisters),
        Pattern("LDM (exception return)", "cccc 100x x1x1 xxxx 1xxxxxxxxxxxxxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.LdmExceptionReturn),
        Pattern("B", "cccc 1010 xxxxxxxxxxxxxxxxxxxxxxxx", F.Branch, A32Branches.B),
        Pattern("BL", "cccc 1011 xxxxxxxxxxxxxxxxxxxxxxxx", F.Branch, A32Branches.Bl),
        Pattern("SVC", "cccc 1111 xxxxxxxxxxxxxxxxxxxxxxxx", F.Immediate, A32System.Svc),

        // ---- Coprocessor: CP15 and CP14 moves (32- and 64-bit); the VFP (CP10, CP11) space is A32FloatingPointTable's ----
        Pattern("MCR/MRC (CP15)", "cccc 1110 xxxx xxxx xxxx 1111 xxx1 xxxx", F.Coprocessor, A32System.Cp15),
        Pattern("MCRR/MRRC (CP15)", "cccc 1100 010x xxxx xxxx 1111 xxxx xxxx", F.Coprocessor, A32System.Cp15Pair),
        Pattern("MCR/MRC (CP14)", "cccc 1110 xxxx xxxx xxxx 1110 xxx1 xxxx", F.Coprocessor, A32System.Cp14),
        Pattern("MCRR/MRRC (CP14)", "cccc 1100 010x xxxx xxxx 1110 xxxx xxxx", F.Coprocessor, A32System.Cp14Pair),
        Pattern("LDC (CP14, c5)", "cccc 110x x0x1 xxxx 0101 1110 xxxx xxxx", F.CoprocessorLoadStore, A32System.LdcStcCp14, w => A32System.LdcStcValid(w, thumb: false)),
        Pattern("STC (CP14, c5)", "cccc 110x x0x0 xxxx 0101 1110 xxxx xxxx", F.CoprocessorLoadStore, A32System.LdcStcCp14, w => A32System.LdcStcValid(w, thumb: false)),

        // ---- Unconditional space ----
        Pattern("BLX (immediate)", "1111 101x xxxxxxxxxxxxxxxxxxxxxxxx", F.BranchExchangeImmediate, A32Branches.BlxImmediate),
        Pattern("SETEND", "1111 0001 0000 0001 0000 00x0 0000 0000", F.Setend, A32System.Setend),
        Pattern("CPS", "1111 0001 0000 xxx0 0000 000x xx0x xxxx", F.ChangeProcessorState, A32System.Cps),
        Pattern("SRS", "1111 100x x1x0 1101 0000 0101 000x xxxx", F.LoadStoreMultiple, A32LoadStoreMultiple.Srs),
        Pattern("RFE", "1111 100x x0x1 xxxx 0000 1010 0000 0000", F.LoadStoreMultiple, A32LoadStoreMultiple.Rfe),
        Pattern("CLREX", "1111 0101 0111 1111 1111 0000 0001 1111", F.None, A32System.Clrex),
        Pattern("DSB", "1111 0101 0111 1111 1111 0000 0100 xxxx", F.Immediate, A32System.Barrier),
        Pattern("DMB", "1111 0101 0111 1111 1111 0000 0101 xxxx", F.Immediate, A32System.Barrier),
        Pattern("ISB", "1111 0101 0111 1111 1111 0000 0110 xxxx", F.Immediate, A32System.Barrier),
        Pattern("PLD, PLDW (immediate)", "1111 0101 xx01 xxxx 1111 xxxx xxxx xxxx", F.None, A32System.Nop),
        Pattern("PLD, PLDW (register)", "1111 0111 xx01 xxxx 1111 xxxx xxx0 xxxx", F.None, A32System.Nop),
        Pattern("PLI (immediate)", "1111 0100 x101 xxxx 1111 xxxx xxxx xxxx", F.None, A32System.Nop),
        Pattern("PLI (register)", "1111 0110 x101 xxxx 1111 xxxx xxx0 xxxx", F.None, A32System.Nop),
    ];

    // SMMLS with Ra = 15 is UNPREDICTABLE (there is no SMMULS).
    private static bool RaIsNotPc(uint insn) => ((insn >> 12) & 0xF) != 0xF;

    // MSR with a zero mask is UNPREDICTABLE (and with R = 0, imm form, the hint space): no row accepts it.
    private static bool MsrMaskNonZero(uint insn) => ((insn >> 16) & 0xF) != 0;

    // The register form of the extra loads and stores has SBZ bits 11..8 (0000).
    private static bool ExtraRegisterFormValid(uint insn) => (insn & (1u << 22)) != 0 || (insn & 0xF00) == 0;

    // LDRD/STRD: the register-form rule, an even Rt below R14, and no unprivileged form (P = 0 with W = 1).
    private static bool DoublewordValid(uint insn) =>
        ExtraRegisterFormValid(insn) && A32LoadStore.DoublewordRegistersValid(insn) && ((insn >> 24) & 1 | (~insn >> 21) & 1) != 0;
}
