namespace ArmVirt.Cpu.A64;

/// <summary>Decode rows of the LoadStore family.</summary>
public static class LoadStoreTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
    ];
}
