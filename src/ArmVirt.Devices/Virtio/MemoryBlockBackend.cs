namespace ArmVirt.Devices.Virtio;

/// <summary>A block medium held in host memory (volatile: nothing survives disposal).</summary>
public sealed class MemoryBlockBackend : IBlockBackend
{
    private readonly byte[] _data;

    /// <summary>A zero-filled medium of <paramref name="length"/> bytes.</summary>
    public MemoryBlockBackend(long length, bool readOnly = false)
    {
        if (length < 0 || length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length));
        _data = new byte[length];
        IsReadOnly = readOnly;
    }

    /// <summary>A medium over <paramref name="image"/> (not copied).</summary>
    public MemoryBlockBackend(byte[] image, bool readOnly = false)
    {
        _data = image;
        IsReadOnly = readOnly;
    }

    /// <summary>The medium's bytes.</summary>
    public Span<byte> Data => _data;

    /// <inheritdoc />
    public long Length => _data.LongLength;

    /// <inheritdoc />
    public bool IsReadOnly { get; }

    /// <summary>How many times <see cref="Flush"/> was called.</summary>
    public int FlushCount { get; private set; }

    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination) => _data.AsSpan(checked((int)offset), destination.Length).CopyTo(destination);

    /// <inheritdoc />
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (IsReadOnly) throw new IOException("Medium is read-only.");
        source.CopyTo(_data.AsSpan(checked((int)offset)));
    }

    /// <inheritdoc />
    public void Flush() => FlushCount++;

    /// <inheritdoc />
    public void WriteZeroes(long offset, long length)
    {
        if (IsReadOnly) throw new IOException("Medium is read-only.");
        _data.AsSpan(checked((int)offset), checked((int)length)).Clear();
    }

    /// <inheritdoc />
    public void Discard(long offset, long length) => WriteZeroes(offset, length);

    /// <inheritdoc />
    public void Dispose() { }
}
