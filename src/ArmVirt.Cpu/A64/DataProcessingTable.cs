namespace ArmVirt.Cpu.A64;

/// <summary>Decode rows of the DataProcessing family.</summary>
public static class DataProcessingTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
    ];
}
