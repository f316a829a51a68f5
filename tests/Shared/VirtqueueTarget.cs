using System.Buffers.Binary;
using ArmVirt.Core;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Tests.Fuzzing;

/// <summary>
/// Fuzz target for the virtqueue descriptor parser (#22) through real devices. An input is what a guest driver leaves
/// in its memory: byte 0 picks the device (block, rng, console), byte 1 the queue, then the descriptor table
/// (<see cref="QueueSize"/> descriptors), the available ring (flags, idx, ring) and up to <see cref="DataBytes"/> of
/// buffers placed at <see cref="DataBase"/>; the driver then notifies. Whatever it wrote, the device must process the
/// chains or enter DEVICE_NEEDS_RESET with a reason (VIRTIO 1.2 2.1.2), never throw, never put more entries in the
/// used ring than were made available, and work again after a reset. Returns false when the input needed a reset.
/// </summary>
internal static class VirtqueueTarget
{
    public const ulong RamBase = 0x4000_0000, RamSize = 4 << 20, MmioBase = 0x0A00_0000;
    public const int QueueSize = 16, DescriptorBytes = 16 * QueueSize, AvailBytes = 4 + 2 * QueueSize, DataBytes = 0x800;

    /// <summary>Where the input's buffers are placed in guest RAM (the seeds' descriptors point there).</summary>
    public const ulong DataBase = RamBase + (2 << 20);

    /// <summary>Offsets in an input.</summary>
    public const int DeviceOffset = 0, QueueOffset = 1, DescriptorsOffset = 2, AvailOffset = DescriptorsOffset + DescriptorBytes,
        DataOffset = AvailOffset + AvailBytes;

    // The driver's own rings, below the buffers.
    private const ulong Rings = RamBase + 0x1000, RingStride = 0x1000;

    private static VirtioDevice NewDevice(int kind) => (kind % 3) switch
    {
        0 => new VirtioBlockDevice(new MemoryBlockBackend(64 * 1024)),
        1 => new VirtioRngDevice(new DeterministicEntropySource(7)),
        _ => new VirtioConsoleDevice(new MemoryStream()),
    };

    private sealed class Driver(PhysicalBus bus)
    {
        public uint Read(ulong offset) => bus.TryRead(MmioBase + offset, 4, out ulong v) ? (uint)v : throw new FuzzInvariantException("MMIO read failed");

        public void Write(ulong offset, ulong value)
        {
            if (!bus.TryWrite(MmioBase + offset, 4, value)) throw new FuzzInvariantException("MMIO write failed");
        }

        public Span<byte> Mem(ulong pa, int length) => bus.FindRam(pa, (ulong)length)!.AsSpan(pa, length);

        public static ulong Desc(int q) => Rings + RingStride * (ulong)q;

        public static ulong Avail(int q) => Desc(q) + DescriptorBytes;

        public static ulong Used(int q) => Desc(q) + 0x800;

        // VIRTIO 1.2 3.1.1 Device Initialization, every queue QueueSize entries; false if the device refused.
        public bool Initialize(int queues)
        {
            Write(0x70, 0);
            Write(0x70, 1);
            Write(0x70, 1 | 2);
            Write(0x14, 0);
            ulong lo = Read(0x10);
            Write(0x14, 1);
            ulong hi = Read(0x10);
            Write(0x24, 0); Write(0x20, lo); Write(0x24, 1); Write(0x20, hi);
            Write(0x70, 1 | 2 | 8);
            for (int q = 0; q < queues; q++)
            {
                Mem(Desc(q), 0x1000).Clear();
                Write(0x30, (uint)q);
                Write(0x38, QueueSize);
                Write(0x80, (uint)Desc(q)); Write(0x84, Desc(q) >> 32);
                Write(0x90, (uint)Avail(q)); Write(0x94, Avail(q) >> 32);
                Write(0xA0, (uint)Used(q)); Write(0xA4, Used(q) >> 32);
                Write(0x44, 1);
            }
            Write(0x70, 1 | 2 | 8 | 4);
            return Read(0x70) == 0xF;
        }
    }

    /// <summary>Runs one input; true when every chain was processed, false when it needed a reset.</summary>
    public static bool Run(ReadOnlySpan<byte> input)
    {
        var padded = new byte[Math.Max(input.Length, DataOffset)];
        input.CopyTo(padded);
        using var bus = new PhysicalBus();
        bus.AddRam(RamBase, RamSize);
        var device = NewDevice(padded[DeviceOffset]);
        var transport = new VirtioMmioTransport(bus, device, VirtioMmioVersion.Modern);
        bus.AddMmio(MmioBase, VirtioMmioTransport.WindowSize, transport, "virtio-mmio@0");
        try
        {
            var d = new Driver(bus);
            if (!d.Initialize(device.QueueCount)) throw new FuzzInvariantException("the device refused a good initialization");
            int q = padded[QueueOffset] % device.QueueCount;
            padded.AsSpan(DescriptorsOffset, DescriptorBytes).CopyTo(d.Mem(Driver.Desc(q), DescriptorBytes));
            padded.AsSpan(AvailOffset, AvailBytes).CopyTo(d.Mem(Driver.Avail(q), AvailBytes));
            var data = padded.AsSpan(DataOffset, Math.Min(DataBytes, padded.Length - DataOffset));
            data.CopyTo(d.Mem(DataBase, data.Length));
            d.Write(0x50, (uint)q);

            ushort published = BinaryPrimitives.ReadUInt16LittleEndian(padded.AsSpan(AvailOffset + 2));
            ushort used = BinaryPrimitives.ReadUInt16LittleEndian(d.Mem(Driver.Used(q) + 2, 2));
            if (used > published) throw new FuzzInvariantException($"{used} used entries for {published} available");
            for (int i = 0; i < Math.Min((int)used, QueueSize); i++)
            {
                uint id = BinaryPrimitives.ReadUInt32LittleEndian(d.Mem(Driver.Used(q) + 4 + 8 * (ulong)i, 4));
                if (id >= QueueSize) throw new FuzzInvariantException($"used id {id} is not a descriptor index");
            }
            bool needsReset = (d.Read(0x70) & 0x40) != 0;
            if (needsReset && string.IsNullOrEmpty(transport.LastError)) throw new FuzzInvariantException("DEVICE_NEEDS_RESET without a reason");

            // A reset brings the device back, whatever state the input left it in.
            if (!d.Initialize(device.QueueCount)) throw new FuzzInvariantException("the device did not come back after a reset");
            return !needsReset;
        }
        finally
        {
            (device as IDisposable)?.Dispose();
        }
    }
}
