using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Core;

/// <summary>
/// Writes a snapshot's state stream: little-endian integers, tagged sections and length-prefixed arrays, read back by a
/// <see cref="SnapshotReader"/> in the same order. Components write their fields one by one (no reflection, no layout
/// dependence), so a snapshot's bytes depend only on the state.
/// </summary>
public sealed class SnapshotWriter
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[8];

    /// <summary>Creates a writer over <paramref name="stream"/>.</summary>
    public SnapshotWriter(Stream stream) => _stream = stream ?? throw new ArgumentNullException(nameof(stream));

    /// <summary>Starts a section: its tag lets the reader detect a stream that does not fit the machine.</summary>
    public void Section(string tag) => Write(tag);

    /// <summary>Writes a byte.</summary>
    public void Write(byte value) => _stream.WriteByte(value);

    /// <summary>Writes a boolean as one byte.</summary>
    public void Write(bool value) => _stream.WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a 32-bit integer.</summary>
    public void Write(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer, value);
        _stream.Write(_buffer, 0, 4);
    }

    /// <summary>Writes a 32-bit signed integer.</summary>
    public void Write(int value) => Write((uint)value);

    /// <summary>Writes a 64-bit integer.</summary>
    public void Write(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer, value);
        _stream.Write(_buffer, 0, 8);
    }

    /// <summary>Writes a 64-bit signed integer.</summary>
    public void Write(long value) => Write((ulong)value);

    /// <summary>Writes a string (UTF-8, length-prefixed; at most <see cref="SnapshotReader.MaxStringBytes"/> bytes).</summary>
    public void Write(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > SnapshotReader.MaxStringBytes) throw new ArgumentException("string too long for a snapshot", nameof(value));
        Write(bytes.Length);
        _stream.Write(bytes);
    }

    /// <summary>Writes raw bytes with their length.</summary>
    public void Write(ReadOnlySpan<byte> values)
    {
        Write(values.Length);
        _stream.Write(values);
    }

    /// <summary>Writes raw bytes without a length (the reader knows it).</summary>
    public void WriteRaw(ReadOnlySpan<byte> values) => _stream.Write(values);

    /// <summary>Writes an array of 64-bit integers with its length.</summary>
    public void Write(ReadOnlySpan<ulong> values)
    {
        Write(values.Length);
        foreach (ulong v in values) Write(v);
    }

    /// <summary>Writes an array of 32-bit integers with its length.</summary>
    public void Write(ReadOnlySpan<uint> values)
    {
        Write(values.Length);
        foreach (uint v in values) Write(v);
    }

    /// <summary>Writes an array of 16-bit integers with its length.</summary>
    public void Write(ReadOnlySpan<ushort> values)
    {
        Write(values.Length);
        foreach (ushort v in values) Write((uint)v);
    }

    /// <summary>Writes an array of booleans with its length.</summary>
    public void Write(ReadOnlySpan<bool> values)
    {
        Write(values.Length);
        foreach (bool v in values) Write(v);
    }

    /// <summary>
    /// Writes a clock event's schedule (read back by <see cref="SnapshotReader.ReadEvent"/>): whether it will fire, when, and its place
    /// among events due at the same time.
    /// </summary>
    public void Write(ScheduledEvent? e)
    {
        bool armed = e is { Cancelled: false };
        Write(armed);
        if (!armed) return;
        Write(e!.Deadline);
        Write(e.Sequence);
        EventsWritten++;
    }

    /// <summary>The armed clock events written so far (the machine checks it against the clock's queue).</summary>
    public int EventsWritten { get; private set; }
}
