using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

[TestClass]
public sealed class VirtqueueTests
{
    private static VirtioTestDriver Ready(ulong? features = null, ushort size = 16)
    {
        var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(64 * 1024)));
        d.Initialize(features, size);
        return d;
    }

    private static (ulong Header, ulong Status) FlushRequest(VirtioTestDriver d)
        => (d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestFlush, 0)), d.PutNew(new byte[] { 0xEE }));

    private static void AssertNeedsReset(VirtioTestDriver d, string reason)
    {
        Assert.AreEqual(0x40u, d.Status & 0x40, "DEVICE_NEEDS_RESET");
        Assert.AreEqual(2u, d.Read(0x60) & 2, "configuration change notification");
        Assert.IsTrue(d.Transport.Interrupt.IsAsserted);
        StringAssert.Contains(d.Transport.LastError, reason);
        // The device stays stopped until reset: a good request is not processed.
        var (h, s) = FlushRequest(d);
        d.Add(0, (h, 16, false), (s, 1, true));
        d.Notify(0);
        Assert.AreEqual(0xEE, d.Mem(s, 1)[0]);
        // After a reset and re-initialization it works again.
        d.Initialize();
        (h, s) = FlushRequest(d);
        d.Add(0, (h, 16, false), (s, 1, true));
        d.Notify(0);
        Assert.AreEqual(0, d.Mem(s, 1)[0]);
    }

    [TestMethod]
    public void DescriptorLoopNeedsReset()
    {
        using var d = Ready();
        var q = d.Queue(0);
        var (h, s) = FlushRequest(d);
        d.WriteDescriptor(q.Desc, 0, h, 16, Virtqueue.DescNext, 1);
        d.WriteDescriptor(q.Desc, 1, h, 16, Virtqueue.DescNext, 0);
        d.Publish(0, 0);
        d.Notify(0);
        Assert.AreEqual(0, d.TakeUsed(0).Count);
        Assert.AreEqual(0xEE, d.Mem(s, 1)[0]);
        AssertNeedsReset(d, "loops");
    }

    [TestMethod]
    public void IndirectLoopNeedsReset()
    {
        using var d = Ready();
        var q = d.Queue(0);
        ulong table = d.Alloc(32);
        var (h, s) = FlushRequest(d);
        d.WriteDescriptor(table, 0, h, 16, Virtqueue.DescNext, 1);
        d.WriteDescriptor(table, 1, s, 1, Virtqueue.DescWrite | Virtqueue.DescNext, 1);
        d.WriteDescriptor(q.Desc, 0, table, 32, Virtqueue.DescIndirect, 0);
        d.Publish(0, 0);
        d.Notify(0);
        AssertNeedsReset(d, "loops");
    }

    [TestMethod]
    public void BufferOutsideRamNeedsReset()
    {
        using var d = Ready();
        var (h, _) = FlushRequest(d);
        d.Add(0, (h, 16, false), (VirtioTestDriver.RamBase + VirtioTestDriver.RamSize - 1, 2, true));
        d.Notify(0);
        AssertNeedsReset(d, "outside guest RAM");
    }

    [TestMethod]
    public void BufferAtMmioAddressNeedsReset()
    {
        using var d = Ready();
        var (h, _) = FlushRequest(d);
        d.Add(0, (h, 16, false), (VirtioTestDriver.MmioBase, 1, true));
        d.Notify(0);
        AssertNeedsReset(d, "outside guest RAM");
    }

    [TestMethod]
    public void IndirectTableOutsideRamNeedsReset()
    {
        using var d = Ready();
        d.WriteDescriptor(d.Queue(0).Desc, 0, 0xFFFF_FFFF_FFFF_FFF0, 32, Virtqueue.DescIndirect, 0);
        d.Publish(0, 0);
        d.Notify(0);
        AssertNeedsReset(d, "indirect table");
    }

    [TestMethod]
    [DataRow(0u)]
    [DataRow(24u)]
    [DataRow(16u * 2000)]
    public void BadIndirectLengthNeedsReset(uint length)
    {
        using var d = Ready();
        d.WriteDescriptor(d.Queue(0).Desc, 0, d.Alloc(0x8000), length, Virtqueue.DescIndirect, 0);
        d.Publish(0, 0);
        d.Notify(0);
        AssertNeedsReset(d, "bad indirect table length");
    }

    [TestMethod]
    public void NestedIndirectNeedsReset()
    {
        using var d = Ready();
        ulong inner = d.Alloc(16);
        ulong outer = d.Alloc(16);
        d.WriteDescriptor(outer, 0, inner, 16, Virtqueue.DescIndirect, 0);
        d.WriteDescriptor(d.Queue(0).Desc, 0, outer, 16, Virtqueue.DescIndirect, 0);
        d.Publish(0, 0);
        d.Notify(0);
        AssertNeedsReset(d, "inside an indirect table");
    }

    [TestMethod]
    public void IndirectWithoutNegotiationNeedsReset()
    {
        var dev = new VirtioBlockDevice(new MemoryBlockBackend(4096));
        using var d = new VirtioTestDriver(dev);
        d.Initialize(d.DeviceFeatures() & ~(1UL << VirtioFeature.RingIndirectDesc));
        var (h, s) = FlushRequest(d);
        d.AddIndirect(0, (h, 16, false), (s, 1, true));
        d.Notify(0);
        Assert.AreEqual(0x40u, d.Status & 0x40);
        StringAssert.Contains(d.Transport.LastError, "without VIRTIO_F_INDIRECT_DESC");
    }

    [TestMethod]
    public void IndirectAndNextTogetherNeedsReset()
    {
        using var d = Ready();
        d.WriteDescriptor(d.Queue(0).Desc, 0, d.Alloc(32), 32, Virtqueue.DescIndirect | Virtqueue.DescNext, 1);
        d.Publish(0, 0);
        d.Notify(0);
        AssertNeedsReset(d, "both INDIRECT and NEXT");
    }

    [TestMethod]
    public void ReadableAfterWritableNeedsReset()
    {
        using var d = Ready();
        var (h, s) = FlushRequest(d);
        d.Add(0, (s, 1, true), (h, 16, false));
        d.Notify(0);
        AssertNeedsReset(d, "device-readable descriptor after");
    }

    [TestMethod]
    public void HeadAndNextOutOfRangeNeedReset()
    {
        using (var d = Ready())
        {
            d.Publish(0, 16);
            d.Notify(0);
            AssertNeedsReset(d, "head descriptor 16 out of range");
        }
        using (var d = Ready())
        {
            var (h, _) = FlushRequest(d);
            d.WriteDescriptor(d.Queue(0).Desc, 0, h, 16, Virtqueue.DescNext, 300);
            d.Publish(0, 0);
            d.Notify(0);
            AssertNeedsReset(d, "next descriptor 300 out of range");
        }
    }

    [TestMethod]
    public void AvailIndexJumpNeedsReset()
    {
        using var d = Ready();
        var q = d.Queue(0);
        d.W16(q.Avail + 2, 17);
        d.Notify(0);
        AssertNeedsReset(d, "moved avail idx");
    }

    [TestMethod]
    public void ChainSpanningWrapAroundOfDescriptorTable()
    {
        using var d = Ready(size: 4);
        for (int round = 0; round < 6; round++)
        {
            var (h, s) = FlushRequest(d);
            d.Add(0, (h, 16, false), (s, 1, true));
            d.Notify(0);
            var used = d.TakeUsed(0);
            Assert.AreEqual(1, used.Count);
            Assert.AreEqual(0, d.Mem(s, 1)[0]);
        }
        Assert.AreEqual((ushort)6, d.Transport.GetQueue(0).UsedIndex);
    }

    [TestMethod]
    public void NoInterruptFlagSuppressesUsedBufferNotification()
    {
        using var d = Ready(d0Features());
        var q = d.Queue(0);
        d.W16(q.Avail, Virtqueue.AvailNoInterrupt);
        var (h, s) = FlushRequest(d);
        d.Add(0, (h, 16, false), (s, 1, true));
        d.Notify(0);
        Assert.AreEqual(1, d.TakeUsed(0).Count);
        Assert.AreEqual(0u, d.Read(0x60));
        d.W16(q.Avail, 0);
        (h, s) = FlushRequest(d);
        d.Add(0, (h, 16, false), (s, 1, true));
        d.Notify(0);
        Assert.AreEqual(1u, d.Read(0x60));
    }

    private static ulong d0Features()
    {
        using var probe = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(4096)));
        return probe.DeviceFeatures() & ~(1UL << VirtioFeature.RingEventIdx);
    }

    [TestMethod]
    public void EventIdxSuppressesUntilUsedEventIsPassed()
    {
        using var d = Ready(size: 16);
        Assert.AreNotEqual(0ul, d.Transport.NegotiatedFeatures & (1UL << VirtioFeature.RingEventIdx));
        var q = d.Queue(0);
        ulong usedEvent = q.Avail + 4 + 2 * 16UL;
        ulong availEvent = q.Used + 4 + 8 * 16UL;
        // The driver wants an interrupt only once the used index passes 3 (after the 4th buffer).
        d.W16(usedEvent, 3);
        d.W16(q.Avail, Virtqueue.AvailNoInterrupt); // ignored with EVENT_IDX
        int notifications = 0;
        for (int i = 0; i < 6; i++)
        {
            var (h, s) = FlushRequest(d);
            d.Add(0, (h, 16, false), (s, 1, true));
            d.Notify(0);
            Assert.AreEqual((ushort)(i + 1), d.R16(availEvent), "avail_event asks for the next buffer");
            if ((d.Read(0x60) & 1) != 0)
            {
                notifications++;
                Assert.AreEqual(3, i, "first notification is for the 4th buffer (used idx 3 -> 4)");
                d.Ack();
            }
        }
        Assert.AreEqual(1, notifications);
        // Two buffers in one notify batch: the event index inside the batch triggers one notification.
        d.W16(usedEvent, 6);
        var (h1, s1) = FlushRequest(d);
        var (h2, s2) = FlushRequest(d);
        d.Add(0, (h1, 16, false), (s1, 1, true));
        d.Add(0, (h2, 16, false), (s2, 1, true));
        d.Notify(0);
        Assert.AreEqual(1u, d.Read(0x60));
    }

    [TestMethod]
    public void DirectDescriptorsFollowedByAnIndirectTable()
    {
        var image = new byte[64 * 1024];
        for (int i = 0; i < image.Length; i++) image[i] = (byte)(i / 512);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(image)));
        d.Initialize();
        var q = d.Queue(0);
        ulong header = d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestIn, 5));
        ulong data = d.Alloc(512), status = d.PutNew(new byte[] { 0xEE });
        ulong table = d.Alloc(32);
        d.WriteDescriptor(table, 0, data, 512, Virtqueue.DescWrite | Virtqueue.DescNext, 1);
        d.WriteDescriptor(table, 1, status, 1, Virtqueue.DescWrite, 0);
        d.WriteDescriptor(q.Desc, 0, header, 16, Virtqueue.DescNext, 1);
        d.WriteDescriptor(q.Desc, 1, table, 32, Virtqueue.DescIndirect, 0);
        d.Publish(0, 0);
        d.Notify(0);
        Assert.AreEqual((0u, 513u), d.TakeUsed(0).Single());
        Assert.AreEqual(0, d.Mem(status, 1)[0]);
        Assert.IsTrue(d.Mem(data, 512).ToArray().All(b => b == 5));
    }

    [TestMethod]
    public void NotificationOfUnknownOrDisabledQueueIsIgnored()
    {
        using var d = Ready();
        d.Notify(5);
        d.Write(0x30, 0);
        d.Write(0x44, 0);
        Assert.AreEqual(0u, d.Read(0x44));
        d.Notify(0);
        Assert.AreEqual(0xFu, d.Status);
    }
}
