using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class RunLoopTests
{
    private const uint Wfi = 0xD503207F, Nop = 0xD503201F, Self = 0x14000000; // b .

    [TestMethod]
    public void IllegalStateRaisesEc0EBeforeExecuting()
    {
        using var h = new CpuHarness(1, 0x91000400); // add x0, x0, #1
        h.Cpu.Sys.Vbar[1] = CpuHarness.RamBase + 0x1000;
        h.Cpu.State.IllegalState = true;
        h.Step();
        Assert.AreEqual((ulong)ExceptionClass.IllegalState, h.Cpu.Sys.Esr[1] >> 26);
        Assert.AreEqual(CpuHarness.RamBase + 0x1200, h.Cpu.State.PC);
        Assert.AreEqual(0UL, h.Cpu.X(0), "the instruction did not execute");
        Assert.IsFalse(h.Cpu.State.IllegalState, "exception entry clears PSTATE.IL");
    }

    [TestMethod]
    public void InstructionLimitStopsAfterExactlyThatMany()
    {
        using var h = new CpuHarness(1, Nop, Nop, Self);
        Assert.AreEqual(StopReason.InstructionLimit, h.Cpu.Run(1000));
        Assert.AreEqual(1000UL, h.Cpu.State.Instructions);
        Assert.AreEqual(1000UL, h.Cpu.State.Cycles);
    }

    [TestMethod]
    public void WfiWithNothingScheduledHalts()
    {
        using var h = new CpuHarness(1, Wfi, Self);
        Assert.AreEqual(StopReason.Halted, h.Cpu.Run(100));
        Assert.AreEqual(CpuHarness.RamBase + 4, h.Cpu.State.PC);
    }

    [TestMethod]
    public void WfiSkipsToTheNextEventAndWakesOnAMaskedInterrupt()
    {
        using var h = new CpuHarness(1, Nop, Wfi, Nop, Self);
        h.Clock.Schedule(5000, () => h.Cpu.Irq.Set(true)); // DAIF is masked at reset: wakes WFI, not taken
        Assert.AreEqual(StopReason.InstructionLimit, h.Cpu.Run(4));
        Assert.AreEqual(CpuHarness.RamBase + 12, h.Cpu.State.PC);
        Assert.AreEqual(5000UL + 2, h.Cpu.State.Cycles, "time jumped to the event, then two more instructions");
    }

    [TestMethod]
    public void UnmaskedIrqIsTakenAtTheInstructionBoundaryAfterTheDeadline()
    {
        using var h = new CpuHarness(1, Nop, Nop, Nop, Nop, Nop, Nop, Self);
        h.Cpu.Sys.Vbar[1] = CpuHarness.RamBase + 0x800;
        h.Load(CpuHarness.RamBase + 0x800 + 0x280, Self); // current EL, SPx, IRQ
        h.Cpu.State.Daif = 0;
        h.Clock.Schedule(3, () => h.Cpu.Irq.Set(true));
        h.Cpu.Run(10);
        Assert.AreEqual(CpuHarness.RamBase + 0xA80, h.Cpu.State.PC);
        Assert.AreEqual(CpuHarness.RamBase + 12, h.Cpu.Sys.Elr[1], "three instructions ran before the IRQ");
    }
}
