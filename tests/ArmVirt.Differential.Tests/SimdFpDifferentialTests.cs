using System.Buffers.Binary;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random FP and Advanced SIMD sequences (<see cref="SimdFpGenerator"/>) run on ArmVirt's CPU and on qemu-aarch64,
/// compared over V0-V31, FPSR, NZCV, X0-X30, SP and the scratch memory, with a random FPCR (rounding mode, FZ, DN,
/// AHP) and FPSR per sequence and operands biased toward the special values of <see cref="SimdFpValues"/>.
/// Seeds are fixed and printed (override the base with ARMVIRT_DIFF_SEED=0x...). One run: every class
/// (<see cref="ClassBatches"/> x <see cref="ClassSequencesPerBatch"/> each) plus a mixed run, over 10,000 sequences.
/// </summary>
[TestClass]
public sealed class SimdFpDifferentialTests
{
    private const int ClassBatches = 2, ClassSequencesPerBatch = 200;
    private const int MixedBatches = 4, MixedSequencesPerBatch = 500;

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> ClassNames => SimdFpGenerator.Classes.Select(c => new object[] { c.Name });

    /// <summary>The V registers and FPSR really travel through both runners: a known FADD and an invalid 0/0.</summary>
    [TestMethod]
    public async Task BothRunnersReportVectorRegistersAndFpsr()
    {
        string qemu = QemuUserRunner.Find() ?? Inconclusive("qemu-aarch64 is not on PATH (install qemu-user; .ci/run does)");
        // fmov d1, #1.0 ; fmov d2, #0.5 ; fadd d0, d1, d2 ; movi v3.2d, #0 ; fdiv s4, s3, s3 (0/0: Invalid Operation)
        var group = new InstructionGroup("fixed", 0x1E6E1001, 0x1E6C1002, 0x1E622820, 0x6F00E403, 0x1E231864);
        var program = new BatchProgram(5, [[group], [group], [group]], new Random(5));
        byte[] reference = await QemuUserRunner.RunAsync(qemu, program, TimeSpan.FromSeconds(60));
        var ours = ArmVirtRunner.Run(program, 1);
        Assert.IsEmpty(ours.Errors);
        foreach (var (who, blocks) in new[] { ("qemu", reference), ("armvirt", ours.Blocks) })
            for (int i = 0; i < 3; i++)
            {
                var b = blocks.AsSpan(i * BatchProgram.BlockSize, BatchProgram.BlockSize);
                var init = program.InitialBlocks.Slice(i * BatchProgram.BlockSize, BatchProgram.BlockSize);
                ulong V(ReadOnlySpan<byte> block, int offset, int reg, int half) =>
                    BinaryPrimitives.ReadUInt64LittleEndian(block[(offset + reg * 16 + half * 8)..]);
                Assert.AreEqual(0x3FF8_0000_0000_0000UL, V(b, BatchProgram.VectorResultOffset, 0, 0), $"{who}: D0 = 1.5");
                Assert.AreEqual(0UL, V(b, BatchProgram.VectorResultOffset, 0, 1), $"{who}: scalar writes clear the upper half");
                Assert.AreEqual(0x7FC0_0000UL, V(b, BatchProgram.VectorResultOffset, 4, 0), $"{who}: 0/0 is the default NaN");
                Assert.AreEqual(V(init, BatchProgram.VectorInputOffset, 5, 1), V(b, BatchProgram.VectorResultOffset, 5, 1), $"{who}: V5 round-trips");
                ulong fpsrIn = BinaryPrimitives.ReadUInt64LittleEndian(init[(BatchProgram.InputOffset + BatchProgram.SlotFpsrInput * 8)..]);
                ulong fpsr = BinaryPrimitives.ReadUInt64LittleEndian(b[(BatchProgram.ResultOffset + BatchProgram.SlotFpsrResult * 8)..]);
                Assert.AreEqual(fpsrIn | 1, fpsr, $"{who}: FPSR keeps its input bits and gains IOC");
            }
    }

    [TestMethod]
    [DynamicData(nameof(ClassNames))]
    public async Task SimdFpClassMatchesQemu(string className)
    {
        var make = SimdFpGenerator.Classes.Single(c => c.Name == className).Make;
        ulong seed = DifferentialTests.BaseSeed ^ (DifferentialTests.Fnv("simdfp:" + className) << 16);
        await DifferentialTests.RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: false);
    }

    [TestMethod]
    public async Task MixedSimdFpSequencesMatchQemu()
    {
        // FP/SIMD classes together with the integer ones: FCMP flags feed B.cond/CSEL, FMOV/UMOV results feed integer ops.
        var all = SimdFpGenerator.Classes.Concat(SimdFpGenerator.Classes).Concat(SequenceGenerator.Classes).Select(c => c.Make).ToArray();
        ulong seed = DifferentialTests.BaseSeed ^ (DifferentialTests.Fnv("simdfp:mixed") << 16);
        await DifferentialTests.RunBatches(TestContext, "simdfp-mixed", seed, MixedBatches, MixedSequencesPerBatch, all, fill: false);
    }

    private static string Inconclusive(string message)
    {
        Assert.Inconclusive(message);
        return "";
    }
}
