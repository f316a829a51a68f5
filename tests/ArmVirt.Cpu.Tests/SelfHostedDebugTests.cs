using static ArmVirt.Cpu.Tests.A64Assembler;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Self-hosted debug (Arm ARM D2, issue #17 item 1) where QEMU 7.2 cannot be the reference (the OS lock and double
/// lock, unlinked context breakpoints) and where the engines must agree: a breakpoint and a watchpoint armed by the
/// program itself while its loop runs compiled stop it exactly where the interpreter stops. tests/guests/debug.c
/// compares the rest with QEMU.
/// </summary>
[TestClass]
public sealed class SelfHostedDebugTests
{
    private const ulong MdscrKde = 1UL << 13, MdscrMde = 1UL << 15;
    private const uint Nop = 0xd503201f;

    // DBGBCR: E, PMC = EL1 and EL0, BAS = 0b1111, BT; DBGWCR: E, PAC = EL1 and EL0, LSC, BAS = 0xff.
    private static ulong Bcr(int bt, int lbn = 0) => 1 | (3UL << 1) | (0xFUL << 5) | ((ulong)lbn << 16) | ((ulong)bt << 20);
    private static ulong Wcr(int lsc) => 1 | (3UL << 1) | ((ulong)lsc << 3) | (0xFFUL << 5);

    // A CPU at EL1 with PSTATE.D clear and MDSCR_EL1.KDE/MDE set: debug exceptions from EL1 to EL1 are enabled once
    // the OS lock is open.
    private static SysCpu DebugCpu(int highestEl = 1)
    {
        var s = new SysCpu(highestEl);
        s.Enter(1);
        s.Cpu.State.Daif = 0;
        s.Cpu.Sys.Mdscr = MdscrKde | MdscrMde;
        return s;
    }

    private static ulong BreakpointEsr(bool sameEl) => ((sameEl ? 0x31UL : 0x30UL) << 26) | (1UL << 25) | 0x22;

    [TestMethod]
    public void TheOsLockAndTheOsDoubleLockDisableBreakpoints()
    {
        using var s = DebugCpu();
        var cpu = s.Cpu;
        ulong at = SysCpu.CodeBase + 0x100;
        cpu.Sys.Dbgbvr[0] = at;
        cpu.Sys.Dbgbcr[0] = Bcr(0);
        Assert.IsTrue(cpu.Sys.OsLock, "OSLSR_EL1.OSLK is set by a cold reset");
        cpu.State.PC = at;
        s.Exec(Nop);
        Assert.AreEqual(at + 4, cpu.State.PC, "no breakpoint under the OS lock");

        s.Write("OSLAR_EL1", 0);
        cpu.State.PC = at;
        s.Exec(Nop);
        Assert.AreEqual(SysCpu.RamBase + 0x200, cpu.State.PC, "breakpoint taken at the current EL's SPx vector");
        Assert.AreEqual(at, cpu.Sys.Elr[1], "preferred return: the instruction, not executed");
        Assert.AreEqual(BreakpointEsr(sameEl: true), cpu.Sys.Esr[1]);
        Assert.AreEqual(0x5UL, cpu.Sys.Spsr[1], "EL1h, DAIF clear at the breakpoint");

        cpu.SetElAndSpSel(1, 1);
        cpu.State.Daif = 0;
        s.Write("OSDLR_EL1", 1);
        cpu.State.PC = at;
        s.Exec(Nop);
        Assert.AreEqual(at + 4, cpu.State.PC, "no breakpoint under the OS double lock");
        // DoubleLockStatus() needs DBGPRCR_EL1.CORENPDRQ clear: with it set the lock has no effect.
        s.Write("DBGPRCR_EL1", 1);
        cpu.State.PC = at;
        s.Exec(Nop);
        Assert.AreEqual(at, cpu.Sys.Elr[1]);
        Assert.AreEqual(SysCpu.RamBase + 0x200, cpu.State.PC, "breakpoint with CORENPDRQ set");
    }

    [TestMethod]
    public void AnUnlinkedContextIdBreakpointMatchesEveryInstructionOfItsContext()
    {
        // BT = 0b0010 on context-aware breakpoint 4 (QEMU 7.2 does not implement unlinked context types).
        using var s = DebugCpu(highestEl: 2);
        var cpu = s.Cpu;
        cpu.Sys.OsLock = false;
        cpu.Sys.Dbgbvr[4] = 0x1234;
        cpu.Sys.Dbgbcr[4] = Bcr(0b0010);
        cpu.Sys.ContextIdr = 0x1235;
        s.Exec(Nop, Nop);
        Assert.AreEqual(SysCpu.CodeBase + 8, cpu.State.PC, "other context: no match");
        cpu.Sys.ContextIdr = 0x1234;
        s.Exec(Nop);
        Assert.AreEqual(BreakpointEsr(sameEl: true), cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.CodeBase + 8, cpu.Sys.Elr[1]);
        // The same type on breakpoint 0, which is not context-aware, is reserved: it behaves as disabled.
        cpu.SetElAndSpSel(1, 1);
        cpu.State.Daif = 0;
        cpu.Sys.Dbgbcr[4] = 0;
        cpu.Sys.Dbgbvr[0] = 0x1234;
        cpu.Sys.Dbgbcr[0] = Bcr(0b0010);
        cpu.State.PC = SysCpu.CodeBase;
        s.Exec(Nop);
        Assert.AreEqual(SysCpu.CodeBase + 4, cpu.State.PC);
    }

    [TestMethod]
    public void MdcrEl2TdeRoutesBreakpointsFromEl1ToEl2WithoutKde()
    {
        using var s = DebugCpu(highestEl: 2);
        var cpu = s.Cpu;
        cpu.Sys.OsLock = false;
        cpu.Sys.Mdscr = MdscrMde;
        cpu.Sys.Mdcr[2] = 1UL << 8; // TDE
        cpu.State.Daif = 0xF << 6;  // PSTATE.D does not mask a debug exception to a higher EL
        cpu.Sys.Dbgbvr[1] = SysCpu.CodeBase;
        cpu.Sys.Dbgbcr[1] = Bcr(0);
        s.Exec(Nop);
        Assert.AreEqual(2, cpu.State.EL);
        Assert.AreEqual(BreakpointEsr(sameEl: false), cpu.Sys.Esr[2]);
        Assert.AreEqual(SysCpu.CodeBase, cpu.Sys.Elr[2]);
        Assert.AreEqual(SysCpu.RamBase + 0x400, cpu.State.PC, "lower EL AArch64 synchronous vector");
    }

    [TestMethod]
    public void HcrEl2TgeRoutesEl0BreakpointsToEl2()
    {
        using var s = DebugCpu(highestEl: 2);
        var cpu = s.Cpu;
        cpu.Sys.OsLock = false;
        cpu.Sys.Hcr |= 1UL << 27; // TGE
        cpu.Sys.Dbgbvr[0] = SysCpu.CodeBase;
        cpu.Sys.Dbgbcr[0] = Bcr(0) & ~(1UL << 1); // PMC = EL0 only
        s.Enter(0);
        s.Exec(Nop);
        Assert.AreEqual(2, cpu.State.EL);
        Assert.AreEqual(BreakpointEsr(sameEl: false), cpu.Sys.Esr[2]);
        Assert.AreEqual(SysCpu.CodeBase, cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void HcrEl2TgeActsAsMdcrEl2TdeForTheDebugRegisterTraps()
    {
        // MDCCSR_EL0 from EL0: MDCR_EL2.TDA, and TDE, and HCR_EL2.TGE (which makes TDE behave as 1) trap it to EL2.
        using var s = new SysCpu(highestEl: 2);
        var cpu = s.Cpu;
        cpu.Sys.Hcr |= 1UL << 27; // TGE
        s.Enter(0);
        s.Exec(Enc.Mrs(cpu, "MDCCSR_EL0", 3));
        Assert.AreEqual(2, cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0x18, Enc.Iss18(2, 3, 0, 1, 0, 3, read: true)), cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void DcZvaIsAStoreOfItsWholeBlockToWatchpoints()
    {
        // DC ZVA needs Normal memory (with the MMU off it takes an alignment fault first): stage 1 on.
        using var pair = LockstepRegionTests.RegionPair(mmu: true);
        var cpu = pair.Interp.Cpu;
        ulong block = LockstepRegionTests.DataArea;
        LockstepRegionTests.LoadAtCode(pair, Enc.DcZvaX0, Nop);
        pair.Load(block + 16, 0xdead, 0xbeef);
        cpu.Sys.Vbar[1] = LockstepRegionTests.Vbar;
        cpu.Sys.OsLock = false;
        cpu.Sys.Mdscr = MdscrKde | MdscrMde;
        cpu.State.Daif = 0;
        cpu.Sys.Dbgwvr[0] = block + 16;
        cpu.Sys.Dbgwcr[0] = Wcr(lsc: 2);
        cpu.SetX(0, block + 40); // inside the block, past the watched doubleword
        cpu.Step();
        Assert.AreEqual((0x35UL << 26) | (1UL << 25) | (1UL << 6) | 0x22, cpu.Sys.Esr[1], "watchpoint, WnR = 1");
        Assert.AreEqual(block + 16, cpu.Sys.Far[1], "FAR: the watched doubleword, within the block");
        Assert.AreEqual(LockstepRegionTests.Code, cpu.Sys.Elr[1]);
        Assert.AreEqual(0xdeadUL, BitConverter.ToUInt64(pair.Interp.Ram.AsSpan(block + 16, 8)) & 0xFFFF, "nothing zeroed");
    }

    /// <summary>
    /// The random programs of <see cref="LockstepRegionTests"/> (loops, calls, loads and stores, faults) run compiled
    /// straight to regions (or as baseline blocks, or predecoded), each with a breakpoint on one of its instructions and a watchpoint (random BAS or MASK,
    /// loads, stores or both) on its data, PSTATE.D clear: the skip handler steps over each debug exception, and the
    /// JIT must take every one exactly where the interpreter does.
    /// </summary>
    [TestMethod]
    [DataRow(false, "region")]
    [DataRow(true, "region")]
    [DataRow(true, "baseline")]
    [DataRow(true, "predecoded")]
    public void RandomProgramsUnderBreakpointsAndWatchpointsRunIdenticallyCompiled(bool mmu, string tier)
    {
        var rng = new Random(mmu ? 1717 : 1718);
        using var pair = LockstepRegionTests.RegionPair(mmu, predecoded: tier == "predecoded");
        if (tier == "baseline") pair.Jit.Cpu.JitOptimizeThreshold = long.MaxValue; // blocks compile, regions never
        int breakpoints = 0, watchpoints = 0;
        pair.Jit.Cpu.ExceptionEntered += (_, _) =>
        {
            ulong ec = pair.Jit.Cpu.Sys.Esr[1] >> 26;
            if (ec == 0x31) breakpoints++;
            if (ec == 0x35) watchpoints++;
        };
        LockstepRegionTests.RunRandomPrograms(pair, rng, 48, (cpu, at, length) =>
        {
            // The same random choices for both CPUs: drawn from a generator seeded by the program's address and length.
            var r = new Random((int)(at >> 2) ^ length);
            cpu.State.Daif = 0x7u << 6; // D clear: debug exceptions from EL1 to EL1
            cpu.Sys.OsLock = false;
            cpu.Sys.Mdscr = MdscrKde | MdscrMde;
            cpu.Sys.Dbgbvr[0] = at + 4 * (ulong)r.Next(length);
            cpu.Sys.Dbgbcr[0] = Bcr(0);
            int mask = r.Next(3) != 0 ? 6 + r.Next(7) : 0; // 64 bytes to 4 KiB, or a doubleword's bytes
            cpu.Sys.Dbgwvr[1] = LockstepRegionTests.DataArea + 8 * (ulong)r.Next(RegionProgramGenerator.DataSize / 8);
            cpu.Sys.Dbgwcr[1] = (Wcr(1 + r.Next(3)) & ~(0xFFUL << 5)) | ((ulong)(mask != 0 ? 0xFF : 1 + r.Next(255)) << 5) | ((ulong)mask << 24);
        });
        Assert.IsTrue(breakpoints > 48, $"breakpoint exceptions were taken ({breakpoints})");
        Assert.IsTrue(watchpoints > 48, $"watchpoint exceptions were taken ({watchpoints})");
    }

    /// <summary>
    /// A loop made hot enough to run as a compiled region, then a breakpoint in the same page armed by the program's own
    /// MSRs (the handler skips the instruction, so it is taken on every pass), then, with the breakpoint disarmed, a
    /// watchpoint on a store in a second hot loop whose other accesses stay on the fast path: lockstep with the
    /// interpreter after every block, and the exception counts the program implies.
    /// </summary>
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void BreakpointsAndWatchpointsStopCompiledCodeWhereTheInterpreterDoes(bool mmu)
    {
        const int Passes = 1500;
        using var pair = LockstepRegionTests.RegionPair(mmu);
        var cpu0 = pair.Jit.Cpu;
        var a = new A64Assembler();
        int loop1 = a.NewLabel(), loop2 = a.NewLabel(), bpAt = a.NewLabel(), loop3 = a.NewLabel(), end = a.NewLabel();
        a.Emit(Movz(true, 1, 0));
        a.Emit(Movz(true, 2, Passes));
        a.Bind(loop1);
        a.Emit(AddImm(true, false, false, 1, 1, 1));
        a.Emit(LdrUImm(3, 1, 3, 9, 0));
        a.Emit(AddShifted(true, false, false, 3, 3, 1));
        a.Emit(LdrUImm(3, 0, 3, 9, 0));
        a.Emit(AddShifted(true, true, true, 31, 1, 2));
        a.BCond(1, loop1); // b.ne
        a.Emit(Enc.Msr(cpu0, "DBGBVR0_EL1", 4));
        a.Emit(Enc.Msr(cpu0, "DBGBCR0_EL1", 5));
        a.Emit(Enc.Isb);
        a.Emit(Movz(true, 1, 0));
        a.Bind(loop2);
        a.Emit(AddImm(true, false, false, 1, 1, 1));
        a.Emit(LdrUImm(3, 1, 3, 9, 0));
        a.Bind(bpAt);
        a.Emit(AddShifted(true, false, false, 3, 3, 1));
        a.Emit(LdrUImm(3, 0, 3, 9, 0));
        a.Emit(AddShifted(true, true, true, 31, 1, 2));
        a.BCond(1, loop2);
        a.Emit(Enc.Msr(cpu0, "DBGBCR0_EL1", 31));
        a.Emit(Enc.Msr(cpu0, "DBGWVR0_EL1", 10));
        a.Emit(Enc.Msr(cpu0, "DBGWCR0_EL1", 11));
        a.Emit(Enc.Isb);
        a.Emit(Movz(true, 1, 0));
        a.Bind(loop3);
        a.Emit(AddImm(true, false, false, 1, 1, 1));
        a.Emit(LdrUImm(3, 1, 3, 9, 0));            // unwatched doubleword of the watched page
        a.Emit(AddShifted(true, false, false, 3, 3, 1));
        a.Emit(LdrUImm(3, 0, 3, 9, 1));            // watched: [x9, #8]
        a.Emit(LdrUImm(3, 0, 3, 12, 0));           // another page: the fast path
        a.Emit(AddShifted(true, true, true, 31, 1, 2));
        a.BCond(1, loop3);
        a.Bind(end);
        a.B(end);
        var program = a.Finish();
        ulong bpAddress = LockstepRegionTests.Code + (ulong)a.IndexOf(bpAt) * 4;
        LockstepRegionTests.LoadAtCode(pair, program);
        pair.Load(LockstepRegionTests.Vbar + 0x200, LockstepRegionTests.SkipHandler);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = LockstepRegionTests.Vbar;
            cpu.Sys.OsLock = false;
            cpu.Sys.Mdscr = MdscrKde | MdscrMde;
            cpu.State.Daif = 0;
            cpu.SetX(4, bpAddress);
            cpu.SetX(5, Bcr(0));
            cpu.SetX(9, LockstepRegionTests.DataArea);
            cpu.SetX(10, LockstepRegionTests.DataArea + 8);
            cpu.SetX(11, Wcr(lsc: 2));
            cpu.SetX(12, LockstepRegionTests.DataArea + 0x1000);
        });
        var counts = new Dictionary<ulong, int>();
        pair.Jit.Cpu.ExceptionEntered += (_, _) =>
        {
            ulong ec = pair.Jit.Cpu.Sys.Esr[1] >> 26;
            counts[ec] = counts.GetValueOrDefault(ec) + 1;
        };
        ulong total = (ulong)(35 * Passes + 100); // loop 1: 6 a pass; loop 2 and 3: 6 and 7, plus 8 in the handler
        pair.RunLockstep(total);
        Assert.AreEqual(LockstepRegionTests.Code + (ulong)a.IndexOf(end) * 4, pair.Jit.Cpu.State.PC, "reached the end");
        Assert.AreEqual(Passes, counts.GetValueOrDefault(0x31UL), "a breakpoint exception on every pass of loop 2");
        Assert.AreEqual(Passes, counts.GetValueOrDefault(0x35UL), "a watchpoint exception on every pass of loop 3");
        Assert.AreEqual(LockstepRegionTests.DataArea + 8, pair.Jit.Cpu.Sys.Far[1], "the watchpoint's FAR: the watched doubleword");
        Assert.IsTrue(pair.BlocksCompared > 0, "code ran compiled");
        Assert.IsTrue(pair.Jit.Cpu.Translations!.RegionsCompiled > 0, "regions were compiled");
    }
}
