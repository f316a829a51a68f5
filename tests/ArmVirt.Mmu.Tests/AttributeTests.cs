using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class AttributeTests
{
    [TestMethod]
    public void MairIndexSelectsDeviceOrNormalAndDeviceFaultsUnalignedData()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x1000, 0x0900_0000, 3, 0UL << 2);           // AttrIndx 0: Device-nGnRnE
        tb.Map(0x2000, 0x4000_0000, 3, (1UL << 2) | (3UL << 8)); // AttrIndx 1: Normal WB, inner shareable
        tb.Map(0x3000, 0x4000_1000, 3, (3UL << 2) | (2UL << 8)); // AttrIndx 3: MAIR byte 0x00 -> Device
        var c = Controls.El1(12, 39, tb.Root) with { Mair = 0x04_44_FF_00UL << 0 };
        var dev = AddressTranslator.Translate(in c, mem, 0x1004, AccessType.Read);
        Assert.IsTrue(dev.Attributes.IsDevice);
        Assert.AreEqual(Shareability.Outer, dev.Attributes.Sh);
        var r = AddressTranslator.Translate(in c, mem, 0x1003, AccessType.Write, unaligned: true);
        Assert.AreEqual(FaultKind.Alignment, r.Fault.Kind);
        Assert.AreEqual(0b100001u, r.Fault.FaultStatusCode);
        Assert.IsTrue(r.Fault.IsWrite);
        // Instruction fetches take no memory-type alignment fault.
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x1003, AccessType.Execute, unaligned: true).IsFault);
        // Alignment has priority over permission: a read-only Device page written unaligned.
        tb.Map(0x4000, 0x0900_1000, 3, 1UL << 7);
        Assert.AreEqual(FaultKind.Alignment, AddressTranslator.Translate(in c, mem, 0x4001, AccessType.Write, unaligned: true).Fault.Kind);
        Assert.AreEqual(FaultKind.Permission, AddressTranslator.Translate(in c, mem, 0x4000, AccessType.Write).Fault.Kind);
        var normal = AddressTranslator.Translate(in c, mem, 0x2003, AccessType.Read, unaligned: true);
        Assert.IsFalse(normal.IsFault);
        Assert.AreEqual((byte)0xFF, normal.Attributes.Attr);
        Assert.AreEqual(Shareability.Inner, normal.Attributes.Sh);
        var gre = AddressTranslator.Translate(in c, mem, 0x3000, AccessType.Read);
        Assert.IsTrue(gre.Attributes.IsDevice);
        Assert.AreEqual(1, gre.Attributes.DeviceType); // MAIR byte 0x04 = Device-nGnRE
    }

    [TestMethod]
    public void CacheDisableBitsMakeNormalMemoryNonCacheable()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x2000, 0x4000_0000, 3, (1UL << 2) | (3UL << 8));
        var c = Controls.El1(12, 39, tb.Root) with { Sctlr = 1 };
        var r = AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Read);
        Assert.AreEqual((byte)0x44, r.Attributes.Attr);
        Assert.AreEqual(Shareability.Outer, r.Attributes.Sh);
        Assert.AreEqual((byte)0x44, AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Execute).Attributes.Attr);
        c = c with { Sctlr = 1 | (1 << 12) };
        Assert.AreEqual((byte)0xFF, AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Execute).Attributes.Attr);
    }

    [TestMethod]
    public void MmuOffIsAFlatMapWithDeviceDataAndNormalFetches()
    {
        var mem = new TestMemory();
        var c = Controls.El1(12, 39, 0) with { Sctlr = 0, IdAa64Mmfr0 = 0x1124 }; // PA 44 bits
        var data = AddressTranslator.Translate(in c, mem, 0x4000_1234, AccessType.Write);
        Assert.AreEqual(0x4000_1234UL, data.PhysicalAddress);
        Assert.AreEqual(MemoryAttributes.DeviceNGnRnE, data.Attributes);
        Assert.AreEqual(FaultKind.Alignment, AddressTranslator.Translate(in c, mem, 0x4000_1234, AccessType.Read, unaligned: true).Fault.Kind);
        Assert.AreEqual((byte)0x44, AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Execute).Attributes.Attr);
        c = c with { Sctlr = 1 << 12 };
        Assert.AreEqual((byte)0xAA, AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Execute).Attributes.Attr);
        var r = AddressTranslator.Translate(in c, mem, 1UL << 44, AccessType.Read);
        Assert.AreEqual(FaultKind.AddressSize, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
        Assert.AreEqual(0, mem.Reads);
    }

    [TestMethod]
    public void HcrDcMakesStage1DisabledAndNormalWriteBack()
    {
        var mem = new TestMemory();
        var s2 = new TableBuilder(mem, 12, 40, 0x9000_0000, startLevel: 1);
        s2.Map(0x4000_0000, 0x4000_0000, 1, Controls.S2NormalRw);
        var c = Controls.El1(12, 39, 0x1234_5000) with
        {
            El2Enabled = true,
            Hcr = 1UL << 12,
            Vtcr = Controls.Vtcr(12, 40, 1),
            Vttbr = s2.Root,
        };
        Assert.IsFalse(c.Stage1Enabled);
        Assert.IsTrue(c.Stage2Enabled);
        var r = AddressTranslator.Translate(in c, mem, 0x4000_2000, AccessType.Read, unaligned: true);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual((byte)0xFF, r.Attributes.Attr);
        Assert.AreEqual(0x4000_2000UL, r.PhysicalAddress);
    }

    [TestMethod]
    public void Stage2CombiningTakesTheWeakerType()
    {
        var wb = new MemoryAttributes(0xFF, Shareability.Inner);
        var nc = MemoryAttributes.FromStage2(0b0101, Shareability.NonShareable);
        Assert.AreEqual((byte)0x44, nc.Attr);
        Assert.AreEqual((byte)0x44, MemoryAttributes.CombineS1S2(wb, nc).Attr);
        var wt = MemoryAttributes.FromStage2(0b1010, Shareability.Outer);
        var combined = MemoryAttributes.CombineS1S2(wb, wt);
        Assert.AreEqual(Cacheability.WriteThrough, combined.Inner);
        Assert.AreEqual(Cacheability.WriteThrough, combined.Outer);
        Assert.AreEqual(Shareability.Outer, combined.Sh);
        // Device at stage 2 wins; the more restrictive Device type is kept.
        var s2Dev = MemoryAttributes.FromStage2(0b0001, Shareability.NonShareable); // nGnRE
        Assert.AreEqual((byte)0x04, MemoryAttributes.CombineS1S2(wb, s2Dev).Attr);
        Assert.AreEqual((byte)0x00, MemoryAttributes.CombineS1S2(MemoryAttributes.DeviceNGnRnE, s2Dev).Attr);
        Assert.AreEqual((byte)0x04, MemoryAttributes.CombineS1S2(new MemoryAttributes(0x0C, default), s2Dev).Attr);
        Assert.AreEqual((byte)0xFF, MemoryAttributes.CombineS1S2(wb, MemoryAttributes.FromStage2(0b1111, Shareability.Inner)).Attr);
    }
}
