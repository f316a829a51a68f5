using System.Buffers.Binary;
using System.Text;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random integer instruction sequences run on ArmVirt's CPU and on qemu-aarch64 (the reference), compared
/// register by register (X0-X30, SP, NZCV) and byte by byte over each sequence's scratch memory.
/// Seeds are fixed (override the base with ARMVIRT_DIFF_SEED=0x...); every failure names the seed, the
/// sequence and its instruction words.
/// </summary>
[TestClass]
public sealed class DifferentialTests
{
    private const ulong DefaultBaseSeed = 0xA64_D1FF_0001;
    private const int ClassBatches = 2, ClassSequencesPerBatch = 250;
    private const int MixedBatches = 10, MixedSequencesPerBatch = 500;
    private const int MaxReported = 12;

    public TestContext TestContext { get; set; } = null!;

    internal static ulong BaseSeed =>
        Environment.GetEnvironmentVariable("ARMVIRT_DIFF_SEED") is { Length: > 0 } s
            ? Convert.ToUInt64(s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s, 16)
            : DefaultBaseSeed;

    public static IEnumerable<object[]> ClassNames => SequenceGenerator.Classes.Select(c => new object[] { c.Name });

    [TestMethod]
    public async Task QemuHarnessRunsAKnownSequence()
    {
        string qemu = RequireQemu();
        // movz x0, #5 ; add x1, x0, #3 ; str x1, [x28, #8] ; adds xzr, x0, #0 (Z=0, C=0)
        var group = new InstructionGroup("fixed",
            A64Assembler.MoveWide(1, 2, 0, 5, 0),
            A64Assembler.AddSubImm(1, 0, 0, 0, 3, 0, 1),
            A64Assembler.LdStUnsignedImm(3, 0, 1, 28, 1),
            A64Assembler.AddSubImm(1, 0, 1, 0, 0, 0, 31));
        var program = new BatchProgram(1, [[group], [group]], new Random(1));
        byte[] blocks = await QemuUserRunner.RunAsync(qemu, program, TimeSpan.FromSeconds(60));
        Assert.HasCount(2 * BatchProgram.BlockSize, blocks);
        for (int i = 0; i < 2; i++)
        {
            var b = blocks.AsSpan(i * BatchProgram.BlockSize, BatchProgram.BlockSize);
            var init = program.InitialBlocks.Slice(i * BatchProgram.BlockSize, BatchProgram.BlockSize);
            Assert.AreEqual(5UL, Result(b, 0));
            Assert.AreEqual(8UL, Result(b, 1));
            Assert.AreEqual(8UL, BinaryPrimitives.ReadUInt64LittleEndian(b[8..]), "the store reached scratch memory");
            Assert.AreEqual(program.BlockAddress(i), Result(b, 28));
            Assert.AreEqual(Input(init, 2), Result(b, 2), "untouched registers keep their inputs");
            Assert.AreEqual(Input(init, 30), Result(b, 30));
            Assert.AreEqual(Input(init, BatchProgram.SlotSp), Result(b, BatchProgram.SlotSp), "SP round-trips");
            Assert.AreEqual(0UL, Result(b, BatchProgram.SlotNzcv), "ADDS x0(5)+0 clears NZCV");
            Assert.IsTrue(b[..8].SequenceEqual(init[..8]) && b[16..256].SequenceEqual(init[16..256]), "other scratch bytes unchanged");
        }
    }

    [TestMethod]
    [DynamicData(nameof(ClassNames))]
    public async Task InstructionClassMatchesQemu(string className)
    {
        var make = SequenceGenerator.Classes.Single(c => c.Name == className).Make;
        ulong seed = BaseSeed ^ (Fnv(className) << 16);
        await RunBatches(TestContext, className, seed, ClassBatches, ClassSequencesPerBatch, [make], fill: true);
    }

    [TestMethod]
    public async Task MixedSequencesMatchQemu()
    {
        var all = SequenceGenerator.Classes.Select(c => c.Make).ToArray();
        await RunBatches(TestContext, "mixed", BaseSeed, MixedBatches, MixedSequencesPerBatch, all, fill: false);
    }

    /// <summary>Runs <paramref name="batches"/> batches of random sequences on both sides and fails with the differing ones.</summary>
    internal static async Task RunBatches(TestContext context, string label, ulong seed, int batches, int perBatch, Func<Random, InstructionGroup>[] classes, bool fill)
    {
        string qemu = RequireQemu();
        context.WriteLine($"{label}: base seed 0x{BaseSeed:x}, test seed 0x{seed:x}, {batches} x {perBatch} sequences");
        var report = new StringBuilder();
        int failed = 0, total = 0;
        for (int batch = 0; batch < batches; batch++)
        {
            ulong batchSeed = seed + (ulong)batch;
            var rng = new Random((int)(batchSeed ^ (batchSeed >> 32)));
            var sequences = Enumerable.Range(0, perBatch).Select(_ => SequenceGenerator.Sequence(rng, classes, fill)).ToList();
            var program = new BatchProgram(batchSeed, sequences, rng);
            if (Environment.GetEnvironmentVariable("ARMVIRT_DIFF_KEEP") is { Length: > 0 } keep)
                File.WriteAllBytes(Path.Combine(keep, $"{label}-{batchSeed:x}.elf"), program.Image);
            var qemuTask = QemuUserRunner.RunAsync(qemu, program, TimeSpan.FromMinutes(2));
            int el = batch % 2 == 0 ? 1 : 0; // alternate EL1 and EL0 (qemu-aarch64 always runs at EL0)
            var ours = ArmVirtRunner.Run(program, el);
            byte[] reference = await qemuTask;
            Assert.HasCount(perBatch * BatchProgram.BlockSize, reference, $"qemu-aarch64 output length for seed 0x{batchSeed:x}");
            for (int i = 0; i < perBatch; i++)
            {
                total++;
                string? diff = Compare(program, i, ours, reference, el);
                if (diff == null) continue;
                failed++;
                if (failed <= MaxReported) report.Append(diff);
            }
        }
        context.WriteLine($"{label}: {total - failed} of {total} sequences match qemu-aarch64");
        if (failed > 0)
            Assert.Fail($"{label}: {failed} of {total} sequences differ from qemu-aarch64 (base seed 0x{BaseSeed:x}); first {Math.Min(failed, MaxReported)}:\n{report}");
    }

    private static string? Compare(BatchProgram program, int index, ArmVirtRunner.Result ours, byte[] reference, int el)
    {
        var a = ours.Blocks.AsSpan(index * BatchProgram.BlockSize, BatchProgram.BlockSize);
        var q = reference.AsSpan(index * BatchProgram.BlockSize, BatchProgram.BlockSize);
        var sb = new StringBuilder();
        if (ours.Errors.TryGetValue(index, out string? error)) sb.Append("    ArmVirt: ").Append(error).Append('\n');
        for (int r = 0; r < BatchProgram.Slots; r++)
        {
            ulong x = Result(a, r), y = Result(q, r);
            if (x == y) continue;
            string name = r == BatchProgram.SlotSp ? "SP" : r == BatchProgram.SlotNzcv ? "NZCV" : $"X{r}";
            sb.Append($"    {name,-4}: armvirt 0x{x:x16}  qemu 0x{y:x16}\n");
        }
        for (int off = 0; off < SequenceGenerator.ScratchSize; off += 8)
        {
            ulong x = BinaryPrimitives.ReadUInt64LittleEndian(a[off..]), y = BinaryPrimitives.ReadUInt64LittleEndian(q[off..]);
            if (x != y) sb.Append($"    mem[x28+0x{off:x2}]: armvirt 0x{x:x16}  qemu 0x{y:x16}\n");
        }
        for (int v = 0; v < 32; v++)
        {
            var x = a.Slice(BatchProgram.VectorResultOffset + v * 16, 16);
            var y = q.Slice(BatchProgram.VectorResultOffset + v * 16, 16);
            if (!x.SequenceEqual(y)) sb.Append($"    V{v,-3}: armvirt 0x{Hex128(x)}  qemu 0x{Hex128(y)}\n");
        }
        if (Result(a, BatchProgram.SlotFpsrResult) is var fa && Result(q, BatchProgram.SlotFpsrResult) is var fq && fa != fq)
            sb.Append($"    FPSR: armvirt 0x{fa:x8}  qemu 0x{fq:x8}\n");
        if (sb.Length == 0) return null;
        byte[] init = program.InitialBlocks.Slice(index * BatchProgram.BlockSize, BatchProgram.BlockSize).ToArray();
        var head = new StringBuilder();
        head.Append($"  seed 0x{program.Seed:x} (ArmVirt at EL{el}) sequence {index} at 0x{program.SequenceStarts[index]:x} (x28 = 0x{program.BlockAddress(index):x}):\n");
        head.Append("    classes: ").AppendJoin(' ', program.Sequences[index].Select(g => g.ClassName)).Append('\n');
        head.Append("    words: ").AppendJoin(' ', program.SequenceWords[index].Select(w => w.ToString("x8"))).Append('\n');
        if (Disassembler.TryDisassemble(program.SequenceWords[index], program.SequenceBodyStarts[index]) is { Length: > 0 } listing)
            head.Append(listing).Append('\n');
        head.Append($"    inputs: NZCV=0x{Input(init, BatchProgram.SlotNzcv):x} ");
        head.AppendJoin(' ', Enumerable.Range(0, 31).Where(r => r != 28).Select(r => $"X{r}=0x{Input(init, r):x}"));
        head.Append($" SP=0x{Input(init, BatchProgram.SlotSp):x}\n");
        head.Append($"    FPCR=0x{Input(init, BatchProgram.SlotFpcrInput):x} FPSR=0x{Input(init, BatchProgram.SlotFpsrInput):x} ");
        head.AppendJoin(' ', Enumerable.Range(0, 32).Select(v => $"V{v}=0x{Hex128(init.AsSpan(BatchProgram.VectorInputOffset + v * 16, 16))}"));
        head.Append('\n');
        return head.Append(sb).ToString();
    }

    /// <summary>A 128-bit register image as one hex number (most significant byte first).</summary>
    private static string Hex128(ReadOnlySpan<byte> v) =>
        $"{BinaryPrimitives.ReadUInt64LittleEndian(v[8..]):x16}_{BinaryPrimitives.ReadUInt64LittleEndian(v):x16}";

    private static ulong Result(ReadOnlySpan<byte> block, int slot) =>
        BinaryPrimitives.ReadUInt64LittleEndian(block[(BatchProgram.ResultOffset + slot * 8)..]);

    private static ulong Input(ReadOnlySpan<byte> block, int slot) =>
        BinaryPrimitives.ReadUInt64LittleEndian(block[(BatchProgram.InputOffset + slot * 8)..]);

    private static string RequireQemu()
    {
        var qemu = QemuUserRunner.Find();
        if (qemu == null) Assert.Inconclusive("qemu-aarch64 is not on PATH (install qemu-user; .ci/run does)");
        return qemu!;
    }

    internal static ulong Fnv(string s)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (char c in s) h = (h ^ c) * 0x100000001b3;
        return h & 0xFFFF_FFFF;
    }
}
