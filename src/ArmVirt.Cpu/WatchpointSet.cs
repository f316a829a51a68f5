using System.Collections;

namespace ArmVirt.Cpu;

/// <summary>Which data accesses a host watchpoint stops on.</summary>
[Flags]
public enum WatchKind
{
    /// <summary>Loads (and the read half of atomic read-modify-writes).</summary>
    Read = 1,
    /// <summary>Stores (and DC ZVA, which writes its whole block).</summary>
    Write = 2,
    /// <summary>Loads and stores.</summary>
    ReadWrite = Read | Write,
}

/// <summary>A host watchpoint: <paramref name="Length"/> bytes of virtual address space from <paramref name="Address"/>.</summary>
/// <param name="Address">First watched virtual address.</param>
/// <param name="Length">Bytes watched (at least 1).</param>
/// <param name="Kind">The accesses it stops on.</param>
public sealed record HostWatchpoint(ulong Address, ulong Length, WatchKind Kind)
{
    internal bool Overlaps(ulong va, ulong size) => va < Address + Length && va + size > Address;
}

/// <summary>Where and how the last <see cref="StopReason.Watchpoint"/> stop was hit.</summary>
/// <param name="Watchpoint">The watchpoint.</param>
/// <param name="Address">The accessing instruction's access: its first virtual address.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="IsWrite">True for a store.</param>
public readonly record struct WatchpointHit(HostWatchpoint Watchpoint, ulong Address, int Size, bool IsWrite);

/// <summary>
/// The host's data watchpoints on a CPU: <see cref="Cpu.Run"/> stops with <see cref="StopReason.Watchpoint"/> before a
/// load or store that touches a watched byte is made, with <see cref="CpuState.PC"/> on the accessing instruction (not
/// retired; an instruction that makes several accesses, such as STP, may have made the earlier ones) and
/// <see cref="Cpu.LastWatchpointHit"/> saying which access it was. The next run executes that instruction without
/// stopping again. Invisible to the guest. While watchpoints are set, loads and stores leave the interpreter's RAM fast
/// path, and compiled regions take their slow path only in the watched pages.
/// </summary>
public sealed class WatchpointSet : IReadOnlyCollection<HostWatchpoint>
{
    private readonly List<HostWatchpoint> _watchpoints = [];
    private readonly Cpu _cpu;

    internal WatchpointSet(Cpu cpu) => _cpu = cpu;

    /// <summary>Watches <paramref name="length"/> bytes from <paramref name="va"/> for <paramref name="kind"/> accesses.</summary>
    public HostWatchpoint Add(ulong va, ulong length, WatchKind kind = WatchKind.ReadWrite)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        if ((kind & WatchKind.ReadWrite) == 0) throw new ArgumentOutOfRangeException(nameof(kind), "Read, Write or ReadWrite.");
        var w = new HostWatchpoint(va, length, kind);
        _watchpoints.Add(w);
        _cpu.HostDebugChanged();
        return w;
    }

    /// <summary>Removes <paramref name="watchpoint"/>; false if it was not set.</summary>
    public bool Remove(HostWatchpoint watchpoint)
    {
        if (!_watchpoints.Remove(watchpoint)) return false;
        _cpu.HostDebugChanged();
        return true;
    }

    /// <summary>Removes every watchpoint.</summary>
    public void Clear()
    {
        if (_watchpoints.Count == 0) return;
        _watchpoints.Clear();
        _cpu.HostDebugChanged();
    }

    /// <summary>The number of watchpoints.</summary>
    public int Count => _watchpoints.Count;

    internal List<HostWatchpoint> Items => _watchpoints;

    /// <inheritdoc/>
    public IEnumerator<HostWatchpoint> GetEnumerator() => _watchpoints.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
