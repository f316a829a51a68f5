using System.Buffers.Binary;
using ArmVirt.Core;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A split virtqueue (VIRTIO 1.2 2.7): descriptor table, driver area (available ring) and device area (used ring)
/// in guest RAM. The device pops available chains with <see cref="TryPop"/>, returns them with <see cref="Push"/>
/// and then calls <see cref="NotifyIfNeeded"/>, which applies VIRTQ_AVAIL_F_NO_INTERRUPT or, with
/// VIRTIO_F_EVENT_IDX, the used_event index. Anything malformed is reported through
/// <see cref="IVirtioTransport.DeviceError"/> and never reaches the host as an exception.
/// </summary>
public sealed unsafe class Virtqueue
{
    /// <summary>VIRTQ_DESC_F_NEXT.</summary>
    public const ushort DescNext = 1;
    /// <summary>VIRTQ_DESC_F_WRITE.</summary>
    public const ushort DescWrite = 2;
    /// <summary>VIRTQ_DESC_F_INDIRECT.</summary>
    public const ushort DescIndirect = 4;
    /// <summary>VIRTQ_AVAIL_F_NO_INTERRUPT.</summary>
    public const ushort AvailNoInterrupt = 1;
    /// <summary>Largest split queue (VIRTIO 1.2 2.7: Queue Size is at most 32768).</summary>
    public const int MaxQueueSize = 32768;
    /// <summary>Largest indirect table accepted, in descriptors (as QEMU's VIRTQUEUE_MAX_SIZE).</summary>
    public const int MaxIndirectDescriptors = 1024;

    private readonly PhysicalBus _bus;
    private readonly IVirtioTransport _transport;
    private readonly DescriptorChain _chain;
    private byte* _desc, _avail, _used;
    private ushort _lastAvail, _usedIdx, _signalledUsed;

    internal Virtqueue(PhysicalBus bus, IVirtioTransport transport, int index, ushort numMax)
    {
        _bus = bus;
        _transport = transport;
        Index = index;
        NumMax = numMax;
        Num = numMax;
        _chain = new DescriptorChain(numMax + 16);
    }

    /// <summary>The queue index.</summary>
    public int Index { get; }

    /// <summary>QueueNumMax: the largest size the device supports.</summary>
    public ushort NumMax { get; }

    /// <summary>QueueNum: the size the driver selected (takes effect when the queue is enabled).</summary>
    public uint Num { get; internal set; }

    /// <summary>Guest physical address of the descriptor table.</summary>
    public ulong DescriptorTable { get; internal set; }

    /// <summary>Guest physical address of the driver area (available ring).</summary>
    public ulong DriverArea { get; internal set; }

    /// <summary>Guest physical address of the device area (used ring).</summary>
    public ulong DeviceArea { get; internal set; }

    /// <summary>True when the queue is enabled and its rings were checked.</summary>
    public bool IsReady { get; private set; }

    /// <summary>Size of the enabled queue.</summary>
    public ushort Size { get; private set; }

    /// <summary>The next available-ring index the device will read.</summary>
    public ushort LastAvailIndex => _lastAvail;

    /// <summary>The device's used index (last value published).</summary>
    public ushort UsedIndex => _usedIdx;

    // Snapshot form: the registers the driver wrote and the device's ring positions; the host pointers into the rings
    // are recomputed from the addresses.
    internal void SaveState(SnapshotWriter w)
    {
        w.Write(Num);
        w.Write(DescriptorTable);
        w.Write(DriverArea);
        w.Write(DeviceArea);
        w.Write(IsReady);
        w.Write((uint)Size);
        w.Write((uint)_lastAvail);
        w.Write((uint)_usedIdx);
        w.Write((uint)_signalledUsed);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Disable();
        Num = r.ReadUInt32();
        DescriptorTable = r.ReadUInt64();
        DriverArea = r.ReadUInt64();
        DeviceArea = r.ReadUInt64();
        bool ready = r.ReadBool();
        int size = r.ReadInt32(0, NumMax, $"queue {Index} size");
        int lastAvail = r.ReadInt32(0, ushort.MaxValue, "avail index"), usedIdx = r.ReadInt32(0, ushort.MaxValue, "used index");
        int signalled = r.ReadInt32(0, ushort.MaxValue, "signalled used index");
        if (ready)
        {
            if (size == 0 || size != Num) throw new SnapshotFormatException($"corrupt (queue {Index} ready with size {size})");
            _desc = _bus.RamPointer(DescriptorTable, 16UL * Num);
            _avail = _bus.RamPointer(DriverArea, 6 + 2UL * Num);
            _used = _bus.RamPointer(DeviceArea, 6 + 8UL * Num);
            if (_desc == null || _avail == null || _used == null)
                throw new SnapshotFormatException($"corrupt (queue {Index}: ring outside guest RAM)");
            IsReady = true;
        }
        Size = (ushort)size;
        _lastAvail = (ushort)lastAvail;
        _usedIdx = (ushort)usedIdx;
        _signalledUsed = (ushort)signalled;
    }

    internal void Reset()
    {
        IsReady = false;
        Num = NumMax;
        DescriptorTable = DriverArea = DeviceArea = 0;
        Size = 0;
        _desc = _avail = _used = null;
        _lastAvail = _usedIdx = _signalledUsed = 0;
    }

    internal void Disable()
    {
        IsReady = false;
        _desc = _avail = _used = null;
    }

    /// <summary>Checks QueueNum and the three areas (size, alignment, inside RAM) and enables the queue.</summary>
    internal bool Enable()
    {
        Disable();
        uint num = Num;
        // 2.7: split queue sizes are powers of 2, at most 32768, and here at most QueueNumMax.
        if (num == 0 || num > NumMax || num > MaxQueueSize || (num & (num - 1)) != 0)
            return Fail($"queue {Index}: invalid size {num} (max {NumMax})");
        // 2.7 table "Virtqueue Part Alignment": descriptor table 16, driver area 2, device area 4.
        if ((DescriptorTable & 15) != 0 || (DriverArea & 1) != 0 || (DeviceArea & 3) != 0)
            return Fail($"queue {Index}: misaligned rings");
        byte* desc = _bus.RamPointer(DescriptorTable, 16UL * num);
        byte* avail = _bus.RamPointer(DriverArea, 6 + 2UL * num);
        byte* used = _bus.RamPointer(DeviceArea, 6 + 8UL * num);
        if (desc == null || avail == null || used == null)
            return Fail($"queue {Index}: ring outside guest RAM");
        _desc = desc;
        _avail = avail;
        _used = used;
        Size = (ushort)num;
        _lastAvail = _usedIdx = _signalledUsed = 0;
        IsReady = true;
        return true;
    }

    private bool Fail(string reason)
    {
        _transport.DeviceError(reason);
        return false;
    }

    private bool EventIdx => (_transport.NegotiatedFeatures & (1UL << VirtioFeature.RingEventIdx)) != 0;

    private ushort AvailIdx => Volatile.Read(ref *(ushort*)(_avail + 2));

    /// <summary>True when the driver has made buffers available that were not popped yet.</summary>
    public bool HasAvailable => IsReady && _transport.IsLive && AvailIdx != _lastAvail;

    /// <summary>
    /// Takes the next available chain. False when none is available, the device is not live, or the chain is
    /// malformed (then the device is marked as needing a reset). The returned object is reused by the next pop.
    /// </summary>
    public bool TryPop(out DescriptorChain chain)
    {
        chain = _chain;
        if (!IsReady || !_transport.IsLive) return false;
        ushort availIdx = AvailIdx;
        ushort pending = (ushort)(availIdx - _lastAvail);
        if (pending == 0) return false;
        if (pending > Size) return Fail($"queue {Index}: driver moved avail idx from {_lastAvail} to {availIdx}");
        ushort head = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(_avail + 4 + 2 * (_lastAvail & (Size - 1)), 2));
        if (!Walk(head)) return false;
        _lastAvail++;
        if (EventIdx)
        {
            // 2.7.10: avail_event tells the driver which index to notify at; ask for the very next buffer.
            Volatile.Write(ref *(ushort*)(_used + 4 + 8 * Size), _lastAvail);
        }
        return true;
    }

    // 2.7.5 The Virtqueue Descriptor Table and 2.7.5.3 Indirect Descriptors.
    private bool Walk(ushort head)
    {
        var chain = _chain;
        chain.Clear();
        chain.Head = head;
        if (head >= Size) return Fail($"queue {Index}: head descriptor {head} out of range");
        bool indirectAllowed = (_transport.NegotiatedFeatures & (1UL << VirtioFeature.RingIndirectDesc)) != 0;
        byte* table = _desc;
        uint tableSize = Size;
        uint i = head;
        int visited = 0;
        bool inIndirect = false;
        while (true)
        {
            byte* d = table + 16 * i;
            ulong addr = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(d, 8));
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(d + 8, 4));
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(d + 12, 2));
            ushort next = BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(d + 14, 2));
            if (++visited > tableSize) return Fail($"queue {Index}: descriptor chain loops or exceeds {tableSize} entries");
            if ((flags & DescIndirect) != 0)
            {
                if (!indirectAllowed) return Fail($"queue {Index}: indirect descriptor without VIRTIO_F_INDIRECT_DESC");
                if (inIndirect) return Fail($"queue {Index}: indirect descriptor inside an indirect table");
                if ((flags & DescNext) != 0) return Fail($"queue {Index}: descriptor has both INDIRECT and NEXT");
                if (len == 0 || (len & 15) != 0 || len / 16 > MaxIndirectDescriptors)
                    return Fail($"queue {Index}: bad indirect table length {len}");
                byte* indirect = _bus.RamPointer(addr, len);
                if (indirect == null) return Fail($"queue {Index}: indirect table at 0x{addr:x} outside guest RAM");
                table = indirect;
                tableSize = len / 16;
                i = 0;
                visited = 0;
                inIndirect = true;
                continue;
            }
            bool writable = (flags & DescWrite) != 0;
            if (!writable && chain.WritableLength > 0)
                return Fail($"queue {Index}: device-readable descriptor after a device-writable one");
            if (len != 0)
            {
                byte* p = _bus.RamPointer(addr, len);
                if (p == null) return Fail($"queue {Index}: buffer 0x{addr:x}+0x{len:x} outside guest RAM");
                chain.Add(p, addr, len, writable);
            }
            if ((flags & DescNext) == 0) return true;
            i = next;
            if (i >= tableSize) return Fail($"queue {Index}: next descriptor {i} out of range");
        }
    }

    /// <summary>
    /// Returns <paramref name="chain"/> to the driver with <paramref name="written"/> bytes written into it. The
    /// chain's device-writable segments and the used-ring entry are reported to <see cref="PhysicalBus.RamWritten"/>
    /// listeners (a translation cache drops code the device overwrote, an exclusive monitor clears reservations).
    /// </summary>
    public void Push(DescriptorChain chain, uint written)
    {
        if (!IsReady) return;
        int slot = _usedIdx & (Size - 1);
        byte* e = _used + 4 + 8 * slot;
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(e, 4), chain.Head);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(e + 4, 4), written);
        _usedIdx++;
        // The ring entry must be visible before the index that publishes it.
        Volatile.Write(ref *(ushort*)(_used + 2), _usedIdx);
        // Every writable segment, not only the first `written` bytes: a device may write more than it reports.
        for (int i = 0; i < chain.WritableSegmentCount; i++)
            _bus.NotifyRamWritten(chain.WritableSegmentAddress(i), (ulong)chain.WritableSegmentLength(i));
        _bus.NotifyRamWritten(DeviceArea + 2, 2);
        _bus.NotifyRamWritten(DeviceArea + 4 + 8 * (ulong)slot, 8);
    }

    /// <summary>Sends a used buffer notification if the driver asked for one since the last call.</summary>
    public void NotifyIfNeeded()
    {
        if (!IsReady) return;
        ushort now = _usedIdx;
        ushort old = _signalledUsed;
        if (now == old) return; // nothing used since the last check
        _signalledUsed = now;
        Interlocked.MemoryBarrier();
        bool need;
        if (EventIdx)
        {
            // 2.7.10 used_event: notify when the used index moves past it (vring_need_event); both indexes start at 0.
            ushort usedEvent = Volatile.Read(ref *(ushort*)(_avail + 4 + 2 * Size));
            need = (ushort)(now - usedEvent - 1) < (ushort)(now - old);
        }
        else
        {
            need = (Volatile.Read(ref *(ushort*)_avail) & AvailNoInterrupt) == 0;
        }
        if (need) _transport.NotifyUsedBuffers();
    }
}
