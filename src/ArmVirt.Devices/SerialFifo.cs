namespace ArmVirt.Devices;

/// <summary>
/// A UART FIFO of 12-bit entries (8 data bits plus the receive error bits that travel with each character).
/// Its usable depth switches between the full FIFO and a one-entry holding register.
/// </summary>
internal sealed class SerialFifo
{
    private readonly ushort[] _entries;
    private int _head;

    public SerialFifo(int capacity) => _entries = new ushort[capacity];

    /// <summary>The physical depth.</summary>
    public int Capacity => _entries.Length;

    /// <summary>Entries currently held.</summary>
    public int Count { get; private set; }

    public void Push(ushort value)
    {
        _entries[(_head + Count) % _entries.Length] = value;
        Count++;
    }

    public ushort Pop()
    {
        ushort v = _entries[_head];
        _head = (_head + 1) % _entries.Length;
        Count--;
        return v;
    }

    /// <summary>ORs <paramref name="bits"/> into the most recently pushed entry.</summary>
    public void MarkLast(ushort bits) => _entries[(_head + Count - 1) % _entries.Length] |= bits;

    public void Clear()
    {
        _head = 0;
        Count = 0;
    }
}
