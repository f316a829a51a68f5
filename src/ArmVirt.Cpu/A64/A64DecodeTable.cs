namespace ArmVirt.Cpu.A64;

/// <summary>
/// The complete A64 decode table, assembled from one table per instruction family (Arm ARM C4.1
/// "A64 instruction set encoding"). Each family file declares its rows next to its semantics.
/// </summary>
internal static class A64DecodeTable
{
    /// <summary>Every row, in family order.</summary>
    public static IReadOnlyList<A64Encoding> All { get; } =
    [
        .. DataProcessingTable.Entries,
        .. BranchTable.Entries,
        .. LoadStoreTable.Entries,
        .. SystemTable.Entries,
        .. SimdFpTable.Entries,
    ];
}
