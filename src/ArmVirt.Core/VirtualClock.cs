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

    /// <summary>
    /// True for a clock that CPUs on several host threads schedule on at once (ArmVirt.Machine's parallel SMP): the
    /// event queue is then locked. <see cref="AdvanceTo"/> must still run while no CPU runs (the machine calls it between
    /// turns), and callbacks run without the lock. Fixed before the clock is used; false costs nothing.
    /// </summary>
    internal bool Concurrent { get; init; }

    /// <summary>The current virtual time in cycles.</summary>
    public ulong Now { get; private set; }

    private ulong _next = ulong.MaxValue;

    /// <summary>
    /// The earliest pending deadline, or <see cref="ulong.MaxValue"/> when nothing is scheduled. A plain field
    /// read, so an execution loop may poll it every instruction; after a cancellation it may be early (harmless).
    /// </summary>
    internal ulong NextDeadline => _next;

    /// <summary>
    /// The earliest deadline of an event still scheduled, cancelled ones dropped first (unlike <see cref="NextDeadline"/>,
    /// never early), or <see cref="ulong.MaxValue"/> when nothing is.
    /// </summary>
    internal ulong PendingDeadline
    {
        get
        {
            if (Concurrent) Monitor.Enter(_queue);
            try
            {
                RecomputeNext();
                return _next;
            }
            finally
            {
                if (Concurrent) Monitor.Exit(_queue);
            }
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
        var e = new ScheduledEvent(callback, this) { Deadline = deadline };
        if (Concurrent) Monitor.Enter(_queue);
        try
        {
            _queue.Enqueue(e, (deadline, _sequence++));
            if (deadline < _next) _next = deadline;
        }
        finally
        {
            if (Concurrent) Monitor.Exit(_queue);
        }
        return e;
    }

    /// <summary>Moves an event (scheduled or not) to a new deadline.</summary>
    public void Reschedule(ScheduledEvent e, ulong deadline)
    {
        if (Concurrent) Monitor.Enter(_queue);
        try
        {
            e.Cancelled = false;
            e.Deadline = deadline;
            _queue.Enqueue(e, (deadline, _sequence++));
            if (deadline < _next) _next = deadline;
        }
        finally
        {
            if (Concurrent) Monitor.Exit(_queue);
        }
    }

    /// <summary>Advances time to <paramref name="cycles"/> (never backwards) and runs every event now due, in deadline order.</summary>
    public void AdvanceTo(ulong cycles)
    {
        if (cycles > Now) Now = cycles;
        while (NextDue() is { } e)
        {
            e.Cancelled = true; // fired: a later Reschedule re-arms it
            e.Callback();
        }
        if (Concurrent) Monitor.Enter(_queue);
        try
        {
            RecomputeNext();
        }
        finally
        {
            if (Concurrent) Monitor.Exit(_queue);
        }
    }

    // The next event due by Now that is still armed, taken off the queue; null when none is.
    private ScheduledEvent? NextDue()
    {
        if (Concurrent) Monitor.Enter(_queue);
        try
        {
            while (_queue.TryPeek(out var e, out var key) && key.Deadline <= Now)
            {
                _queue.Dequeue();
                if (!e.Cancelled && e.Deadline == key.Deadline) return e;
            }
            return null;
        }
        finally
        {
            if (Concurrent) Monitor.Exit(_queue);
        }
    }

    // ---- Snapshots (Machine.SaveSnapshot): time, the sequence that orders events due together, and each owner's events ----

    /// <summary>Writes virtual time and the event sequence counter; each event is written by its owner.</summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("clock");
        writer.Write(Now);
        writer.Write(_sequence);
    }

    /// <summary>
    /// Reads what <see cref="SaveState"/> wrote and empties the event queue: the owners of the events then re-arm them
    /// (<see cref="SnapshotReader.ReadEvent"/>) with the deadlines and order they had.
    /// </summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("clock");
        Now = reader.ReadUInt64();
        _sequence = reader.ReadUInt64();
        _queue.Clear();
        _next = ulong.MaxValue;
    }

    /// <summary>The events that will fire (armed, each counted once): what the owners must have saved.</summary>
    internal int ArmedEventCount
    {
        get
        {
            var armed = new HashSet<ScheduledEvent>();
            foreach (var (e, key) in _queue.UnorderedItems)
                if (!e.Cancelled && e.Deadline == key.Deadline) armed.Add(e);
            return armed.Count;
        }
    }

    // The sequence of the queue entry that will fire e: the earliest one at its deadline (a Reschedule leaves the older
    // entries in the queue; AdvanceTo skips those whose deadline is no longer the event's).
    internal ulong FiringSequence(ScheduledEvent e)
    {
        ulong best = ulong.MaxValue;
        foreach (var (entry, key) in _queue.UnorderedItems)
            if (ReferenceEquals(entry, e) && key.Deadline == e.Deadline && key.Sequence < best) best = key.Sequence;
        return best;
    }

    internal ScheduledEvent RestoreEvent(ScheduledEvent? e, Action callback, ulong deadline, ulong sequence)
    {
        if (sequence >= _sequence) throw new SnapshotFormatException("corrupt (an event's sequence is beyond the clock's)");
        e ??= new ScheduledEvent(callback, this);
        if (!ReferenceEquals(e.Clock, this)) throw new InvalidOperationException("the event belongs to another clock");
        e.Cancelled = false;
        e.Deadline = deadline;
        _queue.Enqueue(e, (deadline, sequence));
        if (deadline < _next) _next = deadline;
        return e;
    }

    /// <summary>Converts a duration in nanoseconds to cycles.</summary>
    public ulong NanosecondsToCycles(ulong ns) => (ulong)((UInt128)ns * CpuFrequencyHz / 1_000_000_000UL);
}

/// <summary>A callback scheduled on the <see cref="VirtualClock"/>.</summary>
public sealed class ScheduledEvent
{
    internal ScheduledEvent(Action callback, VirtualClock clock)
    {
        Callback = callback;
        Clock = clock;
    }

    internal Action Callback { get; }

    internal VirtualClock Clock { get; }

    // Its place among the events due at the same deadline (for snapshots).
    internal ulong Sequence => Clock.FiringSequence(this);

    /// <summary>When the event is due, in cycles.</summary>
    public ulong Deadline { get; internal set; }

    /// <summary>True once cancelled or fired.</summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Cancels the event if it has not fired yet.</summary>
    public void Cancel() => Cancelled = true;
}
