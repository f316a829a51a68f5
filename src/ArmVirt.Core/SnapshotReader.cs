using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Core;

/// <summary>
/// Reads what a <see cref="SnapshotWriter"/> wrote, treating the stream as untrusted: every length is checked against
/// the component it is read into before anything is allocated or written, and a short stream, a section out of place or
/// a value out of range is a <see cref="SnapshotFormatException"/>.
/// </summary>
public sealed class SnapshotReader
{
    /// <summary>The longest string a snapshot holds.</summary>
    public const int MaxStringBytes = 4096;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[8];

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    public SnapshotReader(Stream stream) => _stream = stream ?? throw new ArgumentNullException(nameof(stream));

    /// <summary>Reads a section tag and fails unless it is <paramref name="tag"/>.</summary>
    public void Section(string tag)
    {
        string found = ReadString();
        if (found != tag) throw new SnapshotFormatException($"expected section '{tag}', found '{Printable(found)}' (corrupt, or another machine)");
    }

    private static string Printable(string s) => s.Length > 40 || s.Any(char.IsControl) ? "(unreadable)" : s;

    /// <summary>Fills <paramref name="destination"/> or fails as truncated.</summary>
    public void ReadExactly(Span<byte> destination)
    {
        try
        {
            _stream.ReadExactly(destination);
        }
        catch (EndOfStreamException)
        {
            throw new SnapshotFormatException("truncated");
        }
        catch (InvalidDataException e)
        {
            throw new SnapshotFormatException("corrupt (compressed data: " + e.Message.TrimEnd('.') + ")", e);
        }
    }

    /// <summary>Fails unless the stream has ended (for a compressed stream, this also checks its trailer).</summary>
    public void ExpectEnd()
    {
        int b;
        try
        {
            b = _stream.ReadByte();
        }
        catch (InvalidDataException e)
        {
            throw new SnapshotFormatException("corrupt (compressed data: " + e.Message.TrimEnd('.') + ")", e);
        }
        if (b != -1) throw new SnapshotFormatException("corrupt (data after the end)");
    }

    /// <summary>Reads a byte.</summary>
    public byte ReadByte()
    {
        ReadExactly(_buffer.AsSpan(0, 1));
        return _buffer[0];
    }

    /// <summary>Reads a boolean (0 or 1; anything else is corrupt).</summary>
    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        _ => throw new SnapshotFormatException("corrupt (a flag is neither 0 nor 1)"),
    };

    /// <summary>Reads a 32-bit integer.</summary>
    public uint ReadUInt32()
    {
        ReadExactly(_buffer.AsSpan(0, 4));
        return BinaryPrimitives.ReadUInt32LittleEndian(_buffer);
    }

    /// <summary>Reads a 32-bit signed integer.</summary>
    public int ReadInt32() => (int)ReadUInt32();

    /// <summary>Reads a 32-bit signed integer and fails unless it is in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int ReadInt32(int min, int max, string what)
    {
        int v = ReadInt32();
        if (v < min || v > max) throw new SnapshotFormatException($"corrupt ({what} {v} outside {min}..{max})");
        return v;
    }

    /// <summary>Reads a 64-bit integer.</summary>
    public ulong ReadUInt64()
    {
        ReadExactly(_buffer.AsSpan(0, 8));
        return BinaryPrimitives.ReadUInt64LittleEndian(_buffer);
    }

    /// <summary>Reads a 64-bit signed integer.</summary>
    public long ReadInt64() => (long)ReadUInt64();

    /// <summary>Reads a string of at most <see cref="MaxStringBytes"/> bytes.</summary>
    public string ReadString()
    {
        int length = ReadInt32(0, MaxStringBytes, "string length");
        Span<byte> bytes = stackalloc byte[length];
        ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private void ReadLength(int expected, string what)
    {
        int length = ReadInt32();
        if (length != expected) throw new SnapshotFormatException($"{what}: {length} entries in the snapshot, {expected} in this machine");
    }

    /// <summary>Reads a length-prefixed byte array into <paramref name="destination"/>, whose length it must have.</summary>
    public void Read(Span<byte> destination, string what)
    {
        ReadLength(destination.Length, what);
        ReadExactly(destination);
    }

    /// <summary>Reads a length-prefixed array of 64-bit integers into <paramref name="destination"/>, whose length it must have.</summary>
    public void Read(Span<ulong> destination, string what)
    {
        ReadLength(destination.Length, what);
        for (int i = 0; i < destination.Length; i++) destination[i] = ReadUInt64();
    }

    /// <summary>Reads a length-prefixed array of 32-bit integers into <paramref name="destination"/>, whose length it must have.</summary>
    public void Read(Span<uint> destination, string what)
    {
        ReadLength(destination.Length, what);
        for (int i = 0; i < destination.Length; i++) destination[i] = ReadUInt32();
    }

    /// <summary>Reads a length-prefixed array of 16-bit integers into <paramref name="destination"/>, whose length it must have.</summary>
    public void Read(Span<ushort> destination, string what)
    {
        ReadLength(destination.Length, what);
        for (int i = 0; i < destination.Length; i++)
        {
            uint v = ReadUInt32();
            if (v > ushort.MaxValue) throw new SnapshotFormatException($"corrupt ({what} entry {v} is not 16 bits)");
            destination[i] = (ushort)v;
        }
    }

    /// <summary>Reads a length-prefixed array of booleans into <paramref name="destination"/>, whose length it must have.</summary>
    public void Read(Span<bool> destination, string what)
    {
        ReadLength(destination.Length, what);
        for (int i = 0; i < destination.Length; i++) destination[i] = ReadBool();
    }

    /// <summary>
    /// Reads a clock event's schedule written by <see cref="SnapshotWriter.Write(ScheduledEvent?)"/> and re-arms
    /// <paramref name="existing"/> (or a new event calling <paramref name="callback"/>) on <paramref name="clock"/> exactly
    /// so; an event not armed in the snapshot is cancelled. Returns the event (null when none was needed).
    /// </summary>
    public ScheduledEvent? ReadEvent(VirtualClock clock, ScheduledEvent? existing, Action callback)
    {
        if (!ReadBool())
        {
            existing?.Cancel();
            return existing;
        }
        ulong deadline = ReadUInt64();
        ulong sequence = ReadUInt64();
        return clock.RestoreEvent(existing, callback, deadline, sequence);
    }
}
