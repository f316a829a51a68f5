using ArmVirt.Core;

namespace CustomDevice;

/// <summary>
/// A doorbell: a memory-mapped device with one level-sensitive interrupt, written as a user of the ArmVirt package writes
/// one (samples/README.md). A ring, by the guest writing RING or by the host calling <see cref="Ring"/>, latches a value
/// and raises the interrupt line; the line stays high until the guest writes ACK. Registers, 32 bits each:
/// <code>
/// 0x00 ID      RO  0x4442454C ("DBEL")
/// 0x04 RING    WO  rings with the value written
/// 0x08 DATA    RO  the value of the last ring
/// 0x0C STATUS  RO  bit 0 PENDING (the line's level), bit 1 OVERRUN (rung again while pending)
/// 0x10 ACK     WO  writing bit 0 clears PENDING and OVERRUN: the line drops
/// 0x14 COUNT   RO  rings since the last reset
/// </code>
/// Declared once through the package's register model (<see cref="RegisterMappedDevice"/>): offsets without a register
/// read as zero and ignore writes, and the machine's logger reports them (<c>MachineBuilder.WithLogger</c>). Its state
/// goes into machine snapshots (<see cref="ISnapshotState"/>), and a machine reset (<c>Machine.Reset</c>, the guest's PSCI
/// SYSTEM_RESET) puts its registers back and lowers its line (<see cref="IResettable"/>).
/// </summary>
public sealed class Doorbell : RegisterMappedDevice, ISnapshotState, IResettable
{
    /// <summary>The value ID reads: "DBEL" in ASCII.</summary>
    public const uint Identification = 0x4442_454C;

    /// <summary>The device-tree compatible string a driver (tests/guests/doorbell.c) looks for.</summary>
    public const string Compatible = "acme,doorbell";

    /// <summary>The size of the register window.</summary>
    public const ulong Size = 0x1000;

    private uint _data, _count;
    private bool _pending, _overrun;
    private readonly List<uint> _guestRings = [];

    /// <summary>Creates the device with its line low.</summary>
    public Doorbell() : base("doorbell")
    {
        Registers.Define("ID", 0x00, reset: Identification, writeMask: 0);
        Registers.Define("RING", 0x04, read: () => 0, write: v =>
        {
            _guestRings.Add((uint)v);
            RingWith((uint)v);
        });
        Registers.Define("DATA", 0x08, read: () => _data, writeMask: 0);
        Registers.Define("STATUS", 0x0C, read: () => (_pending ? 1u : 0) | (_overrun ? 2u : 0), writeMask: 0);
        Registers.Define("ACK", 0x10, read: () => 0, write: v =>
        {
            if ((v & 1) == 0) return;
            _pending = _overrun = false;
            Acknowledgements++;
            Interrupt.Set(false);
        });
        Registers.Define("COUNT", 0x14, read: () => _count, writeMask: 0);
    }

    /// <summary>The device's interrupt output: give it to <c>MachineBuilder.WithDevice</c> with the SPI it reaches.</summary>
    public InterruptLine Interrupt { get; } = new("doorbell");

    /// <summary>The values the guest rang with, in order.</summary>
    public IReadOnlyList<uint> GuestRings => _guestRings;

    /// <summary>Rings since the last reset, by the guest and by the host (the COUNT register).</summary>
    public uint Count => _count;

    /// <summary>How many times the guest acknowledged the device (wrote ACK with bit 0 set).</summary>
    public int Acknowledgements { get; private set; }

    /// <summary>How many times the line went from low to high.</summary>
    public int InterruptsRaised { get; private set; }

    /// <summary>
    /// The reset a power cycle gives the device (called by the machine, <see cref="IResettable"/>): DATA, STATUS and COUNT
    /// read zero again and the line drops. <see cref="GuestRings"/>, <see cref="Acknowledgements"/> and
    /// <see cref="InterruptsRaised"/> are the host's record of what happened, not registers: they go on.
    /// </summary>
    public void Reset()
    {
        _data = _count = 0;
        _pending = _overrun = false;
        Interrupt.Set(false);
    }

    /// <summary>Rings the guest from the host, as a back end would: call it between <c>Machine.Run</c> calls.</summary>
    public void Ring(uint value) => RingWith(value);

    private void RingWith(uint value)
    {
        if (_pending) _overrun = true;
        else InterruptsRaised++;
        _pending = true;
        _data = value;
        _count++;
        Interrupt.Set(true);
    }

    /// <inheritdoc />
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("doorbell");
        writer.Write(_data);
        writer.Write(_count);
        writer.Write(_pending);
        writer.Write(_overrun);
        writer.Write(Acknowledgements);
        writer.Write(InterruptsRaised);
        writer.Write(_guestRings.Count);
        foreach (uint v in _guestRings) writer.Write(v);
    }

    /// <inheritdoc />
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("doorbell");
        _data = reader.ReadUInt32();
        _count = reader.ReadUInt32();
        _pending = reader.ReadBool();
        _overrun = reader.ReadBool();
        Acknowledgements = reader.ReadInt32(0, int.MaxValue, "doorbell acknowledgements");
        InterruptsRaised = reader.ReadInt32(0, int.MaxValue, "doorbell interrupts raised");
        int rings = reader.ReadInt32(0, 1 << 24, "doorbell guest rings");
        _guestRings.Clear();
        for (int i = 0; i < rings; i++) _guestRings.Add(reader.ReadUInt32());
        Interrupt.Set(_pending); // the line's level is the device's state (the GIC restores its own view of it after this)
    }
}
