using System.Buffers.Binary;
using ArmVirt.Core;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// Writes frames to a classic libpcap capture (magic 0xa1b2c3d4, version 2.4, LINKTYPE_ETHERNET, microsecond
/// timestamps). Timestamps are virtual time when a <see cref="VirtualClock"/> is given, so captures are repeatable;
/// otherwise zero. Thread-safe.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>LINKTYPE_ETHERNET.</summary>
    public const uint LinkTypeEthernet = 1;
    /// <summary>The classic microsecond-resolution pcap magic number.</summary>
    public const uint Magic = 0xA1B2C3D4;

    private readonly Stream _stream;
    private readonly VirtualClock? _clock;
    private readonly bool _leaveOpen;
    private readonly object _lock = new();

    /// <summary>Starts a capture on <paramref name="stream"/> by writing the global header.</summary>
    public PcapWriter(Stream stream, VirtualClock? clock = null, int snapLength = 65535, bool leaveOpen = false)
    {
        if (snapLength <= 0) throw new ArgumentOutOfRangeException(nameof(snapLength));
        _stream = stream;
        _clock = clock;
        _leaveOpen = leaveOpen;
        SnapLength = snapLength;
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);   // thiszone
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // sigfigs
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], LinkTypeEthernet);
        _stream.Write(header);
    }

    /// <summary>Longest part of a frame recorded.</summary>
    public int SnapLength { get; }

    /// <summary>Frames written so far.</summary>
    public long FrameCount { get; private set; }

    /// <summary>Appends one frame record.</summary>
    public void WriteFrame(ReadOnlySpan<byte> frame)
    {
        ulong micros = 0;
        if (_clock != null) micros = (ulong)((UInt128)_clock.Now * 1_000_000 / _clock.CpuFrequencyHz);
        int captured = Math.Min(frame.Length, SnapLength);
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(micros / 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)(micros % 1_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)frame.Length);
        lock (_lock)
        {
            _stream.Write(record);
            _stream.Write(frame[..captured]);
            FrameCount++;
        }
    }

    /// <summary>Flushes the underlying stream.</summary>
    public void Flush()
    {
        lock (_lock) _stream.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _stream.Flush();
            if (!_leaveOpen) _stream.Dispose();
        }
    }
}
