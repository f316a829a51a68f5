namespace ArmVirt.Core;

/// <summary>A device mapped at <see cref="Base"/> for <see cref="Size"/> bytes of guest physical space.</summary>
/// <param name="Base">Guest physical base address.</param>
/// <param name="Size">Size of the window in bytes.</param>
/// <param name="Device">The device that answers accesses.</param>
/// <param name="Name">A name for diagnostics.</param>
public sealed record MmioRegion(ulong Base, ulong Size, IMmioDevice Device, string Name)
{
    /// <summary>
    /// The lock an access to this window holds on a bus with <see cref="PhysicalBus.ConcurrentMmio"/> (null otherwise):
    /// the device, or one object shared by the windows of one device (a GIC's distributor and CPU interfaces).
    /// </summary>
    internal object? SyncRoot { get; init; }

    /// <summary>True when <paramref name="pa"/> falls in this window.</summary>
    public bool Contains(ulong pa) => pa >= Base && pa - Base < Size;
}
