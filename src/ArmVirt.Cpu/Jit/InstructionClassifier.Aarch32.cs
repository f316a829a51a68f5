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
