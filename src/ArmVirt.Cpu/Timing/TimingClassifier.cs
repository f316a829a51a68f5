using System.Collections.Concurrent;
using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.A64.SimdFp;
using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.Pmu;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// What the timing models need of one instruction: its <see cref="TimingClass"/>, whether it ends an issue group (every
/// row <see cref="InstructionClassifier"/> makes end a block: branches, system and exception-generating instructions),
/// and the register numbers it writes and reads (for the in-order result-use stalls).
/// </summary>
/// <param name="Class">The class.</param>
/// <param name="Serial">True when it ends its issue group (the next instruction starts a fresh one).</param>
/// <param name="Dest">Register numbers written (two 5-bit fields, 31 = none): Rd/Rt, and Rt2 of a pair load.</param>
/// <param name="Sources">Register numbers read, as a 32-bit mask (bit 31, XZR/SP, never set).</param>
internal readonly record struct TimingInstruction(TimingClass Class, bool Serial, ushort Dest, uint Sources)
{
    /// <summary>No register written.</summary>
    public const ushort NoDest = 31 | 31 << 5;

    /// <summary>True when this instruction reads a register <paramref name="producer"/> writes.</summary>
    public bool Reads(in TimingInstruction producer)
    {
        uint written = (1u << (producer.Dest & 31)) | (1u << (producer.Dest >> 5));
        return (Sources & written & 0x7FFF_FFFF) != 0;
    }
}

/// <summary>
/// Classifies decoded instructions for the timing models from the decoder's own rows: the block classes of
/// <see cref="InstructionClassifier"/> (which rows end a block, which access memory), the load/store kind of
/// <see cref="PmuInstructionClassifier"/>, and the row's mnemonic (<see cref="A64Encoding.Name"/>) and family for the
/// rest, refined by the operand-size and shift fields of the word where the cost depends on them (Arm ARM C4.1). No
/// second decoder: a row added to a family table gets a class from its family.
/// </summary>
internal static class TimingClassifier
{
    private static readonly ConcurrentDictionary<A64Encoding, RowKind> Rows = new(ReferenceEqualityComparer.Instance);

    // How a row's class is found: fixed, or from a field of the word.
    private enum RowKind : byte
    {
        Fixed0, // (TimingClass)n for n < 64 is encoded as the value itself; the others below
        AluMaybeShifted = 64, // shifted register (imm6 != 0) / extended register (option, imm3)
        MulBySize,
        DivBySize,
        FpDivBySize,
        FpSqrtBySize,
        Memory,
    }

    // Mnemonics (row names up to the first space or parenthesis) with a fixed class. DataProcessingTable, BranchTable,
    // SystemTable, SimdFpTable and AdvSimdTable rows; the remaining rows get their family's class (Classify).
    private static readonly Dictionary<string, TimingClass> ByMnemonic = new()
    {
        ["EXTR"] = TimingClass.IntAluShifted,
        ["CRC32B/H/W/X"] = TimingClass.IntMul32, ["CRC32CB/CH/CW/CX"] = TimingClass.IntMul32,
        ["SMADDL"] = TimingClass.IntMul64, ["SMSUBL"] = TimingClass.IntMul64, ["SMULH"] = TimingClass.IntMul64,
        ["UMADDL"] = TimingClass.IntMul64, ["UMSUBL"] = TimingClass.IntMul64, ["UMULH"] = TimingClass.IntMul64,
        ["B"] = TimingClass.Branch, ["BL"] = TimingClass.Call, ["B.cond"] = TimingClass.ConditionalBranch,
        ["CBZ"] = TimingClass.ConditionalBranch, ["CBNZ"] = TimingClass.ConditionalBranch,
        ["TBZ"] = TimingClass.ConditionalBranch, ["TBNZ"] = TimingClass.ConditionalBranch,
        ["BR"] = TimingClass.IndirectBranch, ["BLR"] = TimingClass.IndirectCall, ["RET"] = TimingClass.Return,
        ["ERET"] = TimingClass.ExceptionReturn,
        ["SVC"] = TimingClass.ExceptionGenerating, ["HVC"] = TimingClass.ExceptionGenerating,
        ["SMC"] = TimingClass.ExceptionGenerating, ["BRK"] = TimingClass.ExceptionGenerating, ["HLT"] = TimingClass.ExceptionGenerating,
        ["HINT"] = TimingClass.Hint, ["YIELD"] = TimingClass.Hint, ["WFE"] = TimingClass.Hint, ["WFI"] = TimingClass.Hint,
        ["SEV"] = TimingClass.Hint, ["SEVL"] = TimingClass.Hint,
        ["CLREX"] = TimingClass.Barrier, ["DSB"] = TimingClass.Barrier, ["DMB"] = TimingClass.Barrier, ["ISB"] = TimingClass.Barrier,
        ["MSR"] = TimingClass.SystemRegister, ["MRS"] = TimingClass.SystemRegister,
        ["SYS"] = TimingClass.SystemRegister, ["SYSL"] = TimingClass.SystemRegister,
        ["FMUL"] = TimingClass.FpMul, ["FNMUL"] = TimingClass.FpMul,
        ["FMADD/FMSUB/FNMADD/FNMSUB"] = TimingClass.FpFma,
        ["FCVT"] = TimingClass.FpConvert, ["FCVT<N,P,M,Z><S,U>"] = TimingClass.FpConvert, ["FCVTA<S,U>"] = TimingClass.FpConvert,
        ["<S,U>CVTF"] = TimingClass.FpConvert, ["FCVTZ<S,U>"] = TimingClass.FpConvert,
        ["DUP"] = TimingClass.SimdPermute, ["SMOV"] = TimingClass.SimdPermute, ["UMOV"] = TimingClass.SimdPermute,
        ["INS"] = TimingClass.SimdPermute, ["MOVI/MVNI/ORR/BIC/FMOV"] = TimingClass.SimdPermute,
        ["UZP1/TRN1/ZIP1/UZP2/TRN2/ZIP2"] = TimingClass.SimdPermute, ["EXT"] = TimingClass.SimdPermute,
        ["TBL/TBX"] = TimingClass.SimdPermute,
        ["FMAXNMP/FMINNMP"] = TimingClass.FpAdd, ["FADDP"] = TimingClass.FpAdd, ["FMAXP/FMINP"] = TimingClass.FpAdd,
        ["FMAXNMV/FMINNMV"] = TimingClass.FpAdd, ["FMAXV/FMINV"] = TimingClass.FpAdd,
        ["AESE/AESD/AESMC/AESIMC"] = TimingClass.Crypto, ["SHA1C/SHA1P/SHA1M/SHA1SU0/SHA256H/SHA256H2/SHA256SU1"] = TimingClass.Crypto,
        ["SHA1H/SHA1SU1/SHA256SU0"] = TimingClass.Crypto,
    };

    /// <summary>The timing view of <paramref name="word"/> decoded as <paramref name="encoding"/>.</summary>
    public static TimingInstruction Describe(A64Encoding encoding, uint word)
    {
        var blockClass = InstructionClassifier.Classify(encoding, word);
        var c = Classify(encoding, word, blockClass);
        return new TimingInstruction(c, blockClass == InstructionClass.EndsBlock, Dest(c, encoding, word), Sources(c, encoding, word));
    }

    /// <summary>The class of <paramref name="word"/> decoded as <paramref name="encoding"/>.</summary>
    public static TimingClass Classify(A64Encoding encoding, uint word) =>
        Classify(encoding, word, InstructionClassifier.Classify(encoding, word));

    private static TimingClass Classify(A64Encoding encoding, uint word, InstructionClass blockClass)
    {
        if (blockClass == InstructionClass.Memory) return MemoryClass(encoding, word);
        var kind = Rows.GetOrAdd(encoding, RowKindOf);
        return kind switch
        {
            < RowKind.AluMaybeShifted => (TimingClass)kind,
            RowKind.AluMaybeShifted => ShiftedOrExtended(word) ? TimingClass.IntAluShifted : TimingClass.IntAlu,
            RowKind.MulBySize => (word >> 31) != 0 ? TimingClass.IntMul64 : TimingClass.IntMul32,
            RowKind.DivBySize => (word >> 31) != 0 ? TimingClass.IntDiv64 : TimingClass.IntDiv32,
            // ftype (bits 23:22): 00 single, 01 double (half precision priced as single).
            RowKind.FpDivBySize => ((word >> 22) & 3) == 1 ? TimingClass.FpDiv64 : TimingClass.FpDiv32,
            RowKind.FpSqrtBySize => ((word >> 22) & 3) == 1 ? TimingClass.FpSqrt64 : TimingClass.FpSqrt32,
            _ => TimingClass.Other,
        };
    }

    private static RowKind RowKindOf(A64Encoding e)
    {
        string name = e.Name;
        int cut = name.IndexOfAny([' ', '(']);
        string mnemonic = cut < 0 ? name : name[..cut];
        if (name.Contains("(shifted register)") || name.Contains("(extended register)")) return RowKind.AluMaybeShifted;
        if (mnemonic is "MADD" or "MSUB") return RowKind.MulBySize;
        if (mnemonic is "UDIV" or "SDIV") return RowKind.DivBySize;
        if (mnemonic == "FDIV") return RowKind.FpDivBySize;
        if (mnemonic == "FSQRT") return RowKind.FpSqrtBySize;
        if (name.StartsWith("FMOV (") && name.Contains('n') && (name.Contains("Xn") || name.Contains("Wn") || name.Contains("Xd") || name.Contains("Wd")))
            return (RowKind)TimingClass.FpConvert; // FMOV between the general and SIMD&FP registers
        if (ByMnemonic.TryGetValue(mnemonic, out var c) || ByMnemonic.TryGetValue(name, out c)) return (RowKind)c;
        if (mnemonic == "MSR") return (RowKind)TimingClass.SystemRegister;
        // By family.
        if (DataProcessingTable.Entries.Contains(e)) return (RowKind)TimingClass.IntAlu;
        if (SimdFpTable.Entries.Contains(e) && !AdvSimdTable.Entries.Contains(e))
            return (RowKind)(name.StartsWith('F') ? TimingClass.FpAdd : TimingClass.SimdArithmetic);
        var family = e.Handler.Method.DeclaringType;
        if (family == typeof(AdvSimdPermute)) return (RowKind)TimingClass.SimdPermute;
        if (family == typeof(Crypto) || family == typeof(CarrylessMultiply)) return (RowKind)TimingClass.Crypto;
        if (SimdFpTable.Entries.Contains(e)) return (RowKind)TimingClass.SimdArithmetic;
        if (SystemTable.Entries.Contains(e)) return (RowKind)TimingClass.SystemRegister;
        return (RowKind)TimingClass.Other;
    }

    // Add/sub (shifted register): imm6 (bits 15:10) != 0; logical (shifted register) likewise; add/sub (extended
    // register) (bit 21 set): any extend other than the identity UXTX/UXTW-as-LSL with imm3 = 0 counts as extended.
    private static bool ShiftedOrExtended(uint word) =>
        ((word >> 21) & 1) != 0 && ((word >> 24) & 0x1F) == 0b01011
            ? ((word >> 10) & 7) != 0 || ((word >> 13) & 3) != 3
            : ((word >> 10) & 0x3F) != 0;

    private static TimingClass MemoryClass(A64Encoding encoding, uint word)
    {
        var kind = PmuInstructionClassifier.Classify(encoding, word);
        var family = encoding.Handler.Method.DeclaringType;
        if (family == typeof(LoadStoreAtomic) || family == typeof(LoadStoreExclusive)) return TimingClass.Atomic;
        bool pair = family == typeof(LoadStorePair) || IsSimdPairOrStructure(word);
        if ((kind & PmuInstructionKind.Store) != 0) return pair ? TimingClass.StorePair : TimingClass.Store;
        if ((kind & PmuInstructionKind.Load) != 0) return pair ? TimingClass.LoadPair : TimingClass.Load;
        // Prefetches and the data cache maintenance by VA other than DC ZVA use the load pipeline.
        return encoding.Handler.Method.DeclaringType == typeof(SystemRegisterMove) ? TimingClass.SystemRegister : TimingClass.Load;
    }

    // SIMD&FP LDP/STP/LDNP/STNP (x:101:1:0xx) and the structure loads/stores (0:x:00110:...: bit 27 clear, 26 set).
    private static bool IsSimdPairOrStructure(uint word) =>
        ((word >> 26) & 1) != 0 && (((word >> 27) & 7) == 0b101 || ((word >> 27) & 1) == 0);

    // Rd/Rt (bits 4:0), and Rt2 (14:10) of a pair load; nothing for stores, branches (BL and BLR write X30) and
    // system instructions other than MRS.
    private static ushort Dest(TimingClass c, A64Encoding e, uint word)
    {
        uint rd = word & 31, rt2 = (word >> 10) & 31;
        return c switch
        {
            TimingClass.Store or TimingClass.StorePair or TimingClass.Branch or TimingClass.ConditionalBranch
                or TimingClass.IndirectBranch or TimingClass.Return or TimingClass.ExceptionReturn
                or TimingClass.ExceptionGenerating or TimingClass.Barrier or TimingClass.Hint => TimingInstruction.NoDest,
            TimingClass.Call or TimingClass.IndirectCall => 30 | 31 << 5,
            TimingClass.SystemRegister => e.Name == "MRS" ? (ushort)(rd | 31 << 5) : TimingInstruction.NoDest,
            TimingClass.LoadPair => (ushort)(rd | rt2 << 5),
            _ => (ushort)(rd | 31 << 5),
        };
    }

    // Rn (9:5) for every class that has one, Rm (20:16) for the register forms, Ra (14:10) for the 3-source forms, Rt
    // (and Rt2) for stores, CBZ/TBZ. Register numbers are compared by field, without telling the general registers from
    // the SIMD&FP ones (an approximation of the models' result-use rule).
    private static uint Sources(TimingClass c, A64Encoding e, uint word)
    {
        uint rn = 1u << (int)((word >> 5) & 31), rm = 1u << (int)((word >> 16) & 31), ra = 1u << (int)((word >> 10) & 31), rt = 1u << (int)(word & 31);
        uint s = c switch
        {
            TimingClass.Branch or TimingClass.Call or TimingClass.Hint or TimingClass.Barrier or TimingClass.ExceptionGenerating
                or TimingClass.ExceptionReturn => 0,
            TimingClass.ConditionalBranch => e.Name == "B.cond" ? 0 : rt,
            TimingClass.IndirectBranch or TimingClass.IndirectCall or TimingClass.Return => rn,
            TimingClass.SystemRegister => e.Name == "MRS" ? 0 : rt,
            TimingClass.Store => rn | rt | (RegisterOffset(word) ? rm : 0),
            TimingClass.StorePair => rn | rt | ra,
            TimingClass.Atomic => rn | rt | rm,
            TimingClass.Load or TimingClass.LoadPair => rn | (RegisterOffset(word) ? rm : 0),
            TimingClass.IntMul32 or TimingClass.IntMul64 or TimingClass.FpFma => rn | rm | ra,
            _ => rn | (ReadsRm(e) ? rm : 0),
        };
        return s & 0x7FFF_FFFF;
    }

    // Load/store register (register offset): size:111:V:00:opc:1:Rm:option:S:10:Rn:Rt.
    private static bool RegisterOffset(uint word) => (word & 0x3B20_0C00) == 0x3820_0800;

    private static bool ReadsRm(A64Encoding e)
    {
        string n = e.Name;
        return !(n.Contains("(immediate)") || n.Contains("(literal)") || n.StartsWith("MOV") || n.StartsWith("ADR")
                 || n is "SBFM" or "BFM" or "UBFM" or "RBIT" or "REV16" or "REV32" or "CLZ" or "CLS" || n.StartsWith("REV ")
                 || n.StartsWith("FABS") || n.StartsWith("FNEG") || n.StartsWith("FSQRT") || n.StartsWith("FCVT")
                 || n.StartsWith("FRINT") || n.StartsWith("FMOV") || n.Contains("CVTF") || n.Contains("UMOV")
                 || n.Contains("SMOV") || n.StartsWith("DUP") || n.StartsWith("INS"));
    }
}
