using System.Buffers.Binary;
using ArmVirt.Devices.Virtio;
using ArmVirt.Tests.Fuzzing;

namespace ArmVirt.Devices.Virtio.Tests;

/// <summary>
/// Seeded mutation fuzzing of the virtqueue descriptor parser (#22) through real devices: an input is a guest's
/// descriptor table, available ring and buffers (<see cref="Layout"/>), from the committed seeds in corpus/virtqueue
/// (<see cref="SeededFuzzer"/>). Whatever the guest wrote, the device must process the chains or enter
/// DEVICE_NEEDS_RESET with a reason (VIRTIO 1.2 2.1.2), never throw, never write outside guest RAM, never put more
/// entries in the used ring than the driver made available, and work again after a reset.
/// </summary>
[TestClass]
public sealed class VirtqueueFuzzTests
{
    /// <summary>Where the input's buffers are placed in guest RAM (the seeds' descriptors point there).</summary>
    private const ulong DataBase = VirtioTestDriver.RamBase + (2 << 20);
    private const int QueueSize = 16, DescriptorBytes = 16 * QueueSize, AvailBytes = 4 + 2 * QueueSize, DataBytes = 0x800;

    // An input: byte 0 picks the device (block, rng, console), byte 1 the queue; then the descriptor table, the available
    // ring (flags, idx, ring) and up to DataBytes of buffers at DataBase.
    private static class Layout
    {
        public const int Device = 0, Queue = 1, Descriptors = 2, Avail = Descriptors + DescriptorBytes, Data = Avail + AvailBytes;
    }

    private static VirtioDevice NewDevice(int kind) => (kind % 3) switch
    {
        0 => new VirtioBlockDevice(new MemoryBlockBackend(64 * 1024)),
        1 => new VirtioRngDevice(new DeterministicEntropySource(7)),
        _ => new VirtioConsoleDevice(new MemoryStream()),
    };

    private static int _resets, _used;

    private static void Harness(byte[] input)
    {
        var padded = new byte[Math.Max(input.Length, Layout.Data)];
        input.CopyTo(padded, 0);
        using var d = new VirtioTestDriver(NewDevice(padded[Layout.Device]));
        d.Initialize(size: QueueSize);
        int q = padded[Layout.Queue] % d.Transport.Device!.QueueCount;
        var queue = d.Queue(q);
        d.Put(queue.Desc, padded.AsSpan(Layout.Descriptors, DescriptorBytes));
        d.Put(queue.Avail, padded.AsSpan(Layout.Avail, AvailBytes));
        d.Put(DataBase, padded.AsSpan(Layout.Data, Math.Min(DataBytes, padded.Length - Layout.Data)));
        d.Notify(q);

        ushort published = BinaryPrimitives.ReadUInt16LittleEndian(padded.AsSpan(Layout.Avail + 2));
        var used = d.TakeUsed(q);
        if ((d.Status & 0x40) != 0) _resets++;
        _used += used.Count;
        if ((d.Status & 0x40) != 0)
            Assert.IsFalse(string.IsNullOrEmpty(d.Transport.LastError), "DEVICE_NEEDS_RESET gives its reason");
        Assert.IsLessThanOrEqualTo(published, used.Count, "no more used entries than the driver made available");
        foreach (var (id, _) in used) Assert.IsLessThan((uint)QueueSize, id, "a used id is a descriptor index");

        // A reset brings the device back (3.1.1), whatever state the input left it in.
        d.Initialize(size: QueueSize);
        Assert.AreEqual(0xFu, d.Status);
    }

    [TestMethod]
    public void MutatedVirtqueuesAreProcessedOrNeedReset()
    {
        _resets = _used = 0;
        int iterations = SeededFuzzer.Iterations(10_000);
        SeededFuzzer.Run("virtqueue", iterations, Harness, _ => false);
        // Both outcomes are reached: the mutations are neither all harmless nor all rejected.
        Assert.IsGreaterThan(iterations / 20, _resets, "inputs that needed a reset");
        Assert.IsGreaterThan(iterations / 20, _used, "chains processed");
    }

    // The committed seeds, as generated; ARMVIRT_FUZZ_WRITE_CORPUS=<tests/ArmVirt.Devices.Virtio.Tests/corpus> rewrites them.
    private static byte[] Seed(int device, int queue, (ulong Addr, uint Len, ushort Flags, ushort Next)[] descriptors, ushort[] heads,
        (int Offset, byte[] Bytes)[] data)
    {
        var b = new byte[Layout.Data + DataBytes];
        b[Layout.Device] = (byte)device;
        b[Layout.Queue] = (byte)queue;
        for (int i = 0; i < descriptors.Length; i++)
        {
            var s = b.AsSpan(Layout.Descriptors + 16 * i);
            BinaryPrimitives.WriteUInt64LittleEndian(s, descriptors[i].Addr);
            BinaryPrimitives.WriteUInt32LittleEndian(s[8..], descriptors[i].Len);
            BinaryPrimitives.WriteUInt16LittleEndian(s[12..], descriptors[i].Flags);
            BinaryPrimitives.WriteUInt16LittleEndian(s[14..], descriptors[i].Next);
        }
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(Layout.Avail + 2), (ushort)heads.Length);
        for (int i = 0; i < heads.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(Layout.Avail + 4 + 2 * i), heads[i]);
        foreach (var (offset, bytes) in data) bytes.CopyTo(b, Layout.Data + offset);
        int end = b.Length;
        while (end > Layout.Data && b[end - 1] == 0) end--;
        return b[..end];
    }

    private static IEnumerable<(string Name, byte[] Data)> GeneratedSeeds()
    {
        const ushort N = Virtqueue.DescNext, W = Virtqueue.DescWrite;
        const ulong header = DataBase, buffer = DataBase + 0x100, status = DataBase + 0x300, table = DataBase + 0x400;
        yield return ("block-read", Seed(0, 0, [(header, 16, N, 1), (buffer, 512, N | W, 2), (status, 1, W, 0)], [0],
            [(0, BlockTests.Header(VirtioBlockDevice.RequestIn, 3))]));
        yield return ("block-write", Seed(0, 0, [(header, 16, N, 1), (buffer, 512, N, 2), (status, 1, W, 0)], [0],
            [(0, BlockTests.Header(VirtioBlockDevice.RequestOut, 5)), (0x100, [.. Enumerable.Range(0, 512).Select(i => (byte)i)])]));
        yield return ("block-flush-and-id", Seed(0, 0,
            [(header, 16, N, 1), (status, 1, W, 0), (header + 0x20, 16, N, 3), (buffer, 20, N | W, 4), (status + 1, 1, W, 0)], [0, 2],
            [(0, BlockTests.Header(VirtioBlockDevice.RequestFlush, 0)), (0x20, BlockTests.Header(VirtioBlockDevice.RequestGetId, 0))]));
        var indirect = new byte[48];
        foreach (var (i, addr, len, flags) in new[] { (0, header, 16u, N), (1, buffer, 512u, (ushort)(N | W)), (2, status, 1u, W) })
        {
            BinaryPrimitives.WriteUInt64LittleEndian(indirect.AsSpan(16 * i), addr);
            BinaryPrimitives.WriteUInt32LittleEndian(indirect.AsSpan(16 * i + 8), len);
            BinaryPrimitives.WriteUInt16LittleEndian(indirect.AsSpan(16 * i + 12), flags);
            BinaryPrimitives.WriteUInt16LittleEndian(indirect.AsSpan(16 * i + 14), (ushort)(i + 1));
        }
        yield return ("block-indirect", Seed(0, 0, [(table, 48, Virtqueue.DescIndirect, 0)], [0],
            [(0, BlockTests.Header(VirtioBlockDevice.RequestIn, 0)), (0x400, indirect)]));
        yield return ("rng", Seed(1, 0, [(buffer, 64, W, 0), (buffer + 64, 32, N | W, 2), (buffer + 96, 32, W, 0)], [0, 1], []));
        yield return ("console-transmit", Seed(2, VirtioConsoleDevice.TransmitQueue, [(buffer, 6, N, 1), (buffer + 6, 3, 0, 0)], [0],
            [(0x100, "hello world"u8.ToArray())]));
    }

    [TestMethod]
    public void TheCommittedSeedsAreValidRequests()
    {
        string? write = Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_WRITE_CORPUS");
        foreach (var (name, data) in write == null ? [] : GeneratedSeeds())
        {
            Directory.CreateDirectory(Path.Combine(write!, "virtqueue"));
            File.WriteAllBytes(Path.Combine(write!, "virtqueue", name + ".bin"), data);
        }
        foreach (var (name, data) in GeneratedSeeds())
        {
            CollectionAssert.AreEqual(data, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "corpus", "virtqueue", name + ".bin")), name);
            // Each seed is processed whole: every chain it makes available comes back used, no reset needed.
            var padded = new byte[Layout.Data + DataBytes];
            data.CopyTo(padded, 0);
            using var d = new VirtioTestDriver(NewDevice(padded[Layout.Device]));
            d.Initialize(size: QueueSize);
            int q = padded[Layout.Queue];
            d.Put(d.Queue(q).Desc, padded.AsSpan(Layout.Descriptors, DescriptorBytes));
            d.Put(d.Queue(q).Avail, padded.AsSpan(Layout.Avail, AvailBytes));
            d.Put(DataBase, padded.AsSpan(Layout.Data, DataBytes));
            d.Notify(q);
            Assert.AreEqual(0xFu, d.Status, $"{name}: {d.Transport.LastError}");
            Assert.AreEqual((int)BinaryPrimitives.ReadUInt16LittleEndian(padded.AsSpan(Layout.Avail + 2)), d.TakeUsed(q).Count, name);
        }
    }
}
