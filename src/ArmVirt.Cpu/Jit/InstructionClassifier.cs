using System.Reflection;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Classifies decode rows for block formation by the family table they come from. Classification is
/// conservative: a row not found in a family known to be safe (for instance a row of a custom decoder, the
/// UNALLOCATED entry or a family added later) ends its block.
/// </summary>
public static class InstructionClassifier
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

    /// <summary>The class of <paramref name="encoding"/>.</summary>
    public static InstructionClass Classify(A64Encoding encoding) =>
        PlainRows.Contains(encoding) ? InstructionClass.Plain
        : MemoryRows.Contains(encoding) ? InstructionClass.Memory
        : InstructionClass.EndsBlock;
}
