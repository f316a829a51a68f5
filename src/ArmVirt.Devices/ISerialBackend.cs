namespace ArmVirt.Devices;

/// <summary>
/// The host side of a serial port's transmit line: where the bytes a guest UART sends end up.
/// Input travels the other way through <see cref="Pl011.EnqueueInput(ReadOnlySpan{byte})"/>.
/// </summary>
public interface ISerialBackend
{
    /// <summary>Receives one transmitted byte. Called on the thread that runs the guest.</summary>
    void Write(byte value);

    /// <summary>Pushes buffered output to its destination (called when the guest idles and at exit).</summary>
    void Flush() { }
}
