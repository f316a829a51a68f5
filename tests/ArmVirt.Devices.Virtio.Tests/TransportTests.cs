using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

[TestClass]
public sealed class TransportTests
{
    private static VirtioTestDriver Blk(long bytes = 1 << 20, VirtioMmioVersion v = VirtioMmioVersion.Modern)
        => new(new VirtioBlockDevice(new MemoryBlockBackend(bytes), "serial"), v);

    [TestMethod]
    public void IdentificationRegisters()
    {
        using var d = Blk();
        Assert.AreEqual(0x74726976u, d.Read(0x000));
        Assert.AreEqual(2u, d.Read(0x004));
        Assert.AreEqual(2u, d.Read(0x008));
        Assert.AreEqual(0x554D4551u, d.Read(0x00C));
        Assert.AreEqual(0u, d.Read(0x070));
    }

    [TestMethod]
    public void EmptySlotLooksLikeQemus()
    {
        using var d = new VirtioTestDriver(null);
        Assert.AreEqual(0x74726976u, d.Read(0x000));
        Assert.AreEqual(2u, d.Read(0x004));
        Assert.AreEqual(0u, d.Read(0x008));
        Assert.AreEqual(0x554D4551u, d.Read(0x00C));
        Assert.AreEqual(0ul, d.DeviceFeatures());
        d.Write(0x070, 0xF);
        Assert.AreEqual(0u, d.Read(0x070));
        Assert.AreEqual(0u, d.Read(0x034));
        Assert.AreEqual(0u, d.Read(0x100));
    }

    [TestMethod]
    public void FeaturesOfferVersion1IndirectEventIdxButNotAccessPlatform()
    {
        using var d = Blk();
        ulong f = d.DeviceFeatures();
        Assert.AreNotEqual(0ul, f & (1UL << VirtioFeature.Version1));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioFeature.RingIndirectDesc));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioFeature.RingEventIdx));
        Assert.AreEqual(0ul, f & (1UL << VirtioFeature.AccessPlatform));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureFlush));
        Assert.AreEqual(0ul, f & (1UL << VirtioBlockDevice.FeatureReadOnly));
        d.Write(0x14, 2);
        Assert.AreEqual(0u, d.Read(0x10), "feature words beyond 63 are zero");
    }

    [TestMethod]
    public void FeaturesOkRefusedWithoutVersion1OrWithUnofferedBits()
    {
        using var d = Blk();
        ulong f = d.DeviceFeatures();
        Assert.IsFalse(d.Negotiate(f & ~(1UL << VirtioFeature.Version1)));
        Assert.AreEqual(3u, d.Status);
        Assert.IsFalse(d.Negotiate(f | (1UL << VirtioFeature.AccessPlatform)));
        Assert.IsTrue(d.Negotiate(f));
        Assert.AreEqual(f, d.Transport.NegotiatedFeatures);
        // Once FEATURES_OK is set the accepted features are frozen.
        d.WriteDriverFeatures(0);
        Assert.AreEqual(f, d.Transport.DriverFeatures);
    }

    [TestMethod]
    public void WritingZeroToStatusResets()
    {
        using var d = Blk();
        d.Initialize();
        d.Write(0x30, 0);
        Assert.AreEqual(1u, d.Read(0x44));
        d.Transport.NotifyConfigChanged();
        Assert.AreEqual(2u, d.Read(0x60));
        Assert.IsTrue(d.Transport.Interrupt.IsAsserted);
        d.Write(0x70, 0);
        Assert.AreEqual(0u, d.Status);
        Assert.AreEqual(0u, d.Read(0x44), "queues disabled by reset");
        Assert.AreEqual(0u, d.Read(0x60));
        Assert.IsFalse(d.Transport.Interrupt.IsAsserted);
        Assert.AreEqual(0ul, d.Transport.DriverFeatures);
    }

    [TestMethod]
    public void InterruptAckClearsOnlyAcknowledgedBits()
    {
        using var d = Blk();
        d.Initialize();
        d.Transport.NotifyUsedBuffers();
        d.Transport.NotifyConfigChanged();
        Assert.AreEqual(3u, d.Read(0x60));
        d.Write(0x64, 1);
        Assert.AreEqual(2u, d.Read(0x60));
        Assert.IsTrue(d.Transport.Interrupt.IsAsserted);
        d.Write(0x64, 2);
        Assert.IsFalse(d.Transport.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void ConfigSpaceAndGeneration()
    {
        using var d = Blk(3 << 20);
        Assert.AreEqual((uint)(3 << 20) / 512, d.Read(0x100));
        Assert.AreEqual(0u, d.Read(0x104));
        Assert.AreEqual(512u, d.Read(0x100 + 20));
        Assert.AreEqual(0x18u, d.Read(0x101, 1), "byte access inside a field");
        Assert.AreEqual(254u, d.Read(0x100 + 12), "seg_max = queue size - 2");
        uint g = d.Read(0xFC);
        d.Transport.NotifyConfigChanged();
        Assert.AreEqual(g + 1, d.Read(0xFC));
        Assert.AreEqual(0u, d.Read(0x100 + 0x40), "beyond the config structure reads zero");
    }

    [TestMethod]
    public void SharedMemoryRegionsAbsent()
    {
        using var d = Blk();
        d.Write(0xAC, 0);
        Assert.AreEqual(0xFFFF_FFFFu, d.Read(0xB0));
        Assert.AreEqual(0xFFFF_FFFFu, d.Read(0xB4));
        Assert.AreEqual(0xFFFF_FFFFu, d.Read(0xB8));
        Assert.AreEqual(0xFFFF_FFFFu, d.Read(0xBC));
    }

    [TestMethod]
    public void QueueNumMaxAndNonexistentQueue()
    {
        using var d = Blk();
        d.Write(0x30, 0);
        Assert.AreEqual(256u, d.Read(0x34));
        d.Write(0x30, 1);
        Assert.AreEqual(0u, d.Read(0x34));
        d.Write(0x44, 1);
        Assert.AreEqual(0u, d.Read(0x44));
    }

    [TestMethod]
    [DataRow(0u)]
    [DataRow(512u)]
    [DataRow(48u)]
    public void BadQueueSizeNeedsReset(uint size)
    {
        using var d = Blk();
        Assert.IsTrue(d.Negotiate());
        d.Write(0x30, 0);
        d.Write(0x38, size);
        ulong ring = d.Alloc(0x4000, 4096);
        d.Write(0x80, (uint)ring); d.Write(0x90, (uint)ring + 0x1000); d.Write(0xA0, (uint)ring + 0x2000);
        d.Write(0x44, 1);
        Assert.AreEqual(0u, d.Read(0x44));
        Assert.AreEqual(0x40u, d.Status & 0x40);
        StringAssert.Contains(d.Transport.LastError, "invalid size");
        d.Write(0x70, 0);
        Assert.AreEqual(0u, d.Status, "reset clears DEVICE_NEEDS_RESET");
    }

    [TestMethod]
    public void RingOutsideRamNeedsResetAndRaisesConfigInterruptAfterDriverOk()
    {
        using var d = Blk();
        d.Initialize(queues: 0);
        d.Write(0x30, 0);
        d.Write(0x38, 8);
        d.Write(0x80, 0x1000); d.Write(0x90, 0x2000); d.Write(0xA0, 0x3000);
        d.Write(0x44, 1);
        Assert.AreEqual(0x4Fu, d.Status);
        Assert.AreEqual(2u, d.Read(0x60));
        Assert.IsTrue(d.Transport.Interrupt.IsAsserted);
    }

    [TestMethod]
    public void LegacyLayoutWithQueuePfn()
    {
        var backend = new MemoryBlockBackend(64 * 1024);
        for (int i = 0; i < 512; i++) backend.Data[512 * 3 + i] = (byte)(i * 7);
        using var d = new VirtioTestDriver(new VirtioBlockDevice(backend), VirtioMmioVersion.Legacy);
        Assert.AreEqual(1u, d.Read(0x004));
        ulong f = d.DeviceFeatures();
        Assert.AreEqual(0ul, f & (1UL << VirtioFeature.Version1), "legacy devices do not offer VERSION_1");
        d.Write(0x70, 1); d.Write(0x70, 3);
        d.WriteDriverFeatures(f);
        d.Write(0x28, 4096);            // GuestPageSize
        d.Write(0x30, 0);
        Assert.AreEqual(256u, d.Read(0x34));
        const ushort size = 16;
        d.Write(0x38, size);
        d.Write(0x3C, 4096);            // QueueAlign
        ulong ring = d.Alloc(0x3000, 4096);
        d.Write(0x40, (uint)(ring / 4096));
        Assert.AreEqual((uint)(ring / 4096), d.Read(0x40));
        d.SetQueueState(0, new VirtioTestDriver.QueueState
        {
            Size = size, Desc = ring, Avail = ring + 16 * size, Used = ring + 4096,
        });
        d.Write(0x70, 7);
        ulong header = d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestIn, 3));
        ulong data = d.Alloc(512);
        ulong status = d.PutNew(new byte[] { 0xFF });
        d.Add(0, (header, 16, false), (data, 512, true), (status, 1, true));
        d.Notify(0);
        var used = d.TakeUsed(0);
        Assert.AreEqual(1, used.Count);
        Assert.AreEqual(513u, used[0].Len);
        Assert.AreEqual(0, d.Mem(status, 1)[0]);
        CollectionAssert.AreEqual(backend.Data.Slice(512 * 3, 512).ToArray(), d.Mem(data, 512).ToArray());
        Assert.AreEqual(0u, d.Read(0xFC), "ConfigGeneration is not a legacy register");
    }

    [TestMethod]
    public void NotificationsBeforeDriverOkAreProcessedAtDriverOk()
    {
        using var d = Blk();
        Assert.IsTrue(d.Negotiate());
        d.SetupQueue(0, 8);
        ulong header = d.PutNew(BlockTests.Header(VirtioBlockDevice.RequestFlush, 0));
        ulong status = d.PutNew(new byte[] { 0xFF });
        d.Add(0, (header, 16, false), (status, 1, true));
        d.Notify(0);
        Assert.AreEqual(0, d.TakeUsed(0).Count, "no buffer is used before DRIVER_OK");
        d.Write(0x70, 0xF);
        Assert.AreEqual(1, d.TakeUsed(0).Count);
        Assert.AreEqual(0, d.Mem(status, 1)[0]);
    }

    [TestMethod]
    public void WideConfigAccessAndReservedRegisters()
    {
        using var d = Blk(5L << 30 >> 10); // 5 MiB
        Assert.IsTrue(d.Bus.TryRead(VirtioTestDriver.MmioBase + 0x100, 8, out ulong capacity));
        Assert.AreEqual((5UL << 20) / 512, capacity);
        var errors = new List<string>();
        d.Transport.Registers.GuestError += errors.Add;
        Assert.AreEqual(0u, d.Read(0x018));
        Assert.AreEqual(0u, d.Read(0x028), "GuestPageSize is legacy-only");
        Assert.AreEqual(0u, d.Read(0x040), "QueuePFN is legacy-only");
        Assert.AreEqual(3, errors.Count);
        using var legacy = Blk(4096, VirtioMmioVersion.Legacy);
        legacy.Transport.Registers.GuestError += errors.Add;
        legacy.Write(0x030, 0);
        legacy.Write(0x044, 1);
        Assert.AreEqual(0u, legacy.Read(0x044), "QueueReady is not a legacy register");
        Assert.AreEqual(5, errors.Count);
        Assert.AreEqual(0u, legacy.Read(0x040));
    }
}
