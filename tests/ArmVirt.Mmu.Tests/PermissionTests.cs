using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class PermissionTests
{
    private const ulong Va = 0x20_0000;
    private const ulong Ap1 = 1UL << 6, Ap2 = 1UL << 7, Pxn = 1UL << 53, Uxn = 1UL << 54;

    private static (TestMemory, TableBuilder) Page(ulong bits)
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(Va, 0x4000_0000, 3, (1UL << 2) | bits);
        return (mem, tb);
    }

    private static FaultKind Try(TestMemory mem, in TranslationControl c, AccessType a)
        => AddressTranslator.Translate(in c, mem, Va, a).Fault.Kind;

    [TestMethod]
    [DataRow(0UL, true, true, false, false)]        // AP 00: EL1 RW, EL0 none
    [DataRow(Ap1, true, true, true, true)]          // AP 01: EL1 RW, EL0 RW
    [DataRow(Ap2, true, false, false, false)]       // AP 10: EL1 RO, EL0 none
    [DataRow(Ap2 | Ap1, true, false, true, false)]  // AP 11: EL1 RO, EL0 RO
    public void AccessPermissions(ulong ap, bool el1Read, bool el1Write, bool el0Read, bool el0Write)
    {
        var (mem, tb) = Page(ap);
        var el1 = Controls.El1(12, 39, tb.Root);
        var el0 = Controls.El1(12, 39, tb.Root, el: 0);
        Assert.AreEqual(el1Read ? FaultKind.None : FaultKind.Permission, Try(mem, el1, AccessType.Read));
        Assert.AreEqual(el1Write ? FaultKind.None : FaultKind.Permission, Try(mem, el1, AccessType.Write));
        Assert.AreEqual(el0Read ? FaultKind.None : FaultKind.Permission, Try(mem, el0, AccessType.Read));
        Assert.AreEqual(el0Write ? FaultKind.None : FaultKind.Permission, Try(mem, el0, AccessType.Write));
        // LDTR/STTR at EL1 are checked as EL0.
        Assert.AreEqual(el0Read ? FaultKind.None : FaultKind.Permission, Try(mem, el1, AccessType.Read | AccessType.Unprivileged));
        Assert.AreEqual(el0Write ? FaultKind.None : FaultKind.Permission, Try(mem, el1, AccessType.Write | AccessType.Unprivileged));
        var r = AddressTranslator.Translate(in el0, mem, Va, AccessType.Write);
        if (!el0Write)
        {
            Assert.AreEqual(3, r.Fault.Level);
            Assert.AreEqual(0b001111u, r.Fault.FaultStatusCode);
            Assert.IsTrue(r.Fault.IsWrite);
        }
    }

    [TestMethod]
    public void ExecuteNeverBits()
    {
        var (mem, tb) = Page(Ap2 | Ap1 | Pxn);
        var el1 = Controls.El1(12, 39, tb.Root);
        var el0 = Controls.El1(12, 39, tb.Root, el: 0);
        Assert.AreEqual(FaultKind.Permission, Try(mem, el1, AccessType.Execute));
        Assert.AreEqual(FaultKind.None, Try(mem, el0, AccessType.Execute));
        (mem, tb) = Page(Ap2 | Ap1 | Uxn);
        el1 = Controls.El1(12, 39, tb.Root);
        el0 = Controls.El1(12, 39, tb.Root, el: 0);
        Assert.AreEqual(FaultKind.None, Try(mem, el1, AccessType.Execute));
        Assert.AreEqual(FaultKind.Permission, Try(mem, el0, AccessType.Execute));
        // EL0-writable memory is never executable at EL1.
        (mem, tb) = Page(Ap1);
        el1 = Controls.El1(12, 39, tb.Root);
        Assert.AreEqual(FaultKind.Permission, Try(mem, el1, AccessType.Execute));
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.Execute));
    }

    [TestMethod]
    public void WxnMakesWritableMemoryExecuteNever()
    {
        var (mem, tb) = Page(0);
        var c = Controls.El1(12, 39, tb.Root);
        Assert.AreEqual(FaultKind.None, Try(mem, c, AccessType.Execute));
        var wxn = Controls.El1(12, 39, tb.Root, sctlrExtra: 1UL << 19);
        Assert.AreEqual(FaultKind.Permission, Try(mem, wxn, AccessType.Execute));
        (mem, tb) = Page(Ap2);
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root, sctlrExtra: 1UL << 19), AccessType.Execute));
        // EL0 side: EL0 RW page under WXN is not EL0-executable.
        (mem, tb) = Page(Ap1);
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root, el: 0, sctlrExtra: 1UL << 19), AccessType.Execute));
    }

    [TestMethod]
    public void PanBlocksPrivilegedDataAccessToEl0Memory()
    {
        var (mem, tb) = Page(Ap1);
        var pan = Controls.El1(12, 39, tb.Root, pan: true);
        Assert.AreEqual(FaultKind.Permission, Try(mem, pan, AccessType.Read));
        Assert.AreEqual(FaultKind.Permission, Try(mem, pan, AccessType.Write));
        // Not for unprivileged accesses, plain AT, cache maintenance, or EL1-only pages.
        Assert.AreEqual(FaultKind.None, Try(mem, pan, AccessType.Read | AccessType.Unprivileged));
        Assert.AreEqual(FaultKind.None, Try(mem, pan, AccessType.Read | AccessType.AtInstruction));
        Assert.AreEqual(FaultKind.Permission, Try(mem, pan, AccessType.Read | AccessType.AtInstruction | AccessType.AtPan));
        Assert.AreEqual(FaultKind.None, Try(mem, pan, AccessType.Read | AccessType.CacheMaintenance));
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root), AccessType.Read));
        (mem, tb) = Page(0);
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root, pan: true), AccessType.Read));
    }

    [TestMethod]
    public void HierarchicalTableControlsRestrictLowerLevels()
    {
        // APTable[0] (bit 61): no EL0 access below.
        var (mem, tb) = Page(Ap1);
        tb.SetTableBits(Va, 2, 1UL << 61);
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.Read));
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root), AccessType.Write));
        // APTable[1] (bit 62): read-only below.
        (mem, tb) = Page(Ap1);
        tb.SetTableBits(Va, 1, 1UL << 62);
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root), AccessType.Write));
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.Read));
        // UXNTable (bit 60) and PXNTable (bit 59).
        (mem, tb) = Page(Ap2 | Ap1);
        tb.SetTableBits(Va, 2, 1UL << 60);
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.Execute));
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root), AccessType.Execute));
        (mem, tb) = Page(Ap2 | Ap1);
        tb.SetTableBits(Va, 1, 1UL << 59);
        Assert.AreEqual(FaultKind.None, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.Execute));
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root), AccessType.Execute));
    }

    [TestMethod]
    public void El2RegimeHasOnePrivilegeLevel()
    {
        // AP[1] = 0 does not remove access at EL2; PXN (bit 53) is RES0; XN (bit 54) and AP[2] apply; XNTable too.
        var (mem, tb) = Page(Pxn);
        var c = Controls.El2(12, 39, tb.Root);
        Assert.AreEqual(FaultKind.None, Try(mem, c, AccessType.Write));
        Assert.AreEqual(FaultKind.None, Try(mem, c, AccessType.Execute));
        Assert.AreEqual(FaultKind.None, Try(mem, c, AccessType.Write | AccessType.Unprivileged));
        (mem, tb) = Page(Ap2 | Uxn);
        c = Controls.El2(12, 39, tb.Root);
        Assert.AreEqual(FaultKind.Permission, Try(mem, c, AccessType.Write));
        Assert.AreEqual(FaultKind.Permission, Try(mem, c, AccessType.Execute));
        (mem, tb) = Page(0);
        tb.SetTableBits(Va, 2, 1UL << 60);
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El2(12, 39, tb.Root), AccessType.Execute));
        var r = AddressTranslator.Translate(Controls.El2(12, 39, tb.Root), mem, Va, AccessType.Read);
        Assert.IsTrue(r.Global, "EL2 translations are global");
    }

    [TestMethod]
    public void CacheMaintenanceNeedsNoRightsUnlessItWrites()
    {
        var (mem, tb) = Page(Ap2 | Uxn | Pxn);
        var c = Controls.El1(12, 39, tb.Root);
        Assert.AreEqual(FaultKind.None, Try(mem, c, AccessType.CacheMaintenance));
        Assert.AreEqual(FaultKind.Permission, Try(mem, c, AccessType.CacheMaintenance | AccessType.Write));
        Assert.AreEqual(FaultKind.Permission, Try(mem, Controls.El1(12, 39, tb.Root, el: 0), AccessType.CacheMaintenance));
    }

    [TestMethod]
    public void NotGlobalBit()
    {
        var (mem, tb) = Page(1UL << 11);
        Assert.IsFalse(AddressTranslator.Translate(Controls.El1(12, 39, tb.Root), mem, Va, AccessType.Read).Global);
        (mem, tb) = Page(0);
        Assert.IsTrue(AddressTranslator.Translate(Controls.El1(12, 39, tb.Root), mem, Va, AccessType.Read).Global);
    }
}
