namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>Decode rows.</summary>
public static class SimdFpLoadStoreTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
    ];
}
