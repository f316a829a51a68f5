using ArmVirt.Core;

namespace ArmVirt.Timer;

/// <summary>
/// One timer of the generic timer (CNTP, CNTV, CNTHP or CNTPS): CTL, CVAL and TVAL with the timer condition
/// <c>count - offset &gt;= CVAL</c> (Arm ARM D11.2.4 "Timers"). The output line is high when ENABLE is set,
/// the condition holds and IMASK is clear; a virtual-time event is scheduled for when the condition will start to hold.
/// </summary>
internal sealed class GenericTimerChannel
{
    private const ulong Enable = 1, IMask = 2, IStatus = 4;
    private readonly GenericTimer _owner;
    private readonly Func<ulong> _offset;
    private ScheduledEvent? _event;
    private ulong _control;
    private ulong _compare;

    internal GenericTimerChannel(GenericTimer owner, string name, Func<ulong> offset)
    {
        _owner = owner;
        _offset = offset;
        Name = name;
        Output = new InterruptLine(name);
    }

    /// <summary>The timer's name, e.g. "cpu0.cntv".</summary>
    public string Name { get; }

    /// <summary>The interrupt output (to the GIC PPI).</summary>
    public InterruptLine Output { get; }

    /// <summary>The count this timer compares against (physical count minus the offset).</summary>
    public ulong Count => _owner.PhysicalCount - _offset();

    /// <summary>Whether the timer condition currently holds.</summary>
    public bool ConditionMet => Count >= _compare;

    /// <summary>CNTx_CTL: ENABLE (bit 0), IMASK (bit 1) writable; ISTATUS (bit 2) read-only, 0 while disabled.</summary>
    public ulong Control
    {
        get => _control | ((_control & Enable) != 0 && ConditionMet ? IStatus : 0);
        set
        {
            _control = value & (Enable | IMask);
            Update();
        }
    }

    /// <summary>CNTx_CVAL: the 64-bit compare value.</summary>
    public ulong CompareValue
    {
        get => _compare;
        set
        {
            _compare = value;
            Update();
        }
    }

    /// <summary>
    /// CNTx_TVAL: reads as the signed 32-bit distance <c>CVAL - count</c>; a write sets
    /// <c>CVAL = count + SignExtend(value&lt;31:0&gt;)</c>.
    /// </summary>
    public ulong TimerValue
    {
        get => (uint)(_compare - Count);
        set => CompareValue = Count + (ulong)(long)(int)(uint)value;
    }

    /// <summary>Resets CTL to zero (disabled); CVAL keeps its architecturally UNKNOWN value, here 0.</summary>
    public void Reset()
    {
        _control = 0;
        _compare = 0;
        Update();
    }

    internal void SaveState(SnapshotWriter writer)
    {
        writer.Section(Name);
        writer.Write(_control);
        writer.Write(_compare);
        writer.Write(_event);
    }

    // Restores CTL, CVAL and the deadline event exactly as saved, and drives the output from them.
    internal void RestoreState(SnapshotReader reader)
    {
        reader.Section(Name);
        _control = reader.ReadUInt64() & (Enable | IMask);
        _compare = reader.ReadUInt64();
        _event = reader.ReadEvent(_owner.Clock, _event, Update);
        Output.Set((_control & Enable) != 0 && ConditionMet && (_control & IMask) == 0);
    }

    /// <summary>Re-evaluates the output and the wake-up event, after a register or offset change or when the event fires.</summary>
    public void Update()
    {
        bool enabled = (_control & Enable) != 0;
        bool met = ConditionMet;
        Output.Set(enabled && met && (_control & IMask) == 0);
        if (enabled && !met)
        {
            ulong deadline = _owner.Counter.FirstCycleAtCount(_compare + _offset());
            if (_compare + _offset() < _compare) deadline = ulong.MaxValue; // offset wrap: the condition can never be met by counting
            if (deadline == ulong.MaxValue) { _event?.Cancel(); return; }
            if (_event == null) _event = _owner.Clock.Schedule(deadline, Update);
            else if (_event.Cancelled || _event.Deadline != deadline) _owner.Clock.Reschedule(_event, deadline);
        }
        else
        {
            _event?.Cancel();
        }
    }
}
