using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
public sealed class Stage1GeometryTests
{
    // (granule bits, input size) pairs covering every start level each granule can have with TxSZ 16..39.
    public static IEnumerable<object[]> Geometries =>
    [
        [12, 48], [12, 40], [12, 39], [12, 31], [12, 30], [12, 25],
        [14, 48], [14, 47], [14, 37], [14, 36], [14, 26], [14, 25],
        [16, 48], [16, 43], [16, 42], [16, 30], [16, 29], [16, 25],
    ];

    private static bool LeafAllowed(int g, int level) => level == 3 || (g == 12 ? level is 1 or 2 : level == 2);

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void EveryStartLevelAndLeafLevelTranslates(int g, int inputSize)
    {
        int stride = g - 3;
        int start = 4 - (inputSize - g + stride - 1) / stride;
        int checkedLeaves = 0;
        for (int leaf = start; leaf <= 3; leaf++)
        {
            if (!LeafAllowed(g, leaf)) continue;
            foreach (var regime in new[] { TranslationRegime.EL10, TranslationRegime.EL2 })
            {
                var mem = new TestMemory();
                var tb = new TableBuilder(mem, g, inputSize, 0x8000_0000);
                int shift = tb.Shift(leaf);
                // A VA using the top index bit of the input range, and an OA block different from the VA.
                ulong va = ((1UL << (inputSize - 1)) | (3UL << shift)) & ((1UL << inputSize) - 1);
                va |= ((1UL << shift) - 1) & 0x5A5A_5A5A_5A5A_5A50UL;
                ulong oaBase = (0x40_0000_0000UL + (5UL << shift)) & ~((1UL << shift) - 1);
                tb.Map(va, oaBase, leaf, 1UL << 2 /* AttrIndx 1: Normal WB */ | (3UL << 8));
                var c = regime == TranslationRegime.EL10 ? Controls.El1(g, inputSize, tb.Root) : Controls.El2(g, inputSize, tb.Root);
                var r = AddressTranslator.Translate(in c, mem, va, AccessType.Read);
                string what = $"granule {1 << g} input {inputSize} start {start} leaf {leaf} {regime}";
                Assert.IsFalse(r.IsFault, $"{what}: {r.Fault}");
                Assert.AreEqual(oaBase | (va & ((1UL << shift) - 1)), r.PhysicalAddress, what);
                Assert.AreEqual(shift, r.Stage1PageShift, what);
                Assert.AreEqual((byte)0xFF, r.Attributes.Attr, what);
                Assert.AreEqual(Shareability.Inner, r.Attributes.Sh, what);
                checkedLeaves++;
            }
        }
        Assert.IsTrue(checkedLeaves >= 2);
    }

    [TestMethod]
    [DynamicData(nameof(Geometries))]
    public void InvalidDescriptorAtEveryLevelFaultsAtThatLevel(int g, int inputSize)
    {
        int stride = g - 3;
        int start = 4 - (inputSize - g + stride - 1) / stride;
        for (int level = start; level <= 3; level++)
        {
            var mem = new TestMemory();
            var tb = new TableBuilder(mem, g, inputSize, 0x8000_0000);
            ulong va = 0x1000UL << (g - 12);
            ulong da = tb.DescriptorAddress(va, level); // tables above exist, this descriptor is 0
            Assert.AreEqual(0UL, mem[da]);
            var c = Controls.El1(g, inputSize, tb.Root);
            var r = AddressTranslator.Translate(in c, mem, va, AccessType.Write);
            Assert.AreEqual(FaultKind.Translation, r.Fault.Kind);
            Assert.AreEqual(level, r.Fault.Level);
            Assert.AreEqual(1, r.Fault.Stage);
            Assert.IsTrue(r.Fault.IsWrite);
            Assert.AreEqual(0b000100u | (uint)level, r.Fault.FaultStatusCode);
        }
    }

    [TestMethod]
    public void BlocksWhereTheGranuleForbidsThemAreTranslationFaults()
    {
        // 4K level 0 block, 16K level 1 block, 64K level 1 block, level 3 '01'.
        foreach (var (g, inputSize, level) in new[] { (12, 48, 0), (14, 47, 1), (16, 48, 1), (12, 39, 3), (16, 42, 3) })
        {
            var mem = new TestMemory();
            var tb = new TableBuilder(mem, g, inputSize, 0x8000_0000);
            ulong da = tb.DescriptorAddress(0, level);
            mem[da] = 0x4000_0000UL | (1UL << 10) | 1; // '01' block encoding
            var c = Controls.El1(g, inputSize, tb.Root);
            var r = AddressTranslator.Translate(in c, mem, 0, AccessType.Read);
            Assert.AreEqual(FaultKind.Translation, r.Fault.Kind, $"{g} L{level}");
            Assert.AreEqual(level, r.Fault.Level);
        }
    }

    [TestMethod]
    public void ContiguousHintIsAccepted()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        for (ulong i = 0; i < 16; i++) tb.Map(0x10000 + i * 0x1000, 0x4001_0000 + i * 0x1000, 3, (1UL << 52) | (1UL << 2));
        var c = Controls.El1(12, 39, tb.Root);
        var r = AddressTranslator.Translate(in c, mem, 0x1A008, AccessType.Read);
        Assert.AreEqual(0x4001_A008UL, r.PhysicalAddress);
    }

    [TestMethod]
    public void ConcatenationFreeTtbrLowBitsAreIgnored()
    {
        // TTBR0 holds CnP (bit 0) and ASID; BADDR bits below the table alignment are RES0 and ignored.
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x4000_0000, 0x4000_0000, 1, 1UL << 2);
        var c = Controls.El1(12, 39, tb.Root | 1 | 0x10 | (0x42UL << 48));
        var r = AddressTranslator.Translate(in c, mem, 0x4000_1234, AccessType.Read);
        Assert.AreEqual(0x4000_1234UL, r.PhysicalAddress);
    }
}
