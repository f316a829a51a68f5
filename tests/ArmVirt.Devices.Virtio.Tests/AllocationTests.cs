using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

/// <summary>The data path (notify, walk, DMA, complete, interrupt) does not allocate once warm.</summary>
[TestClass]
public sealed class AllocationTests
{
    private static long Measure(Action step, int iterations = 200)
    {
        for (int i = 0; i < 20; i++) step(); // warm-up: pools, JIT, dictionary entries
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++) step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [TestMethod]
    public void BlockReadsAndWritesDoNotAllocate()
    {
        using var d = new VirtioTestDriver(new VirtioBlockDevice(new MemoryBlockBackend(1 << 20)));
        d.Initialize(size: 8);
        ulong read = d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestIn, 4));
        ulong write = d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestOut, 4));
        ulong data = d.Alloc(4096), status = d.Alloc(1);
        var q = d.Queue(0);
        d.WriteDescriptor(q.Desc, 0, read, 16, Virtqueue.DescNext, 1);
        d.WriteDescriptor(q.Desc, 1, data, 4096, Virtqueue.DescWrite | Virtqueue.DescNext, 2);
        d.WriteDescriptor(q.Desc, 2, status, 1, Virtqueue.DescWrite, 0);
        d.WriteDescriptor(q.Desc, 3, write, 16, Virtqueue.DescNext, 4);
        d.WriteDescriptor(q.Desc, 4, data, 4096, Virtqueue.DescNext, 5);
        d.WriteDescriptor(q.Desc, 5, status, 1, Virtqueue.DescWrite, 0);
        long bytes = Measure(() =>
        {
            d.Publish(0, 0);
            d.Publish(0, 3);
            d.Notify(0);
            d.Ack();
        });
        Assert.AreEqual(0L, bytes);
        Assert.AreEqual(0, d.Mem(status, 1)[0]);
        Assert.AreEqual((ushort)440, d.Transport.GetQueue(0).UsedIndex);
    }

    [TestMethod]
    public void NetworkFramesThroughTheSwitchDoNotAllocate()
    {
        var sw = new NetworkSwitch();
        byte[] macA = [0x52, 0x54, 0, 0, 0, 0xA], macB = [0x52, 0x54, 0, 0, 0, 0xB];
        var netB = new VirtioNetDevice(sw.CreatePort(), macB);
        using var a = new VirtioTestDriver(new VirtioNetDevice(sw.CreatePort(), macA));
        using var b = new VirtioTestDriver(netB);
        a.Initialize(size: 8);
        b.Initialize(size: 8);
        var frame = new byte[12 + 1000];
        macB.CopyTo(frame, 12);
        macA.CopyTo(frame, 18);
        ulong tx = a.PutNew(frame);
        ulong rx = b.Alloc(1526);
        a.WriteDescriptor(a.Queue(1).Desc, 0, tx, (uint)frame.Length, 0, 0);
        b.WriteDescriptor(b.Queue(0).Desc, 0, rx, 1526, Virtqueue.DescWrite, 0);
        long bytes = Measure(() =>
        {
            b.Publish(0, 0);
            b.Notify(0);
            a.Publish(1, 0);
            a.Notify(1);
            a.Ack();
            b.Ack();
        });
        Assert.AreEqual(0L, bytes);
        Assert.AreEqual(220, netB.FramesReceived);
        Assert.AreEqual(0, netB.ReceiveDropped);
    }
}
