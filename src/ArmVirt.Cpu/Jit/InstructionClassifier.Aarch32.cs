using System.Reflection;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Jit;

internal static partial class InstructionClassifier
{
    private static MethodInfo M(A32Handler handler) => handler.Method;

    // Data processing (integer, saturating, parallel, multiply and divide, bitfield, extend, CRC32; VFP and Advanced SIMD
    // arithmetic): they touch the general registers, APSR and the SIMD&FP registers and FPSCR only, and their faults (an
    // UNDEFINED encoding, a CPACR/HCPTR trap) are precise exceptions. A write to R15 (ALUWritePC) is taken out below.
    private static readonly HashSet<Type> A32PlainFamilies =
    [
        typeof(A32DataProcessing), typeof(A32Multiply), typeof(A32ParallelArithmetic), typeof(A32Miscellaneous),
        typeof(A32FloatingPoint), typeof(A32AdvSimd),
    ];

    private static readonly HashSet<MethodInfo> A32PlainRows =
    [
        M(T32Miscellaneous.AddHigh), M(T32Miscellaneous.MovHigh), M(T32Miscellaneous.Adr), M(T32Miscellaneous.Orn),
        M(A32FloatingPointTransfer.MoveSingle), M(A32FloatingPointTransfer.MovePair), M(A32FloatingPointTransfer.MoveScalar),
        M(A32FloatingPointTransfer.Duplicate), M(A32FloatingPointTransfer.Vmrs),
        M(A32System.Nop), M(A32System.Mrs), M(T32Branches.It),
    ];

    // Loads and stores: they may fault, reach MMIO or write code, so a block checks after them (JitCheckAfterAccess). A
    // load into R15 (LoadWritePC) and a write-back to R15 are taken out below.
    private static readonly HashSet<Type> A32MemoryFamilies = [typeof(A32LoadStore), typeof(A32Synchronization), typeof(A32AdvSimdLoadStore)];

    private static readonly HashSet<MethodInfo> A32MemoryRows =
    [
        M(A32LoadStoreMultiple.Ldm), M(A32LoadStoreMultiple.Stm),
        M(A32FloatingPointTransfer.Vldr), M(A32FloatingPointTransfer.Vstr), M(A32FloatingPointTransfer.Vldm), M(A32FloatingPointTransfer.Vstm),
        M(T32Miscellaneous.LdrLiteral), M(T32Miscellaneous.LdrbLiteral), M(T32Miscellaneous.LdrhLiteral), M(T32Miscellaneous.LdrsbLiteral),
        M(T32Miscellaneous.LdrshLiteral), M(T32Miscellaneous.Ldrd), M(T32Miscellaneous.Strd),
    ];

    // Rows whose general-register fields are SIMD&FP register numbers (d, n, m): their 15 is D15/S15/Q7, not the PC.
    private static readonly HashSet<Type> A32SimdFamilies = [typeof(A32FloatingPoint), typeof(A32AdvSimd), typeof(A32AdvSimdLoadStore)];

    // Branches to an immediate target in the same instruction set (B, BL, B<c>, CBZ/CBNZ): a block ending in one leaves
    // the interrupt state, mode, instruction set and regime as they were. BLX (immediate) changes the instruction set, BX
    // and the writes to R15 may (BXWritePC), and so do not chain.
    private static readonly HashSet<MethodInfo> A32ChainableBranches =
    [
        M(A32Branches.B), M(A32Branches.Bl), M(T32Branches.B), M(T32Branches.BConditional), M(T32Branches.Bl), M(T32Branches.CompareBranch),
    ];

    /// <summary>True when <paramref name="handler"/> is B, BL, B&lt;c&gt; or CBZ/CBNZ (A32 or T32): a branch to an immediate target.</summary>
    public static bool IsAarch32ImmediateBranch(A32Handler handler) => A32ChainableBranches.Contains(handler.Method);

    /// <summary>True for the T32 IT instruction (its block goes on, decoding what follows for the new ITSTATE).</summary>
    public static bool IsIt(A32Encoding encoding) => encoding.Handler.Method == ItMethod;

    private static readonly MethodInfo ItMethod = M(T32Branches.It);
    private static readonly MethodInfo BarrierMethod = M(A32System.Barrier);

    /// <summary>
    /// The class of an AArch32 instruction decoded as <paramref name="decoded"/> from <paramref name="word"/> (A32, or T32
    /// as hw1:hw2 or a halfword): as for A64 by the family of its row's handler (a row of no family known to be safe
    /// ends its block: branches, exception-generating, CP15 and CP14, PSTATE and mode changes, SETEND, exception returns),
    /// and by its operands: any instruction that may write R15 ends its block, as does ISB (DMB and DSB, which order
    /// nothing in this model, do not).
    /// </summary>
    public static InstructionClass ClassifyAarch32(A32Instruction decoded, uint word)
    {
        var handler = decoded.Encoding.Handler;
        var method = handler.Method;
        var type = method.DeclaringType;
        var op = decoded.Operands;
        if (method == BarrierMethod) return IsIsb(word) ? InstructionClass.EndsBlock : InstructionClass.Plain;
        if (CoprocessorMoves.Contains(method)) return ClassifyCoprocessorMove(op, cp15: method == Cp15Method);
        bool simd = type != null && A32SimdFamilies.Contains(type);
        bool writesR15 = !simd && (op.Rd == 15 || op.Rs == 15);
        if (A32MemoryRows.Contains(method) || type != null && A32MemoryFamilies.Contains(type))
        {
            if (writesR15 || (op.Rn == 15 && op.WriteBack) || (op.Registers & 0x8000) != 0) return InstructionClass.EndsBlock;
            return InstructionClass.Memory;
        }
        if (A32PlainRows.Contains(method) || type != null && A32PlainFamilies.Contains(type))
        {
            // (VMRS APSR_nzcv, FPSCR has Rt = 15 and writes the flags only.)
            if (writesR15 && method != VmrsMethod) return InstructionClass.EndsBlock;
            return InstructionClass.Plain;
        }
        return InstructionClass.EndsBlock;
    }

    private static readonly MethodInfo VmrsMethod = M(A32FloatingPointTransfer.Vmrs);

    private static readonly MethodInfo Cp15Method = M(A32System.Cp15);
    private static readonly HashSet<MethodInfo> CoprocessorMoves = [Cp15Method, M(A32System.Cp15Pair), M(A32System.Cp14), M(A32System.Cp14Pair)];

    // MCR p15 operations that change no EL, mode, regime, TLB, code or interrupt state (F4.1 "CP15 ... System
    // instructions"; the AArch64 rule for DC by VA, InstructionClassifier.Classify): the data cache maintenance by VA
    // (DCIMVAC c7,c6,1; DCCMVAC c7,c10,1; DCCMVAU c7,c11,1; DCCIMVAC c7,c14,1), CP15DMB (c7,c10,5), the branch predictor
    // invalidations (BPIALLIS c7,c1,6; BPIALL c7,c5,6; BPIMVA c7,c5,7) and the software thread ID registers (TPIDRURW,
    // TPIDRURO, TPIDRPRW: c13,c0,2..4).
    private static readonly HashSet<int> CoprocessorWritesInBlock =
    [
        Cp15RegisterTable.Key32(0, 7, 6, 1), Cp15RegisterTable.Key32(0, 7, 10, 1), Cp15RegisterTable.Key32(0, 7, 11, 1),
        Cp15RegisterTable.Key32(0, 7, 14, 1), Cp15RegisterTable.Key32(0, 7, 10, 5), Cp15RegisterTable.Key32(0, 7, 1, 6),
        Cp15RegisterTable.Key32(0, 7, 5, 6), Cp15RegisterTable.Key32(0, 7, 5, 7), Cp15RegisterTable.Key32(0, 13, 0, 2),
        Cp15RegisterTable.Key32(0, 13, 0, 3), Cp15RegisterTable.Key32(0, 13, 0, 4),
    ];

    // MRC/MRRC (CP15, CP14) read a register and write general registers only: the block goes on after them, with the
    // counters brought up to date before them as before a load (the generic timer's and the PMU's counters are read
    // through them) and their traps precise. MCR/MCRR end the block but for the writes above: SCTLR, TTBRn, TTBCR, DACR,
    // CONTEXTIDR, the TLB and instruction cache maintenance, CP15DSB/CP15ISB, the timers' controls and the debug
    // registers change what the loop checks between blocks. An MRC to APSR_nzcv (Rt = 15) ends it too (a write to R15
    // as the classifier sees it).
    private static InstructionClass ClassifyCoprocessorMove(in A32Operands op, bool cp15)
    {
        bool pair = op.Kind == A32OperandKind.RegisterShiftedRegister;
        if (op.Rd == 15 || (pair && op.Rs == 15)) return InstructionClass.EndsBlock;
        bool read = op.SetFlags;
        if (read) return InstructionClass.Memory;
        return cp15 && !pair && CoprocessorWritesInBlock.Contains((int)op.Imm << 8 | op.Rn << 4 | op.Rm)
            ? InstructionClass.Memory : InstructionClass.EndsBlock;
    }

    // ISB: A32 0xF57FF06x, T32 0xF3BF8F6x (F5.1.68; DMB and DSB differ in bits 7..4).
    private static bool IsIsb(uint word) => (word & 0xFFFF_FFF0) is 0xF57F_F060 or 0xF3BF_8F60;

    /// <summary>
    /// True when an AArch32 block ending with <paramref name="decoded"/> (class <paramref name="last"/>) may chain: a branch
    /// to an immediate target in the same instruction set, or a data-processing instruction where the page or the length
    /// cap cut the block. A block whose exit leaves an IT block in progress does not chain (see the caller).
    /// </summary>
    public static bool Aarch32LeavesInterruptStateUnchanged(A32Instruction decoded, InstructionClass last) =>
        last == InstructionClass.Plain && !IsIt(decoded.Encoding) || A32ChainableBranches.Contains(decoded.Encoding.Handler.Method);
}
