using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class Stage2Tests
{
    private const ulong TableArea = 0x8000_0000;   // stage 1 tables: IPA == PA (identity 1 GiB block)
    private const ulong RamIpa = 0x4000_0000;
    private const ulong RamPa = 0x1_4000_0000;

    /// <summary>Stage 2: 4K granule, 40-bit IPA, SL0 = 1 (level 1 start, two concatenated tables).</summary>
    private sealed class Setup
    {
        public readonly TestMemory Mem = new();
        public readonly TableBuilder S1;
        public readonly TableBuilder S2;
        public TranslationControl Control;

        public Setup(bool stage1 = true)
        {
            S2 = new TableBuilder(Mem, 12, 40, 0xC000_0000, startLevel: 1);
            S2.Map(TableArea, TableArea, 1, Controls.S2NormalRw);
            S2.Map(RamIpa, RamPa, 2, Controls.S2NormalRw);       // 2 MiB block
            S1 = new TableBuilder(Mem, 12, 39, TableArea);
            S1.Map(0x1000, RamIpa + 0x5000, 3, (1UL << 2) | (3UL << 8) | (1UL << 6));
            Control = Controls.El1(12, 39, S1.Root) with
            {
                Sctlr = stage1 ? 1UL | 4 | (1 << 12) : 0,
                El2Enabled = true,
                Hcr = 1, // VM
                Vtcr = Controls.Vtcr(12, 40, 1),
                Vttbr = S2.Root | (7UL << 48),
            };
        }

        public TranslationResult T(ulong va, AccessType a = AccessType.Read, bool unaligned = false)
            => AddressTranslator.Translate(in Control, Mem, va, a, unaligned);
    }

    [TestMethod]
    public void TwoStagesTranslateAndCombine()
    {
        var s = new Setup();
        var r = s.T(0x1234);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(RamIpa + 0x5234, r.Ipa);
        Assert.AreEqual(RamPa + 0x5234, r.PhysicalAddress);
        Assert.AreEqual(12, r.Stage1PageShift);
        Assert.AreEqual(21, r.Stage2PageShift);
        Assert.AreEqual((byte)0xFF, r.Attributes.Attr);
        Assert.AreEqual((ushort)7, s.Control.Vmid);
        // Stage-1-only (AT S1E1R) stops at the IPA.
        var ipa = AddressTranslator.Translate(in s.Control, s.Mem, 0x1234, AccessType.Read, stage1Only: true);
        Assert.AreEqual(RamIpa + 0x5234, ipa.PhysicalAddress);
    }

    [TestMethod]
    public void SecondConcatenatedTableIsUsed()
    {
        var s = new Setup(stage1: false);
        ulong ipa = (1UL << 39) | 0x4000_0000; // index 512 of the 1024-entry concatenated level 1 table
        s.S2.Map(ipa, 0x2_0000_0000, 1, Controls.S2NormalRw);
        var r = s.T(ipa + 0x10);
        Assert.IsFalse(r.IsFault, r.Fault.ToString());
        Assert.AreEqual(0x2_0000_0010UL, r.PhysicalAddress);
        // Beyond the 40-bit IPA space: stage 2 translation fault, level 0.
        var f = s.T(1UL << 40);
        Assert.AreEqual(FaultKind.Translation, f.Fault.Kind);
        Assert.AreEqual(2, f.Fault.Stage);
        Assert.AreEqual(0, f.Fault.Level);
    }

    public static IEnumerable<object[]> Stage2Geometries =>
    [
        [12, 30, 0], [12, 34, 0], [12, 31, 1], [12, 43, 1], [12, 44, 2], [12, 48, 2],
        [14, 25, 0], [14, 29, 0], [14, 36, 1], [14, 40, 1], [14, 42, 2], [14, 48, 2],
        [16, 25, 0], [16, 33, 0], [16, 30, 1], [16, 46, 1], [16, 44, 2], [16, 48, 2],
    ];

    [TestMethod]
    [DynamicData(nameof(Stage2Geometries))]
    public void EveryGranuleStartLevelAndConcatenation(int g, int inputSize, int sl0)
    {
        int start = g == 12 ? 2 - sl0 : 3 - sl0;
        var mem = new TestMemory();
        var s2 = new TableBuilder(mem, g, inputSize, 0x1_0000_0000, startLevel: start);
        ulong ipa = ((1UL << (inputSize - 1)) | 0x3000UL << (g - 12)) + 0x18;
        s2.Map(ipa, 0x5_0000_0000, 3, Controls.S2NormalRw);
        ulong blockIpa = 1UL << (inputSize - 2); // level 2 region distinct from ipa's (bit inputSize-1 clear)
        bool block = start <= 2;
        if (block) s2.Map(blockIpa, 0x6_0000_0000, 2, Controls.S2NormalRw);
        var c = new TranslationControl
        {
            Regime = TranslationRegime.EL10, El = 1, El2Enabled = true, Hcr = 1,
            Vtcr = Controls.Vtcr(g, inputSize, (uint)sl0), Vttbr = s2.Root, IdAa64Mmfr0 = Controls.Mmfr0All,
        };
        var r = AddressTranslator.Translate(in c, mem, ipa, AccessType.Read);
        string what = $"granule {1 << g} IPA {inputSize} SL0 {sl0}";
        Assert.IsFalse(r.IsFault, $"{what}: {r.Fault}");
        Assert.AreEqual(0x5_0000_0000UL | (ipa & ((1UL << g) - 1)), r.PhysicalAddress, what);
        Assert.AreEqual(g, r.Stage2PageShift, what);
        if (block)
        {
            int shift = g + 2 * (g - 3) - (g - 3); // level 2
            var b = AddressTranslator.Translate(in c, mem, blockIpa + 0x88, AccessType.Read);
            Assert.IsFalse(b.IsFault, $"{what} block: {b.Fault}");
            Assert.AreEqual(0x6_0000_0000UL + ((blockIpa + 0x88) & ((1UL << shift) - 1)), b.PhysicalAddress, what);
        }
    }

    [TestMethod]
    [DataRow(12, 48, 0u)] // too many bits for a level 2 start
    [DataRow(12, 25, 2u)] // too few bits for a level 0 start
    [DataRow(12, 40, 3u)] // reserved SL0
    [DataRow(16, 48, 3u)]
    [DataRow(14, 30, 2u)]
    [DataRow(12, 40, 2u)] // level 0 start with only 40 IPA bits
    public void InconsistentVtcrIsStage2TranslationFaultLevel0(int g, int inputSize, uint sl0)
    {
        var s = new Setup(stage1: false);
        s.Control = s.Control with { Vtcr = Controls.Vtcr(g, inputSize, sl0) };
        var r = s.T(RamIpa);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(2, r.Fault.Stage);
        Assert.AreEqual(0, r.Fault.Level);
    }

    [TestMethod]
    public void IpaSizeAboveVtcrPsFaults()
    {
        var s = new Setup(stage1: false);
        Assert.IsFalse(s.T(RamIpa).IsFault);
        s.Control = s.Control with { Vtcr = Controls.Vtcr(12, 40, 1, ps: 1) }; // 40-bit IPA, 36-bit PS
        var r = s.T(RamIpa);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(0, r.Fault.Level);
    }

    [TestMethod]
    public void Level0StartNeedsA44BitPaRange()
    {
        var mem = new TestMemory();
        var s2 = new TableBuilder(mem, 12, 44, 0x1_0000_0000, startLevel: 0);
        s2.Map(0x4000_0000, 0x4000_0000, 1, Controls.S2NormalRw);
        var c = new TranslationControl
        {
            Regime = TranslationRegime.EL10, El = 1, El2Enabled = true, Hcr = 1,
            Vtcr = Controls.Vtcr(12, 44, 2, ps: 4), Vttbr = s2.Root, IdAa64Mmfr0 = 0x1124,
        };
        Assert.IsFalse(AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Read).IsFault);
        c = c with { IdAa64Mmfr0 = 0x1122, Vtcr = Controls.Vtcr(12, 40, 2, ps: 2) };
        Assert.AreEqual(FaultKind.Translation, AddressTranslator.Translate(in c, mem, 0x4000_0000, AccessType.Read).Fault.Kind);
    }

    [TestMethod]
    public void Stage2PermissionAccessFlagAndAddressSizeFaults()
    {
        var s = new Setup();
        // Read-only 4K page at stage 2 for the page stage 1 maps.
        s.S2.Map(RamIpa + 0x5000, RamPa + 0x5000, 3, (0xFUL << 2) | (1UL << 6));
        var w = s.T(0x1010, AccessType.Write);
        Assert.AreEqual(FaultKind.Permission, w.Fault.Kind);
        Assert.AreEqual(2, w.Fault.Stage);
        Assert.AreEqual(3, w.Fault.Level);
        Assert.IsFalse(w.Fault.S1Ptw);
        Assert.IsTrue(w.Fault.IsWrite);
        Assert.AreEqual(RamIpa + 0x5010, w.Fault.Ipa);
        Assert.AreEqual(((RamIpa + 0x5000) >> 12) << 4, w.Fault.Hpfar);
        Assert.IsFalse(s.T(0x1010, AccessType.Read).IsFault);
        // XN at stage 2.
        s.S2.Map(RamIpa + 0x5000, RamPa + 0x5000, 3, Controls.S2NormalRw | (1UL << 54));
        Assert.AreEqual(FaultKind.Permission, s.T(0x1010, AccessType.Execute).Fault.Kind);
        Assert.IsFalse(s.T(0x1010, AccessType.Write).IsFault);
        // Access flag.
        s.S2.Map(RamIpa + 0x5000, RamPa + 0x5000, 3, Controls.S2NormalRw, noAf: true);
        var af = s.T(0x1010);
        Assert.AreEqual(FaultKind.AccessFlag, af.Fault.Kind);
        Assert.AreEqual(2, af.Fault.Stage);
        Assert.AreEqual(0b001011u, af.Fault.FaultStatusCode);
        // Output beyond VTCR.PS (40 bits).
        s.Control = s.Control with { Vtcr = Controls.Vtcr(12, 40, 1, ps: 2) };
        s.S2.Map(RamIpa + 0x5000, 0x100_0000_0000, 3, Controls.S2NormalRw);
        var sz = s.T(0x1010);
        Assert.AreEqual(FaultKind.AddressSize, sz.Fault.Kind);
        Assert.AreEqual(2, sz.Fault.Stage);
        Assert.AreEqual(3, sz.Fault.Level);
        // VTTBR beyond PS.
        s.Control = s.Control with { Vttbr = 0x100_0000_0000 };
        var vt = s.T(0x1010);
        Assert.AreEqual(FaultKind.AddressSize, vt.Fault.Kind);
        Assert.AreEqual(0, vt.Fault.Level);
        Assert.IsTrue(vt.Fault.S1Ptw, "the first stage 1 descriptor read goes through stage 2");
    }

    [TestMethod]
    public void Stage1WalkFaultingAtStage2SetsS1Ptw()
    {
        var s = new Setup();
        // Move the stage 1 level 2 table to an IPA stage 2 does not map.
        ulong l1 = s.S1.DescriptorAddress(0x1000, 1);
        ulong unmappedIpa = 0x20_0000_0000;
        s.Mem[l1] = unmappedIpa | 3;
        var r = s.T(0x1000, AccessType.Write);
        Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
        Assert.AreEqual(2, r.Fault.Stage);
        Assert.IsTrue(r.Fault.S1Ptw);
        Assert.IsFalse(r.Fault.IsWrite);
        Assert.AreEqual(1, r.Fault.Level); // the stage 2 level-1 entry for that IPA is empty
        Assert.AreEqual(unmappedIpa + 8 * ((0x1000UL >> 21) & 511), r.Fault.Ipa);
        // PAR_EL1: F, FST = translation level 1, PTW, S, RES1 bit 11.
        Assert.AreEqual(1UL | (0b000101UL << 1) | (1UL << 8) | (1UL << 9) | (1UL << 11), ParEl1.Format(in r));
    }

    [TestMethod]
    public void Stage1WalkNeedsStage2ReadAndHcrPtwForbidsDevice()
    {
        var s = new Setup();
        // Stage 2 maps the table area without read permission.
        s.S2.Map(TableArea, TableArea, 1, (0xFUL << 2) | (1UL << 7));
        var r = s.T(0x1000);
        Assert.AreEqual(FaultKind.Permission, r.Fault.Kind);
        Assert.IsTrue(r.Fault.S1Ptw);
        Assert.AreEqual(2, r.Fault.Stage);
        Assert.AreEqual(1, r.Fault.Level);
        // Device at stage 2 for the tables: allowed unless HCR_EL2.PTW.
        s.S2.Map(TableArea, TableArea, 1, (0b0001UL << 2) | (3UL << 6));
        Assert.IsFalse(s.T(0x1000).IsFault);
        s.Control = s.Control with { Hcr = 1 | (1UL << 2) };
        var p = s.T(0x1000);
        Assert.AreEqual(FaultKind.Permission, p.Fault.Kind);
        Assert.IsTrue(p.Fault.S1Ptw);
    }

    [TestMethod]
    public void UnalignedAccessToStage2DeviceIsStage2AlignmentFault()
    {
        var s = new Setup();
        s.S2.Map(RamIpa + 0x5000, RamPa + 0x5000, 3, (0b0000UL << 2) | (3UL << 6));
        var r = s.T(0x1001, AccessType.Read, unaligned: true);
        Assert.AreEqual(FaultKind.Alignment, r.Fault.Kind);
        Assert.AreEqual(2, r.Fault.Stage);
        var ok = s.T(0x1000);
        Assert.IsTrue(ok.Attributes.IsDevice);
    }

    [TestMethod]
    public void ExternalAbortOnStage2WalkIsAStage2Fault()
    {
        var s = new Setup();
        // The stage 2 level 2 table for the RAM IPA does not answer: the final access's walk aborts at level 2.
        ulong l2 = s.S2.DescriptorAddress(RamIpa, 2);
        s.Mem.AbortBase = l2 & ~0xFFFUL;
        s.Mem.AbortSize = 0x1000;
        var r = s.T(0x1000);
        Assert.AreEqual(FaultKind.SyncExternalOnWalk, r.Fault.Kind);
        Assert.AreEqual(2, r.Fault.Stage);
        Assert.AreEqual(2, r.Fault.Level);
        Assert.IsFalse(r.Fault.S1Ptw);
        Assert.AreEqual(0b010110u, r.Fault.FaultStatusCode);
    }

    [TestMethod]
    public void Stage2DisabledWhenEl2NotEnabled()
    {
        var s = new Setup();
        s.Control = s.Control with { El2Enabled = false };
        Assert.IsFalse(s.Control.Stage2Enabled);
        Assert.AreEqual((ushort)0, s.Control.Vmid);
        var r = s.T(0x1000);
        Assert.AreEqual(RamIpa + 0x5000, r.PhysicalAddress);
        Assert.IsFalse(r.HasStage2);
    }
}
