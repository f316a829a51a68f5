namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random Advanced SIMD sequences (<see cref="NeonSequenceGenerator"/>) in A32 and T32, run on ArmVirt at AArch32 EL0 and on
/// qemu-arm, compared as <see cref="A32DifferentialTests"/> does (D0-D31, FPSCR with QC and the cumulative flags):
/// 600 sequences per class, nine classes per instruction set (5,400 each).
/// </summary>
[TestClass]
public sealed class NeonDifferentialTests
{
    private const ulong DefaultBaseSeed = 0x5E0_D1FF_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 300;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> A32ClassNames => NeonSequenceGenerator.A32Classes.Select(c => new object[] { c.Name });
    public static IEnumerable<object[]> T32ClassNames => NeonSequenceGenerator.T32Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(A32ClassNames))]
    public async Task A32NeonClassMatchesQemuArm(string className) =>
        await Run(className, NeonSequenceGenerator.A32Classes.Single(c => c.Name == className).Make);

    [TestMethod]
    [DynamicData(nameof(T32ClassNames))]
    public async Task T32NeonClassMatchesQemuArm(string className) =>
        await Run(className, NeonSequenceGenerator.T32Classes.Single(c => c.Name == className).Make);

    /// <summary>FEAT_RDM (VQRDMLAH/VQRDMLSH, vector and by scalar), A32 and T32: 10,000 sequences.</summary>
    [TestMethod]
    public async Task RoundingDoublingMultiplyAccumulateMatchesQemuArm()
    {
        var make = new[] { NeonSequenceGenerator.A32Classes, NeonSequenceGenerator.T32Classes }
            .Select(c => c.Single(k => k.Name.EndsWith("neon-rdm", StringComparison.Ordinal)).Make).ToArray();
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv("rdm-10000") << 16);
        await A32DifferentialTests.RunBatches(TestContext, "rdm", seed, 10, 1000, make, fill: true);
    }

    private async Task Run(string className, Func<Random, InstructionGroup> make)
    {
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv(className) << 16);
        await A32DifferentialTests.RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }
}
