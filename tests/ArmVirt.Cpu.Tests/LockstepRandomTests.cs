using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Random instruction sequences drawn from the data-processing decode rows (with the odd NOP or barrier), each ended
/// by a random branch or an UNDEFINED word, executed as one compiled block and compared with the interpreter.
/// </summary>
[TestClass]
internal sealed class LockstepRandomTests
{
    private const int Sequences = 10_000;

    private static readonly A64Encoding[] Rows = [.. DataProcessingTable.Entries];

    // Draws a word matching a random data-processing row (and decoding to that row, not a more specific one).
    internal static uint RandomDataProcessing(Random rng)
    {
        while (true)
        {
            var row = Rows[rng.Next(Rows.Length)];
            uint w = ((uint)rng.NextInt64(1L << 32) & ~row.Mask) | row.Value;
            if (ReferenceEquals(A64Decoder.Instance.Decode(w), row)) return w;
        }
    }

    // NOP, YIELD, DMB ISH, DSB SY: system instructions that do not end blocks.
    private static readonly uint[] NoEffectSystem = [0xd503201f, 0xd503203f, 0xd5033bbf, 0xd5033f9f];

    private static uint RandomTerminator(Random rng) => rng.Next(8) switch
    {
        0 => 0x54000000u | ((uint)rng.Next(1 << 19) << 5) | (uint)rng.Next(16),  // b.cond
        1 => 0x34000000u | ((uint)rng.Next(2) << 31) | ((uint)rng.Next(1 << 19) << 5) | (uint)rng.Next(32) | ((uint)rng.Next(2) << 24), // cbz/cbnz
        2 => 0x36000000u | ((uint)rng.Next(2) << 31) | ((uint)rng.Next(2) << 24) | ((uint)rng.Next(32) << 19) | ((uint)rng.Next(1 << 14) << 5) | (uint)rng.Next(32), // tbz/tbnz
        3 => 0x14000000u | (uint)rng.Next(1 << 26), // b
        4 => 0x94000000u | (uint)rng.Next(1 << 26), // bl
        5 => 0xd61f0000u | ((uint)rng.Next(32) << 5), // br xn
        6 => 0xd63f0000u | ((uint)rng.Next(32) << 5), // blr xn
        _ => 0x00000000u, // udf #0: UNDEFINED, a lambda handler (A64Decoder.Unallocated)
    };

    internal static ulong RandomValue(Random rng) => rng.Next(6) switch
    {
        0 => 0,
        1 => ulong.MaxValue,
        2 => 0x8000_0000UL << rng.Next(2) * 32,
        3 => (ulong)rng.Next(64),
        4 => 0x7FFF_FFFFUL,
        _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33),
    };

    [TestMethod]
    [DataRow(JitTier.Optimized)]
    [DataRow(JitTier.Baseline)]
    public void RandomDataProcessingBlocksMatchInterpreter(JitTier tier)
    {
        var rng = new Random(20261124 + (int)tier);
        using var pair = new LockstepPair(0, optimizeThreshold: tier == JitTier.Optimized ? 0 : long.MaxValue);
        int compiledBefore = 0;
        for (int s = 0; s < Sequences; s++)
        {
            int n = 1 + rng.Next(24);
            var words = new uint[n + 1];
            for (int i = 0; i < n; i++)
                words[i] = rng.Next(24) == 0 ? NoEffectSystem[rng.Next(NoEffectSystem.Length)] : RandomDataProcessing(rng);
            words[n] = RandomTerminator(rng);
            ulong at = LockstepPair.RamBase + (ulong)(s % 512) * 128;
            var regs = new ulong[32];
            for (int i = 0; i < 32; i++) regs[i] = RandomValue(rng);
            uint nzcv = (uint)rng.Next(16) << 28;
            foreach (var side in pair.Both)
            {
                // Written through the bus (as a device or another CPU would), which must drop stale translations.
                for (int i = 0; i < words.Length; i++) Assert.IsTrue(side.Bus.TryWrite(at + 4 * (ulong)i, 4, words[i]));
                for (int i = 0; i < 32; i++) side.Cpu.State.X[i] = regs[i];
                side.Cpu.State.Nzcv = nzcv;
                side.Cpu.State.PC = at;
            }
            try
            {
                pair.RunLockstep((ulong)n + 1);
            }
            catch (Exception e)
            {
                Assert.Fail($"sequence {s} at 0x{at:x}: {string.Join(" ", words.Select(w => w.ToString("x8")))}\n{e.Message}");
            }
            var t = pair.Jit.Cpu.Translations!;
            Assert.AreEqual(compiledBefore + 1, t.BlocksCompiled, $"sequence {s} was not run as one compiled block");
            compiledBefore++;
            Assert.AreEqual(s + 1, pair.BlocksCompared, $"sequence {s} did not run compiled");
            Assert.AreEqual(tier, t.Lookup(at, 1)!.Tier);
        }
        Assert.IsTrue(pair.Jit.Cpu.Translations!.BlocksInvalidated >= Sequences - 512, "reused code addresses were not invalidated");
    }

    private static readonly A64Encoding[] FpRows =
        [.. SimdFpTable.Entries.Where(e => InstructionClassifier.Classify(e) == InstructionClass.Plain)];

    [TestMethod]
    public void RandomFloatingPointBlocksMatchInterpreter()
    {
        // Scalar FP data processing mixed with integer instructions, random V registers, FPCR rounding/FZ/DN.
        var rng = new Random(31337);
        using var pair = new LockstepPair(0);
        Assert.IsTrue(FpRows.Length > 0);
        int exceptions = 0;
        pair.Jit.Cpu.ExceptionEntered += (_, _) => exceptions++;
        for (int s = 0; s < 2000; s++)
        {
            int n = 1 + rng.Next(20);
            var words = new uint[n + 1];
            for (int i = 0; i < n; i++)
            {
                if (rng.Next(3) == 0)
                {
                    words[i] = RandomDataProcessing(rng);
                    continue;
                }
                while (true)
                {
                    var row = FpRows[rng.Next(FpRows.Length)];
                    uint w = ((uint)rng.NextInt64(1L << 32) & ~row.Mask) | row.Value;
                    if (ReferenceEquals(A64Decoder.Instance.Decode(w), row)) { words[i] = w; break; }
                }
            }
            words[n] = 0x14000000; // b .
            ulong at = LockstepPair.RamBase + (ulong)(s % 512) * 128;
            var v = new UInt128[32];
            for (int i = 0; i < 32; i++) v[i] = ((UInt128)RandomValue(rng) << 64) | RandomValue(rng);
            var x = new ulong[31];
            for (int i = 0; i < 31; i++) x[i] = RandomValue(rng);
            uint fpcr = ((uint)rng.Next(4) << 22) | ((uint)rng.Next(2) << 24) | ((uint)rng.Next(2) << 25);
            foreach (var side in pair.Both)
            {
                for (int i = 0; i < words.Length; i++) side.Bus.TryWrite(at + 4 * (ulong)i, 4, words[i]);
                for (int i = 0; i < 32; i++) side.Cpu.VReg(i) = System.Runtime.CompilerServices.Unsafe.As<UInt128, System.Runtime.Intrinsics.Vector128<byte>>(ref v[i]);
                for (int i = 0; i < 31; i++) side.Cpu.State.X[i] = x[i];
                side.Cpu.State.Fpcr = fpcr;
                side.Cpu.State.Fpsr = 0;
                side.Cpu.Sys.Cpacr = 3UL << 20; // CPACR_EL1.FPEN: no FP traps
                side.Cpu.State.PC = at;
            }
            try
            {
                pair.RunLockstep((ulong)n + 1);
            }
            catch (Exception e)
            {
                Assert.Fail($"sequence {s}: {string.Join(" ", words.Select(w => w.ToString("x8")))}\n{e.Message}");
            }
            Assert.AreEqual(s + 1, pair.BlocksCompared, $"sequence {s} did not run as one compiled block");
        }
        Assert.AreEqual(0, exceptions, "FP instructions trapped: the test meant them to execute");
    }
}
