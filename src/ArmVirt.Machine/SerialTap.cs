using System.Text;
using ArmVirt.Devices;

namespace ArmVirt.Machine;

/// <summary>
/// The PL011's backend as the machine sees it: every byte goes on to the user's backend, and, while
/// <see cref="Machine.WaitForSerial(string, TimeSpan)"/> waits, into the text it matches.
/// </summary>
internal sealed class SerialTap(ISerialBackend inner) : ISerialBackend
{
    private StringBuilder? _watched;
    private Func<StringBuilder, bool>? _matches;

    /// <summary>Called when the watched output matches (on the thread running the guest).</summary>
    public Action? Matched { get; set; }

    /// <summary>While set, bytes do not reach the user's backend (the reverse debugger re-executing output already shown).</summary>
    public bool Muted { get; set; }

    public void Write(byte value)
    {
        if (!Muted) inner.Write(value);
        if (_watched == null) return;
        _watched.Append((char)value); // bytes as Latin-1 characters: a console's ASCII unchanged, nothing lost
        if (_matches!(_watched))
        {
            _matches = static _ => false;
            Matched?.Invoke();
        }
    }

    public void Flush() => inner.Flush();

    /// <summary>Starts collecting output, testing it after each byte with <paramref name="matches"/>.</summary>
    public void Watch(Func<StringBuilder, bool> matches)
    {
        _watched = new StringBuilder();
        _matches = matches;
    }

    /// <summary>Stops collecting and returns what was collected.</summary>
    public string EndWatch()
    {
        string text = _watched?.ToString() ?? "";
        _watched = null;
        _matches = null;
        return text;
    }
}
