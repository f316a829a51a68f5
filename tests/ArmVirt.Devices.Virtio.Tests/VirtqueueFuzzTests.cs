using System.Buffers.Binary;
using ArmVirt.Devices.Virtio;
using ArmVirt.Tests.Fuzzing;

namespace ArmVirt.Devices.Virtio.Tests;

/// <summary>
/// Seeded mutation fuzzing of the virtqueue descriptor parser (#22): <see cref="VirtqueueTarget"/> (a guest's descriptor
/// table, available ring and buffers through the block, rng and console devices) over the committed seeds in
/// corpus/virtqueue (<see cref="SeededFuzzer"/>).
/// </summary>
[TestClass]
public sealed class VirtqueueFuzzTests
{
    private const int DataBytes = VirtqueueTarget.DataBytes;
    private const ulong DataBase = VirtqueueTarget.DataBase;

    private static class Layout
    {
        public const int Device = VirtqueueTarget.DeviceOffset, Queue = VirtqueueTarget.QueueOffset,
            Descriptors = VirtqueueTarget.DescriptorsOffset, Avail = VirtqueueTarget.AvailOffset, Data = VirtqueueTarget.DataOffset;
    }

    [TestMethod]
    public void MutatedVirtqueuesAreProcessedOrNeedReset()
    {
        int iterations = SeededFuzzer.Iterations(30_000);
        var (processed, reset) = SeededFuzzer.Run("virtqueue", iterations, input => VirtqueueTarget.Run(input));
        // Both outcomes are reached: the mutations are neither all harmless nor all rejected.
        Assert.IsGreaterThan(iterations / 20, reset, "inputs that needed a reset");
        Assert.IsGreaterThan(iterations / 20, processed, "inputs processed");
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
            // Each seed is processed whole, no reset needed.
            Assert.IsTrue(VirtqueueTarget.Run(data), name);
        }
    }
}
