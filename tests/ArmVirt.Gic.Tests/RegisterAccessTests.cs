using ArmVirt.Core;
using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class RegisterAccessTests
{
    private static IEnumerable<object[]> ReadOnly() => new[]
    {
        new object[] { "GICD", TYPER }, new object[] { "GICD", IIDR }, new object[] { "GICD", ICFGR }, new object[] { "GICD", ICFGR + 4 },
        new object[] { "GICD", ITARGETSR }, new object[] { "GICD", 0xFD0 }, new object[] { "GICD", 0xFFC },
        new object[] { "GICC", IAR }, new object[] { "GICC", RPR }, new object[] { "GICC", HPPIR }, new object[] { "GICC", AIAR },
        new object[] { "GICC", AHPPIR }, new object[] { "GICC", C_IIDR },
        new object[] { "GICV", IAR }, new object[] { "GICV", RPR }, new object[] { "GICV", HPPIR }, new object[] { "GICV", AIAR },
        new object[] { "GICV", AHPPIR }, new object[] { "GICV", C_IIDR }, new object[] { "GICV", APR + 4 },
        new object[] { "GICH", VTR }, new object[] { "GICH", MISR }, new object[] { "GICH", EISR0 }, new object[] { "GICH", EISR1 },
        new object[] { "GICH", ELRSR0 }, new object[] { "GICH", ELRSR1 },
    };

    private static IEnumerable<object[]> WriteOnly() => new[]
    {
        new object[] { "GICD", SGIR }, new object[] { "GICC", EOIR }, new object[] { "GICC", AEOIR }, new object[] { "GICC", DIR },
        new object[] { "GICV", EOIR }, new object[] { "GICV", AEOIR }, new object[] { "GICV", DIR },
    };

    private static IEnumerable<object[]> Reserved() => new[]
    {
        new object[] { "GICD", 0x00C }, new object[] { "GICD", 0x07C }, new object[] { "GICD", 0xD00 }, new object[] { "GICD", 0xF04 },
        new object[] { "GICD", 0xF30 }, new object[] { "GICD", 0xFCC },
        new object[] { "GICC", 0x2C }, new object[] { "GICC", 0xF0 }, new object[] { "GICC", 0x1004 },
        new object[] { "GICV", 0xE0 }, new object[] { "GICV", 0x2C },
        new object[] { "GICH", 0x0C }, new object[] { "GICH", 0x40 }, new object[] { "GICH", 0x110 }, new object[] { "GICH", 0x200 },
    };

    private static IMmioDevice Device(Gicv2 gic, string name) => name switch
    {
        "GICD" => gic.DistributorView(0),
        "GICC" => gic.CpuInterface(0),
        "GICV" => gic.VirtualCpuInterface(0),
        _ => gic.VirtualControl(0),
    };

    [TestMethod]
    [DynamicData(nameof(ReadOnly))]
    public void ReadOnlyRegistersIgnoreWrites(string device, int offset)
    {
        var gic = new Gicv2(2);
        var d = Device(gic, device);
        Assert.IsTrue(d.TryRead((ulong)offset, 4, out ulong before));
        Assert.IsTrue(d.TryWrite((ulong)offset, 4, 0xFFFFFFFF));
        Assert.IsTrue(d.TryWrite((ulong)offset, 4, 0));
        Assert.IsTrue(d.TryRead((ulong)offset, 4, out ulong after));
        Assert.AreEqual(before, after);
    }

    [TestMethod]
    [DynamicData(nameof(WriteOnly))]
    public void WriteOnlyRegistersReadAsZero(string device, int offset)
    {
        var gic = new Gicv2(2);
        var d = Device(gic, device);
        Assert.IsTrue(d.TryRead((ulong)offset, 4, out ulong v));
        Assert.AreEqual(0UL, v);
    }

    [TestMethod]
    [DynamicData(nameof(Reserved))]
    public void ReservedOffsetsAreRazWi(string device, int offset)
    {
        var gic = new Gicv2(2, interruptCount: 64);
        var d = Device(gic, device);
        Assert.IsTrue(d.TryWrite((ulong)offset, 4, 0xFFFFFFFF));
        Assert.IsTrue(d.TryRead((ulong)offset, 4, out ulong v));
        Assert.AreEqual(0UL, v);
    }

    [TestMethod]
    public void WordOnlyRegistersRejectByteAccess()
    {
        var h = new GicHarness();
        h.DW(ISENABLER + 4, 0xFFFFFFFF);
        Assert.AreEqual(0u, h.D(ISENABLER + 4, size: 1), "byte read of a word-only register is RAZ");
        h.DW(ICENABLER + 4, 0xFF, size: 1);
        Assert.AreEqual(0xFFFFFFFFu, h.D(ISENABLER + 4), "byte write is ignored");
    }
}
