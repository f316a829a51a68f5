using ArmVirt.Bench;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The guest loops of bench/ArmVirt.Bench's ExceptionBenchmarks (HVC, SVC, stage 2 data abort, MMIO, IRQ and UNDEFINED
/// round trips): each trip does what the benchmark claims (exceptions taken, device accesses, final PC, EL and X3, checked by
/// <see cref="ExceptionGuestCode.Scenario.RunChecked"/>), and the JIT with the loop hot in compiled regions ends in
/// exactly the interpreter's state.
/// </summary>
[TestClass]
public sealed class ExceptionBenchmarkGuestTests
{
    [TestMethod]
    [DataRow(ExceptionGuestCode.Kind.Hvc)]
    [DataRow(ExceptionGuestCode.Kind.Svc)]
    [DataRow(ExceptionGuestCode.Kind.Stage2Abort)]
    [DataRow(ExceptionGuestCode.Kind.Mmio)]
    [DataRow(ExceptionGuestCode.Kind.Irq)]
    [DataRow(ExceptionGuestCode.Kind.Undefined)]
    public void LoopRunsHotUnderTheJitExactlyAsInterpreted(ExceptionGuestCode.Kind kind)
    {
        using var code = new ExceptionGuestCode();
        var interp = code.Create(kind, ExecutionEngine.Interpreter);
        var jit = code.Create(kind, ExecutionEngine.Jit);
        // 30,000 trips pass JitOptimizeThreshold (20,000 entries): the last runs are in regions.
        for (int i = 0; i < 3; i++)
        {
            interp.RunChecked(10_000);
            jit.RunChecked(10_000);
        }
        Assert.IsTrue(jit.Cpu.Statistics.InstructionsRegions > 0, "the JIT ran the loop in compiled regions");
        var a = interp.Cpu;
        var b = jit.Cpu;
        Assert.AreEqual(a.State.Instructions, b.State.Instructions);
        Assert.AreEqual(a.State.Cycles, b.State.Cycles);
        Assert.AreEqual(a.State.PC, b.State.PC);
        Assert.AreEqual(a.State.EL, b.State.EL);
        Assert.AreEqual(a.State.Nzcv, b.State.Nzcv);
        Assert.AreEqual(a.State.Daif, b.State.Daif);
        for (int r = 0; r < 31; r++) Assert.AreEqual(a.X(r), b.X(r), $"X{r}");
        for (int el = 1; el <= 2; el++)
        {
            Assert.AreEqual(a.Sys.Esr[el], b.Sys.Esr[el], $"ESR_EL{el}");
            Assert.AreEqual(a.Sys.Elr[el], b.Sys.Elr[el], $"ELR_EL{el}");
            Assert.AreEqual(a.Sys.Spsr[el], b.Sys.Spsr[el], $"SPSR_EL{el}");
            Assert.AreEqual(a.Sys.Far[el], b.Sys.Far[el], $"FAR_EL{el}");
            Assert.AreEqual(a.Statistics.ExceptionsTaken[el], b.Statistics.ExceptionsTaken[el], $"exceptions to EL{el}");
        }
        Assert.AreEqual(a.Sys.Hpfar, b.Sys.Hpfar, "HPFAR_EL2");
        Assert.AreEqual(interp.Device.Accesses, jit.Device.Accesses, "device accesses");
    }
}
