using ArmVirt.Core;

namespace ArmVirt.Cpu;

/// <summary>
/// The system-wide global exclusive monitor (Arm ARM B2.9.3 "Exclusive access instructions and Shareable memory
/// locations"): for each attached PE, the reservation granule marked by its last load-exclusive. A write by any
/// other PE, or by a bus master such as a DMA engine, to a marked granule returns that PE to the Open Access state,
/// so its next store-exclusive fails. One instance is shared by every CPU of a machine.
/// </summary>
/// <remarks>
/// Writes by a PE do not clear its own mark (ClearExclusiveByAddress excludes the writing PE); a store-exclusive
/// clears its own PE's mark. An attached PE reports its stores (<see cref="ClearByAddress"/>) only while another PE
/// holds a mark: the monitor tells each PE when that changes, so a PE alone, or PEs without reservations, store
/// without reporting. All members are thread-safe.
/// </remarks>
internal sealed class GlobalExclusiveMonitor
{
    private readonly object _lock = new();
    private readonly List<Attachment> _attached = new();
    private readonly HashSet<PhysicalBus> _observedBuses = new();
    private Mark[] _marks = new Mark[4];
    // Bit i: slot i holds a mark (slots 0-63; a mark in a higher slot sets bit 63 as well), so that a PE's own writes
    // while it alone holds a mark (a single-core machine running LDXR/STXR loops) need no lock.
    private long _markedSlots;

    private static long SlotBit(int slot) => slot < 63 ? 1L << slot : 1L << 63;

    private struct Mark
    {
        public bool Valid;
        public ulong Start; // inclusive, granule aligned
        public ulong End;   // exclusive, granule aligned
    }

    private sealed record Attachment(Cpu Cpu, int Slot);

    /// <summary>Creates a monitor with a reservation granule of <paramref name="granuleBytes"/> bytes.</summary>
    /// <param name="granuleBytes">
    /// Exclusives reservation granule, a power of two from 16 to 2048 (CTR_EL0.ERG gives 4 &lt;&lt; ERG bytes).
    /// </param>
    public GlobalExclusiveMonitor(int granuleBytes = 64)
    {
        if (granuleBytes < 16 || granuleBytes > 2048 || (granuleBytes & (granuleBytes - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(granuleBytes), "The reservation granule must be a power of two from 16 to 2048 bytes.");
        GranuleBytes = granuleBytes;
    }

    /// <summary>The Exclusives reservation granule in bytes.</summary>
    public int GranuleBytes { get; }

    /// <summary>
    /// Registers <paramref name="cpu"/> as a PE of this monitor: its RAM writes clear other PEs' marks (the CPU reports
    /// them while another PE holds one), and writes by other masters on its bus (<see cref="PhysicalBus.RamWritten"/>)
    /// clear every mark. Returns the PE's slot.
    /// </summary>
    public int Attach(Cpu cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        lock (_lock)
        {
            foreach (var a in _attached)
                if (ReferenceEquals(a.Cpu, cpu)) return a.Slot;
            int slot = 0;
            while (_attached.Exists(a => a.Slot == slot)) slot++;
            if (slot >= _marks.Length) Array.Resize(ref _marks, Math.Max(slot + 1, _marks.Length * 2));
            _attached.Add(new Attachment(cpu, slot));
            if (_observedBuses.Add(cpu.Bus)) cpu.Bus.RamWritten += OnBusWrite;
            PublishMarks();
            return slot;
        }
    }

    /// <summary>Removes <paramref name="cpu"/> from this monitor and drops its mark.</summary>
    public void Detach(Cpu cpu)
    {
        lock (_lock)
        {
            int i = _attached.FindIndex(a => ReferenceEquals(a.Cpu, cpu));
            if (i < 0) return;
            var a = _attached[i];
            Clear(a.Slot);
            _attached.RemoveAt(i);
            cpu.SetOthersHoldReservations(false);
        }
    }

    private void OnBusWrite(ulong pa, int size) => ClearByAddress(pa, size, -1);

    /// <summary>MarkExclusiveGlobal: records the granule(s) holding <c>[pa, pa+size)</c> for the PE in <paramref name="slot"/>.</summary>
    public void MarkExclusive(int slot, ulong pa, int size)
    {
        ulong mask = (ulong)GranuleBytes - 1;
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        lock (_lock)
        {
            if (slot >= _marks.Length) Array.Resize(ref _marks, Math.Max(slot + 1, _marks.Length * 2));
            ref var m = ref _marks[slot];
            m.Valid = true;
            Volatile.Write(ref _markedSlots, _markedSlots | SlotBit(slot));
            PublishMarks();
            m.Start = pa & ~mask;
            m.End = (pa + (ulong)size + mask) & ~mask;
        }
    }

    /// <summary>IsExclusiveGlobal: true when the PE in <paramref name="slot"/> still holds a mark covering <c>[pa, pa+size)</c>.</summary>
    public bool IsExclusive(int slot, ulong pa, int size)
    {
        lock (_lock)
        {
            if ((uint)slot >= (uint)_marks.Length) return false;
            ref var m = ref _marks[slot];
            return m.Valid && pa >= m.Start && pa + (ulong)size <= m.End;
        }
    }

    /// <summary>Returns the PE in <paramref name="slot"/> to the Open Access state.</summary>
    public void Clear(int slot)
    {
        lock (_lock)
        {
            if ((uint)slot >= (uint)_marks.Length) return;
            ref var m = ref _marks[slot];
            m.Valid = false;
            UpdateMarkedSlots();
        }
    }

    /// <summary>
    /// ClearExclusiveByAddress: a write of <paramref name="size"/> bytes at <paramref name="pa"/> clears the mark of
    /// every PE whose granule it touches, except the writer's own (<paramref name="writerSlot"/>; -1 for a bus master
    /// that is not a PE).
    /// </summary>
    public void ClearByAddress(ulong pa, int size, int writerSlot = -1)
    {
        long others = Volatile.Read(ref _markedSlots);
        if (writerSlot is >= 0 and < 63) others &= ~(1L << writerSlot);
        if (others == 0) return;
        ulong end = pa + (ulong)size;
        lock (_lock)
        {
            for (int i = 0; i < _marks.Length; i++)
            {
                ref var m = ref _marks[i];
                if (!m.Valid || i == writerSlot) continue;
                if (pa < m.End && m.Start < end)
                {
                    m.Valid = false;
                    // Arm ARM "Wait for Event mechanism and Send event": clearing the global monitor for a PE is a WFE wake-up event
                    // (so a PE waiting in WFE after LDXR, as spinlocks do, wakes when another PE writes the location).
                    PeOf(i)?.SignalEventFromPeer();
                }
            }
            UpdateMarkedSlots();
        }
    }

    // A PE's mark for a snapshot: valid, and the granule-aligned range [start, end).
    internal (bool Valid, ulong Start, ulong End) GetMark(int slot)
    {
        lock (_lock)
        {
            if ((uint)slot >= (uint)_marks.Length) return default;
            var m = _marks[slot];
            return (m.Valid, m.Start, m.End);
        }
    }

    // Sets a PE's mark from a snapshot.
    internal void SetMark(int slot, bool valid, ulong start, ulong end)
    {
        lock (_lock)
        {
            if (slot >= _marks.Length) Array.Resize(ref _marks, Math.Max(slot + 1, _marks.Length * 2));
            _marks[slot] = new Mark { Valid = valid, Start = start, End = end };
            UpdateMarkedSlots();
        }
    }

    // The PE attached in slot (under the lock).
    private Cpu? PeOf(int slot)
    {
        foreach (var a in _attached)
            if (a.Slot == slot) return a.Cpu;
        return null;
    }

    // Recomputes _markedSlots from the marks (under the lock).
    private void UpdateMarkedSlots()
    {
        long bits = 0;
        for (int i = 0; i < _marks.Length; i++)
            if (_marks[i].Valid) bits |= SlotBit(i);
        Volatile.Write(ref _markedSlots, bits);
        PublishMarks();
    }

    // Tells each PE whether another PE holds a mark, that is, whether its stores must be reported (under the lock).
    // Slots from 63 up share bit 63, so a PE there always reports while any mark in a high slot exists.
    private void PublishMarks()
    {
        long bits = _markedSlots;
        foreach (var a in _attached)
            a.Cpu.SetOthersHoldReservations((a.Slot < 63 ? bits & ~(1L << a.Slot) : bits) != 0);
    }
}
