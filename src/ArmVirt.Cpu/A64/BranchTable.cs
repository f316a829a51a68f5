namespace ArmVirt.Cpu.A64;

/// <summary>Decode rows of the Branch family.</summary>
public static class BranchTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
    ];
}
