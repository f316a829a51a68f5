using Microsoft.Win32.SafeHandles;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A raw disk image file. Reads and writes go straight to the file at their offsets (no host-side cache in this
/// process, writes issued in guest order); <see cref="Flush"/> and disposal call <see cref="FileStream.Flush(bool)"/>
/// with <c>flushToDisk: true</c>. The image size is fixed when opened; a partial last sector reads as zeros.
/// </summary>
public sealed class RawFileBlockBackend : IBlockBackend
{
    private const int ZeroChunk = 64 * 1024;
    private static readonly byte[] s_zeroes = new byte[ZeroChunk];
    private readonly FileStream _stream;
    private readonly SafeFileHandle _handle;

    /// <summary>Opens <paramref name="path"/>; read-only opens share reading and writing with others, read-write only reading.</summary>
    public RawFileBlockBackend(string path, bool readOnly = false)
    {
        Path = path;
        IsReadOnly = readOnly;
        _stream = new FileStream(path, FileMode.Open, readOnly ? FileAccess.Read : FileAccess.ReadWrite,
            readOnly ? FileShare.ReadWrite : FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        _handle = _stream.SafeFileHandle;
        Length = _stream.Length;
    }

    /// <summary>The image path.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public long Length { get; }

    /// <inheritdoc />
    public bool IsReadOnly { get; }

    /// <inheritdoc />
    public void Read(long offset, Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            int n = RandomAccess.Read(_handle, destination, offset);
            if (n == 0)
            {
                destination.Clear(); // the image shrank underneath us: what is missing reads as zeros
                return;
            }
            destination = destination[n..];
            offset += n;
        }
    }

    /// <inheritdoc />
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        if (IsReadOnly) throw new IOException($"{Path} is open read-only.");
        RandomAccess.Write(_handle, source, offset);
    }

    /// <inheritdoc />
    public void Flush()
    {
        if (!IsReadOnly) _stream.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public void WriteZeroes(long offset, long length)
    {
        if (IsReadOnly) throw new IOException($"{Path} is open read-only.");
        while (length > 0)
        {
            int n = (int)Math.Min(length, ZeroChunk);
            RandomAccess.Write(_handle, s_zeroes.AsSpan(0, n), offset);
            offset += n;
            length -= n;
        }
    }

    /// <inheritdoc />
    public void Discard(long offset, long length) => WriteZeroes(offset, length);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_stream.CanRead) return;
        Flush();
        _stream.Dispose();
    }
}
