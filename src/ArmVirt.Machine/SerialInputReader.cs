using ArmVirt.Devices;

namespace ArmVirt.Machine;

/// <summary>
/// Feeds a host input stream into the PL011. A seekable stream (a file, a <see cref="MemoryStream"/>) is read
/// completely up front so runs are repeatable; any other stream (a pipe, the console) is read by a background
/// thread, and the guest thread can block in <see cref="WaitForInput"/> while the CPU idles.
/// </summary>
internal sealed class SerialInputReader
{
    private readonly Pl011 _uart;
    private readonly SemaphoreSlim _arrived = new(0);
    private volatile bool _completed;

    public SerialInputReader(Stream input, Pl011 uart)
    {
        _uart = uart;
        if (input.CanSeek)
        {
            var all = new MemoryStream();
            input.CopyTo(all);
            uart.EnqueueInput(all.ToArray());
            _completed = true;
            return;
        }
        var thread = new Thread(() => Pump(input)) { IsBackground = true, Name = "armvirt serial input" };
        thread.Start();
    }

    /// <summary>True once the stream reached its end (or failed): no further input will arrive.</summary>
    public bool Completed => _completed;

    private void Pump(Stream input)
    {
        var buffer = new byte[256];
        try
        {
            int n;
            while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                _uart.EnqueueInput(buffer.AsSpan(0, n));
                _arrived.Release();
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        _completed = true;
        _arrived.Release();
    }

    /// <summary>Blocks until more input arrives; false when the stream has ended and nothing more can come.</summary>
    public bool WaitForInput()
    {
        if (_completed) return false;
        _arrived.Wait();
        while (_arrived.CurrentCount > 0) _arrived.Wait(0);
        return !_completed || _uart.HasPendingInput;
    }
}
