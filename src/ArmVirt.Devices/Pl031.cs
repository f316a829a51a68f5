using ArmVirt.Core;

namespace ArmVirt.Devices;

/// <summary>
/// ARM PrimeCell Real Time Clock (PL031) Technical Reference Manual r1p3: a 32-bit seconds counter with a match
/// interrupt. Time comes from the virtual clock: the counter starts at <see cref="Pl031(VirtualClock, Func{ulong}, uint)"/>'s
/// epoch and advances one per second of virtual time, so runs are repeatable unless the host supplies a real epoch.
/// </summary>
internal sealed class Pl031 : RegisterMappedDevice, ISnapshotState
{
    private readonly VirtualClock _clock;
    private readonly Func<ulong> _now;
    private ScheduledEvent? _matchEvent;
    private long _offset;          // counter = seconds elapsed + _offset
    private uint _match;
    private bool _maskSet;
    private bool _raw;

    /// <summary>Creates the RTC.</summary>
    /// <param name="clock">The scheduler, also giving the cycle frequency.</param>
    /// <param name="now">Current virtual time in cycles.</param>
    /// <param name="epochSeconds">Counter value at virtual time 0 (seconds since 1970).</param>
    public Pl031(VirtualClock clock, Func<ulong> now, uint epochSeconds) : base("pl031")
    {
        _clock = clock;
        _now = now;
        _offset = epochSeconds;
        Interrupt = new InterruptLine("pl031");
        Registers.Define("RTCDR", 0x000, read: () => Counter, writeMask: 0);
        Registers.Define("RTCMR", 0x004, read: () => _match, write: v => { _match = (uint)v; ScheduleMatch(); });
        Registers.Define("RTCLR", 0x008, read: () => Counter, write: v => { _offset = (long)(uint)v - (long)ElapsedSeconds; ScheduleMatch(); });
        // The counter always runs, as in QEMU's model: RTCCR reads 1 and writes are ignored once started.
        Registers.Define("RTCCR", 0x00C, read: () => 1, write: _ => { });
        Registers.Define("RTCIMSC", 0x010, read: () => _maskSet ? 1UL : 0, write: v => { _maskSet = (v & 1) != 0; UpdateLine(); });
        Registers.Define("RTCRIS", 0x014, read: () => _raw ? 1UL : 0, writeMask: 0);
        Registers.Define("RTCMIS", 0x018, read: () => _raw && _maskSet ? 1UL : 0, writeMask: 0);
        Registers.Define("RTCICR", 0x01C, read: () => 0, write: v => { if ((v & 1) != 0) { _raw = false; UpdateLine(); } });
        byte[] id = [0x31, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1];
        for (int i = 0; i < id.Length; i++)
        {
            string name = i < 4 ? $"RTCPeriphID{i}" : $"RTCPCellID{i - 4}";
            Registers.Define(name, 0xFE0 + (ulong)(i * 4), reset: id[i], writeMask: 0);
        }
        ScheduleMatch();
    }

    /// <summary>The RTCINTR output (SPI 2 on the virt machine).</summary>
    public InterruptLine Interrupt { get; }

    /// <summary>RTCDR: the current counter value.</summary>
    public uint Counter => (uint)((long)ElapsedSeconds + _offset);

    private ulong ElapsedSeconds => _now() / _clock.CpuFrequencyHz;

    /// <summary>Writes the counter's offset from virtual time, RTCMR, RTCIMSC, the raw status and the next match.</summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("pl031");
        writer.Write(_offset);
        writer.Write(_match);
        writer.Write(_maskSet);
        writer.Write(_raw);
        writer.Write(_matchEvent);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives RTCINTR from it.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("pl031");
        _offset = reader.ReadInt64();
        _match = reader.ReadUInt32();
        _maskSet = reader.ReadBool();
        _raw = reader.ReadBool();
        _matchEvent = reader.ReadEvent(_clock, _matchEvent, OnMatch);
        UpdateLine();
    }

    // The match interrupt is raised when the counter becomes equal to RTCMR (PL031 TRM 2.2.2).
    private void ScheduleMatch()
    {
        uint distance = _match - Counter; // whole seconds until the counter next equals RTCMR
        ulong seconds = ElapsedSeconds + (distance == 0 ? 1UL << 32 : distance);
        ulong deadline = seconds > ulong.MaxValue / _clock.CpuFrequencyHz ? ulong.MaxValue : seconds * _clock.CpuFrequencyHz;
        if (_matchEvent == null) _matchEvent = _clock.Schedule(deadline, OnMatch);
        else _clock.Reschedule(_matchEvent, deadline);
    }

    private void OnMatch()
    {
        if (Counter == _match)
        {
            _raw = true;
            UpdateLine();
        }
        ScheduleMatch();
    }

    private void UpdateLine() => Interrupt.Set(_raw && _maskSet);
}
