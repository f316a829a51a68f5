namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random T32 code (<see cref="T32SequenceGenerator"/>), entered from A32 by BLX and left by BX PC inside the A32 batch
/// harness, run on ArmVirt at AArch32 EL0 and on qemu-arm, compared as <see cref="A32DifferentialTests"/> does.
/// </summary>
[TestClass]
public sealed class T32DifferentialTests
{
    private const ulong DefaultBaseSeed = 0x732_D1FF_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 500;
    private const int MixedBatches = 4, MixedSequencesPerBatch = 500;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> ClassNames => T32SequenceGenerator.Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(ClassNames))]
    public async Task T32InstructionClassMatchesQemuArm(string className)
    {
        var make = T32SequenceGenerator.Classes.Single(c => c.Name == className).Make;
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv(className) << 16);
        await A32DifferentialTests.RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }

    /// <summary>The doubleword exclusives (LDREXD/STREXD, LDAEXD/STLEXD with independent Rt and Rt2): 10,000 sequences.</summary>
    [TestMethod]
    public async Task T32DoublewordExclusivesMatchQemuArm()
    {
        var make = T32SequenceGenerator.Classes.Single(c => c.Name == "t-exclusive-dual").Make;
        await A32DifferentialTests.RunBatches(TestContext, "t-exclusive-dual-10000", DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ 0xD0AB1E, 10, 1000, [make], fill: true);
    }

    [TestMethod]
    public async Task T32MixedWithA32MatchesQemuArm()
    {
        var all = T32SequenceGenerator.Classes.Select(c => c.Make).Concat(A32SequenceGenerator.Classes.Select(c => c.Make)).ToArray();
        await A32DifferentialTests.RunBatches(TestContext, "t32-a32-mixed", DifferentialTests.BaseSeed ^ DefaultBaseSeed, MixedBatches, MixedSequencesPerBatch, all, fill: false);
    }
}
