using R = ArmVirt.Gic.Gicv3CpuRegister;

namespace ArmVirt.Gic.Tests;

/// <summary>ICH_*_EL2 and ICV_*_EL1 behaviour of <see cref="Gicv3VirtualCpuInterface"/> (IHI 0069 chapter 12).</summary>
[TestClass]
public sealed class Gicv3VirtualCpuInterfaceTests
{
    // ICH_HCR_EL2
    private const ulong En = 1, Uie = 2, Lrenpie = 4, Npie = 8, VGrp0Eie = 16, VGrp0Die = 32, VGrp1Eie = 64, VGrp1Die = 128;
    private const ulong Tc = 1 << 10, Tall0 = 1 << 11, Tall1 = 1 << 12, Tdir = 1 << 14;
    // ICH_MISR_EL2
    private const ulong MisrEoi = 1, MisrU = 2, MisrLrenp = 4, MisrNp = 8, MisrVGrp0E = 16, MisrVGrp0D = 32, MisrVGrp1E = 64, MisrVGrp1D = 128;
    // ICH_VMCR_EL2
    private const ulong Veng0 = 1, Veng1 = 2, Vcbpr = 1 << 4, Veoim = 1 << 9;
    // ICH_LR<n>_EL2
    private const ulong Pending = 1UL << 62, Active = 1UL << 63, Hw = 1UL << 61, Group1 = 1UL << 60, Eoi = 1UL << 41;

    private readonly List<int> _deactivated = new();

    private static ulong Lr(uint vintid, int priority, bool group1 = true, ulong state = Pending) =>
        state | (group1 ? Group1 : 0) | (ulong)priority << 48 | vintid;

    private static ulong HwLr(uint vintid, int pintid, int priority) => Lr(vintid, priority) | Hw | (ulong)pintid << 32;

    private Gicv3VirtualCpuInterface Create(int listRegisters = 4) => new(listRegisters, _deactivated.Add);

    /// <summary>An enabled interface with both virtual groups enabled and VPMR = 0xF8.</summary>
    private Gicv3VirtualCpuInterface Enabled(int listRegisters = 4)
    {
        var v = Create(listRegisters);
        v.Hcr = En;
        v.Vmcr = Veng0 | Veng1 | 0xF8UL << 24;
        return v;
    }

    [TestMethod]
    public void ResetValues()
    {
        var v = Create();
        Assert.AreEqual(0x90B80003UL, v.Vtr, "PRIbits 4, PREbits 4, IDbits 1, A3V, nV4, TDS, 4 list registers (QEMU's value)");
        Assert.AreEqual(0x90B8000FUL, Create(16).Vtr);
        Assert.AreEqual(0x90B80000UL, Create(1).Vtr);
        Assert.AreEqual(0UL, v.Hcr);
        Assert.AreEqual(0x004C0008UL, v.Vmcr, "VBPR0 = 2, VBPR1 = 3, VFIQEn");
        Assert.AreEqual(0UL, v.Misr);
        Assert.AreEqual(0UL, v.Eisr);
        Assert.AreEqual(0xFUL, v.Elrsr);
        for (int n = 0; n < 4; n++) Assert.AreEqual(0UL, v.ReadListRegister(n));
        for (int n = 0; n < 4; n++)
        {
            Assert.AreEqual(0UL, v.ReadActivePriorities(0, n));
            Assert.AreEqual(0UL, v.ReadActivePriorities(1, n));
        }
        Assert.IsFalse(v.VirtualIrq.IsAsserted || v.VirtualFiq.IsAsserted || v.Maintenance.IsAsserted);
        Assert.AreEqual(4, v.ListRegisterCount);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(17));
    }

    [TestMethod]
    public void ResetMethodRestoresResetState()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        v.WriteActivePriorities(1, 0, 1);
        v.Hcr = En | Uie;
        v.Reset();
        Assert.AreEqual(0UL, v.Hcr);
        Assert.AreEqual(0x004C0008UL, v.Vmcr);
        Assert.AreEqual(0UL, v.ReadListRegister(0));
        Assert.AreEqual(0UL, v.ReadActivePriorities(1, 0));
        Assert.IsFalse(v.VirtualIrq.IsAsserted || v.Maintenance.IsAsserted);
    }

    [TestMethod]
    public void HcrKeepsOnlyImplementedBits()
    {
        var v = Create();
        v.Hcr = ulong.MaxValue;
        Assert.AreEqual(0xF8005CFFUL, v.Hcr, "EOIcount, TDIR, TALL1, TALL0, TC, the enables; TSEI is RES0 (SEIS = 0)");
        v.Hcr = 0x2000;
        Assert.AreEqual(0UL, v.Hcr);
    }

    [TestMethod]
    public void VmcrMasksAndClampsBinaryPoints()
    {
        var v = Create();
        v.Vmcr = ulong.MaxValue;
        Assert.AreEqual(0xF8FC021BUL, v.Vmcr, "VPMR has 5 bits, VAckCtl RES0, VFIQEn RES1");
        v.Vmcr = 0;
        Assert.AreEqual(0x004C0008UL, v.Vmcr, "binary points below the minimum read as the minimum");
        v.Vmcr = 5UL << 21 | 6UL << 18 | 0x80UL << 24;
        Assert.AreEqual(5UL, v.Read(R.Bpr0));
        Assert.AreEqual(6UL, v.Read(R.Bpr1));
        Assert.AreEqual(0x80UL, v.Read(R.Pmr));
    }

    [TestMethod]
    public void ListRegistersKeepOnlyImplementedBits()
    {
        var v = Create();
        v.WriteListRegister(3, ulong.MaxValue);
        Assert.AreEqual(0xF0F81FFF00FFFFFFUL, v.ReadListRegister(3), "priority bits [50:48], NMI and vINTID[31:24] are RES0");
        Assert.AreEqual(0x7UL, v.Elrsr);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => v.WriteListRegister(4, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => v.ReadListRegister(-1));
    }

    [TestMethod]
    public void ActivePriorityRegisters()
    {
        var v = Create();
        v.WriteActivePriorities(0, 0, 0x1_0000_0010);
        v.WriteActivePriorities(1, 0, 0x8000_0000);
        Assert.AreEqual(0x10UL, v.ReadActivePriorities(0, 0), "32 bits");
        Assert.AreEqual(0x8000_0000UL, v.ReadActivePriorities(1, 0));
        Assert.AreEqual(0x10UL, v.Read(R.Ap0r0));
        Assert.AreEqual(0x8000_0000UL, v.Read(R.Ap1r0));
        Assert.AreEqual(0x20UL, v.Read(R.Rpr), "lowest set bit 4 << 3");
        v.Write(R.Ap0r0, 0);
        Assert.AreEqual(0xF8UL, v.Read(R.Rpr));
        v.Write(R.Ap1r0, 0);
        Assert.AreEqual(0xFFUL, v.Read(R.Rpr), "idle");
        // With 5 preemption bits only AP<g>R0 exists; the others are RAZ/WI.
        v.WriteActivePriorities(0, 1, 5);
        v.Write(R.Ap1r3, 5);
        Assert.AreEqual(0UL, v.ReadActivePriorities(0, 1));
        Assert.AreEqual(0UL, v.Read(R.Ap1r3));
    }

    [TestMethod]
    public void IcvRegistersAreViewsOfVmcr()
    {
        var v = Create();
        v.Write(R.Pmr, 0xFF);
        Assert.AreEqual(0xF8UL, v.Read(R.Pmr), "5 priority bits");
        Assert.AreEqual(0xF8UL, v.Vmcr >> 24);
        v.Write(R.Bpr0, 0);
        Assert.AreEqual(2UL, v.Read(R.Bpr0), "minimum VBPR0");
        v.Write(R.Bpr1, 1);
        Assert.AreEqual(3UL, v.Read(R.Bpr1), "minimum VBPR1");
        v.Write(R.Bpr0, 4);
        v.Write(R.Bpr1, 6);
        Assert.AreEqual(4UL << 21 | 6UL << 18, v.Vmcr & (0x3FUL << 18));
        Assert.AreEqual(0x8C00UL, v.Read(R.Ctlr), "A3V, IDbits 24, PRIbits 4");
        v.Write(R.Ctlr, 3);
        Assert.AreEqual(0x8C03UL, v.Read(R.Ctlr));
        Assert.AreEqual(Vcbpr | Veoim, v.Vmcr & (Vcbpr | Veoim));
        // VCBPR: ICV_BPR1 reads VBPR0 + 1 and ignores writes.
        Assert.AreEqual(5UL, v.Read(R.Bpr1));
        v.Write(R.Bpr1, 7);
        Assert.AreEqual(6UL, (v.Vmcr >> 18) & 7);
        v.Write(R.Bpr0, 7);
        Assert.AreEqual(7UL, v.Read(R.Bpr1), "saturates at 7");
        v.Write(R.Ctlr, 0);
        Assert.AreEqual(0UL, v.Vmcr & (Vcbpr | Veoim));
        v.Write(R.Igrpen0, 1);
        Assert.AreEqual(1UL, v.Read(R.Igrpen0));
        Assert.AreEqual(0UL, v.Read(R.Igrpen1));
        v.Write(R.Igrpen1, 3);
        Assert.AreEqual(1UL, v.Read(R.Igrpen1));
        Assert.AreEqual(Veng0 | Veng1, v.Vmcr & 3);
        v.Write(R.Igrpen0, 0);
        Assert.AreEqual(Veng1, v.Vmcr & 3);
    }

    [TestMethod]
    public void InjectAcknowledgeEndOfInterruptGroup1()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        Assert.IsTrue(v.VirtualIrq.IsAsserted);
        Assert.IsFalse(v.VirtualFiq.IsAsserted);
        Assert.AreEqual(40UL, v.Read(R.Hppir1));
        Assert.AreEqual(1023UL, v.Read(R.Hppir0));
        Assert.AreEqual(1023UL, v.Read(R.Iar0), "wrong group");
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        Assert.AreEqual(Active, v.ReadListRegister(0) & (Active | Pending));
        Assert.AreEqual(1UL << (0xA0 >> 3), v.ReadActivePriorities(1, 0));
        Assert.AreEqual(0xA0UL, v.Read(R.Rpr));
        Assert.IsFalse(v.VirtualIrq.IsAsserted);
        Assert.AreEqual(1023UL, v.Read(R.Iar1), "nothing pending");
        Assert.AreEqual(0UL, v.Elrsr & 1);
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(0UL, v.ReadListRegister(0) >> 62, "invalid");
        Assert.AreEqual(0UL, v.ReadActivePriorities(1, 0));
        Assert.AreEqual(0xFFUL, v.Read(R.Rpr));
        Assert.AreEqual(0xFUL, v.Elrsr);
        Assert.AreEqual(0UL, v.Hcr >> 27, "EOIcount");
        Assert.AreEqual(0, _deactivated.Count);
    }

    [TestMethod]
    public void Group0IsSignalledAsVirtualFiq()
    {
        var v = Enabled();
        v.WriteListRegister(1, Lr(33, 0x40, group1: false));
        Assert.IsTrue(v.VirtualFiq.IsAsserted);
        Assert.IsFalse(v.VirtualIrq.IsAsserted);
        Assert.AreEqual(1023UL, v.Read(R.Iar1));
        Assert.AreEqual(33UL, v.Read(R.Iar0));
        Assert.AreEqual(1UL << 8, v.ReadActivePriorities(0, 0));
        Assert.IsFalse(v.VirtualFiq.IsAsserted);
        v.Write(R.Eoir0, 33);
        Assert.AreEqual(0UL, v.ReadListRegister(1) >> 62);
    }

    [TestMethod]
    public void NothingIsSignalledWhileDisabled()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        v.Hcr = 0;
        Assert.IsFalse(v.VirtualIrq.IsAsserted);
        Assert.AreEqual(40UL, v.Read(R.Hppir1), "HPPIR is not filtered by En");
        Assert.AreEqual(1023UL, v.Read(R.Iar1));
        v.Hcr = En;
        v.Write(R.Igrpen1, 0);
        Assert.IsFalse(v.VirtualIrq.IsAsserted, "group disabled");
        Assert.AreEqual(1023UL, v.Read(R.Hppir1));
        v.Write(R.Igrpen1, 1);
        Assert.IsTrue(v.VirtualIrq.IsAsserted);
    }

    [TestMethod]
    public void PriorityMaskFiltersInterrupts()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        v.Write(R.Pmr, 0xA0);
        Assert.IsFalse(v.VirtualIrq.IsAsserted, "priority must be strictly higher than VPMR");
        Assert.AreEqual(1023UL, v.Read(R.Iar1));
        v.Write(R.Pmr, 0xA8);
        Assert.IsTrue(v.VirtualIrq.IsAsserted);
        v.WriteListRegister(0, Lr(40, 0xF8));
        v.Write(R.Pmr, 0xFF);
        Assert.IsFalse(v.VirtualIrq.IsAsserted, "VPMR keeps 5 bits (0xF8), so the lowest priority 0xF8 is always masked");
    }

    [TestMethod]
    public void HighestPriorityWinsAndLowestIndexOnTies()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0x80));
        v.WriteListRegister(1, Lr(41, 0x60));
        v.WriteListRegister(2, Lr(42, 0x60));
        v.WriteListRegister(3, Lr(43, 0x70, group1: false));
        Assert.AreEqual(1023UL, v.Read(R.Hppir0), "Group 1 entry is highest");
        Assert.AreEqual(41UL, v.Read(R.Hppir1));
        Assert.AreEqual(41UL, v.Read(R.Iar1));
        Assert.AreEqual(1023UL, v.Read(R.Iar1), "same group priority cannot preempt");
        Assert.IsFalse(v.VirtualIrq.IsAsserted);
        Assert.IsFalse(v.VirtualFiq.IsAsserted, "0x70 cannot preempt running 0x60");
        v.Write(R.Eoir1, 41);
        Assert.AreEqual(42UL, v.Read(R.Iar1));
        v.Write(R.Eoir1, 42);
        Assert.AreEqual(43UL, v.Read(R.Iar0));
        Assert.AreEqual(0x70UL, v.Read(R.Rpr));
        v.Write(R.Eoir0, 43);
        Assert.AreEqual(40UL, v.Read(R.Iar1));
    }

    [TestMethod]
    public void PreemptionUsesTheGroupPriorityOfTheBinaryPoint()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        v.WriteListRegister(1, Lr(41, 0x98));
        Assert.IsTrue(v.VirtualIrq.IsAsserted, "VBPR1 = 3: group priority [7:3], 0x98 < 0xA0");
        v.Write(R.Bpr1, 5);
        Assert.IsTrue(v.VirtualIrq.IsAsserted, "VBPR1 = 5: group priority [7:5], 0x80 < 0xA0");
        v.Write(R.Bpr1, 6);
        Assert.IsFalse(v.VirtualIrq.IsAsserted, "VBPR1 = 6: group priority [7:6], 0x80 == 0x80");
        v.Write(R.Ctlr, 1); // VCBPR: Group 1 uses VBPR0 = 2 -> [7:3]
        Assert.IsTrue(v.VirtualIrq.IsAsserted);
        v.Write(R.Bpr0, 5); // [7:6]
        Assert.IsFalse(v.VirtualIrq.IsAsserted);
        v.Write(R.Ctlr, 0);
        v.Write(R.Bpr1, 3);
        Assert.AreEqual(41UL, v.Read(R.Iar1));
        Assert.AreEqual(0x98UL, v.Read(R.Rpr));
        Assert.AreEqual(1UL << 19 | 1UL << 20, v.ReadActivePriorities(1, 0));
        v.Write(R.Eoir1, 41);
        Assert.AreEqual(0xA0UL, v.Read(R.Rpr));
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(0xFFUL, v.Read(R.Rpr));
    }

    [TestMethod]
    public void AcknowledgeSetsTheActiveBitOfTheGroupPriority()
    {
        var v = Enabled();
        v.Write(R.Bpr1, 6); // Group 1 group priority [7:6]
        v.WriteListRegister(0, Lr(40, 0xB8));
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        Assert.AreEqual(1UL << (0x80 >> 3), v.ReadActivePriorities(1, 0));
        Assert.AreEqual(0x80UL, v.Read(R.Rpr));
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(0UL, v.ReadListRegister(0) >> 62, "LR group priority matches the dropped priority");
    }

    [TestMethod]
    public void SplitPriorityDropAndDeactivation()
    {
        var v = Enabled();
        v.Write(R.Ctlr, 2); // VEOIM
        v.WriteListRegister(0, Lr(40, 0xA0));
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(0xFFUL, v.Read(R.Rpr), "priority dropped");
        Assert.AreEqual(Active, v.ReadListRegister(0) & (Active | Pending), "still active");
        v.WriteListRegister(0, v.ReadListRegister(0) | Pending);
        Assert.IsFalse(v.VirtualIrq.IsAsserted, "active and pending is not a candidate");
        v.Write(R.Dir, 40);
        Assert.AreEqual(Pending, v.ReadListRegister(0) & (Active | Pending), "active and pending -> pending");
        Assert.IsTrue(v.VirtualIrq.IsAsserted);
        Assert.AreEqual(0UL, v.Hcr >> 27);
        // DIR is ignored with VEOIM = 0.
        v.Write(R.Ctlr, 0);
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        v.Write(R.Dir, 40);
        Assert.AreEqual(Active, v.ReadListRegister(0) & (Active | Pending));
        Assert.AreEqual(0UL, v.Hcr >> 27);
    }

    [TestMethod]
    public void HardwareEntryDeactivatesThePhysicalInterrupt()
    {
        var v = Enabled();
        v.WriteListRegister(0, HwLr(27, 27, 0xA0));
        v.WriteListRegister(1, HwLr(50, 48, 0xA0));
        Assert.AreEqual(27UL, v.Read(R.Iar1));
        Assert.AreEqual(0UL, v.Elrsr & 1);
        v.Write(R.Eoir1, 27);
        CollectionAssert.AreEqual(new[] { 27 }, _deactivated);
        Assert.AreEqual(1UL, v.Elrsr & 1, "HW entries never request EOI maintenance");
        Assert.AreEqual(0UL, v.Eisr);
        // With VEOIM the physical interrupt is deactivated by ICV_DIR_EL1 only.
        v.Write(R.Ctlr, 2);
        Assert.AreEqual(50UL, v.Read(R.Iar1));
        v.Write(R.Eoir1, 50);
        Assert.AreEqual(1, _deactivated.Count);
        v.Write(R.Dir, 50);
        CollectionAssert.AreEqual(new[] { 27, 48 }, _deactivated);
    }

    [TestMethod]
    public void SpecialVirtualIdGoesFromPendingToInvalid()
    {
        var v = Enabled();
        v.WriteListRegister(2, Lr(1022, 0x10));
        Assert.AreEqual(1022UL, v.Read(R.Iar1));
        Assert.AreEqual(0UL, v.ReadListRegister(2) >> 62);
        Assert.AreEqual(0UL, v.ReadActivePriorities(1, 0), "no active priority for a special INTID");
        v.Write(R.Eoir1, 1022);
        Assert.AreEqual(0UL, v.Hcr >> 27, "EOI of a special INTID is ignored");
    }

    [TestMethod]
    public void UnmatchedEndOfInterruptCountsInEoiCount()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        v.WriteListRegister(0, 0); // the hypervisor took the entry away while it was active
        Assert.IsFalse(v.Maintenance.IsAsserted);
        v.Hcr |= Lrenpie;
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(1UL, v.Hcr >> 27);
        Assert.AreEqual(MisrLrenp, v.Misr);
        Assert.IsTrue(v.Maintenance.IsAsserted);
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(1UL, v.Hcr >> 27, "nothing active: no priority drop, no count");
        // VEOIM = 1: an unmatched DIR counts; an unmatched EOIR (which would not deactivate) does not.
        v.Write(R.Ctlr, 2);
        v.WriteActivePriorities(1, 0, 1u << 20);
        v.Write(R.Eoir1, 41);
        Assert.AreEqual(1UL, v.Hcr >> 27);
        v.Write(R.Dir, 41);
        Assert.AreEqual(2UL, v.Hcr >> 27);
        v.Hcr = (v.Hcr & ~(0x1FUL << 27)) | 31UL << 27;
        v.Write(R.Dir, 41);
        Assert.AreEqual(0UL, v.Hcr >> 27, "5-bit counter wraps");
        Assert.IsFalse(v.Maintenance.IsAsserted);
    }

    [TestMethod]
    public void EoiMaintenanceRequest()
    {
        var v = Enabled();
        v.WriteListRegister(1, Lr(40, 0xA0) | Eoi);
        Assert.AreEqual(0UL, v.Eisr);
        Assert.AreEqual(0xDUL, v.Elrsr);
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        Assert.IsFalse(v.Maintenance.IsAsserted);
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(2UL, v.Eisr);
        Assert.AreEqual(0xDUL, v.Elrsr, "an EOI request keeps the entry out of ELRSR");
        Assert.AreEqual(MisrEoi, v.Misr);
        Assert.IsTrue(v.Maintenance.IsAsserted);
        v.Hcr = 0;
        Assert.IsFalse(v.Maintenance.IsAsserted, "only while En");
        Assert.AreEqual(MisrEoi, v.Misr, "MISR does not depend on En");
        v.Hcr = En;
        v.WriteListRegister(1, 0);
        Assert.IsFalse(v.Maintenance.IsAsserted);
        Assert.AreEqual(0xFUL, v.Elrsr);
    }

    [TestMethod]
    public void UnderflowMaintenance()
    {
        var v = Enabled();
        v.WriteListRegister(0, Lr(40, 0xA0));
        v.WriteListRegister(1, Lr(41, 0xA0));
        v.Hcr = En | Uie;
        Assert.AreEqual(0UL, v.Misr, "two valid entries");
        Assert.IsFalse(v.Maintenance.IsAsserted);
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        v.Write(R.Eoir1, 40);
        Assert.AreEqual(MisrU, v.Misr, "at most one valid entry");
        Assert.IsTrue(v.Maintenance.IsAsserted);
    }

    [TestMethod]
    public void NoPendingMaintenance()
    {
        var v = Enabled();
        v.Hcr = En | Npie;
        Assert.AreEqual(MisrNp, v.Misr);
        Assert.IsTrue(v.Maintenance.IsAsserted);
        v.WriteListRegister(3, Lr(40, 0xA0));
        Assert.AreEqual(0UL, v.Misr);
        Assert.IsFalse(v.Maintenance.IsAsserted);
        Assert.AreEqual(40UL, v.Read(R.Iar1));
        Assert.AreEqual(MisrNp, v.Misr, "an active entry is not pending");
        Assert.IsTrue(v.Maintenance.IsAsserted);
    }

    [TestMethod]
    public void GroupEnableAndDisableMaintenance()
    {
        var v = Create();
        v.Hcr = En | VGrp0Eie | VGrp0Die | VGrp1Eie | VGrp1Die;
        Assert.AreEqual(MisrVGrp0D | MisrVGrp1D, v.Misr);
        v.Write(R.Igrpen0, 1);
        Assert.AreEqual(MisrVGrp0E | MisrVGrp1D, v.Misr);
        v.Write(R.Igrpen1, 1);
        Assert.AreEqual(MisrVGrp0E | MisrVGrp1E, v.Misr);
        v.Hcr = En | VGrp1Die;
        Assert.AreEqual(0UL, v.Misr);
        Assert.IsFalse(v.Maintenance.IsAsserted);
        v.Write(R.Igrpen1, 0);
        Assert.AreEqual(MisrVGrp1D, v.Misr);
        Assert.IsTrue(v.Maintenance.IsAsserted);
        v.Hcr = En | VGrp0Eie;
        Assert.AreEqual(MisrVGrp0E, v.Misr);
        v.Vmcr = 0;
        Assert.AreEqual(0UL, v.Misr);
        Assert.IsFalse(v.Maintenance.IsAsserted);
    }

    [TestMethod]
    public void TrapControls()
    {
        var v = Create();
        foreach (var r in Enum.GetValues<R>()) Assert.IsFalse(v.TrapsToEl2(r, write: false), r.ToString());
        R[] common = [R.Pmr, R.Dir, R.Rpr, R.Ctlr];
        R[] group0 = [R.Iar0, R.Eoir0, R.Hppir0, R.Bpr0, R.Ap0r0, R.Ap0r1, R.Ap0r2, R.Ap0r3, R.Igrpen0];
        R[] group1 = [R.Iar1, R.Eoir1, R.Hppir1, R.Bpr1, R.Ap1r0, R.Ap1r1, R.Ap1r2, R.Ap1r3, R.Igrpen1];
        void Check(ulong hcr, R[] trapped)
        {
            v.Hcr = hcr;
            foreach (var r in Enum.GetValues<R>())
                Assert.AreEqual(trapped.Contains(r), v.TrapsToEl2(r, write: true), $"{r} with HCR {hcr:x}");
        }
        Check(Tc, common);
        Check(Tall0, group0);
        Check(Tall1, group1);
        Check(Tdir, [R.Dir]);
        Check(Tall0 | Tall1 | Tc, [.. common, .. group0, .. group1]);
    }
}
