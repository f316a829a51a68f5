using System.Buffers;

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
    private readonly Queue<(byte[] Buffer, int Length)> _received = new();
    private long _dropped;

    /// <summary>Queues what <paramref name="inner"/> receives; disposing this disposes it.</summary>
    public QueuedNetBackend(INetBackend inner)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _inner.Receiver = Enqueue;
    }

    /// <summary>The wrapped backend.</summary>
    public INetBackend Inner => _inner;

    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => true;

    /// <summary>Frames dropped because the queue was full.</summary>
    public long ReceiveDropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame) => _inner.Send(frame);

    private void Enqueue(ReadOnlySpan<byte> frame)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        lock (_received)
        {
            if (_received.Count < MaxQueuedFrames)
            {
                _received.Enqueue((copy, frame.Length));
                return;
            }
        }
        Interlocked.Increment(ref _dropped);
        ArrayPool<byte>.Shared.Return(copy);
    }

    /// <inheritdoc />
    public void Poll()
    {
        if (_inner.NeedsPolling) _inner.Poll();
        while (true)
        {
            (byte[] Buffer, int Length) item;
            lock (_received)
            {
                if (!_received.TryDequeue(out item)) return;
            }
            try { Receiver?.Invoke(item.Buffer.AsSpan(0, item.Length)); }
            finally { ArrayPool<byte>.Shared.Return(item.Buffer); }
        }
    }

    /// <summary>Disposes the inner backend and returns the queued buffers.</summary>
    public void Dispose()
    {
        _inner.Receiver = null;
        _inner.Dispose();
        lock (_received)
        {
            while (_received.TryDequeue(out var item)) ArrayPool<byte>.Shared.Return(item.Buffer);
        }
    }
}
