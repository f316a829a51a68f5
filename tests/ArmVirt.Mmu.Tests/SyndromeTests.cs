using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class SyndromeTests
{
    [TestMethod]
    public void FaultStatusCodesFollowTheEsrEncoding()
    {
        uint Fsc(FaultKind k, int level) => new TranslationFault(k, level, 1, false, 0, false).FaultStatusCode;
        for (int l = 0; l <= 3; l++)
        {
            Assert.AreEqual(0x00u + (uint)l, Fsc(FaultKind.AddressSize, l));
            Assert.AreEqual(0x04u + (uint)l, Fsc(FaultKind.Translation, l));
            Assert.AreEqual(0x08u + (uint)l, Fsc(FaultKind.AccessFlag, l));
            Assert.AreEqual(0x0Cu + (uint)l, Fsc(FaultKind.Permission, l));
            Assert.AreEqual(0x14u + (uint)l, Fsc(FaultKind.SyncExternalOnWalk, l));
        }
        Assert.AreEqual(0x21u, Fsc(FaultKind.Alignment, 0));
        Assert.IsFalse(default(TranslationFault).IsFault);
    }

    [TestMethod]
    public void AbortIssEncodings()
    {
        var write = new TranslationFault(FaultKind.Permission, 3, 1, false, 0, true);
        Assert.AreEqual(0x4Fu, write.DataAbortIss(false));
        Assert.AreEqual(0x14Fu, write.DataAbortIss(true));
        var read = new TranslationFault(FaultKind.Translation, 1, 1, false, 0, false);
        Assert.AreEqual(0x05u, read.DataAbortIss(false));
        Assert.AreEqual(0x145u, read.DataAbortIss(true), "cache maintenance reports WnR = 1 and CM");
        var ptw = new TranslationFault(FaultKind.Translation, 2, 2, true, 0x4100_2000, false);
        Assert.AreEqual(0x86u, ptw.DataAbortIss(false));
        Assert.AreEqual(0x86u, ptw.InstructionAbortIss);
        Assert.AreEqual(0x21u, new TranslationFault(FaultKind.Alignment, 0, 1, false, 0, false).InstructionAbortIss);
    }

    [TestMethod]
    public void HpfarHoldsIpaBits47To12InBits39To4()
    {
        var f = new TranslationFault(FaultKind.Translation, 2, 2, false, 0x0000_8765_4321_0FEDUL, true);
        Assert.AreEqual(0x8765_4321_0UL << 4, f.Hpfar);
        Assert.AreEqual(0UL, new TranslationFault(FaultKind.Translation, 2, 1, false, 0x1234_5000, true).Hpfar);
    }

    [TestMethod]
    public void ParOnSuccessReportsPaAttrShAndNs()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x2000, 0x12_3456_7000, 3, (1UL << 2) | (3UL << 8));
        tb.Map(0x3000, 0x0900_0000, 3, 0);
        var c = Controls.El1(12, 39, tb.Root);
        var r = AddressTranslator.Translate(in c, mem, 0x2ABC, AccessType.Read | AccessType.AtInstruction);
        Assert.AreEqual((0xFFUL << 56) | 0x12_3456_7000UL | (1UL << 11) | (1UL << 9) | (3UL << 7), ParEl1.Format(in r));
        var d = AddressTranslator.Translate(in c, mem, 0x3000, AccessType.Read | AccessType.AtInstruction);
        Assert.AreEqual(0x0900_0000UL | (1UL << 11) | (1UL << 9) | (2UL << 7), ParEl1.Format(in d)); // Device: ATTR 0, SH outer
    }

    [TestMethod]
    public void ParOnStage1FaultReportsFst()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x2000, 0x4000_0000, 3, 1UL << 7); // read-only
        var c = Controls.El1(12, 39, tb.Root);
        var r = AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Write | AccessType.AtInstruction);
        Assert.AreEqual(1UL | (0b001111UL << 1) | (1UL << 11), ParEl1.Format(in r));
    }

    [TestMethod]
    public void El3OutputIsSecureUnlessNsIsSet()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x2000, 0x4000_0000, 3, 1UL << 2);
        tb.Map(0x3000, 0x4000_1000, 3, (1UL << 2) | (1UL << 5));
        var c = Controls.El2(12, 39, tb.Root) with { Regime = TranslationRegime.EL3, El = 3 };
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Read).NonSecure);
        Assert.IsTrue(AddressTranslator.Translate(in c, mem, 0x3000, AccessType.Read).NonSecure);
        Assert.AreEqual(0UL, ParEl1.Format(AddressTranslator.Translate(in c, mem, 0x2000, AccessType.Read)) & (1UL << 9));
    }

    [TestMethod]
    public void PhysicalBusAdapterReadsDescriptorsAndReportsAborts()
    {
        using var bus = new ArmVirt.Core.PhysicalBus();
        var ram = bus.AddRam(0x4000_0000, 0x10000);
        var mem = new PhysicalBusMemory(bus);
        Assert.IsTrue(mem.TryWriteDescriptor(0x4000_0008, 0x1122_3344_5566_7788));
        Assert.IsTrue(mem.TryReadDescriptor(0x4000_0008, out ulong v));
        Assert.AreEqual(0x1122_3344_5566_7788UL, v);
        Assert.IsFalse(mem.TryReadDescriptor(0x1000, out _));
        unsafe { Assert.AreEqual((nint)(ram.Pointer + 0x1000), mem.HostAddress(0x4000_1000, 0x1000)); }
        Assert.AreEqual((nint)0, mem.HostAddress(0x4000_F000, 0x2000));
    }
}
