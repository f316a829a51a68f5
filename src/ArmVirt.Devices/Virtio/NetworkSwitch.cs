using System.Buffers.Binary;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// An in-process Ethernet switch joining any number of endpoints (virtio-net devices, or test code) in one process.
/// It learns source MAC addresses per port; a frame to a learned unicast address goes to that port only, anything
/// else (broadcast, multicast, unknown) is flooded to every other port. Delivery is synchronous and deterministic.
/// Set <see cref="Capture"/> to record every frame that enters the switch. Thread-safe: one frame is switched at a
/// time; machines on different threads put a <see cref="QueuedNetBackend"/> in front of their port.
/// </summary>
public sealed class NetworkSwitch
{
    private readonly List<NetworkSwitchPort> _ports = new();
    private readonly Dictionary<ulong, NetworkSwitchPort> _macTable = new();
    private readonly object _lock = new();

    /// <summary>When set, every frame entering the switch is written to it.</summary>
    public PcapWriter? Capture { get; set; }

    /// <summary>The connected ports.</summary>
    public IReadOnlyList<NetworkSwitchPort> Ports => _ports;

    /// <summary>Frames that entered the switch.</summary>
    public long FramesSwitched { get; private set; }

    /// <summary>Frames sent to every other port because the destination was not a learned unicast address.</summary>
    public long FramesFlooded { get; private set; }

    /// <summary>Adds a port.</summary>
    public NetworkSwitchPort CreatePort(string name = "")
    {
        lock (_lock)
        {
            var port = new NetworkSwitchPort(this, name.Length > 0 ? name : $"port{_ports.Count}");
            _ports.Add(port);
            return port;
        }
    }

    /// <summary>The port where <paramref name="mac"/> was last seen as a source, or null.</summary>
    public NetworkSwitchPort? Lookup(ReadOnlySpan<byte> mac)
    {
        ulong key = Key(mac);
        lock (_lock) return _macTable.GetValueOrDefault(key);
    }

    internal void Remove(NetworkSwitchPort port)
    {
        lock (_lock)
        {
            _ports.Remove(port);
            foreach (var key in _macTable.Where(kv => kv.Value == port).Select(kv => kv.Key).ToList()) _macTable.Remove(key);
        }
    }

    private static ulong Key(ReadOnlySpan<byte> mac) => BinaryPrimitives.ReadUInt32BigEndian(mac) | ((ulong)BinaryPrimitives.ReadUInt16BigEndian(mac[4..]) << 32);

    internal void Forward(NetworkSwitchPort source, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14) return; // not an Ethernet frame
        lock (_lock) ForwardLocked(source, frame);
    }

    private void ForwardLocked(NetworkSwitchPort source, ReadOnlySpan<byte> frame)
    {
        FramesSwitched++;
        Capture?.WriteFrame(frame);
        var src = frame.Slice(6, 6);
        if ((src[0] & 1) == 0) _macTable[Key(src)] = source;
        var dst = frame[..6];
        if ((dst[0] & 1) == 0 && _macTable.TryGetValue(Key(dst), out var target))
        {
            if (target != source) target.Deliver(frame);
            return;
        }
        FramesFlooded++;
        foreach (var port in _ports)
            if (port != source) port.Deliver(frame);
    }
}
