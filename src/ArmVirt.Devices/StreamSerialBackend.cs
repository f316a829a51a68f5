namespace ArmVirt.Devices;

/// <summary>
/// A serial backend writing to a <see cref="Stream"/> (the console's standard output, a file, a
/// <see cref="MemoryStream"/> in tests). Each byte is written through immediately, so output interleaves correctly
/// with anything else writing to the same stream (semihosting, the runner's messages).
/// </summary>
public sealed class StreamSerialBackend : ISerialBackend
{
    private readonly Stream _output;

    /// <summary>Creates a backend that writes to <paramref name="output"/>.</summary>
    public StreamSerialBackend(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The serial output stream is not writable.", nameof(output));
        _output = output;
    }

    /// <inheritdoc />
    public void Write(byte value) => _output.WriteByte(value);

    /// <inheritdoc />
    public void Flush() => _output.Flush();
}
