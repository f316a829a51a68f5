using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class Stage1FaultTests
{
    private static (TestMemory mem, TableBuilder tb) Tables(int g = 12, int inputSize = 39)
    {
        var mem = new TestMemory();
        return (mem, new TableBuilder(mem, g, inputSize, 0x8000_0000));
    }

    [TestMethod]
    public void AccessFlagZeroIsAccessFlagFaultAtTheLeafLevel()
    {
        foreach (int level in new[] { 1, 2, 3 })
        {
            var (mem, tb) = Tables();
            tb.Map(0x4000_0000, 0x4000_0000, level, 1UL << 2, noAf: true);
            var c = Controls.El1(12, 39, tb.Root);
            var r = AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Read);
            Assert.AreEqual(FaultKind.AccessFlag, r.Fault.Kind);
            Assert.AreEqual(level, r.Fault.Level);
            Assert.AreEqual(0b001000u | (uint)level, r.Fault.FaultStatusCode);
        }
    }

    [TestMethod]
    public void TtbrBaseBeyondIpsIsAddressSizeFaultLevel0()
    {
        var (mem, tb) = Tables();
        // IPS = 0b000 (32 bits): a table at 0x8000_0000 fits, one at 0x1_0000_0000 does not.
        var c = Controls.El1(12, 39, tb.Root, tcrExtra: 0) with { Tcr = Controls.El1(12, 39, 0).Tcr & ~(7UL << 32) };
        tb.Map(0x1000, 0x2000, 3);
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read).IsFault);
        c = c with { Ttbr0 = 0x1_0000_0000 };
        var r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.AddressSize, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
        Assert.AreEqual(0u, r.Fault.FaultStatusCode);
    }

    [TestMethod]
    public void NextTableAndOutputAddressBeyondIpsAreAddressSizeFaultsAtTheirLevel()
    {
        var (mem, tb) = Tables();
        var c = Controls.El1(12, 39, tb.Root) with { Tcr = Controls.El1(12, 39, 0).Tcr & ~(7UL << 32) | (2UL << 32) }; // 40 bits
        // Output address above 40 bits at level 3.
        tb.Map(0x1000, 0x100_0000_0000, 3);
        var r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.AddressSize, r.Fault.Kind);
        Assert.AreEqual(3, r.Fault.Level);
        Assert.AreEqual(3u, r.Fault.FaultStatusCode);
        // Next-level table address above 40 bits in the level 1 table descriptor.
        ulong da = tb.DescriptorAddress(0x1000, 1);
        mem[da] = 0x200_0000_0000UL | 3;
        r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.AddressSize, r.Fault.Kind);
        Assert.AreEqual(1, r.Fault.Level);
    }

    [TestMethod]
    public void IpsAbovePaRangeIsCappedAtPaRange()
    {
        var (mem, tb) = Tables();
        tb.Map(0x1000, 0x100_0000_0000, 3); // 41-bit output address
        var c = Controls.El1(12, 39, tb.Root) with { IdAa64Mmfr0 = 0x0010_0022 }; // PARange 40 bits, IPS 48
        Assert.AreEqual(FaultKind.AddressSize, AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read).Fault.Kind);
        c = c with { IdAa64Mmfr0 = 0x0010_0024 }; // 44 bits
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read).IsFault);
    }

    [TestMethod]
    public void TxSzOutOfRangeIsTranslationFaultLevel0()
    {
        var (mem, tb) = Tables();
        tb.Map(0x1000, 0x2000, 3);
        foreach (ulong tsz in new ulong[] { 15, 40, 63 })
        {
            var c = Controls.El1(12, 39, tb.Root);
            c = c with { Tcr = (c.Tcr & ~0x3FUL) | tsz };
            var r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
            Assert.AreEqual(FaultKind.Translation, r.Fault.Kind, $"T0SZ {tsz}");
            Assert.AreEqual(0, r.Fault.Level);
        }
    }

    [TestMethod]
    public void VaOutsideTheInputRangeAndEpdAreTranslationFaultsLevel0()
    {
        var (mem, tb) = Tables();
        tb.Map(0x1000, 0x2000, 3);
        var c = Controls.El1(12, 39, tb.Root);
        var r = AddressTranslator.Translate(in c, mem, (1UL << 39) | 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
        // TTBR1 range with EPD1 set (Controls.El1 sets it).
        r = AddressTranslator.Translate(in c, mem, 0xFFFF_FFFF_FFFF_F000, AccessType.Read);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
        // EPD0.
        c = c with { Tcr = c.Tcr | (1UL << 7) };
        r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
        // EL2: single range, high VAs are out of range.
        var c2 = Controls.El2(12, 39, tb.Root);
        Assert.IsFalse(AddressTranslator.Translate(in c2, mem, 0x1000, AccessType.Read).IsFault);
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in c2, mem, 0xFFFF_FF80_0000_1000, AccessType.Read).Fault.Kind);
    }

    [TestMethod]
    public void ExternalAbortOnWalkReportsTheLevel()
    {
        var (mem, tb) = Tables();
        tb.Map(0x1000, 0x2000, 3);
        var c = Controls.El1(12, 39, tb.Root);
        ulong l2 = tb.DescriptorAddress(0x1000, 2);
        mem.AbortBase = l2 & ~0xFFFUL;
        mem.AbortSize = 0x1000;
        var r = AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read);
        Assert.AreEqual(FaultKind.SyncExternalOnWalk, r.Fault.Kind);
        Assert.AreEqual(2, r.Fault.Level);
        Assert.AreEqual(0b010110u, r.Fault.FaultStatusCode);
        Assert.IsFalse(r.Fault.ReportableInPar);
    }

    [TestMethod]
    public void Ttbr1UpperRangeWithItsOwnGranuleAndAsid()
    {
        foreach (int g in new[] { 12, 14, 16 })
        {
            var mem = new TestMemory();
            var tb = new TableBuilder(mem, g, 39, 0x8000_0000);
            ulong va = 0xFFFF_FFC0_1234_5678UL; // inside a 39-bit upper range
            tb.Map(va, 0x4000_0000, 3, 1UL << 2);
            var c = new TranslationControl
            {
                Regime = TranslationRegime.EL10,
                El = 1,
                Sctlr = 1 | 4,
                // T0SZ 25 with EPD0, T1SZ 25, TG1, A1 = 1 (ASID from TTBR1), AS = 1, IPS 48.
                Tcr = 25UL | (1UL << 7) | (25UL << 16) | (1UL << 22) | ((ulong)Controls.Tg1(g) << 30) | (5UL << 32) | (1UL << 36),
                Ttbr1 = tb.Root | (0x1234UL << 48),
                Ttbr0 = 0x77UL << 48,
                Mair = 0xFF00,
                IdAa64Mmfr0 = Controls.Mmfr0All,
            };
            var r = AddressTranslator.Translate(in c, mem, va, AccessType.Read);
            Assert.IsFalse(r.IsFault, $"{g}: {r.Fault}");
            Assert.AreEqual(0x4000_0000UL | (va & ((1UL << g) - 1)), r.PhysicalAddress);
            Assert.AreEqual((ushort)0x1234, c.Asid);
            // Bits [63:39] not all ones: translation fault.
            Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in c, mem, va & ~(1UL << 50), AccessType.Read).Fault.Kind);
            // Lower range disabled by EPD0.
            Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read).Fault.Kind);
            // 8-bit ASIDs when TCR.AS = 0, and TTBR0's ASID when A1 = 0.
            Assert.AreEqual((ushort)0x34, (c with { Tcr = c.Tcr & ~(1UL << 36) }).Asid);
            Assert.AreEqual((ushort)0x77, (c with { Tcr = c.Tcr & ~(1UL << 22) }).Asid);
        }
    }

    [TestMethod]
    public void TopByteIgnoreSelectsRangeByBit55()
    {
        var (mem, tb) = Tables();
        tb.Map(0x40_0000, 0x4000_0000, 2, 1UL << 2);
        var c = Controls.El1(12, 39, tb.Root);
        ulong tagged = 0xAB00_0000_0040_0010UL;
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in c, mem, tagged, AccessType.Read).Fault.Kind);
        var tbi = c with { Tcr = c.Tcr | (1UL << 37) };
        var r = AddressTranslator.Translate(in tbi, mem, tagged, AccessType.Read);
        Assert.IsFalse(r.IsFault);
        Assert.AreEqual(0x4000_0010UL, r.PhysicalAddress);
        // TBI0 does not cover the TTBR1 half (bit 55 set), and TBID0 excludes instruction fetches.
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in tbi, mem, tagged | (1UL << 55), AccessType.Read).Fault.Kind);
        var tbid = tbi with { Tcr = tbi.Tcr | (1UL << 51) };
        Assert.IsFalse(AddressTranslator.Translate(in tbid, mem, tagged, AccessType.Read).IsFault);
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in tbid, mem, tagged, AccessType.Execute).Fault.Kind);
        // EL2 TCR.TBI is bit 20.
        var el2 = Controls.El2(12, 39, tb.Root, tcrExtra: 1UL << 20);
        Assert.AreEqual(0x4000_0010UL, AddressTranslator.Translate(in el2, mem, tagged, AccessType.Read).PhysicalAddress);
    }

    [TestMethod]
    public void UnsupportedGranuleFallsBackToAnImplementedOne()
    {
        // Cortex-A57 style: 16K not implemented. TG0 = 16K behaves as 4K.
        var (mem, tb) = Tables(12, 39);
        tb.Map(0x1000, 0x5000, 3);
        var c = Controls.El1(14, 39, tb.Root) with { IdAa64Mmfr0 = 0x1124 };
        Assert.AreEqual(0x5000UL, AddressTranslator.Translate(in c, mem, 0x1000, AccessType.Read).PhysicalAddress);
    }
}
