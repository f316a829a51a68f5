using ArmVirt.Core;
using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class DistributorTests
{
    private static void AssertAllAtReset(RegisterMap map)
    {
        foreach (var reg in map.Registers)
            Assert.AreEqual(reg.ResetValue, reg.Read(), $"{reg.Name} at 0x{reg.Offset:x}");
    }

    [TestMethod]
    public void EveryRegisterReadsItsResetValue()
    {
        var h = new GicHarness(cpus: 4, interrupts: 96, listRegisters: 6);
        AssertAllAtReset(h.Gic.Distributor.Registers);
        for (int c = 0; c < 4; c++)
        {
            AssertAllAtReset(h.Gic.CpuInterface(c).Registers);
            AssertAllAtReset(h.Gic.VirtualControl(c).Registers);
            AssertAllAtReset(h.Gic.VirtualCpuInterface(c).Registers);
        }
    }

    [TestMethod]
    public void ResetRestoresEveryRegister()
    {
        var h = new GicHarness(cpus: 2);
        h.EnableAll();
        h.Setup(40, 0x20, group1: true, edge: true);
        h.DW(ISPENDR + 4, 1u << 8);
        h.DW(SGIR, 0x00010003);
        h.CW(BPR, 3);
        h.CW(APR, 0x10);
        h.HW(HCR, 0xFF);
        h.HW(LR, Lr(5, 1, 0x80));
        h.VW(C_CTLR, 1);
        h.Gic.Reset();
        AssertAllAtReset(h.Gic.Distributor.Registers);
        for (int c = 0; c < 2; c++)
        {
            AssertAllAtReset(h.Gic.CpuInterface(c).Registers);
            AssertAllAtReset(h.Gic.VirtualControl(c).Registers);
            AssertAllAtReset(h.Gic.VirtualCpuInterface(c).Registers);
        }
        Assert.IsFalse(h.Irq());
    }

    [TestMethod]
    public void IdentificationRegisters()
    {
        var h = new GicHarness(cpus: 2, interrupts: 288);
        Assert.AreEqual(8u | 1u << 5, h.D(TYPER)); // ITLinesNumber 8, CPUNumber 1, SecurityExtn 0
        Assert.AreEqual(0x0200143Bu, h.D(IIDR));
        uint[] ids = { 0x04, 0, 0, 0, 0x90, 0xB4, 0x2B, 0, 0x0D, 0xF0, 0x05, 0xB1 };
        for (int i = 0; i < ids.Length; i++) Assert.AreEqual(ids[i], h.D(0xFD0 + 4 * i), $"ID register 0x{0xFD0 + 4 * i:x}");
        Assert.AreEqual(0x0202143Bu, h.C(C_IIDR));
        Assert.AreEqual(0x0202143Bu, h.V(C_IIDR));
        var big = new GicHarness(cpus: 8, interrupts: 1020);
        Assert.AreEqual(31u | 7u << 5, big.D(TYPER));
    }

    [TestMethod]
    public void ReadOnlyAndReservedRegistersIgnoreWrites()
    {
        var h = new GicHarness(cpus: 2, interrupts: 64);
        h.DW(TYPER, 0xFFFFFFFF);
        h.DW(IIDR, 0);
        h.DW(0xFE0, 0);
        Assert.AreEqual(1u | 1u << 5, h.D(TYPER));
        Assert.AreEqual(0x0200143Bu, h.D(IIDR));
        Assert.AreEqual(0x90u, h.D(0xFE0));
        // Beyond ITLinesNumber: RAZ/WI.
        h.DW(ISENABLER + 8, 0xFFFFFFFF);
        Assert.AreEqual(0u, h.D(ISENABLER + 8));
        Assert.AreEqual(0u, h.D(IPRIORITYR + 64));
        // SGIR is write-only.
        h.DW(SGIR, 0x02000001);
        Assert.AreEqual(0u, h.D(SGIR));
        h.DW(CTLR, 0xFFFFFFFF);
        Assert.AreEqual(3u, h.D(CTLR));
        // GICC: RPR, HPPIR, IIDR read-only; EOIR, DIR write-only.
        h.CW(RPR, 0);
        Assert.AreEqual(0xFFu, h.C(RPR));
        h.CW(C_IIDR, 0);
        Assert.AreEqual(0x0202143Bu, h.C(C_IIDR));
        Assert.AreEqual(0u, h.C(EOIR));
        Assert.AreEqual(0u, h.C(DIR));
        h.CW(C_CTLR, 0xFFFFFFFF);
        Assert.AreEqual(0x3FFu, h.C(C_CTLR));
        h.CW(PMR, 0x1FF);
        Assert.AreEqual(0xFFu, h.C(PMR));
        h.CW(ABPR, 0);
        Assert.AreEqual(1u, h.C(ABPR)); // minimum ABPR
        h.CW(BPR, 0xF);
        Assert.AreEqual(7u, h.C(BPR));
    }

    [TestMethod]
    public void SgisAreAlwaysEnabledAndEdge()
    {
        var h = new GicHarness();
        h.DW(ICENABLER, 0xFFFFFFFF);
        Assert.AreEqual(0x0000FFFFu, h.D(ISENABLER));
        h.DW(ISENABLER, 0xFFFF0000);
        Assert.AreEqual(0xFFFFFFFFu, h.D(ICENABLER));
        h.DW(ICFGR, 0);
        h.DW(ICFGR + 4, 0xFFFFFFFF);
        Assert.AreEqual(0xAAAAAAAAu, h.D(ICFGR));
        Assert.AreEqual(0x55540000u, h.D(ICFGR + 4));
        h.DW(ICFGR + 8, 0xFFFFFFFF);
        Assert.AreEqual(0xFFFFFFFFu, h.D(ICFGR + 8));
        h.DW(ICFGR + 8, 0);
        Assert.AreEqual(0x55555555u, h.D(ICFGR + 8)); // Int_config[0] reads as one
    }

    [TestMethod]
    public void BankedRegistersArePerCpu()
    {
        var h = new GicHarness(cpus: 3);
        h.DW(ISENABLER, 1u << 27, cpu: 1);
        h.DW(IPRIORITYR + 27, 0x50, cpu: 1, size: 1);
        h.DW(IGROUPR, 1u << 27, cpu: 1);
        Assert.AreEqual(0xFFFFu | 1u << 27, h.D(ISENABLER, cpu: 1));
        Assert.AreEqual(0xFFFFu, h.D(ISENABLER, cpu: 0));
        Assert.AreEqual(0x50u, h.D(IPRIORITYR + 27, cpu: 1, size: 1));
        Assert.AreEqual(0u, h.D(IPRIORITYR + 27, cpu: 0, size: 1));
        Assert.AreEqual(1u << 27, h.D(IGROUPR, cpu: 1));
        Assert.AreEqual(0u, h.D(IGROUPR, cpu: 2));
        // ITARGETSR0..7 read the reading CPU's mask and ignore writes.
        for (int c = 0; c < 3; c++)
            for (int n = 0; n < 8; n++) Assert.AreEqual(0x01010101u << c, h.D(ITARGETSR + 4 * n, cpu: c));
        h.DW(ITARGETSR + 28, 0x07070707, cpu: 1);
        Assert.AreEqual(0x02020202u, h.D(ITARGETSR + 28, cpu: 1));
        // The shared window uses AccessingCpu.
        h.Gic.AccessingCpu = () => 2;
        Assert.IsTrue(h.Gic.Distributor.TryRead((ulong)ITARGETSR, 4, out ulong t));
        Assert.AreEqual(0x04040404UL, t);
        Assert.IsTrue(h.Gic.CpuInterfaceWindow.TryWrite((ulong)PMR, 4, 0x80));
        Assert.AreEqual(0x80u, h.C(PMR, cpu: 2));
        Assert.AreEqual(0u, h.C(PMR, cpu: 0));
    }

    [TestMethod]
    public void PriorityAndTargetsAreByteAccessible()
    {
        var h = new GicHarness(cpus: 4);
        h.DW(IPRIORITYR + 40, 0x11223344);
        Assert.AreEqual(0x22u, h.D(IPRIORITYR + 42, size: 1));
        h.DW(IPRIORITYR + 41, 0xAB, size: 1);
        Assert.AreEqual(0x1122AB44u, h.D(IPRIORITYR + 40));
        Assert.AreEqual(0x1122u, h.D(IPRIORITYR + 42, size: 2));
        h.DW(ITARGETSR + 40, 0xFF0F0201);
        Assert.AreEqual(0x0F0F0201u, h.D(ITARGETSR + 40)); // only 4 CPUs implemented
        h.DW(ITARGETSR + 42, 0x08, size: 1);
        Assert.AreEqual(0x0F080201u, h.D(ITARGETSR + 40));
    }

    [TestMethod]
    public void UniprocessorTargetsAreRazWi()
    {
        var h = new GicHarness(cpus: 1);
        h.DW(ITARGETSR + 32, 0x01010101);
        Assert.AreEqual(0u, h.D(ITARGETSR + 32));
        Assert.AreEqual(0u, h.D(ITARGETSR));
        h.EnableAll();
        h.Setup(33, 0x10, targets: 0);
        h.Gic.Spi(1).Set(true);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(33u, h.C(IAR));
    }

    [TestMethod]
    public void EnablePendingActiveSetAndClear()
    {
        var h = new GicHarness();
        h.DW(ISENABLER + 4, 0x00000101);
        h.DW(ISENABLER + 4, 0x00010000);
        Assert.AreEqual(0x00010101u, h.D(ISENABLER + 4));
        Assert.AreEqual(0x00010101u, h.D(ICENABLER + 4));
        h.DW(ICENABLER + 4, 0x00000100);
        Assert.AreEqual(0x00010001u, h.D(ISENABLER + 4));

        h.DW(ISPENDR + 4, 0x30);
        Assert.AreEqual(0x30u, h.D(ISPENDR + 4));
        Assert.AreEqual(0x30u, h.D(ICPENDR + 4));
        h.DW(ICPENDR + 4, 0x10);
        Assert.AreEqual(0x20u, h.D(ISPENDR + 4));

        h.DW(ISACTIVER + 4, 0x6);
        Assert.AreEqual(0x6u, h.D(ICACTIVER + 4));
        h.DW(ICACTIVER + 4, 0x2);
        Assert.AreEqual(0x4u, h.D(ISACTIVER + 4));

        // SGI pending bits are read-only in ISPENDR0/ICPENDR0.
        h.DW(ISPENDR, 0x1);
        Assert.AreEqual(0u, h.D(ISPENDR));
        // PPIs are pended by ISPENDR0.
        h.DW(ISPENDR, 1u << 20);
        Assert.AreEqual(1u << 20, h.D(ISPENDR));
        Assert.AreEqual(0u, h.D(ISPENDR, cpu: 1));
    }

    [TestMethod]
    public void LevelInputStaysPendingThroughIcpendr()
    {
        var h = new GicHarness();
        h.Gic.Spi(8).Set(true); // INTID 40
        Assert.IsTrue(h.Bit(ISPENDR, 40));
        h.DW(ICPENDR + 4, 1u << 8);
        Assert.IsTrue(h.Bit(ISPENDR, 40), "level input still asserted");
        h.Gic.Spi(8).Set(false);
        Assert.IsFalse(h.Bit(ISPENDR, 40));
        h.DW(ISPENDR + 4, 1u << 8);
        Assert.IsTrue(h.Bit(ISPENDR, 40), "latched by ISPENDR");
        h.DW(ICPENDR + 4, 1u << 8);
        Assert.IsFalse(h.Bit(ISPENDR, 40));
    }

    [TestMethod]
    public void EdgeInputLatchesRisingEdges()
    {
        var h = new GicHarness();
        h.Setup(40, 0x10, edge: true);
        h.Gic.Spi(8).Set(true);
        Assert.IsTrue(h.Bit(ISPENDR, 40));
        h.Gic.Spi(8).Set(false);
        Assert.IsTrue(h.Bit(ISPENDR, 40), "edge stays latched after the line falls");
        h.DW(ICPENDR + 4, 1u << 8);
        Assert.IsFalse(h.Bit(ISPENDR, 40));
        h.Gic.Spi(8).Set(true);
        h.DW(ICPENDR + 4, 1u << 8);
        Assert.IsFalse(h.Bit(ISPENDR, 40), "a held edge input does not re-pend");
    }

    [TestMethod]
    public void SgiTargetListFilters()
    {
        var h = new GicHarness(cpus: 4);
        // Filter 0: CPUTargetList (bits 23:16) from CPU 1.
        h.DW(SGIR, 0u << 24 | 0x05u << 16 | 3, cpu: 1);
        Assert.AreEqual(0x02u << 24, h.D(SPENDSGIR, cpu: 0)); // SGI 3, source CPU 1
        Assert.AreEqual(0u, h.D(SPENDSGIR, cpu: 1));
        Assert.AreEqual(0x02u << 24, h.D(CPENDSGIR, cpu: 2));
        Assert.AreEqual(0u, h.D(SPENDSGIR, cpu: 3));
        Assert.IsTrue(h.Bit(ISPENDR, 3, cpu: 0));
        // Filter 1: all but the requester.
        h.DW(SGIR, 1u << 24 | 0xFFu << 16 | 4, cpu: 2);
        for (int c = 0; c < 4; c++)
            Assert.AreEqual(c == 2 ? 0u : 0x04u, h.D(SPENDSGIR + 4, cpu: c, size: 1), $"cpu {c}");
        // Filter 2: only the requester, whatever the target list.
        h.DW(SGIR, 2u << 24 | 0x01u << 16 | 9, cpu: 3);
        for (int c = 0; c < 4; c++)
            Assert.AreEqual(c == 3 ? 0x08u : 0u, h.D(SPENDSGIR + 9, cpu: c, size: 1), $"cpu {c}");
        // Filter 3 is reserved: nothing happens.
        h.DW(SGIR, 3u << 24 | 0xFFu << 16 | 10, cpu: 0);
        for (int c = 0; c < 4; c++) Assert.AreEqual(0u, h.D(SPENDSGIR + 10, cpu: c, size: 1));
        // Targets beyond the implemented CPUs are dropped (no exception, no state).
        h.DW(SGIR, 0xF0u << 16 | 11, cpu: 0);
        for (int c = 0; c < 4; c++) Assert.AreEqual(0u, h.D(SPENDSGIR + 11, cpu: c, size: 1));
    }

    [TestMethod]
    public void SgiPendingSourcesSetAndClearByByte()
    {
        var h = new GicHarness(cpus: 4);
        h.DW(SPENDSGIR, 0x0F030201, cpu: 0);
        Assert.AreEqual(0x0F030201u, h.D(SPENDSGIR));
        h.DW(SPENDSGIR + 4, 0xF0, size: 1); // sources above CPU 3 are not implemented
        Assert.AreEqual(0u, h.D(SPENDSGIR + 4));
        h.DW(CPENDSGIR + 1, 0x02, size: 1);
        Assert.AreEqual(0x0F030001u, h.D(SPENDSGIR), "other bytes untouched by a byte write-1-to-clear");
        h.DW(CPENDSGIR + 2, 0x0101, size: 2);
        Assert.AreEqual(0x0E020001u, h.D(CPENDSGIR));
        Assert.AreEqual(0b1101u, h.D(ISPENDR) & 0xF);
    }
}
