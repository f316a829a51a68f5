using ArmVirt.Core;
using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class WiringTests
{
    [TestMethod]
    public void TogglingLinesDoesNotAllocate()
    {
        var h = new GicHarness(cpus: 4);
        h.EnableAll();
        h.Setup(40, 0x40);
        h.Setup(41, 0x40, edge: true);
        h.Setup(30, 0x40);
        var spi = h.Gic.Spi(8);
        var edge = h.Gic.Spi(9);
        var ppi = h.Gic.Ppi(0, 14);
        for (int i = 0; i < 10; i++) { spi.Set(true); spi.Set(false); edge.Pulse(); ppi.Set(true); ppi.Set(false); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            spi.Set(true);
            spi.Set(false);
            edge.Pulse();
            ppi.Set(true);
            ppi.Set(false);
        }
        Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void MappedAtTheVirtMemoryMapThroughSharedWindows()
    {
        var gic = new Gicv2(cpuCount: 2);
        using var bus = new PhysicalBus();
        bus.AddMmio(0x0800_0000, 0x1_0000, gic.Distributor, "gicd");
        bus.AddMmio(0x0801_0000, 0x1_0000, gic.CpuInterfaceWindow, "gicc");
        bus.AddMmio(0x0803_0000, 0x1_0000, gic.VirtualControlWindow, "gich");
        bus.AddMmio(0x0804_0000, 0x1_0000, gic.VirtualCpuInterfaceWindow, "gicv");
        int cpu = 0;
        gic.AccessingCpu = () => cpu;

        Assert.IsTrue(bus.TryRead(0x0800_0004, 4, out ulong typer));
        Assert.AreEqual(8UL | 1UL << 5, typer);
        Assert.IsTrue(bus.TryWrite(0x0800_0000, 4, 1));
        cpu = 1;
        Assert.IsTrue(bus.TryWrite(0x0801_0000, 4, 1));
        Assert.IsTrue(bus.TryWrite(0x0801_0004, 4, 0xFF));
        cpu = 0;
        Assert.IsTrue(bus.TryWrite(0x0800_0F00, 4, 0x02u << 16 | 7)); // SGI 7 from CPU 0 to CPU 1
        Assert.IsTrue(gic.IrqOutput(1).IsAsserted);
        Assert.IsFalse(gic.IrqOutput(0).IsAsserted);
        cpu = 1;
        Assert.IsTrue(bus.TryRead(0x0801_000C, 4, out ulong iar));
        Assert.AreEqual(7UL, iar);
        Assert.IsTrue(bus.TryWrite(0x0801_0010, 4, iar));
        Assert.IsTrue(bus.TryRead(0x0803_0004, 4, out ulong vtr));
        Assert.AreEqual(0x90000003UL, vtr);
        Assert.IsTrue(bus.TryWrite(0x0803_0000, 4, 1));
        Assert.IsTrue(bus.TryWrite(0x0804_0000, 4, 1));
        Assert.IsTrue(bus.TryWrite(0x0804_0004, 4, 0xF8));
        Assert.IsTrue(bus.TryWrite(0x0803_0100, 4, Lr(33, 1, 0xA0)));
        Assert.IsTrue(gic.VirtualIrqOutput(1).IsAsserted);
        Assert.IsFalse(gic.VirtualIrqOutput(0).IsAsserted);
        Assert.IsTrue(bus.TryRead(0x0804_000C, 4, out ulong viar));
        Assert.AreEqual(33UL, viar);
        Assert.IsTrue(bus.TryWrite(0x0804_1000, 4, 33)); // GICV_DIR ignored with VEM = 0
        cpu = 5;
        Assert.ThrowsExactly<InvalidOperationException>(() => bus.TryRead(0x0801_0000, 4, out _));
    }

    [TestMethod]
    public void ConstructorValidatesConfiguration()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(9));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(1, 100));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(1, 1024));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(1, 288, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv2(1, 288, 65));
        var g = new Gicv2(1, 32);
        Assert.AreEqual(32, g.InterruptCount);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => g.Spi(0));
        var max = new Gicv2(1, 1020);
        Assert.AreEqual("GIC SPI 987 (INTID 1019)", max.Spi(987).Name);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => max.Spi(988));
    }
}
