namespace ArmVirt.Differential.Tests;

/// <summary>
/// Big-endian data (PSTATE.E) against qemu-arm: the load/store classes of the A32, T32, VFP and Advanced SIMD generators
/// with each group run between SETEND BE and SETEND LE (A32 words, so a T32 group's BLX/BX PC wrapper sits inside): every
/// size of load and store, LDM/STM, LDRD/STRD, the exclusives (doubleword ones included: their word order is the Arm ARM's
/// per-register one), literal loads, VLDR/VSTR and VLDM/VSTM of S and D registers (D = word1:word2 when big-endian) and
/// VLDn/VSTn (each element big-endian). Registers and the scratch memory are compared as in <see cref="A32DifferentialTests"/>.
/// </summary>
[TestClass]
public sealed class EndiannessDifferentialTests
{
    private const ulong DefaultBaseSeed = 0xBE_E0D1_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 500;
    private const uint SetendBe = 0xF101_0200, SetendLe = 0xF101_0000;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>The wrapped classes: each a load/store class of one of the generators.</summary>
    private static readonly (string Name, Func<Random, InstructionGroup> Make)[] Classes =
    [
        Wrapped(A32SequenceGenerator.Classes, "ldst-imm"),
        Wrapped(A32SequenceGenerator.Classes, "ldst-reg"),
        Wrapped(A32SequenceGenerator.Classes, "ldst-extra"),
        Wrapped(A32SequenceGenerator.Classes, "ldm-stm"),
        Wrapped(A32SequenceGenerator.Classes, "exclusive"),
        Wrapped(A32SequenceGenerator.Classes, "literal"),
        Wrapped(T32SequenceGenerator.Classes, "t-ldst"),
        Wrapped(T32SequenceGenerator.Classes, "t-stack"),
        Wrapped(T32SequenceGenerator.Classes, "t-exclusive"),
        Wrapped(T32SequenceGenerator.Classes, "t-exclusive-dual"),
        Wrapped(VfpSequenceGenerator.A32Classes, "vfp-ldst"),
        Wrapped(VfpSequenceGenerator.T32Classes, "t-vfp-ldst"),
        Wrapped(NeonSequenceGenerator.A32Classes, "neon-ldst"),
        Wrapped(NeonSequenceGenerator.T32Classes, "t-neon-ldst"),
    ];

    public static IEnumerable<object[]> ClassNames => Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(ClassNames))]
    public async Task BigEndianClassMatchesQemuArm(string className)
    {
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv(className) << 16);
        var make = Classes.Single(c => c.Name == className).Make;
        await A32DifferentialTests.RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }

    // SETEND BE, the group, SETEND LE: groups whose last word is patched after layout (branches) are drawn again.
    private static (string, Func<Random, InstructionGroup>) Wrapped((string Name, Func<Random, InstructionGroup> Make)[] classes, string name)
    {
        var make = classes.Single(c => c.Name == name).Make;
        string label = "be-" + name;
        return (label, r =>
        {
            while (true)
            {
                var g = make(r);
                if (g.Fixup != FixupKind.None) continue;
                return new InstructionGroup(label, [SetendBe, .. g.Words, SetendLe]);
            }
        });
    }
}
