using System.Buffers;
using ArmVirt.Core;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// virtio-net (VIRTIO 1.2 section 5.1) with one receive and one transmit queue, VIRTIO_NET_F_MAC and
/// VIRTIO_NET_F_STATUS, and no offloads: every frame carries a virtio_net_hdr (12 bytes with VERSION_1, the
/// 10-byte legacy header otherwise) whose fields are all zero except num_buffers = 1. Frames that arrive while the
/// guest has no receive buffer wait in a bounded queue (pooled buffers) and are delivered when it adds some.
/// </summary>
public sealed class VirtioNetDevice : VirtioDevice, IDisposable
{
    /// <summary>VIRTIO_NET_F_MAC.</summary>
    public const int FeatureMac = 5;
    /// <summary>VIRTIO_NET_F_STATUS.</summary>
    public const int FeatureStatus = 16;
    /// <summary>VIRTIO_NET_F_MRG_RXBUF (not offered; only changes the legacy header length).</summary>
    public const int FeatureMergeRxBuffers = 15;
    /// <summary>VIRTIO_NET_S_LINK_UP.</summary>
    public const ushort StatusLinkUp = 1;
    /// <summary>Receive queue index (receiveq1).</summary>
    public const int ReceiveQueue = 0;
    /// <summary>Transmit queue index (transmitq1).</summary>
    public const int TransmitQueue = 1;
    /// <summary>Largest frame accepted in either direction (64 KiB MTU plus the Ethernet header).</summary>
    public const int MaxFrameLength = 65535 + 14;
    /// <summary>Frames held while the guest has no receive buffers.</summary>
    public const int MaxPendingFrames = 256;
    /// <summary>QEMU's first default MAC address, 52:54:00:12:34:56.</summary>
    public static ReadOnlySpan<byte> DefaultMac => [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    // struct virtio_net_config: mac[6], status, max_virtqueue_pairs, mtu.
    private const int ConfigStatus = 6, ConfigMaxPairs = 8, ConfigMtu = 10, ConfigLength = 12;
    private const int GsoNone = 0;

    private readonly INetBackend _backend;
    private readonly Queue<(byte[] Buffer, int Length)> _pending = new();
    private readonly VirtualClock? _clock;
    private readonly ulong _pollInterval;
    private readonly ScheduledEvent? _pollEvent;

    /// <summary>Creates the device.</summary>
    /// <param name="backend">The network it is connected to.</param>
    /// <param name="mac">The MAC address (default 52:54:00:12:34:56).</param>
    /// <param name="clock">Needed only for backends that must be polled (<see cref="INetBackend.NeedsPolling"/>).</param>
    /// <param name="pollIntervalCycles">Virtual time between polls of such a backend.</param>
    /// <param name="queueSize">QueueNumMax of both queues.</param>
    public VirtioNetDevice(INetBackend backend, ReadOnlySpan<byte> mac = default, VirtualClock? clock = null,
        ulong pollIntervalCycles = 100_000, ushort queueSize = 256)
        : base(VirtioDeviceType.Network, ConfigLength, queueSize, queueSize)
    {
        if (!mac.IsEmpty && mac.Length != 6) throw new ArgumentException("A MAC address has 6 bytes.", nameof(mac));
        _backend = backend;
        (mac.IsEmpty ? DefaultMac : mac).CopyTo(Config);
        SetConfig16(ConfigStatus, StatusLinkUp);
        SetConfig16(ConfigMaxPairs, 1);
        SetConfig16(ConfigMtu, 1500);
        backend.Receiver = FromBackend;
        if (backend.NeedsPolling)
        {
            _clock = clock ?? throw new ArgumentException("This backend must be polled: pass the machine's VirtualClock.", nameof(clock));
            _pollInterval = Math.Max(1, pollIntervalCycles);
            _pollEvent = _clock.Schedule(_clock.Now + _pollInterval, PollBackend);
        }
    }

    /// <summary>The MAC address in the configuration space.</summary>
    public ReadOnlySpan<byte> Mac => Config.AsSpan(0, 6);

    /// <summary>The backend.</summary>
    public INetBackend Backend => _backend;

    /// <summary>Link state reported in the status field; changing it sends a configuration change notification.</summary>
    public bool LinkUp
    {
        get => (Config[ConfigStatus] & StatusLinkUp) != 0;
        set
        {
            if (value == LinkUp) return;
            SetConfig16(ConfigStatus, value ? StatusLinkUp : (ushort)0);
            if (IsAttached) Transport.NotifyConfigChanged();
        }
    }

    /// <summary>
    /// Called at each point where frames from the backend can reach the guest: before each poll of a polled backend and
    /// before each frame the guest sends (an in-process backend may answer within <see cref="INetBackend.Send"/>). The
    /// points come in the same order in every run with the same inputs, under either engine: record and replay name
    /// each received frame by the point it arrived in (<c>Machine.RecordInput</c>).
    /// </summary>
    internal Action? InputPolling { get; set; }

    /// <summary>Called with each frame the backend hands to the device, before the device takes it (record).</summary>
    internal NetFrameReceiver? FrameReceived { get; set; }

    /// <summary>
    /// While set, frames from the backend are dropped unseen: a replayed machine takes its frames from the log only
    /// (<see cref="ReceiveFrame"/>), whatever its backend receives.
    /// </summary>
    internal bool BackendInputMuted { get; set; }

    /// <summary>Offers <paramref name="frame"/> to the guest as if the backend had received it (on the emulation thread).</summary>
    internal void ReceiveFrame(ReadOnlySpan<byte> frame) => Receive(frame);

    /// <summary>Frames the guest sent.</summary>
    public long FramesSent { get; private set; }
    /// <summary>Frames given to the guest.</summary>
    public long FramesReceived { get; private set; }
    /// <summary>Frames for the guest that were dropped (device not live, link down, queue full, buffer too small).</summary>
    public long ReceiveDropped { get; private set; }
    /// <summary>Frames from the guest that were dropped (offload requested, too long or link down).</summary>
    public long SendDropped { get; private set; }

    /// <inheritdoc />
    public override ulong DeviceFeatures => (1UL << FeatureMac) | (1UL << FeatureStatus);

    // 5.1.6.1: the header is 12 bytes with VERSION_1 (num_buffers always present), 10 for legacy without MRG_RXBUF.
    private int HeaderLength => Negotiated(VirtioFeature.Version1) || Negotiated(FeatureMergeRxBuffers) ? 12 : 10;

    /// <inheritdoc />
    protected internal override void QueueNotified(int index)
    {
        if (index == TransmitQueue) Transmit();
        else DeliverPending();
    }

    /// <inheritdoc />
    protected internal override void Reset() => DropPending();

    private void Transmit()
    {
        var q = Transport.GetQueue(TransmitQueue);
        int hl = HeaderLength;
        Span<byte> header = stackalloc byte[12];
        while (q.TryPop(out var chain))
        {
            if (chain.ReadableLength < hl)
            {
                Transport.DeviceError("virtio-net: transmit buffer shorter than virtio_net_hdr");
                return;
            }
            long length = chain.ReadableLength - hl;
            chain.CopyFromReadable(0, header[..hl]);
            // 5.1.6.2: without offloads negotiated, flags must be 0 and gso_type VIRTIO_NET_HDR_GSO_NONE.
            if (header[1] != GsoNone || length > MaxFrameLength || length < 14 || !LinkUp) SendDropped++;
            else
            {
                byte[] frame = ArrayPool<byte>.Shared.Rent((int)length);
                try
                {
                    chain.CopyFromReadable(hl, frame.AsSpan(0, (int)length));
                    FramesSent++;
                    InputPolling?.Invoke();
                    _backend.Send(frame.AsSpan(0, (int)length));
                }
                finally { ArrayPool<byte>.Shared.Return(frame); }
            }
            q.Push(chain, 0);
        }
        q.NotifyIfNeeded();
    }

    private void FromBackend(ReadOnlySpan<byte> frame)
    {
        if (BackendInputMuted) return;
        FrameReceived?.Invoke(frame);
        Receive(frame);
    }

    private void Receive(ReadOnlySpan<byte> frame)
    {
        if (!IsAttached || !Transport.IsLive || !LinkUp || frame.Length > MaxFrameLength)
        {
            ReceiveDropped++;
            return;
        }
        var q = Transport.GetQueue(ReceiveQueue);
        if (_pending.Count == 0 && q.HasAvailable)
        {
            Deliver(q, frame);
            q.NotifyIfNeeded();
            return;
        }
        if (_pending.Count >= MaxPendingFrames)
        {
            ReceiveDropped++;
            return;
        }
        byte[] copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        _pending.Enqueue((copy, frame.Length));
    }

    private void DeliverPending()
    {
        var q = Transport.GetQueue(ReceiveQueue);
        while (_pending.Count > 0 && q.HasAvailable)
        {
            var (buffer, length) = _pending.Dequeue();
            try { Deliver(q, buffer.AsSpan(0, length)); }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
        }
        q.NotifyIfNeeded();
    }

    // 5.1.6.3 Setting Up Receive Buffers / 5.1.6.4 Processing of Incoming Packets.
    private void Deliver(Virtqueue q, ReadOnlySpan<byte> frame)
    {
        if (!q.TryPop(out var chain)) return;
        int hl = HeaderLength;
        if (chain.WritableLength < hl + frame.Length)
        {
            // The buffer cannot hold the frame: give it back empty (Linux recycles a short buffer) and drop the frame.
            ReceiveDropped++;
            q.Push(chain, 0);
            return;
        }
        Span<byte> header = stackalloc byte[12];
        header.Clear();
        if (hl == 12) header[10] = 1; // num_buffers
        chain.CopyToWritable(0, header[..hl]);
        chain.CopyToWritable(hl, frame);
        FramesReceived++;
        q.Push(chain, (uint)(hl + frame.Length));
    }

    /// <summary>Adds the received frames the guest has not taken yet and the next poll of the backend.</summary>
    protected internal override void SaveState(SnapshotWriter writer)
    {
        base.SaveState(writer);
        writer.Write(_pending.Count);
        foreach (var (buffer, length) in _pending) writer.Write(buffer.AsSpan(0, length));
        writer.Write(_pollEvent);
    }

    /// <inheritdoc/>
    protected internal override void RestoreState(SnapshotReader reader)
    {
        base.RestoreState(reader);
        DropPending();
        int frames = reader.ReadInt32(0, MaxPendingFrames, "pending frames");
        for (int i = 0; i < frames; i++)
        {
            int length = reader.ReadInt32(0, 65536 + 64, "frame length");
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
            reader.ReadExactly(buffer.AsSpan(0, length));
            _pending.Enqueue((buffer, length));
        }
        if (!ReferenceEquals(reader.ReadEvent(_clock!, _pollEvent, PollBackend), _pollEvent))
            throw new SnapshotFormatException("virtio-net: polled in the snapshot, not in this machine");
    }

    private void PollBackend()
    {
        InputPolling?.Invoke();
        _backend.Poll();
        _clock!.Reschedule(_pollEvent!, _clock.Now + _pollInterval);
    }

    private void DropPending()
    {
        while (_pending.TryDequeue(out var item)) ArrayPool<byte>.Shared.Return(item.Buffer);
    }

    /// <summary>Stops polling, drops queued frames and disposes the backend.</summary>
    public void Dispose()
    {
        _pollEvent?.Cancel();
        DropPending();
        _backend.Receiver = null;
        _backend.Dispose();
    }
}
