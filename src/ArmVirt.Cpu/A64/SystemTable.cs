namespace ArmVirt.Cpu.A64;

/// <summary>Decode rows of the System family.</summary>
public static class SystemTable
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
    ];
}
