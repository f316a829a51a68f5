using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Timing;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The timing models (src/ArmVirt.Cpu/Timing): classes from the decode rows, the issue rule, the branch predictor, and
/// the same cycle counts under the interpreter and the JIT (predecoded and compiled blocks) for every model, compared
/// after every block on random programs with loops, calls, loads/stores, faults and translation table walks.
/// </summary>
[TestClass]
internal sealed class TimingTests
{
    [TestMethod]
    [DataRow(0x91000420u, TimingClass.IntAlu, DisplayName = "add x0, x1, #1")]
    [DataRow(0x8b020020u, TimingClass.IntAlu, DisplayName = "add x0, x1, x2")]
    [DataRow(0x8b020820u, TimingClass.IntAluShifted, DisplayName = "add x0, x1, x2, lsl #2")]
    [DataRow(0x8b22c020u, TimingClass.IntAluShifted, DisplayName = "add x0, x1, w2, sxtw")]
    [DataRow(0x1b020c20u, TimingClass.IntMul32, DisplayName = "madd w0, w1, w2, w3")]
    [DataRow(0x9b020c20u, TimingClass.IntMul64, DisplayName = "madd x0, x1, x2, x3")]
    [DataRow(0x9bc27c20u, TimingClass.IntMul64, DisplayName = "umulh x0, x1, x2")]
    [DataRow(0x1ac20820u, TimingClass.IntDiv32, DisplayName = "udiv w0, w1, w2")]
    [DataRow(0x9ac20c20u, TimingClass.IntDiv64, DisplayName = "sdiv x0, x1, x2")]
    [DataRow(0xf9400020u, TimingClass.Load, DisplayName = "ldr x0, [x1]")]
    [DataRow(0xa9400440u, TimingClass.LoadPair, DisplayName = "ldp x0, x1, [x2]")]
    [DataRow(0xf9000020u, TimingClass.Store, DisplayName = "str x0, [x1]")]
    [DataRow(0xa9000440u, TimingClass.StorePair, DisplayName = "stp x0, x1, [x2]")]
    [DataRow(0xc85f7c20u, TimingClass.Atomic, DisplayName = "ldxr x0, [x1]")]
    [DataRow(0xfd400020u, TimingClass.Load, DisplayName = "ldr d0, [x1]")]
    [DataRow(0x14000000u, TimingClass.Branch, DisplayName = "b .")]
    [DataRow(0x94000000u, TimingClass.Call, DisplayName = "bl .")]
    [DataRow(0x54000001u, TimingClass.ConditionalBranch, DisplayName = "b.ne .")]
    [DataRow(0xb4000000u, TimingClass.ConditionalBranch, DisplayName = "cbz x0, .")]
    [DataRow(0xd61f0000u, TimingClass.IndirectBranch, DisplayName = "br x0")]
    [DataRow(0xd63f0000u, TimingClass.IndirectCall, DisplayName = "blr x0")]
    [DataRow(0xd65f03c0u, TimingClass.Return, DisplayName = "ret")]
    [DataRow(0xd69f03e0u, TimingClass.ExceptionReturn, DisplayName = "eret")]
    [DataRow(0xd4000001u, TimingClass.ExceptionGenerating, DisplayName = "svc #0")]
    [DataRow(0xd5380000u, TimingClass.SystemRegister, DisplayName = "mrs x0, midr_el1")]
    [DataRow(0xd5033bbfu, TimingClass.Barrier, DisplayName = "dmb ish")]
    [DataRow(0xd5033fdfu, TimingClass.Barrier, DisplayName = "isb")]
    [DataRow(0xd503201fu, TimingClass.Hint, DisplayName = "nop")]
    [DataRow(0x1e622820u, TimingClass.FpAdd, DisplayName = "fadd d0, d1, d2")]
    [DataRow(0x1e620820u, TimingClass.FpMul, DisplayName = "fmul d0, d1, d2")]
    [DataRow(0x1f420c20u, TimingClass.FpFma, DisplayName = "fmadd d0, d1, d2, d3")]
    [DataRow(0x1e221820u, TimingClass.FpDiv32, DisplayName = "fdiv s0, s1, s2")]
    [DataRow(0x1e621820u, TimingClass.FpDiv64, DisplayName = "fdiv d0, d1, d2")]
    [DataRow(0x1e61c020u, TimingClass.FpSqrt64, DisplayName = "fsqrt d0, d1")]
    [DataRow(0x9e620020u, TimingClass.FpConvert, DisplayName = "scvtf d0, x1")]
    [DataRow(0x9e670020u, TimingClass.FpConvert, DisplayName = "fmov d0, x1")]
    [DataRow(0x4e023820u, TimingClass.SimdPermute, DisplayName = "zip1 v0.16b, v1.16b, v2.16b")]
    [DataRow(0x4ea28420u, TimingClass.SimdArithmetic, DisplayName = "add v0.4s, v1.4s, v2.4s")]
    [DataRow(0x4e284820u, TimingClass.Crypto, DisplayName = "aese v0.16b, v1.16b")]
    public void ClassesComeFromTheDecodeRows(uint word, TimingClass expected) =>
        Assert.AreEqual(expected, TimingClassifier.Classify(A64Decoder.Instance.Decode(word), word));

    [TestMethod]
    [DataRow(0xE0821003u, TimingClass.IntAlu, TimingClass.Other, DisplayName = "add r1, r2, r3")]
    [DataRow(0xE0821103u, TimingClass.IntAluShifted, TimingClass.Other, DisplayName = "add r1, r2, r3, lsl #2")]
    [DataRow(0xE0821313u, TimingClass.IntAluShifted, TimingClass.Other, DisplayName = "add r1, r2, r3, lsl r3")]
    [DataRow(0xE1A01103u, TimingClass.IntAlu, TimingClass.Other, DisplayName = "lsl r1, r3, #2 (no flags)")]
    [DataRow(0xE0830291u, TimingClass.IntMulLong, TimingClass.Other, DisplayName = "umull r0, r3, r1, r2")]
    [DataRow(0xE0000291u, TimingClass.IntMul32, TimingClass.Other, DisplayName = "mul r0, r1, r2")]
    [DataRow(0x1AFFFFFDu, TimingClass.Branch, TimingClass.Branch, DisplayName = "bne (conditional by its cond field)")]
    [DataRow(0xEB000001u, TimingClass.Call, TimingClass.Call, DisplayName = "bl")]
    [DataRow(0xE12FFF1Eu, TimingClass.Return, TimingClass.Return, DisplayName = "bx lr")]
    [DataRow(0xE12FFF13u, TimingClass.IndirectBranch, TimingClass.IndirectBranch, DisplayName = "bx r3")]
    [DataRow(0xE12FFF33u, TimingClass.IndirectCall, TimingClass.IndirectCall, DisplayName = "blx r3")]
    [DataRow(0xE1A0F00Eu, TimingClass.IntAlu, TimingClass.Return, DisplayName = "mov pc, lr")]
    [DataRow(0xE8BD8010u, TimingClass.LoadPair, TimingClass.Return, DisplayName = "pop {r4, pc}")]
    [DataRow(0xE49DF004u, TimingClass.Load, TimingClass.Return, DisplayName = "ldr pc, [sp], #4")]
    [DataRow(0xE59FF000u, TimingClass.Load, TimingClass.IndirectBranch, DisplayName = "ldr pc, [pc]")]
    [DataRow(0xE25EF004u, TimingClass.ExceptionReturn, TimingClass.Other, DisplayName = "subs pc, lr, #4")]
    [DataRow(0xE8FD8000u, TimingClass.ExceptionReturn, TimingClass.Other, DisplayName = "ldm sp!, {pc}^")]
    [DataRow(0xF57FF04Fu, TimingClass.Barrier, TimingClass.Other, DisplayName = "dsb sy")]
    public void Aarch32ClassesAndBranchKindsComeFromTheRowsAndOperands(uint word, TimingClass expected, TimingClass branch)
    {
        var x = A32TimingClassifier.Describe(ArmVirt.Cpu.A32.A32Decoder.Instance.Decode(word), word);
        Assert.AreEqual(expected, x.Instruction.Class, "class");
        Assert.AreEqual(branch, x.Branch, "branch kind");
    }

    [TestMethod]
    public void EveryDecodeRowHasAClass()
    {
        // The classifier covers every row of every family table: a row it does not know would be priced as Other.
        foreach (var row in DataProcessingTable.Entries.Concat(BranchTable.Entries).Concat(SystemTable.Entries)
                     .Concat(LoadStoreTable.Entries).Concat(SimdFpTable.Entries))
            Assert.AreNotEqual(TimingClass.Other, TimingClassifier.Classify(row, row.Value), row.Name);
    }

    private static TimingInstruction Describe(uint word) => TimingClassifier.Describe(A64Decoder.Instance.Decode(word), word);

    private static uint[] Charges(TimingModel model, params uint[] words)
    {
        var group = default(IssueGroup);
        return [.. words.Select(w => group.Charge(model, Describe(w)))];
    }

    [TestMethod]
    public void CortexA53DualIssuesIndependentInstructionsAndWaitsForResults()
    {
        var a53 = TimingModel.CortexA53;
        // add x0, x1, #1; add x2, x3, #1: two ALU pipes, one cycle.
        CollectionAssert.AreEqual(new uint[] { 1, 0 }, Charges(a53, 0x91000420, 0x91000462));
        // add x0, x1, #1; add x2, x0, #1: the second reads the first's result.
        CollectionAssert.AreEqual(new uint[] { 1, 1 }, Charges(a53, 0x91000420, 0x91000402));
        // ldr x0, [x1]; add x2, x0, #1: load-use, latency 3.
        CollectionAssert.AreEqual(new uint[] { 1, 3 }, Charges(a53, 0xf9400020, 0x91000402));
        // ldr x0, [x1]; ldr x2, [x1]: one load/store pipe.
        CollectionAssert.AreEqual(new uint[] { 1, 1 }, Charges(a53, 0xf9400020, 0xf9400022));
        // three independent adds: two per cycle.
        CollectionAssert.AreEqual(new uint[] { 1, 0, 1 }, Charges(a53, 0x91000420, 0x91000462, 0x910004a4));
        // udiv x0, x1, x2 occupies the divider; the add after it issues in the next cycle.
        CollectionAssert.AreEqual(new uint[] { 20, 1 }, Charges(a53, 0x9ac20820, 0x91000462));
        // mrs issues alone.
        CollectionAssert.AreEqual(new uint[] { 1, 1, 1 }, Charges(a53, 0x91000420, 0xd5380000, 0x91000462));
    }

    [TestMethod]
    public void CortexA57IssuesThreeWideWithoutResultStalls()
    {
        var a57 = TimingModel.CortexA57;
        // Three independent instructions on different pipes: one cycle.
        CollectionAssert.AreEqual(new uint[] { 1, 0, 0 }, Charges(a57, 0x91000420, 0xf9400022, 0xf9000024));
        // Load-use: no stall (out of order), but not in the producer's cycle.
        CollectionAssert.AreEqual(new uint[] { 1, 1 }, Charges(a57, 0xf9400020, 0x91000402));
        // MUL X: throughput one per three cycles.
        CollectionAssert.AreEqual(new uint[] { 3, 3 }, Charges(a57, 0x9b027c20, 0x9b027c23));
    }

    [TestMethod]
    public void FlatChargesOneCyclePerInstruction()
    {
        CollectionAssert.AreEqual(new uint[] { 1, 1, 1 }, Charges(TimingModel.Flat, 0x91000420, 0x91000462, 0x9ac20820));
        Assert.IsTrue(TimingModel.Flat.IsFlat);
        Assert.AreSame(TimingModel.CortexA53, TimingModel.Parse("Cortex-A53"));
        Assert.ThrowsExactly<ArgumentException>(() => TimingModel.Parse("cortex-a72"));
    }

    [TestMethod]
    public void PredictorLearnsLoopsAndCallsAndMissesAlternation()
    {
        var p = new BranchPredictor(TimingModel.CortexA53);
        const ulong loop = 0x1000;
        // A backward branch taken 9 times, then not: the first (weakly not taken) and the last are mispredicted.
        for (int i = 0; i < 9; i++) p.Retire(TimingClass.ConditionalBranch, loop, loop - 8);
        p.Retire(TimingClass.ConditionalBranch, loop, loop + 4);
        Assert.AreEqual(10UL, p.Predicted);
        Assert.AreEqual(2UL, p.Mispredicted);
        // Calls and returns nested 8 deep fit the return stack; a 9th level loses the outermost return.
        for (ulong d = 0; d < 9; d++) p.Retire(TimingClass.Call, 0x2000 + 4 * d, 0x3000);
        for (ulong d = 9; d-- > 0;) p.Retire(TimingClass.Return, 0x3000, 0x2000 + 4 * d + 4);
        Assert.AreEqual(3UL, p.Mispredicted);
        // BR alternating between two targets: every one after the first is mispredicted, and the first too.
        for (int i = 0; i < 6; i++) p.Retire(TimingClass.IndirectBranch, 0x4000, i % 2 == 0 ? 0x5000UL : 0x6000UL);
        Assert.AreEqual(9UL, p.Mispredicted);
    }

    [TestMethod]
    [DataRow("cortex-a53", false, false)]
    [DataRow("cortex-a53", true, false)]
    [DataRow("cortex-a57", true, false)]
    [DataRow("cortex-a53", true, true, DisplayName = "cortex-a53, predecoded tier, MMU on")]
    [DataRow("cortex-a57", false, true, DisplayName = "cortex-a57, predecoded tier, MMU off")]
    public void RandomControlFlowProgramsCountTheInterpretersCycles(string model, bool mmu, bool predecoded)
    {
        // Random programs (loops, calls, BR/BLR, loads/stores, faults; with the MMU on, TLB walks), compared with the
        // interpreter after every block: registers, PC and the cycle count.
        var rng = new Random(20261207 + (mmu ? 1 : 0) + (predecoded ? 2 : 0) + model.Length);
        using var pair = LockstepRegionTests.RegionPair(mmu, predecoded: predecoded, timing: TimingModel.Parse(model));
        var (retired, _) = LockstepRegionTests.RunRandomPrograms(pair, rng, 120);
        var jit = pair.Jit.Cpu;
        if (!predecoded) Assert.IsGreaterThan(0L, jit.Translations!.RegionsCompiled, "regions were compiled under the model");
        Assert.AreNotEqual(retired, jit.State.Cycles, "the model charged its costs");
        Assert.IsGreaterThan(0UL, jit.BranchPredictor!.Mispredicted);
        Assert.AreEqual(pair.Interp.Cpu.BranchPredictor!.Mispredicted, jit.BranchPredictor.Mispredicted);
    }

    [TestMethod]
    [DataRow("cortex-a53", false)]
    [DataRow("cortex-a57", true)]
    public void RegionsSpanningTwoPagesCountTheInterpretersCycles(string model, bool mmu)
    {
        // Random programs straddling a page boundary, their regions continuing into the next page (compiled after a few
        // entries, once that page is in the TLB): the next page's check and its exits keep the model's cycles and the
        // predictor's counts those of the interpreter.
        var rng = new Random(20261212 + (mmu ? 1 : 0) + model.Length);
        var offsets = new Random(11);
        using var pair = LockstepRegionTests.RegionPair(mmu, timing: TimingModel.Parse(model));
        var jit = pair.Jit.Cpu;
        jit.JitOptimizeThreshold = 4;
        LockstepRegionTests.RunRandomPrograms(pair, rng, 100, placement: (p, words) =>
            LockstepRegionTests.Code + (ulong)(p % 8) * 0x2000 + 0x1000 - 4 * (ulong)(words / 4 + offsets.Next(words / 2 + 1)));
        Assert.IsGreaterThan(0L, jit.Translations!.RegionsSpanningPages, "regions spanned two pages under the model");
        Assert.AreEqual(pair.Interp.Cpu.BranchPredictor!.Mispredicted, jit.BranchPredictor!.Mispredicted);
        Assert.AreEqual(pair.Interp.Cpu.State.Cycles, jit.State.Cycles);
    }

    [TestMethod]
    [DataRow("cortex-a53")]
    [DataRow("cortex-a57")]
    public void ARegionLeavingInsideAnIssueGroupHandsTheGroupToTheInterpreter(string model)
    {
        // 300 independent ADDs (pairs that dual-issue) from Code + 4, then B back: the region takes the first 256, so it
        // leaves to Code + 1028, the second instruction of a fetch group, with the group in progress; the interpreter
        // must go on in it (the ADD there pairs with the one before: 0 cycles), not start a fresh one.
        using var pair = LockstepRegionTests.RegionPair(timing: TimingModel.Parse(model));
        var program = new uint[302];
        for (int i = 1; i <= 300; i++) program[i] = i % 2 == 0 ? 0x91000442u : 0x91000421u; // add x2/x1, #1
        program[301] = 0x14000000u | (0x4000000u - 300);                       // b Code + 4
        pair.Load(LockstepRegionTests.Code, program);
        pair.Setup(cpu => cpu.State.PC = LockstepRegionTests.Code + 4);
        pair.RunLockstep(20_000);
        Assert.IsGreaterThan(0L, pair.Jit.Cpu.Translations!.RegionsCompiled, "the loop ran in a region");
    }

    [TestMethod]
    [DataRow("cortex-a53", false)]
    [DataRow("cortex-a57", false)]
    [DataRow("cortex-a53", true)]
    public void DataAccessesEvictingTheCodePagesTlbEntryWalkAsInTheInterpreter(string model, bool predecoded)
    {
        // A loop loading from the VA 4 GiB above its own page (the RAM's second mapping), which takes the same slot of
        // the direct-mapped soft TLB: in the interpreter each load evicts the code page's entry and the next fetch walks
        // again (and the load after it walks for its page). Compiled and predecoded code must charge the same walks.
        using var pair = LockstepRegionTests.RegionPair(mmu: true, predecoded: predecoded, timing: TimingModel.Parse(model));
        LockstepRegionTests.LoadAtCode(pair,
            A64Assembler.Movz(true, 2, (uint)(LockstepRegionTests.Code >> 16), 1),
            A64Assembler.Movk(true, 2, 1, 2),                                 // x2 = Code + 4 GiB
            A64Assembler.Movz(true, 3, 500),
            A64Assembler.LdrUImm(3, 1, 1, 2, 0),                              // loop: ldr x1, [x2]
            A64Assembler.AddImm(true, sub: true, setFlags: true, 3, 3, 1),    // subs x3, x3, #1
            0x54ffffc1,                                                        // b.ne loop
            A64Assembler.SelfBranch);
        pair.RunLockstep(3000);
        Assert.AreEqual(0UL, pair.Jit.Cpu.State.X[3], "the loop ran to its end");
        if (!predecoded) Assert.IsGreaterThan(0L, pair.Jit.Cpu.Translations!.RegionsCompiled);
    }

    [TestMethod]
    [DataRow("cortex-a53", 12UL, 1UL, 0UL, 9UL)]
    [DataRow("cortex-a57", 12UL, 1UL, 0UL, 14UL)]
    public void Aarch32InstructionsCostTheirRowsClassesInIssueGroups(string model, ulong udiv, ulong add, ulong umull, ulong dsb)
    {
        // AArch32 EL1 (under an AArch64 EL2), one aligned fetch group: udiv r0, r1, r2 (its divide cycles); add r0, r0, r1
        // reads its result (a new cycle; udiv's latency is its issue); umull r0, r3, r1, r2 reads neither and joins the
        // add's cycle on the multiply pipe (0); dsb sy issues alone (the model's refill).
        using var s = Aarch32At(model, 0xE730F211, 0xE0800001, 0xE0830291, 0xF57FF04F);
        CollectionAssert.AreEqual(new[] { udiv, add, umull, dsb }, StepCosts(s, 4));
    }

    [TestMethod]
    [DataRow("cortex-a53", 4UL, 4UL, 1UL)]
    [DataRow("cortex-a57", 8UL, 4UL, 2UL)]
    public void Aarch32BranchesArePredictedAndMultiplesCostTheirRegisters(string model, ulong push8, ulong pop8, ulong shiftedPair)
    {
        // A B<c> loop, a call chain closed by BX LR and POP {r4, pc}, then STMDB/LDMIA of eight registers:
        //   0x00 mov r0, #3;  0x04 loop: subs r0, r0, #1;  0x08 bne loop;  0x0c bl f
        //   0x10 push {r0-r7};  0x14 pop {r0-r7};  0x18 add r1, r2, r3, lsl #2;  0x1c add r4, r5, r6, lsl #2;  0x20 b .
        //   0x30 f: push {r4, lr};  0x34 bl g;  0x38 pop {r4, pc};  0x40 g: bx lr
        using var s = Aarch32At(model,
            0xE3A00003, 0xE2500001, 0x1AFFFFFD, 0xEB000007, 0xE92D00FF, 0xE8BD00FF, 0xE0821103, 0xE0854106,
            0xEAFFFFFE, 0xE320F000, 0xE320F000, 0xE320F000, 0xE92D4010, 0xEB000001, 0xE8BD8010, 0xE320F000,
            0xE12FFF1E);
        s.Cpu.SetR(13, (uint)(SysCpu.RamBase + 0x8000));
        var costs = new Dictionary<ulong, ulong>();
        ulong kernel = s.Cpu.State.PC;
        while (s.Cpu.State.PC != kernel + 0x20)
        {
            ulong pc = s.Cpu.State.PC, before = s.Cpu.State.Cycles;
            s.Cpu.Step();
            costs[pc - kernel] = s.Cpu.State.Cycles - before;
        }
        var p = s.Cpu.BranchPredictor!;
        // bne three times (taken, taken, fallen through), bl f, bl g, bx lr, pop {r4, pc}: the 2-bit counter starts weakly
        // not taken (a miss at the first pass and at the exit); the returns hit the return stack.
        Assert.AreEqual(7UL, p.Predicted, "BR_PRED");
        Assert.AreEqual(2UL, p.Mispredicted, "BR_MIS_PRED");
        Assert.AreEqual(push8, costs[0x10], "push {r0-r7}: eight registers stored");
        Assert.AreEqual(pop8, costs[0x14], "pop {r0-r7}: eight registers loaded two a cycle");
        // The shifted-operand adds (the LDM ended its group): on Cortex-A53 both on the two integer pipes in one cycle; on
        // Cortex-A57 both on the one M pipe (SWOG 3.3), one cycle each.
        Assert.AreEqual(shiftedPair, costs[0x18] + costs[0x1c], "add r1, r2, r3, lsl #2; add r4, r5, r6, lsl #2");
        var model2 = TimingModel.Parse(model);
        Assert.AreEqual(1 + model2.TakenBranchCycles, costs[0x40], "bx lr: predicted by the return stack, taken");
        Assert.AreEqual(1 + model2.TakenBranchCycles, costs[0x38], "pop {r4, pc}: predicted by the return stack, taken");
    }

    [TestMethod]
    [DataRow("cortex-a53")]
    [DataRow("cortex-a57")]
    public void T32ConditionalBranchesInItBlocksArePredictedByDirection(string model)
    {
        // T32: 0x00 movs r0, #2;  0x02 loop: subs r0, #1;  0x04 it ne;  0x06 bne.n loop (T2, conditional by its IT block);
        // 0x08 b.n .  -- the IT block's B is a conditional branch: two passes, taken once (missed: weakly not taken) and
        // fallen through once (now predicted taken: missed).
        using var s = Aarch32At(model, 0x38012002, 0xE7FCBF18, 0x0000E7FE);
        s.Cpu.State.Thumb = true;
        ulong kernel = s.Cpu.State.PC;
        for (int i = 0; i < 20 && s.Cpu.State.PC != kernel + 8; i++) s.Cpu.Step();
        Assert.AreEqual(kernel + 8, s.Cpu.State.PC);
        Assert.AreEqual(2UL, s.Cpu.BranchPredictor!.Predicted, "BR_PRED");
        Assert.AreEqual(2UL, s.Cpu.BranchPredictor.Mispredicted, "BR_MIS_PRED");
    }

    // An AArch32 EL1 (Supervisor mode, under an AArch64 EL2 with HCR_EL2.RW = 0) about to run `words` at a 16-byte
    // aligned address under `model`.
    private static SysCpu Aarch32At(string model, params uint[] words)
    {
        var s = new SysCpu(highestEl: 2, timing: TimingModel.Parse(model));
        s.Enter(2);
        s.Cpu.Sys.Hcr = 0;
        ulong kernel = SysCpu.RamBase + 0x1_0000;
        s.Bus.Load(kernel, words.SelectMany(BitConverter.GetBytes).ToArray());
        s.Cpu.Sys.Spsr[2] = 0x1D3;
        s.Cpu.Sys.Elr[2] = kernel;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        s.Cpu.SetR(1, 100);
        s.Cpu.SetR(2, 7);
        return s;
    }

    // The cycles each of the next n instructions costs, stepped.
    private static List<ulong> StepCosts(SysCpu s, int n)
    {
        var costs = new List<ulong>();
        for (int i = 0; i < n; i++)
        {
            ulong before = s.Cpu.State.Cycles;
            s.Cpu.Step();
            costs.Add(s.Cpu.State.Cycles - before);
        }
        return costs;
    }

    [TestMethod]
    [DataRow("cortex-a53", false)]
    [DataRow("cortex-a57", true)]
    public void RandomProgramsWithRootedRegionsCountTheInterpretersCycles(string model, bool mmu)
    {
        // Regions compiled at 300 entries, with the targets of BR and BLR as roots, under a model.
        var rng = new Random(20261207 + (mmu ? 1 : 0));
        using var pair = LockstepRegionTests.RegionPair(mmu, timing: TimingModel.Parse(model));
        pair.Jit.Cpu.JitOptimizeThreshold = 300;
        LockstepRegionTests.RunRandomPrograms(pair, rng, 160);
        Assert.IsGreaterThan(0L, pair.Jit.Cpu.Translations!.RegionsWithRoots, "some regions took BR/BLR targets as roots");
    }

    [TestMethod]
    public void FetchAbortsUnderTranslationChargeTheirWalkOnce()
    {
        // BR to an unmapped VA: every fetch there walks (one level-1 descriptor) and faults; the handler skips to the
        // next word, which faults again. The JIT's block lookup translates the fetch too, then leaves the fault to the
        // interpreter: the walk's cycles must be charged once.
        using var pair = LockstepRegionTests.RegionPair(mmu: true, timing: TimingModel.CortexA53);
        pair.Load(LockstepRegionTests.Vbar + 0x200, LockstepRegionTests.SkipHandler);
        LockstepRegionTests.LoadAtCode(pair, 0xd2a20000, 0xd61f0000); // movz x0, #0x1000, lsl #16; br x0
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = LockstepRegionTests.Vbar;
            cpu.State.Daif = 0xFu << 6;
        });
        pair.RunLockstep(3000);
        Assert.AreEqual(0x21UL, pair.Jit.Cpu.Sys.Esr[1] >> 26, "instruction aborts taken");
        Assert.IsGreaterThan(0L, pair.Jit.Cpu.Translations!.BlocksCompiled, "the handler ran compiled");
    }

    [TestMethod]
    [DataRow("cortex-a53")]
    [DataRow("cortex-a57")]
    public void InstructionLimitsAndClockDeadlinesInsideIssueGroupsMatchTheInterpreter(string model)
    {
        // Limits that cut blocks (the interpreter finishes an issue group a block left), and a clock event every 37
        // cycles (a block runs only when its last instruction starts before the deadline, by its cost table).
        using var pair = new LockstepPair(0, timing: TimingModel.Parse(model));
        pair.Load(LockstepPair.RamBase, LockstepProgramTests.MixedLoop);
        var fired = new Dictionary<LockstepPair.Side, List<ulong>>();
        foreach (var side in pair.Both)
        {
            var list = fired[side] = [];
            var s = side;
            void Tick()
            {
                list.Add(s.Cpu.State.Cycles);
                s.Clock.Schedule(s.Clock.Now + 37, Tick);
            }
            s.Clock.Schedule(37, Tick);
        }
        for (ulong slice = 1; slice < 40; slice++) pair.RunLockstep(slice);
        pair.RunLockstep(3000);
        CollectionAssert.AreEqual(fired[pair.Interp], fired[pair.Jit]);
        Assert.IsGreaterThan(50, fired[pair.Jit].Count);
        Assert.IsGreaterThan(0L, pair.Jit.Cpu.Translations!.BlocksCompiled);
    }
}
