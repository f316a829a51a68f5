namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random VFP sequences (<see cref="VfpSequenceGenerator"/>) in A32 and T32, run on ArmVirt at AArch32 EL0 and on
/// qemu-arm and compared as <see cref="A32DifferentialTests"/> does, D0-D31 and FPSCR included: 800 sequences per class,
/// seven classes per instruction set (5,600 each), plus sequences mixing the VFP classes with the integer ones.
/// </summary>
[TestClass]
public sealed class VfpDifferentialTests
{
    private const ulong DefaultBaseSeed = 0xF9_D1FF_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 400;
    private const int MixedBatches = 2, MixedSequencesPerBatch = 500;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> A32ClassNames => VfpSequenceGenerator.A32Classes.Select(c => new object[] { c.Name });
    public static IEnumerable<object[]> T32ClassNames => VfpSequenceGenerator.T32Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(A32ClassNames))]
    public async Task A32VfpClassMatchesQemuArm(string className) =>
        await Run(className, VfpSequenceGenerator.A32Classes.Single(c => c.Name == className).Make);

    [TestMethod]
    [DynamicData(nameof(T32ClassNames))]
    public async Task T32VfpClassMatchesQemuArm(string className) =>
        await Run(className, VfpSequenceGenerator.T32Classes.Single(c => c.Name == className).Make);

    [TestMethod]
    public async Task VfpMixedWithIntegerMatchesQemuArm()
    {
        var all = VfpSequenceGenerator.A32Classes.Concat(VfpSequenceGenerator.T32Classes).Concat(A32SequenceGenerator.Classes)
            .Concat(T32SequenceGenerator.Classes).Select(c => c.Make).ToArray();
        await A32DifferentialTests.RunBatches(TestContext, "vfp-mixed", DifferentialTests.BaseSeed ^ DefaultBaseSeed, MixedBatches, MixedSequencesPerBatch, all, fill: false);
    }

    private async Task Run(string className, Func<Random, InstructionGroup> make)
    {
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv(className) << 16);
        await A32DifferentialTests.RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }
}
