using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

/// <summary>What another PE's thread asks a PE of a parallel domain to do to itself (see Cpu.PeerWork.cs).</summary>
internal enum PeerWorkKind : byte
{
    /// <summary>A broadcast TLBI (Arm ARM D8.14 "TLB maintenance instructions", the Inner Shareable forms).</summary>
    Tlb,
    /// <summary>IC IALLUIS or IC IVAU (Arm ARM D7.5.9 "Instruction cache maintenance instructions").</summary>
    InstructionCache,
    /// <summary>A store that may have hit this PE's translated code: the code in the range is dropped.</summary>
    Code,
    /// <summary>Another PE translated code in a page: this PE's host TLB keeps no write fast path to it.</summary>
    HostTlbWrites,
    /// <summary>SEV, or a clear of this PE's global monitor mark: a WFE wake-up event (Arm ARM D1.6.1 "Wait for Event").</summary>
    Event,
}

/// <summary>One queued request: the kind and its operands.</summary>
internal struct PeerWork
{
    internal PeerWorkKind Kind;
    internal TlbInvalidation Tlb;
    internal InstructionCacheOperation CacheOperation;
    internal ulong Address, Size;
}

public sealed partial class Cpu
{
    // Parallel SMP (InnerShareableDomain.Parallel: one host thread per PE). What one PE does to another PE's private state
    // (its TLB, its translated code, its host TLB, its event register) is never done from the issuer's thread: the issuer
    // queues a request here and nudges the target (StopReason.PeerRequest, which the execution loops and the compiled
    // code already check, as they check a host stop), and the target's own thread applies the queue between instructions
    // (QEMU's async_run_on_cpu). The issuer of a broadcast TLBI or IC waits at its next DSB until every peer has applied
    // it, or is not running guest code (a PE outside the guest applies its queue before it runs again). Deterministic mode never uses
    // any of this: its domain acts on the other PEs directly, as they are not running.

    private readonly object _peerWorkLock = new();
    private PeerWork[] _peerWork = new PeerWork[16], _peerWorkApplying = new PeerWork[16];
    private int _peerWorkCount;
    private long _peerWorkPosted, _peerWorkDone;
    private int _inGuest, _ownerThread;
    private bool _parallel;

    /// <summary>True for a PE of a parallel domain (<see cref="InnerShareableDomain.Parallel"/>), on its own host thread.</summary>
    internal bool Parallel => _parallel;

    // Joins a parallel domain: exclusives and atomics become host atomic, interrupts raised from another thread nudge.
    internal void JoinParallelDomain()
    {
        _parallel = true;
        foreach (var line in (ReadOnlySpan<Core.InterruptLine>)[Irq, Fiq, VirtualIrq, VirtualFiq, SError])
            line.Changed += level =>
            {
                if (level && !OnOwnThread) Nudge();
            };
    }

    // True on the host thread that last entered this PE's guest code.
    private bool OnOwnThread => Environment.CurrentManagedThreadId == Volatile.Read(ref _ownerThread);

    /// <summary>
    /// Asks this PE, from any thread, to leave its execution loop at the next point where it checks for a stop (between
    /// blocks, at a compiled loop's head, before an interpreted instruction); its <see cref="StopReason"/> is then
    /// <see cref="StopReason.PeerRequest"/> unless it had stopped already. Nothing else changes.
    /// </summary>
    internal void Nudge()
    {
        Interlocked.CompareExchange(ref _stopReason, (int)StopReason.PeerRequest, (int)StopReason.None);
        WakeWaiter?.Invoke();
    }

    /// <summary>
    /// Parallel SMP, set by the machine: called (on this PE's thread, from <see cref="RunToDeadline"/>) when the PE waits
    /// in WFI or WFE with nothing asserted before the deadline. It blocks the host thread while other PEs of the turn run
    /// and returns true when this PE must go on (an interrupt, a request or a stop arrived; it has moved
    /// <see cref="CpuState.Cycles"/> up to the waker's time), false when the wait should skip to the deadline.
    /// </summary>
    internal Func<Cpu, bool>? ParallelWait { get; set; }

    /// <summary>Parallel SMP, set by the machine: ends a <see cref="ParallelWait"/> in progress (called by <see cref="Nudge"/>).</summary>
    internal Action? WakeWaiter { get; set; }

    /// <summary>True while other PEs' requests wait in this PE's queue (parallel SMP).</summary>
    internal bool HasPeerRequests => Volatile.Read(ref _peerWorkCount) != 0;

    /// <summary>
    /// Called by the machine on this PE's host thread before it runs guest code (parallel mode): marks the PE running on
    /// this thread, drops a nudge and applies what the other PEs queued.
    /// </summary>
    internal void EnterGuest()
    {
        Volatile.Write(ref _ownerThread, Environment.CurrentManagedThreadId);
        Interlocked.CompareExchange(ref _stopReason, (int)StopReason.None, (int)StopReason.PeerRequest);
        ResumeGuest();
        EndEventWait();
    }

    // A WFE waits at most until the PE runs again (the next turn, or the next request): the Arm ARM lets a PE leave
    // the low-power state of WFE for any reason (D1.6.1), and here a monitor clear can be missed: a load-exclusive
    // reads memory before it marks the monitor, so another thread's store in between neither fails nor wakes it
    // (QEMU's MTTCG never sleeps in WFE at all). A WFE loop re-checks its condition and waits again.
    private void EndEventWait()
    {
        if (IsWaiting && _waitingForEvent)
        {
            IsWaiting = false;
            Pmu.Woke();
        }
    }

    /// <summary>
    /// Parallel SMP, on this PE's thread as it is about to sleep in WFE: true, with the event register set and the wait
    /// ended (SignalEvent), when another PE's store to the granule this PE's last load-exclusive marked has not cleared
    /// the mark (the global monitor's clear is a WFE wake-up event, Arm ARM D1.6.1 "Wait for Event mechanism and Send
    /// event"). Two windows lose that clear: the load-exclusive reads memory before it marks the monitor, so a store in
    /// between finds no mark; and a store's report depends on a flag the storer reads after its store, which the host
    /// (x86, TSO) may let pass the store while the store waits in its store buffer, so a storer may read "no mark" while
    /// this PE, having marked, still reads the old value. Here a process-wide barrier (every other thread's pending
    /// stores become visible, and each of their later loads sees this PE's mark) precedes a look at the marked
    /// location: if it no longer holds what the load-exclusive read, the store came unreported and this PE wakes, as
    /// its store-exclusive would fail; any store after the barrier sees the mark and reports (an event posted here).
    /// Costs a barrier per WFE sleep while a mark is held, nothing otherwise.
    /// </summary>
    internal unsafe bool MissedMonitorClear()
    {
        if (!_parallel || !IsWaiting || !_waitingForEvent || !ExclusiveMonitorLocal.Valid || _globalMonitor is not { } monitor) return false;
        ulong pa = ExclusiveMonitorLocal.Address;
        int size = ExclusiveMonitorLocal.Size;
        if (!monitor.IsExclusive(_globalMonitorSlot, pa, size)) return false; // cleared, and the clear posted its event
        Interlocked.MemoryBarrierProcessWide();
        byte* p = Bus.RamPointer(pa, (ulong)size);
        if (p == null) return false;
        bool held = size switch
        {
            1 => Volatile.Read(ref *p) == (byte)ExclusiveValue,
            2 => Volatile.Read(ref *(ushort*)p) == (ushort)ExclusiveValue,
            4 => Volatile.Read(ref *(uint*)p) == (uint)ExclusiveValue,
            8 => Volatile.Read(ref *(ulong*)p) == ExclusiveValue,
            _ => Volatile.Read(ref *(ulong*)p) == ExclusiveValue && Volatile.Read(ref *(ulong*)(p + 8)) == ExclusiveValueHigh,
        };
        if (held) return false;
        monitor.Clear(_globalMonitorSlot);
        SignalEvent();
        return true;
    }

    /// <summary>
    /// Called by the machine when a parallel run has ended and no PE's thread runs: what the PE would do before it next
    /// ran (the requests other PEs queued after it left its turn applied, a WFE ended) is done now, so that the state a
    /// snapshot saves, a debugger reads or a deterministic run continues from holds no request in flight (a queued SEV
    /// would otherwise be lost with the queue, which a snapshot does not save).
    /// </summary>
    internal void SettleAfterParallelRun()
    {
        RunPeerWork();
        EndEventWait();
    }

    /// <summary>Called by the machine on this PE's thread when it stops running guest code (parallel mode).</summary>
    internal void LeaveGuest()
    {
        RunPeerWork();
        PauseGuest();
    }

    /// <summary>True while this PE's thread runs (or may run) its guest code: between EnterGuest and LeaveGuest.</summary>
    internal bool InGuest => Volatile.Read(ref _inGuest) != 0;

    // Out of guest code (LeaveGuest, or waiting for another PE's exclusive section): the PE makes no access, and applies
    // its queue before it runs again.
    internal void PauseGuest() => Volatile.Write(ref _inGuest, 0);

    // Back into guest code: marked running (a full fence, so that a PE starting an exclusive section, or posting a
    // request, either sees the mark or is seen here), then, while another PE's exclusive section holds, out again until
    // it ends (InnerShareableDomain.StartExclusive); then the queue applied (an issuer that saw 0 had posted before).
    internal void ResumeGuest()
    {
        while (true)
        {
            Interlocked.Exchange(ref _inGuest, 1);
            if (_domain is not { ExclusiveSectionHeld: true } d) break;
            PauseGuest();
            d.AwaitExclusiveEnd();
        }
        RunPeerWork();
    }

    /// <summary>
    /// Parallel SMP: true while this PE waits in WFE (which ends when it next runs) or has requests from other PEs queued
    /// (an event among them may end its wait), so that the machine does not count it idle and skip time. Always false
    /// in deterministic mode.
    /// </summary>
    internal bool ResumesWhenRun => _parallel && ((IsWaiting && _waitingForEvent) || HasPeerRequests);

    // Queues w and nudges this PE; returns the ticket that HasCompleted takes.
    internal long Post(in PeerWork w)
    {
        long ticket;
        lock (_peerWorkLock)
        {
            if (_peerWorkCount == _peerWork.Length) Array.Resize(ref _peerWork, _peerWork.Length * 2);
            _peerWork[_peerWorkCount++] = w;
            ticket = ++_peerWorkPosted;
        }
        Nudge();
        return ticket;
    }

    // True once this PE applied the request of ticket, or while it runs no guest code (it applies its queue first).
    internal bool HasCompleted(long ticket) => Volatile.Read(ref _peerWorkDone) >= ticket || Volatile.Read(ref _inGuest) == 0;

    /// <summary>True once this PE broadcast TLB or instruction cache maintenance that its next DSB must complete.</summary>
    internal bool BroadcastOutstanding;

    /// <summary>
    /// DSB in parallel mode: waits until the other PEs have applied the TLB and instruction cache maintenance this PE
    /// broadcast since its last DSB (InnerShareableDomain.CompleteBroadcasts); nothing when there is none.
    /// </summary>
    internal void CompleteBroadcastMaintenance()
    {
        if (!BroadcastOutstanding) return;
        BroadcastOutstanding = false;
        _domain!.CompleteBroadcasts(this);
    }

    // The issuer's side of a broadcast that the architecture completes at the issuer's DSB: waits (applying its own queue,
    // so that two PEs broadcasting at once both go on) until peer has applied the request.
    internal void WaitFor(Cpu peer, long ticket)
    {
        var spin = new SpinWait();
        while (!peer.HasCompleted(ticket))
        {
            RunPeerWork();
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Applies what other PEs queued for this one; on this PE's own thread, between instructions.</summary>
    internal void RunPeerWork()
    {
        while (Volatile.Read(ref _peerWorkCount) != 0)
        {
            PeerWork[] batch;
            int n;
            long posted;
            lock (_peerWorkLock)
            {
                n = _peerWorkCount;
                batch = _peerWork;
                _peerWork = _peerWorkApplying;
                _peerWorkApplying = batch;
                _peerWorkCount = 0;
                posted = _peerWorkPosted;
            }
            for (int i = 0; i < n; i++) Apply(in batch[i]);
            Volatile.Write(ref _peerWorkDone, posted);
        }
    }

    private void Apply(in PeerWork w)
    {
        switch (w.Kind)
        {
            case PeerWorkKind.Tlb:
                OnTlbInvalidation(w.Tlb);
                break;
            case PeerWorkKind.InstructionCache:
                InvalidateInstructionCacheFromPeer(w.CacheOperation, w.Address);
                break;
            case PeerWorkKind.Code:
                InvalidateTranslatedCode(w.Address, w.Size);
                break;
            case PeerWorkKind.HostTlbWrites:
                DropHostTlbWritesFromPeer(w.Address);
                break;
            case PeerWorkKind.Event:
                SignalEvent();
                break;
        }
    }

    // A clear of this PE's global monitor mark by another master: a WFE wake-up event, queued in parallel mode.
    internal void SignalEventFromPeer()
    {
        if (_parallel) Post(new PeerWork { Kind = PeerWorkKind.Event });
        else SignalEvent();
    }

    // A bus write (device DMA, a debugger) that may hit translated code: applied here on this PE's thread, queued from another.
    private void OnBusRamWritten(ulong pa, int size)
    {
        if (!_parallel || OnOwnThread)
        {
            OnCodeMayChange(pa, size);
            return;
        }
        // Queued only when this PE's page filter (racy reads of counters, as a store's check) may hold code there.
        var t = _translations;
        if (t != null && ((ulong)size > Jit.TranslationBlock.PageSize || t.MayHoldCode(pa) || t.MayHoldCode(pa + (ulong)size - 1)))
            Post(new PeerWork { Kind = PeerWorkKind.Code, Address = pa, Size = (ulong)size });
    }
}
