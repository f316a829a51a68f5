using System.Buffers;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// Frames received on another thread and held, in pooled buffers, until the emulation thread delivers them to the
/// device: bounded at <see cref="Capacity"/> frames, the rest dropped and counted. Thread-safe.
/// </summary>
internal sealed class ReceivedFrameQueue(int capacity)
{
    private readonly Queue<(byte[] Buffer, int Length)> _frames = new();
    private long _dropped;

    /// <summary>Frames held at most.</summary>
    public int Capacity { get; } = capacity;

    /// <summary>Frames dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues a copy of <paramref name="frame"/>.</summary>
    public void Enqueue(ReadOnlySpan<byte> frame)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        Add(copy, frame.Length);
    }

    /// <summary>Queues <paramref name="length"/> bytes of a buffer rented from <see cref="ArrayPool{T}.Shared"/>; the queue owns it.</summary>
    public void Add(byte[] rented, int length)
    {
        lock (_frames)
        {
            if (_frames.Count < Capacity)
            {
                _frames.Enqueue((rented, length));
                return;
            }
        }
        Interlocked.Increment(ref _dropped);
        ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Hands every queued frame, oldest first, to <paramref name="receiver"/> (dropped when it is null).</summary>
    public void Deliver(NetFrameReceiver? receiver)
    {
        while (true)
        {
            (byte[] Buffer, int Length) item;
            lock (_frames)
            {
                if (!_frames.TryDequeue(out item)) return;
            }
            try { receiver?.Invoke(item.Buffer.AsSpan(0, item.Length)); }
            finally { ArrayPool<byte>.Shared.Return(item.Buffer); }
        }
    }

    /// <summary>Drops every queued frame, returning its buffer.</summary>
    public void Clear()
    {
        lock (_frames)
            while (_frames.TryDequeue(out var item)) ArrayPool<byte>.Shared.Return(item.Buffer);
    }
}
