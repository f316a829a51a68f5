using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random A32 sequences run on ArmVirt's CPU at AArch32 EL0 (under an AArch64 EL1) and on qemu-arm (the reference),
/// compared register by register (R0-R10, R12-R14, APSR.NZCVQ and GE) and byte by byte over each sequence's scratch
/// memory. Seeds are fixed (override the base with ARMVIRT_DIFF_SEED=0x...); every failure names the seed, the
/// sequence and its instruction words.
/// </summary>
[TestClass]
public sealed class A32DifferentialTests
{
    private const ulong DefaultBaseSeed = 0xA32_D1FF_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 250;
    private const int MixedBatches = 10, MixedSequencesPerBatch = 500;
    private const int MaxReported = 12;
    private const uint ApsrMask = 0xF80F_0000; // N Z C V Q and GE: what MRS APSR defines at EL0

    public TestContext TestContext { get; set; } = null!;

    public static IEnumerable<object[]> ClassNames => A32SequenceGenerator.Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    public async Task QemuArmHarnessRunsAKnownSequence()
    {
        string qemu = RequireQemu();
        // mov r0, #5 ; adds r1, r0, #3 ; str r1, [r11, #8] ; cmp r0, #5 (Z = 1, C = 1)
        var group = new InstructionGroup("fixed",
            A32Assembler.DpImm(A32Assembler.Al, 13, 0, 0, 0, 5),
            A32Assembler.DpImm(A32Assembler.Al, 4, 1, 0, 1, 3),
            A32Assembler.LdStImm(A32Assembler.Al, 1, 1, 0, 0, 0, A32BatchProgram.Block, 1, 8),
            A32Assembler.DpImm(A32Assembler.Al, 10, 1, 0, 0, 5));
        var program = new A32BatchProgram(1, [[group], [group]], new Random(1));
        byte[] blocks = await QemuUserRunner.RunAsync(qemu, program.Image, program.Seed, TimeSpan.FromSeconds(60));
        var ours = A32ArmVirtRunner.Run(program);
        Assert.HasCount(2 * A32BatchProgram.BlockSize, blocks);
        for (int i = 0; i < 2; i++)
        {
            var b = blocks.AsSpan(i * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize);
            var init = program.InitialBlocks.Slice(i * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize);
            Assert.AreEqual(5u, Result(b, 0));
            Assert.AreEqual(8u, Result(b, 1));
            Assert.AreEqual(8u, BinaryPrimitives.ReadUInt32LittleEndian(b[8..]), "the store reached scratch memory");
            Assert.AreEqual(Input(init, 2), Result(b, 2), "untouched registers keep their inputs");
            Assert.AreEqual(Input(init, 14), Result(b, 14));
            Assert.AreEqual(0x6000_0000u | (Input(init, A32BatchProgram.SlotApsr) & 0x080F_0000), Result(b, A32BatchProgram.SlotApsr) & ApsrMask, "CMP 5, 5: Z C; Q and GE kept");
            Assert.IsTrue(ours.Blocks.AsSpan(i * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize)[..320].SequenceEqual(b[..320]), "ArmVirt agrees");
        }
        Assert.IsEmpty(ours.Errors);
    }

    [TestMethod]
    [DynamicData(nameof(ClassNames))]
    public async Task A32InstructionClassMatchesQemuArm(string className)
    {
        var make = A32SequenceGenerator.Classes.Single(c => c.Name == className).Make;
        ulong seed = DifferentialTests.BaseSeed ^ DefaultBaseSeed ^ (DifferentialTests.Fnv(className) << 16);
        await RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }

    [TestMethod]
    public async Task A32MixedSequencesMatchQemuArm()
    {
        var all = A32SequenceGenerator.Classes.Select(c => c.Make).ToArray();
        await RunBatches(TestContext, "a32-mixed", DifferentialTests.BaseSeed ^ DefaultBaseSeed, MixedBatches, MixedSequencesPerBatch, all, fill: false);
    }

    internal static async Task RunBatches(TestContext context, string label, ulong seed, int batches, int perBatch, Func<Random, InstructionGroup>[] classes, bool fill)
    {
        string qemu = RequireQemu();
        context.WriteLine($"{label}: test seed 0x{seed:x}, {batches} x {perBatch} sequences");
        var report = new StringBuilder();
        int failed = 0, total = 0;
        for (int batch = 0; batch < batches; batch++)
        {
            ulong batchSeed = seed + (ulong)batch;
            var rng = new Random((int)(batchSeed ^ (batchSeed >> 32)));
            var sequences = Enumerable.Range(0, perBatch).Select(_ => A32SequenceGenerator.Sequence(rng, classes, fill)).ToList();
            var program = new A32BatchProgram(batchSeed, sequences, rng);
            if (Environment.GetEnvironmentVariable("ARMVIRT_DIFF_KEEP") is { Length: > 0 } keep)
                File.WriteAllBytes(Path.Combine(keep, $"{label}-{batchSeed:x}.elf"), program.Image);
            var qemuTask = QemuUserRunner.RunAsync(qemu, program.Image, program.Seed, TimeSpan.FromMinutes(2));
            var ours = A32ArmVirtRunner.Run(program);
            byte[] reference = await qemuTask;
            Assert.HasCount(perBatch * A32BatchProgram.BlockSize, reference, $"qemu-arm output length for seed 0x{batchSeed:x}");
            for (int i = 0; i < perBatch; i++)
            {
                total++;
                string? diff = Compare(program, i, ours, reference);
                if (diff == null) continue;
                failed++;
                if (failed <= MaxReported) report.Append(diff);
            }
        }
        context.WriteLine($"{label}: {total - failed} of {total} sequences match qemu-arm");
        if (failed > 0)
            Assert.Fail($"{label}: {failed} of {total} sequences differ from qemu-arm; first {Math.Min(failed, MaxReported)}:\n{report}");
    }

    private static string? Compare(A32BatchProgram program, int index, A32ArmVirtRunner.Result ours, byte[] reference)
    {
        var a = ours.Blocks.AsSpan(index * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize);
        var q = reference.AsSpan(index * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize);
        var sb = new StringBuilder();
        if (ours.Errors.TryGetValue(index, out string? error)) sb.Append("    ArmVirt: ").Append(error).Append('\n');
        for (int r = 0; r < A32BatchProgram.Slots; r++)
        {
            if (r == A32BatchProgram.Block) continue;
            uint mask = r == A32BatchProgram.SlotApsr ? ApsrMask : uint.MaxValue;
            uint x = Result(a, r) & mask, y = Result(q, r) & mask;
            if (x == y) continue;
            sb.Append($"    {(r == A32BatchProgram.SlotApsr ? "APSR" : $"R{r}"),-4}: armvirt 0x{x:x8}  qemu 0x{y:x8}\n");
        }
        for (int dn = 0; dn < 32; dn++)
        {
            ulong x = BinaryPrimitives.ReadUInt64LittleEndian(a[(A32BatchProgram.FpResultOffset + 8 * dn)..]);
            ulong y = BinaryPrimitives.ReadUInt64LittleEndian(q[(A32BatchProgram.FpResultOffset + 8 * dn)..]);
            if (x != y) sb.Append($"    D{dn,-3}: armvirt 0x{x:x16}  qemu 0x{y:x16}\n");
        }
        uint fa = BinaryPrimitives.ReadUInt32LittleEndian(a[(A32BatchProgram.FpResultOffset + A32BatchProgram.FpscrOffset)..]);
        uint fq = BinaryPrimitives.ReadUInt32LittleEndian(q[(A32BatchProgram.FpResultOffset + A32BatchProgram.FpscrOffset)..]);
        if (fa != fq) sb.Append($"    FPSCR: armvirt 0x{fa:x8}  qemu 0x{fq:x8}\n");
        for (int off = 0; off < A32SequenceGenerator.ScratchSize; off += 4)
        {
            uint x = BinaryPrimitives.ReadUInt32LittleEndian(a[off..]), y = BinaryPrimitives.ReadUInt32LittleEndian(q[off..]);
            if (x != y) sb.Append($"    mem[r11+0x{off:x2}]: armvirt 0x{x:x8}  qemu 0x{y:x8}\n");
        }
        if (sb.Length == 0) return null;
        byte[] init = program.InitialBlocks.Slice(index * A32BatchProgram.BlockSize, A32BatchProgram.BlockSize).ToArray();
        var head = new StringBuilder();
        head.Append($"  seed 0x{program.Seed:x} sequence {index} at 0x{program.SequenceStarts[index]:x} (r11 = 0x{program.BlockAddress(index):x}):\n");
        head.Append("    classes: ").AppendJoin(' ', program.Sequences[index].Select(g => g.ClassName)).Append('\n');
        head.Append("    words: ").AppendJoin(' ', program.SequenceWords[index].Select(w => w.ToString("x8"))).Append('\n');
        head.Append($"    inputs: APSR=0x{Input(init, A32BatchProgram.SlotApsr):x8} ");
        head.AppendJoin(' ', Enumerable.Range(0, 15).Where(r => r != A32BatchProgram.Block).Select(r => $"R{r}=0x{Input(init, r):x}"));
        head.Append($" FPSCR=0x{BinaryPrimitives.ReadUInt32LittleEndian(init.AsSpan(A32BatchProgram.FpInputOffset + A32BatchProgram.FpscrOffset)):x8}");
        if (sb.ToString().Contains("  D"))
            for (int dn = 0; dn < 32; dn++) head.Append($" D{dn}=0x{BinaryPrimitives.ReadUInt64LittleEndian(init.AsSpan(A32BatchProgram.FpInputOffset + 8 * dn)):x}");
        head.Append('\n');
        return head.Append(sb).ToString();
    }

    private static uint Result(ReadOnlySpan<byte> block, int slot) =>
        BinaryPrimitives.ReadUInt32LittleEndian(block[(A32BatchProgram.ResultOffset + slot * 4)..]);

    private static uint Input(ReadOnlySpan<byte> block, int slot) =>
        BinaryPrimitives.ReadUInt32LittleEndian(block[(A32BatchProgram.InputOffset + slot * 4)..]);

    private static string RequireQemu()
    {
        var qemu = QemuUserRunner.Find("qemu-arm");
        if (qemu == null) Assert.Inconclusive("qemu-arm is not on PATH (install qemu-user; .ci/run does)");
        return qemu!;
    }
}
