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

    // Snapshot form: the entries in order, oldest first.
    public void SaveState(ArmVirt.Core.SnapshotWriter writer)
    {
        writer.Write(Count);
        for (int i = 0; i < Count; i++) writer.Write((uint)_entries[(_head + i) % _entries.Length]);
    }

    public void RestoreState(ArmVirt.Core.SnapshotReader reader)
    {
        int count = reader.ReadInt32(0, _entries.Length, "FIFO entries");
        Clear();
        for (int i = 0; i < count; i++)
        {
            uint v = reader.ReadUInt32();
            if (v > ushort.MaxValue) throw new ArmVirt.Core.SnapshotFormatException("corrupt (a FIFO entry is not 16 bits)");
            Push((ushort)v);
        }
    }
}
