using System.Reflection;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Classifies decode rows for block formation by the family table they come from. Classification is
/// conservative: a row not found in a family known to be safe (for instance a row of a custom decoder, the
/// UNALLOCATED entry or a family added later) ends its block.
/// </summary>
internal static partial class InstructionClassifier
{
    // Hints and barriers that have no effect in this model (NOP and the other allocated hints, YIELD, DMB, DSB):
    // they neither change state nor need the loop's checks. ISB, WFI/WFE, SEV and CLREX still end blocks.
    internal static readonly HashSet<MethodInfo> NoEffectSystemHandlers =
    [
        ((A64Handler)Hints.Nop).Method, ((A64Handler)Hints.Yield).Method,
        ((A64Handler)Barriers.Dmb).Method, ((A64Handler)Barriers.Dsb).Method,
    ];

    // SIMD&FP rows: the loads and stores (SimdFpLoadStore) access memory; the data-processing rows only touch the V
    // registers, general registers, NZCV and FPSR (an FP enable trap is a precise synchronous exception).
    private static bool IsSimdFpMemory(A64Encoding e) => e.Handler.Method.DeclaringType == typeof(A64.SimdFp.SimdFpLoadStore);

    private static readonly HashSet<A64Encoding> PlainRows = new(
        DataProcessingTable.Entries
            .Concat(SystemTable.Entries.Where(e => NoEffectSystemHandlers.Contains(e.Handler.Method)))
            .Concat(SimdFpTable.Entries.Where(e => !IsSimdFpMemory(e))),
        ReferenceEqualityComparer.Instance);

    private static readonly HashSet<A64Encoding> MemoryRows = new(
        LoadStoreTable.Entries.Concat(SimdFpTable.Entries.Where(IsSimdFpMemory)), ReferenceEqualityComparer.Instance);

    // Branches that change only PC and general registers (not ERET, which changes EL, PSTATE and masks).
    private static readonly HashSet<A64Encoding> PlainBranchRows = new(
        BranchTable.Entries.Where(e => e.Handler.Method != ((A64Handler)Branches.Eret).Method), ReferenceEqualityComparer.Instance);

    /// <summary>
    /// True when, after <paramref name="encoding"/> completes as a block's last instruction, nothing the execution
    /// loop checks between blocks can have changed (interrupt masks and lines, EL, translation regime): integer
    /// data processing and the branches other than ERET. The next block may then be entered without re-checking.
    /// </summary>
    public static bool LeavesInterruptStateUnchanged(A64Encoding encoding) =>
        PlainRows.Contains(encoding) || PlainBranchRows.Contains(encoding);

    // Integer data processing that neither reads the PC (ADR, ADRP do) nor can raise an exception (CRC32 is
    // UNDEFINED on a model without it), and the no-effect hints and barriers.
    private static readonly HashSet<A64Encoding> PcFreeRows = new(
        DataProcessingTable.Entries
            .Where(e => e.Handler.Method != ((A64Handler)AluImmediate.Adr).Method
                        && e.Handler.Method != ((A64Handler)AluImmediate.Adrp).Method
                        && e.Handler.Method != ((A64Handler)DataProcessing2Source.Crc32).Method
                        && e.Handler.Method != ((A64Handler)DataProcessing2Source.Crc32C).Method)
            .Concat(SystemTable.Entries.Where(e => NoEffectSystemHandlers.Contains(e.Handler.Method))),
        ReferenceEqualityComparer.Instance);

    /// <summary>
    /// True when the handler of <paramref name="encoding"/> never reads <see cref="CpuState.PC"/> and never throws, so
    /// compiled code need not store the instruction's address before calling it (a later instruction that can fault
    /// stores its own; the block's exit stores the final PC).
    /// </summary>
    public static bool NeedsNoPc(A64Encoding encoding) => PcFreeRows.Contains(encoding);

    /// <summary>
    /// The class of instruction <paramref name="word"/> decoded as <paramref name="encoding"/>: that of its row, except
    /// that the data cache maintenance instructions by VA (DC ZVA, CVAC, CVAU, CIVAC, IVAC: rows of SYS) are loads and
    /// stores: they translate an address (and DC ZVA writes the block), may raise a precise data abort or trap, and
    /// change no EL, regime, interrupt mask or TLB, so blocks and regions go on after them (Linux's clear_page and
    /// cache-cleaning loops stay in compiled code).
    /// </summary>
    public static InstructionClass Classify(A64Encoding encoding, uint word) =>
        encoding.Handler.Method == SysMethod && IsDataCacheByVa(word) ? InstructionClass.Memory : Classify(encoding);

    private static readonly MethodInfo SysMethod = ((A64Handler)SystemRegisterMove.Sys).Method;

    // SYS #op1, C7, Cm, #op2 (Arm ARM C5.3, "Cache maintenance instructions"): DC IVAC is op1 0, CRm 6, op2 1; DC ZVA,
    // CVAC, CVAU and CIVAC are op1 3, CRm 4, 10, 11 and 14, op2 1.
    internal static bool IsDataCacheByVa(uint word)
    {
        uint op1 = (word >> 16) & 7, crn = (word >> 12) & 0xF, crm = (word >> 8) & 0xF, op2 = (word >> 5) & 7;
        if (crn != 7 || op2 != 1) return false;
        return (op1 == 0 && crm == 6) || (op1 == 3 && crm is 4 or 10 or 11 or 14);
    }

    /// <summary>The class of the rows of <paramref name="encoding"/> (see <see cref="Classify(A64Encoding, uint)"/>).</summary>
    public static InstructionClass Classify(A64Encoding encoding) =>
        PlainRows.Contains(encoding) ? InstructionClass.Plain
        : MemoryRows.Contains(encoding) ? InstructionClass.Memory
        : InstructionClass.EndsBlock;
}
