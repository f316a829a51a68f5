using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

/// <summary>Device writes into guest RAM are announced on <c>PhysicalBus.RamWritten</c>; frames cross threads through <see cref="QueuedNetBackend"/>.</summary>
[TestClass]
public sealed class DmaNotificationTests
{
    [TestMethod]
    public void PushAnnouncesTheWritableSegmentsAndTheUsedRing()
    {
        using var d = new VirtioTestDriver(new VirtioRngDevice(new DeterministicEntropySource(1)));
        d.Initialize(size: 8);
        ulong readable = d.PutNew(new byte[8]);
        ulong a = d.Alloc(13), b = d.Alloc(40);
        var writes = new List<(ulong Pa, int Size)>();
        d.Bus.RamWritten += (pa, size) => writes.Add((pa, size));
        d.Add(0, (a, 13, true), (b, 40, true));
        writes.Clear(); // the driver's own ring writes above are not the device's
        d.Notify(0);
        Assert.AreEqual(53u, d.TakeUsed(0).Single().Len);
        CollectionAssert.Contains(writes, (a, 13));
        CollectionAssert.Contains(writes, (b, 40));
        var q = d.Queue(0);
        CollectionAssert.Contains(writes, (q.Used + 2, 2), "used idx");
        CollectionAssert.Contains(writes, (q.Used + 4, 8), "used element 0");
        Assert.IsFalse(writes.Any(w => w.Pa == readable), "a device-readable buffer is not written");
        Assert.AreEqual(4, writes.Count);
    }

    [TestMethod]
    public void NotifyRamWrittenSplitsHugeRangesAndIsSilentWithoutListeners()
    {
        using var bus = new ArmVirt.Core.PhysicalBus();
        bus.NotifyRamWritten(0x4000_0000, 16); // no listener: nothing happens
        var writes = new List<(ulong, int)>();
        bus.RamWritten += (pa, size) => writes.Add((pa, size));
        bus.NotifyRamWritten(0x4000_0000, (3UL << 30) + 5);
        CollectionAssert.AreEqual(new[] { (0x4000_0000UL, 1 << 30), (0x8000_0000UL, 1 << 30), (0xC000_0000UL, 1 << 30), (0x1_0000_0000UL, 5) }, writes);
    }

    [TestMethod]
    public void QueuedBackendDeliversOnlyWhenPolledOnTheOwnersThread()
    {
        var network = new NetworkSwitch();
        var sender = network.CreatePort("a");
        var queued = new QueuedNetBackend(network.CreatePort("b"));
        Assert.IsTrue(queued.NeedsPolling);
        var received = new List<(byte[] Frame, int Thread)>();
        queued.Receiver = f => received.Add((f.ToArray(), Environment.CurrentManagedThreadId));
        byte[] frame = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 42];
        var t = new Thread(() => { for (int i = 0; i < 3; i++) sender.Send(frame); });
        t.Start();
        t.Join();
        Assert.AreEqual(0, received.Count, "nothing is delivered on the sending thread");
        queued.Poll();
        Assert.AreEqual(3, received.Count);
        Assert.IsTrue(received.All(r => r.Thread == Environment.CurrentManagedThreadId && r.Frame.SequenceEqual(frame)));
        for (int i = 0; i < QueuedNetBackend.MaxQueuedFrames + 5; i++) sender.Send(frame);
        Assert.AreEqual(5L, queued.ReceiveDropped, "the queue is bounded");
        queued.Dispose();
        Assert.AreEqual(1, network.Ports.Count, "disposing disconnects the inner port");
    }
}
