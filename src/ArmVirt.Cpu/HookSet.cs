namespace ArmVirt.Cpu;

/// <summary>A load or store reported to a memory hook, after it was made.</summary>
/// <param name="Address">The first virtual address accessed.</param>
/// <param name="Size">Bytes accessed (1 to 8; the block size for DC ZVA).</param>
/// <param name="Value">The value loaded or stored, little-endian (0 for DC ZVA).</param>
/// <param name="IsWrite">True for a store.</param>
public readonly record struct MemoryHookAccess(ulong Address, int Size, ulong Value, bool IsWrite);

/// <summary>
/// A synchronous exception about to be taken, reported to an exception hook (<see cref="HookSet.AddException"/>): the
/// values the exception entry would write to ESR_ELx (<see cref="Class"/>, <see cref="Iss"/>), FAR_ELx and ELR_ELx.
/// </summary>
/// <param name="Class">ESR_ELx.EC: SVC, HVC, SMC, Unknown (an undefined instruction), a data or instruction abort, ...</param>
/// <param name="Iss">ESR_ELx.ISS (for SVC, HVC and SMC the immediate).</param>
/// <param name="TargetEl">The EL the exception would be taken to.</param>
/// <param name="PreferredReturn">The preferred return address: after the instruction for SVC, HVC and SMC, the
/// instruction itself for the others.</param>
/// <param name="FaultAddress">FAR_ELx for aborts and alignment faults, else null.</param>
public readonly record struct ExceptionHookEvent(Exceptions.ExceptionClass Class, uint Iss, int TargetEl, ulong PreferredReturn,
    ulong? FaultAddress);

/// <summary>
/// Host callbacks on a CPU, invisible to the guest: code hooks called before each instruction in a virtual address
/// range executes (after the checks that could make it take an exception instead: fetch, breakpoint, illegal state),
/// and memory hooks called after each load or store whose first byte lies in a range, with the value. A hook may call
/// <see cref="Cpu.RequestStop"/>: a code hook's stop leaves the instruction unexecuted with the PC on it. Code in the
/// hooked pages is interpreted and loads and stores leave the interpreter's RAM fast path while memory hooks exist
/// (compiled regions take the slow path only in the hooked pages); the rest of the run stays compiled.
/// </summary>
public sealed class HookSet
{
    private readonly Cpu _cpu;
    internal readonly List<(ulong Start, ulong End, Action<Cpu, ulong> Hook)> Code = [];
    internal readonly List<(ulong Start, ulong End, Action<Cpu, MemoryHookAccess> Hook)> Memory = [];
    internal readonly List<Func<Cpu, ExceptionHookEvent, bool>> Exception = [];

    internal HookSet(Cpu cpu) => _cpu = cpu;

    /// <summary>
    /// Calls <paramref name="hook"/> with the PC before each instruction in [<paramref name="start"/>,
    /// <paramref name="end"/>) executes. Dispose the result to remove it.
    /// </summary>
    public IDisposable AddCode(ulong start, ulong end, Action<Cpu, ulong> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (end <= start) throw new ArgumentOutOfRangeException(nameof(end), "The range is empty.");
        var entry = (start, end, hook);
        Code.Add(entry);
        _cpu.HostDebugChanged();
        return new Removal(() => { Code.Remove(entry); _cpu.HostDebugChanged(); });
    }

    /// <summary>
    /// Calls <paramref name="hook"/> after each load or store whose first byte is in [<paramref name="start"/>,
    /// <paramref name="end"/>). Dispose the result to remove it.
    /// </summary>
    public IDisposable AddMemory(ulong start, ulong end, Action<Cpu, MemoryHookAccess> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (end <= start) throw new ArgumentOutOfRangeException(nameof(end), "The range is empty.");
        var entry = (start, end, hook);
        Memory.Add(entry);
        _cpu.HostDebugChanged();
        return new Removal(() => { Memory.Remove(entry); _cpu.HostDebugChanged(); });
    }

    /// <summary>
    /// Calls <paramref name="hook"/> before each synchronous exception is taken (SVC, HVC, SMC, an undefined
    /// instruction, an abort, a trap), in the order the hooks were added, until one returns true: that exception is then
    /// not taken (no register of the exception entry changes, the instruction retires) and execution continues at
    /// <c>cpu.State.PC</c>, which holds <see cref="ExceptionHookEvent.PreferredReturn"/> when the hook is called and
    /// which the hook may change. This is how an embedder emulates system calls (a user-mode runner answers SVCs) or
    /// firmware calls. HVC and SMC calls the built-in firmware answers (PSCI) never reach the hooks. Dispose the result
    /// to remove it.
    /// </summary>
    public IDisposable AddException(Func<Cpu, ExceptionHookEvent, bool> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        Exception.Add(hook);
        _cpu.HostDebugChanged();
        return new Removal(() => { Exception.Remove(hook); _cpu.HostDebugChanged(); });
    }

    private sealed class Removal(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose()
        {
            _remove?.Invoke();
            _remove = null;
        }
    }
}
