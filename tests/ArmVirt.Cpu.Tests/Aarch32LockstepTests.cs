using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The JIT's AArch32 blocks (predecoded, baseline IL and optimized IL) against the interpreter, instruction for instruction (after every
/// block run: <see cref="LockstepPair.RunLockstep"/>), on a cortex-a15 in Supervisor mode: random A32 and T32 loops of
/// data processing with random conditions, IT blocks, loads and stores (LDR/STR in every size, LDRD/STRD, LDM/STM) and
/// loads that take a data abort in the middle of a block, ended by SVC, UDF or a write to the PC; and fixed programs for
/// interworking (BLX/BX/LDR PC/LDM with PC between A32 and T32 blocks), self-modifying code and instruction limits.
/// </summary>
[TestClass]
internal sealed class Aarch32LockstepTests
{
    private const ulong Vectors = LockstepPair.RamBase;
    private const ulong Scratch = LockstepPair.RamBase + 0x8_0000;
    private const ulong Stack = LockstepPair.RamBase + 0xC_0000;
    private const uint Unmapped = 0x1000_0000; // no RAM or device: a load there takes a synchronous external abort

    // Reset: B .; Undefined: MOVS PC, LR; SVC: MOVS PC, LR; Prefetch Abort: B .; Data Abort: SUBS PC, LR, #4 (the
    // instruction after the faulting 4-byte load); unused; IRQ, FIQ: SUBS PC, LR, #4.
    private static readonly uint[] VectorTable = [0xEAFFFFFE, 0xE1B0F00E, 0xE1B0F00E, 0xEAFFFFFE, 0xE25EF004, 0xEAFFFFFE, 0xE25EF004, 0xE25EF004];

    private static LockstepPair NewPair(JitTier tier)
    {
        // Predecoded: never compiled; Baseline: every block compiled at its first entry (on the CPU's thread); Optimized:
        // every block compiled optimized at its first entry (Aarch32OptimizedCompiler).
        var pair = new LockstepPair(tier == JitTier.None ? int.MaxValue : 0,
            new CpuConfiguration { HighestEl = 1, Model = CpuModel.CortexA15 }, optimizeThreshold: tier == JitTier.Optimized ? 0 : long.MaxValue);
        foreach (var side in pair.Both)
        {
            Assert.IsTrue(side.Cpu.State.Aarch32);
            side.Cpu.Sys.Vbar[1] = Vectors;
            // A stand-in for the generic timer's virtual count (ArmVirt.Machine installs the real one), read by the random
            // loops' MRRC: the cycle count, so that a block that did not bring its counters up to date before it differs.
            side.Cpu.SystemRegisters.Add(new SystemRegister("CNTVCT_EL0", 3, 3, 14, 0, 2, c => c.State.Cycles, null, minEl: 0));
            for (int i = 0; i < VectorTable.Length; i++) side.Bus.TryWrite(Vectors + 4 * (ulong)i, 4, VectorTable[i]);
        }
        return pair;
    }

    private static readonly A32Encoding[] A32Rows = [.. A32DecodeTable.All.Where(IsIntegerFamily)];
    private static readonly A32Encoding[] T32NarrowRows = [.. T32DecodeTable.Narrow.Where(IsIntegerFamily)];
    private static readonly A32Encoding[] T32WideRows = [.. T32DecodeTable.Wide.Where(IsIntegerFamily)];

    private static bool IsIntegerFamily(A32Encoding e) =>
        e.Handler.Method.DeclaringType is { } t && (t == typeof(A32DataProcessing) || t == typeof(A32Multiply)
            || t == typeof(A32ParallelArithmetic) || t == typeof(A32Miscellaneous) || t == typeof(T32Miscellaneous));

    // A word of a random integer data-processing row that the block runs through (Plain) and that writes none of R9-R15
    // (the loop counter, the faulting and scratch pointers, SP, LR, PC).
    private static bool Acceptable(A32Instruction d, A32Encoding row, uint word) =>
        ReferenceEquals(d.Encoding, row) && InstructionClassifier.ClassifyAarch32(d, word) == InstructionClass.Plain
        && d.Operands.Rd < 9 && d.Operands.Rs < 9;

    private static uint RandomA32(Random rng)
    {
        while (true)
        {
            var row = A32Rows[rng.Next(A32Rows.Length)];
            uint w = ((uint)rng.NextInt64(1L << 32) & ~row.Mask) | row.Value;
            if (!row.Unconditional) w = (w & 0x0FFF_FFFF) | ((uint)rng.Next(15) << 28);
            if (Acceptable(Armv7Decoders.A32.Decode(w), row, w)) return w;
        }
    }

    // A random T32 data-processing instruction decoded as inside (inIt) or outside an IT block: 16-bit (the halfword)
    // or 32-bit (hw1:hw2).
    private static uint RandomT32(Random rng, bool inIt)
    {
        while (true)
        {
            bool narrow = rng.Next(2) == 0;
            var rows = narrow ? T32NarrowRows : T32WideRows;
            var row = rows[rng.Next(rows.Length)];
            uint w = ((uint)rng.NextInt64(1L << 32) & ~row.Mask) | row.Value;
            if (narrow) w &= 0xFFFF;
            if (narrow != (w < 0x1_0000) || (narrow && (w >> 11) >= 0b11101) || (!narrow && (w >> 27) < 0b11101)) continue;
            var d = Armv7Decoders.T32.Decode(narrow && inIt ? w | 0x1_0000 : w);
            if (InstructionClassifier.IsIt(d.Encoding)) continue;
            if (Acceptable(d, d.Encoding, w) && (narrow && inIt ? true : ReferenceEquals(d.Encoding, row))) return w;
        }
    }

    // A CP15 move that stays inside its block (InstructionClassifier.ClassifyCoprocessorMove): reads of the thread ID
    // registers, the PMU's cycle counter and (MRRC) the virtual counter, which need the counters brought up to date
    // before them; writes of the thread ID registers; DCCMVAC of the scratch area; CP15DMB. Rt in R0-R8.
    private static uint RandomA32System(Random rng)
    {
        uint cond = (uint)rng.Next(15) << 28, rt = (uint)rng.Next(9);
        return rng.Next(7) switch
        {
            0 => cond | 0x0E1D_0F90 | rt << 12,                                 // MRC p15, 0, Rt, c13, c0, 4 (TPIDRPRW)
            1 => cond | 0x0E0D_0F50 | rt << 12,                                 // MCR p15, 0, Rt, c13, c0, 2 (TPIDRURW)
            2 => cond | 0x0E1D_0F50 | rt << 12,                                 // MRC TPIDRURW
            3 => cond | 0x0E19_0F1D | rt << 12,                                 // MRC p15, 0, Rt, c9, c13, 0 (PMCCNTR)
            4 => cond | 0x0C50_0F1E | rt << 12 | ((rt + 1) % 9) << 16,          // MRRC p15, 1, Rt, Rt2, c14 (CNTVCT)
            5 => cond | 0x0E07_CF3A,                                            // MCR p15, 0, R12, c7, c10, 1 (DCCMVAC)
            _ => cond | 0x0E07_0FBA | rt << 12,                                 // MCR p15, 0, Rt, c7, c10, 5 (CP15DMB)
        };
    }

    private static uint RandomA32Memory(Random rng)
    {
        uint cond = (uint)rng.Next(15) << 28;
        uint rt = (uint)rng.Next(9), off = (uint)rng.Next(64) * 4;
        return rng.Next(8) switch
        {
            0 => cond | 0x0590_0000 | (12u << 16) | (rt << 12) | off,                                   // LDR Rt, [R12, #off]
            1 => cond | 0x0580_0000 | (12u << 16) | (rt << 12) | off + (uint)rng.Next(4),              // STR (unaligned too)
            2 => cond | 0x05D0_0000 | (12u << 16) | (rt << 12) | off + (uint)rng.Next(4),              // LDRB
            3 => cond | 0x05C0_0000 | (12u << 16) | (rt << 12) | off + (uint)rng.Next(4),              // STRB
            4 => cond | (rng.Next(2) == 0 ? 0x01D0_00B0u : 0x01D0_00F0u) | (12u << 16) | (rt << 12) | ((off >> 4) << 8) | (off & 0xE), // LDRH/LDRSH
            5 => cond | 0x01C0_00B0 | (12u << 16) | (rt << 12) | ((off >> 4) << 8) | (off & 0xF),      // STRH
            6 => cond | (rng.Next(2) == 0 ? 0x01C0_00D0u : 0x01C0_00F0u) | (12u << 16) | ((rt & 6) << 12) | ((off >> 4) << 8) | (off & 0xF), // LDRD/STRD
            _ => cond | (rng.Next(2) == 0 ? 0x0890_0000u : 0x0880_0000u) | (12u << 16) | (uint)rng.Next(1, 1 << 9), // LDM/STM R12, {R0-R8 subset}
        };
    }

    private static uint RandomT32Memory(Random rng)
    {
        uint rt = (uint)rng.Next(9), off = (uint)rng.Next(64) * 4;
        uint hw1 = rng.Next(8) switch
        {
            0 => 0xF8D0u, 1 => 0xF8C0u, 2 => 0xF890u, 3 => 0xF880u, 4 => 0xF8B0u, 5 => 0xF8A0u, 6 => rng.Next(2) == 0 ? 0xE9D0u : 0xE9C0u,
            _ => rng.Next(2) == 0 ? 0xE890u : 0xE880u,
        };
        hw1 |= 12;
        uint hw2 = hw1 switch
        {
            0xE9DC or 0xE9CC => ((rt & 6) << 12) | (((rt & 6) + 1) << 8) | (off >> 2),              // LDRD/STRD Rt, Rt+1, [R12, #off]
            0xE89C or 0xE88C => (uint)rng.Next(1, 1 << 9),                                          // LDM.W/STM.W R12, {R0-R8 subset}
            _ => (rt << 12) | off + (uint)rng.Next(4),
        };
        return (hw1 << 16) | hw2;
    }

    private static ulong RandomValue(Random rng) => rng.Next(5) switch
    {
        0 => 0,
        1 => 0xFFFF_FFFF,
        2 => 0x8000_0000,
        3 => (ulong)rng.Next(64),
        _ => (uint)rng.NextInt64(1L << 32),
    };

    // Registers for a sequence at `at`: R0-R8 random, R9 the loop count, R10 a pointer to nothing, R12 the scratch area.
    private static void Prepare(LockstepPair pair, Random rng, ulong at, bool thumb)
    {
        var r = new ulong[15];
        for (int i = 0; i < 9; i++) r[i] = RandomValue(rng);
        r[9] = (ulong)rng.Next(1, 4);
        r[10] = Unmapped;
        r[11] = RandomValue(rng);
        r[12] = Scratch + (ulong)rng.Next(4) * 4;
        r[13] = Stack;
        r[14] = RandomValue(rng);
        uint nzcv = (uint)rng.Next(16) << 28;
        foreach (var side in pair.Both)
        {
            var cpu = side.Cpu;
            for (int i = 0; i < 15; i++) cpu.SetR(i, (uint)r[i]);
            cpu.State.Nzcv = nzcv;
            cpu.State.Ge = 0;
            cpu.State.Saturation = false;
            cpu.State.Thumb = thumb;
            cpu.State.It = 0;
            cpu.State.PC = at;
        }
    }

    private static void Write(LockstepPair pair, ulong at, IReadOnlyList<uint> words)
    {
        foreach (var side in pair.Both)
            for (int i = 0; i < words.Count; i++) Assert.IsTrue(side.Bus.TryWrite(at + 4 * (ulong)i, 4, words[i]));
    }

    [TestMethod]
    [DataRow(JitTier.None)]
    [DataRow(JitTier.Baseline)]
    [DataRow(JitTier.Optimized)]
    public void RandomA32LoopsMatchInterpreter(JitTier tier)
    {
        var rng = new Random(20261207 + (int)tier);
        using var pair = NewPair(tier);
        for (int s = 0; s < 1500; s++)
        {
            ulong at = LockstepPair.RamBase + 0x1000 + (ulong)(s % 200) * 0x100;
            var words = new List<uint>();
            int n = 1 + rng.Next(20);
            for (int i = 0; i < n; i++)
            {
                int k = rng.Next(22);
                words.Add(k < 13 ? RandomA32(rng) : k < 18 ? RandomA32Memory(rng) : k >= 20 ? RandomA32System(rng)
                    : (uint)rng.Next(15) << 28 | 0x0590_0000 | (10u << 16) | ((uint)rng.Next(9) << 12)); // LDR<c> Rt, [R10]: a data abort
            }
            words.Add(0xE259_9001); // SUBS R9, R9, #1
            words.Add(0x1A00_0000 | (uint)((-(words.Count + 2)) & 0xFF_FFFF)); // BNE at
            words.Add(rng.Next(4) switch
            {
                0 => 0xEF00_0000 | (uint)rng.Next(1 << 24), // SVC
                1 => 0xE7F0_00F0,                            // UDF
                2 => 0xE28F_F000,                            // ADD PC, PC, #0: over the next word
                _ => 0xE320_F000,                            // NOP
            });
            words.Add(0xEAFF_FFFE); // B .
            words.Add(0xEAFF_FFFE);
            Write(pair, at, words);
            Prepare(pair, rng, at, thumb: false);
            Run(pair, (ulong)(words.Count * 4 + 30), s, words);
        }
        AssertAarch32BlocksRan(pair, tier);
    }

    [TestMethod]
    [DataRow(JitTier.None)]
    [DataRow(JitTier.Baseline)]
    [DataRow(JitTier.Optimized)]
    public void RandomT32LoopsWithItBlocksMatchInterpreter(JitTier tier)
    {
        var rng = new Random(20261208 + (int)tier);
        using var pair = NewPair(tier);
        for (int s = 0; s < 1500; s++)
        {
            ulong at = LockstepPair.RamBase + 0x1000 + (ulong)(s % 200) * 0x100;
            var hw = new List<ushort>();
            void Add(uint insn)
            {
                if (insn >= 0x1_0000) hw.Add((ushort)(insn >> 16));
                hw.Add((ushort)insn);
            }
            int n = 1 + rng.Next(16);
            for (int i = 0; i < n; i++)
            {
                int k = rng.Next(20);
                if (k < 5)
                {
                    // IT<x><y><z> firstcond: 1 to 4 instructions, each data processing or a load/store.
                    uint firstcond = (uint)rng.Next(14), count = (uint)rng.Next(1, 5);
                    uint mask = (1u << (4 - (int)count)) | ((uint)rng.Next(1 << 3) << (5 - (int)count) & 0xF);
                    Add(0xBF00 | (firstcond << 4) | mask);
                    for (int j = 0; j < count; j++) Add(rng.Next(4) == 0 ? RandomT32Memory(rng) : RandomT32(rng, inIt: true));
                }
                else if (k < 14) Add(RandomT32(rng, inIt: false));
                else if (k < 18) Add(RandomT32Memory(rng));
                else Add(0xF8D0_0000 | (10u << 16) | ((uint)rng.Next(9) << 12)); // LDR.W Rt, [R10]: a data abort
            }
            Add(0xF1B9_0901); // SUBS.W R9, R9, #1
            // BNE.W at (B<c>.W T3: offset = S:J2:J1:imm6:imm11:'0' from the instruction's address + 4)
            int offset = -(2 * hw.Count + 4);
            uint u = (uint)offset;
            Add(0xF000_8000 | (((u >> 20) & 1) << 26) | (1u << 22) | (((u >> 12) & 0x3F) << 16) | (((u >> 18) & 1) << 13) | (((u >> 19) & 1) << 11) | ((u >> 1) & 0x7FF));
            Add(rng.Next(3) switch { 0 => 0xDF00u | (uint)rng.Next(256), 1 => 0xDE00u | (uint)rng.Next(256), _ => 0xBF00u }); // SVC, UDF, NOP
            Add(0xE7FE); // B .
            Add(0xE7FE);
            if (hw.Count % 2 != 0) hw.Add(0xE7FE);
            var words = new List<uint>();
            for (int i = 0; i < hw.Count; i += 2) words.Add(hw[i] | ((uint)hw[i + 1] << 16));
            Write(pair, at, words);
            Prepare(pair, rng, at, thumb: true);
            Run(pair, (ulong)(hw.Count * 4 + 30), s, words);
        }
        AssertAarch32BlocksRan(pair, tier);
    }

    private static void Run(LockstepPair pair, ulong limit, int s, List<uint> words)
    {
        try
        {
            pair.RunLockstep(limit);
        }
        catch (Exception e)
        {
            Assert.Fail($"sequence {s}: {string.Join(" ", words.Select(w => w.ToString("x8")))}\n{e.Message}");
        }
    }

    private static void AssertAarch32BlocksRan(LockstepPair pair, JitTier tier)
    {
        var t = pair.Jit.Cpu.Translations!;
        Assert.IsGreaterThan(1000, t.BlocksBuilt);
        if (tier == JitTier.None)
        {
            Assert.AreEqual(0, t.BlocksCompiled);
            Assert.IsGreaterThan(1000, pair.PredecodedCompared);
        }
        else Assert.IsGreaterThan(1000, pair.BlocksCompared);
    }

    // Built with arm-linux-gnueabihf-as: a 40-iteration A32 loop calling a T32 function by BLX (immediate) that calls an
    // A32 function by BLX (immediate) returning by LDR PC, [SP], #4 and itself returns by POP {r7, pc} (an IT block
    // before it); a T32 function by BLX R0 with an ITTEE block, returning by BX LR; an A32 function returning by POP
    // {r6, pc}; then SVC (its vector returns to the B . after it).
    private static readonly uint[] Interworking =
    [
        0xE3A04000, 0xE3A05028, 0xFA00000D, 0xE28F0040, 0xE3800001, 0xE12FFF30, 0xEB000003, 0xE2555001, 0x1AFFFFF8, 0xEF000000,
        0xEAFFFFFE, 0xE92D4040, 0xE2844003, 0xE8BD8040, 0xE52DE004, 0xE2844005, 0xE49DF004, 0x3401B580, 0xEFF6F7FF, 0xBF882C64,
        0xBD803402, 0xBF073407, 0x34012601, 0x3C012602, 0x46C04770,
    ];

    // mov r4, #0; mov r5, #20; adr r1, patch; ldr r2, [r1]; patch: mov r0, #0; add r4, r4, r0; add r2, r2, #1;
    // str r2, [r1] (rewrites the MOV of its own block: mov r0, #1, #2, ...); subs r5, r5, #1; bne patch; svc #0; b .
    private static readonly uint[] SelfModifying =
        [0xE3A04000, 0xE3A05014, 0xE28F1000, 0xE5912000, 0xE3A00000, 0xE0844000, 0xE2822001, 0xE5812000, 0xE2555001, 0x1AFFFFF9, 0xEF000000, 0xEAFFFFFE];

    private const ulong ProgramBase = LockstepPair.RamBase + 0x1000;

    private static LockstepPair LoadProgram(JitTier tier, uint[] words)
    {
        var pair = NewPair(tier);
        Write(pair, ProgramBase, words);
        pair.Setup(cpu =>
        {
            cpu.SetR(13, (uint)Stack);
            cpu.State.PC = ProgramBase;
        });
        return pair;
    }

    [TestMethod]
    [DataRow(JitTier.None, 0UL)]
    [DataRow(JitTier.Baseline, 0UL)]
    [DataRow(JitTier.None, 5UL)]
    [DataRow(JitTier.Baseline, 3UL)]
    [DataRow(JitTier.Baseline, 7UL)]
    [DataRow(JitTier.Optimized, 0UL)]
    [DataRow(JitTier.Optimized, 3UL)]
    [DataRow(JitTier.Optimized, 5UL)]
    public void InterworkingBetweenA32AndT32BlocksMatchesInterpreter(JitTier tier, ulong slice)
    {
        using var pair = LoadProgram(tier, Interworking);
        // Whole, or in slices of a few instructions (every instruction limit inside and at the ends of blocks).
        for (int i = 0; i < (slice == 0 ? 1 : 3000 / (int)slice); i++) pair.RunLockstep(slice == 0 ? 3000 : slice);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(ProgramBase + 0x28, cpu.State.PC, "at the B . after the SVC");
        Assert.IsFalse(cpu.State.Thumb);
        Assert.AreEqual(0u, cpu.R(5));
        Assert.AreEqual(666u, cpu.R(4), "per pass 1 + 5 (+ 2 once above 100) + 7 - 1 + 3");
        Assert.IsGreaterThan(100, pair.BlocksCompared + pair.PredecodedCompared);
        if (tier != JitTier.None) Assert.IsGreaterThan(0, cpu.Translations!.BlocksCompiled);
    }

    [TestMethod]
    [DataRow(JitTier.None)]
    [DataRow(JitTier.Baseline)]
    [DataRow(JitTier.Optimized)]
    public void StoreIntoTheRunningBlockIsSeenByTheNextPass(JitTier tier)
    {
        using var pair = LoadProgram(tier, SelfModifying);
        pair.RunLockstep(500);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(ProgramBase + 0x2C, cpu.State.PC);
        Assert.AreEqual(190u, cpu.R(4), "0 + 1 + ... + 19: each pass ran the MOV the pass before wrote");
        Assert.IsGreaterThanOrEqualTo(19, cpu.Translations!.BlocksInvalidated);
    }

    [TestMethod]
    [DataRow(0xEE1D0F90u, InstructionClass.Memory, "MRC TPIDRPRW")]
    [DataRow(0xEE1D0F70u, InstructionClass.Memory, "MRC TPIDRURO")]
    [DataRow(0xEC510F1Eu, InstructionClass.Memory, "MRRC CNTVCT")]
    [DataRow(0xEE100F10u, InstructionClass.Memory, "MRC MIDR")]
    [DataRow(0xEE0D0F90u, InstructionClass.Memory, "MCR TPIDRPRW")]
    [DataRow(0xEE070F3Au, InstructionClass.Memory, "MCR DCCMVAC")]
    [DataRow(0xEE070FBAu, InstructionClass.Memory, "MCR CP15DMB")]
    [DataRow(0xEE070F9Au, InstructionClass.EndsBlock, "MCR CP15DSB")]
    [DataRow(0xEE070F95u, InstructionClass.EndsBlock, "MCR CP15ISB")]
    [DataRow(0xEE010F10u, InstructionClass.EndsBlock, "MCR SCTLR")]
    [DataRow(0xEE020F10u, InstructionClass.EndsBlock, "MCR TTBR0")]
    [DataRow(0xEE020F50u, InstructionClass.EndsBlock, "MCR TTBCR")]
    [DataRow(0xEE030F10u, InstructionClass.EndsBlock, "MCR DACR")]
    [DataRow(0xEE0D0F30u, InstructionClass.EndsBlock, "MCR CONTEXTIDR")]
    [DataRow(0xEE080F17u, InstructionClass.EndsBlock, "MCR TLBIALL")]
    [DataRow(0xEE070F15u, InstructionClass.EndsBlock, "MCR ICIALLU")]
    [DataRow(0xEE070F35u, InstructionClass.EndsBlock, "MCR ICIMVAU")]
    [DataRow(0xEE0E0F33u, InstructionClass.EndsBlock, "MCR CNTV_CTL")]
    [DataRow(0xEC410F2Eu, InstructionClass.EndsBlock, "MCRR TTBR0")]
    [DataRow(0xEE11FF10u, InstructionClass.EndsBlock, "MRC to APSR_nzcv")]
    public void CoprocessorMovesEndTheirBlockOnlyWhereTheyChangeWhatTheLoopChecks(uint word, InstructionClass expected, string name)
    {
        Assert.AreEqual(expected, InstructionClassifier.ClassifyAarch32(Armv7Decoders.A32.Decode(word), word), name);
    }
}
