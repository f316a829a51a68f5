using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    // ---- Host breakpoints, watchpoints and hooks (issue #17 item 3): the emulator's user, not the guest ----
    // They share the self-hosted debug machinery of Cpu.Debug.cs: pages with a breakpoint or code hook get no
    // translated block (BlockBuilder), so StepInstruction sees each of their instructions before it runs; watchpoints and
    // memory hooks turn off the interpreter's RAM fast path and keep their pages out of the host TLB, so that every access
    // they could concern reaches TranslateData and LoadSlow/StoreSlow.

    private BreakpointSet? _hostBreakpoints;
    private WatchpointSet? _hostWatchpoints;
    private HookSet? _hooks;

    /// <summary>The host's breakpoints: <see cref="Run"/> stops before the instruction at one of them executes.</summary>
    public BreakpointSet Breakpoints => _hostBreakpoints ??= new BreakpointSet(this);

    /// <summary>The host's data watchpoints: <see cref="Run"/> stops before an access to a watched byte is made.</summary>
    public WatchpointSet Watchpoints => _hostWatchpoints ??= new WatchpointSet(this);

    /// <summary>The host's code and memory hooks.</summary>
    public HookSet Hooks => _hooks ??= new HookSet(this);

    /// <summary>The access that made the last <see cref="StopReason.Watchpoint"/> stop.</summary>
    public WatchpointHit? LastWatchpointHit { get; private set; }

    // A breakpoint, RunUntil's address or a code hook exists (StepInstruction asks about the PC); a watchpoint or memory
    // hook exists (TranslateData and the slow paths ask about the access).
    private bool _hostCodeChecks, _hostDataChecks, _memoryHooksArmed, _codeHooksArmed;
    // The VA page ranges [first, last] of code the host watches, for BlockBuilder.
    private (ulong First, ulong Last)[] _hostCodePages = [];
    // RunUntil's address.
    private ulong _untilPc;
    private bool _untilArmed;
    // The instruction a host stop left the PC on, and the instruction count then: it executes without stopping again
    // at a breakpoint (nor, after a watchpoint stop, at a watchpoint) when the run resumes.
    private ulong _resumePc, _resumeInstructions;
    private bool _resumeValid, _resumeWatchpoints;
    // The hooks as arrays (copied when they change): called without an allocation, and a hook may remove itself.
    private (ulong Start, ulong End, Action<Cpu, ulong> Hook)[] _codeHooks = [];
    private (ulong Start, ulong End, Action<Cpu, MemoryHookAccess> Hook)[] _memoryHooks = [];
    private Func<Cpu, ExceptionHookEvent, bool>[] _exceptionHooks = [];
    // Inside Run or Step: translated code may be running, so a change of the watched data must also make it leave.
    private bool _inRun;

    /// <summary>
    /// Runs as <see cref="Run"/> does until the instruction at <paramref name="pc"/> is about to execute: the CPU stops
    /// there with <see cref="StopReason.Breakpoint"/> (or for any other reason first, including
    /// <paramref name="instructionLimit"/>).
    /// </summary>
    public StopReason RunUntil(ulong pc, ulong instructionLimit = ulong.MaxValue)
    {
        SetRunUntil(pc);
        try
        {
            return Run(instructionLimit);
        }
        finally
        {
            SetRunUntil(null);
        }
    }

    /// <summary>Sets or clears the address <see cref="RunUntil"/> stops at (the machine's run loop sets it across its slices).</summary>
    internal void SetRunUntil(ulong? pc)
    {
        _untilArmed = pc.HasValue;
        _untilPc = pc ?? 0;
        HostDebugChanged();
    }

    /// <summary>Recomputes what the host's breakpoints, watchpoints and hooks ask of the execution loops.</summary>
    internal void HostDebugChanged()
    {
        var pages = new List<(ulong, ulong)>();
        if (_untilArmed) pages.Add((_untilPc >> 12, _untilPc >> 12));
        if (_hostBreakpoints != null)
            foreach (ulong va in _hostBreakpoints) pages.Add((va >> 12, va >> 12));
        _codeHooks = _hooks != null ? [.. _hooks.Code] : [];
        _memoryHooks = _hooks != null ? [.. _hooks.Memory] : [];
        _exceptionHooks = _hooks != null ? [.. _hooks.Exception] : [];
        _codeHooksArmed = _codeHooks.Length != 0;
        if (_codeHooksArmed)
            foreach (var (start, end, _) in _codeHooks) pages.Add((start >> 12, (end - 1) >> 12));
        pages.Sort();
        _hostCodeChecks = pages.Count != 0;
        if (!pages.SequenceEqual(_hostCodePages))
        {
            _hostCodePages = [.. pages];
            _translations?.Flush(); // blocks were built for the old set of watched code pages
        }
        _memoryHooksArmed = _memoryHooks.Length != 0;
        bool data = _memoryHooksArmed || (_hostWatchpoints != null && _hostWatchpoints.Count != 0);
        if (data || _hostDataChecks)
        {
            // The watched ranges may have changed: the host TLB is emptied at the next region entry, and compiled code
            // that may be running (a hook changed them) leaves after the access.
            InvalidateRegimeCache();
            _hostTlbKeyed = false;
            if (_inRun) _translations?.Flush();
        }
        _hostDataChecks = data;
        UpdateDebugSummary();
    }

    /// <summary>True when the host watches code in <paramref name="pc"/>'s page (a breakpoint, RunUntil or a code hook).</summary>
    private bool HostCodeOnPage(ulong pc)
    {
        ulong page = pc >> 12;
        foreach (var (first, last) in _hostCodePages)
            if (page >= first && page <= last) return true;
        return false;
    }

    /// <summary>True when a host watchpoint or memory hook covers part of <paramref name="va"/>'s page.</summary>
    private bool HostDataOnPage(ulong va)
    {
        ulong page = va & ~0xFFFUL;
        if (_hostWatchpoints != null)
            foreach (var w in _hostWatchpoints.Items)
                if (w.Overlaps(page, 0x1000)) return true;
        foreach (var (start, end, _) in _memoryHooks)
            if (start < page + 0x1000 && end > page) return true;
        return false;
    }

    // The host's stop before the instruction at pc: a breakpoint or RunUntil's address, unless the run is resuming
    // from a stop on this very instruction. Stops the CPU and abandons the instruction (not retired, PC on it).
    private void CheckHostBreakpoint(ulong pc)
    {
        bool until = _untilArmed && pc == _untilPc;
        if (!until && (_hostBreakpoints == null || !_hostBreakpoints.Contains(pc))) return;
        if (IsResumedInstruction(pc)) return;
        string message = until ? $"reached 0x{pc:x}" : $"breakpoint at 0x{pc:x}";
        StopForHost(pc, StopReason.Breakpoint, message, watchpointsToo: false);
    }

    private bool IsResumedInstruction(ulong pc) => _resumeValid && pc == _resumePc && State.Instructions == _resumeInstructions;

    // Stops the run before the instruction at pc (not retired, PC on it), which then resumes past the host's
    // breakpoints (and, when `watchpointsToo`, its watchpoints).
    private void StopForHost(ulong pc, StopReason reason, string message, bool watchpointsToo)
    {
        _resumeValid = true;
        _resumeWatchpoints = watchpointsToo;
        _resumePc = pc;
        _resumeInstructions = State.Instructions;
        if (reason != StopReason.None) RequestStop(reason, 0, message);
        throw new CpuStoppedException(message);
    }

    // Code hooks for the instruction at pc, about to execute. A hook that stopped the CPU leaves it unexecuted.
    private void RunCodeHooks(ulong pc)
    {
        bool running = StopReason == StopReason.None; // (Step runs an instruction after a stop too)
        foreach (var (start, end, hook) in _codeHooks)
            if (pc >= start && pc < end) hook(this, pc);
        if (running && StopReason != StopReason.None) StopForHost(pc, StopReason.None, StopMessage ?? "stopped by a code hook", watchpointsToo: false);
    }

    // The host's stop before a data access that touches a watched byte.
    private void CheckHostWatchpoints(ulong va, int size, MemoryAccessKind kind)
    {
        if (_hostWatchpoints == null || _hostWatchpoints.Count == 0 || (kind & MemoryAccessKind.CacheMaintenance) != 0) return;
        bool write = (kind & (MemoryAccessKind.Write | MemoryAccessKind.ZeroBlock)) != 0;
        if ((kind & MemoryAccessKind.ZeroBlock) != 0)
        {
            size = 4 << (int)(Configuration.Model.Dczid & 0xF);
            va &= ~(ulong)(size - 1);
        }
        foreach (var w in _hostWatchpoints.Items)
        {
            if ((w.Kind & (write ? WatchKind.Write : WatchKind.Read)) == 0 || !w.Overlaps(va, (ulong)size)) continue;
            if (_resumeWatchpoints && IsResumedInstruction(State.PC)) return;
            LastWatchpointHit = new WatchpointHit(w, va, size, write);
            StopForHost(State.PC, StopReason.Watchpoint,
                $"watchpoint at 0x{w.Address:x}: {(write ? "write" : "read")} of {size} bytes at 0x{va:x} by the instruction at 0x{State.PC:x}",
                watchpointsToo: true);
        }
    }

    /// <summary>Tells the memory hooks about an access made (after LoadSlow, StoreSlow, DC ZVA).</summary>
    internal void ReportMemoryAccess(ulong va, int size, ulong value, bool write)
    {
        if (!_memoryHooksArmed) return;
        var access = new MemoryHookAccess(va, size, value, write);
        foreach (var (start, end, hook) in _memoryHooks)
            if (va >= start && va < end) hook(this, access);
    }

    // The exception hooks (HookSet.AddException), before a synchronous exception's entry: true when one handled it (the
    // PC is then the hook's, NextPc with it, so that every execution loop continues there).
    private bool ExceptionHandledByHook(ExceptionClass ec, uint iss, int targetEl, ulong preferredReturn, ulong? far)
    {
        var e = new ExceptionHookEvent(ec, iss, targetEl, preferredReturn, far);
        foreach (var hook in _exceptionHooks)
        {
            State.PC = preferredReturn;
            if (hook(this, e))
            {
                NextPc = State.PC;
                return true;
            }
        }
        return false;
    }
}
