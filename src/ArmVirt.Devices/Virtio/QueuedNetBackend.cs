namespace ArmVirt.Devices.Virtio;

/// <summary>
/// Hands frames that reach another backend on any thread to the device on its own machine's thread: what the inner
/// backend receives is copied into a bounded queue (pooled buffers) and delivered from <see cref="Poll"/>, which the
/// virtio-net device calls from a <c>VirtualClock</c> event. Put one in front of each <see cref="NetworkSwitchPort"/>
/// when the machines sharing a <see cref="NetworkSwitch"/> run on different threads, so that a machine's guest RAM is
/// only written by the thread that runs it. Sending stays synchronous.
/// </summary>
public sealed class QueuedNetBackend : INetBackend
{
    /// <summary>Frames held for the device; more are dropped (counted in <see cref="ReceiveDropped"/>).</summary>
    public const int MaxQueuedFrames = 1024;

    private readonly INetBackend _inner;
    private readonly ReceivedFrameQueue _received = new(MaxQueuedFrames);

    /// <summary>Queues what <paramref name="inner"/> receives; disposing this disposes it.</summary>
    public QueuedNetBackend(INetBackend inner)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _inner.Receiver = _received.Enqueue;
    }

    /// <summary>The wrapped backend.</summary>
    public INetBackend Inner => _inner;

    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => true;

    /// <summary>Frames dropped because the queue was full.</summary>
    public long ReceiveDropped => _received.Dropped;

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame) => _inner.Send(frame);

    /// <inheritdoc />
    public void Poll()
    {
        if (_inner.NeedsPolling) _inner.Poll();
        _received.Deliver(Receiver);
    }

    /// <summary>Disposes the inner backend and returns the queued buffers.</summary>
    public void Dispose()
    {
        _inner.Receiver = null;
        _inner.Dispose();
        _received.Clear();
    }
}
