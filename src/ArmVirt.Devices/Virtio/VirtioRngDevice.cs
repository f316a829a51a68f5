using ArmVirt.Core;
namespace ArmVirt.Devices.Virtio;

/// <summary>
/// virtio-rng, the entropy device (VIRTIO 1.2 section 5.4): one request queue whose device-writable buffers are
/// filled completely with bytes from an <see cref="IEntropySource"/>, a seeded deterministic one by default.
/// </summary>
public sealed class VirtioRngDevice : VirtioDevice
{
    private readonly IEntropySource _source;

    /// <summary>Creates the device; <paramref name="source"/> defaults to <see cref="DeterministicEntropySource"/> seeded with 0.</summary>
    public VirtioRngDevice(IEntropySource? source = null, ushort queueSize = 64)
        : base(VirtioDeviceType.EntropySource, 0, queueSize)
    {
        _source = source ?? new DeterministicEntropySource();
    }

    /// <inheritdoc/>
    protected internal override void SaveState(SnapshotWriter writer)
    {
        base.SaveState(writer);
        // A deterministic generator's position is guest-visible state; the host's entropy has none to keep.
        if (_source is ISnapshotState s)
        {
            writer.Write(true);
            s.SaveState(writer);
        }
        else writer.Write(false);
    }

    /// <inheritdoc/>
    protected internal override void RestoreState(SnapshotReader reader)
    {
        base.RestoreState(reader);
        bool saved = reader.ReadBool();
        if (saved != _source is ISnapshotState) throw new SnapshotFormatException("virtio-rng: the snapshot's entropy source differs from this machine's (--rng seed= or host)");
        if (saved) ((ISnapshotState)_source).RestoreState(reader);
    }

    /// <summary>Bytes given to the guest.</summary>
    public long BytesProvided { get; private set; }

    /// <inheritdoc />
    public override ulong DeviceFeatures => 0;

    /// <inheritdoc />
    protected internal override void QueueNotified(int index)
    {
        var q = Transport.GetQueue(index);
        while (q.TryPop(out var chain))
        {
            // 5.4.6.1: the device writes random bytes into the device-writable part of the buffer.
            long total = 0;
            for (int i = 0; i < chain.WritableSegmentCount; i++)
            {
                var segment = chain.WritableSegment(i);
                _source.Fill(segment);
                total += segment.Length;
            }
            BytesProvided += total;
            q.Push(chain, (uint)Math.Min(total, uint.MaxValue));
        }
        q.NotifyIfNeeded();
    }
}
