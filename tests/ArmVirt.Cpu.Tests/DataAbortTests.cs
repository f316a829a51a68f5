using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Data aborts of loads and stores as values (Cpu.DataAborts.cs): taken without a .NET exception by the interpreter,
/// the predecoded tier, baseline blocks and regions, at the faulting instruction with nothing it would write changed;
/// the public memory API still throws <see cref="GuestException"/>.
/// </summary>
[TestClass]
public sealed class DataAbortTests
{
    private const ulong Unmapped = 0x0900_8000; // nothing on the bus: a synchronous external abort

    private static int GuestThrowsDuring(Action action) => ExceptionFastPathTests.GuestThrowsDuring(action);

    // loop: ldr x2, [x1], #8 (aborts: x1 points at nothing); add x3, x3, #1; subs x9, x9, #1; b.ne loop; b .
    // The vector skips the faulting instruction: mrs x10, elr_el1; add x10, x10, #4; msr elr_el1, x10; eret.
    private static readonly uint[] Loop = [0xF8408422, 0x91000463, 0xF1000529, 0x54FFFFA1, 0x14000000];
    private static readonly uint[] Skip = [0xD538402A, 0x9100114A, 0xD518402A, 0xD69F03E0];

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter, int.MaxValue, long.MaxValue, DisplayName = "interpreter")]
    [DataRow(ExecutionEngine.Jit, int.MaxValue, long.MaxValue, DisplayName = "predecoded tier")]
    [DataRow(ExecutionEngine.Jit, 0, long.MaxValue, DisplayName = "baseline blocks")]
    [DataRow(ExecutionEngine.Jit, 0, 0L, DisplayName = "regions")]
    public void LoadAbortsAreTakenWithoutAThrowAndChangeNothing(ExecutionEngine engine, int jitThreshold, long optimizeThreshold)
    {
        using var h = new CpuHarness(1, Loop);
        var cpu = h.Cpu;
        cpu.Engine = engine;
        cpu.JitThreshold = jitThreshold;
        cpu.JitBaselineMinimumLength = 0;
        cpu.JitOptimizeThreshold = optimizeThreshold;
        cpu.JitBackgroundCompilation = false;
        cpu.Sys.Vbar[1] = CpuHarness.RamBase + 0x800;
        h.Load(CpuHarness.RamBase + 0x800 + 0x200, Skip);
        cpu.SetX(1, Unmapped);
        cpu.SetX(2, 0x2222);
        cpu.SetX(9, 1000);
        int throws = GuestThrowsDuring(() => cpu.Run(1000 * 8 + 4));
        Assert.AreEqual(0, throws, "GuestExceptions thrown");
        Assert.AreEqual(0UL, cpu.X(9), "the loop ran to its end");
        Assert.AreEqual(1000UL, cpu.X(3));
        Assert.AreEqual(Unmapped, cpu.X(1), "no write-back");
        Assert.AreEqual(0x2222UL, cpu.X(2), "no load");
        Assert.AreEqual(1000UL, cpu.Statistics.ExceptionsTaken[1]);
        Assert.AreEqual(0x96000010UL, cpu.Sys.Esr[1], "EC 0x25, IL, DFSC synchronous external abort");
        Assert.AreEqual(Unmapped, cpu.Sys.Far[1]);
        Assert.AreEqual(CpuHarness.RamBase + 4, cpu.Sys.Elr[1], "the LDR's address, which the handler advanced by 4");
        Assert.AreEqual(CpuHarness.RamBase + 16, cpu.State.PC);
        Assert.AreEqual(1000UL * 8 + 4, cpu.State.Instructions, "each faulting LDR counts, as each handler instruction");
        if (engine == ExecutionEngine.Jit && optimizeThreshold == 0) Assert.IsGreaterThan(0UL, cpu.Statistics.CompiledEntries);
    }

    // dc cvac, x1 (trapped by HCR_EL2.TPC); add x3, x3, #1; b . — at EL2's lower-EL sync vector: b .
    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter, int.MaxValue, long.MaxValue, DisplayName = "interpreter")]
    [DataRow(ExecutionEngine.Jit, int.MaxValue, long.MaxValue, DisplayName = "predecoded tier")]
    [DataRow(ExecutionEngine.Jit, 0, long.MaxValue, DisplayName = "baseline blocks")]
    [DataRow(ExecutionEngine.Jit, 0, 0L, DisplayName = "regions")]
    public void ATrappedDataCacheMaintenanceInTheMiddleOfABlockRunsNothingAfterIt(ExecutionEngine engine, int jitThreshold, long optimizeThreshold)
    {
        // DC CVAC is a load/store-class instruction (blocks go on after it); its trap is taken at the instruction.
        using var h = new CpuHarness(2, 0xD50B7A21, 0x91000463, 0x14000000);
        var cpu = h.Cpu;
        cpu.Engine = engine;
        cpu.JitThreshold = jitThreshold;
        cpu.JitBaselineMinimumLength = 0;
        cpu.JitOptimizeThreshold = optimizeThreshold;
        cpu.JitBackgroundCompilation = false;
        cpu.Sys.Hcr = SystemRegisters.HcrEl2.Rw | SystemRegisters.HcrEl2.Tpc;
        cpu.Sys.Vbar[2] = CpuHarness.RamBase + 0x800;
        h.Load(CpuHarness.RamBase + 0x800 + 0x400, 0x14000000);
        cpu.SetElAndSpSel(1, 1);
        cpu.SetX(1, CpuHarness.RamBase + 0x100);
        cpu.Run(20);
        Assert.AreEqual(2, cpu.State.EL);
        Assert.AreEqual(CpuHarness.RamBase + 0xC00, cpu.State.PC);
        Assert.AreEqual(0x18UL, cpu.Sys.Esr[2] >> 26, "EC 0x18: a trapped SYS");
        Assert.AreEqual(CpuHarness.RamBase, cpu.Sys.Elr[2]);
        Assert.AreEqual(0UL, cpu.X(3), "the ADD after the trapped DC CVAC did not run");
        Assert.AreEqual(20UL, cpu.State.Instructions);
    }

    [TestMethod]
    public void ThePublicMemoryApiStillThrows()
    {
        using var h = new CpuHarness();
        var cpu = h.Cpu;
        var e = Assert.ThrowsExactly<GuestException>(() => cpu.ReadMemory(Unmapped, 8));
        Assert.AreEqual(ExceptionClass.DataAbortSame, e.Class);
        Assert.AreEqual(0x10u, e.Iss & 0x3F);
        Assert.AreEqual(Unmapped, e.FaultAddress);
        Assert.ThrowsExactly<GuestException>(() => cpu.WriteMemory(Unmapped, 4, 1));
        Assert.ThrowsExactly<GuestException>(() => cpu.ProbeWrite(Unmapped, 4));
        Assert.ThrowsExactly<GuestException>(() => cpu.TranslateData(CpuHarness.RamBase + 1, 4, MemoryAccessKind.Exclusive));
        // Each throw took its abort with it: the next instruction runs normally.
        cpu.SetX(1, CpuHarness.RamBase + 0x100);
        h.Load(CpuHarness.RamBase, 0xF9400022); // ldr x2, [x1]
        h.Step();
        Assert.AreEqual(CpuHarness.RamBase + 4, cpu.State.PC);
        Assert.AreEqual(0UL, cpu.Statistics.ExceptionsTaken[1]);
    }
}
