using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

/// <summary>
/// The VMSAv8-32 stage 1 of an AArch32 EL1 (<see cref="Aarch32Stage1Walker"/>): short-descriptor sections,
/// supersections, large and small pages, TTBCR.N and PD0, domains, AP and the access flag, XN/PXN, TEX remap; the
/// long-descriptor format (TTBCR.EAE) with its TTBR0/TTBR1 split; and the AArch32 fault status codes.
/// </summary>
[TestClass]
public sealed class Aarch32Stage1Tests
{
    private const ulong L1 = 0x4010_0000; // 16 KiB-aligned level 1 table
    private const ulong L2 = 0x4020_0000; // a level 2 table (1 KiB)
    // SCTLR: M, C; DACR: domain 0 client, domain 1 manager, domain 2 no access.
    private const ulong Sctlr = 0x5;
    private const uint Dacr = 0b10_11_01;

    private static TranslationControl Short(ulong ttbcr = 0, ulong sctlr = Sctlr, ulong ttbr1 = 0, ulong mair = 0) => new()
    {
        Regime = TranslationRegime.EL10,
        El = 1,
        Aarch32 = true,
        Sctlr = sctlr,
        Tcr = ttbcr,
        Ttbr0 = L1,
        Ttbr1 = ttbr1,
        Mair = mair,
        Dacr = Dacr,
        IdAa64Mmfr0 = 0x1124,
    };

    private static void Word(TestMemory mem, ulong pa, uint value)
    {
        ulong d = mem[pa & ~7UL];
        mem[pa & ~7UL] = (pa & 4) != 0 ? (d & 0xFFFF_FFFFUL) | ((ulong)value << 32) : (d & ~0xFFFF_FFFFUL) | value;
    }

    // A section descriptor: base, AP[2:0], domain, TEX:C:B, XN, nG.
    private static uint Section(uint pa, uint ap, int domain = 0, uint tex = 0, bool c = true, bool b = true, bool xn = false, bool ng = false) =>
        (pa & 0xFFF0_0000) | 2 | (b ? 4u : 0) | (c ? 8u : 0) | (xn ? 0x10u : 0) | ((uint)domain << 5) | ((ap & 3) << 10)
        | (tex << 12) | ((ap >> 2) << 15) | (ng ? 1u << 17 : 0);

    [TestMethod]
    public void SectionTranslatesWithItsAttributesAndRights()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), Section(0x8000_0000, ap: 0b011, tex: 0b001, ng: true)); // VA 0x4000_0000, RW at PL0 and PL1, Normal WB WA
        var c = Short();
        var r = AddressTranslator.Translate(in c, mem, 0x4001_2345, AccessType.Read);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(0x8001_2345UL, r.PhysicalAddress);
        Assert.AreEqual(0xFF, r.Attributes.Attr);
        Assert.IsFalse(r.Global);
        Assert.IsTrue(r.Permissions.HasFlag(TlbPermissions.UserWrite | TlbPermissions.PrivExec | TlbPermissions.UserExec));
    }

    [TestMethod]
    public void SupersectionAndPagesTranslate()
    {
        var mem = new TestMemory();
        // Supersection at VA 0x5000_0000 (16 entries) to PA 0x3_4000_0000 (PA[35:32] in bits 23:20).
        uint super = 0x4000_0000u | (3u << 20) | (1u << 18) | 2 | (3u << 10) | 0xC;
        for (int i = 0; i < 16; i++) Word(mem, L1 + ((0x500u + (uint)i) << 2), super);
        // A page table for VA 0x6000_0000: small page 1 -> 0x9000_1000, large page at 0x6001_0000 -> 0xA000_0000.
        Word(mem, L1 + (0x600 << 2), (uint)L2 | 1);
        Word(mem, L2 + (1 << 2), 0x9000_1000u | 2 | (3u << 4) | 0xC);
        for (int i = 0; i < 16; i++) Word(mem, L2 + ((0x10u + (uint)i) << 2), 0xA000_0000u | 1 | (3u << 4) | 0xC);
        var c = Short();
        Assert.AreEqual(0x3_4012_3456UL, AddressTranslator.Translate(in c, mem, 0x5012_3456, AccessType.Read).PhysicalAddress);
        var small = AddressTranslator.Translate(in c, mem, 0x6000_1ABC, AccessType.Write);
        Assert.AreEqual(0x9000_1ABCUL, small.PhysicalAddress);
        Assert.AreEqual(12, small.Stage1PageShift);
        var large = AddressTranslator.Translate(in c, mem, 0x6001_F00C, AccessType.Read);
        Assert.AreEqual(0xA000_F00CUL, large.PhysicalAddress);
        Assert.AreEqual(16, large.Stage1PageShift);
    }

    [TestMethod]
    public void MissingDescriptorsAreTranslationFaultsOfTheirLevel()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x600 << 2), (uint)L2 | 1);
        var c = Short();
        var r1 = AddressTranslator.Translate(in c, mem, 0x7000_0000, AccessType.Read);
        Assert.AreEqual((FaultKind.Translation, 1, 0b000101u), (r1.Fault.Kind, r1.Fault.Level, r1.Fault.FaultStatusCode));
        var r2 = AddressTranslator.Translate(in c, mem, 0x6000_0000, AccessType.Read);
        Assert.AreEqual((FaultKind.Translation, 2), (r2.Fault.Kind, r2.Fault.Level));
    }

    [TestMethod]
    public void DomainsDecideBetweenChecksNoChecksAndDomainFaults()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), Section(0x8000_0000, ap: 0b101, domain: 0)); // PL1 read-only, client
        Word(mem, L1 + (0x401 << 2), Section(0x8010_0000, ap: 0b101, domain: 1)); // manager: no checks
        Word(mem, L1 + (0x402 << 2), Section(0x8020_0000, ap: 0b011, domain: 2)); // no access
        var c = Short();
        var client = AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Write);
        Assert.AreEqual((FaultKind.Permission, 1), (client.Fault.Kind, client.Fault.Level));
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x4010_0000, AccessType.Write).IsFault);
        var none = AddressTranslator.Translate(in c, mem, 0x4020_0000, AccessType.Read);
        Assert.AreEqual((FaultKind.Domain, 1, 0b111101u, 2), (none.Fault.Kind, none.Fault.Level, none.Fault.FaultStatusCode, none.Fault.Domain));
    }

    [TestMethod]
    public void AccessPermissionsAndTheAccessFlag()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), Section(0x8000_0000, ap: 0b001)); // PL1 RW only
        Word(mem, L1 + (0x401 << 2), Section(0x8010_0000, ap: 0b010)); // AFE = 1: AP[0] = 0 is the access flag clear
        var c = Short();
        var user = c with { El = 0 };
        Assert.AreEqual(FaultKind.Permission, AddressTranslator.Translate(in user, mem, 0x4000_0000, AccessType.Read).Fault.Kind);
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Write).IsFault);
        var afe = c with { Sctlr = Sctlr | (1UL << 29) };
        var af = AddressTranslator.Translate(in afe, mem, 0x4010_0000, AccessType.Read);
        Assert.AreEqual((FaultKind.AccessFlag, 1, 0b001001u), (af.Fault.Kind, af.Fault.Level, af.Fault.FaultStatusCode));
    }

    [TestMethod]
    public void XnAndPxnForbidExecution()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), Section(0x8000_0000, ap: 0b011, xn: true));
        Word(mem, L1 + (0x401 << 2), Section(0x8010_0000, ap: 0b011) | 1); // bits [1:0] = 11: PXN
        var c = Short();
        Assert.AreEqual(FaultKind.Permission, AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Execute).Fault.Kind);
        Assert.AreEqual(FaultKind.Permission, AddressTranslator.Translate(in c, mem, 0x4010_0000, AccessType.Execute).Fault.Kind);
        var user = c with { El = 0 };
        Assert.IsFalse(AddressTranslator.Translate(in user, mem, 0x4010_0000, AccessType.Execute).IsFault);
    }

    [TestMethod]
    public void TtbcrNSplitsTheAddressSpaceAndPd0DisablesWalks()
    {
        var mem = new TestMemory();
        const ulong l1High = 0x4030_0000;
        Word(mem, l1High + (0x800 << 2), Section(0x9000_0000, ap: 0b011)); // TTBR1 maps VA 0x8000_0000
        Word(mem, L1 + (0x001 << 2), Section(0x8000_0000, ap: 0b011));     // TTBR0 (N = 1: 8 KiB table) maps VA 0x0010_0000
        var c = Short(ttbcr: 1, ttbr1: l1High);
        Assert.AreEqual(0x9000_0010UL, AddressTranslator.Translate(in c, mem, 0x8000_0010, AccessType.Read).PhysicalAddress);
        Assert.AreEqual(0x8000_0020UL, AddressTranslator.Translate(in c, mem, 0x0010_0020, AccessType.Read).PhysicalAddress);
        var pd0 = c with { Tcr = 1 | (1 << 4) };
        Assert.AreEqual((FaultKind.Translation, 1), (AddressTranslator.Translate(in pd0, mem, 0x0010_0020, AccessType.Read).Fault.Kind,
            AddressTranslator.Translate(in pd0, mem, 0x0010_0020, AccessType.Read).Fault.Level));
    }

    [TestMethod]
    public void TexRemapTakesTheAttributesFromPrrrAndNmrr()
    {
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), Section(0x8000_0000, ap: 0b011, tex: 0, c: false, b: true)); // index 1
        // PRRR: TR1 = 10 (Normal); NMRR: IR1 = 01 (WB WA), OR1 = 10 (WT).
        ulong prrr = 0b10UL << 2, nmrr = (0b01UL << 2) | (0b10UL << 18);
        var c = Short(sctlr: Sctlr | (1UL << 28), mair: prrr | (nmrr << 32));
        Assert.AreEqual(0xAF, AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Read).Attributes.Attr);
        var noRemap = Short();
        Assert.IsTrue(AddressTranslator.Translate(in noRemap, mem, 0x4000_0000, AccessType.Read).Attributes.IsDevice, "TEX 000 C 0 B 1: Device");
    }

    [TestMethod]
    public void LongDescriptorsSplitByT0szAndT1sz()
    {
        var mem = new TestMemory();
        var tb0 = new TableBuilder(mem, 12, 31, 0x4040_0000);  // T0SZ = 1: VA [0, 2 GiB), starts at level 1
        tb0.Map(0x0020_0000, 0x8020_0000, 2, 1UL << 2);
        var tb1 = new TableBuilder(mem, 12, 30, 0x4050_0000);  // T1SZ = 2: VA [3 GiB, 4 GiB), starts at level 2
        tb1.Map(0xC000_1000, 0x9000_1000, 3, 1UL << 2);
        var c = Short(ttbcr: (1UL << 31) | 1 | (2UL << 16), ttbr1: tb1.Root, mair: 0xFF00) with { Ttbr0 = tb0.Root };
        Assert.AreEqual(0x8020_0010UL, AddressTranslator.Translate(in c, mem, 0x0020_0010, AccessType.Read).PhysicalAddress);
        Assert.AreEqual(0x9000_1004UL, AddressTranslator.Translate(in c, mem, 0xC000_1004, AccessType.Read).PhysicalAddress);
        var hole = AddressTranslator.Translate(in c, mem, 0x8000_0000, AccessType.Read);
        Assert.AreEqual((FaultKind.Translation, 1), (hole.Fault.Kind, hole.Fault.Level), "between the two ranges");
        var epd1 = c with { Tcr = c.Tcr | (1UL << 23) };
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in epd1, mem, 0xC000_1004, AccessType.Read).Fault.Kind);
    }

    [TestMethod]
    public void AFourEntryLongDescriptorLevel1TableIs32ByteAligned()
    {
        // T0SZ = 0: a 32-bit input starting at level 1, a table of four descriptors whose TTBR0 alignment is 32 bytes
        // (x = 5 - T0SZ), as Linux's LPAE pgd from kmalloc-32 is: the walk must not round it down to 64 bytes.
        var mem = new TestMemory();
        const ulong root = 0x4060_0020;
        mem[root + 8] = 0x8000_0000UL | (1UL << 10) | (1UL << 6) | (1UL << 2) | 1; // VA [1 GiB, 2 GiB): a block, AF
        mem[(root & ~0x3FUL) + 8] = 0; // what a 64-byte rounding would read
        var c = Short(ttbcr: 1UL << 31, mair: 0xFF00) with { Ttbr0 = root };
        var r = AddressTranslator.Translate(in c, mem, 0x4000_1234, AccessType.Read);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(0x8000_1234UL, r.PhysicalAddress);
    }

    [TestMethod]
    public void AnAarch32El2sStage2AndHypStage1Tables32ByteAligned()
    {
        // VTTBR and HTTBR of Hyp mode (TranslationControl.El2Aarch32): VTCR_EL2/TCR_EL2 as the CP15 views write them
        // (T0SZ 32, 4 KiB, 40-bit PS; VTCR.SL0 = 1) over a four-entry level 1 table at a 32-byte aligned address.
        var mem = new TestMemory();
        const ulong root = 0x4060_0020;
        mem[root + 8] = 0x4000_0000UL | (1UL << 10) | (3UL << 6) | (0xFUL << 2) | 1;
        var s2 = new TranslationControl
        {
            Regime = TranslationRegime.EL10, El = 1, Aarch32 = true, El2Aarch32 = true, El2Enabled = true, Hcr = 1,
            Vtcr = 0x8000_0000 | 32 | (1UL << 6) | (2UL << 16), Vttbr = root, IdAa64Mmfr0 = 0x0F00_0002,
        };
        var r = AddressTranslator.Translate(in s2, mem, 0x4000_1234, AccessType.Read);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(0x4000_1234UL, r.PhysicalAddress);
        var aarch64 = s2 with { El2Aarch32 = false };
        Assert.IsTrue(AddressTranslator.Translate(in aarch64, mem, 0x4000_1234, AccessType.Read).IsFault, "VMSAv8-64 rounds the base to 64 bytes");

        mem[root + 8] = 0x4000_0000UL | (1UL << 10) | (1UL << 6) | (1UL << 2) | 1;
        var hyp = new TranslationControl
        {
            Regime = TranslationRegime.EL2, El = 2, El2Aarch32 = true, El2Enabled = true, Sctlr = 1,
            Tcr = 0x8080_0000 | 32 | (2UL << 16), Ttbr0 = root, Mair = 0xFF00, IdAa64Mmfr0 = 0x0F00_0002,
        };
        var h = AddressTranslator.Translate(in hyp, mem, 0x4000_1234, AccessType.Read);
        Assert.IsFalse(h.IsFault, h.Fault.ToString());
        Assert.AreEqual(0x4000_1234UL, h.PhysicalAddress);
    }

    [TestMethod]
    public void SctlrEeMakesTheWalkBigEndian()
    {
        // SCTLR.EE: the descriptor's bytes are in big-endian order (the same section as above, byte-reversed in memory).
        var mem = new TestMemory();
        Word(mem, L1 + (0x400 << 2), System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(Section(0x8000_0000, ap: 0b011)));
        var c = Short(sctlr: Sctlr | (1UL << 25));
        var r = AddressTranslator.Translate(in c, mem, 0x4001_2345, AccessType.Read);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(0x8001_2345UL, r.PhysicalAddress);
        var little = Short();
        Assert.IsTrue(AddressTranslator.Translate(in little, mem, 0x4001_2345, AccessType.Read).IsFault, "read little-endian it is no section");
    }
}
