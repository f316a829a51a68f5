namespace ArmVirt.Cpu.Tests;

/// <summary>Whole programs under the interpreter and the JIT, compared after every compiled block.</summary>
[TestClass]
public sealed class LockstepProgramTests
{
    // A Fibonacci-style loop mixing add/logical/shifted/multiply/divide/conditional select/compare with BL/RET,
    // B.cond, CBZ and TBNZ; it ends in "b ." (see the assembly in the comments).
    internal static readonly uint[] MixedLoop =
    [
        0xd2800000, // mov x0, #0
        0xd2800021, // mov x1, #1
        0xd2801902, // mov x2, #200
        0xd2a24689, // movz x9, #0x1234, lsl #16
        0x8b010003, // loop: add x3, x0, x1
        0xaa0103e0, // mov x0, x1
        0xaa0303e1, // mov x1, x3
        0xcac31d29, // eor x9, x9, x3, ror #7
        0x9b01292a, // madd x10, x9, x1, x10
        0x9ac2094b, // udiv x11, x10, x2
        0x9a89816c, // csel x12, x11, x9, hi
        0x2b09018d, // adds w13, w12, w9
        0xfa4211a4, // ccmp x13, x2, #4, ne
        0x9a9f17ee, // cset x14, eq
        0x94000008, // bl sub
        0xf1000442, // subs x2, x2, #1
        0x54fffe81, // b.ne loop
        0xb400004e, // cbz x14, skip
        0x910005ef, // add x15, x15, #1
        0x37180049, // skip: tbnz x9, #3, done
        0x91001e10, // add x16, x16, #7
        0x14000000, // done: b done
        0x93ca3531, // sub: extr x17, x9, x10, #13
        0xdac00232, // rbit x18, x17
        0xdac01253, // clz x19, x18
        0x8b130294, // add x20, x20, x19
        0xd65f03c0, // ret
    ];

    [TestMethod]
    [DataRow(0, 0L)]
    [DataRow(0, long.MaxValue)]
    [DataRow(3, 20L)]
    [DataRow(50, 100L)]
    public void MixedLoopMatchesInterpreter(int threshold, long optimizeThreshold)
    {
        using var pair = new LockstepPair(threshold, optimizeThreshold: optimizeThreshold);
        pair.Load(LockstepPair.RamBase, MixedLoop);
        pair.RunLockstep(5000);
        var t = pair.Jit.Cpu.Translations!;
        Assert.IsTrue(t.BlocksCompiled > 0, "nothing was compiled");
        if (optimizeThreshold == long.MaxValue) Assert.AreEqual(0L, t.BlocksOptimized);
        else Assert.IsTrue(t.BlocksOptimized > 0, "nothing was optimized");
        // Blocks are compared after every pass; a region runs the loop inside one call (compared when it returns).
        int minimum = t.BlocksOptimized == 0 ? 100 : 0;
        Assert.IsTrue(pair.BlocksCompared > minimum, $"only {pair.BlocksCompared} blocks compared");
        Assert.AreEqual(5000UL, pair.Jit.Cpu.State.Instructions);
    }

    [TestMethod]
    public void MixedLoopInSmallSlicesMatchesInterpreter()
    {
        // Instruction limits that cut blocks: the JIT must interpret up to the limit, never overshoot it.
        using var pair = new LockstepPair(0);
        pair.Load(LockstepPair.RamBase, MixedLoop);
        for (ulong slice = 1; slice < 40; slice++) pair.RunLockstep(slice);
        Assert.AreEqual(780UL, pair.Jit.Cpu.State.Instructions);
    }

    [TestMethod]
    public void ClockEventsFireAtTheSameCycle()
    {
        // A periodic event every 37 cycles: blocks must not run across a deadline.
        using var pair = new LockstepPair(0);
        pair.Load(LockstepPair.RamBase, MixedLoop);
        var fired = new Dictionary<LockstepPair.Side, List<ulong>>();
        foreach (var side in pair.Both)
        {
            var list = fired[side] = new List<ulong>();
            var s = side;
            void Tick()
            {
                list.Add(s.Cpu.State.Cycles);
                s.Clock.Schedule(s.Clock.Now + 37, Tick);
            }
            s.Clock.Schedule(37, Tick);
        }
        pair.RunLockstep(3000);
        CollectionAssert.AreEqual(fired[pair.Interp], fired[pair.Jit]);
        Assert.IsTrue(fired[pair.Jit].Count >= 80);
        Assert.IsTrue(fired[pair.Jit].All(c => c % 37 == 0), "an event fired late");
    }

    [TestMethod]
    public void BackgroundCompilationGivesTheSameResults()
    {
        // Which executions run compiled now depends on host timing; the state after every block must not.
        using var pair = new LockstepPair(2, optimizeThreshold: 40, background: true);
        pair.Load(LockstepPair.RamBase, MixedLoop);
        for (int i = 0; i < 20; i++) pair.RunLockstep(5000);
        var t = pair.Jit.Cpu.Translations!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (t.BlocksOptimized == 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
        pair.RunLockstep(5000);
        Assert.IsTrue(t.BlocksOptimized > 0, "the background compiler finished nothing");
        Assert.IsTrue(pair.BlocksCompared > 0);
    }
}
