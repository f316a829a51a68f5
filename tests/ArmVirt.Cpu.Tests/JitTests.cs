using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Firmware;
using ArmVirt.Cpu.Jit;
using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>JIT behaviour at the edges: faults inside blocks, interrupts, self-modifying code, tiering, the cache.</summary>
[TestClass]
public sealed class JitTests
{
    private const ulong Base = LockstepPair.RamBase;
    private const ulong Vbar = Base + 0x800;

    // Vector code at VBAR_EL1 + 0x200 (synchronous, current EL, SP_ELx) and + 0x280 (IRQ): add x5, x5, #1; b .
    private static void InstallVectors(LockstepPair pair)
    {
        pair.Load(Vbar + 0x200, 0x910004a5, 0x14000000);
        pair.Load(Vbar + 0x280, 0x910008a5, 0x14000000); // add x5, x5, #2; b .
        pair.Setup(cpu => cpu.Sys.Vbar[1] = Vbar);
    }

    // loop: add x0, x0, #1; subs x1, x1, #1; b.ne loop; b .
    private static readonly uint[] CountDown = [0x91000400, 0xf1000421, 0x54ffffc1, 0x14000000];
    private const uint AddX0X0Three = 0x91000c00;

    [TestMethod]
    public void FaultInsideABlockIsPrecise()
    {
        // CRC32B is UNDEFINED on a core without FEAT_CRC32: the third instruction of the block faults.
        var noCrc = new CpuConfiguration { Model = CpuModel.CortexA57 with { IdAa64Isar0 = 0x0000_0000_0000_1120 } };
        using var pair = new LockstepPair(0, noCrc);
        InstallVectors(pair);
        // mov x1, #5; add x2, x1, #3; crc32b w3, w1, w2; add x4, x2, #1; b .
        pair.Load(Base, 0xd28000a1, 0x91000c22, 0x1ac24023, 0x91000444, 0x14000000);
        pair.RunLockstep(100);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(Base + 8, cpu.Sys.Elr[1], "ELR is the faulting instruction");
        Assert.AreEqual(0UL, cpu.Sys.Esr[1] >> 26, "EC = unknown (UNDEFINED)");
        Assert.AreEqual(8UL, cpu.X(2));
        Assert.AreEqual(0UL, cpu.X(4), "the instruction after the fault ran");
        Assert.AreEqual(1UL, cpu.X(5));
        Assert.AreEqual(100UL, cpu.State.Instructions);
        Assert.AreEqual(100UL, cpu.State.Cycles);
        Assert.IsTrue(cpu.Translations!.BlocksCompiled >= 2);
    }

    [TestMethod]
    [DataRow(23UL)]
    [DataRow(400UL)]
    [DataRow(1001UL)]
    public void IrqIsTakenAtTheSameBoundary(ulong atCycle)
    {
        using var pair = new LockstepPair(2);
        InstallVectors(pair);
        pair.Load(Base, LockstepProgramTests.MixedLoop);
        pair.Setup(cpu => cpu.State.Daif = 0);
        var entered = new Dictionary<LockstepPair.Side, ulong>();
        foreach (var side in pair.Both)
        {
            var s = side;
            s.Clock.Schedule(atCycle, () => s.Cpu.Irq.Set(true));
            s.Cpu.ExceptionEntered += (kind, el) => entered[s] = s.Cpu.State.Cycles;
        }
        pair.RunLockstep(3000);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(atCycle, entered[pair.Jit], "IRQ taken at the first boundary after the line rose");
        Assert.AreEqual(atCycle, entered[pair.Interp]);
        Assert.AreEqual(2UL, cpu.X(5), "IRQ vector ran once");
        Assert.AreEqual(Vbar + 0x284, cpu.State.PC);
        Assert.AreNotEqual(0UL, cpu.Sys.Elr[1]);
        Assert.IsTrue(pair.BlocksCompared > 0);
    }

    [TestMethod]
    [DataRow(long.MaxValue)]
    [DataRow(0L)]
    public void MaskedPendingInterruptDoesNotStopCompiledCode(long optimizeThreshold)
    {
        using var pair = new LockstepPair(0, optimizeThreshold: optimizeThreshold);
        pair.Load(Base, LockstepProgramTests.MixedLoop);
        foreach (var side in pair.Both) side.Cpu.Irq.Set(true); // DAIF.I is set from reset
        pair.RunLockstep(2000);
        Assert.AreEqual(2000UL, pair.Jit.Cpu.State.Instructions);
        var t = pair.Jit.Cpu.Translations!;
        if (optimizeThreshold == long.MaxValue)
        {
            // Blocks: each is compared on return, and they kept running compiled.
            Assert.IsTrue(pair.BlocksCompared > 100, $"only {pair.BlocksCompared} blocks compared");
        }
        else
        {
            // A region loops inside compiled code: it left it no more often than at the masked line's early exits.
            Assert.IsTrue(t.BlocksOptimized > 0, "nothing was optimized");
            Assert.IsTrue(pair.BlocksCompared > 0);
        }
    }

    [TestMethod]
    public void StoreIntoATranslatedPageInvalidatesIt()
    {
        using var pair = new LockstepPair(0);
        pair.Load(Base, CountDown);
        pair.Setup(cpu => cpu.SetX(1, 1000));
        // At cycle 600 (loop hot and compiled) rewrite "add x0, x0, #1" as "add x0, x0, #3" through a data write.
        foreach (var side in pair.Both)
        {
            var s = side;
            s.Clock.Schedule(600, () => s.Cpu.WriteMemory(Base, 4, AddX0X0Three));
        }
        pair.RunLockstep(3010);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(Base + 12, cpu.State.PC);
        Assert.AreEqual(200UL + 3 * 800, cpu.X(0));
        Assert.IsTrue(cpu.Translations!.BlocksInvalidated >= 1);
    }

    [TestMethod]
    public void BusWriteIntoATranslatedPageInvalidatesIt()
    {
        using var pair = new LockstepPair(0);
        pair.Load(Base, CountDown);
        pair.Setup(cpu => cpu.SetX(1, 1000));
        foreach (var side in pair.Both)
        {
            var s = side;
            s.Clock.Schedule(900, () => s.Bus.TryWrite(Base, 4, AddX0X0Three));
        }
        pair.RunLockstep(3010);
        Assert.AreEqual(300UL + 3 * 700, pair.Jit.Cpu.X(0));
    }

    [TestMethod]
    public void ColdBlocksAreInterpretedUntilTheThresholdThenTierUp()
    {
        using var pair = new LockstepPair(5, optimizeThreshold: 10);
        pair.Load(Base, CountDown);
        pair.Setup(cpu => cpu.SetX(1, 100));
        pair.RunLockstep(15); // five iterations of the 3-instruction loop block: all interpreted
        var t = pair.Jit.Cpu.Translations!;
        var block = t.Lookup(Base, 1)!;
        Assert.AreEqual(5L, block.ExecutionCount);
        Assert.IsNull(block.Code);
        Assert.AreEqual(0, pair.BlocksCompared);
        pair.RunLockstep(3); // sixth entry compiles the baseline tier and runs it
        Assert.AreEqual(JitTier.Baseline, block.Tier);
        Assert.AreEqual(1, pair.BlocksCompared);
        pair.RunLockstep(15); // eleventh entry recompiles with the handlers inlined
        Assert.AreEqual(JitTier.Optimized, block.Tier);
        Assert.AreEqual(2L, t.BlocksCompiled);
        Assert.AreEqual(1L, t.BlocksOptimized);
        Assert.AreEqual(6, pair.BlocksCompared);
        Assert.AreEqual(3, block.Length);
    }

    [TestMethod]
    public void TracingInterpretsEverything()
    {
        using var pair = new LockstepPair(0);
        pair.Load(Base, CountDown);
        pair.Setup(cpu => cpu.SetX(1, 100));
        int traced = 0;
        pair.Jit.Cpu.TraceInstruction = (_, _) => traced++;
        pair.RunLockstep(200);
        Assert.AreEqual(200, traced);
        Assert.AreEqual(0L, pair.Jit.Cpu.Translations!.BlocksCompiled);
    }

    [TestMethod]
    public void InstructionCacheMaintenanceDropsTranslations()
    {
        // The count-down loop runs compiled; then "ic ivau, x2" (x2 = the loop's page) drops its page. The loop is
        // rewritten behind the CPU's back (Bus.Load raises no write event), and "ic iallu" makes it be picked up, as the
        // architecture requires of the guest: the rewritten page's code is dropped when it is next entered, while the
        // code of the pages that did not change is kept (no flush).
        using var pair = new LockstepPair(0);
        pair.Load(Base, CountDown);
        pair.Load(Base + 0x2000, 0xd50b7522, 0x14000000); // ic ivau, x2; b .
        pair.Load(Base + 0x3000, 0xd2800000 | (1u << 5) | 21u, 0xd508751f, 0x14000000); // mov x21, #1; ic iallu; b .
        pair.Setup(cpu => { cpu.SetX(1, 10); cpu.SetX(2, Base + 8); });
        pair.RunLockstep(30);
        var t = pair.Jit.Cpu.Translations!;
        Assert.IsNotNull(t.Lookup(Base, 1)?.Code);
        pair.Setup(cpu => cpu.State.PC = Base + 0x2000);
        pair.RunLockstep(1);
        Assert.IsNull(t.Lookup(Base, 1), "IC IVAU dropped the loop's page");
        Assert.IsTrue(t.BlocksInvalidated >= 1);
        var ivau = t.Lookup(Base + 0x2000, 1);
        Assert.IsNotNull(ivau);
        pair.Setup(cpu => { cpu.State.PC = Base; cpu.SetX(1, 10); });
        pair.RunLockstep(30);
        Assert.IsNotNull(t.Lookup(Base, 1)?.Code, "the loop compiled again");
        Assert.AreEqual(10UL + 10, pair.Jit.Cpu.X(0));
        foreach (var side in pair.Both) side.Bus.Load(Base, BitConverter.GetBytes(AddX0X0Three)); // no write event, no flush
        pair.Setup(cpu => cpu.State.PC = Base + 0x3000);
        long flushes = t.Flushes;
        pair.RunLockstep(3);
        Assert.AreEqual(flushes, t.Flushes, "IC IALLU flushed nothing");
        pair.Setup(cpu => { cpu.State.PC = Base; cpu.SetX(1, 10); });
        pair.RunLockstep(30);
        Assert.AreEqual(20UL + 3 * 10, pair.Jit.Cpu.X(0), "the rewritten loop ran");
        pair.Setup(cpu => cpu.State.PC = Base + 0x2000);
        pair.RunLockstep(2);
        Assert.AreSame(ivau, t.Lookup(Base + 0x2000, 1), "the unchanged page kept its code");
        Assert.IsTrue(t.PagesRechecked >= 2);
    }

    [TestMethod]
    public void HandlersThatReadTheCycleCounterSeeTheInterpretersValue()
    {
        // loop: add x5, x5, #1; eor x6, x6, x5; mov w0, #0x30; mov x1, x7; hlt #0xf000 (SYS_ELAPSED: cycles into
        // [x7]); add x7, x7, #8; subs x9, x9, #1; b.ne loop; b .
        using var pair = new LockstepPair(0);
        pair.Load(Base, 0x910004a5, 0xca0500c6, 0x52800600, 0xaa0703e1, 0xd45e0000, 0x910020e7, 0xf1000529, 0x54ffff21, 0x14000000);
        ulong buffer = Base + 0x4000;
        foreach (var side in pair.Both)
        {
            side.Cpu.Semihosting = new Semihosting(Stream.Null);
            side.Cpu.SetX(7, buffer);
            side.Cpu.SetX(9, 20);
        }
        pair.RunLockstep(200);
        Assert.IsTrue(pair.BlocksCompared >= 20);
        for (int i = 0; i < 20; i++)
        {
            Assert.IsTrue(pair.Jit.Bus.TryRead(buffer + 8 * (ulong)i, 8, out ulong cycles));
            Assert.AreEqual(4UL + 8UL * (ulong)i, cycles, $"SYS_ELAPSED in iteration {i}");
        }
    }

    [TestMethod]
    public void ShortBlocksSkipTheBaselineTierAndGoStraightToTheirRegion()
    {
        // CountDown's loop is a 3-instruction block: under JitBaselineMinimumLength it is not compiled at JitThreshold
        // but runs predecoded until JitOptimizeThreshold entries, then as a region. With the minimum at 0 it compiles.
        foreach (int minimum in new[] { 4, 0 })
        {
            using var h = new CpuHarness(1, CountDown);
            var cpu = h.Cpu;
            cpu.Engine = ExecutionEngine.Jit;
            cpu.JitThreshold = 10;
            cpu.JitOptimizeThreshold = 100;
            cpu.JitBaselineMinimumLength = minimum;
            cpu.JitBackgroundCompilation = false;
            cpu.SetX(1, 1000);
            cpu.Run(3 * 50);
            var block = cpu.Translations!.Lookup(Base, 1)!;
            Assert.AreEqual(minimum == 0 ? JitTier.Baseline : JitTier.None, block.Tier, $"after 50 entries, minimum {minimum}");
            if (minimum != 0) Assert.AreEqual(150UL, cpu.Statistics.InstructionsPredecoded, "the short block ran predecoded");
            cpu.ClearStop();
            cpu.Run(3 * 200);
            block = cpu.Translations!.Lookup(Base, 1)!;
            Assert.AreEqual(JitTier.Optimized, block.Tier, $"after 250 entries ({block.ExecutionCount} counted), minimum {minimum}");
            Assert.AreEqual(250UL, cpu.X(0));
            Assert.IsTrue(cpu.Statistics.InstructionsRegions > 0, "the loop ran as a region");
        }
    }

    [TestMethod]
    public void ResetFlushesTranslationsBecauseLoadersWriteSilently()
    {
        using var h = new CpuHarness(1, CountDown);
        h.Cpu.Engine = ExecutionEngine.Jit;
        h.Cpu.JitThreshold = 0;
        h.Cpu.JitBaselineMinimumLength = 0;
        h.Cpu.JitBackgroundCompilation = false;
        h.Cpu.SetX(1, 5);
        h.Cpu.Run(15);
        Assert.AreEqual(5UL, h.Cpu.X(0));
        Assert.IsNotNull(h.Cpu.Translations!.Lookup(Base, 1)?.Code);
        // Reboot as Machine does: reset, reload RAM through PhysicalBus.Load (no write event), run again.
        h.Cpu.Reset();
        h.Load(Base, AddX0X0Three);
        h.Cpu.State.PC = Base;
        h.Cpu.SetX(1, 5);
        h.Cpu.Run(15);
        Assert.AreEqual(15UL, h.Cpu.X(0), "the reloaded code ran");
    }

    [TestMethod]
    public void IllegalExecutionStateIsNeverRunCompiled()
    {
        using var pair = new LockstepPair(0);
        pair.Load(Base, CountDown);
        pair.Setup(cpu =>
        {
            cpu.SetX(1, 100);
            cpu.State.IllegalState = true; // every instruction must go through Step's PSTATE.IL check
        });
        pair.RunLockstep(50);
        Assert.AreEqual(0L, pair.Jit.Cpu.Translations!.BlocksCompiled);
        Assert.AreEqual(0, pair.BlocksCompared);
    }

    [TestMethod]
    [DataRow(long.MaxValue)]
    [DataRow(0L)]
    public void SwitchingEnginesMidRunKeepsState(long optimizeThreshold)
    {
        using var pair = new LockstepPair(0, optimizeThreshold: optimizeThreshold);
        pair.Load(Base, LockstepProgramTests.MixedLoop);
        pair.Jit.Cpu.Engine = ExecutionEngine.Interpreter;
        pair.RunLockstep(777);
        Assert.AreEqual(0, pair.BlocksCompared, "interpreted: no compiled code ran");
        pair.Jit.Cpu.Engine = ExecutionEngine.Jit;
        pair.RunLockstep(1500);
        // Blocks return after every pass; a region keeps the loop inside and returns far less often.
        Assert.IsTrue(pair.BlocksCompared > (optimizeThreshold == long.MaxValue ? 50 : 0), $"{pair.BlocksCompared} compared");
        Assert.AreEqual(777UL + 1500, pair.Jit.Cpu.State.Instructions);
    }

    [TestMethod]
    public void BlocksEndAtBranchesPagesAndTheCap()
    {
        using var h = new CpuHarness(1);
        var nops = Enumerable.Repeat(0xaa0003e0u, 100).ToArray(); // mov x0, x0
        h.Load(CpuHarness.RamBase, nops);
        Assert.AreEqual(TranslationBlock.MaxInstructions, BlockBuilder.Build(h.Cpu, CpuHarness.RamBase).Length);
        var nearPageEnd = BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 0x1000 - 8);
        h.Load(CpuHarness.RamBase + 0x1000 - 8, 0xaa0003e0, 0xaa0003e0, 0x14000000);
        nearPageEnd = BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 0x1000 - 8);
        Assert.AreEqual(2, nearPageEnd.Length);
        Assert.IsFalse(nearPageEnd.EndsWithTerminator);
        h.Load(CpuHarness.RamBase + 0x2000, CountDown);
        var loop = BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 0x2000);
        Assert.AreEqual(3, loop.Length);
        Assert.IsTrue(loop.EndsWithTerminator);
        Assert.AreEqual(0, BlockBuilder.Build(h.Cpu, 0x1000).Length, "not RAM");
        Assert.AreEqual(0, BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 2).Length, "misaligned");
    }

    [TestMethod]
    public void ClassificationIsConservative()
    {
        Assert.AreEqual(InstructionClass.Plain, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0x91000400)));
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0x54ffffc1)));
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(A64Decoder.Unallocated));
        var foreign = A64Encoding.Pattern("ADD copy", "x 0 0 100010 x xxxxxxxxxxxx xxxxx xxxxx", AluImmediate.AddImmediate);
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(foreign));
        Assert.AreEqual(InstructionClass.Plain, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xd503201f)), "NOP");
        Assert.AreEqual(InstructionClass.Plain, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xd5033bbf)), "DMB ISH");
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xd5033fdf)), "ISB");
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xd503207f)), "WFI");
        Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xd5384100)), "MRS");
        Assert.AreEqual(InstructionClass.Memory, InstructionClassifier.Classify(A64Decoder.Instance.Decode(0xf9400062)), "LDR");
        foreach (var row in BranchTable.Entries)
            Assert.AreEqual(InstructionClass.EndsBlock, InstructionClassifier.Classify(row), row.Name);
        // SYS words: data cache maintenance by VA is a load/store; other SYS operations still end blocks.
        static InstructionClass Sys(uint word) => InstructionClassifier.Classify(A64Decoder.Instance.Decode(word), word);
        Assert.AreEqual(InstructionClass.Memory, Sys(Enc.DcZvaX0), "DC ZVA");
        Assert.AreEqual(InstructionClass.Memory, Sys(Enc.DcCivacX0), "DC CIVAC");
        Assert.AreEqual(InstructionClass.Memory, Sys(Enc.DcIvacX0), "DC IVAC");
        Assert.AreEqual(InstructionClass.Memory, Sys(Enc.DcCvauX0), "DC CVAU");
        Assert.AreEqual(InstructionClass.EndsBlock, Sys(Enc.DcCiswX0), "DC CISW");
        Assert.AreEqual(InstructionClass.EndsBlock, Sys(0xd50b7520), "IC IVAU drops code: it ends its block");
        Assert.AreEqual(InstructionClass.EndsBlock, Sys(0xd508871f), "TLBI VMALLE1");
        Assert.AreEqual(InstructionClass.EndsBlock, Sys(0xd5087800), "AT S1E1R");
    }

    [TestMethod]
    public void CacheIsFlushedWhenFull()
    {
        using var h = new CpuHarness(1);
        h.Load(CpuHarness.RamBase, CountDown);
        var cache = new TranslationCache(capacity: 2);
        var a = cache.Add(BlockBuilder.Build(h.Cpu, CpuHarness.RamBase));
        var b = cache.Add(BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 4));
        Assert.AreSame(a, cache.Lookup(CpuHarness.RamBase, 1));
        Assert.IsNull(cache.Lookup(CpuHarness.RamBase, 2), "EL is part of the key");
        var c = cache.Add(BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 8));
        Assert.AreEqual(1, cache.Count);
        Assert.AreEqual(1L, cache.Flushes);
        Assert.IsTrue(a.Invalidated && b.Invalidated && !c.Invalidated);
        Assert.IsNull(cache.Lookup(CpuHarness.RamBase, 1));
        h.Load(CpuHarness.RamBase + 0x1000, CountDown);
        var d = cache.Add(BlockBuilder.Build(h.Cpu, CpuHarness.RamBase + 0x1000));
        cache.Invalidate(CpuHarness.RamBase + 0xFFC, 8); // straddles into the next page: d's first instruction
        Assert.IsTrue(d.Invalidated);
        Assert.IsFalse(c.Invalidated, "a write next to a block, in its page, leaves it");
        cache.Invalidate(CpuHarness.RamBase + 0xA, 1); // one byte of c's instruction
        Assert.IsTrue(c.Invalidated);
        Assert.AreEqual(0, cache.Count);
    }

    [TestMethod]
    public void BlocksAtOneAddressFetchedFromDifferentPagesCoexist()
    {
        // A hypervisor and its guest (or two processes) run different code at the same VA: each keeps its block.
        using var h = new CpuHarness(1);
        const ulong va = 0x8000, pa0 = CpuHarness.RamBase;
        for (int i = 0; i < 6; i++) h.Load(pa0 + 0x1000 * (ulong)i, CountDown);
        var cache = new TranslationCache();
        var blocks = Enumerable.Range(0, 6).Select(i => cache.Add(BlockBuilder.Build(h.Cpu, va, pa0 + 0x1000 * (ulong)i))).ToArray();
        // Four are kept (MaxAliases), the newest first; the two oldest were dropped.
        Assert.IsTrue(blocks[0].Invalidated && blocks[1].Invalidated);
        for (int i = 2; i < 6; i++)
        {
            Assert.IsFalse(blocks[i].Invalidated, $"block {i}");
            Assert.AreSame(blocks[i], cache.Lookup(va, 1, pa0 + 0x1000 * (ulong)i));
        }
        Assert.AreEqual(4, cache.Count);
        Assert.AreSame(blocks[5], cache.Lookup(va, 1), "the newest");
        Assert.IsNull(cache.Lookup(va, 1, pa0), "a dropped one is not found");
        // A block built again from the same page replaces the one it had.
        var again = cache.Add(BlockBuilder.Build(h.Cpu, va, pa0 + 0x3000));
        Assert.IsTrue(blocks[3].Invalidated);
        Assert.AreSame(again, cache.Lookup(va, 1, pa0 + 0x3000));
        Assert.AreEqual(4, cache.Count);
        // A write to one page drops only the block fetched from it, wherever it sits in the chain.
        cache.Invalidate(pa0 + 0x4000, 4);
        Assert.IsTrue(blocks[4].Invalidated);
        Assert.IsNull(cache.Lookup(va, 1, pa0 + 0x4000));
        Assert.AreSame(blocks[2], cache.Lookup(va, 1, pa0 + 0x2000));
        Assert.AreSame(blocks[5], cache.Lookup(va, 1, pa0 + 0x5000));
        Assert.AreSame(again, cache.Lookup(va, 1));
        Assert.AreEqual(3, cache.Count);
        cache.Invalidate(pa0 + 0x3000, 4); // the head
        Assert.AreSame(blocks[5], cache.Lookup(va, 1));
        Assert.AreEqual(2, cache.Count);
        cache.Flush();
        Assert.IsTrue(blocks[2].Invalidated && blocks[5].Invalidated);
        Assert.AreEqual(0, cache.Count);
    }

    [TestMethod]
    public void DataWrittenNextToARegionLeavesItCompiled()
    {
        // The loop counts x0 up and stores it to a word in its own page, 0x800 past the code: the region, compiled
        // once, keeps running (page-granular invalidation dropped it at every store). A store into the loop's own
        // code (x2 = the address of the ADD) then drops it, and the rewritten instruction runs.
        var asm = new A64Assembler();
        int loop = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));      // add x0, x0, #1
        asm.Emit(LdrUImm(2, 0, 0, 4, 0));                  // str w0, [x4]
        asm.Emit(AddImm(true, true, true, 1, 1, 1));       // subs x1, x1, #1
        asm.BCond(1, loop);                                 // b.ne loop
        asm.Emit(LdrUImm(2, 0, 5, 2, 0));                  // str w5, [x2]
        asm.Emit(Movz(true, 1, 3));                         // mov x1, #3
        asm.B(loop);
        using var pair = new LockstepPair(0);
        pair.Load(Base, asm.Finish());
        pair.Setup(cpu =>
        {
            cpu.SetX(1, 500);
            cpu.SetX(2, Base);
            cpu.SetX(4, Base + 0x800);
            cpu.SetX(5, AddX0X0Three);
        });
        pair.RunLockstep(2000);
        pair.AssertSameState("after the loop", memory: true);
        var t = pair.Jit.Cpu.Translations!;
        Assert.AreEqual(1L, t.RegionsCompiled, "the stores next to the code left its region compiled");
        Assert.AreEqual(0L, t.BlocksInvalidated);
        pair.RunLockstep(30);
        pair.AssertSameState("after the code was rewritten", memory: true);
        Assert.IsTrue(t.BlocksInvalidated >= 1, "the store into the loop dropped it");
        // 30 instructions: twice the rewrite, MOV, B and three passes of the loop, whose ADD now adds 3.
        Assert.AreEqual(500UL + 2 * 3 * 3, pair.Jit.Cpu.X(0), "the rewritten ADD (x0 += 3) ran");
    }

    [TestMethod]
    public void LambdaHandlersAreCalledOnTheirClosure()
    {
        // A64Decoder.Unallocated's handler is a lambda: the compiled block must call it on its closure object.
        using var h = new CpuHarness(1);
        h.Load(CpuHarness.RamBase, 0x91000400, 0x00000000);
        var block = BlockBuilder.Build(h.Cpu, CpuHarness.RamBase);
        Assert.AreEqual(2, block.Length);
        Assert.IsNotNull(block.Encodings[1].Handler.Target);
        var code = BlockCompiler.Compile(block, 1);
        code(h.Cpu);
        // The handler took the UNDEFINED exception itself: ELR names the unallocated instruction, ESR is EC 0x00.
        Assert.AreEqual(CpuHarness.RamBase + 4, h.Cpu.Sys.Elr[1], "ELR_EL1 names the unallocated instruction");
        Assert.AreEqual(0x0200_0000UL, h.Cpu.Sys.Esr[1], "ESR_EL1: EC 0x00 (unknown reason), IL 1");
        Assert.AreEqual(h.Cpu.Sys.Vbar[1] + 0x200, h.Cpu.State.PC, "at the current-EL synchronous vector");
        Assert.AreEqual(1UL, h.Cpu.X(0));
    }

    [TestMethod]
    public void ABlockAdoptsAnOlderRegionOfItsPage()
    {
        // main calls A1, then B, then A2 through BLR (each call ends main's current region); A1 falls into A2's loop,
        // so A2 starts a basic block of A1's region, but is first entered as a block of its own after B's region and
        // two more of main's were compiled in the same page. It must run A1's region rather than compile another.
        var asm = new A64Assembler();
        int a1 = asm.NewLabel(), a2 = asm.NewLabel(), b = asm.NewLabel(), loopB = asm.NewLabel();
        asm.Adr(3, a1);
        asm.Emit(Blr(3));
        asm.Adr(3, b);
        asm.Emit(Blr(3));
        asm.Emit(Movz(true, 2, 7));
        asm.Adr(3, a2);
        asm.Emit(Blr(3));
        asm.Emit(SelfBranch);
        asm.Bind(a1);
        asm.Emit(Movz(true, 2, 5));
        asm.Bind(a2);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));
        asm.Emit(AddImm(true, true, true, 2, 2, 1));
        asm.BCond(1, a2);
        asm.Emit(Ret);
        asm.Bind(b);
        asm.Emit(Movz(true, 4, 6));
        asm.Bind(loopB);
        asm.Emit(AddImm(true, true, true, 4, 4, 1));
        asm.BCond(1, loopB);
        asm.Emit(Ret);
        uint[] code = asm.Finish();
        using var pair = new LockstepPair(0);
        pair.Load(Base, code);
        pair.RunLockstep(80);
        var t = pair.Jit.Cpu.Translations!;
        Assert.AreEqual(12UL, pair.Jit.Cpu.X(0), "A's loop ran 5 + 7 times");
        ulong a1Pc = Base + 4 * (ulong)asm.IndexOf(a1), a2Pc = Base + 4 * (ulong)asm.IndexOf(a2);
        var a1Block = t.Lookup(a1Pc, 1)!;
        var a2Block = t.Lookup(a2Pc, 1)!;
        Assert.AreEqual(JitTier.Optimized, a2Block.Tier);
        Assert.AreSame(a1Block.Code, a2Block.Code, "A2 runs A1's region");
        // Regions: main at its start, A1, main after the first call, B, main after the second call, main's last block.
        Assert.AreEqual(6L, t.RegionsCompiled);
    }

    [TestMethod]
    public void ARegionTooLargeForRyuJitToOptimizeIsFormedSmaller()
    {
        // 256 STP (pre-index) in a row: IL-heavy enough (host TLB lookup, two stores, two observer notifications each)
        // that the 256-instruction region would pass RegionCompiler.MaxIlBytes. The region is formed again with 128,
        // so the block at the 128th instruction is not one of its entries and compiles a region of its own.
        var code = new uint[257];
        for (int i = 0; i < 256; i++) code[i] = Pair(2, false, 1, 2, 3, -2, 3); // stp x1, x2, [x3, #-16]!
        code[256] = SelfBranch;
        using var pair = new LockstepPair(0);
        pair.Load(Base, code);
        pair.Setup(cpu =>
        {
            cpu.SetX(1, 0x1111);
            cpu.SetX(2, 0x2222);
            cpu.SetX(3, Base + 0x20000);
        });
        pair.RunLockstep(300);
        pair.AssertSameState("after the stores", memory: true);
        var t = pair.Jit.Cpu.Translations!;
        Assert.AreEqual(Base + 0x20000 - 256 * 16, pair.Jit.Cpu.X(3));
        var first = t.Lookup(Base, 1)!;
        var half = t.Lookup(Base + 4 * 128, 1)!;
        Assert.AreEqual(JitTier.Optimized, half.Tier);
        Assert.AreNotSame(first.Code, half.Code, "the first region stops before the 128th instruction");
        Assert.AreEqual(0, half.RegionEntry, "the block at the 128th instruction starts a region of its own");
    }

    [TestMethod]
    public void ARegionIsCheckedAgainstRamBeforeItIsPublished()
    {
        // The background compiler forms a region from a copy of its page; before publishing it, it compares the
        // region's words with RAM, so that a write to them during the compile (racing Invalidate) discards the result.
        using var h = new CpuHarness(1);
        h.Load(CpuHarness.RamBase, CountDown);
        var block = BlockBuilder.Build(h.Cpu, CpuHarness.RamBase);
        var region = Region.Form(h.Cpu, block)!;
        Assert.IsTrue(region.MatchesRam(h.Cpu));
        Assert.IsTrue(h.Bus.TryWrite(CpuHarness.RamBase + 0x800, 4, 0xdeadbeef), "data next to the code");
        Assert.IsTrue(region.MatchesRam(h.Cpu), "a word outside the region");
        Assert.IsTrue(h.Bus.TryWrite(CpuHarness.RamBase + 4, 4, AddX0X0Three));
        Assert.IsFalse(region.MatchesRam(h.Cpu), "one of its instructions was rewritten");
    }
}
