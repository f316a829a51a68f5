using System.Buffers.Binary;

namespace ArmVirt.Core;

/// <summary>
/// The guest physical address space: RAM regions and MMIO windows. An access that hits neither is
/// reported as failed, which the CPU turns into a synchronous external abort.
/// </summary>
public sealed unsafe class PhysicalBus : IDisposable
{
    private readonly List<RamRegion> _ram = new();
    private MmioRegion[] _mmio = Array.Empty<MmioRegion>();

    /// <summary>The RAM regions, in the order they were added.</summary>
    public IReadOnlyList<RamRegion> Ram => _ram;

    /// <summary>The MMIO windows, sorted by base address.</summary>
    public IReadOnlyList<MmioRegion> Mmio => _mmio;

    /// <summary>Maps zeroed RAM at <paramref name="baseAddress"/>.</summary>
    public RamRegion AddRam(ulong baseAddress, ulong size)
    {
        CheckFree(baseAddress, size);
        var region = new RamRegion(baseAddress, size);
        lock (_ramLock) _ram.Add(region); // TryCopyRam may be walking the list on another thread
        return region;
    }

    /// <summary>
    /// True for a bus that CPUs on several host threads access at once (ArmVirt.Machine's parallel SMP): each MMIO
    /// access then holds its region's lock (<see cref="MmioRegion.SyncRoot"/>: the device, or the lock given to
    /// <see cref="AddMmio"/> for windows of one device). Set before regions are added.
    /// </summary>
    internal bool ConcurrentMmio { get; init; }

    /// <summary>
    /// Maps <paramref name="device"/> at <paramref name="baseAddress"/>. With <see cref="ConcurrentMmio"/>, its accesses
    /// hold <paramref name="syncRoot"/> (default: the device) while they run.
    /// </summary>
    public MmioRegion AddMmio(ulong baseAddress, ulong size, IMmioDevice device, string name, object? syncRoot = null)
    {
        CheckFree(baseAddress, size);
        var region = new MmioRegion(baseAddress, size, device, name) { SyncRoot = ConcurrentMmio ? syncRoot ?? device : null };
        _mmio = _mmio.Append(region).OrderBy(r => r.Base).ToArray();
        return region;
    }

    private void CheckFree(ulong baseAddress, ulong size)
    {
        ulong end = baseAddress + size;
        if (end < baseAddress) throw new ArgumentOutOfRangeException(nameof(size), "Region wraps the address space.");
        foreach (var r in _ram)
            if (baseAddress < r.Base + r.Size && r.Base < end)
                throw new InvalidOperationException($"Region at 0x{baseAddress:x} overlaps RAM at 0x{r.Base:x}.");
        foreach (var m in _mmio)
            if (baseAddress < m.Base + m.Size && m.Base < end)
                throw new InvalidOperationException($"Region at 0x{baseAddress:x} overlaps {m.Name} at 0x{m.Base:x}.");
    }

    /// <summary>The RAM region holding <c>[pa, pa+size)</c>, or null.</summary>
    public RamRegion? FindRam(ulong pa, ulong size = 1)
    {
        foreach (var r in _ram)
            if (r.Contains(pa, size)) return r;
        return null;
    }

    /// <summary>Host pointer for RAM at <paramref name="pa"/> if <c>[pa, pa+size)</c> is RAM, else null.</summary>
    internal byte* RamPointer(ulong pa, ulong size)
    {
        foreach (var r in _ram)
            if (r.Contains(pa, size)) return r.Pointer + (pa - r.Base);
        return null;
    }

    /// <summary>The MMIO window holding <paramref name="pa"/>, or null.</summary>
    public MmioRegion? FindMmio(ulong pa)
    {
        var m = _mmio;
        int lo = 0, hi = m.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            var r = m[mid];
            if (pa < r.Base) hi = mid - 1;
            else if (pa - r.Base >= r.Size) lo = mid + 1;
            else return r;
        }
        return null;
    }

    /// <summary>Reads <paramref name="size"/> (1, 2, 4, 8) little-endian bytes. False when nothing answers.</summary>
    public bool TryRead(ulong pa, int size, out ulong value)
    {
        byte* p = RamPointer(pa, (ulong)size);
        if (p != null)
        {
            value = size switch
            {
                1 => *p,
                2 => BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(p, 2)),
                4 => BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(p, 4)),
                _ => BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(p, 8)),
            };
            return true;
        }
        var m = FindMmio(pa);
        if (m != null && pa - m.Base + (ulong)size <= m.Size)
        {
            if (m.SyncRoot is { } gate)
            {
                lock (gate) return m.Device.TryRead(pa - m.Base, size, out value);
            }
            return m.Device.TryRead(pa - m.Base, size, out value);
        }
        value = 0;
        return false;
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/>. False when nothing answers.</summary>
    public bool TryWrite(ulong pa, int size, ulong value)
    {
        byte* p = RamPointer(pa, (ulong)size);
        if (p != null)
        {
            switch (size)
            {
                case 1: *p = (byte)value; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(p, 2), (ushort)value); break;
                case 4: BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(p, 4), (uint)value); break;
                default: BinaryPrimitives.WriteUInt64LittleEndian(new Span<byte>(p, 8), value); break;
            }
            RamWritten?.Invoke(pa, size);
            return true;
        }
        var m = FindMmio(pa);
        if (m != null && pa - m.Base + (ulong)size <= m.Size)
        {
            if (m.SyncRoot is { } gate)
            {
                lock (gate) return m.Device.TryWrite(pa - m.Base, size, value);
            }
            return m.Device.TryWrite(pa - m.Base, size, value);
        }
        return false;
    }

    /// <summary>
    /// Raised after a bus write to RAM, and by <see cref="NotifyRamWritten"/> after writes through
    /// <see cref="RamPointer"/> (device DMA). Translation caches subscribe to it to invalidate code on written pages;
    /// exclusive monitors to clear reservations that another master's write breaks.
    /// </summary>
    public event Action<ulong, int>? RamWritten;

    /// <summary>
    /// Tells the <see cref="RamWritten"/> listeners that something other than the CPU (a DMA-capable device) wrote
    /// <paramref name="length"/> bytes of RAM at <paramref name="pa"/> through a host pointer.
    /// </summary>
    public void NotifyRamWritten(ulong pa, ulong length)
    {
        var handler = RamWritten;
        if (handler == null) return;
        while (length > 0)
        {
            int n = (int)Math.Min(length, 1UL << 30);
            handler(pa, n);
            pa += (ulong)n;
            length -= (ulong)n;
        }
    }

    /// <summary>Copies <paramref name="data"/> into RAM at <paramref name="pa"/>; throws if it does not fit in one region.</summary>
    public void Load(ulong pa, ReadOnlySpan<byte> data)
    {
        var r = FindRam(pa, (ulong)Math.Max(1, data.Length))
            ?? throw new ArgumentOutOfRangeException(nameof(pa), $"0x{pa:x}+0x{data.Length:x} is not inside guest RAM.");
        data.CopyTo(r.AsSpan(pa, data.Length));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_ramLock)
        {
            _disposed = true;
            foreach (var r in _ram) r.Dispose();
            _ram.Clear();
        }
    }

    // Serialises changes to the RAM list (AddRam, Dispose) with TryCopyRam, which runs on other threads.
    private readonly object _ramLock = new();
    private bool _disposed;

    /// <summary>
    /// Copies guest RAM at <paramref name="pa"/> into <paramref name="destination"/> for a thread other than the one
    /// running the machine (the JIT's background compiler): safe against the bus being disposed meanwhile. False when
    /// the range is not all RAM or the bus is disposed.
    /// </summary>
    public bool TryCopyRam(ulong pa, Span<byte> destination)
    {
        lock (_ramLock)
        {
            if (_disposed) return false;
            byte* p = RamPointer(pa, (ulong)destination.Length);
            if (p == null) return false;
            new ReadOnlySpan<byte>(p, destination.Length).CopyTo(destination);
            return true;
        }
    }
}
