using System.Collections.Concurrent;
using System.Numerics;
using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// How the timing models see one AArch32 instruction: its issue description (class, whether it ends its issue group,
/// the register fields it writes and reads: <see cref="TimingInstruction"/>), the predictor kind when it may branch
/// (<see cref="TimingClass.Other"/> when it does not), and the registers a load or store multiple transfers.
/// </summary>
/// <param name="Instruction">What the issue rule (<see cref="IssueGroup"/>) prices.</param>
/// <param name="Branch">The branch kind the predictor charges after it retires, or <see cref="TimingClass.Other"/>.</param>
/// <param name="Registers">LDM/STM/PUSH/POP: the registers in the list (they cost <see cref="TimingModel.MultipleCycles"/>).</param>
/// <param name="Load">True for a load multiple (with <paramref name="Registers"/>).</param>
internal readonly record struct Aarch32TimingInstruction(TimingInstruction Instruction, TimingClass Branch, byte Registers, bool Load);

/// <summary>
/// The <see cref="TimingClass"/> of an A32 or T32 instruction, from its decode row (<see cref="A32Encoding.Name"/>, the
/// mnemonic the A32/T32 tables give it, and the row's handler family) and its decoded operands: the same classes, and so
/// the same per-model costs, as the A64 rows of the same kind (<see cref="TimingClassifier"/>), refined where the
/// Cortex-A57 Software Optimization Guide's AArch32 tables (ARM UAN 0015B, sections 3.2-3.9, as LLVM's
/// ARMScheduleA57.td transcribes them) price an AArch32 form differently: data processing with a shifted register
/// operand on the M pipe (3.3: 2 cycles), multiply long (3.5: 4 cycles), load and store multiple by register count
/// (3.8, 3.9), and the branch forms: B&lt;c&gt;, BX LR, POP/LDM SP! with the PC, LDR PC, MOV PC, LR, BL/BLX.
/// </summary>
internal static class A32TimingClassifier
{
    private static readonly ConcurrentDictionary<A32Encoding, TimingClass> ByRow = new();

    /// <summary>The class of <paramref name="word"/> decoded by <paramref name="row"/>, from the row alone (and VDIV/VSQRT's size bit).</summary>
    public static TimingClass Classify(A32Encoding row, uint word)
    {
        var c = ByRow.GetOrAdd(row, static r => OfName(r.Name));
        // VDIV, VSQRT: sz (bit 8) selects double precision (F6.1.100 / F6.1.245).
        return c switch
        {
            TimingClass.FpDiv32 when (word & 0x100) != 0 => TimingClass.FpDiv64,
            TimingClass.FpSqrt32 when (word & 0x100) != 0 => TimingClass.FpSqrt64,
            _ => c,
        };
    }

    /// <summary>
    /// The timing description of <paramref name="decoded"/> (from <paramref name="word"/>: an A32 word, a T32 halfword
    /// or hw1:hw2): the row's class refined by its operands, its register fields, and its branch kind.
    /// </summary>
    public static Aarch32TimingInstruction Describe(A32Instruction decoded, uint word)
    {
        var row = decoded.Encoding;
        var op = decoded.Operands;
        var c = Classify(row, word);
        var type = row.Handler.Method.DeclaringType;
        bool simd = type == typeof(A32FloatingPoint) || type == typeof(A32AdvSimd) || type == typeof(A32AdvSimdLoadStore)
            || type == typeof(A32FloatingPointTransfer);
        bool serial = InstructionClassifier.ClassifyAarch32(decoded, word) == InstructionClass.EndsBlock;
        var branch = TimingClass.Other;
        byte registers = 0;
        bool load = false;
        bool dataProcessing = type == typeof(A32DataProcessing) || row.Handler.Method.Name is "MovHigh" or "AddHigh";
        bool compare = dataProcessing && row.Name.Split(' ', '(')[0] is "TST" or "TEQ" or "CMP" or "CMN";
        if (dataProcessing)
        {
            // SWOG 3.3/3.4: an operand shifted by an immediate or a register is 2 cycles on M; a move shifted by an
            // immediate that sets no flags is a plain 1-cycle I0/I1 operation (ARMScheduleA57.td A57WriteMOVsi/MOVsr).
            bool shifted = op.Kind == A32OperandKind.RegisterShiftedRegister
                || (op.Kind == A32OperandKind.Register && (op.ShiftAmount != 0 || op.ShiftType == A32Shift.Rrx));
            bool move = IsMove(row.Name);
            if (shifted && (!move || op.SetFlags)) c = TimingClass.IntAluShifted;
            if (!compare && op.Rd == 15)
            {
                // ALUWritePC: SUBS PC, LR and the other flag-setting forms are exception returns (F5.1.x "SUBS PC, LR
                // and related instructions"); MOV PC, LR returns; any other write of the PC is an indirect branch.
                if (op.SetFlags) c = TimingClass.ExceptionReturn;
                else branch = move && op.Kind == A32OperandKind.Register && op.Rm == 14 && !shifted ? TimingClass.Return : TimingClass.IndirectBranch;
            }
        }
        else if (row.Handler.Method.Name == nameof(A32LoadStoreMultiple.LdmExceptionReturn))
        {
            c = TimingClass.ExceptionReturn; // LDM with the PC and ^: an exception return, not predicted (as ERET)
        }
        else if (!simd && op.Registers != 0 && c is TimingClass.LoadPair or TimingClass.StorePair)
        {
            registers = (byte)BitOperations.PopCount(op.Registers);
            load = c == TimingClass.LoadPair;
            // LDM SP!, {..., PC} (POP) returns; another LDM with the PC is an indirect branch.
            if (load && (op.Registers & 0x8000) != 0) branch = op.Rn == 13 && op.WriteBack ? TimingClass.Return : TimingClass.IndirectBranch;
        }
        else if (!simd && c == TimingClass.Load && op.Rd == 15)
        {
            // LDR PC, [SP], #4 (POP {PC}) returns; another load of the PC (a literal pool or jump table) is indirect.
            branch = op.Rn == 13 && !op.Index && op.WriteBack ? TimingClass.Return : TimingClass.IndirectBranch;
        }
        else if (c is TimingClass.Branch or TimingClass.Call or TimingClass.ConditionalBranch or TimingClass.IndirectCall)
        {
            branch = c;
        }
        else if (c == TimingClass.IndirectBranch)
        {
            // BX LR returns (the AArch32 procedure return), BX Rm and TBB/TBH are indirect branches.
            branch = row.Name.StartsWith("BX", StringComparison.Ordinal) && op.Rm == 14 ? TimingClass.Return : TimingClass.IndirectBranch;
            c = branch == TimingClass.Return ? TimingClass.Return : c;
        }
        bool kindForm = dataProcessing || type == typeof(A32LoadStore);
        // A multiply's Rs field is Ra (MLA), RdLo (the long multiplies) or zero: read by the accumulating forms only.
        string mnemonic = row.Name.Split(' ', '(')[0];
        bool multiply = type == typeof(A32Multiply) && (mnemonic.Contains("ML", StringComparison.Ordinal) || mnemonic.Contains("AAL", StringComparison.Ordinal)
            || mnemonic.StartsWith("USADA", StringComparison.Ordinal));
        return new(new TimingInstruction(c, serial, Dest(c, op, simd, compare), Sources(c, op, simd, dataProcessing && IsMove(row.Name), kindForm, multiply)),
            branch, registers, load);
    }

    // MOV, MVN and the shift aliases (LSL, LSR, ASR, ROR): no Rn.
    private static bool IsMove(string name) =>
        name.StartsWith("MOV", StringComparison.Ordinal) || name.StartsWith("MVN", StringComparison.Ordinal)
        || name.StartsWith("LSL", StringComparison.Ordinal) || name.StartsWith("LSR", StringComparison.Ordinal)
        || name.StartsWith("ASR", StringComparison.Ordinal) || name.StartsWith("ROR", StringComparison.Ordinal);

    // The register fields the instruction writes (two 5-bit fields, 31 for none: TimingInstruction.Dest): Rd (Rt; RdHi of
    // the long multiplies), and RdLo (Rs) of the long multiplies; nothing for compares, stores and branches. SIMD&FP rows give their d field.
    private static ushort Dest(TimingClass c, in A32Operands op, bool simd, bool compare)
    {
        if (compare || c is TimingClass.Store or TimingClass.StorePair or TimingClass.Branch or TimingClass.ConditionalBranch
            or TimingClass.IndirectBranch or TimingClass.Return or TimingClass.Barrier or TimingClass.Hint or TimingClass.ExceptionGenerating)
            return TimingInstruction.NoDest;
        int first = c == TimingClass.LoadPair && !simd && op.Registers != 0 ? BitOperations.TrailingZeroCount(op.Registers) : op.Rd & 31;
        int second = c == TimingClass.IntMulLong ? op.Rs & 31 : 31;
        return (ushort)(first | second << 5);
    }

    // The register fields it reads: Rn (not a move's, whose field is zero), Rm (a data-processing or load/store row's only
    // in its register forms: unused fields are zero, and r0 is not read), Rs (a register shift's, an accumulate's Ra or RdLo),
    // and a store's Rt or list; none for barriers, hints, exception generation and immediate branches.
    private static uint Sources(TimingClass c, in A32Operands op, bool simd, bool move, bool kindForm, bool multiply)
    {
        if (c is TimingClass.Barrier or TimingClass.Hint or TimingClass.ExceptionGenerating or TimingClass.Branch or TimingClass.Call) return 0;
        uint s = move ? 0 : 1u << (op.Rn & 31);
        if (!kindForm || op.Kind != A32OperandKind.Immediate) s |= 1u << (op.Rm & 31);
        if (op.Kind == A32OperandKind.RegisterShiftedRegister || multiply) s |= 1u << (op.Rs & 31);
        if (c is TimingClass.Store or TimingClass.StorePair or TimingClass.Atomic) s |= simd || op.Registers == 0 ? 1u << (op.Rd & 31) : op.Registers;
        return s;
    }

    // The row's mnemonic (its name's first word) to a class.
    private static TimingClass OfName(string name)
    {
        string m = name.Split(' ', '(')[0].ToUpperInvariant();
        return m switch
        {
            "B" => TimingClass.Branch,
            "BL" => TimingClass.Call,
            "BLX" => name.Contains("immediate", StringComparison.Ordinal) ? TimingClass.Call : TimingClass.IndirectCall,
            "BX" or "BXJ" => TimingClass.IndirectBranch,
            "CBZ" or "CBNZ" or "CBZ/CBNZ" => TimingClass.ConditionalBranch,
            "TBB" or "TBH" or "TBB/TBH" => TimingClass.IndirectBranch,
            "LDREX" or "LDREXB" or "LDREXH" or "LDREXD" or "LDAEX" or "LDAEXB" or "LDAEXH" or "LDAEXD"
                or "STREX" or "STREXB" or "STREXH" or "STREXD" or "STLEX" or "STLEXB" or "STLEXH" or "STLEXD" or "SWP" or "SWPB" => TimingClass.Atomic,
            "LDRD" or "LDM" or "LDMIA" or "LDMDA" or "LDMDB" or "LDMIB" or "POP" or "VLDM" or "VLDMDB" or "VLD1" or "VLD2" or "VLD3" or "VLD4" => TimingClass.LoadPair,
            "STRD" or "STM" or "STMIA" or "STMDA" or "STMDB" or "STMIB" or "PUSH" or "VSTM" or "VSTMDB" or "VST1" or "VST2" or "VST3" or "VST4" => TimingClass.StorePair,
            _ when m.StartsWith("LDR", StringComparison.Ordinal) || m.StartsWith("LDA", StringComparison.Ordinal) || m == "VLDR" => TimingClass.Load,
            _ when m.StartsWith("STR", StringComparison.Ordinal) || m.StartsWith("STL", StringComparison.Ordinal) || m == "VSTR" => TimingClass.Store,
            // SWOG 3.5: multiply long and multiply-accumulate long, 4 cycles on M.
            _ when m.StartsWith("UMULL", StringComparison.Ordinal) || m.StartsWith("SMULL", StringComparison.Ordinal) || m.StartsWith("UMLAL", StringComparison.Ordinal)
                || m.StartsWith("SMLAL", StringComparison.Ordinal) || m.StartsWith("UMAAL", StringComparison.Ordinal) || m.StartsWith("SMLSLD", StringComparison.Ordinal) => TimingClass.IntMulLong,
            _ when m is "MUL" or "MLA" or "MLS" or "USAD8" or "USADA8"
                || m.StartsWith("SMMLA", StringComparison.Ordinal) || m.StartsWith("SMMLS", StringComparison.Ordinal) || m.StartsWith("SMMUL", StringComparison.Ordinal)
                || m.StartsWith("SMLA", StringComparison.Ordinal) || m.StartsWith("SMLS", StringComparison.Ordinal) || m.StartsWith("SMUL", StringComparison.Ordinal)
                || m.StartsWith("SMUAD", StringComparison.Ordinal) || m.StartsWith("SMUSD", StringComparison.Ordinal) => TimingClass.IntMul32,
            "SDIV" or "UDIV" => TimingClass.IntDiv32,
            "MRC" or "MCR" or "MRRC" or "MCRR" or "MRS" or "MSR" or "VMRS" or "VMSR" or "CPS" or "SETEND" => TimingClass.SystemRegister,
            "DMB" or "DSB" or "ISB" => TimingClass.Barrier,
            "SVC" or "HVC" or "SMC" or "BKPT" or "UDF" => TimingClass.ExceptionGenerating,
            "ERET" or "SUBS" => TimingClass.ExceptionReturn,
            _ when m.StartsWith("RFE", StringComparison.Ordinal) => TimingClass.ExceptionReturn,
            _ when m.StartsWith("SRS", StringComparison.Ordinal) => TimingClass.StorePair, // (LR and SPSR to the stack)
            "NOP" or "YIELD" or "WFE" or "WFI" or "SEV" or "SEVL" or "PLD" or "PLDW" or "PLI" or "CLREX" or "IT" => TimingClass.Hint,
            "VDIV" => TimingClass.FpDiv32,
            "VSQRT" => TimingClass.FpSqrt32,
            "VMUL" or "VNMUL" => TimingClass.FpMul,
            "VMLA" or "VMLS" or "VNMLA" or "VNMLS" or "VFMA" or "VFMS" or "VFNMA" or "VFNMS" => TimingClass.FpFma,
            _ when m.StartsWith("VCVT", StringComparison.Ordinal) || m.StartsWith("VRINT", StringComparison.Ordinal) => TimingClass.FpConvert,
            "VTBL" or "VTBX" or "VEXT" or "VDUP" or "VMOV" or "VZIP" or "VUZP" or "VTRN" or "VREV16" or "VREV32" or "VREV64" or "VSWP" => TimingClass.SimdPermute,
            "VABS" or "VNEG" or "VADD" or "VSUB" or "VCMP" or "VCMPE" or "VSEL" or "VMAXNM" or "VMINNM" or "VFP" => TimingClass.FpAdd,
            _ when m.StartsWith('V') => TimingClass.SimdArithmetic,
            "CRC32" or "CRC32C" => TimingClass.IntMul32,
            "AESE" or "AESD" or "AESMC" or "AESIMC" or "SHA1C" or "SHA256H" => TimingClass.Crypto,
            _ => TimingClass.IntAlu,
        };
    }
}
