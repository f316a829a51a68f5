using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ArmVirt.Cpu;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>How the CPUs of a machine with several run (<see cref="MachineBuilder.WithSmpMode"/>); a one-CPU machine reports deterministic.</summary>
    public SmpMode SmpMode { get; }

    // Parallel SMP (SmpMode.Parallel): one host thread per CPU, as QEMU's MTTCG, in turns of virtual time. A turn ends at
    // the next clock event (a timer, a device) or after ParallelTurnQuanta quanta, whichever is first; every powered CPU
    // behind its deadline runs up to it on its own thread, at the same time as the others, and the last thread to arrive
    // at the end of the turn (System.Threading.Barrier's post-phase action) does, while every CPU is parked, what the
    // round robin does between turns (BeginTurn): the clock advances to the slowest powered CPU's time and runs the
    // events due (and host input is polled, the run's remaining budget put in the pool the CPUs claim from), then the
    // next turn starts. Within a turn the CPUs do not meet: the quantum bounds how far one runs ahead of the slowest CPU
    // still running (the run-ahead window, WindowSlice), so a CPU whose host thread got less of the host waits for no
    // one until it is a quantum behind.
    // (Before, turns were one quantum long and every CPU waited at each turn's end for the slowest: the four-copy bench
    // met ~7,700 times, each turn as long as its slowest thread, and kept ~1.5 of 2 host cores busy.)
    //
    // Time: each CPU counts its own cycles; the system counter a CPU reads is the counter at its own cycle count
    // (SystemCounter, as in deterministic mode), so it is monotonic on each CPU, never behind the shared virtual time
    // (VirtualClock.Now, the slowest CPU at the last turn end), and the CPUs running a turn are within a quantum of each
    // other. Timers and device events fire at turn ends, on the clock, while no CPU runs: at the same virtual times as in
    // deterministic mode, after the target CPU's own time has passed them, and without a device callback ever racing a
    // CPU. What differs is the order in which the CPUs' accesses to memory, devices and the GIC interleave: that is host
    // timing, so output order and counts may change from run to run.
    //
    // Waiting: a CPU in WFI or WFE with nothing to wake it blocks its host thread while other CPUs of the turn run
    // (SleepInTurn) and holds no one back; an interrupt, request or stop for it wakes it at once at the running CPUs'
    // time (and from then until its thread runs it holds the window at its old time, so its waker does not run on alone).
    // When no CPU of the turn is left running, its wait skips to the turn's deadline and its thread waits at the end of
    // the turn (the barrier spins briefly, then sleeps). An off CPU's thread waits in the turn for PSCI CPU_ON. An
    // interrupt raised for a running CPU nudges it to check at once. A WFE also ends when its CPU next runs (Cpu.EnterGuest),
    // and before it sleeps it checks that no store has changed its reservation unseen (Cpu.MissedMonitorClear); a CPU in
    // WFE or with requests queued does not count as idle (Cpu.ResumesWhenRun), so BeginTurn never skips time past its
    // wake-up. Cross-CPU maintenance, events and stores to another CPU's code are requests the target applies on its own
    // thread (Cpu.PeerWork.cs); exclusives and LSE atomics are host atomic (Cpu.HostAtomics.cs).

    [ThreadStatic] private static int t_currentCpu;

    private Barrier? _turnBarrier;
    private readonly object _stopGate = new();
    private volatile bool _runEnding, _stopping;
    private volatile string? _hostStopMessage;
    private CpuCore? _stoppedBy;
    private Exception? _parallelFailure;
    private ulong _parallelStart, _parallelMax;
    private bool _parallelFirst;
    private int[] _leaving = [];

    private MachineExit RunParallel(ulong maxInstructions)
    {
        _hostStopMessage = null;
        _stoppedBy = null;
        _parallelFailure = null;
        _stopping = _runEnding = false;
        _parallelStart = InstructionsExecuted;
        _parallelMax = maxInstructions;
        _parallelFirst = true;
        if (_leaving.Length != Cpus.Count) _leaving = new int[Cpus.Count];
        if (_sleeping.Length != Cpus.Count) _sleeping = new bool[Cpus.Count];
        if (_turnDone.Length != Cpus.Count) _turnDone = new bool[Cpus.Count];
        if (_windowWaiting.Length != Cpus.Count) _windowWaiting = new bool[Cpus.Count];
        if (_offInTurn.Length != Cpus.Count) _offInTurn = new bool[Cpus.Count];
        if (_offWaiting.Length != Cpus.Count) _offWaiting = new int[Cpus.Count];
        if (_claim.Length != Cpus.Count)
        {
            _claim = new ulong[Cpus.Count];
            _claimedAt = new ulong[Cpus.Count];
        }
        _parallelStats ??= new ParallelStatistics(Cpus.Count);
        if (_wake.Length != Cpus.Count)
        {
            _wake = [.. Cpus.Select(_ => new ManualResetEventSlim(false, spinCount: 0))];
            for (int i = 0; i < Cpus.Count; i++)
            {
                var w = _wake[i];
                Cpus[i].ParallelWait = SleepInTurn;
                Cpus[i].WakeWaiter = () => w.Set();
            }
        }
        _activeCpus = 0;
        try
        {
            EndTurn(); // the first turn's start, before the other threads exist
            if (!_runEnding)
            {
                int n = Cpus.Count;
                using var barrier = new Barrier(n, _ => EndTurn());
                _turnBarrier = barrier;
                var threads = new Thread[n];
                for (int i = 1; i < n; i++)
                {
                    int index = i;
                    threads[i] = new Thread(() => CpuThread(index)) { IsBackground = true, Name = $"armvirt cpu{index}" };
                    threads[i].Start();
                }
                int caller = t_currentCpu;
                try
                {
                    CpuThread(0);
                }
                finally
                {
                    t_currentCpu = caller;
                    for (int i = 1; i < n; i++) threads[i].Join();
                    _turnBarrier = null;
                    // No CPU runs now: requests still queued are applied (a snapshot, a debugger or the round robin
                    // sees the machine as the CPUs would at their next turn).
                    foreach (var c in Cpus) c.SettleAfterParallelRun();
                }
            }
        }
        finally
        {
            _serial.Flush();
        }
        if (_parallelFailure != null) ExceptionDispatchInfo.Throw(_parallelFailure);
        var stopped = _stoppedBy!;
        return new MachineExit(stopped.StopReason, stopped.ExitCode, stopped.StopMessage ?? DescribeStop(stopped.StopReason));
    }

    // The host thread of CPU index: its part of each turn, then the end of the turn, until the run ends.
    private void CpuThread(int index)
    {
        t_currentCpu = index;
        var c = Cpus[index];
        try
        {
            while (!_runEnding)
            {
                RunTurnOn(index, c);
                long t0 = Stopwatch.GetTimestamp();
                _turnBarrier!.SignalAndWait();
                _parallelStats!.AtTurnEnds[index] += Stopwatch.GetTimestamp() - t0;
            }
        }
        catch (Exception e) when (e is not BarrierPostPhaseException)
        {
            // A host failure (a bug): the run ends everywhere and Run throws it.
            lock (_stopGate) _parallelFailure ??= e;
            _stopping = _runEnding = true;
            foreach (var o in Cpus) o.Nudge();
            _turnBarrier!.RemoveParticipant();
        }
    }

    // CPU index's part of the turn: it runs up to the deadline unless it is off, the machine is stopping, or it stops.
    // Until it is done with the turn it counts as active (from the turn's start: EndTurn counts every thread, so that one
    // still on its way out of the barrier counts too): a CPU asleep in WFI or WFE waits for active CPUs to wake it
    // (SleepInTurn).
    private void RunTurnOn(int index, CpuCore c)
    {
        try
        {
            RunTurnOnCounted(index, c);
        }
        finally
        {
            Volatile.Write(ref _turnDone[index], true);
            if (Volatile.Read(ref _windowWaiters) != 0) WakeWindowWaiters();
            if (Interlocked.Decrement(ref _activeCpus) == 0) WakeSleepers();
        }
    }

    private void RunTurnOnCounted(int index, CpuCore c)
    {
        var stats = _parallelStats!;
        while (!_stopping && c.State.Cycles < Clock.NextDeadline)
        {
            if (!Volatile.Read(ref _poweredOn[index]) && !WaitForPowerOn(index)) return;
            if (_hostStopMessage is { } why)
            {
                c.RequestStop(StopReason.HostRequest, 0, why);
                Stop(c);
                return;
            }
            ulong slice = WindowSlice(index, c);
            if (slice == 0)
            {
                WaitForWindow(index, c);
                continue;
            }
            ulong claim = ClaimBudget(index, c, slice);
            if (claim == 0) return; // the run's budget is spent: the run ends with the turn
            Volatile.Write(ref _leaving[index], 1);
            c.EnterGuest(); // (a nudge dropped, other CPUs' requests applied)
            StopReason reason;
            long t0 = Stopwatch.GetTimestamp();
            try
            {
                reason = c.RunToDeadline(claim);
            }
            finally
            {
                c.LeaveGuest();
                stats.Running[index] += Stopwatch.GetTimestamp() - t0;
                ReleaseClaim(index, c);
            }
            if (Volatile.Read(ref _windowWaiters) != 0) WakeWindowWaiters(); // this CPU's time moved on
            switch (reason)
            {
                case StopReason.None: // the deadline reached (or waiting with nothing scheduled)
                    Volatile.Write(ref _leaving[index], 0);
                    return;
                case StopReason.PeerRequest: // work from another CPU, a look at the machine's state, or woken from a sleep
                    Volatile.Write(ref _leaving[index], 0);
                    continue;
                case StopReason.Halted when !Volatile.Read(ref _poweredOn[index]): // PSCI CPU_OFF
                    c.ClearStop();
                    Volatile.Write(ref _leaving[index], 0);
                    continue; // (it may be turned on again in this turn)
                case StopReason.InstructionLimit: // the end of a slice, or of the budget it claimed
                    c.ClearStop();
                    Volatile.Write(ref _leaving[index], 0);
                    continue;
                default: // power-off, reset, semihosting exit, an error, a host breakpoint: the machine stops
                    Volatile.Write(ref _leaving[index], 0);
                    Stop(c);
                    return;
            }
        }
    }

    // ---- The run's instruction budget, shared by the CPU threads ----
    //
    // Run(maxInstructions) retires exactly that many instructions unless the machine stops first, as in deterministic
    // mode: EndTurn puts what is left of the budget in a pool, and each CPU thread claims its next slice from it before it
    // runs the slice and gives back what it did not retire, when the slice ends or as its CPU goes to sleep in WFI or WFE
    // (a sleeping CPU holds no budget; woken, it leaves its slice and claims again). A CPU that finds the pool empty
    // while others hold claims waits for them to be retired or given back (at most a slice of theirs); once the pool is
    // empty and no claim is held the budget is spent: every CPU leaves the turn where it is (a sleeping one too, without
    // skipping to the turn's deadline, as the round robin stops at once) and the run ends at the turn's end. Before,
    // each CPU took an equal share of the budget for the whole turn, divided among the CPUs powered at its start: a CPU
    // turned on during the turn ran a whole share of its own, and a guest whose CPUs each retired less than their share
    // ran on past the limit, as far as its end (SnapshotGuestTests.ParallelRunSavedContinuesInEitherMode's flake: a
    // power-off where the limit was expected, `SmpParallelGuestTests.RunsStopAtTheirInstructionLimit`).

    private long _budgetPool, _claimsHeld;
    private ulong[] _claim = [], _claimedAt = []; // per CPU: instructions claimed, and its count when it claimed them

    // Takes up to want instructions from the run's budget for CPU index, or 0 when the budget is spent.
    private ulong ClaimBudget(int index, CpuCore c, ulong want)
    {
        var spin = new SpinWait();
        while (true)
        {
            long left = Volatile.Read(ref _budgetPool);
            if (left <= 0)
            {
                if (Volatile.Read(ref _claimsHeld) == 0 || _stopping) return 0;
                spin.SpinOnce(sleep1Threshold: -1); // another CPU's claim is retired or given back within its slice
                continue;
            }
            long take = (long)Math.Min((ulong)left, want);
            if (Interlocked.CompareExchange(ref _budgetPool, left - take, left) != left) continue;
            Interlocked.Add(ref _claimsHeld, take);
            _claim[index] = (ulong)take;
            _claimedAt[index] = c.State.Instructions;
            return (ulong)take;
        }
    }

    // Gives back what CPU index claimed and did not retire (the pool first, so that a CPU that sees no claim held sees
    // the pool with it).
    private void ReleaseClaim(int index, CpuCore c)
    {
        ulong claim = _claim[index];
        if (claim == 0) return;
        _claim[index] = 0;
        ulong used = c.State.Instructions - _claimedAt[index];
        if (used < claim) Interlocked.Add(ref _budgetPool, (long)(claim - used));
        Interlocked.Add(ref _claimsHeld, -(long)claim);
    }

    // True once the run's budget is retired: the pool is empty and no CPU holds a claim.
    private bool BudgetSpent => Volatile.Read(ref _budgetPool) <= 0 && Volatile.Read(ref _claimsHeld) == 0;

    // ---- The run-ahead window: a CPU's time runs at most Quantum cycles ahead of the slowest CPU still running the turn ----
    //
    // The turns of this mode are long (ParallelTurnQuanta quanta, or up to the next clock event): the CPUs meet only where
    // the machine needs them all parked (clock events, host input, the run's budget). Within a turn each CPU runs in
    // slices of at most a quarter of the window and, between slices, waits while it is more than a quantum ahead of the
    // slowest CPU that still runs the turn: the CPUs' clocks stay within a quantum of each other, as the round robin's
    // turns keep them, without any CPU waiting for the slowest at every quantum. A CPU asleep in WFI or WFE, off or done
    // with the turn does not hold the others back (an asleep one is moved up to its waker's time when woken).

    /// <summary>Turns in parallel mode last this many quanta (or end at the next clock event, if earlier).</summary>
    internal const ulong ParallelTurnQuanta = 64;

    private int _windowWaiters;
    private bool[] _offInTurn = [];   // per CPU: its thread waits in the turn for PSCI CPU_ON (WaitForPowerOn)
    private bool[] _windowWaiting = []; // per CPU: in WaitForWindow
    private bool[] _turnDone = [];    // per CPU: done with the turn (RunTurnOn returned)
    private int[] _offWaiting = [];   // per CPU: 1 while its off-wait is uncounted in _activeCpus (handed over by PowerOn)

    // The instructions CPU index may run before it looks at the window again: 0 when it is more than a quantum ahead of
    // the slowest other CPU running the turn.
    private ulong WindowSlice(int index, CpuCore c)
    {
        ulong slowest = ulong.MaxValue;
        for (int i = 0; i < Cpus.Count; i++)
        {
            if (i == index || !HoldsTheWindow(i)) continue;
            slowest = Math.Min(slowest, Cpus[i].State.Cycles);
        }
        ulong slice = Math.Max(1, Quantum / 4);
        if (slowest == ulong.MaxValue) return slice;
        ulong limit = slowest + Quantum, now = c.State.Cycles;
        return now >= limit ? 0 : Math.Min(slice, limit - now);
    }

    // True when CPU i runs the turn now: powered, not yet at the turn's deadline, and not asleep (or off) unless being
    // woken (or turned on): a CPU whose waker has gone on holds the others back from the time it was woken at until its
    // thread runs, so that a waker whose wakee's host thread is slow to start does not run on alone (a ping answered by
    // a pong a whole turn later, in virtual time, when the host is loaded).
    private bool HoldsTheWindow(int i) =>
        Volatile.Read(ref _poweredOn[i]) && !Volatile.Read(ref _turnDone[i]) && Cpus[i].State.Cycles < Clock.NextDeadline
        && (!Volatile.Read(ref _sleeping[i]) || WakesFromSleep(Cpus[i]))
        && (!Volatile.Read(ref _offInTurn[i]) || Volatile.Read(ref _offWaiting[i]) == 0);

    // CPU index is a quantum ahead: it waits, out of guest code (a peer's DSB or exclusive section does not wait for it),
    // until the slowest CPU moves on, sleeps or leaves the turn, a request arrives or the machine stops. It spins a little
    // (the slowest may be a slice from moving on), then blocks, which leaves its host core to the CPUs behind.
    private void WaitForWindow(int index, CpuCore c)
    {
        long t0 = Stopwatch.GetTimestamp();
        var wake = _wake[index];
        Interlocked.Increment(ref _windowWaiters);
        Volatile.Write(ref _windowWaiting[index], true);
        try
        {
            var spin = new SpinWait();
            while (!_stopping && !c.HasPeerRequests && c.StopReason == StopReason.None && WindowSlice(index, c) == 0)
            {
                if (!spin.NextSpinWillYield)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                wake.Reset();
                if (WindowSlice(index, c) != 0 || _stopping || c.HasPeerRequests) break;
                wake.Wait(1); // (a short bound: a missed wake-up costs a millisecond, never a hang)
            }
        }
        finally
        {
            Volatile.Write(ref _windowWaiting[index], false);
            Interlocked.Decrement(ref _windowWaiters);
            _parallelStats!.HeldByWindow[index] += Stopwatch.GetTimestamp() - t0;
        }
    }

    // Wakes the CPUs waiting in WaitForWindow that may go on now (not every waiter at every slice's end: a wake-up that
    // finds the window still shut costs a host context switch for nothing).
    private void WakeWindowWaiters()
    {
        for (int i = 0; i < Cpus.Count; i++)
            if (Volatile.Read(ref _windowWaiting[i]) && WindowSlice(i, Cpus[i]) != 0) _wake[i].Set();
    }

    // An off CPU's thread waits in the turn for PSCI CPU_ON (which hands it the count of running CPUs it gave up, so that
    // the caller, if it then sleeps, waits for it), so that a CPU turned on mid-turn starts at once at its caller's time
    // rather than at the next turn. Returns false when the turn ends for it first (no CPU left running, or a stop).
    private bool WaitForPowerOn(int index)
    {
        var wake = _wake[index];
        Volatile.Write(ref _offInTurn[index], true);
        Volatile.Write(ref _offWaiting[index], 1);
        if (Interlocked.Decrement(ref _activeCpus) == 0) WakeSleepers();
        if (Volatile.Read(ref _windowWaiters) != 0) WakeWindowWaiters();
        try
        {
            while (true)
            {
                wake.Reset();
                if (Volatile.Read(ref _offWaiting[index]) == 0) return true; // PowerOn counted it running again
                if (_stopping || (Volatile.Read(ref _activeCpus) <= 0 && !AnotherSleeperWakes(Cpus[index])))
                {
                    if (Interlocked.Exchange(ref _offWaiting[index], 0) == 0) return true; // PowerOn was first
                    Interlocked.Increment(ref _activeCpus);
                    return false;
                }
                wake.Wait(2);
            }
        }
        finally
        {
            Volatile.Write(ref _offInTurn[index], false);
        }
    }

    // PowerOn in parallel mode, on the caller's thread: the CPU's thread, if it waits in this turn, runs it from now on.
    private void HandOverPowerOn(int index)
    {
        if (Interlocked.Exchange(ref _offWaiting[index], 0) == 1) Interlocked.Increment(ref _activeCpus);
        _wake[index].Set();
    }

    // CPU threads of the turn not done with it and not asleep (set to every thread by EndTurn, before the turn starts).
    private int _activeCpus;
    private ManualResetEventSlim[] _wake = [];
    private bool[] _sleeping = []; // per CPU: in SleepInTurn

    // Cpu.ParallelWait: c waits in WFI or WFE with nothing asserted. Its thread sleeps while another CPU of the turn runs;
    // an interrupt raised for it, a request or a stop (Cpu.Nudge -> WakeWaiter) wakes it at the time of the CPUs still
    // running (the waker's, give or take a block); when no CPU is left running, its wait skips to the deadline.
    private bool SleepInTurn(CpuCore c)
    {
        int index = c.Configuration.Index;
        // Asleep, it holds none of the run's budget; woken, it leaves its slice (a peer request's stop) to claim again.
        ReleaseClaim(index, c);
        if (c.MissedMonitorClear()) return WakeToClaim(c); // a store's clear of its reservation came unreported: it wakes at once
        var wake = _wake[index];
        Volatile.Write(ref _sleeping[index], true);
        if (Interlocked.Decrement(ref _activeCpus) == 0) WakeSleepers();
        if (Volatile.Read(ref _windowWaiters) != 0) WakeWindowWaiters(); // (an asleep CPU holds no one back)
        long t0 = Stopwatch.GetTimestamp();
        try
        {
            while (true)
            {
                wake.Reset();
                // Whether a CPU is left running is read before what would wake this one: a CPU that wakes this one and
                // then goes to sleep itself (a spinlock's release, then a WFE for the answer) posted the wake-up before
                // it left the count, so a count of 0 read first means the wake-up is seen below. Read the other way
                // round, the wake-up could arrive between the two reads and wait for the next turn.
                bool noneRunning = Volatile.Read(ref _activeCpus) <= 0 && !AnotherSleeperWakes(c);
                if (WakesFromSleep(c) || _stopping)
                {
                    // The waker's time: the latest of the other CPUs of the turn, running or asleep (a CPU that sent the
                    // wake-up and then went to sleep itself stopped its clock after sending it).
                    ulong deadline = Clock.NextDeadline, now = c.State.Cycles;
                    foreach (var o in Cpus)
                    {
                        ulong t = o.State.Cycles;
                        if (o != c && t > now && t < deadline) now = t;
                    }
                    c.State.Cycles = now;
                    return WakeToClaim(c);
                }
                // No CPU left running: the wait skips to the deadline, unless a sleeping CPU is being woken (it may be
                // the one to wake this CPU: a ping answered by a pong must not wait for the next turn), or the run's
                // budget is spent (the others stopped for it, not to wait: the CPU stays asleep where it is).
                if (noneRunning)
                {
                    if (!BudgetSpent) return false;
                    c.RequestStop(StopReason.InstructionLimit);
                    return true;
                }
                wake.Wait(2); // (a short bound: a missed wake-up costs 2 ms of host time, never a hang)
            }
        }
        finally
        {
            Interlocked.Increment(ref _activeCpus);
            Volatile.Write(ref _sleeping[index], false);
            if (Volatile.Read(ref _windowWaiters) != 0) WakeWindowWaiters(); // (its time moved up to its waker's)
            _parallelStats!.Asleep[index] += Stopwatch.GetTimestamp() - t0;
        }
    }

    // SleepInTurn's wake-up: the CPU leaves its slice, which it no longer holds budget for, at once (the stop a peer's
    // request makes), and its thread claims the next.
    private static bool WakeToClaim(CpuCore c)
    {
        c.Nudge();
        return true;
    }

    // What ends a CPU's sleep in SleepInTurn: an interrupt, a stop, or a request from another CPU (an event among them).
    private static bool WakesFromSleep(CpuCore c) => c.AnyInterruptAsserted || c.StopReason != StopReason.None || c.HasPeerRequests;

    private bool AnotherSleeperWakes(CpuCore c)
    {
        for (int i = 0; i < Cpus.Count; i++)
            if (Cpus[i] != c && Volatile.Read(ref _sleeping[i]) && WakesFromSleep(Cpus[i])) return true;
        return false;
    }

    private void WakeSleepers()
    {
        foreach (var w in _wake) w.Set();
    }

    // A CPU's stop ends the run (the first one counts): every other CPU leaves its turn at its next check.
    private void Stop(CpuCore c)
    {
        lock (_stopGate) _stoppedBy ??= c;
        _stopping = true;
        foreach (var o in Cpus)
            if (o != c) o.Nudge();
    }

    // StopAll in parallel mode, from any thread (a serial match on a CPU's thread, a timeout event, the host): the CPUs
    // stop at their next check; the first to see the request stops the run with it.
    private void RequestParallelStop(string why)
    {
        _hostStopMessage ??= why;
        _stopping = true;
        foreach (var c in Cpus) c.Nudge();
    }

    // Waits until CPU index's thread has left its run (it may still be unwinding the CPU_OFF that powered it off).
    private void WaitUntilLeft(int index)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _leaving[index]) != 0) spin.SpinOnce(sleep1Threshold: -1);
    }

    // The end of a turn and the start of the next, on the last thread to arrive while every CPU is parked (and once before
    // the first turn): a stop or reset of the turn is acted on, then BeginTurn as in deterministic mode; the run's
    // remaining budget is the pool the CPUs claim their slices from (ClaimBudget).
    private void EndTurn()
    {
        try
        {
            if (_stoppedBy != null)
            {
                if (_stoppedBy.StopReason != StopReason.Reset)
                {
                    _runEnding = true;
                    return;
                }
                Reboot(); // PSCI SYSTEM_RESET: the machine boots again and goes on
                _stoppedBy = null;
            }
            _stopping = false;
            var stopped = BeginTurn(_parallelStart, _parallelMax, ref _parallelFirst, out ulong budget);
            if (stopped == null && _hostStopMessage is { } why)
            {
                Cpu.RequestStop(StopReason.HostRequest, 0, why);
                stopped = Cpu;
            }
            if (stopped != null)
            {
                _stoppedBy = stopped;
                _runEnding = true;
                return;
            }
            Volatile.Write(ref _budgetPool, (long)Math.Min(budget, long.MaxValue));
            Volatile.Write(ref _claimsHeld, 0);
            Array.Clear(_turnDone);
            _parallelStats!.Turns++;
            Volatile.Write(ref _activeCpus, Cpus.Count); // (each thread leaves the count when done with the turn)
        }
        catch (Exception e)
        {
            _parallelFailure ??= e;
            _stoppedBy ??= Cpu;
            _runEnding = true;
        }
    }

    /// <summary>Where the CPU threads of parallel runs spent their host time (<c>--stats</c>), summed over the runs.</summary>
    internal ParallelStatistics? ParallelStats => _parallelStats;

    private ParallelStatistics? _parallelStats;
}

/// <summary>
/// Host time of the CPU threads in parallel mode, per CPU, in <see cref="Stopwatch"/> ticks: running guest code (its
/// slices), waiting at the end of turns for the other CPUs, held back by the run-ahead window, asleep in WFI or WFE.
/// </summary>
internal sealed class ParallelStatistics(int cpus)
{
    /// <summary>Turns started.</summary>
    public long Turns;

    /// <summary>Per CPU: in RunToDeadline.</summary>
    public readonly long[] Running = new long[cpus];

    /// <summary>Per CPU: at the turn's barrier (the clock's events run by the last thread included).</summary>
    public readonly long[] AtTurnEnds = new long[cpus];

    /// <summary>Per CPU: a quantum ahead of the slowest CPU, waiting for it.</summary>
    public readonly long[] HeldByWindow = new long[cpus];

    /// <summary>Per CPU: asleep in WFI or WFE while other CPUs ran.</summary>
    public readonly long[] Asleep = new long[cpus];

    /// <summary>One line: turns, then each CPU's milliseconds running / at turn ends / held by the window / asleep.</summary>
    public override string ToString()
    {
        static string Ms(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
        return $"{Turns} turns; host ms running / at turn ends / held by the window / asleep: " +
            string.Join(", ", Enumerable.Range(0, Running.Length).Select(i =>
                $"cpu{i} {Ms(Running[i])}/{Ms(AtTurnEnds[i])}/{Ms(HeldByWindow[i])}/{Ms(Asleep[i])}"));
    }
}
