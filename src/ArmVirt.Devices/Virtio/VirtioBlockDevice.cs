using ArmVirt.Core;
using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// virtio-blk (VIRTIO 1.2 section 5.2): one request queue; requests IN, OUT, FLUSH, GET_ID, DISCARD and
/// WRITE_ZEROES against an <see cref="IBlockBackend"/>. Data moves directly between guest RAM and the backend,
/// segment by segment, without intermediate buffers. Completion is immediate (on the notifying write).
/// </summary>
public sealed class VirtioBlockDevice : VirtioDevice, IDisposable
{
    /// <summary>Sector size of virtio-blk requests (always 512, whatever blk_size says).</summary>
    public const int SectorSize = 512;
    /// <summary>Length of the GET_ID answer (VIRTIO_BLK_ID_BYTES).</summary>
    public const int IdBytes = 20;

    /// <summary>VIRTIO_BLK_F_SEG_MAX.</summary>
    public const int FeatureSegMax = 2;
    /// <summary>VIRTIO_BLK_F_RO.</summary>
    public const int FeatureReadOnly = 5;
    /// <summary>VIRTIO_BLK_F_BLK_SIZE.</summary>
    public const int FeatureBlockSize = 6;
    /// <summary>VIRTIO_BLK_F_FLUSH.</summary>
    public const int FeatureFlush = 9;
    /// <summary>VIRTIO_BLK_F_DISCARD.</summary>
    public const int FeatureDiscard = 13;
    /// <summary>VIRTIO_BLK_F_WRITE_ZEROES.</summary>
    public const int FeatureWriteZeroes = 14;

    /// <summary>VIRTIO_BLK_T_IN.</summary>
    public const uint RequestIn = 0;
    /// <summary>VIRTIO_BLK_T_OUT.</summary>
    public const uint RequestOut = 1;
    /// <summary>VIRTIO_BLK_T_FLUSH.</summary>
    public const uint RequestFlush = 4;
    /// <summary>VIRTIO_BLK_T_GET_ID.</summary>
    public const uint RequestGetId = 8;
    /// <summary>VIRTIO_BLK_T_DISCARD.</summary>
    public const uint RequestDiscard = 11;
    /// <summary>VIRTIO_BLK_T_WRITE_ZEROES.</summary>
    public const uint RequestWriteZeroes = 13;

    /// <summary>VIRTIO_BLK_S_OK.</summary>
    public const byte StatusOk = 0;
    /// <summary>VIRTIO_BLK_S_IOERR.</summary>
    public const byte StatusIoError = 1;
    /// <summary>VIRTIO_BLK_S_UNSUPP.</summary>
    public const byte StatusUnsupported = 2;

    /// <summary>VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP.</summary>
    public const uint FlagUnmap = 1;

    // struct virtio_blk_config offsets (5.2.4).
    internal const int ConfigCapacity = 0, ConfigSegMax = 12, ConfigBlkSize = 20, ConfigMaxDiscardSectors = 36,
        ConfigMaxDiscardSeg = 40, ConfigDiscardAlignment = 44, ConfigMaxWriteZeroesSectors = 48,
        ConfigMaxWriteZeroesSeg = 52, ConfigWriteZeroesMayUnmap = 56, ConfigLength = 60;

    private const uint MaxDiscardSectors = 0x3F_FFFF; // QEMU's default limit (BDRV_REQUEST_MAX_SECTORS rounded)
    private const uint MaxDiscardSegments = 1;

    private readonly IBlockBackend _backend;
    private readonly byte[] _id = new byte[IdBytes];
    private readonly ulong _capacity;

    /// <summary>Creates the device over <paramref name="backend"/>.</summary>
    /// <param name="backend">The medium.</param>
    /// <param name="serial">Answer to GET_ID (at most 20 ASCII bytes, not NUL-terminated when 20 long).</param>
    /// <param name="queueSize">QueueNumMax of the request queue (a power of 2).</param>
    public VirtioBlockDevice(IBlockBackend backend, string serial = "", ushort queueSize = 256)
        : base(VirtioDeviceType.Block, ConfigLength, queueSize)
    {
        if (queueSize < 4 || (queueSize & (queueSize - 1)) != 0) throw new ArgumentOutOfRangeException(nameof(queueSize));
        _backend = backend;
        _capacity = (ulong)backend.Length / SectorSize;
        Encoding.ASCII.GetBytes(serial.AsSpan(0, Math.Min(serial.Length, IdBytes)), _id);
        SetConfig64(ConfigCapacity, _capacity);
        SetConfig32(ConfigSegMax, (uint)queueSize - 2); // as QEMU: header and status take two descriptors
        SetConfig32(ConfigBlkSize, SectorSize);
        SetConfig32(ConfigMaxDiscardSectors, MaxDiscardSectors);
        SetConfig32(ConfigMaxDiscardSeg, MaxDiscardSegments);
        SetConfig32(ConfigDiscardAlignment, 1);
        SetConfig32(ConfigMaxWriteZeroesSectors, MaxDiscardSectors);
        SetConfig32(ConfigMaxWriteZeroesSeg, MaxDiscardSegments);
        Config[ConfigWriteZeroesMayUnmap] = 0;
    }

    /// <summary>
    /// Adds the capacity: the disk image is not in the snapshot (the guest's writes went to it), so a restore refuses an
    /// image whose size changed since.
    /// </summary>
    protected internal override void SaveState(SnapshotWriter writer)
    {
        base.SaveState(writer);
        writer.Write(_capacity);
    }

    /// <inheritdoc/>
    protected internal override void RestoreState(SnapshotReader reader)
    {
        ulong capacity = _capacity;
        base.RestoreState(reader);
        ulong saved = reader.ReadUInt64();
        if (saved != capacity)
            throw new SnapshotFormatException($"virtio-blk: the disk image has {capacity} sectors, the snapshot was taken with {saved} (the disk changed size)");
    }

    /// <summary>The medium.</summary>
    public IBlockBackend Backend => _backend;

    /// <summary>Capacity in 512-byte sectors.</summary>
    public ulong Capacity => _capacity;

    /// <inheritdoc />
    public override ulong DeviceFeatures
    {
        get
        {
            ulong f = (1UL << FeatureSegMax) | (1UL << FeatureBlockSize) | (1UL << FeatureFlush);
            if (_backend.IsReadOnly) f |= 1UL << FeatureReadOnly;
            else f |= (1UL << FeatureDiscard) | (1UL << FeatureWriteZeroes);
            return f;
        }
    }

    /// <summary>Completed requests, by status byte.</summary>
    public long RequestsOk { get; private set; }

    /// <summary>Requests completed with VIRTIO_BLK_S_IOERR.</summary>
    public long RequestsFailed { get; private set; }

    /// <summary>Requests completed with VIRTIO_BLK_S_UNSUPP.</summary>
    public long RequestsUnsupported { get; private set; }

    /// <inheritdoc />
    protected internal override void QueueNotified(int index)
    {
        var q = Transport.GetQueue(index);
        while (q.TryPop(out var chain))
        {
            // 5.2.6.1: the header is 16 device-readable bytes; the status is the last device-writable byte.
            if (chain.ReadableLength < 16 || chain.WritableLength < 1)
            {
                Transport.DeviceError("virtio-blk: request without header or status byte");
                return;
            }
            long written = Execute(chain, out byte status);
            chain.CopyToWritable(chain.WritableLength - 1, new ReadOnlySpan<byte>(in status));
            switch (status)
            {
                case StatusOk: RequestsOk++; break;
                case StatusIoError: RequestsFailed++; break;
                default: RequestsUnsupported++; break;
            }
            q.Push(chain, (uint)Math.Min(written + 1, uint.MaxValue));
        }
        q.NotifyIfNeeded();
    }

    // Returns the data bytes written into the chain (the status byte excluded).
    private long Execute(DescriptorChain chain, out byte status)
    {
        Span<byte> header = stackalloc byte[16];
        chain.CopyFromReadable(0, header);
        uint type = BinaryPrimitives.ReadUInt32LittleEndian(header);
        ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        try
        {
            switch (type)
            {
                case RequestIn:
                {
                    long length = chain.WritableLength - 1;
                    if (!RangeOk(sector, length)) { status = StatusIoError; return 0; }
                    ReadInto(chain, (long)sector * SectorSize, length);
                    status = StatusOk;
                    return length;
                }
                case RequestOut:
                {
                    long length = chain.ReadableLength - 16;
                    if (_backend.IsReadOnly || !RangeOk(sector, length)) { status = StatusIoError; return 0; }
                    WriteFrom(chain, (long)sector * SectorSize);
                    // Without VIRTIO_BLK_F_FLUSH the driver assumes write-through (5.2.6.2).
                    if (!Negotiated(FeatureFlush)) _backend.Flush();
                    status = StatusOk;
                    return 0;
                }
                case RequestFlush:
                    _backend.Flush();
                    status = StatusOk;
                    return 0;
                case RequestGetId:
                {
                    int n = (int)Math.Min(IdBytes, chain.WritableLength - 1);
                    chain.CopyToWritable(0, _id.AsSpan(0, n));
                    status = StatusOk;
                    return n;
                }
                case RequestDiscard:
                case RequestWriteZeroes:
                    status = DiscardOrWriteZeroes(chain, type == RequestDiscard);
                    return 0;
                default:
                    status = StatusUnsupported;
                    return 0;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            status = StatusIoError;
            return 0;
        }
    }

    private bool RangeOk(ulong sector, long length)
    {
        if (length < 0 || length % SectorSize != 0) return false;
        ulong sectors = (ulong)length / SectorSize;
        return sector <= _capacity && sectors <= _capacity - sector;
    }

    private void ReadInto(DescriptorChain chain, long offset, long length)
    {
        for (int i = 0; i < chain.WritableSegmentCount && length > 0; i++)
        {
            var segment = chain.WritableSegment(i);
            int n = (int)Math.Min(segment.Length, length);
            _backend.Read(offset, segment[..n]);
            offset += n;
            length -= n;
        }
    }

    private void WriteFrom(DescriptorChain chain, long offset)
    {
        long skip = 16;
        for (int i = 0; i < chain.ReadableSegmentCount; i++)
        {
            var segment = chain.ReadableSegment(i);
            if (skip >= segment.Length) { skip -= segment.Length; continue; }
            var data = segment[(int)skip..];
            skip = 0;
            _backend.Write(offset, data);
            offset += data.Length;
        }
    }

    // 5.2.6.2 Device Requirements: Device Operation (discard and write zeroes).
    private byte DiscardOrWriteZeroes(DescriptorChain chain, bool discard)
    {
        if (!Negotiated(discard ? FeatureDiscard : FeatureWriteZeroes)) return StatusUnsupported;
        if (_backend.IsReadOnly) return StatusIoError;
        long payload = chain.ReadableLength - 16;
        if (payload <= 0 || payload % 16 != 0) return StatusUnsupported;
        long segments = payload / 16;
        if (segments > MaxDiscardSegments) return StatusUnsupported;
        Span<byte> range = stackalloc byte[16];
        for (long s = 0; s < segments; s++)
        {
            chain.CopyFromReadable(16 + s * 16, range);
            ulong sector = BinaryPrimitives.ReadUInt64LittleEndian(range);
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(range[8..]);
            uint flags = BinaryPrimitives.ReadUInt32LittleEndian(range[12..]);
            // Checked in QEMU's order: size and range (IOERR), then unknown flags, and UNMAP on a discard (UNSUPP).
            if (count > MaxDiscardSectors || !RangeOk(sector, (long)count * SectorSize)) return StatusIoError;
            if ((flags & ~(discard ? 0u : FlagUnmap)) != 0) return StatusUnsupported;
        }
        for (long s = 0; s < segments; s++)
        {
            chain.CopyFromReadable(16 + s * 16, range);
            long offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(range) * SectorSize;
            long length = (long)BinaryPrimitives.ReadUInt32LittleEndian(range[8..]) * SectorSize;
            if (discard) _backend.Discard(offset, length);
            else _backend.WriteZeroes(offset, length);
        }
        return StatusOk;
    }

    /// <summary>Disposes the backend (a raw file is flushed to disk and closed).</summary>
    public void Dispose() => _backend.Dispose();
}
