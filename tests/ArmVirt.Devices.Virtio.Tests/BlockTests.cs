using System.Buffers.Binary;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

[TestClass]
public sealed class BlockTests
{
    public static byte[] Header(uint type, ulong sector)
    {
        var h = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(h, type);
        BinaryPrimitives.WriteUInt64LittleEndian(h.AsSpan(8), sector);
        return h;
    }

    private static byte[] Range(ulong sector, uint count, uint flags)
    {
        var r = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(r, sector);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(8), count);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(12), flags);
        return r;
    }

    private static byte[] Pattern(int length, int seed)
    {
        var b = new byte[length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)(i * 31 + seed);
        return b;
    }

    /// <summary>Submits one request and returns (status byte, used length).</summary>
    private static (byte Status, uint Len) Submit(VirtioTestDriver d, uint type, ulong sector, byte[]? outData = null,
        int inLength = 0, ulong? inBuffer = null, bool indirect = false)
    {
        ulong header = d.PutNew(Header(type, sector));
        ulong status = d.PutNew(new byte[] { 0xEE });
        var bufs = new List<(ulong, uint, bool)> { (header, 16, false) };
        if (outData != null) bufs.Add((d.PutNew(outData), (uint)outData.Length, false));
        if (inLength > 0) bufs.Add((inBuffer ?? d.Alloc(inLength), (uint)inLength, true));
        bufs.Add((status, 1, true));
        if (indirect) d.AddIndirect(0, bufs.ToArray()); else d.Add(0, bufs.ToArray());
        d.Notify(0);
        var used = d.TakeUsed(0);
        Assert.AreEqual(1, used.Count);
        return (d.Mem(status, 1)[0], used[0].Len);
    }

    [TestMethod]
    public void WriteThenReadMemoryBackend()
    {
        var backend = new MemoryBlockBackend(1 << 20);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend));
        d.Initialize();
        var data = Pattern(4096, 5);
        var r = Submit(d, VirtioBlockDevice.RequestOut, 8, outData: data);
        Assert.AreEqual((byte)0, r.Status);
        Assert.AreEqual(1u, r.Len, "OUT writes only the status byte");
        CollectionAssert.AreEqual(data, backend.Data.Slice(8 * 512, 4096).ToArray());
        ulong buf = d.Alloc(4096);
        r = Submit(d, VirtioBlockDevice.RequestIn, 8, inLength: 4096, inBuffer: buf);
        Assert.AreEqual((byte)0, r.Status);
        Assert.AreEqual(4097u, r.Len);
        CollectionAssert.AreEqual(data, d.Mem(buf, 4096).ToArray());
        Assert.IsTrue(d.Transport.Interrupt.IsAsserted);
        Assert.AreEqual(1u, d.Read(0x60));
    }

    [TestMethod]
    public void ReadScatteredIntoSegmentsWithStatusSharingTheLastOne()
    {
        var image = Pattern(64 * 1024, 9);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(image)));
        d.Initialize();
        ulong header = d.PutNew(Header(VirtioBlockDevice.RequestIn, 2));
        ulong a = d.Alloc(100), b = d.Alloc(900), c = d.Alloc(25);
        d.Add(0, (header, 16, false), (a, 100, true), (b, 900, true), (c, 25, true));
        d.Notify(0);
        var used = d.TakeUsed(0);
        Assert.AreEqual(1025u, used[0].Len);
        var expected = image.AsSpan(1024, 1024);
        CollectionAssert.AreEqual(expected[..100].ToArray(), d.Mem(a, 100).ToArray());
        CollectionAssert.AreEqual(expected[100..1000].ToArray(), d.Mem(b, 900).ToArray());
        CollectionAssert.AreEqual(expected[1000..].ToArray(), d.Mem(c, 24).ToArray());
        Assert.AreEqual(0, d.Mem(c + 24, 1)[0]);
    }

    [TestMethod]
    public void IndirectRequest()
    {
        var backend = new MemoryBlockBackend(1 << 20);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend));
        d.Initialize();
        var data = Pattern(1024, 77);
        Assert.AreEqual((byte)0, Submit(d, VirtioBlockDevice.RequestOut, 100, outData: data, indirect: true).Status);
        CollectionAssert.AreEqual(data, backend.Data.Slice(100 * 512, 1024).ToArray());
        ulong buf = d.Alloc(1024);
        var r = Submit(d, VirtioBlockDevice.RequestIn, 100, inLength: 1024, inBuffer: buf, indirect: true);
        Assert.AreEqual(((byte)0, 1025u), r);
        CollectionAssert.AreEqual(data, d.Mem(buf, 1024).ToArray());
    }

    [TestMethod]
    public void OutOfRangeMisalignedAndUnknownRequests()
    {
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(8 * 512)));
        d.Initialize();
        Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestIn, 7, inLength: 1024).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestIn, ulong.MaxValue, inLength: 512).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestOut, 0, outData: new byte[100]).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestIn, 7, inLength: 512).Status);
        var r = Submit(d, 99, 0);
        Assert.AreEqual((VirtioBlockDevice.StatusUnsupported, 1u), r);
        Assert.AreEqual(0u, d.Status & 0x40, "request errors are not device errors");
    }

    [TestMethod]
    public void GetId()
    {
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(4096), "armvirt-disk-0"));
        d.Initialize();
        ulong buf = d.PutNew(Enumerable.Repeat((byte)0xAA, 20).ToArray());
        var r = Submit(d, VirtioBlockDevice.RequestGetId, 0, inLength: 20, inBuffer: buf);
        Assert.AreEqual(((byte)0, 21u), r);
        var id = d.Mem(buf, 20).ToArray();
        Assert.AreEqual("armvirt-disk-0", System.Text.Encoding.ASCII.GetString(id, 0, 14));
        Assert.IsTrue(id.Skip(14).All(b => b == 0), "short IDs are NUL-padded");
    }

    [TestMethod]
    public void DiscardAndWriteZeroes()
    {
        var backend = new MemoryBlockBackend(Pattern(64 * 512, 3));
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend));
        d.Initialize();
        ulong f = d.Transport.NegotiatedFeatures;
        Assert.AreNotEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureDiscard));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureWriteZeroes));
        Assert.AreEqual(0x3F_FFFFu, d.Read(0x100 + 36));
        Assert.AreEqual(1u, d.Read(0x100 + 40));
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(4, 2, 0)).Status);
        Assert.IsTrue(backend.Data.Slice(4 * 512, 1024).ToArray().All(b => b == 0));
        Assert.AreNotEqual((byte)0, backend.Data[6 * 512 + 1]);
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(10, 1, VirtioBlockDevice.FlagUnmap)).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(20, 3, 0)).Status);
        Assert.IsTrue(backend.Data.Slice(20 * 512, 3 * 512).ToArray().All(b => b == 0));
        Assert.AreEqual(VirtioBlockDevice.StatusUnsupported, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(30, 1, 1)).Status, "discard has no unmap flag");
        Assert.AreEqual(VirtioBlockDevice.StatusUnsupported, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(30, 1, 2)).Status, "reserved flag");
        Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(63, 2, 0)).Status, "beyond capacity");
        Assert.AreEqual(VirtioBlockDevice.StatusUnsupported, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(1, 1, 0).Concat(Range(2, 1, 0)).ToArray()).Status, "more segments than max_discard_seg");
        Assert.AreNotEqual((byte)0, backend.Data[30 * 512 + 1]);
    }

    [TestMethod]
    public void DiscardUnsupportedWhenNotNegotiated()
    {
        var backend = new MemoryBlockBackend(Pattern(8 * 512, 3));
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend));
        ulong f = d.DeviceFeatures() & ~((1UL << VirtioBlockDevice.FeatureDiscard) | (1UL << VirtioBlockDevice.FeatureWriteZeroes));
        d.Initialize(f);
        Assert.AreEqual(VirtioBlockDevice.StatusUnsupported, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(1, 1, 0)).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusUnsupported, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(1, 1, 0)).Status);
        Assert.AreNotEqual((byte)0, backend.Data[512 + 1]);
    }

    [TestMethod]
    public void ReadOnlyDeviceOffersRoAndRefusesWrites()
    {
        var backend = new MemoryBlockBackend(Pattern(8 * 512, 1), readOnly: true);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend));
        ulong f = d.DeviceFeatures();
        Assert.AreNotEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureReadOnly));
        Assert.AreEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureDiscard));
        d.Initialize();
        Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestOut, 0, outData: new byte[512]).Status);
        Assert.AreEqual((byte)1, backend.Data[0]);
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestIn, 0, inLength: 512).Status);
        Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestFlush, 0).Status);
    }

    [TestMethod]
    public void FlushReachesBackendAndWriteThroughWithoutFlushFeature()
    {
        var backend = new MemoryBlockBackend(8 * 512);
        using (var d = new VirtioTestDriver(new VirtioBlockDevice(backend)))
        {
            d.Initialize();
            Submit(d, VirtioBlockDevice.RequestOut, 0, outData: new byte[512]);
            Assert.AreEqual(0, backend.FlushCount, "write-back when FLUSH is negotiated");
            Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestFlush, 0).Status);
            Assert.AreEqual(1, backend.FlushCount);
        }
        var backend2 = new MemoryBlockBackend(8 * 512);
        using (var d = new VirtioTestDriver(new VirtioBlockDevice(backend2)))
        {
            d.Initialize(d.DeviceFeatures() & ~(1UL << VirtioBlockDevice.FeatureFlush));
            Submit(d, VirtioBlockDevice.RequestOut, 0, outData: new byte[512]);
            Assert.AreEqual(1, backend2.FlushCount, "write-through without VIRTIO_BLK_F_FLUSH");
        }
    }

    [TestMethod]
    public void RawFileReadWriteFlushDiscard()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Pattern(32 * 512, 11));
            using (var backend = new RawFileBlockBackend(path))
            using (var d = new VirtioTestDriver(new VirtioBlockDevice(backend, "file")))
            {
                d.Initialize();
                Assert.AreEqual(32u, d.Read(0x100));
                ulong buf = d.Alloc(1024);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestIn, 3, inLength: 1024, inBuffer: buf).Status);
                CollectionAssert.AreEqual(Pattern(32 * 512, 11).AsSpan(3 * 512, 1024).ToArray(), d.Mem(buf, 1024).ToArray());
                var data = Pattern(2048, 99);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestOut, 10, outData: data).Status);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestFlush, 0).Status);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(20, 2, 0)).Status);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestDiscard, 0, outData: Range(25, 1, 0)).Status);
            }
            var file = File.ReadAllBytes(path);
            Assert.AreEqual(32 * 512, file.Length);
            CollectionAssert.AreEqual(Pattern(2048, 99), file.AsSpan(10 * 512, 2048).ToArray());
            Assert.IsTrue(file.AsSpan(20 * 512, 1024).ToArray().All(b => b == 0));
            Assert.IsTrue(file.AsSpan(25 * 512, 512).ToArray().All(b => b == 0));
            CollectionAssert.AreEqual(Pattern(32 * 512, 11).AsSpan(0, 10 * 512).ToArray(), file.AsSpan(0, 10 * 512).ToArray());
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void RawFileReadOnly()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Pattern(4 * 512, 2));
            using (var backend = new RawFileBlockBackend(path, readOnly: true))
            using (var d = new VirtioTestDriver(new VirtioBlockDevice(backend)))
            {
                d.Initialize();
                Assert.AreEqual(VirtioBlockDevice.StatusIoError, Submit(d, VirtioBlockDevice.RequestOut, 0, outData: new byte[512]).Status);
            }
            CollectionAssert.AreEqual(Pattern(4 * 512, 2), File.ReadAllBytes(path));
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void SnapshotOverlayNeverWritesTheBaseFile()
    {
        string path = Path.GetTempFileName();
        try
        {
            var original = Pattern(256 * 512, 4);
            File.WriteAllBytes(path, original);
            var stamp = File.GetLastWriteTimeUtc(path);
            var overlay = new CopyOnWriteBlockBackend(new RawFileBlockBackend(path, readOnly: true), clusterSize: 4096);
            using (var d = new VirtioTestDriver(new VirtioBlockDevice(overlay)))
            {
                d.Initialize();
                Assert.AreEqual(0ul, d.Transport.NegotiatedFeatures & (1UL << VirtioBlockDevice.FeatureReadOnly));
                var data = Pattern(1536, 200);
                // Crosses a cluster boundary (4096 = sector 8) and leaves partial clusters around it.
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestOut, 7, outData: data).Status);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestWriteZeroes, 0, outData: Range(100, 16, 0)).Status);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestFlush, 0).Status);
                ulong buf = d.Alloc(16 * 512);
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestIn, 0, inLength: 16 * 512, inBuffer: buf).Status);
                var expected = (byte[])original.Clone();
                data.CopyTo(expected, 7 * 512);
                CollectionAssert.AreEqual(expected.AsSpan(0, 16 * 512).ToArray(), d.Mem(buf, 16 * 512).ToArray());
                Assert.AreEqual(VirtioBlockDevice.StatusOk, Submit(d, VirtioBlockDevice.RequestIn, 99, inLength: 512 * 18, inBuffer: buf).Status);
                var back = d.Mem(buf, 18 * 512).ToArray();
                CollectionAssert.AreEqual(original.AsSpan(99 * 512, 512).ToArray(), back[..512]);
                Assert.IsTrue(back.AsSpan(512, 16 * 512).ToArray().All(b => b == 0));
                CollectionAssert.AreEqual(original.AsSpan(116 * 512, 512).ToArray(), back[(17 * 512)..]);
                Assert.AreEqual(5, overlay.OverlayClusterCount, "clusters 0-1 and 12-14");
            }
            CollectionAssert.AreEqual(original, File.ReadAllBytes(path));
            Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(path));
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void MissingHeaderIsADeviceError()
    {
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(4096)));
        d.Initialize();
        ulong status = d.PutNew(new byte[] { 0xEE });
        d.Add(0, (d.PutNew(new byte[8]), 8, false), (status, 1, true));
        d.Notify(0);
        Assert.AreEqual(0, d.TakeUsed(0).Count);
        Assert.AreEqual(0x40u, d.Status & 0x40);
        Assert.AreEqual(2u, d.Read(0x60));
    }
}
