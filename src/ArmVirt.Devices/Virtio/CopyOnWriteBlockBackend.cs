namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A copy-on-write overlay over a base medium, like QEMU's <c>snapshot=on</c>: reads see the base image until a
/// cluster is written, writes go to clusters held in memory, and the base is only ever read. Everything written is
/// lost at disposal.
/// </summary>
public sealed class CopyOnWriteBlockBackend : IBlockBackend
{
    private readonly IBlockBackend _base;
    private readonly bool _ownsBase;
    private readonly int _clusterSize;
    private readonly Dictionary<long, byte[]> _clusters = new();

    /// <summary>Creates an overlay over <paramref name="baseImage"/>, disposing it with the overlay when <paramref name="ownsBase"/>.</summary>
    public CopyOnWriteBlockBackend(IBlockBackend baseImage, bool ownsBase = true, int clusterSize = 64 * 1024)
    {
        if (clusterSize <= 0 || (clusterSize & (clusterSize - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(clusterSize));
        _base = baseImage;
        _ownsBase = ownsBase;
        _clusterSize = clusterSize;
    }

    /// <inheritdoc />
    public long Length => _base.Length;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <summary>Number of clusters copied into the overlay.</summary>
    public int OverlayClusterCount => _clusters.Count;

    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            long index = offset / _clusterSize;
            int within = (int)(offset % _clusterSize);
            int n = Math.Min(destination.Length, _clusterSize - within);
            if (_clusters.TryGetValue(index, out var cluster)) cluster.AsSpan(within, n).CopyTo(destination);
            else _base.Read(offset, destination[..n]);
            destination = destination[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        while (source.Length > 0)
        {
            int within = (int)(offset % _clusterSize);
            int n = Math.Min(source.Length, _clusterSize - within);
            source[..n].CopyTo(Cluster(offset / _clusterSize, within == 0 && n == _clusterSize).AsSpan(within));
            source = source[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void WriteZeroes(long offset, long length)
    {
        while (length > 0)
        {
            int within = (int)(offset % _clusterSize);
            int n = (int)Math.Min(length, _clusterSize - within);
            Cluster(offset / _clusterSize, within == 0 && n == _clusterSize).AsSpan(within, n).Clear();
            length -= n;
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Discard(long offset, long length) => WriteZeroes(offset, length);

    // The overlay copy of cluster `index`, filled from the base unless the caller overwrites all of it.
    private byte[] Cluster(long index, bool wholeOverwrite)
    {
        if (_clusters.TryGetValue(index, out var cluster)) return cluster;
        cluster = new byte[_clusterSize];
        long start = index * _clusterSize;
        int valid = (int)Math.Min(_clusterSize, Length - start);
        if (!wholeOverwrite && valid > 0) _base.Read(start, cluster.AsSpan(0, valid));
        _clusters.Add(index, cluster);
        return cluster;
    }

    /// <summary>Nothing to make durable: the overlay is discarded at exit, as with <c>snapshot=on</c>.</summary>
    public void Flush() { }

    /// <inheritdoc />
    public void Dispose()
    {
        _clusters.Clear();
        if (_ownsBase) _base.Dispose();
    }
}
