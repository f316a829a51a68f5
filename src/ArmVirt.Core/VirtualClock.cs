namespace ArmVirt.Core;

/// <summary>
/// Virtual time, counted in CPU cycles, with an event scheduler. Nothing here reads the host clock:
/// the CPU advances <see cref="Now"/> and runs due events, so the same inputs always give the same timeline.
/// </summary>
public sealed class VirtualClock
{
    private readonly PriorityQueue<ScheduledEvent, (ulong Deadline, ulong Sequence)> _queue = new();
    private ulong _sequence;

    /// <summary>Creates a clock whose cycles run at <paramref name="cpuFrequencyHz"/>.</summary>
    public VirtualClock(ulong cpuFrequencyHz = 1_000_000_000) => CpuFrequencyHz = cpuFrequencyHz;

    /// <summary>Cycles per second of virtual time.</summary>
    public ulong CpuFrequencyHz { get; }

    /// <summary>The current virtual time in cycles.</summary>
    public ulong Now { get; private set; }

    private ulong _next = ulong.MaxValue;

    /// <summary>
    /// The earliest pending deadline, or <see cref="ulong.MaxValue"/> when nothing is scheduled. A plain field
    /// read, so an execution loop may poll it every instruction; after a cancellation it may be early (harmless).
    /// </summary>
    public ulong NextDeadline => _next;

    /// <summary>
    /// The earliest deadline of an event still scheduled, cancelled ones dropped first (unlike <see cref="NextDeadline"/>,
    /// never early), or <see cref="ulong.MaxValue"/> when nothing is.
    /// </summary>
    public ulong PendingDeadline
    {
        get
        {
            RecomputeNext();
            return _next;
        }
    }

    private void RecomputeNext()
    {
        while (_queue.TryPeek(out var e, out var key))
        {
            if (!e.Cancelled && e.Deadline == key.Deadline)
            {
                _next = key.Deadline;
                return;
            }
            _queue.Dequeue();
        }
        _next = ulong.MaxValue;
    }

    /// <summary>Schedules <paramref name="callback"/> to run when virtual time reaches <paramref name="deadline"/>.</summary>
    public ScheduledEvent Schedule(ulong deadline, Action callback)
    {
        var e = new ScheduledEvent(callback) { Deadline = deadline };
        _queue.Enqueue(e, (deadline, _sequence++));
        if (deadline < _next) _next = deadline;
        return e;
    }

    /// <summary>Moves an event (scheduled or not) to a new deadline.</summary>
    public void Reschedule(ScheduledEvent e, ulong deadline)
    {
        e.Cancelled = false;
        e.Deadline = deadline;
        _queue.Enqueue(e, (deadline, _sequence++));
        if (deadline < _next) _next = deadline;
    }

    /// <summary>Advances time to <paramref name="cycles"/> (never backwards) and runs every event now due, in deadline order.</summary>
    public void AdvanceTo(ulong cycles)
    {
        if (cycles > Now) Now = cycles;
        while (_queue.TryPeek(out var e, out var key) && key.Deadline <= Now)
        {
            _queue.Dequeue();
            if (e.Cancelled || e.Deadline != key.Deadline) continue;
            e.Cancelled = true; // fired: a later Reschedule re-arms it
            e.Callback();
        }
        RecomputeNext();
    }

    /// <summary>Converts a duration in nanoseconds to cycles.</summary>
    public ulong NanosecondsToCycles(ulong ns) => (ulong)((UInt128)ns * CpuFrequencyHz / 1_000_000_000UL);
}

/// <summary>A callback scheduled on the <see cref="VirtualClock"/>.</summary>
public sealed class ScheduledEvent
{
    internal ScheduledEvent(Action callback) => Callback = callback;

    internal Action Callback { get; }

    /// <summary>When the event is due, in cycles.</summary>
    public ulong Deadline { get; internal set; }

    /// <summary>True once cancelled or fired.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Cancels the event if it has not fired yet.</summary>
    public void Cancel() => Cancelled = true;
}
