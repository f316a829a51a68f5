using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class VirtualInterfaceTests
{
    private const uint MisrEoi = 1, MisrU = 2, MisrLrenp = 4, MisrNp = 8, MisrVGrp0E = 16, MisrVGrp0D = 32, MisrVGrp1E = 64, MisrVGrp1D = 128;
    private const int MaintenanceId = 25;

    private static GicHarness Guest(int listRegisters = 4)
    {
        var h = new GicHarness(cpus: 2, listRegisters: listRegisters);
        h.HW(HCR, 1);         // En
        h.VW(C_CTLR, 1);      // virtual Group 0 enabled
        h.VW(PMR, 0xF8);
        return h;
    }

    [TestMethod]
    public void ControlRegistersResetAndLayout()
    {
        var h = new GicHarness(listRegisters: 4);
        Assert.AreEqual(0x90000003u, h.H(VTR)); // PRIbits 5, PREbits 5, 4 list registers
        Assert.AreEqual(0x004C0000u, h.H(VMCR));
        Assert.AreEqual(0xFu, h.H(ELRSR0));
        Assert.AreEqual(0u, h.H(ELRSR1));
        Assert.AreEqual(2u, h.V(BPR));
        Assert.AreEqual(3u, h.V(ABPR));
        var big = new GicHarness(listRegisters: 64);
        Assert.AreEqual(0x9000003Fu, big.H(VTR));
        Assert.AreEqual(0xFFFFFFFFu, big.H(ELRSR1));
        big.HW(LR + 4 * 63, Lr(3, 1, 0x80));
        Assert.AreEqual(0x7FFFFFFFu, big.H(ELRSR1));
        // LRs beyond ListRegs are RAZ/WI.
        h.HW(LR + 4 * 4, 0xFFFFFFFF);
        Assert.AreEqual(0u, h.H(LR + 4 * 4));
        // Read-only registers.
        h.HW(VTR, 0);
        h.HW(MISR, 0xFF);
        h.HW(ELRSR0, 0);
        h.HW(EISR0, 0xF);
        Assert.AreEqual(0x90000003u, h.H(VTR));
        Assert.AreEqual(0u, h.H(MISR));
        Assert.AreEqual(0xFu, h.H(ELRSR0));
        Assert.AreEqual(0u, h.H(EISR0));
        // Reserved bits of HCR, LR and VMCR are not stored.
        h.HW(HCR, 0xFFFFFFFF);
        Assert.AreEqual(0xF80000FFu, h.H(HCR));
        h.HW(LR, 0xFFFFFFFF);
        Assert.AreEqual(0xFF8FFFFFu, h.H(LR));
        h.HW(VMCR, 0xFFFFFFFF);
        Assert.AreEqual(0xF8FC021Fu, h.H(VMCR));
    }

    [TestMethod]
    public void GicvRegistersAreViewsOfVmcr()
    {
        var h = new GicHarness();
        h.VW(C_CTLR, 0xFFFFFFFF);
        Assert.AreEqual(0x21Fu, h.V(C_CTLR));
        h.VW(PMR, 0xFF);
        Assert.AreEqual(0xF8u, h.V(PMR), "5 priority bits");
        h.VW(BPR, 0);
        Assert.AreEqual(2u, h.V(BPR), "minimum virtual binary point");
        h.VW(ABPR, 1);
        Assert.AreEqual(3u, h.V(ABPR));
        h.VW(BPR, 5);
        h.VW(ABPR, 6);
        Assert.AreEqual(0xF8000000u | 5u << 21 | 6u << 18 | 0x21Fu, h.H(VMCR));
        h.HW(VMCR, 0x80000001 | 4u << 21 | 3u << 18);
        Assert.AreEqual(1u, h.V(C_CTLR));
        Assert.AreEqual(0x80u, h.V(PMR));
        Assert.AreEqual(4u, h.V(BPR));
        h.HW(H_APR, 0x10);
        Assert.AreEqual(0x10u, h.V(APR));
        Assert.AreEqual(0x20u, h.V(RPR), "APR bit 4 = priority 4 << 3");
        h.VW(APR + 4, 5);
        Assert.AreEqual(0u, h.V(APR + 4));
    }

    [TestMethod]
    public void PendingListRegisterIsAcknowledgedAndEois()
    {
        var h = Guest();
        Assert.IsFalse(h.VIrq());
        h.HW(LR + 4, Lr(44, 1, 0x50));
        Assert.AreEqual(0xDu, h.H(ELRSR0));
        Assert.IsTrue(h.VIrq());
        Assert.IsFalse(h.Irq(), "virtual interrupts never touch the physical outputs");
        Assert.AreEqual(44u, h.V(HPPIR));
        Assert.AreEqual(44u, h.V(IAR));
        Assert.AreEqual(2u, h.H(LR + 4) >> 28 & 3, "active");
        Assert.AreEqual(1u << 10, h.H(H_APR), "level 0x50 >> 3");
        Assert.AreEqual(0x50u, h.V(RPR));
        Assert.IsFalse(h.VIrq());
        Assert.AreEqual(1023u, h.V(IAR));
        h.VW(EOIR, 44);
        Assert.AreEqual(0u, h.H(LR + 4) >> 28 & 3, "invalid");
        Assert.AreEqual(0u, h.H(H_APR));
        Assert.AreEqual(0xFu, h.H(ELRSR0));
        Assert.AreEqual(0u, h.H(HCR) >> 27, "EOI matched a list register");
    }

    [TestMethod]
    public void VirtualOutputsNeedEnAndGroupEnableAndMask()
    {
        var h = Guest();
        h.HW(LR, Lr(40, 1, 0x80));
        Assert.IsTrue(h.VIrq());
        h.HW(HCR, 0);
        Assert.IsFalse(h.VIrq(), "GICH_HCR.En = 0");
        h.HW(HCR, 1);
        h.VW(PMR, 0x80);
        Assert.IsFalse(h.VIrq(), "masked by the virtual priority mask");
        Assert.AreEqual(1023u, h.V(IAR));
        h.VW(PMR, 0x88);
        Assert.IsTrue(h.VIrq());
        h.VW(C_CTLR, 0);
        Assert.IsFalse(h.VIrq(), "virtual Group 0 disabled");
        h.VW(C_CTLR, 1 | 1u << 3); // FIQEn
        Assert.IsTrue(h.VFiq());
        Assert.IsFalse(h.VIrq());
        h.HW(LR, Lr(40, 1, 0x80, group1: true));
        Assert.IsFalse(h.VFiq() || h.VIrq(), "virtual Group 1 disabled");
        h.VW(C_CTLR, 2 | 1u << 3);
        Assert.IsTrue(h.VIrq());
        Assert.IsFalse(h.VFiq());
        Assert.AreEqual(1022u, h.V(IAR), "Group 1 with AckCtl = 0");
        Assert.AreEqual(1022u, h.V(HPPIR));
        Assert.AreEqual(40u, h.V(AHPPIR));
        Assert.AreEqual(40u, h.V(AIAR));
        h.VW(AEOIR, 40);
        Assert.AreEqual(0u, h.H(LR) >> 28 & 3);
    }

    [TestMethod]
    public void VirtualPreemptionAndPriorityOrder()
    {
        var h = Guest();
        h.HW(LR, Lr(40, 1, 0x80));
        h.HW(LR + 4, Lr(41, 1, 0x40));
        h.HW(LR + 8, Lr(42, 1, 0x60));
        Assert.AreEqual(41u, h.V(IAR));
        Assert.IsFalse(h.VIrq());
        h.VW(EOIR, 41);
        Assert.AreEqual(42u, h.V(IAR));
        h.HW(LR + 12, Lr(43, 1, 0x38));
        Assert.IsTrue(h.VIrq(), "0x38 preempts 0x60");
        Assert.AreEqual(43u, h.V(IAR));
        Assert.AreEqual((1u << 7) | (1u << 12), h.H(H_APR));
        h.VW(EOIR, 43);
        h.VW(EOIR, 42);
        Assert.AreEqual(40u, h.V(IAR));
        h.VW(EOIR, 40);
        Assert.AreEqual(0xFu, h.H(ELRSR0));
    }

    [TestMethod]
    public void VirtualSgiReportsCpuId()
    {
        var h = Guest();
        h.HW(LR, Lr(3, 1, 0x80, cpuid: 5));
        h.HW(LR + 4, Lr(3, 1, 0x80, cpuid: 2));
        Assert.AreEqual(3u | 5u << 10, h.V(IAR));
        Assert.AreEqual(1023u, h.V(IAR), "equal priority does not preempt");
        h.VW(EOIR, 3u | 2u << 10);
        Assert.AreEqual(1u, h.H(HCR) >> 27, "CPUID must match for a virtual SGI: LR1 is pending, not active");
        Assert.AreEqual(2u, h.H(LR) >> 28);
        h.VW(EOIR, 3u | 5u << 10);
        Assert.AreEqual(0u, h.H(LR) >> 28);
        Assert.AreEqual(3u | 2u << 10, h.V(IAR));
    }

    [TestMethod]
    public void EoiModeAndDir()
    {
        var h = Guest();
        h.VW(C_CTLR, 1 | 1u << 9); // VEM
        Assert.AreEqual(1u << 9, h.H(VMCR) & 1u << 9);
        h.HW(LR, Lr(40, 1, 0x80));
        Assert.AreEqual(40u, h.V(IAR));
        h.VW(EOIR, 40);
        Assert.AreEqual(0u, h.H(H_APR), "priority dropped");
        Assert.AreEqual(2u, h.H(LR) >> 28, "still active");
        h.VW(DIR, 40);
        Assert.AreEqual(0u, h.H(LR) >> 28);
        Assert.AreEqual(0u, h.H(HCR) >> 27);
        h.VW(DIR, 77);
        Assert.AreEqual(1u, h.H(HCR) >> 27, "DIR with no list register counts");
        h.VW(EOIR, 77);
        Assert.AreEqual(1u, h.H(HCR) >> 27, "EOIR under VEM only drops priority");
    }

    [TestMethod]
    public void MaintenanceEoi()
    {
        var h = Guest();
        h.HW(LR + 8, Lr(40, 1, 0x80, eoi: true));
        Assert.AreEqual(0u, h.H(MISR));
        h.V(IAR);
        h.VW(EOIR, 40);
        Assert.AreEqual(1u << 2, h.H(EISR0));
        Assert.AreEqual(0xBu, h.H(ELRSR0), "an entry awaiting EOI maintenance is not empty");
        Assert.AreEqual(MisrEoi, h.H(MISR));
        Assert.IsTrue(h.Gic.Ppi(0, 9).IsAsserted);
        Assert.IsTrue(h.Bit(ISPENDR, MaintenanceId), "maintenance PPI pending in the distributor");
        Assert.IsFalse(h.Bit(ISPENDR, MaintenanceId, cpu: 1));
        h.HW(HCR, 0);
        Assert.AreEqual(MisrEoi, h.H(MISR), "MISR is independent of En");
        Assert.IsFalse(h.Gic.Ppi(0, 9).IsAsserted, "but the interrupt needs En");
        h.HW(HCR, 1);
        h.HW(LR + 8, 0);
        Assert.AreEqual(0u, h.H(EISR0));
        Assert.AreEqual(0u, h.H(MISR));
        Assert.IsFalse(h.Gic.Ppi(0, 9).IsAsserted);
        // The hypervisor takes the maintenance interrupt as a normal PPI.
        h.EnableAll();
        h.Setup(MaintenanceId, 0x10);
        h.HW(LR, Lr(40, 1, 0x80, eoi: true));
        h.V(IAR);
        h.VW(EOIR, 40);
        Assert.IsTrue(h.Irq());
        Assert.AreEqual((uint)MaintenanceId, h.C(IAR));
    }

    [TestMethod]
    public void MaintenanceUnderflow()
    {
        var h = Guest();
        h.HW(HCR, 1 | 2);
        Assert.AreEqual(MisrU, h.H(MISR), "no valid entries");
        h.HW(LR, Lr(40, 1, 0x80));
        Assert.AreEqual(MisrU, h.H(MISR), "one valid entry");
        h.HW(LR + 4, Lr(41, 2, 0x80));
        Assert.AreEqual(0u, h.H(MISR));
        Assert.IsFalse(h.Gic.Ppi(0, 9).IsAsserted);
        h.HW(LR + 4, Lr(41, 0, 0x80, eoi: true));
        Assert.AreEqual(MisrU | MisrEoi, h.H(MISR));
        Assert.IsTrue(h.Gic.Ppi(0, 9).IsAsserted);
    }

    [TestMethod]
    public void MaintenanceListRegisterEntryNotPresent()
    {
        var h = Guest();
        h.HW(HCR, 1 | 4);
        Assert.AreEqual(0u, h.H(MISR));
        h.HW(H_APR, 1u << 16); // an active priority for an interrupt no list register holds
        h.VW(EOIR, 99);
        Assert.AreEqual(1u, h.H(HCR) >> 27, "EOICount");
        Assert.AreEqual(MisrLrenp, h.H(MISR));
        Assert.IsTrue(h.Gic.Ppi(0, 9).IsAsserted);
        h.HW(HCR, 1 | 4); // hypervisor clears EOICount
        Assert.AreEqual(0u, h.H(MISR));
        h.HW(HCR, 1 | 4 | 31u << 27);
        h.VW(EOIR, 99);
        Assert.AreEqual(0u, h.H(HCR) >> 27, "EOICount is a 5-bit counter");
    }

    [TestMethod]
    public void MaintenanceNoPending()
    {
        var h = Guest();
        h.HW(HCR, 1 | 8);
        Assert.AreEqual(MisrNp, h.H(MISR));
        h.HW(LR, Lr(40, 1, 0x80));
        Assert.AreEqual(0u, h.H(MISR));
        h.V(IAR);
        Assert.AreEqual(MisrNp, h.H(MISR), "active is not pending");
        h.HW(LR, Lr(40, 3, 0x80));
        Assert.AreEqual(0u, h.H(MISR), "active and pending counts as pending");
    }

    [TestMethod]
    public void MaintenanceGroupEnableAndDisable()
    {
        var h = new GicHarness();
        h.HW(HCR, 1 | 0xF0);
        Assert.AreEqual(MisrVGrp0D | MisrVGrp1D, h.H(MISR));
        h.VW(C_CTLR, 1);
        Assert.AreEqual(MisrVGrp0E | MisrVGrp1D, h.H(MISR));
        h.VW(C_CTLR, 2);
        Assert.AreEqual(MisrVGrp0D | MisrVGrp1E, h.H(MISR));
        h.HW(VMCR, h.H(VMCR) | 3);
        Assert.AreEqual(MisrVGrp0E | MisrVGrp1E, h.H(MISR));
        Assert.IsTrue(h.Gic.Ppi(0, 9).IsAsserted);
        h.HW(HCR, 1 | 0x10);
        Assert.AreEqual(MisrVGrp0E, h.H(MISR));
        h.HW(HCR, 1 | 0x20);
        Assert.AreEqual(0u, h.H(MISR));
        h.HW(HCR, 1 | 0x80);
        Assert.AreEqual(0u, h.H(MISR));
        h.HW(HCR, 1 | 0x40);
        Assert.AreEqual(MisrVGrp1E, h.H(MISR));
        Assert.IsFalse(h.Gic.Ppi(1, 9).IsAsserted, "per-CPU maintenance");
    }

    [TestMethod]
    public void HardwareBitDeactivatesPhysicalInterrupt()
    {
        var h = Guest();
        h.EnableAll();
        h.CW(C_CTLR, h.C(C_CTLR) | 1u << 9); // hypervisor uses EOImode = 1
        h.Setup(48, 0x40);
        h.Gic.Spi(16).Set(true);
        Assert.AreEqual(48u, h.C(IAR));
        h.CW(EOIR, 48);
        Assert.IsTrue(h.Bit(ISACTIVER, 48));
        Assert.AreEqual(0xFFu, h.C(RPR));
        h.HW(LR, Lr(27, 1, 0x80, hw: true, physical: 48));
        Assert.IsTrue(h.VIrq());
        Assert.AreEqual(27u, h.V(IAR), "no CPUID with HW = 1");
        Assert.IsTrue(h.Bit(ISACTIVER, 48));
        Assert.IsFalse(h.Irq(), "physical interrupt still active");
        h.VW(EOIR, 27);
        Assert.IsFalse(h.Bit(ISACTIVER, 48), "virtual EOI deactivated the physical interrupt");
        Assert.IsTrue(h.Irq(), "the level input is still high: pending again");
        Assert.AreEqual(0xFu, h.H(ELRSR0));
        Assert.AreEqual(0u, h.H(EISR0));

        // Through GICV_DIR with VEM = 1 as well.
        Assert.AreEqual(48u, h.C(IAR));
        h.CW(EOIR, 48);
        h.Gic.Spi(16).Set(false);
        h.VW(C_CTLR, 1 | 1u << 9);
        h.HW(LR, Lr(27, 1, 0x80, hw: true, physical: 48));
        h.V(IAR);
        h.VW(EOIR, 27);
        Assert.IsTrue(h.Bit(ISACTIVER, 48));
        h.VW(DIR, 27);
        Assert.IsFalse(h.Bit(ISACTIVER, 48));
    }

    [TestMethod]
    public void HardwareBitDeactivatesPpiOnOwnCpu()
    {
        var h = new GicHarness(cpus: 2);
        h.HW(HCR, 1, cpu: 1);
        h.VW(C_CTLR, 1, cpu: 1);
        h.VW(PMR, 0xF8, cpu: 1);
        h.EnableAll(1);
        h.CW(C_CTLR, h.C(C_CTLR, 1) | 1u << 9, cpu: 1);
        h.Setup(27, 0x40, cpu: 1);
        h.Gic.Ppi(1, 11).Set(true); // virtual timer PPI
        Assert.AreEqual(27u, h.C(IAR, cpu: 1));
        h.CW(EOIR, 27, cpu: 1);
        h.DW(ISACTIVER, 1u << 27, cpu: 0);
        h.HW(LR, Lr(27, 1, 0x80, hw: true, physical: 27), cpu: 1);
        Assert.AreEqual(27u, h.V(IAR, cpu: 1));
        h.VW(EOIR, 27, cpu: 1);
        Assert.IsFalse(h.Bit(ISACTIVER, 27, cpu: 1));
        Assert.IsTrue(h.Bit(ISACTIVER, 27, cpu: 0), "CPU 0's bank is untouched");
    }
}
