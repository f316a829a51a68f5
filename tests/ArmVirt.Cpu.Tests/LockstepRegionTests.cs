using ArmVirt.Core;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Jit;
using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The optimized tier's regions (a block's reachable code of its page compiled into one method, loops inside) under
/// lockstep with the interpreter: random control-flow programs, and the exactness cases a region must keep —
/// clock deadlines and instruction limits inside its loops, faults in a later basic block on a later pass,
/// self-modifying code in its own page, SP alignment faults and MMIO accesses.
/// </summary>
[TestClass]
public sealed class LockstepRegionTests
{
    internal const ulong Ram = LockstepPair.RamBase;
    internal const ulong Vbar = Ram + 0x800;
    internal const ulong Code = Ram + 0x1_0000;
    internal const ulong DataArea = Ram + 0x8_0000;
    private const ulong DeviceBase = 0x0900_0000;

    // Synchronous exception, current EL with SPx: skip the faulting instruction (SVC's ELR already points past it).
    // mrs x27, esr_el1; lsr x27, x27, #26; cmp x27, #0x15; b.eq 1f; mrs x27, elr_el1; add x27, x27, #4;
    // msr elr_el1, x27; 1: eret
    internal static readonly uint[] SkipHandler =
        [0xd538521b, 0xd35aff7b, 0xf100577f, 0x54000080, 0xd538403b, 0x9100137b, 0xd518403b, Eret];

    private const ulong L1 = Ram + 0xC_0000, L2 = Ram + 0xC_1000, L3 = Ram + 0xC_2000;
    private const ulong AliasL2 = Ram + 0xC_3000, AliasL3 = Ram + 0xC_4000;
    private const ulong PageAttrs = (1UL << 10) | (3UL << 8) | 0b11; // AF, inner shareable, page, AttrIndx 0

    // The JIT compiles every block straight to a region (on its CPU's thread unless `background`). With `mmu`, stage 1 translation is on for EL1&0 (39-bit VA,
    // 4 KiB granule, identity map of the 1 MiB of RAM as Normal memory): only then do the regions' emitted loads and
    // stores take the soft-TLB fast path (with translation off every access is Device memory and takes the handler).
    // RAM is also mapped 4 GiB higher, rotated by one page: a register offset with UXTW of a negative index reaches
    // RAM through this second mapping (other data, other TLB entries) instead of faulting.
    // With `predecoded` nothing is ever compiled: every block runs in the JIT engine's predecoded interpreter tier.
    // With `timing` both CPUs charge that model's costs (regions then charge them too: RegionCompiler.Timing.cs).
    internal static LockstepPair RegionPair(bool mmu = false, ulong cyclesPerInstruction = 1, bool background = false, bool predecoded = false,
        Timing.TimingModel? timing = null)
    {
        var pair = predecoded
            ? new LockstepPair(jitThreshold: int.MaxValue, optimizeThreshold: long.MaxValue, cyclesPerInstruction: cyclesPerInstruction, timing: timing)
            : new LockstepPair(jitThreshold: 0, optimizeThreshold: 0, background: background, cyclesPerInstruction: cyclesPerInstruction, timing: timing);
        if (!mmu) return pair;
        Store64(pair, L1 + 8, L2 | 0b11);
        Store64(pair, L2, L3 | 0b11);
        Store64(pair, L1 + 5 * 8, AliasL2 | 0b11);
        Store64(pair, AliasL2, AliasL3 | 0b11);
        const ulong pages = LockstepPair.RamSize / 0x1000;
        for (ulong i = 0; i < pages; i++)
        {
            Store64(pair, L3 + i * 8, (Ram + i * 0x1000) | PageAttrs);
            Store64(pair, AliasL3 + i * 8, (Ram + (i + 1) % pages * 0x1000) | PageAttrs);
        }
        pair.Setup(cpu =>
        {
            var s = cpu.Sys;
            s.Mair[1] = 0xFF;            // Attr0 = Normal write-back
            s.Tcr[1] = 25 | (1UL << 23); // T0SZ = 25, EPD1
            s.Ttbr0[1] = L1;
            s.Sctlr[1] |= 1;             // M
        });
        return pair;
    }

    private static void Store64(LockstepPair pair, ulong pa, ulong value) => pair.Load(pa, (uint)value, (uint)(value >> 32));

    // The program at Code, where both CPUs start.
    internal static void LoadAtCode(LockstepPair pair, params uint[] program)
    {
        pair.Load(Code, program);
        pair.Setup(cpu => cpu.State.PC = Code);
    }

    /// <summary>
    /// Random programs of <see cref="RegionProgramGenerator"/>, each run for 2000..5000 instructions in lockstep (state
    /// compared at every region return, registers and all of RAM at the end). ARMVIRT_REGION_PROGRAMS and
    /// ARMVIRT_REGION_SEED run more programs or another seed when hunting a divergence.
    /// </summary>
    [TestMethod]
    [DataRow(true, false, false)]
    [DataRow(false, false, false)]
    [DataRow(true, true, false)]
    [DataRow(true, false, true, DisplayName = "predecoded tier, MMU on")]
    [DataRow(false, false, true, DisplayName = "predecoded tier, MMU off")]
    public void RandomControlFlowProgramsMatchInterpreter(bool mmu, bool background, bool predecoded)
    {
        int programs = int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_REGION_PROGRAMS") ?? "320");
        int seed = int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_REGION_SEED") ?? "20261203");
        if (background) programs /= 4; // which entries run compiled depends on the compile thread: state still matches
        if (predecoded) programs /= 2;
        var rng = new Random(seed + (mmu ? 1 : 0) + (background ? 2 : 0) + (predecoded ? 4 : 0));
        using var pair = RegionPair(mmu, background: background, predecoded: predecoded);
        var (retired, _) = RunRandomPrograms(pair, rng, programs);
        if (predecoded)
        {
            AssertPredecodedRan(pair, retired);
            return;
        }
        if (background)
        {
            // Compiles still queued must not read the RAM that disposing the pair frees (see
            // QueuedRegionCompilesSurviveTheMachineBeingDisposed): drop them and let one in flight finish.
            pair.Jit.Cpu.FlushTranslatedCode();
            Thread.Sleep(300);
            return;
        }
        Assert.IsTrue(pair.Jit.Cpu.Translations!.BlocksOptimized >= programs, "every program ran in regions");
        Assert.IsTrue(pair.BlocksCompared < (long)retired / 8, "regions ran loops without returning to the execution loop");
    }

    /// <summary>
    /// Random programs whose regions are compiled at 300 entries, when the targets of their BR and BLR have run often
    /// enough to be roots of the regions (<see cref="TranslationBlock.RegionRoots"/>): BR and BLR then jump inside the
    /// region through its indirect-branch stub, and the state still matches the interpreter.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void RandomProgramsWithRootedRegionsMatchInterpreter(bool mmu)
    {
        var rng = new Random(20261207 + (mmu ? 1 : 0));
        using var pair = RegionPair(mmu);
        pair.Jit.Cpu.JitOptimizeThreshold = 300;
        RunRandomPrograms(pair, rng, 320);
        Assert.IsTrue(pair.Jit.Cpu.Translations!.RegionsWithRoots > 0, "some regions took BR/BLR targets as roots");
    }

    /// <summary>
    /// Random programs that start in the second half of a page, so that their code, loops and leaf routines straddle a
    /// page boundary, and the state still matches the interpreter at every return to the execution loop and every
    /// block of a callee's chain. With <paramref name="spans"/> regions continue into the next page (their compile is
    /// requested after a few entries, once the next page is in the TLB); without, a region stops at its page's end, so
    /// BL and BLR to a leaf in the other page call out of the region (<see cref="Cpu.JitCallOut"/>: the callee runs
    /// compiled, chained, and execution comes back into the region at the return site).
    /// </summary>
    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true)]
    [DataRow(true, true)]
    public void RandomProgramsAcrossAPageBoundaryMatchInterpreter(bool mmu, bool spans)
    {
        var rng = new Random(20261208 + (mmu ? 1 : 0) + (spans ? 2 : 0));
        var offsets = new Random(7);
        using var pair = RegionPair(mmu);
        var jit = pair.Jit.Cpu;
        jit.JitRegionsSpanPages = spans;
        if (spans) jit.JitOptimizeThreshold = 4;
        // The page boundary falls somewhere in the middle half of each program.
        RunRandomPrograms(pair, rng, 200, placement: (p, words) =>
            Code + (ulong)(p % 8) * 0x2000 + 0x1000 - 4 * (ulong)(words / 4 + offsets.Next(words / 2 + 1)));
        long spanning = jit.Translations!.RegionsSpanningPages;
        Console.WriteLine($"{jit.Statistics.CallOutsReturned} calls came back into their region; {spanning} regions span two pages");
        if (spans) Assert.IsTrue(spanning > 100, $"{spanning} regions span two pages");
        else
        {
            Assert.AreEqual(0, spanning);
            Assert.IsTrue(jit.Statistics.CallOutsReturned > 300, $"{jit.Statistics.CallOutsReturned} calls came back into their region");
        }
    }

    /// <summary>
    /// A loop straddling a page boundary runs in one region spanning both pages (no exit per pass), and sees what is
    /// done to the next page while it runs: an instruction there rewritten by a store from the first page (no cache
    /// maintenance: the interpreter fetches the new word at once; the store drops the region), or, with
    /// <paramref name="remap"/>, the next page remapped to another physical page holding other code (descriptor store,
    /// TLBI, ISB: the region's check of the next page's translation fails and it leaves there) and then back.
    /// </summary>
    [TestMethod]
    [DataRow(false, false, null)]
    [DataRow(true, false, null)]
    [DataRow(true, true, null)]
    [DataRow(true, true, "cortex-a57", DisplayName = "remapped, cortex-a57 timing model")]
    public void ALoopStraddlingAPageBoundarySeesTheNextPageChange(bool mmu, bool remap, string? model)
    {
        using var pair = RegionPair(mmu, timing: model == null ? null : Timing.TimingModel.Parse(model));
        pair.Jit.Cpu.JitOptimizeThreshold = 4;
        const ulong start = Code + 0x1000 - 12, nextPage = Code + 0x1000, otherPa = Code + 0x3000;
        const int patch = 1;                                          // the patched word's index in the next page
        var a = new A64Assembler();
        int loop = a.NewLabel(), phase = a.NewLabel(), done = a.NewLabel();
        a.Bind(loop);                                                 // start: three words before the boundary
        a.Emit(AddImm(true, sub: false, setFlags: false, 1, 1, 1));  // add x1, x1, #1
        a.Emit(AddImm(false, sub: false, setFlags: false, 10, 10, 1 << 10)); // w10 += 1 << 10: the patched add's imm12 + 1
        a.Emit(LdrUImm(2, 0, 10, 11, 0));                            // str w10, [x11]: rewrites the next page's add
        a.Emit(AddImm(true, sub: false, setFlags: false, 2, 2, 3));  // next page: add x2, x2, #3
        a.Emit(AddImm(true, sub: false, setFlags: false, 0, 0, 1));  // add x0, x0, #k (patched)
        a.Emit(AddImm(true, sub: true, setFlags: true, 9, 9, 1));    // subs x9, x9, #1
        a.BCond(1, loop);                                            // b.ne loop
        a.Cbz(true, nonZero: true, 12, phase);                       // cbnz x12, phase (MMU on: remap, then back)
        a.Bind(done);
        a.Emit(SelfBranch);
        a.Bind(phase);
        a.Emit(LdrUImm(3, 0, 12, 13, 0));                            // str x12, [x13]: the next page's descriptor
        a.Emit(0xd5033b9f);                                          // dsb ish
        a.Emit(0xd508871f);                                          // tlbi vmalle1
        a.Emit(0xd5033b9f);                                          // dsb ish
        a.Emit(0xd5033fdf);                                          // isb
        a.Emit(Movz(true, 9, 40));                                   // mov x9, #40
        a.Emit(LdrUImm(3, 1, 12, 14, 0));                            // ldr x12, [x14]: the next phase's descriptor
        a.Emit(AddImm(true, sub: false, setFlags: false, 14, 14, 8));
        a.B(loop);
        var words = a.Finish();
        pair.Load(start, words);
        // The other physical page holds the same code, with the next page's first add adding 5 instead of 3.
        var other = words.Skip(3).ToArray();
        other[0] = AddImm(true, sub: false, setFlags: false, 2, 2, 5);
        pair.Load(otherPa, other);
        ulong l3Entry = L3 + (nextPage - Ram) / 0x1000 * 8, phases = DataArea + 0x800;
        Store64(pair, phases, nextPage | PageAttrs);                 // after the remap: back to the page as loaded
        Store64(pair, phases + 8, 0);                                // (then x12 = 0: stop)
        pair.Setup(cpu =>
        {
            cpu.State.PC = start;
            cpu.SetX(9, 40);
            cpu.SetX(10, AddImm(true, sub: false, setFlags: false, 0, 0, 1) - (1u << 10));
            cpu.SetX(11, remap ? DataArea : nextPage + 4 * patch);
            cpu.SetX(12, remap ? otherPa | PageAttrs : 0);
            cpu.SetX(13, l3Entry);
            cpu.SetX(14, phases);
            cpu.Sys.Vbar[1] = Vbar;
            cpu.State.Daif = 0xFu << 6;
        });
        pair.RunLockstep(20_000);
        var jit = pair.Jit.Cpu;
        Assert.IsTrue(jit.Translations!.RegionsSpanningPages > 0, "the loop's region spans both pages");
        Assert.AreEqual(start + 4 * (ulong)a.IndexOf(done), jit.State.PC, "the run ended at the final b .");
        if (!remap)
        {
            Assert.AreEqual(40UL * 41 / 2, jit.X(0), "every pass ran the increment the previous store wrote");
            Assert.AreEqual(40UL * 3, jit.X(2));
            return;
        }
        // 40 passes through the next page as loaded (+3 each), 40 remapped (+5 each), 40 mapped back.
        Assert.AreEqual(40UL * 3 + 40UL * 5 + 40UL * 3, jit.X(2), "the remapped page's code ran after each TLBI");
        Assert.AreEqual(120UL, jit.X(1));
        Assert.AreEqual(120UL, jit.X(0));
    }

    /// <summary>
    /// A callee in another page rewrites an instruction of its caller's region (a store, no cache maintenance) and
    /// returns: the interpreter fetches the new instruction at once, and so must the JIT. The store drops the caller's
    /// region (its block is invalidated), and the call-out then returns to the execution loop instead of going on in the
    /// old code. Every pass rewrites the next pass's increment (1, 2, 3, ... added to x0).
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void CalleeRewritingItsCallersCodeIsSeenAtTheReturnSite(bool mmu)
    {
        using var pair = RegionPair(mmu);
        var a = new A64Assembler();
        int loop = a.NewLabel(), patched = a.NewLabel(), f = a.NewLabel();
        a.Bind(loop);
        a.Bl(f);
        a.Bind(patched);
        a.Emit(AddImm(true, sub: false, setFlags: false, 0, 0, 1));  // add x0, x0, #k: rewritten by f
        a.Emit(AddImm(true, sub: true, setFlags: true, 9, 9, 1));    // subs x9, x9, #1
        a.BCond(1, loop);                                            // b.ne loop
        a.Emit(SelfBranch);
        while (a.Count < 0x1000 / 4) a.Emit(0xd503201f);             // nop
        a.Bind(f);                                                   // the next page
        a.Emit(AddImm(false, sub: false, setFlags: false, 10, 10, 1 << 10)); // w10 += 1 << 10: the add's imm12 + 1
        a.Emit(LdrUImm(2, 0, 10, 11, 0));                            // str w10, [x11]
        a.Emit(Ret);
        var words = a.Finish();
        LoadAtCode(pair, words);
        pair.Setup(cpu =>
        {
            cpu.SetX(9, 50);
            cpu.SetX(10, AddImm(true, sub: false, setFlags: false, 0, 0, 1) - (1u << 10)); // f adds imm12 = 1 first
            cpu.SetX(11, Code + 4 * (ulong)a.IndexOf(patched));
        });
        pair.RunLockstep(400);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(Code + 4 * (ulong)(a.IndexOf(patched) + 3), jit.State.PC, "the loop ran to its end");
        Assert.AreEqual(50UL * 51 / 2, jit.X(0), "x0 = 1 + 2 + ... + 50: every pass ran the increment its call wrote");
    }

    /// <summary>
    /// A recursion that crosses a page boundary at every level (g in one page calls h in the next, which calls g):
    /// each level calls out of its region, deeper than call-outs nest (the deepest levels return through the execution
    /// loop instead), with instruction limits that end runs at every depth. State matches the interpreter at every return
    /// to the execution loop, every block of a callee's chain and the end of each run.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void RecursionAcrossPagesDeeperThanCallOutsNestMatchesInterpreter(bool mmu)
    {
        using var pair = RegionPair(mmu);
        pair.Jit.Cpu.JitRegionsSpanPages = false; // g and h in one region would make no call-outs
        var a = new A64Assembler();
        int main = a.NewLabel(), g = a.NewLabel(), gBase = a.NewLabel(), h = a.NewLabel();
        a.Bind(main);
        a.Emit(Movz(true, 1, 20));                                   // depth
        a.Bl(g);
        a.Emit(AddImm(true, sub: true, setFlags: true, 9, 9, 1));
        a.BCond(1, main);                                            // b.ne main
        a.Emit(SelfBranch);
        a.Bind(g);
        a.Cbz(true, nonZero: false, 1, gBase);
        a.Emit(AddImm(true, sub: true, setFlags: false, 1, 1, 1));
        a.Emit(Pair(2, load: false, 29, 30, 31, -2, 3));           // stp x29, x30, [sp, #-16]!
        a.Bl(h);
        a.Emit(Pair(2, load: true, 29, 30, 31, 2, 1));             // ldp x29, x30, [sp], #16
        a.Emit(AddImm(true, sub: false, setFlags: false, 0, 0, 1));
        a.Emit(Ret);
        a.Bind(gBase);
        a.Emit(AddImm(true, sub: false, setFlags: false, 3, 3, 1));
        a.Emit(Ret);
        while (a.Count < 0x1000 / 4) a.Emit(0xd503201f); // nop
        a.Bind(h);                                                   // the next page
        a.Emit(Pair(2, load: false, 29, 30, 31, -2, 3));
        a.Bl(g);
        a.Emit(Pair(2, load: true, 29, 30, 31, 2, 1));
        a.Emit(AddImm(true, sub: false, setFlags: false, 2, 2, 1));
        a.Emit(Ret);
        LoadAtCode(pair, a.Finish());
        pair.Setup(cpu =>
        {
            cpu.SetX(9, 1000);
            cpu.Sp = DataArea + 0x1000;
        });
        // Each pass: 20 levels of g and h (13 instructions a level) and the base case.
        foreach (ulong limit in new ulong[] { 97, 1, 260, 333, 5000, 123, 20000 }) pair.RunLockstep(limit);
        var jit = pair.Jit.Cpu;
        Assert.IsTrue(jit.State.X[0] > 500, "the recursion ran");
        Assert.IsTrue(jit.Statistics.CallOutsReturned > 100, $"{jit.Statistics.CallOutsReturned} calls came back into their region");
    }

    /// <summary>
    /// One BLR site calls twelve leaf functions of the next page in turn (a pipeline of function pointers), more than a
    /// call-out site keeps links for (<see cref="Jit.RegionFallbacks.CallOutWays"/>): the site's links are replaced in
    /// turn and every call still runs the right callee and comes back into the region. State matches the interpreter at
    /// every return to the execution loop and the end of each run.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void BlrCyclingThroughMoreCalleesThanTheSiteLinksMatchesInterpreter(bool mmu)
    {
        const int callees = 12;
        using var pair = RegionPair(mmu);
        pair.Jit.Cpu.JitRegionsSpanPages = false; // the callees in the caller's region would make no call-outs
        var a = new A64Assembler();
        int loop = a.NewLabel(), next = a.NewLabel(), functions = a.NewLabel();
        a.Adr(6, functions);
        a.Bind(loop);
        a.Emit(AddShifted(true, sub: false, setFlags: false, 7, 6, 5, shift: 0, amount: 4)); // x7 = functions + 16 * x5
        a.Emit(Blr(7));
        a.Emit(AddImm(true, sub: false, setFlags: false, 5, 5, 1));
        a.Emit(AddImm(true, sub: true, setFlags: true, 31, 5, callees));                    // cmp x5, #12
        a.BCond(1, next);                                                                      // b.ne next
        a.Emit(Movz(true, 5, 0));
        a.Bind(next);
        a.Emit(AddImm(true, sub: true, setFlags: true, 9, 9, 1));
        a.BCond(1, loop);
        a.Emit(SelfBranch);
        while (a.Count < 0x1000 / 4) a.Emit(0xd503201f); // nop
        a.Bind(functions);                                // the next page: function i adds i + 1 to x0, then x0 to x1
        for (int i = 0; i < callees; i++)
        {
            a.Emit(AddImm(true, sub: false, setFlags: false, 0, 0, (uint)i + 1));
            a.Emit(AddShifted(true, sub: false, setFlags: false, 1, 1, 0));
            a.Emit(Ret);
            a.Emit(0xd503201f);
        }
        LoadAtCode(pair, a.Finish());
        pair.Setup(cpu => cpu.SetX(9, 6000));
        foreach (ulong limit in new ulong[] { 97, 1, 260, 333, 5000, 123, 20000, 40000, 60000 }) pair.RunLockstep(limit);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(6000UL / callees * (callees * (callees + 1) / 2), jit.X(0), "every call ran its own callee");
        Assert.IsTrue(jit.Statistics.CallOutsReturned > 1000, $"{jit.Statistics.CallOutsReturned} calls came back into their region");
    }

    /// <summary>
    /// Blocks tier up from their baseline code to regions published by the background compiler while the CPU thread
    /// keeps entering them (random programs, baseline blocks at the first entry, regions after 20): the state still
    /// matches the interpreter. A block must never run a region at the entry index it read before the region was
    /// published; code and index are published as one object (<see cref="TranslationBlock.Compiled"/>). The window of
    /// that race was a few instructions wide: this test did not hit it in six runs of the code before the fix.
    /// </summary>
    [TestMethod]
    public void BaselineBlocksTieringUpToRegionsInTheBackgroundMatchInterpreter()
    {
        var rng = new Random(20261207);
        using var pair = new LockstepPair(jitThreshold: 0, optimizeThreshold: 20, background: true);
        RunRandomPrograms(pair, rng, 160);
        Assert.IsTrue(pair.Jit.Cpu.Translations!.BlocksOptimized > 0, "regions were published");
        pair.Jit.Cpu.FlushTranslatedCode();
        Thread.Sleep(300);
    }

    /// <summary>
    /// Runs <paramref name="programs"/> random programs of <see cref="RegionProgramGenerator"/> in lockstep; returns the
    /// instructions retired and asserts that most programs reached their end. <paramref name="setup"/>, when given, also
    /// prepares each CPU for each program (its address and length in words).
    /// </summary>
    internal static (ulong Retired, int Finished) RunRandomPrograms(LockstepPair pair, Random rng, int programs,
        Action<Cpu, ulong, int>? setup = null, Func<int, int, ulong>? placement = null)
    {
        var data = new byte[RegionProgramGenerator.DataSize];
        rng.NextBytes(data);
        foreach (var side in pair.Both) side.Bus.Load(DataArea, data);
        pair.Load(Vbar + 0x200, SkipHandler);
        int exceptions = 0, finished = 0;
        var classes = new SortedDictionary<ulong, int>();
        pair.Jit.Cpu.ExceptionEntered += (_, _) => { exceptions++; ulong ec = pair.Jit.Cpu.Sys.Esr[1] >> 26; classes[ec] = classes.GetValueOrDefault(ec) + 1; };
        ulong retired = 0, words = 0;
        for (int p = 0; p < programs; p++)
        {
            var program = RegionProgramGenerator.Generate(rng, out int endIndex);
            words += (ulong)program.Length;
            ulong at = placement?.Invoke(p, program.Length) ?? Code + (ulong)(p % 16) * 0x1000;
            pair.Load(at, program);
            var x = new ulong[28];
            for (int i = 0; i < x.Length; i++) x[i] = LockstepRandomTests.RandomValue(rng);
            var v = new UInt128[32];
            for (int i = 0; i < v.Length; i++) v[i] = ((UInt128)LockstepRandomTests.RandomValue(rng) << 64) | LockstepRandomTests.RandomValue(rng);
            uint fpcr = ((uint)rng.Next(4) << 22) | ((uint)rng.Next(2) << 24) | ((uint)rng.Next(2) << 25); // RMode, FZ, DN
            uint nzcv = (uint)rng.Next(16) << 28;
            pair.Setup(cpu =>
            {
                for (int i = 0; i < x.Length; i++) cpu.State.X[i] = x[i];
                for (int i = 0; i < v.Length; i++)
                    cpu.VReg(i) = System.Runtime.CompilerServices.Unsafe.As<UInt128, System.Runtime.Intrinsics.Vector128<byte>>(ref v[i]);
                cpu.State.Fpcr = fpcr;
                cpu.State.Fpsr = 0;
                cpu.Sys.Cpacr = 3UL << 20; // CPACR_EL1.FPEN: no SIMD&FP traps
                cpu.SetX(28, DataArea);
                cpu.Sp = DataArea + 0x1000;
                cpu.State.Nzcv = nzcv;
                cpu.State.Daif = 0xFu << 6; // masked: only synchronous exceptions
                cpu.Sys.Vbar[1] = Vbar;
                cpu.State.PC = at;
                setup?.Invoke(cpu, at, program.Length);
            });
            ulong limit = 2000 + (ulong)rng.Next(3000);
            ulong before = pair.Jit.Cpu.State.Instructions;
            try
            {
                pair.RunLockstep(limit);
            }
            catch (Exception e)
            {
                Assert.Fail($"program {p} at 0x{at:x} (limit {limit}): {string.Join(" ", program.Select(w => w.ToString("x8")))}\n{e.Message}");
            }
            retired += pair.Jit.Cpu.State.Instructions - before;
            if (pair.Jit.Cpu.State.PC == at + 4 * (ulong)endIndex) finished++;
        }
        var t = pair.Jit.Cpu.Translations!;
        Console.WriteLine($"{programs} programs, {words} words, {retired} instructions, {pair.BlocksCompared} block returns, "
            + $"{t.BlocksOptimized} regions compiled, {exceptions} exceptions, {finished} reached their end; ECs "
            + string.Join(", ", classes.Select(kv => $"0x{kv.Key:x}: {kv.Value}")));
        Assert.IsTrue(finished > programs * 3 / 4, $"only {finished} programs reached their final b .");
        return (retired, finished);
    }

    // loop: add x0, x0, #1; add x1, x1, x0; subs x9, x9, #1; b.ne loop; b .
    internal static readonly uint[] CountingLoop = [0x91000400, 0x8b000021, 0xf1000529, 0x54ffffa1, SelfBranch];

    internal const ulong CountingLoopPasses = 1_000_000;

    // The state after `retired` instructions of CountingLoop from x0 = x1 = 0, x9 = CountingLoopPasses (4 per pass).
    internal static (ulong Pc, ulong X0, ulong X1, ulong X9) CountingLoopAfter(ulong retired)
    {
        ulong passes = retired / 4, r = retired % 4;
        ulong x0 = passes + (r >= 1 ? 1UL : 0);
        ulong x1 = passes * (passes + 1) / 2 + (r >= 2 ? x0 : 0);
        ulong x9 = CountingLoopPasses - passes - (r >= 3 ? 1UL : 0);
        return (Code + 4 * r, x0, x1, x9);
    }

    // The predecoded tier ran nearly everything (the rest: instructions stepped after a block left early, fetch faults)
    // and nothing was compiled; its block runs were compared with the interpreter.
    private static void AssertPredecodedRan(LockstepPair pair, ulong retired)
    {
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(0L, jit.Translations!.BlocksCompiled, "nothing compiled");
        Assert.IsTrue(jit.Statistics.InstructionsPredecoded >= retired * 3 / 4,
            $"{jit.Statistics.InstructionsPredecoded} of {retired} instructions predecoded ({jit.Statistics.InstructionsStepped} stepped)");
        Assert.IsTrue(pair.PredecodedCompared > 0, "predecoded block runs compared");
    }

    private static void AssertRanTheLoop(LockstepPair pair, bool predecoded, ulong pc = Code)
    {
        if (predecoded) AssertPredecodedRan(pair, pair.Jit.Cpu.State.Instructions);
        else AssertRegionRanTheLoop(pair, pc);
    }

    private static void AssertRegionRanTheLoop(LockstepPair pair, ulong pc = Code)
    {
        var block = pair.Jit.Cpu.Translations!.Lookup(pc, 1);
        Assert.IsNotNull(block, "the loop was entered through the JIT");
        Assert.AreEqual(JitTier.Optimized, block.Tier, "the loop ran as a region");
    }

    [TestMethod]
    [DataRow(1UL, 1UL)]
    [DataRow(2UL, 1UL)]
    [DataRow(3UL, 1UL)]
    [DataRow(4UL, 1UL)]
    [DataRow(41UL, 1UL)]
    [DataRow(42UL, 1UL)]
    [DataRow(43UL, 1UL)]
    [DataRow(44UL, 1UL)]
    [DataRow(1001UL, 1UL)]
    [DataRow(121UL, 3UL)]
    [DataRow(122UL, 3UL)]
    [DataRow(123UL, 3UL)]
    [DataRow(124UL, 3UL)]
    [DataRow(1000UL, 7UL)]
    public void IrqAtAClockDeadlineInsideARegionLoopIsTakenAtTheSameInstruction(ulong deadline, ulong cpi)
        => IrqAtAClockDeadlineIsTakenAtTheSameInstruction(deadline, cpi, predecoded: false);

    [TestMethod]
    [DataRow(1UL, 1UL)]
    [DataRow(2UL, 1UL)]
    [DataRow(3UL, 1UL)]
    [DataRow(4UL, 1UL)]
    [DataRow(42UL, 1UL)]
    [DataRow(1001UL, 1UL)]
    [DataRow(122UL, 3UL)]
    [DataRow(124UL, 3UL)]
    [DataRow(1000UL, 7UL)]
    public void IrqAtAClockDeadlineInsideAPredecodedLoopIsTakenAtTheSameInstruction(ulong deadline, ulong cpi)
        => IrqAtAClockDeadlineIsTakenAtTheSameInstruction(deadline, cpi, predecoded: true);

    private static void IrqAtAClockDeadlineIsTakenAtTheSameInstruction(ulong deadline, ulong cpi, bool predecoded)
    {
        // An event at cycle `deadline` raises IRQ (unmasked): the instructions that start before it run (one every
        // `cpi` cycles), then the IRQ is taken.
        using var pair = RegionPair(cyclesPerInstruction: cpi, predecoded: predecoded);
        ulong before = (deadline + cpi - 1) / cpi;
        LoadAtCode(pair, CountingLoop);
        pair.Load(Vbar + 0x280, SelfBranch);
        foreach (var side in pair.Both)
        {
            var cpu = side.Cpu;
            cpu.SetX(9, CountingLoopPasses);
            cpu.Sys.Vbar[1] = Vbar;
            cpu.State.Daif = 0;
            side.Clock.Schedule(deadline, () => cpu.Irq.Set(true));
        }
        ulong takenAt = ulong.MaxValue;
        var jit = pair.Jit.Cpu;
        jit.ExceptionEntered += (kind, _) => { if (kind == ExceptionKind.Irq) takenAt = jit.State.Instructions; };
        pair.RunLockstep(before + 20);
        var expected = CountingLoopAfter(before);
        Assert.AreEqual(before, takenAt, "instructions retired when the IRQ was taken");
        Assert.AreEqual(expected.Pc, jit.Sys.Elr[1], "ELR: the first instruction not run");
        Assert.AreEqual(expected.X0, jit.X(0));
        Assert.AreEqual(expected.X1, jit.X(1));
        Assert.AreEqual(expected.X9, jit.X(9));
        Assert.AreEqual(Vbar + 0x280, jit.State.PC);
        AssertRanTheLoop(pair, predecoded);
    }

    [TestMethod]
    public void PeriodicClockEventsInsideARegionLoopFireAtTheirCycle()
    {
        // An event every 7 cycles (as a periodic timer would) records the instruction count and PC it sees: each must
        // fire after exactly its cycle's instructions, at the same PC as under the interpreter.
        using var pair = RegionPair();
        LoadAtCode(pair, CountingLoop);
        var seen = new Dictionary<LockstepPair.Side, List<(ulong At, ulong Instructions, ulong Pc)>>();
        foreach (var side in pair.Both)
        {
            var cpu = side.Cpu;
            var clock = side.Clock;
            var list = seen[side] = [];
            cpu.SetX(9, CountingLoopPasses);
            void Tick()
            {
                list.Add((clock.Now, cpu.State.Instructions, cpu.State.PC));
                if (list.Count < 50) clock.Schedule(clock.Now + 7, Tick);
            }
            clock.Schedule(5, Tick);
        }
        pair.RunLockstep(400);
        var jit = seen[pair.Jit];
        Assert.AreEqual(50, jit.Count);
        CollectionAssert.AreEqual(seen[pair.Interp], jit);
        for (int i = 0; i < jit.Count; i++)
        {
            ulong at = 5 + 7 * (ulong)i;
            Assert.AreEqual((at, at, CountingLoopAfter(at).Pc), jit[i], $"event {i}");
        }
        AssertRegionRanTheLoop(pair);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void PendingIrqUnmaskedInsideARegionLoopIsTakenAtTheNextInstruction(bool wfi)
    {
        // loop: add x0, x0, #1; cmp x0, #30; b.ne skip; msr daifclr, #2 (or wfi); skip: subs x9, x9, #1; b.ne loop.
        // IRQ is asserted from the start, masked. Unmasking it (pass 30) takes it before the subs; WFI with the
        // masked IRQ pending completes at once (the loop goes on). IRQ vector: b .
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        var skip = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));
        asm.Emit(AddImm(true, true, true, 31, 0, 30));
        asm.BCond(1, skip);
        asm.Emit(wfi ? 0xd503207fu : 0xd50342ffu);
        asm.Bind(skip);
        asm.Emit(AddImm(true, true, true, 9, 9, 1));
        asm.BCond(1, loop);
        asm.Emit(SelfBranch);
        using var pair = RegionPair();
        LoadAtCode(pair, asm.Finish());
        pair.Load(Vbar + 0x280, SelfBranch);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = Vbar;
            cpu.SetX(9, 100);
            cpu.Irq.Set(true);
        });
        var jit = pair.Jit.Cpu;
        pair.RunLockstep(600);
        if (wfi)
        {
            Assert.AreEqual(100UL, jit.X(0), "WFI with an interrupt pending does not wait");
            Assert.AreEqual(Code + 24, jit.State.PC);
        }
        else
        {
            Assert.AreEqual(Code + 16, jit.Sys.Elr[1], "ELR: the subs after the MSR");
            Assert.AreEqual(30UL, jit.X(0));
            Assert.AreEqual(71UL, jit.X(9));
            Assert.AreEqual(Vbar + 0x280, jit.State.PC);
        }
        AssertRegionRanTheLoop(pair);
    }

    // A switch over four cases through a computed BR (as C compiles a dense switch), with one case that goes on in the
    // middle of another: the case bodies are reached only through the BR, never by an immediate branch.
    //   loop: and x1, x9, #3; adr x2, cases; add x2, x2, x1, lsl #3; br x2
    //   cases: add x0, x0, #1; b next | eor x0, x0, x9; b next | add x0, x0, x0; b next | adr x2, mid; br x2
    //   mid (in the second case's place): ... ; next: subs x9, x9, #1; b.ne loop; b .
    private static uint[] JumpTableLoop()
    {
        var a = new A64Assembler();
        int loop = a.NewLabel(), cases = a.NewLabel(), next = a.NewLabel(), mid = a.NewLabel();
        a.Bind(loop);
        a.Emit(0x92400521); // and x1, x9, #3
        a.Adr(2, cases);
        a.Emit(AddShifted(true, false, false, 2, 2, 1, 0, 3));
        a.Emit(Br(2));
        a.Bind(cases);
        a.Emit(AddImm(true, false, false, 0, 0, 1));
        a.B(next);
        a.Emit(0xCA090000); // eor x0, x0, x9
        a.Bind(mid);
        a.B(next);
        a.Emit(AddShifted(true, false, false, 0, 0, 0));
        a.B(next);
        a.Adr(2, mid);
        a.Emit(Br(2));
        a.Bind(next);
        a.Emit(AddImm(true, true, true, 9, 9, 1));
        a.BCond(1, loop);
        a.Emit(SelfBranch);
        return a.Finish();
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true, DisplayName = "background compile")]
    public void JumpTableCasesRunInsideTheRegion(bool background)
    {
        // Regions are compiled at 300 entries, when each case has run often enough to be one of the region's roots.
        using var pair = new LockstepPair(jitThreshold: 0, optimizeThreshold: 300, background: background);
        LoadAtCode(pair, JumpTableLoop());
        const ulong passes = 200_000;
        pair.Setup(cpu => cpu.SetX(9, passes));
        for (int i = 0; i < 100 && !(pair.Jit.Cpu.Translations!.Lookup(Code, 1) is { Tier: JitTier.Optimized } b
            && pair.Jit.Cpu.Translations.Lookup(Code + 16, 1)?.Tier == JitTier.Optimized); i++)
        {
            pair.RunLockstep(5_000);
            if (background) Thread.Sleep(10);
        }
        long before = pair.BlocksCompared;
        pair.RunLockstep(300_000);
        Assert.IsTrue(pair.BlocksCompared - before <= 8,
            $"{pair.BlocksCompared - before} returns to the execution loop for 50,000 passes through the jump table");
        pair.RunLockstep(passes * 10);
        Assert.AreEqual(Code + 4 * 14, pair.Jit.Cpu.State.PC, "the loop ran to its end");
        Assert.AreEqual(0UL, pair.Jit.Cpu.X(9));
    }

    [TestMethod]
    public void ARegionTakesOnlyTheCodeThatHadRunAndLeavesForTheRest()
    {
        // A loop whose B.HS goes to a path first taken on pass 1000: the loop's region, due at 300 entries, holds the
        // loop (which had run) but not that path (which had not), so it compiles less; from pass 1000 on the region
        // leaves to the path, which runs predecoded, then in a region of its own, and the loop goes on in its region.
        var asm = new A64Assembler();
        int loop = asm.NewLabel(), back = asm.NewLabel(), cold = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));      // add x0, x0, #1
        asm.Emit(AddShifted(true, true, true, 31, 0, 10));  // cmp x0, x10
        asm.BCond(2, cold);                                 // b.hs cold
        asm.Bind(back);
        asm.Emit(AddImm(true, true, true, 9, 9, 1));        // subs x9, x9, #1
        asm.BCond(1, loop);                                 // b.ne loop
        asm.Emit(SelfBranch);
        asm.Bind(cold);
        asm.Emit(AddImm(true, false, false, 1, 1, 3));      // add x1, x1, #3
        asm.B(back);
        using var pair = new LockstepPair(jitThreshold: 0, optimizeThreshold: 300);
        LoadAtCode(pair, asm.Finish());
        pair.Setup(cpu =>
        {
            cpu.SetX(9, 3000);
            cpu.SetX(10, 1000);
        });
        ulong coldPc = Code + 4 * (ulong)asm.IndexOf(cold), backPc = Code + 4 * (ulong)asm.IndexOf(back);
        pair.RunLockstep(5 * 900);
        var t = pair.Jit.Cpu.Translations!;
        var region = t.Lookup(Code, 1)!.Region;
        Assert.IsNotNull(region, "the loop runs its region");
        Assert.IsTrue(region.Overlaps(backPc, backPc + 4), "the region holds the loop's second block");
        Assert.IsFalse(region.Overlaps(coldPc, coldPc + 8), "the region holds no code that had not run");
        pair.RunLockstep(6 * 3000);
        Assert.AreEqual(Code + 4 * (ulong)(asm.IndexOf(cold) - 1), pair.Jit.Cpu.State.PC, "the loop ran to its end");
        Assert.AreEqual(3UL * 2001, pair.Jit.Cpu.X(1), "the path from pass 1000 on");
        Assert.AreEqual(JitTier.Optimized, t.Lookup(coldPc, 1)!.Tier, "the path compiled a region of its own");
    }

    [TestMethod]
    public void ARegionRewrittenBehindTheCpuRunsTheNewCodeAfterIcIallu()
    {
        // A two-block loop runs in its region; its second block's add is rewritten without a write event (Bus.Load), then
        // "ic iallu" (in another page) runs: the loop's next entry checks its page against RAM, drops the region and runs
        // the new instruction; the page of the "ic iallu" (unchanged) keeps its code.
        var asm = new A64Assembler();
        int loop = asm.NewLabel(), second = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));     // add x0, x0, #1
        asm.Cbz(true, false, 31, second);                  // cbz xzr, second (a second basic block)
        asm.Bind(second);
        asm.Emit(AddImm(true, false, false, 1, 1, 1));     // add x1, x1, #1   (rewritten to #5)
        asm.Emit(AddImm(true, true, true, 9, 9, 1));       // subs x9, x9, #1
        asm.BCond(1, loop);                                // b.ne loop
        asm.Emit(SelfBranch);
        uint[] code = asm.Finish();
        using var pair = RegionPair();
        LoadAtCode(pair, code);
        pair.Load(Code + 0x1000, 0xd508751f, SelfBranch); // ic iallu; b .
        pair.Setup(cpu => cpu.SetX(9, 50));
        pair.RunLockstep(50 * 5 + 1);
        var t = pair.Jit.Cpu.Translations!;
        Assert.IsNotNull(t.Lookup(Code, 1)?.Region, "the loop ran in its region");
        Assert.AreEqual((50UL, 50UL), (pair.Jit.Cpu.X(0), pair.Jit.Cpu.X(1)));
        uint rewritten = AddImm(true, false, false, 1, 1, 5);
        foreach (var side in pair.Both) side.Bus.Load(Code + 8, BitConverter.GetBytes(rewritten)); // no write event, no flush
        pair.Setup(cpu => cpu.State.PC = Code + 0x1000);
        pair.RunLockstep(2);
        var iallu = t.Lookup(Code + 0x1000, 1);
        pair.Setup(cpu => { cpu.State.PC = Code; cpu.SetX(9, 20); });
        pair.RunLockstep(20 * 5 + 1);
        Assert.AreEqual((70UL, 50UL + 5 * 20), (pair.Jit.Cpu.X(0), pair.Jit.Cpu.X(1)), "the new add ran");
        Assert.IsNotNull(t.Lookup(Code, 1)?.Region, "the loop compiled its region again");
        pair.Setup(cpu => cpu.State.PC = Code + 0x1000);
        pair.RunLockstep(2);
        Assert.AreSame(iallu, t.Lookup(Code + 0x1000, 1), "the unchanged page kept its code");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true, DisplayName = "predecoded tier")]
    public void InstructionLimitsEndingInsideARegionLoopAreExact(bool predecoded)
    {
        // Runs of 1..13 instructions, one after another: each ends inside the loop (often mid-pass), and each
        // continuation re-enters the region there.
        var rng = new Random(5);
        using var pair = RegionPair(predecoded: predecoded);
        LoadAtCode(pair, CountingLoop);
        pair.Setup(cpu => cpu.SetX(9, CountingLoopPasses));
        ulong total = 0;
        for (int run = 0; run < 150; run++)
        {
            ulong limit = 1 + (ulong)rng.Next(13);
            pair.RunLockstep(limit);
            total += limit;
            var jit = pair.Jit.Cpu;
            var expected = CountingLoopAfter(total);
            Assert.AreEqual(total, jit.State.Instructions, $"run {run}");
            Assert.AreEqual(expected, (jit.State.PC, jit.X(0), jit.X(1), jit.X(9)), $"run {run} (limit {limit})");
        }
        // One long run ending mid-pass: the region ran the passes in one call.
        long returnsBefore = pair.BlocksCompared;
        pair.RunLockstep(4003);
        total += 4003;
        Assert.AreEqual(CountingLoopAfter(total), (pair.Jit.Cpu.State.PC, pair.Jit.Cpu.X(0), pair.Jit.Cpu.X(1), pair.Jit.Cpu.X(9)));
        if (!predecoded) Assert.IsTrue(pair.BlocksCompared - returnsBefore <= 4, $"{pair.BlocksCompared - returnsBefore} returns for 1000 passes");
        AssertRanTheLoop(pair, predecoded);
    }

    [TestMethod]
    [DataRow(false, false)]
    [DataRow(true, false)]
    [DataRow(false, true, DisplayName = "predecoded tier, MMU off")]
    [DataRow(true, true, DisplayName = "predecoded tier, MMU on")]
    public void DataAbortInTheSecondBasicBlockOfARegionLoopOnALaterPassIsPrecise(bool mmu, bool predecoded)
    {
        // loop: add x3, x3, #1; ldr x4, [x0], #8; cbz x4, skip; add x5, x5, x4; ldr x6, [x1, x3, lsl #3];
        // add x7, x7, #1; skip: subs x9, x9, #1; b.ne loop; b . — the second load leaves RAM in pass 50 (x3 = 50):
        // an external abort in the region's second basic block, after the pass's first instructions ran.
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        var skip = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 3, 3, 1));
        asm.Emit(LdrImm9(3, 1, 4, 0, 8, 1));
        asm.Cbz(true, false, 4, skip);
        asm.Emit(AddShifted(true, false, false, 5, 5, 4));
        asm.Emit(LdrRegister(3, 1, 6, 1, 3, 3, true));
        asm.Emit(AddImm(true, false, false, 7, 7, 1));
        asm.Bind(skip);
        asm.Emit(AddImm(true, true, true, 9, 9, 1));
        asm.BCond(1, loop);
        asm.Emit(SelfBranch);
        const ulong ramEnd = Ram + LockstepPair.RamSize;
        using var pair = RegionPair(mmu, predecoded: predecoded);
        LoadAtCode(pair, asm.Finish());
        pair.Load(Vbar + 0x200, SelfBranch);
        // Element i is 0 (the pass skips the second basic block) when i % 7 == 3.
        var elements = new uint[2 * 64];
        for (int i = 0; i < 64; i++) elements[2 * i] = i % 7 == 3 ? 0u : 3u * (uint)i + 1;
        pair.Load(DataArea, elements);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = Vbar;
            cpu.SetX(0, DataArea);
            cpu.SetX(1, ramEnd - 8 * 50);
            cpu.SetX(9, 1000);
        });
        var jit = pair.Jit.Cpu;
        ulong faultAt = 0;
        jit.ExceptionEntered += (_, _) => faultAt = jit.State.Instructions;
        pair.RunLockstep(1000);
        Assert.AreEqual(Code + 16, jit.Sys.Elr[1], "ELR: the second load");
        Assert.AreEqual(0x25UL, jit.Sys.Esr[1] >> 26, "data abort, same EL");
        Assert.AreEqual(ramEnd, jit.Sys.Far[1]);
        ulong sum = 0, counted = 0;
        for (int i = 0; i < 50; i++) sum += elements[2 * i];
        for (int i = 0; i < 49; i++) if (i % 7 != 3) counted++;
        Assert.AreEqual(50UL, jit.X(3), "x3: written by this pass's first instruction");
        Assert.AreEqual(DataArea + 50 * 8, jit.X(0), "x0: this pass's post-indexed load");
        Assert.AreEqual((ulong)elements[2 * 49], jit.X(4));
        Assert.AreEqual(sum, jit.X(5), "x5: this pass's add before the fault");
        Assert.AreEqual(counted, jit.X(7), "x7: the faulting pass's add after the load did not run");
        Assert.AreEqual(1000UL - 49, jit.X(9));
        ulong expectedRetired = counted * 8 + (49 - counted) * 5 + 4;
        Assert.AreEqual(expectedRetired, faultAt, "instructions retired before the faulting load");
        Assert.AreEqual(Vbar + 0x200, jit.State.PC);
        AssertRanTheLoop(pair, predecoded);
        if (!predecoded) Assert.IsTrue(pair.BlocksCompared <= 3, $"{pair.BlocksCompared} returns: the passes ran inside the region");
    }

    [TestMethod]
    [DataRow(0, false)]
    [DataRow(1, false)]
    [DataRow(2, false)]
    [DataRow(3, false)]
    [DataRow(0, true)]
    [DataRow(1, true)]
    [DataRow(2, true)]
    [DataRow(3, true)]
    public void StoreIntoTheRegionsOwnPageTakesEffectOnTheNextPass(int variant, bool mmu)
        => StoreIntoOwnCodeTakesEffect(variant, mmu, predecoded: false);

    [TestMethod]
    [DataRow(0, false)]
    [DataRow(1, false)]
    [DataRow(2, true)]
    [DataRow(3, true)]
    public void StoreIntoAPredecodedBlocksOwnCodeTakesEffect(int variant, bool mmu)
        => StoreIntoOwnCodeTakesEffect(variant, mmu, predecoded: true);

    private static void StoreIntoOwnCodeTakesEffect(int variant, bool mmu, bool predecoded)
    {
        // 0: loop: add x0, x0, #1; cmp x9, #3; b.ne skip; str w3, [x4]; skip: subs x9, x9, #1; b.ne loop; b .
        //    x4 = the add (an earlier basic block, run again by the next pass): passes with x9 = 6..3 add 1, 2..1 add 3.
        // 1: loop: cmp x9, #3; b.ne skip; str w3, [x4]; skip: subs x9, x9, #1; add x0, x0, #1; cbnz x9, loop; b .
        //    x4 = the add (a later basic block of the same pass): x9 = 6..4 add 1, 3..1 add 3.
        // 2: as 1 with strb w3, [x4] rewriting only the byte holding imm12<5:0> (#1 -> #3).
        // 3: as 0 with stp w3, w3, [x4] (the add and the cmp after it, unchanged, rewritten).
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        var skip = asm.NewLabel();
        int target;
        asm.Bind(loop);
        uint addOne = AddImm(true, false, false, 0, 0, 1), addThree = AddImm(true, false, false, 0, 0, 3);
        uint cmp3 = AddImm(true, true, true, 31, 9, 3);
        uint store = variant switch
        {
            2 => LdrUImm(0, 0, 3, 4, 0),
            3 => Pair(0, false, 3, 5, 4, 0, 2),
            _ => LdrUImm(2, 0, 3, 4, 0),
        };
        if (variant is 0 or 3)
        {
            target = asm.Count;
            asm.Emit(addOne);
            asm.Emit(cmp3);
            asm.BCond(1, skip);
            asm.Emit(store);
            asm.Bind(skip);
            asm.Emit(AddImm(true, true, true, 9, 9, 1));
            asm.BCond(1, loop);
        }
        else
        {
            asm.Emit(cmp3);
            asm.BCond(1, skip);
            asm.Emit(store);
            asm.Bind(skip);
            asm.Emit(AddImm(true, true, true, 9, 9, 1));
            target = asm.Count;
            asm.Emit(addOne);
            asm.Cbz(true, true, 9, loop);
        }
        asm.Emit(SelfBranch);
        var program = asm.Finish();
        using var pair = RegionPair(mmu, predecoded: predecoded);
        LoadAtCode(pair, program);
        pair.Setup(cpu =>
        {
            cpu.SetX(9, 6);
            cpu.SetX(3, variant == 2 ? (addThree >> 8) & 0xFF : addThree);
            cpu.SetX(4, Code + 4 * (ulong)target + (variant == 2 ? 1UL : 0));
            cpu.SetX(5, cmp3);
        });
        pair.RunLockstep(60);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(variant is 0 or 3 ? 4UL * 1 + 2 * 3 : 3UL * 1 + 3 * 3, jit.X(0));
        Assert.AreEqual(0UL, jit.X(9));
        Assert.AreEqual(Code + 4 * (ulong)(program.Length - 1), jit.State.PC);
        Assert.AreEqual(addThree, BitConverter.ToUInt32(pair.Jit.Ram.AsSpan(Code + 4 * (ulong)target, 4)), "the rewritten word");
        Assert.IsTrue(jit.Translations!.BlocksInvalidated >= 1, "the store dropped the region's blocks");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true, DisplayName = "predecoded tier")]
    public void DataCacheMaintenanceInsideALoopKeepsTheLoopCompiled(bool predecoded)
    {
        // loop: dc zva, x0; add x0, x0, #64; dc civac, x1; dc cvau, x1; add x1, x1, #64; subs x9, x9, #1; b.ne loop; b .
        // DC by VA is a load/store for blocks and regions (no EL, regime or mask change): the loop runs without leaving.
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(Enc.DcZvaX0);
        asm.Emit(AddImm(true, false, false, 0, 0, 64));
        asm.Emit(Enc.DcCivacX0 | 1);
        asm.Emit(Enc.DcCvauX0 | 1);
        asm.Emit(AddImm(true, false, false, 1, 1, 64));
        asm.Emit(AddImm(true, true, true, 9, 9, 1));
        asm.BCond(1, loop);
        asm.Emit(SelfBranch);
        using var pair = RegionPair(mmu: true, predecoded: predecoded);
        LoadAtCode(pair, asm.Finish());
        var pattern = Enumerable.Repeat(0xA5A5A5A5u, 1024).ToArray();
        pair.Load(DataArea, pattern);
        pair.Setup(cpu =>
        {
            cpu.SetX(0, DataArea + 64);
            cpu.SetX(1, DataArea + 0x1000);
            cpu.SetX(9, 40);
        });
        pair.RunLockstep(7 * 40 + 5);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(0UL, jit.X(9));
        Assert.AreEqual(DataArea + 64 + 40 * 64, jit.X(0));
        var ram = pair.Jit.Ram.AsSpan(DataArea, 64 + 40 * 64 + 64);
        Assert.IsTrue(ram[..64].ToArray().All(b => b == 0xA5), "the block before the first DC ZVA is untouched");
        Assert.IsTrue(ram.Slice(64, 40 * 64).ToArray().All(b => b == 0), "40 blocks of 64 bytes zeroed");
        Assert.IsTrue(ram[(64 + 40 * 64)..].ToArray().All(b => b == 0xA5), "the block after the last is untouched");
        if (predecoded) AssertPredecodedRan(pair, jit.State.Instructions);
        else
        {
            AssertRegionRanTheLoop(pair);
            Assert.IsTrue(pair.BlocksCompared <= 3, $"{pair.BlocksCompared} returns: the passes ran inside the region");
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true, DisplayName = "predecoded tier")]
    public void DcZvaOverTheRestOfItsOwnBlockMakesItsNextInstructionUndefined(bool predecoded)
    {
        // dc zva, x0 (x0 = Code + 64); 15 x add x2, x2, #1; then at Code + 64: add x3, x3, #1 ... b . — the zeroed word is
        // UDF #0: the instruction after the DC ZVA's block part is Undefined, exactly where the interpreter takes it.
        var program = new uint[32];
        program[0] = Enc.DcZvaX0;
        for (int i = 1; i < 16; i++) program[i] = AddImm(true, false, false, 2, 2, 1);
        for (int i = 16; i < 31; i++) program[i] = AddImm(true, false, false, 3, 3, 1);
        program[31] = SelfBranch;
        using var pair = RegionPair(mmu: true, predecoded: predecoded);
        LoadAtCode(pair, program);
        pair.Load(Vbar + 0x200, SelfBranch);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = Vbar;
            cpu.SetX(0, Code + 64);
        });
        pair.RunLockstep(40);
        var jit = pair.Jit.Cpu;
        Assert.AreEqual(15UL, jit.X(2));
        Assert.AreEqual(0UL, jit.X(3), "the zeroed instructions did not run");
        Assert.AreEqual(Code + 64, jit.Sys.Elr[1], "ELR: the first zeroed word");
        Assert.AreEqual(0UL, jit.Sys.Esr[1] >> 26, "EC 0: Undefined");
        Assert.AreEqual(Vbar + 0x200, jit.State.PC);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void MisalignedSpBaseInsideARegionRaisesSpAlignmentFault(bool mmu)
    {
        // loop: add x0, x0, #1; cmp x9, #5; b.ne skip; add sp, sp, #8; skip: ldr x2, [sp, #16]; subs x9, x9, #1;
        // b.ne loop; b . — SCTLR_EL1.SA is set: the load after the pass that misaligns SP takes an SP alignment fault.
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        var skip = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(AddImm(true, false, false, 0, 0, 1));
        asm.Emit(AddImm(true, true, true, 31, 9, 5));
        asm.BCond(1, skip);
        asm.Emit(AddImm(true, false, false, 31, 31, 8));
        asm.Bind(skip);
        asm.Emit(LdrUImm(3, 1, 2, 31, 2));
        asm.Emit(AddImm(true, true, true, 9, 9, 1));
        asm.BCond(1, loop);
        asm.Emit(SelfBranch);
        using var pair = RegionPair(mmu);
        LoadAtCode(pair, asm.Finish());
        pair.Load(Vbar + 0x200, SelfBranch);
        pair.Load(DataArea + 0x1010, 0xcafe, 0xf00d);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = Vbar;
            cpu.Sp = DataArea + 0x1000;
            cpu.SetX(9, 8);
        });
        var jit = pair.Jit.Cpu;
        Assert.AreNotEqual(0UL, jit.Sys.Sctlr[1] & (1UL << 3), "SCTLR_EL1.SA");
        ulong faultAt = 0;
        jit.ExceptionEntered += (_, _) => faultAt = jit.State.Instructions;
        pair.RunLockstep(100);
        Assert.AreEqual(0x26UL, jit.Sys.Esr[1] >> 26, "SP alignment fault");
        Assert.AreEqual(Code + 16, jit.Sys.Elr[1], "ELR: the load");
        Assert.AreEqual(3UL * 6 + 4, faultAt, "three passes (the add to SP skipped), then add, cmp, b.ne, add sp");
        Assert.AreEqual(4UL, jit.X(0));
        Assert.AreEqual(0xf00d_0000_cafeUL, jit.X(2), "the aligned passes loaded");
        Assert.AreEqual(5UL, jit.X(9));
        Assert.AreEqual(DataArea + 0x1008, jit.State.Sp[1], "SP_EL1 as the add left it");
        AssertRegionRanTheLoop(pair);
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true, DisplayName = "predecoded tier")]
    public void MmioAccessesInsideARegionLoopGoThroughTheFallback(bool predecoded)
    {
        // loop: ldr w5, [x20, #4]; add x6, x6, x5; str w5, [x20]; tbz x5, #0, even; add x7, x7, #1;
        // even: subs x9, x9, #1; b.ne loop; b . — IRQ (raised by the write of a multiple of 10): mrs x11, elr_el1;
        // str x11, [x12], #8; str wzr, [x20, #8]; eret. The IRQ comes right after the store, at the tbz.
        var asm = new A64Assembler();
        var loop = asm.NewLabel();
        var even = asm.NewLabel();
        asm.Bind(loop);
        asm.Emit(LdrUImm(2, 1, 5, 20, 1));
        asm.Emit(AddShifted(true, false, false, 6, 6, 5));
        asm.Emit(LdrUImm(2, 0, 5, 20, 0));
        asm.Tbz(false, 5, 0, even);
        asm.Emit(AddImm(true, false, false, 7, 7, 1));
        asm.Bind(even);
        asm.Emit(AddImm(true, true, true, 9, 9, 1));
        asm.BCond(1, loop);
        asm.Emit(SelfBranch);
        using var pair = RegionPair(predecoded: predecoded);
        LoadAtCode(pair, asm.Finish());
        pair.Load(Vbar + 0x280, 0xd538402b, LdrImm9(3, 0, 11, 12, 8, 1), LdrUImm(2, 0, 31, 20, 2), Eret);
        var devices = new Dictionary<LockstepPair.Side, LockstepMemoryTests.IrqOnWriteDevice>();
        foreach (var side in pair.Both)
        {
            devices[side] = new LockstepMemoryTests.IrqOnWriteDevice(side.Cpu, value => value % 10 == 0); // IRQ for multiples of 10
            side.Bus.AddMmio(DeviceBase, 0x1000, devices[side], "counter");
            side.Cpu.Sys.Vbar[1] = Vbar;
            side.Cpu.State.Daif = 0;
            side.Cpu.SetX(20, DeviceBase);
            side.Cpu.SetX(12, DataArea);
            side.Cpu.SetX(9, 40);
        }
        pair.RunLockstep(400);
        var jit = pair.Jit.Cpu;
        CollectionAssert.AreEqual(Enumerable.Range(1, 40).Select(i => (ulong)i).ToList(), devices[pair.Jit].Writes);
        CollectionAssert.AreEqual(devices[pair.Interp].Writes, devices[pair.Jit].Writes);
        Assert.AreEqual(820UL, jit.X(6));
        Assert.AreEqual(20UL, jit.X(7));
        Assert.AreEqual(DataArea + 4 * 8, jit.X(12), "four IRQs");
        for (ulong i = 0; i < 4; i++)
            Assert.AreEqual(Code + 12, BitConverter.ToUInt64(pair.Jit.Ram.AsSpan(DataArea + 8 * i, 8)), $"IRQ {i}: ELR");
        Assert.AreEqual(Code + 28, jit.State.PC);
        AssertRanTheLoop(pair, predecoded);
    }

    [TestMethod]
    public void QueuedRegionCompilesSurviveTheMachineBeingDisposed()
    {
        // 400 blocks "add x0, x0, #1; b next" entered once each, compiled to regions on the background thread: most
        // requests are still queued when the machine is disposed. Region formation then finds the bus disposed and
        // drops the compile; it used to read freed RAM or throw on the JIT thread, which crashed the test host.
        var asm = new A64Assembler();
        for (int i = 0; i < 400; i++)
        {
            var next = asm.NewLabel();
            asm.Emit(AddImm(true, false, false, 0, 0, 1));
            asm.B(next);
            asm.Bind(next);
        }
        asm.Emit(SelfBranch);
        var program = asm.Finish();
        for (int round = 0; round < 5; round++)
        {
            var side = new LockstepPair.Side(null);
            side.Cpu.Engine = ExecutionEngine.Jit;
            side.Cpu.JitThreshold = 0;
            side.Cpu.JitOptimizeThreshold = 0;
            side.Cpu.JitBackgroundCompilation = true;
            side.Load(Code, program);
            side.Cpu.State.PC = Code;
            side.Cpu.Run(800);
            Assert.AreEqual(400UL, side.Cpu.X(0));
            side.Dispose();
        }
        Thread.Sleep(1000); // the queued compiles run against the disposed buses
        // The shared compile thread is still alive: a new machine's hot block gets its region in the background.
        using var fresh = new LockstepPair.Side(null);
        fresh.Cpu.Engine = ExecutionEngine.Jit;
        fresh.Cpu.JitThreshold = 0;
        fresh.Cpu.JitOptimizeThreshold = 0;
        fresh.Cpu.JitBackgroundCompilation = true;
        fresh.Load(Code, program);
        fresh.Cpu.State.PC = Code;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (fresh.Cpu.Translations?.BlocksOptimized is not > 0 && DateTime.UtcNow < deadline)
        {
            fresh.Cpu.State.PC = Code;
            fresh.Cpu.Run(800);
            Thread.Sleep(10);
        }
        Assert.IsTrue(fresh.Cpu.Translations!.BlocksOptimized > 0, "the background compiler no longer compiles");
    }
}
