using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class CpuInterfaceTests
{
    [TestMethod]
    public void SpuriousWhenNothingPendingOrDisabled()
    {
        var h = new GicHarness();
        Assert.AreEqual(1023u, h.C(IAR));
        h.Setup(40, 0x10);
        h.Gic.Spi(8).Set(true);
        Assert.AreEqual(1023u, h.C(IAR), "distributor and CPU interface disabled");
        h.DW(CTLR, 1);
        Assert.AreEqual(1023u, h.C(IAR), "CPU interface disabled");
        h.CW(C_CTLR, 1);
        Assert.AreEqual(1023u, h.C(IAR), "PMR = 0 masks everything");
        Assert.IsFalse(h.Irq());
        h.CW(PMR, 0xFF);
        Assert.IsTrue(h.Irq());
        h.DW(CTLR, 0);
        Assert.IsFalse(h.Irq(), "distributor group 0 disabled");
        Assert.AreEqual(1023u, h.C(IAR));
        h.DW(CTLR, 1);
        h.DW(ICENABLER + 4, 1u << 8);
        Assert.IsFalse(h.Irq(), "interrupt disabled");
        Assert.AreEqual(1023u, h.C(HPPIR));
    }

    [TestMethod]
    public void LevelSensitiveFlow()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.Setup(40, 0x40);
        var line = h.Gic.Spi(8);
        line.Set(true);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(40u, h.C(HPPIR));
        Assert.AreEqual(40u, h.C(IAR));
        Assert.IsTrue(h.Bit(ISACTIVER, 40));
        Assert.IsTrue(h.Bit(ISPENDR, 40), "active and pending while the line is high");
        Assert.IsFalse(h.Irq(), "an active interrupt is not signalled again");
        Assert.AreEqual(0x40u, h.C(RPR));
        Assert.AreEqual(1023u, h.C(IAR));
        h.CW(EOIR, 40);
        Assert.IsFalse(h.Bit(ISACTIVER, 40));
        Assert.IsTrue(h.Irq(), "still asserted: pending again");
        Assert.AreEqual(0xFFu, h.C(RPR));
        Assert.AreEqual(40u, h.C(IAR));
        line.Set(false);
        Assert.IsFalse(h.Bit(ISPENDR, 40));
        h.CW(EOIR, 40);
        Assert.IsFalse(h.Irq());
        Assert.AreEqual(1023u, h.C(IAR));
    }

    [TestMethod]
    public void EdgeTriggeredFlow()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.Setup(50, 0x40, edge: true);
        var line = h.Gic.Spi(18);
        line.Pulse();
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(50u, h.C(IAR));
        Assert.IsFalse(h.Bit(ISPENDR, 50), "acknowledge clears the edge latch");
        Assert.IsTrue(h.Bit(ISACTIVER, 50));
        line.Pulse();
        Assert.IsTrue(h.Bit(ISPENDR, 50), "active and pending");
        Assert.IsFalse(h.Irq());
        h.CW(EOIR, 50);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(50u, h.C(IAR));
        h.CW(EOIR, 50);
        Assert.IsFalse(h.Irq());
        Assert.AreEqual(1023u, h.C(IAR));
    }

    [TestMethod]
    public void HighestPriorityWinsThenLowestId()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.Setup(40, 0x80);
        h.Setup(41, 0x30);
        h.Setup(42, 0x30);
        h.Setup(30, 0x90); // PPI 14
        h.Gic.Spi(8).Set(true);
        h.Gic.Spi(9).Set(true);
        h.Gic.Spi(10).Set(true);
        h.Gic.Ppi(0, 14).Set(true);
        Assert.AreEqual(41u, h.C(HPPIR));
        Assert.AreEqual(41u, h.C(IAR));
        h.CW(EOIR, 41);
        h.Gic.Spi(9).Set(false);
        Assert.AreEqual(42u, h.C(IAR));
        h.CW(EOIR, 42);
        h.Gic.Spi(10).Set(false);
        Assert.AreEqual(40u, h.C(IAR));
        h.CW(EOIR, 40);
        h.Gic.Spi(8).Set(false);
        Assert.AreEqual(30u, h.C(IAR));
        Assert.IsTrue(h.Gic.Ppi(0, 14).IsAsserted);
        Assert.AreEqual(1023u, h.C(IAR, cpu: 1), "a PPI belongs to one CPU");
    }

    [TestMethod]
    public void PriorityMask()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.Setup(40, 0x80);
        h.CW(PMR, 0x80);
        h.Gic.Spi(8).Set(true);
        Assert.IsFalse(h.Irq(), "priority must be strictly higher than the mask");
        Assert.AreEqual(1023u, h.C(IAR));
        Assert.AreEqual(40u, h.C(HPPIR), "HPPIR ignores the mask");
        h.CW(PMR, 0x81);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(40u, h.C(IAR));
    }

    [TestMethod]
    public void PreemptionUsesTheBinaryPoint()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.CW(BPR, 4); // group priority = bits [7:5]
        h.Setup(40, 0x50);
        h.Setup(41, 0x48);
        h.Setup(42, 0x30);
        h.Gic.Spi(8).Set(true);
        Assert.AreEqual(40u, h.C(IAR));
        Assert.AreEqual(0x40u, h.C(RPR), "running priority is the group priority");
        Assert.AreEqual(1u, h.C(APR + 4), "preemption level 0x40 >> 1 = 32 in APR1 bit 0");
        h.Gic.Spi(9).Set(true);
        Assert.IsFalse(h.Irq(), "0x48 is in the same priority group as 0x50");
        Assert.AreEqual(1023u, h.C(IAR));
        h.Gic.Spi(10).Set(true);
        Assert.IsTrue(h.Irq(), "0x30 is in a higher group: preempts");
        Assert.AreEqual(42u, h.C(IAR));
        Assert.AreEqual(0x20u, h.C(RPR));
        Assert.AreEqual(1u << 16, h.C(APR), "level 0x20 >> 1 = 16");
        h.Gic.Spi(10).Set(false);
        h.CW(EOIR, 42);
        Assert.AreEqual(0x40u, h.C(RPR), "priority drop returns to the preempted interrupt");
        Assert.IsFalse(h.Irq());
        h.CW(EOIR, 40);
        Assert.AreEqual(0xFFu, h.C(RPR));
        Assert.AreEqual(0u, h.C(APR) | h.C(APR + 4));
        Assert.IsTrue(h.Irq(), "41 (still asserted) can now be taken");
        Assert.AreEqual(41u, h.C(IAR), "0x48 beats the still-asserted 40 at 0x50");
    }

    [TestMethod]
    public void Group1UsesAbprUnlessCbpr()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.CW(BPR, 0);
        h.CW(ABPR, 6); // Group 1 group priority = bits [7:6]
        h.Setup(40, 0x50, group1: true);
        h.Setup(41, 0x48, group1: true);
        h.Gic.Spi(8).Set(true);
        Assert.AreEqual(40u, h.C(IAR));
        Assert.AreEqual(0x40u, h.C(RPR));
        Assert.AreEqual(1u, h.C(NSAPR + 4), "Group 1 active priorities go to NSAPR");
        Assert.AreEqual(0u, h.C(APR + 4));
        h.Gic.Spi(9).Set(true);
        Assert.IsFalse(h.Irq(), "same group with ABPR = 6");
        h.Gic.Spi(9).Set(false);
        h.CW(AEOIR, 40);
        h.CW(C_CTLR, h.C(C_CTLR) | 1u << 4); // CBPR: BPR = 0 applies to Group 1 too
        Assert.AreEqual(40u, h.C(IAR));
        Assert.AreEqual(0x50u, h.C(RPR));
        h.Gic.Spi(9).Set(true);
        Assert.IsTrue(h.Irq(), "0x48 preempts 0x50 with binary point 0");
        Assert.AreEqual(41u, h.C(IAR));
    }

    [TestMethod]
    public void EoiModeSplitsPriorityDropFromDeactivation()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.CW(C_CTLR, h.C(C_CTLR) | 1u << 9);
        h.Setup(40, 0x40, edge: true);
        h.Setup(41, 0x60, edge: true);
        h.Gic.Spi(8).Pulse();
        h.Gic.Spi(9).Pulse();
        Assert.AreEqual(40u, h.C(IAR));
        h.CW(EOIR, 40);
        Assert.AreEqual(0xFFu, h.C(RPR), "priority dropped");
        Assert.IsTrue(h.Bit(ISACTIVER, 40), "still active until DIR");
        Assert.IsTrue(h.Irq(), "41 can be taken after the drop");
        Assert.AreEqual(41u, h.C(IAR));
        h.CW(EOIR, 41);
        h.Gic.Spi(8).Pulse();
        Assert.AreEqual(1023u, h.C(IAR), "40 is active and pending, not signalled");
        h.CW(DIR, 40);
        Assert.IsFalse(h.Bit(ISACTIVER, 40));
        Assert.AreEqual(40u, h.C(IAR));
        h.CW(DIR, 41);
        Assert.IsFalse(h.Bit(ISACTIVER, 41));
        // With EOImode = 0, DIR does nothing.
        h.CW(C_CTLR, h.C(C_CTLR) & ~(1u << 9));
        h.CW(DIR, 40);
        Assert.IsTrue(h.Bit(ISACTIVER, 40));
        h.CW(EOIR, 40);
        Assert.IsFalse(h.Bit(ISACTIVER, 40));
    }

    [TestMethod]
    public void SgiAcknowledgeReportsSourceCpu()
    {
        var h = new GicHarness(cpus: 4);
        h.EnableAll(cpu: 1);
        h.DW(SGIR, 0x02u << 16 | 5, cpu: 3);
        h.DW(SGIR, 0x02u << 16 | 5, cpu: 2);
        Assert.IsTrue(h.Irq(1));
        Assert.AreEqual(5u | 2u << 10, h.C(HPPIR, cpu: 1));
        Assert.AreEqual(5u | 2u << 10, h.C(IAR, cpu: 1), "lowest source first");
        Assert.AreEqual(0x08u, h.D(SPENDSGIR + 5, cpu: 1, size: 1), "source 3 still pending");
        Assert.IsFalse(h.Irq(1), "active and pending: not signalled");
        h.CW(EOIR, 5u | 2u << 10, cpu: 1);
        Assert.IsTrue(h.Irq(1));
        Assert.AreEqual(5u | 3u << 10, h.C(IAR, cpu: 1));
        h.CW(EOIR, 5u | 3u << 10, cpu: 1);
        Assert.IsFalse(h.Irq(1));
        Assert.AreEqual(1023u, h.C(IAR, cpu: 1));
    }

    [TestMethod]
    public void FiqForGroup0WithFiqEn()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.Setup(40, 0x40);
        h.Setup(41, 0x40, group1: true);
        h.Gic.Spi(8).Set(true);
        Assert.IsTrue(h.Irq());
        Assert.IsFalse(h.Fiq());
        h.CW(C_CTLR, h.C(C_CTLR) | 1u << 3);
        Assert.IsTrue(h.Fiq());
        Assert.IsFalse(h.Irq());
        h.Gic.Spi(8).Set(false);
        h.Gic.Spi(9).Set(true);
        Assert.IsTrue(h.Irq(), "Group 1 is always IRQ");
        Assert.IsFalse(h.Fiq());
    }

    [TestMethod]
    public void Group1AcknowledgeNeedsAckCtlOrAlias()
    {
        var h = new GicHarness();
        h.DW(CTLR, 3);
        h.CW(C_CTLR, 3);
        h.CW(PMR, 0xFF);
        h.Setup(40, 0x40, group1: true);
        h.Gic.Spi(8).Set(true);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(1022u, h.C(HPPIR));
        Assert.AreEqual(1022u, h.C(IAR));
        Assert.IsFalse(h.Bit(ISACTIVER, 40));
        Assert.AreEqual(40u, h.C(AHPPIR));
        Assert.AreEqual(40u, h.C(AIAR));
        Assert.IsTrue(h.Bit(ISACTIVER, 40));
        h.CW(AEOIR, 40);
        Assert.IsFalse(h.Bit(ISACTIVER, 40));
        // A Group 0 interrupt is invisible to the aliased registers.
        h.Gic.Spi(8).Set(false);
        h.Setup(41, 0x40);
        h.Gic.Spi(9).Set(true);
        Assert.AreEqual(1023u, h.C(AHPPIR));
        Assert.AreEqual(1023u, h.C(AIAR));
        Assert.AreEqual(41u, h.C(IAR));
        // Disabling Group 1 in the distributor hides Group 1 interrupts.
        h.CW(EOIR, 41);
        h.Gic.Spi(9).Set(false);
        h.Gic.Spi(8).Set(true);
        h.DW(CTLR, 1);
        Assert.IsFalse(h.Irq());
    }

    [TestMethod]
    public void SpiTargetsSelectCpus()
    {
        var h = new GicHarness(cpus: 2);
        h.EnableAll(0);
        h.EnableAll(1);
        h.Setup(40, 0x40, targets: 2);
        h.Gic.Spi(8).Set(true);
        Assert.IsFalse(h.Irq(0));
        Assert.IsTrue(h.Irq(1));
        h.DW(ITARGETSR + 40, 3, size: 1);
        Assert.IsTrue(h.Irq(0));
        Assert.AreEqual(40u, h.C(IAR, cpu: 0));
        Assert.IsFalse(h.Irq(1), "active on one CPU: the other no longer sees it");
        Assert.AreEqual(1023u, h.C(IAR, cpu: 1));
        h.Gic.Spi(8).Set(false);
        h.CW(EOIR, 40, cpu: 0);
        Assert.IsFalse(h.Irq(0) || h.Irq(1));
    }

    [TestMethod]
    public void ActivePrioritiesAreWritable()
    {
        var h = new GicHarness();
        h.EnableAll();
        h.CW(APR, 1u << 8); // level 8 = priority 0x10
        Assert.AreEqual(0x10u, h.C(RPR));
        h.Setup(40, 0x20);
        h.Gic.Spi(8).Set(true);
        Assert.IsFalse(h.Irq());
        h.CW(NSAPR + 12, 0x80000000); // lowest level, does not change RPR
        Assert.AreEqual(0x10u, h.C(RPR));
        h.CW(APR, 0);
        Assert.AreEqual(0xFEu, h.C(RPR));
        Assert.IsTrue(h.Irq());
    }
}
