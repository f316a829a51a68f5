namespace ArmVirt.Devices;

/// <summary>
/// A serial backend writing to a <see cref="Stream"/> (the console's standard output, a file, a
/// <see cref="MemoryStream"/> in tests). Output is buffered and flushed at each line feed and on <see cref="Flush"/>.
/// </summary>
public sealed class StreamSerialBackend : ISerialBackend
{
    private readonly Stream _output;
    private readonly byte[] _buffer = new byte[4096];
    private int _count;

    /// <summary>Creates a backend that writes to <paramref name="output"/>.</summary>
    public StreamSerialBackend(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The serial output stream is not writable.", nameof(output));
        _output = output;
    }

    /// <inheritdoc />
    public void Write(byte value)
    {
        _buffer[_count++] = value;
        if (value == (byte)'\n' || _count == _buffer.Length) Flush();
    }

    /// <inheritdoc />
    public void Flush()
    {
        if (_count != 0)
        {
            _output.Write(_buffer, 0, _count);
            _count = 0;
        }
        _output.Flush();
    }
}
