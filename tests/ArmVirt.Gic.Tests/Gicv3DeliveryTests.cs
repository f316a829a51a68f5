using static ArmVirt.Gic.Tests.Gicv3Harness;

namespace ArmVirt.Gic.Tests;

/// <summary>Interrupt delivery through the GICv3: routing, groups, priorities, preemption, EOI modes and SGIs.</summary>
[TestClass]
public sealed class Gicv3DeliveryTests
{
    private const int Spi40 = 40;

    [TestMethod]
    public void Group1SpiIsAnIrqAcknowledgedThroughIar1()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0xA0);
        Assert.IsFalse(h.Irq());
        h.Gic.Spi(Spi40 - 32).Set(true);
        Assert.IsTrue(h.Irq());
        Assert.IsFalse(h.Fiq());
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Hppir1));
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Iar0), "a Group 1 HPPI is not acknowledged through IAR0");
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Iar1));
        Assert.IsFalse(h.Irq(), "active: no longer signalled");
        Assert.AreEqual(0xA0UL, h.Icc(Gicv3CpuRegister.Rpr));
        Assert.AreEqual(1u << 8, h.D(ISACTIVER + 4));
        h.IccW(Gicv3CpuRegister.Eoir1, Spi40);
        Assert.AreEqual(0xFFUL, h.Icc(Gicv3CpuRegister.Rpr));
        Assert.AreEqual(0u, h.D(ISACTIVER + 4));
        Assert.IsTrue(h.Irq(), "the level input is still asserted");
        h.Gic.Spi(Spi40 - 32).Set(false);
        Assert.IsFalse(h.Irq());
    }

    [TestMethod]
    public void Group0IsAnFiqAcknowledgedThroughIar0()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x40, group1: false);
        h.Gic.Spi(Spi40 - 32).Set(true);
        Assert.IsTrue(h.Fiq());
        Assert.IsFalse(h.Irq());
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Iar1));
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Iar0));
        Assert.AreEqual(1UL << (0x40 >> 3), h.Icc(Gicv3CpuRegister.Ap0r0));
        h.IccW(Gicv3CpuRegister.Eoir1, Spi40);
        Assert.AreEqual(0x40UL, h.Icc(Gicv3CpuRegister.Rpr), "EOIR1 does not drop a Group 0 priority");
        h.IccW(Gicv3CpuRegister.Eoir0, Spi40);
        Assert.AreEqual(0xFFUL, h.Icc(Gicv3CpuRegister.Rpr));
    }

    [TestMethod]
    public void GroupEnablesOfDistributorAndCpuInterfaceBothGate()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x80);
        h.Gic.Spi(Spi40 - 32).Set(true);
        Assert.IsTrue(h.Irq());
        h.IccW(Gicv3CpuRegister.Igrpen1, 0);
        Assert.IsFalse(h.Irq());
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Hppir1));
        h.IccW(Gicv3CpuRegister.Igrpen1, 1);
        h.DW(CTLR, 1); // Group 1 off in the distributor
        Assert.IsFalse(h.Irq());
        h.DW(CTLR, 2);
        Assert.IsTrue(h.Irq());
    }

    [TestMethod]
    public void PriorityMaskBlocksEqualOrLowerPriority()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x80);
        h.IccW(Gicv3CpuRegister.Pmr, 0x80);
        h.Gic.Spi(Spi40 - 32).Set(true);
        Assert.IsFalse(h.Irq());
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Hppir1), "HPPIR ignores the mask");
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Iar1));
        h.IccW(Gicv3CpuRegister.Pmr, 0x88);
        Assert.IsTrue(h.Irq());
    }

    [TestMethod]
    public void HigherGroupPriorityPreemptsAndBinaryPointGroupsPriorities()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(40, 0xC0);
        h.Setup(41, 0xB0);
        h.Setup(42, 0x80);
        h.Gic.Spi(8).Set(true);
        Assert.AreEqual(40UL, h.Icc(Gicv3CpuRegister.Iar1));
        Assert.AreEqual(0xC0UL, h.Icc(Gicv3CpuRegister.Rpr));
        h.Gic.Spi(9).Set(true);
        Assert.IsTrue(h.Irq(), "0xB0 preempts 0xC0 with BPR1 = 3 (group priority bits [7:3])");
        Assert.AreEqual(41UL, h.Icc(Gicv3CpuRegister.Iar1));
        Assert.AreEqual(1UL << (0xB0 >> 3) | 1UL << (0xC0 >> 3), h.Icc(Gicv3CpuRegister.Ap1r0));
        h.IccW(Gicv3CpuRegister.Eoir1, 41);
        Assert.AreEqual(0xC0UL, h.Icc(Gicv3CpuRegister.Rpr), "drop to the preempted priority");
        h.IccW(Gicv3CpuRegister.Eoir1, 40);
        Assert.AreEqual(0xFFUL, h.Icc(Gicv3CpuRegister.Rpr));

        // BPR1 = 7: group priority is bit [7] only, so 0xB0 runs at group priority 0x80 and nothing at 0x80..0xFF preempts.
        h.IccW(Gicv3CpuRegister.Bpr1, 7);
        Assert.AreEqual(41UL, h.Icc(Gicv3CpuRegister.Iar1), "the level inputs are still asserted: highest priority first");
        Assert.AreEqual(0x80UL, h.Icc(Gicv3CpuRegister.Rpr));
        Assert.IsFalse(h.Irq(), "0xC0 is in the same group priority");
        h.Gic.Spi(10).Set(true);
        Assert.IsFalse(h.Irq(), "0x80 is in the same group priority");
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Iar1));
        h.IccW(Gicv3CpuRegister.Eoir1, 41);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual(42UL, h.Icc(Gicv3CpuRegister.Iar1));
    }

    [TestMethod]
    public void EoiModeSplitsPriorityDropFromDeactivation()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.IccW(Gicv3CpuRegister.Ctlr, 2); // EOImode
        h.Setup(Spi40, 0x90, edge: true);
        h.Gic.Spi(8).Set(true);
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Iar1));
        h.IccW(Gicv3CpuRegister.Eoir1, Spi40);
        Assert.AreEqual(0xFFUL, h.Icc(Gicv3CpuRegister.Rpr), "priority dropped");
        Assert.AreEqual(1u << 8, h.D(ISACTIVER + 4), "still active");
        h.IccW(Gicv3CpuRegister.Dir, Spi40);
        Assert.AreEqual(0u, h.D(ISACTIVER + 4));
        h.IccW(Gicv3CpuRegister.Ctlr, 0);
        h.DW(ISACTIVER + 4, 1u << 8);
        h.IccW(Gicv3CpuRegister.Dir, Spi40);
        Assert.AreEqual(1u << 8, h.D(ISACTIVER + 4), "DIR does nothing with EOImode = 0");
    }

    [TestMethod]
    public void EdgeTriggeredSpiLatchesOnTheRisingEdge()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x90, edge: true);
        h.Gic.Spi(8).Set(true);
        h.Gic.Spi(8).Set(false);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Iar1));
        h.IccW(Gicv3CpuRegister.Eoir1, Spi40);
        Assert.IsFalse(h.Irq(), "the latch was consumed by the acknowledge");
    }

    [TestMethod]
    public void IrouterRoutesAnSpiToTheNamedAffinityOnly()
    {
        var h = new Gicv3Harness();
        h.EnableAll(0);
        h.EnableAll(1);
        h.Setup(Spi40, 0x80, cpu: 1);
        h.Gic.Spi(8).Set(true);
        Assert.IsFalse(h.Irq(0));
        Assert.IsTrue(h.Irq(1));
        h.DW(IROUTER + 8 * Spi40, 0x1_0000_0000UL, size: 8); // Aff3 = 1: no such PE
        Assert.IsFalse(h.Irq(1));
        Assert.IsFalse(h.Irq(0));
        h.DW(IROUTER + 8 * Spi40, 0, size: 8);
        Assert.IsTrue(h.Irq(0));
        Assert.AreEqual((ulong)Spi40, h.Icc(Gicv3CpuRegister.Iar1, cpu: 0));
        Assert.AreEqual(1023UL, h.Icc(Gicv3CpuRegister.Iar1, cpu: 1));
    }

    [TestMethod]
    public void PpisAreBankedPerRedistributor()
    {
        var h = new Gicv3Harness();
        h.EnableAll(0);
        h.EnableAll(1);
        h.Setup(30, 0x80, cpu: 0);
        h.Setup(30, 0x80, cpu: 1);
        h.Gic.Ppi(1, 14).Set(true);
        Assert.IsFalse(h.Irq(0));
        Assert.IsTrue(h.Irq(1));
        Assert.AreEqual(30UL, h.Icc(Gicv3CpuRegister.Iar1, cpu: 1));
        Assert.AreEqual(1UL << 30, h.R(R_ISACTIVER0, cpu: 1));
        Assert.AreEqual(0UL, h.R(R_ISACTIVER0, cpu: 0));
        h.IccW(Gicv3CpuRegister.Eoir1, 30, cpu: 1);
        Assert.AreEqual(0UL, h.R(R_ISACTIVER0, cpu: 1));
    }

    [TestMethod]
    public void Sgi1rTargetsByAffinityAndTargetList()
    {
        var h = new Gicv3Harness(cpus: 3);
        for (int c = 0; c < 3; c++)
        {
            h.EnableAll(c);
            h.Setup(5, 0x80, cpu: c);
        }
        // INTID 5, Aff1 = Aff2 = Aff3 = 0, TargetList = {1, 2}.
        h.Gic.CpuInterface(0).GenerateSgi(5UL << 24 | 0b110, group1: true);
        Assert.IsFalse(h.Irq(0));
        Assert.IsTrue(h.Irq(1));
        Assert.IsTrue(h.Irq(2));
        Assert.AreEqual(5UL, h.Icc(Gicv3CpuRegister.Iar1, cpu: 1), "no source CPU field in GICv3");
        Assert.AreEqual(1UL << 5, h.R(R_ISPENDR0, cpu: 2));
        // Aff1 = 1 names no PE; RS = 1 covers Aff0 16..31, none of which exist.
        h.Gic.CpuInterface(1).GenerateSgi(5UL << 24 | 1UL << 16 | 1, group1: true);
        h.Gic.CpuInterface(1).GenerateSgi(5UL << 24 | 1UL << 44 | 0xFFFF, group1: true);
        Assert.IsFalse(h.Irq(0));
    }

    [TestMethod]
    public void Sgi1rWithIrmTargetsEveryOtherPe()
    {
        var h = new Gicv3Harness(cpus: 3);
        for (int c = 0; c < 3; c++)
        {
            h.EnableAll(c);
            h.Setup(1, 0x80, cpu: c);
        }
        h.Gic.CpuInterface(1).GenerateSgi(1UL << 24 | 1UL << 40, group1: true);
        Assert.IsTrue(h.Irq(0));
        Assert.IsFalse(h.Irq(1));
        Assert.IsTrue(h.Irq(2));
    }

    [TestMethod]
    public void SgiIsOnlyAcceptedInItsConfiguredGroup()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(3, 0x80, group1: true);
        h.Gic.CpuInterface(0).GenerateSgi(3UL << 24 | 1, group1: false); // ICC_SGI0R_EL1: Group 0 only
        Assert.AreEqual(0UL, h.R(R_ISPENDR0));
        h.Gic.CpuInterface(0).GenerateSgi(3UL << 24 | 1, group1: true);
        Assert.AreEqual(1UL << 3, h.R(R_ISPENDR0));
        Assert.IsTrue(h.Irq());
    }

    [TestMethod]
    public void HardwareDeactivationClearsTheActiveState()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.IccW(Gicv3CpuRegister.Ctlr, 2);
        h.Setup(27, 0xA0);
        h.Gic.Ppi(0, 11).Set(true);
        Assert.AreEqual(27UL, h.Icc(Gicv3CpuRegister.Iar1));
        h.IccW(Gicv3CpuRegister.Eoir1, 27);
        Assert.AreEqual(1UL << 27, h.R(R_ISACTIVER0));
        h.Gic.CpuInterface(0).DeactivatePhysical(27);
        Assert.AreEqual(0UL, h.R(R_ISACTIVER0));
    }

    [TestMethod]
    public void ResetKeepsInputLevelsAndDropsOutputs()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x80);
        h.Gic.Spi(8).Set(true);
        Assert.IsTrue(h.Irq());
        h.Gic.Reset();
        Assert.IsFalse(h.Irq());
        Assert.AreEqual(1u << 8, h.D(ISPENDR + 4), "level input still asserted");
    }

    [TestMethod]
    public void LineChangesDoNotAllocate()
    {
        var h = new Gicv3Harness();
        h.EnableAll();
        h.Setup(Spi40, 0x80);
        var line = h.Gic.Spi(8);
        line.Set(true);
        line.Set(false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            line.Set(true);
            line.Set(false);
        }
        Assert.AreEqual(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
