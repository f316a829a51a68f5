namespace ArmVirt.Core;

/// <summary>
/// A device reached through memory-mapped I/O. Offsets are relative to the region base.
/// Returning false reports an external abort (a slave error) to the accessing CPU.
/// </summary>
public interface IMmioDevice
{
    /// <summary>Reads <paramref name="size"/> bytes (1, 2, 4 or 8) at <paramref name="offset"/>.</summary>
    bool TryRead(ulong offset, int size, out ulong value);

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/> at <paramref name="offset"/>.</summary>
    bool TryWrite(ulong offset, int size, ulong value);
}
