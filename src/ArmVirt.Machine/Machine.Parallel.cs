using System.Runtime.ExceptionServices;
using ArmVirt.Cpu;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>How the CPUs of a machine with several run (<see cref="MachineBuilder.WithSmpMode"/>); a one-CPU machine reports deterministic.</summary>
    public SmpMode SmpMode { get; }

    // Parallel SMP (SmpMode.Parallel): one host thread per CPU, as QEMU's MTTCG, in the turns of virtual time that the
    // deterministic mode has. Each turn, every powered CPU behind the turn's deadline (the end of the quantum or the next
    // clock event, whichever is first) runs up to it on its own thread, at the same time as the others; the last thread
    // to arrive at the end of the turn (System.Threading.Barrier's post-phase action) does, while every CPU is parked,
    // what the round robin does between turns (BeginTurn): the clock advances to the slowest powered CPU's time and runs
    // the events due, then the next turn starts.
    //
    // Time: each CPU counts its own cycles; the system counter a CPU reads is the counter at its own cycle count
    // (SystemCounter, as in deterministic mode), so it is monotonic on each CPU and never behind the shared virtual time
    // (VirtualClock.Now, the slowest CPU at the last turn end) nor more than a turn ahead of it. Timers and device events
    // fire at turn ends, on the clock, while no CPU runs: at the same virtual times as in deterministic mode, after the
    // target CPU's own time has passed them, and without a device callback ever racing a CPU. What differs is the order
    // in which the CPUs' accesses to memory, devices and the GIC interleave within a turn: that is host timing, so output
    // order and counts may change from run to run.
    //
    // Waiting: a CPU in WFI or WFE with nothing to wake it blocks its host thread while other CPUs of the turn run
    // (SleepInTurn); an interrupt, request or stop for it wakes it at once at the running CPUs' time. When no CPU of the
    // turn is left running, its wait skips to the turn's deadline and its thread waits at the end of the turn (the barrier
    // spins briefly, then sleeps). An interrupt raised for a running CPU nudges it to check at once. A WFE also ends when its CPU next runs (Cpu.EnterGuest: a spurious wake-up, as a monitor clear racing the load-exclusive
    // can be missed), and a CPU in WFE or with requests queued does not count as idle (Cpu.ResumesWhenRun), so BeginTurn
    // never skips time past its wake-up. Cross-CPU maintenance, events and stores to another CPU's code are requests the target
    // applies on its own thread (Cpu.PeerWork.cs); exclusives and LSE atomics are host atomic (Cpu.HostAtomics.cs).

    [ThreadStatic] private static int t_currentCpu;

    private Barrier? _turnBarrier;
    private readonly object _stopGate = new();
    private volatile bool _runEnding, _stopping;
    private volatile string? _hostStopMessage;
    private CpuCore? _stoppedBy;
    private Exception? _parallelFailure;
    private ulong _parallelStart, _parallelMax, _turnBudget;
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
                _turnBarrier!.SignalAndWait();
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
            if (Interlocked.Decrement(ref _activeCpus) == 0) WakeSleepers();
        }
    }

    private void RunTurnOnCounted(int index, CpuCore c)
    {
        while (!_stopping && Volatile.Read(ref _poweredOn[index]) && c.State.Cycles < Clock.NextDeadline)
        {
            if (_hostStopMessage is { } why)
            {
                c.RequestStop(StopReason.HostRequest, 0, why);
                Stop(c);
                return;
            }
            Volatile.Write(ref _leaving[index], 1);
            c.EnterGuest(); // (a nudge dropped, other CPUs' requests applied)
            StopReason reason;
            try
            {
                reason = c.RunToDeadline(_turnBudget);
            }
            finally
            {
                c.LeaveGuest();
            }
            switch (reason)
            {
                case StopReason.None: // the deadline reached (or waiting with nothing scheduled)
                    Volatile.Write(ref _leaving[index], 0);
                    return;
                case StopReason.PeerRequest: // work from another CPU, or a look at the machine's state
                    Volatile.Write(ref _leaving[index], 0);
                    continue;
                case StopReason.Halted when !Volatile.Read(ref _poweredOn[index]): // PSCI CPU_OFF
                case StopReason.InstructionLimit: // this CPU's share of the run's budget for the turn
                    c.ClearStop();
                    Volatile.Write(ref _leaving[index], 0);
                    return;
                default: // power-off, reset, semihosting exit, an error, a host breakpoint: the machine stops
                    Volatile.Write(ref _leaving[index], 0);
                    Stop(c);
                    return;
            }
        }
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
        var wake = _wake[index];
        Volatile.Write(ref _sleeping[index], true);
        if (Interlocked.Decrement(ref _activeCpus) == 0) WakeSleepers();
        try
        {
            while (true)
            {
                wake.Reset();
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
                    return true;
                }
                // No CPU left running: the wait skips to the deadline, unless a sleeping CPU is being woken (it may be
                // the one to wake this CPU: a ping answered by a pong must not wait for the next turn).
                if (Volatile.Read(ref _activeCpus) <= 0 && !AnotherSleeperWakes(c)) return false;
                wake.Wait(2); // (a short bound: a missed wake-up costs 2 ms of host time, never a hang)
            }
        }
        finally
        {
            Interlocked.Increment(ref _activeCpus);
            Volatile.Write(ref _sleeping[index], false);
        }
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
    // the first turn): a stop or reset of the turn is acted on, then BeginTurn as in deterministic mode; each powered CPU
    // may retire an equal share of the run's remaining budget in the turn.
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
            ulong powered = 0;
            for (int i = 0; i < Cpus.Count; i++)
                if (_poweredOn[i]) powered++;
            _turnBudget = Math.Max(1, budget / powered);
            Volatile.Write(ref _activeCpus, Cpus.Count); // (each thread leaves the count when done with the turn)
        }
        catch (Exception e)
        {
            _parallelFailure ??= e;
            _stoppedBy ??= Cpu;
            _runEnding = true;
        }
    }
}
