using ArmVirt.Core;

namespace ArmVirt.Mmu;

/// <summary>
/// The physical memory the walkers read descriptors from, and the host mapping the TLB fast path uses.
/// </summary>
internal interface IPhysicalMemory
{
    /// <summary>
    /// Reads the 64-bit little-endian descriptor at physical address <paramref name="pa"/>. False when nothing
    /// answers: a Synchronous External abort on the walk.
    /// </summary>
    bool TryReadDescriptor(ulong pa, out ulong value);

    /// <summary>
    /// Writes a descriptor (hardware Access flag / dirty state update). Only used when FEAT_HAFDBS is advertised,
    /// which no current CPU model does.
    /// </summary>
    bool TryWriteDescriptor(ulong pa, ulong value);

    /// <summary>Host address of <c>[pa, pa+size)</c> when it is RAM, else 0.</summary>
    nint HostAddress(ulong pa, ulong size);
}

/// <summary><see cref="IPhysicalMemory"/> over the machine's <see cref="PhysicalBus"/>.</summary>
internal sealed class PhysicalBusMemory : IPhysicalMemory
{
    private readonly PhysicalBus _bus;

    /// <summary>Wraps <paramref name="bus"/>.</summary>
    public PhysicalBusMemory(PhysicalBus bus) => _bus = bus;

    /// <inheritdoc />
    public bool TryReadDescriptor(ulong pa, out ulong value) => _bus.TryRead(pa, 8, out value);

    /// <inheritdoc />
    public bool TryWriteDescriptor(ulong pa, ulong value) => _bus.TryWrite(pa, 8, value);

    /// <inheritdoc />
    public unsafe nint HostAddress(ulong pa, ulong size) => (nint)_bus.RamPointer(pa, size);
}
