namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The soft-TLB fast paths (loads, stores and block fetches through the cached regime), the regime cache and the
/// JIT's self-loops, with stage 1 translation on, under both engines.
/// </summary>
[TestClass]
public sealed class LockstepMmuOnTests
{
    private const ulong Ram = LockstepPair.RamBase;
    private const ulong L1 = Ram + 0x1_0000, L2 = Ram + 0x1_1000, L3 = Ram + 0x1_2000;  // tables of ASID 1
    private const ulong L1B = Ram + 0x1_3000, L2B = Ram + 0x1_4000, L3B = Ram + 0x1_5000; // tables of ASID 2
    private const ulong Vbar = Ram + 0x800;
    private const ulong Code = Ram + 0x4000;
    private const ulong Data = Ram + 0x2_0000;     // page 0x20: read/write
    private const ulong ReadOnly = Ram + 0x2_1000; // page 0x21: AP[2] = 1
    private const ulong Unmapped = Ram + 0x2_2000; // page 0x22: invalid descriptor
    private const ulong Other = Ram + 0x3_0000;    // page 0x30: ASID 2 maps it to page 0x31
    private const ulong PageAttrs = (1UL << 11) | (1UL << 10) | (3UL << 8) | 0b11; // nG, AF, inner shareable, page, AttrIndx 0

    private static void Store64(LockstepPair pair, ulong pa, ulong value) => pair.Load(pa, (uint)value, (uint)(value >> 32));

    // Stage 1 for EL1&0: 39-bit VA, 4 KiB granule, non-global identity map of the first 1 MiB of RAM except a
    // read-only page and an unmapped page; the ASID 2 tables map page 0x30 to page 0x31. TTBR0 = ASID 1.
    private static LockstepPair MmuPair(int threshold = 0, long optimizeThreshold = 0)
    {
        var pair = new LockstepPair(threshold, optimizeThreshold: optimizeThreshold);
        foreach (var (l1, l2, l3, asid) in new[] { (L1, L2, L3, 1), (L1B, L2B, L3B, 2) })
        {
            Store64(pair, l1 + 8, l2 | 0b11);
            Store64(pair, l2, l3 | 0b11);
            for (ulong i = 0; i < 256; i++)
            {
                ulong pa = Ram + i * 0x1000;
                if (asid == 2 && pa == Other) pa += 0x1000;
                ulong d = pa | PageAttrs;
                if (Ram + i * 0x1000 == ReadOnly) d |= 1UL << 7; // AP[2]: read-only
                if (Ram + i * 0x1000 == Unmapped) d = 0;
                Store64(pair, l3 + i * 8, d);
            }
        }
        pair.Load(Vbar + 0x200, 0x14000000); // synchronous exception from EL1: b .
        pair.Setup(cpu =>
        {
            var s = cpu.Sys;
            s.Mair[1] = 0xFF;            // Attr0 = Normal write-back
            s.Tcr[1] = 25 | (1UL << 23); // T0SZ = 25, EPD1, ASID from TTBR0
            s.Ttbr0[1] = L1 | (1UL << 48);
            s.Vbar[1] = Vbar;
            s.Sctlr[1] |= 1;             // M
            cpu.State.PC = Code;
        });
        return pair;
    }

    [TestMethod]
    public void RandomMixesOfLoadsStoresAndAluWithTranslationOnMatchInterpreter()
    {
        // As LockstepMemoryTests' random mixes, with the base in a read/write, a read-only or (rarely) an unmapped
        // page: permission and translation faults are taken inside blocks and must be precise.
        var rng = new Random(11);
        using var pair = MmuPair();
        uint[] accesses =
        [
            0xf9400380, 0xf9000380, 0xb9400780, 0xb9000780, 0x39401380, 0x39001380,
            0xa9400780, 0xa9000780, 0x79400b80, 0x79000b80, 0xf8408780, 0xf81f8f80,
        ];
        int exceptions = 0;
        pair.Jit.Cpu.ExceptionEntered += (_, _) => exceptions++;
        const int sequences = 500;
        for (int s = 0; s < sequences; s++)
        {
            var words = new List<uint>();
            int n = 2 + rng.Next(20);
            for (int i = 0; i < n; i++)
            {
                if (rng.Next(3) == 0)
                {
                    uint a = accesses[rng.Next(accesses.Length)] | (uint)rng.Next(24);
                    if ((a & 0x3a000000) == 0x28000000) a |= (uint)rng.Next(24) << 10;
                    int r = rng.Next(16);
                    uint page = r == 0 ? 0x2000u : r < 4 ? 0x1000u : 0u;         // unmapped, read-only, read/write
                    words.Add(0xd2a80058);                                        // movz x24, #0x4002, lsl #16
                    words.Add(0xf2800000 | (page << 5) | 24);                     // movk x24, #page
                    words.Add(0x91000000 | (24u << 5) | 28u | ((uint)rng.Next(256) << 13)); // add x28, x24, #(k * 8)
                    words.Add(a);
                }
                else
                {
                    uint w;
                    do w = LockstepRandomTests.RandomDataProcessing(rng); while ((w & 31) is >= 24 and < 31);
                    words.Add(w);
                }
            }
            words.Add(0x14000000); // b .
            ulong at = Code + (ulong)(s % 32) * 0x100;
            foreach (var side in pair.Both)
            {
                for (int i = 0; i < words.Count; i++) side.Bus.TryWrite(at + 4 * (ulong)i, 4, words[i]);
                side.Cpu.State.PC = at;
            }
            pair.RunLockstep((ulong)words.Count);
        }
        Assert.IsGreaterThanOrEqualTo((long)sequences, pair.Jit.Cpu.Translations!.BlocksCompiled, "every sequence ran compiled");
        Assert.IsTrue(exceptions is > 20 and < sequences / 2, $"{exceptions} sequences faulted: some accesses are meant to fault");
    }

    [TestMethod]
    [DataRow(0L)]
    [DataRow(long.MaxValue)]
    public void SelfLoopFaultingInALaterPassIsPrecise(long optimizeThreshold)
    {
        // loop: ldr x1, [x0], #8; add x2, x2, x1; b loop. x0 walks from the read/write page through the read-only
        // page into the unmapped one: the translation fault comes in pass 544 of a block that loops on itself.
        using var pair = MmuPair(optimizeThreshold: optimizeThreshold);
        pair.Load(Code, 0xf8408401, 0x8b010042, 0x17fffffe);
        for (ulong a = Data + 0xF00; a < Unmapped; a += 8) Store64(pair, a, a * 3);
        pair.Setup(cpu => cpu.SetX(0, Data + 0xF00));
        var cpu = pair.Jit.Cpu;
        ulong faultAt = 0;
        cpu.ExceptionEntered += (_, _) => faultAt = cpu.State.Instructions;
        pair.RunLockstep(3000);
        Assert.AreEqual(Code, cpu.Sys.Elr[1], "ELR: the load");
        Assert.AreEqual(0x25UL, cpu.Sys.Esr[1] >> 26, "data abort, same EL");
        Assert.AreEqual(0b000111UL, cpu.Sys.Esr[1] & 0x3F, "translation fault, level 3");
        Assert.AreEqual(Unmapped, cpu.Sys.Far[1]);
        ulong sum = 0;
        for (ulong a = Data + 0xF00; a < Unmapped; a += 8) sum += a * 3;
        Assert.AreEqual(sum, cpu.X(2));
        Assert.AreEqual(544UL * 3, faultAt, "instructions retired before the faulting load (544 passes)");
        if (optimizeThreshold != 0) Assert.IsTrue(pair.BlocksCompared > 500, "the baseline block's passes were compared one by one");
        else Assert.IsTrue(pair.BlocksCompared < 10, $"{pair.BlocksCompared} returns: the region ran the passes without leaving");
    }

    [TestMethod]
    public void SelfLoopRewritingItsOwnCodeTakesEffectAtTheNextInstruction()
    {
        // loop: str w3, [x4]; add x0, x0, #1; subs x9, x9, #1; b.ne loop; b . — the store (through the TLB fast
        // path) rewrites the add of its own looping block to add x0, x0, #3.
        using var pair = MmuPair();
        pair.Load(Code, 0xb9000083, 0x91000400, 0xf1000529, 0x54ffffa1, 0x14000000);
        pair.Setup(cpu =>
        {
            cpu.SetX(3, 0x91000c00);
            cpu.SetX(4, Code + 4);
            cpu.SetX(9, 5);
        });
        pair.RunLockstep(40);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(15UL, jit.X(0));
        Assert.AreEqual(Code + 16, jit.State.PC);
        Assert.IsTrue(jit.Translations!.BlocksInvalidated >= 1);
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Jit)]
    public void MsrToTtbr0TakesEffectForTheNextAccess(ExecutionEngine engine)
    {
        // ldr x1, [x5]; msr ttbr0_el1, x6 (ASID 2 tables); isb; ldr x2, [x5]; msr ttbr0_el1, x7 (ASID 1); isb;
        // ldr x3, [x5]; b . — non-global entries of both ASIDs stay in the TLB, so only a fresh context (the MSR
        // dropping the cached regime) reads the other page.
        using var pair = MmuPair();
        pair.Load(Code, 0xf94000a1, 0xd5182006, 0xd5033fdf, 0xf94000a2, 0xd5182007, 0xd5033fdf, 0xf94000a3, 0x14000000);
        Store64(pair, Other, 0x1111);
        Store64(pair, Other + 0x1000, 0x2222);
        pair.Setup(cpu =>
        {
            cpu.SetX(5, Other);
            cpu.SetX(6, L1B | (2UL << 48));
            cpu.SetX(7, L1 | (1UL << 48));
        });
        var cpu = engine == ExecutionEngine.Jit ? pair.Jit.Cpu : pair.Interp.Cpu;
        if (engine == ExecutionEngine.Jit) pair.RunLockstep(30);
        else cpu.Run(30);
        Assert.AreEqual(0x1111UL, cpu.X(1), "ASID 1");
        Assert.AreEqual(0x2222UL, cpu.X(2), "ASID 2 maps the page elsewhere");
        Assert.AreEqual(0x1111UL, cpu.X(3), "ASID 1 again");
    }

    [TestMethod]
    public void SystemRegistersWrittenBetweenStepsAreSeen()
    {
        // ldr x1, [x5] twice; between the steps the host turns translation off (a debugger or test harness writing
        // SCTLR_EL1 directly): the second load reads the physical address x5 names.
        using var pair = MmuPair();
        var cpu = pair.Interp.Cpu;
        pair.Load(Code, 0xf94000a1, 0xf94000a1);
        Store64(pair, Other, 0x1111);
        Store64(pair, Other + 0x1000, 0x2222);
        cpu.Sys.Ttbr0[1] = L1B | (2UL << 48);
        cpu.SetX(5, Other);
        cpu.Step();
        Assert.AreEqual(0x2222UL, cpu.X(1));
        cpu.Sys.Sctlr[1] &= ~1UL;
        cpu.Step();
        Assert.AreEqual(0x1111UL, cpu.X(1));
    }

    [TestMethod]
    public void InstructionCacheInvalidateByVaDropsOnlyThatPage()
    {
        // A count-down loop in each of two code pages runs compiled; "ic ivau, x2" (x2 = an address in the first
        // page, translated through the TLB) drops the first page's blocks and keeps the second's, without a flush.
        using var pair = MmuPair();
        uint[] countDown = [0x91000400, 0xf1000421, 0x54ffffc1, 0x14000000]; // add x0,x0,#1; subs x1,x1,#1; b.ne; b .
        pair.Load(Code, countDown);
        pair.Load(Code + 0x1000, countDown);
        pair.Load(Code + 0x2000, 0xd50b7522, 0x14000000); // ic ivau, x2; b .
        foreach (ulong at in new[] { Code, Code + 0x1000 })
        {
            pair.Setup(cpu => { cpu.State.PC = at; cpu.SetX(1, 5); });
            pair.RunLockstep(16);
        }
        var t = pair.Jit.Cpu.Translations!;
        Assert.IsNotNull(t.Lookup(Code, 1)?.Code);
        Assert.IsNotNull(t.Lookup(Code + 0x1000, 1)?.Code);
        long flushes = t.Flushes;
        pair.Setup(cpu => { cpu.State.PC = Code + 0x2000; cpu.SetX(2, Code + 8); });
        pair.RunLockstep(1);
        Assert.IsNull(t.Lookup(Code, 1), "IC IVAU dropped the page of its VA");
        Assert.IsNotNull(t.Lookup(Code + 0x1000, 1)?.Code, "and only that page");
        Assert.AreEqual(flushes, t.Flushes);
    }
}
