using System.Buffers.Binary;
using ArmVirt.Core;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

/// <summary>A guest-side virtio driver for tests: RAM on a PhysicalBus, the transport mapped, rings built by hand.</summary>
internal sealed unsafe class VirtioTestDriver : IDisposable
{
    public const ulong RamBase = 0x4000_0000;
    public const ulong RamSize = 4 << 20;
    public const ulong MmioBase = 0x0A00_0000;

    private ulong _next = RamBase + 0x1_0000;
    private readonly Dictionary<int, QueueState> _queues = new();
    private readonly ulong _mmio = MmioBase;
    private readonly bool _ownsBus = true;

    public sealed class QueueState
    {
        public ushort Size;
        public ulong Desc, Avail, Used;
        public ushort NextDesc, AvailIdx, LastUsed;
    }

    public VirtioTestDriver(VirtioDevice? device, VirtioMmioVersion version = VirtioMmioVersion.Modern)
    {
        Bus = new PhysicalBus();
        Bus.AddRam(RamBase, RamSize);
        Transport = new VirtioMmioTransport(Bus, device, version);
        Bus.AddMmio(MmioBase, VirtioMmioTransport.WindowSize, Transport, "virtio-mmio@0");
        Transport.Interrupt.Changed += level => { if (level) InterruptEdges++; };
    }

    /// <summary>A driver for a transport on someone else's bus (a machine's slot), allocating its rings and buffers from <paramref name="allocateFrom"/> up.</summary>
    public VirtioTestDriver(PhysicalBus bus, VirtioMmioTransport transport, ulong mmioBase, ulong allocateFrom)
    {
        Bus = bus;
        Transport = transport;
        _mmio = mmioBase;
        _next = allocateFrom;
        _ownsBus = false;
    }

    public PhysicalBus Bus { get; }
    public VirtioMmioTransport Transport { get; }
    public int InterruptEdges { get; set; }

    public uint Read(ulong offset, int size = 4)
    {
        Assert.IsTrue(Bus.TryRead(_mmio + offset, size, out ulong v));
        return (uint)v;
    }

    public void Write(ulong offset, uint value, int size = 4) => Assert.IsTrue(Bus.TryWrite(_mmio + offset, size, value));

    public uint Status => Read(0x70);

    public ulong Alloc(int size, int align = 16)
    {
        _next = (_next + (ulong)align - 1) & ~((ulong)align - 1);
        ulong a = _next;
        _next += (ulong)size;
        Assert.IsTrue(!_ownsBus || _next <= RamBase + RamSize, "test RAM exhausted");
        return a;
    }

    public Span<byte> Mem(ulong pa, int length) => Bus.FindRam(pa, (ulong)length)!.AsSpan(pa, length);
    public void Put(ulong pa, ReadOnlySpan<byte> data) => data.CopyTo(Mem(pa, data.Length));
    public ulong PutNew(ReadOnlySpan<byte> data, int align = 16)
    {
        ulong a = Alloc(Math.Max(1, data.Length), align);
        Put(a, data);
        return a;
    }
    public ushort R16(ulong pa) => BinaryPrimitives.ReadUInt16LittleEndian(Mem(pa, 2));
    public uint R32(ulong pa) => BinaryPrimitives.ReadUInt32LittleEndian(Mem(pa, 4));
    public void W16(ulong pa, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(Mem(pa, 2), v);
    public void W32(ulong pa, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(Mem(pa, 4), v);
    public void W64(ulong pa, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(Mem(pa, 8), v);

    public ulong DeviceFeatures()
    {
        Write(0x14, 0);
        ulong lo = Read(0x10);
        Write(0x14, 1);
        return lo | ((ulong)Read(0x10) << 32);
    }

    public void WriteDriverFeatures(ulong f)
    {
        Write(0x24, 0);
        Write(0x20, (uint)f);
        Write(0x24, 1);
        Write(0x20, (uint)(f >> 32));
    }

    /// <summary>3.1.1 Device Initialization up to FEATURES_OK; returns whether FEATURES_OK stuck.</summary>
    public bool Negotiate(ulong? features = null)
    {
        Write(0x70, 0);
        Write(0x70, 1);
        Write(0x70, 1 | 2);
        WriteDriverFeatures(features ?? DeviceFeatures());
        Write(0x70, 1 | 2 | 8);
        return (Status & 8) != 0;
    }

    /// <summary>Full initialization: negotiate, set up every queue with <paramref name="size"/> entries, DRIVER_OK.</summary>
    public void Initialize(ulong? features = null, ushort size = 16, int queues = -1)
    {
        Assert.IsTrue(Negotiate(features), "FEATURES_OK refused");
        int n = queues >= 0 ? queues : Transport.Device!.QueueCount;
        for (int q = 0; q < n; q++) SetupQueue(q, size);
        Write(0x70, 1 | 2 | 8 | 4);
        Assert.AreEqual(0xFu, Status);
    }

    public QueueState SetupQueue(int q, ushort size)
    {
        var s = new QueueState
        {
            Size = size,
            Desc = Alloc(16 * size, 16),
            Avail = Alloc(6 + 2 * size, 2),
            Used = Alloc(6 + 8 * size, 4),
        };
        Write(0x30, (uint)q);
        Write(0x38, size);
        Write(0x80, (uint)s.Desc); Write(0x84, (uint)(s.Desc >> 32));
        Write(0x90, (uint)s.Avail); Write(0x94, (uint)(s.Avail >> 32));
        Write(0xA0, (uint)s.Used); Write(0xA4, (uint)(s.Used >> 32));
        Write(0x44, 1);
        _queues[q] = s;
        return s;
    }

    public QueueState Queue(int q) => _queues[q];
    public void SetQueueState(int q, QueueState s) => _queues[q] = s;

    public void WriteDescriptor(ulong table, int index, ulong addr, uint len, ushort flags, ushort next)
    {
        ulong d = table + 16 * (ulong)index;
        W64(d, addr);
        W32(d + 8, len);
        W16(d + 12, flags);
        W16(d + 14, next);
    }

    /// <summary>Builds a chain of direct descriptors and makes it available; returns its head.</summary>
    public ushort Add(int q, params (ulong Addr, uint Len, bool Write)[] buffers) => AddChain(q, false, buffers);

    /// <summary>Makes one indirect descriptor (pointing at a fresh table holding <paramref name="buffers"/>) available.</summary>
    public ushort AddIndirect(int q, params (ulong Addr, uint Len, bool Write)[] buffers) => AddChain(q, true, buffers);

    private ushort AddChain(int q, bool indirect, (ulong Addr, uint Len, bool Write)[] buffers)
    {
        var s = _queues[q];
        ushort head = s.NextDesc;
        if (indirect)
        {
            ulong table = Alloc(16 * buffers.Length, 16);
            for (int i = 0; i < buffers.Length; i++)
                WriteDescriptor(table, i, buffers[i].Addr, buffers[i].Len,
                    (ushort)((buffers[i].Write ? Virtqueue.DescWrite : 0) | (i + 1 < buffers.Length ? Virtqueue.DescNext : 0)), (ushort)(i + 1));
            WriteDescriptor(s.Desc, head, table, (uint)(16 * buffers.Length), Virtqueue.DescIndirect, 0);
            s.NextDesc = (ushort)((s.NextDesc + 1) % s.Size);
        }
        else
        {
            for (int i = 0; i < buffers.Length; i++)
            {
                int d = (head + i) % s.Size;
                bool last = i + 1 == buffers.Length;
                WriteDescriptor(s.Desc, d, buffers[i].Addr, buffers[i].Len,
                    (ushort)((buffers[i].Write ? Virtqueue.DescWrite : 0) | (last ? 0 : Virtqueue.DescNext)), (ushort)((d + 1) % s.Size));
            }
            s.NextDesc = (ushort)((s.NextDesc + buffers.Length) % s.Size);
        }
        Publish(q, head);
        return head;
    }

    /// <summary>Puts <paramref name="head"/> in the available ring and bumps idx (no notification).</summary>
    public void Publish(int q, ushort head)
    {
        var s = _queues[q];
        W16(s.Avail + 4 + 2 * (ulong)(s.AvailIdx % s.Size), head);
        s.AvailIdx++;
        W16(s.Avail + 2, s.AvailIdx);
    }

    public void Notify(int q) => Write(0x50, (uint)q);

    public List<(uint Id, uint Len)> TakeUsed(int q)
    {
        var s = _queues[q];
        var list = new List<(uint, uint)>();
        ushort idx = R16(s.Used + 2);
        while (s.LastUsed != idx)
        {
            ulong e = s.Used + 4 + 8 * (ulong)(s.LastUsed % s.Size);
            list.Add((R32(e), R32(e + 4)));
            s.LastUsed++;
        }
        return list;
    }

    public void Ack() => Write(0x64, Read(0x60));

    public void Dispose()
    {
        if (_ownsBus) Bus.Dispose();
    }
}
