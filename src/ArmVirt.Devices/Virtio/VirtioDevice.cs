using ArmVirt.Core;
using System.Buffers.Binary;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A virtio device independent of its transport: its type, queues, feature bits and configuration space.
/// Subclasses process buffers when a queue is notified; the transport owns registers, status and interrupts.
/// </summary>
public abstract class VirtioDevice
{
    private readonly ushort[] _queueNumMax;
    private IVirtioTransport? _transport;

    /// <summary>Creates a device of <paramref name="type"/> with one maximum size per queue.</summary>
    protected VirtioDevice(VirtioDeviceType type, int configSize, params ushort[] queueNumMax)
    {
        DeviceType = type;
        _queueNumMax = queueNumMax;
        Config = new byte[configSize];
    }

    /// <summary>The virtio device ID.</summary>
    public VirtioDeviceType DeviceType { get; }

    /// <summary>Number of virtqueues.</summary>
    public int QueueCount => _queueNumMax.Length;

    /// <summary>Maximum size of queue <paramref name="index"/> (QueueNumMax).</summary>
    public ushort QueueNumMax(int index) => _queueNumMax[index];

    /// <summary>Device-type feature bits offered (bits 0-23 and 50-127 ranges of the device; transport bits are added by the transport).</summary>
    public abstract ulong DeviceFeatures { get; }

    /// <summary>The device-specific configuration space as the driver sees it (little-endian).</summary>
    protected byte[] Config { get; }

    /// <summary>Size in bytes of the configuration space.</summary>
    public int ConfigSize => Config.Length;

    /// <summary>The transport this device is plugged into (set when the transport is created).</summary>
    protected IVirtioTransport Transport => _transport ?? throw new InvalidOperationException("Device is not attached to a transport.");

    /// <summary>True when attached to a transport.</summary>
    public bool IsAttached => _transport != null;

    /// <summary>True when the feature bit <paramref name="bit"/> was negotiated.</summary>
    protected bool Negotiated(int bit) => _transport != null && (_transport.NegotiatedFeatures & (1UL << bit)) != 0;

    internal void Attach(IVirtioTransport transport)
    {
        if (_transport != null) throw new InvalidOperationException($"{DeviceType} device is already attached to a transport.");
        _transport = transport;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of configuration space at <paramref name="offset"/>.</summary>
    public virtual void ReadConfig(int offset, Span<byte> destination) => Config.AsSpan(offset, destination.Length).CopyTo(destination);

    /// <summary>A driver write to the configuration space; read-only fields ignore it (the default).</summary>
    public virtual void WriteConfig(int offset, ReadOnlySpan<byte> source) { }

    /// <summary>The driver notified queue <paramref name="index"/> (only called while the device is live).</summary>
    protected internal abstract void QueueNotified(int index);

    /// <summary>The driver set DRIVER_OK: process any buffers made available before it.</summary>
    protected internal virtual void DriverReady()
    {
        for (int i = 0; i < QueueCount; i++)
            if (Transport.GetQueue(i).IsReady) QueueNotified(i);
    }

    /// <summary>
    /// Writes the device's state for a machine snapshot: its configuration space here; a device with more state (a
    /// receive buffer, a pending event, a random generator's position) adds it after calling the base.
    /// </summary>
    protected internal virtual void SaveState(SnapshotWriter writer)
    {
        writer.Section(DeviceType.ToString());
        writer.Write(Config);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote.</summary>
    protected internal virtual void RestoreState(SnapshotReader reader)
    {
        reader.Section(DeviceType.ToString());
        reader.Read(Config, DeviceType + " configuration space");
    }

    /// <summary>Device reset (status written 0): drop in-flight state. Configuration space is kept.</summary>
    protected internal virtual void Reset() { }

    /// <summary>Writes a little-endian 16-bit configuration field.</summary>
    protected void SetConfig16(int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Config.AsSpan(offset), value);

    /// <summary>Writes a little-endian 32-bit configuration field.</summary>
    protected void SetConfig32(int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Config.AsSpan(offset), value);

    /// <summary>Writes a little-endian 64-bit configuration field.</summary>
    protected void SetConfig64(int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Config.AsSpan(offset), value);
}
