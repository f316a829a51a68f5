namespace ArmVirt.Core.Tests;

[TestClass]
public sealed class PhysicalBusTests
{
    private sealed class RecordingDevice : IMmioDevice
    {
        public readonly List<(ulong Offset, int Size, ulong Value)> Writes = new();

        public bool TryRead(ulong offset, int size, out ulong value)
        {
            value = 0x1000 + offset;
            return offset != 0x10;
        }

        public bool TryWrite(ulong offset, int size, ulong value)
        {
            Writes.Add((offset, size, value));
            return true;
        }
    }

    [TestMethod]
    public void RamReadsBackWhatWasWrittenLittleEndian()
    {
        using var bus = new PhysicalBus();
        bus.AddRam(0x4000_0000, 0x1000);
        Assert.IsTrue(bus.TryWrite(0x4000_0008, 8, 0x1122_3344_5566_7788));
        Assert.IsTrue(bus.TryRead(0x4000_0008, 1, out ulong b));
        Assert.AreEqual(0x88UL, b);
        Assert.IsTrue(bus.TryRead(0x4000_000A, 2, out ulong h));
        Assert.AreEqual(0x5566UL, h);
        Assert.IsTrue(bus.TryRead(0x4000_000C, 4, out ulong w));
        Assert.AreEqual(0x1122_3344UL, w);
    }

    [TestMethod]
    public void UnmappedAndStraddlingAccessesFail()
    {
        using var bus = new PhysicalBus();
        bus.AddRam(0x4000_0000, 0x1000);
        Assert.IsFalse(bus.TryRead(0x0, 4, out _));
        Assert.IsFalse(bus.TryRead(0x4000_0FFC, 8, out _), "access running off the end of RAM");
        Assert.IsFalse(bus.TryWrite(0x3FFF_FFFF, 1, 0));
    }

    [TestMethod]
    public void MmioIsDispatchedWithRegionRelativeOffsets()
    {
        using var bus = new PhysicalBus();
        var dev = new RecordingDevice();
        bus.AddMmio(0x0900_0000, 0x1000, dev, "dev");
        Assert.IsTrue(bus.TryRead(0x0900_0004, 4, out ulong v));
        Assert.AreEqual(0x1004UL, v);
        Assert.IsFalse(bus.TryRead(0x0900_0010, 4, out _), "device reported a slave error");
        Assert.IsTrue(bus.TryWrite(0x0900_0020, 2, 0xBEEF));
        Assert.AreEqual((0x20UL, 2, 0xBEEFUL), dev.Writes.Single());
        Assert.IsFalse(bus.TryRead(0x0900_0FFE, 4, out _), "access crossing the window end");
    }

    [TestMethod]
    public void OverlappingRegionsAreRejected()
    {
        using var bus = new PhysicalBus();
        bus.AddRam(0x4000_0000, 0x2000);
        Assert.ThrowsExactly<InvalidOperationException>(() => bus.AddRam(0x4000_1000, 0x1000));
        Assert.ThrowsExactly<InvalidOperationException>(() => bus.AddMmio(0x3FFF_F000, 0x2000, new RecordingDevice(), "x"));
    }

    [TestMethod]
    public void LoadOutsideRamThrows()
    {
        using var bus = new PhysicalBus();
        bus.AddRam(0x4000_0000, 0x1000);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => bus.Load(0x4000_0FF0, new byte[0x20]));
        bus.Load(0x4000_0FF0, new byte[0x10]);
    }
}
