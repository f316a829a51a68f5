using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Classifies decode rows for block formation by the family table they come from. Classification is
/// conservative: a row not found in a family known to be safe (for instance a row of a custom decoder, the
/// UNALLOCATED entry or a family added later) ends its block.
/// </summary>
public static class InstructionClassifier
{
    private static readonly HashSet<A64Encoding> PlainRows = new(DataProcessingTable.Entries, ReferenceEqualityComparer.Instance);
    private static readonly HashSet<A64Encoding> MemoryRows = new(LoadStoreTable.Entries, ReferenceEqualityComparer.Instance);

    /// <summary>The class of <paramref name="encoding"/>.</summary>
    public static InstructionClass Classify(A64Encoding encoding) =>
        PlainRows.Contains(encoding) ? InstructionClass.Plain
        : MemoryRows.Contains(encoding) ? InstructionClass.Memory
        : InstructionClass.EndsBlock;
}
