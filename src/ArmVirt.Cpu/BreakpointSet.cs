using System.Collections;

namespace ArmVirt.Cpu;

/// <summary>
/// The host's breakpoints on a CPU: virtual addresses (of whatever translation regime is current, at any EL) at which
/// <see cref="Cpu.Run"/> stops with <see cref="StopReason.Breakpoint"/> before the instruction there executes, with
/// <see cref="CpuState.PC"/> on it. The next <see cref="Cpu.Run"/> (or <see cref="Cpu.Step"/>) executes that
/// instruction without stopping again. Invisible to the guest (no exception, no register changes). Compiled code keeps
/// running everywhere but in the 4 KiB pages that hold a breakpoint, which are interpreted.
/// </summary>
public sealed class BreakpointSet : IReadOnlyCollection<ulong>
{
    private readonly HashSet<ulong> _addresses = [];
    private readonly Cpu _cpu;

    internal BreakpointSet(Cpu cpu) => _cpu = cpu;

    /// <summary>Adds a breakpoint at <paramref name="va"/>; false if there already was one.</summary>
    public bool Add(ulong va)
    {
        if (!_addresses.Add(va)) return false;
        _cpu.HostDebugChanged();
        return true;
    }

    /// <summary>Removes the breakpoint at <paramref name="va"/>; false if there was none.</summary>
    public bool Remove(ulong va)
    {
        if (!_addresses.Remove(va)) return false;
        _cpu.HostDebugChanged();
        return true;
    }

    /// <summary>Removes every breakpoint.</summary>
    public void Clear()
    {
        if (_addresses.Count == 0) return;
        _addresses.Clear();
        _cpu.HostDebugChanged();
    }

    /// <summary>True when there is a breakpoint at <paramref name="va"/>.</summary>
    public bool Contains(ulong va) => _addresses.Contains(va);

    /// <summary>The number of breakpoints.</summary>
    public int Count => _addresses.Count;

    /// <inheritdoc/>
    public IEnumerator<ulong> GetEnumerator() => _addresses.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
