namespace ArmVirt.Core;

/// <summary>
/// One register of a memory-mapped device, declared once: offset, width, reset value and behaviour.
/// A register without a read hook reads its stored value; without a write hook a write stores
/// <c>(old &amp; ~WriteMask) | (new &amp; WriteMask)</c>.
/// </summary>
public sealed class MmioRegister
{
    internal MmioRegister(string name, ulong offset, int width, ulong reset, ulong writeMask,
        Func<ulong>? read, Action<ulong>? write, bool narrowAccess)
    {
        Name = name;
        Offset = offset;
        Width = width;
        ResetValue = reset;
        WriteMask = writeMask;
        ReadHook = read;
        WriteHook = write;
        AllowsNarrowAccess = narrowAccess;
        Value = reset;
    }

    /// <summary>Register name as in the device's technical reference manual.</summary>
    public string Name { get; }

    /// <summary>Byte offset from the device base.</summary>
    public ulong Offset { get; }

    /// <summary>Width in bytes (1, 2, 4 or 8).</summary>
    public int Width { get; }

    /// <summary>Value after reset.</summary>
    public ulong ResetValue { get; }

    /// <summary>Bits a plain write may change; 0 means read-only.</summary>
    public ulong WriteMask { get; }

    /// <summary>Whether byte and halfword accesses inside the register are permitted.</summary>
    public bool AllowsNarrowAccess { get; }

    /// <summary>The stored value, used when no read hook is declared.</summary>
    public ulong Value { get; set; }

    internal Func<ulong>? ReadHook { get; }
    internal Action<ulong>? WriteHook { get; }

    /// <summary>The value a guest read observes.</summary>
    public ulong Read() => ReadHook != null ? ReadHook() : Value;

    /// <summary>Applies a guest write of the full register width.</summary>
    public void Write(ulong value)
    {
        if (WriteHook != null) WriteHook(value);
        else Value = (Value & ~WriteMask) | (value & WriteMask);
    }

    /// <summary>Restores the reset value.</summary>
    public void Reset() => Value = ResetValue;
}
