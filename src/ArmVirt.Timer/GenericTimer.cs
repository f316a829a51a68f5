using ArmVirt.Core;

namespace ArmVirt.Timer;

/// <summary>
/// The per-CPU generic timer (Arm ARM D11 "The Generic Timer in AArch64 state"): the EL1 physical timer (CNTP),
/// the virtual timer (CNTV, offset by CNTVOFF_EL2), the EL2 physical timer (CNTHP) and the secure physical timer
/// (CNTPS), plus CNTKCTL_EL1 and CNTHCTL_EL2. Access checks are the CPU's business: this type only holds state.
/// </summary>
internal sealed class GenericTimer
{
    private readonly Func<ulong> _now;
    private ulong _virtualOffset;

    /// <summary>Creates the timer of one CPU.</summary>
    /// <param name="counter">The system counter shared by all CPUs.</param>
    /// <param name="clock">Scheduler for the timers' deadlines.</param>
    /// <param name="now">This CPU's current time in cycles (its cycle counter).</param>
    /// <param name="cpuIndex">Used to name the outputs.</param>
    public GenericTimer(SystemCounter counter, VirtualClock clock, Func<ulong> now, int cpuIndex = 0)
    {
        Counter = counter;
        Clock = clock;
        _now = now;
        Physical = new GenericTimerChannel(this, $"cpu{cpuIndex}.cntp", static () => 0);
        Virtual = new GenericTimerChannel(this, $"cpu{cpuIndex}.cntv", () => _virtualOffset);
        HypervisorPhysical = new GenericTimerChannel(this, $"cpu{cpuIndex}.cnthp", static () => 0);
        SecurePhysical = new GenericTimerChannel(this, $"cpu{cpuIndex}.cntps", static () => 0);
        Reset();
    }

    /// <summary>The system counter.</summary>
    public SystemCounter Counter { get; }

    /// <summary>The scheduler.</summary>
    public VirtualClock Clock { get; }

    /// <summary>CNTP_*: EL1 physical timer, PPI 14 (INTID 30).</summary>
    public GenericTimerChannel Physical { get; }

    /// <summary>CNTV_*: virtual timer, PPI 11 (INTID 27).</summary>
    public GenericTimerChannel Virtual { get; }

    /// <summary>CNTHP_*: EL2 physical timer, PPI 10 (INTID 26).</summary>
    public GenericTimerChannel HypervisorPhysical { get; }

    /// <summary>CNTPS_*: secure physical timer, PPI 13 (INTID 29).</summary>
    public GenericTimerChannel SecurePhysical { get; }

    /// <summary>CNTPCT_EL0: the physical count now.</summary>
    public ulong PhysicalCount => Counter.CountAt(_now());

    /// <summary>CNTVCT_EL0: the physical count minus CNTVOFF_EL2.</summary>
    public ulong VirtualCount => PhysicalCount - _virtualOffset;

    /// <summary>CNTVOFF_EL2.</summary>
    public ulong VirtualOffset
    {
        get => _virtualOffset;
        set
        {
            _virtualOffset = value;
            Virtual.Update();
            _kernelStream = ScheduleEventStream(_kernelStream, _kernelControl, virtualCounter: true);
        }
    }

    /// <summary>CNTFRQ_EL0 as programmed by firmware (reset: the counter frequency, as QEMU does).</summary>
    public ulong Frequency { get; set; }

    /// <summary>CNTKCTL_EL1: EL0PCTEN, EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN (bits 9..0).</summary>
    public ulong KernelControl
    {
        get => _kernelControl;
        set
        {
            _kernelControl = value;
            _kernelStream = ScheduleEventStream(_kernelStream, value, virtualCounter: true);
        }
    }

    /// <summary>CNTHCTL_EL2 (FEAT_VHE absent): EL1PCTEN, EL1PCEN, EVNTEN, EVNTDIR, EVNTI (bits 7..0).</summary>
    public ulong HypervisorControl
    {
        get => _hypervisorControl;
        set
        {
            _hypervisorControl = value;
            _hypervisorStream = ScheduleEventStream(_hypervisorStream, value, virtualCounter: false);
        }
    }

    /// <summary>
    /// Called for each event of the event streams (CNTKCTL_EL1 / CNTHCTL_EL2 EVNTEN): the machine connects it to the
    /// CPU's event register so that WFE wakes up (Arm ARM D11.2.3 "Event streams").
    /// </summary>
    public Action? EventStreamTick { get; set; }

    /// <summary>
    /// Writes CNTVOFF_EL2, CNTFRQ_EL0, CNTKCTL_EL1, CNTHCTL_EL2, the event streams' next ticks and each channel's CTL and
    /// CVAL with its pending deadline (for <c>Machine.SaveSnapshot</c>); the counts derive from the CPU's cycles.
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("timer");
        writer.Write(_virtualOffset);
        writer.Write(Frequency);
        writer.Write(_kernelControl);
        writer.Write(_hypervisorControl);
        writer.Write(_kernelStream);
        writer.Write(_hypervisorStream);
        foreach (var c in Channels) c.SaveState(writer);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, after the CPU whose cycles drive the counter.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("timer");
        _virtualOffset = reader.ReadUInt64();
        Frequency = reader.ReadUInt64();
        _kernelControl = reader.ReadUInt64();
        _hypervisorControl = reader.ReadUInt64();
        _kernelStream = reader.ReadEvent(Clock, _kernelStream, OnKernelStreamEvent);
        _hypervisorStream = reader.ReadEvent(Clock, _hypervisorStream, OnHypervisorStreamEvent);
        foreach (var c in Channels) c.RestoreState(reader);
    }

    private GenericTimerChannel[] Channels => [Physical, Virtual, HypervisorPhysical, SecurePhysical];

    private ulong _kernelControl, _hypervisorControl;
    private ScheduledEvent? _kernelStream, _hypervisorStream;

    // An event stream fires when bit EVNTI of its counter (CNTVCT for CNTKCTL_EL1, CNTPCT for CNTHCTL_EL2) changes in
    // the direction EVNTDIR selects (0: 0 to 1, 1: 1 to 0). The next such count is found arithmetically and scheduled.
    private ScheduledEvent? ScheduleEventStream(ScheduledEvent? ev, ulong control, bool virtualCounter)
    {
        ev?.Cancel();
        if ((control & 4) == 0) return ev; // EVNTEN
        int bit = (int)((control >> 4) & 0xF);
        bool falling = (control & 8) != 0;
        ulong offset = virtualCounter ? _virtualOffset : 0;
        ulong count = PhysicalCount - offset;
        ulong period = 1UL << (bit + 1);
        ulong next = (count & ~(period - 1)) + (falling ? period : period >> 1);
        if (next <= count) next += period;
        ulong deadline = Counter.FirstCycleAtCount(next + offset);
        if (ev == null) return Clock.Schedule(deadline, virtualCounter ? OnKernelStreamEvent : OnHypervisorStreamEvent);
        Clock.Reschedule(ev, deadline); // the same event object is re-armed: no allocation per tick
        return ev;
    }

    private void OnKernelStreamEvent()
    {
        EventStreamTick?.Invoke();
        _kernelStream = ScheduleEventStream(_kernelStream, _kernelControl, virtualCounter: true);
    }

    private void OnHypervisorStreamEvent()
    {
        EventStreamTick?.Invoke();
        _hypervisorStream = ScheduleEventStream(_hypervisorStream, _hypervisorControl, virtualCounter: false);
    }

    /// <summary>Writable bits of CNTKCTL_EL1.</summary>
    public const ulong KernelControlMask = 0x3FF;

    /// <summary>Writable bits of CNTHCTL_EL2.</summary>
    public const ulong HypervisorControlMask = 0xFF;

    /// <summary>Warm reset: timers disabled, CNTVOFF 0, EL1 access to the physical counter and timer allowed.</summary>
    public void Reset()
    {
        _virtualOffset = 0;
        Frequency = Counter.FrequencyHz;
        KernelControl = 0;
        HypervisorControl = 0b11;
        Physical.Reset();
        Virtual.Reset();
        HypervisorPhysical.Reset();
        SecurePhysical.Reset();
    }
}
