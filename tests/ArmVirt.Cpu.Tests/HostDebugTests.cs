using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The host's breakpoints, watchpoints, RunUntil and hooks (issue #17 item 3) on a loop that has run long enough to be a
/// compiled region (stage 1 on, so that its loads and stores use the host TLB): the JIT stops exactly where the
/// interpreter does, before the instruction (not one late), resumes past it, and the hooks see the same instructions and
/// values under both engines.
/// </summary>
[TestClass]
public sealed class HostDebugTests
{
    private const int Passes = 3000;
    private static readonly ulong Data = LockstepRegionTests.DataArea, Other = LockstepRegionTests.DataArea + 0x1000;

    // loop: x1++; x3 = [Data] + x1; [Data] = x3; [Other] = x1; until x1 == Passes; then spins at `end`.
    private static (uint[] Program, ulong Loop, ulong AddX3, ulong StoreData, ulong End) Program()
    {
        var a = new A64Assembler();
        int loop = a.NewLabel(), addX3 = a.NewLabel(), storeData = a.NewLabel(), end = a.NewLabel();
        a.Emit(Movz(true, 1, 0));
        a.Emit(Movz(true, 2, Passes));
        a.Bind(loop);
        a.Emit(AddImm(true, false, false, 1, 1, 1));
        a.Emit(LdrUImm(3, 1, 3, 9, 0));
        a.Bind(addX3);
        a.Emit(AddShifted(true, false, false, 3, 3, 1));
        a.Bind(storeData);
        a.Emit(LdrUImm(3, 0, 3, 9, 0));
        a.Emit(LdrUImm(3, 0, 1, 12, 0));
        a.Emit(AddShifted(true, true, true, 31, 1, 2));
        a.BCond(1, loop);
        a.Bind(end);
        a.B(end);
        var words = a.Finish();
        ulong At(int label) => LockstepRegionTests.Code + (ulong)a.IndexOf(label) * 4;
        return (words, At(loop), At(addX3), At(storeData), At(end));
    }

    // Both CPUs (interpreter, JIT compiling every block straight to a region) with the program loaded and warmed up for
    // `warm` instructions.
    private static LockstepPair Warmed(out (uint[] Program, ulong Loop, ulong AddX3, ulong StoreData, ulong End) p, ulong warm = 4000)
    {
        var pair = LockstepRegionTests.RegionPair(mmu: true);
        p = Program();
        LockstepRegionTests.LoadAtCode(pair, p.Program);
        pair.Setup(cpu =>
        {
            cpu.SetX(9, Data);
            cpu.SetX(12, Other);
        });
        foreach (var s in pair.Both) Assert.AreEqual(StopReason.InstructionLimit, s.Cpu.Run(warm));
        Assert.IsTrue(pair.Jit.Cpu.Translations!.RegionsCompiled > 0, "the loop runs as a compiled region");
        foreach (var s in pair.Both) s.Cpu.ClearStop();
        return pair;
    }

    private static ulong Read64(LockstepPair.Side s, ulong va) => BitConverter.ToUInt64(s.Ram.AsSpan(va, 8));

    [TestMethod]
    public void ABreakpointStopsBeforeItsInstructionAndTheRunResumesPastIt()
    {
        using var pair = Warmed(out var p);
        foreach (var s in pair.Both) s.Cpu.Breakpoints.Add(p.AddX3);
        foreach (var s in pair.Both)
        {
            var cpu = s.Cpu;
            Assert.AreEqual(StopReason.Breakpoint, cpu.Run(100_000));
            Assert.AreEqual(p.AddX3, cpu.State.PC, "stopped on the breakpoint");
            Assert.AreEqual(Read64(s, Data), cpu.X(3), "the ADD has not executed: x3 is the value just loaded");
            ulong at = cpu.State.Instructions;
            Assert.AreEqual(StopReason.Breakpoint, cpu.Run(100_000), "the next pass stops again");
            Assert.AreEqual(p.AddX3, cpu.State.PC);
            Assert.AreEqual(at + 7, cpu.State.Instructions, "after exactly one pass of the loop");
            cpu.Breakpoints.Clear();
        }
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "at the breakpoint");
        foreach (var s in pair.Both)
        {
            Assert.AreEqual(StopReason.Breakpoint, s.Cpu.RunUntil(p.End, 100_000));
            Assert.AreEqual(p.End, s.Cpu.State.PC);
            Assert.AreEqual((ulong)Passes, s.Cpu.X(1), "RunUntil ran the loop to its end");
        }
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "at RunUntil's address");
    }

    [TestMethod]
    public void ABreakpointInAnotherPageLeavesTheLoopCompiled()
    {
        using var pair = Warmed(out var p);
        var cpu = pair.Jit.Cpu;
        cpu.Breakpoints.Add(LockstepRegionTests.Code + 0x3000);
        ulong compiled = cpu.Statistics.InstructionsRegions;
        Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(7000));
        Assert.IsTrue(cpu.Statistics.InstructionsRegions - compiled > 6000, "the loop's page holds no breakpoint: it runs compiled");
        cpu.ClearStop();
        cpu.Breakpoints.Add(p.Loop + 0x20); // `end`'s page is the loop's
        compiled = cpu.Statistics.InstructionsRegions;
        Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(700));
        Assert.AreEqual(compiled, cpu.Statistics.InstructionsRegions, "a breakpoint in the loop's page: interpreted");
    }

    [TestMethod]
    public void AWatchpointStopsBeforeTheStoreIsMade()
    {
        using var pair = Warmed(out var p);
        foreach (var s in pair.Both)
        {
            var cpu = s.Cpu;
            var w = cpu.Watchpoints.Add(Data + 4, 2, WatchKind.Write);
            Assert.AreEqual(StopReason.Watchpoint, cpu.Run(100_000));
            Assert.AreEqual(p.StoreData, cpu.State.PC, "stopped on the store");
            Assert.AreEqual(new WatchpointHit(w, Data, 8, IsWrite: true), cpu.LastWatchpointHit);
            ulong before = Read64(s, Data);
            Assert.AreNotEqual(before, cpu.X(3), "the store has not been made");
            ulong stored = cpu.X(3);
            Assert.AreEqual(StopReason.Watchpoint, cpu.Run(100_000));
            Assert.AreEqual(stored, Read64(s, Data), "resumed: the store was made, and the next pass stops again");
            cpu.Watchpoints.Clear();
            cpu.Watchpoints.Add(Other, 8, WatchKind.Read);
            Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(1000), "a read watchpoint on a page only written: no stop");
            cpu.ClearStop();
            cpu.Watchpoints.Clear();
        }
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "after the watchpoints");
    }

    [TestMethod]
    public void ABreakpointAndAWatchpointOnOneInstructionStopInTurn()
    {
        using var pair = Warmed(out var p);
        foreach (var s in pair.Both)
        {
            var cpu = s.Cpu;
            cpu.Breakpoints.Add(p.StoreData);
            cpu.Watchpoints.Add(Data, 8, WatchKind.Write);
            Assert.AreEqual(StopReason.Breakpoint, cpu.Run(100_000));
            ulong at = cpu.State.Instructions;
            Assert.AreEqual(StopReason.Watchpoint, cpu.Run(100_000), "resumed past the breakpoint, the store's watchpoint");
            Assert.AreEqual((p.StoreData, at), (cpu.State.PC, cpu.State.Instructions));
            ulong stored = cpu.X(3);
            Assert.AreEqual(StopReason.Breakpoint, cpu.Run(100_000), "resumed past both: the next pass");
            Assert.AreEqual((p.StoreData, at + 7), (cpu.State.PC, cpu.State.Instructions));
            Assert.AreEqual(stored, Read64(s, Data));
        }
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "after the stops");
    }

    [TestMethod]
    public void HooksSeeTheSameInstructionsAndValuesUnderBothEngines()
    {
        using var pair = Warmed(out var p);
        var seen = new List<List<string>>();
        foreach (var s in pair.Both)
        {
            var log = new List<string>();
            seen.Add(log);
            var cpu = s.Cpu;
            using var code = cpu.Hooks.AddCode(p.AddX3, p.AddX3 + 8, (c, pc) => log.Add($"pc {pc:x} x3 {c.X(3):x}"));
            using var memory = cpu.Hooks.AddMemory(Data, Data + 8, (c, a) => log.Add($"{(a.IsWrite ? "W" : "R")} {a.Address:x} {a.Size} {a.Value:x}"));
            ulong start = cpu.State.Instructions;
            Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(700));
            cpu.ClearStop();
            Assert.AreEqual(100 * 4, log.Count, "per pass: the ADD and the STR (code hook), the load and the store (memory hook)");
            // A code hook may stop the run: the instruction is left unexecuted.
            using var stop = cpu.Hooks.AddCode(p.StoreData, p.StoreData + 4, (c, _) => c.RequestStop(StopReason.HostRequest));
            Assert.AreEqual(StopReason.HostRequest, cpu.Run(100));
            Assert.AreEqual(p.StoreData, cpu.State.PC);
            cpu.ClearStop();
        }
        CollectionAssert.AreEqual(seen[0], seen[1]);
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "after the hooks");
        Assert.AreEqual(200, seen[0].Take(400).Count(e => e.StartsWith("pc ")), "code hook entries");
        Assert.AreEqual(100, seen[0].Take(400).Count(e => e.StartsWith("W ")), "stores reported with their values");
    }

    // loop: x1++; x8 = x1; SVC #7 (answered by the hook: x0 = 2 * x8); x2 += x0; UDF #0 (skipped by the hook); until
    // x1 == Passes; then spins at `end`.
    [TestMethod]
    public void ExceptionHooksAnswerSvcAndSkipUndefinedUnderBothEngines()
    {
        var a = new A64Assembler();
        int loop = a.NewLabel(), svc = a.NewLabel(), udf = a.NewLabel(), end = a.NewLabel();
        a.Emit(Movz(true, 1, 0));
        a.Emit(Movz(true, 2, 0));
        a.Emit(Movz(true, 3, Passes));
        a.Bind(loop);
        a.Emit(AddImm(true, false, false, 1, 1, 1));
        a.Emit(AddImm(true, false, false, 8, 1, 0));
        a.Bind(svc);
        a.Emit(Svc(7));
        a.Emit(AddShifted(true, false, false, 2, 2, 0));
        a.Bind(udf);
        a.Emit(0x0000_0000); // UDF #0
        a.Emit(AddShifted(true, true, true, 31, 1, 3));
        a.BCond(1, loop);
        a.Bind(end);
        a.B(end);
        var words = a.Finish();
        ulong At(int label) => LockstepRegionTests.Code + (ulong)a.IndexOf(label) * 4;
        using var pair = LockstepRegionTests.RegionPair(mmu: true);
        LockstepRegionTests.LoadAtCode(pair, words);
        var seen = new List<List<string>>();
        foreach (var s in pair.Both)
        {
            var cpu = s.Cpu;
            var log = new List<string>();
            seen.Add(log);
            int el = cpu.State.EL;
            ulong esr = cpu.Sys.Esr[el], elr = cpu.Sys.Elr[el];
            using (cpu.Hooks.AddException((c, e) =>
            {
                if (log.Count < 4) log.Add($"{e.Class} {e.Iss} EL{e.TargetEl} {e.PreferredReturn:x} pc {c.State.PC:x}");
                if (e.Class == Exceptions.ExceptionClass.Svc64 && e.Iss == 7)
                {
                    c.SetX(0, 2 * c.X(8));
                    return true;
                }
                return false;
            }))
            using (cpu.Hooks.AddException((c, e) =>
            {
                c.State.PC += 4; // the undefined instruction: skipped
                return true;
            }))
            {
                Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(3 + 8UL * Passes + 10));
                cpu.ClearStop();
            }
            Assert.AreEqual(At(end), cpu.State.PC);
            Assert.AreEqual((ulong)Passes * (Passes + 1), cpu.X(2), "every SVC answered: x2 = sum of 2i");
            Assert.AreEqual((el, esr, elr), (cpu.State.EL, cpu.Sys.Esr[el], cpu.Sys.Elr[el]), "no exception was taken");
            // Without the hooks the same SVC is taken as the architecture says.
            cpu.State.PC = At(svc);
            Assert.AreEqual(StopReason.InstructionLimit, cpu.Run(1));
            cpu.ClearStop();
            Assert.AreEqual((ulong)Exceptions.ExceptionClass.Svc64, cpu.Sys.Esr[el] >> 26);
            Assert.AreEqual(At(svc) + 4, cpu.Sys.Elr[el]);
        }
        CollectionAssert.AreEqual(seen[0], seen[1]);
        Assert.AreEqual($"Svc64 7 EL{pair.Interp.Cpu.State.EL} {At(svc) + 4:x} pc {At(svc) + 4:x}", seen[0][0]);
        StringAssert.StartsWith(seen[0][1], $"Unknown 0 EL");
        LockstepPair.AssertSameState(pair.Interp.Cpu, pair.Jit.Cpu, "after the hooks");
    }
}
