namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class MachineTimerTests
{
    [TestMethod]
    [DataRow(ArmVirt.Cpu.ExecutionEngine.Jit)]
    [DataRow(ArmVirt.Cpu.ExecutionEngine.Interpreter)]
    public void AHaltReportsTheCyclesUpToTheHaltNotTheEventsSkippedAfterIt(ArmVirt.Cpu.ExecutionEngine engine)
    {
        // CNTV_CVAL_EL0 = 0x0fff_ffff_ffff_ffff (due after 2^64 - 16 cycles), CNTV_CTL_EL0 = ENABLE, WFI: the timer's
        // interrupt goes nowhere (the GIC is off), so the wait never ends. Virtual time jumps to the timer's deadline
        // and the guest halts; what it executed is its 5 instructions (#22: --stats printed 18446744073709551600).
        uint[] code = [0x92FE0000, 0xD51BE340, 0xD2800021, 0xD51BE321, 0xD503207F, 0x14000000];
        var image = new byte[4 * code.Length];
        Buffer.BlockCopy(code, 0, image, 0, image.Length);
        using var m = new MachineBuilder().WithEngine(engine).WithKernel(image, "halt.bin").Build();
        var exit = m.Run(1_000_000);
        Assert.AreEqual(ArmVirt.Cpu.StopReason.Halted, exit.Reason, exit.Message);
        Assert.AreEqual(5UL, m.InstructionsExecuted);
        Assert.AreEqual(5UL, m.CyclesExecuted);
        Assert.IsGreaterThan(1UL << 63, m.Clock.Now, "virtual time did reach the timer's deadline");
    }

    [TestMethod]
    public void GenericTimerRegistersAreInstalledAndCountFromCpuCycles()
    {
        using var m = new MachineBuilder().WithHighestEl(2).WithKernel(TestImages.Pattern(16, 1), "raw").Build();
        var cntfrq = m.Cpu.SystemRegisters.Find("CNTFRQ_EL0")!;
        Assert.AreEqual(62_500_000UL, cntfrq.Read!(m.Cpu));
        Assert.IsNotNull(m.Cpu.SystemRegisters.Find("CNTHCTL_EL2"));
        var cntvct = m.Cpu.SystemRegisters.Find("CNTVCT_EL0")!;
        m.Cpu.State.Cycles = 1_000_000; // 1 ms at 1 GHz
        Assert.AreEqual(62_500UL, cntvct.Read!(m.Cpu));
    }

    // Runs one instruction at EL1 (or EL0) on a machine whose boot CPU has EL2, and returns ESR_EL2/EL1 EC when trapped.
    private static (int El, ulong Esr2, ulong Esr1, ulong X0) RunAt(int el, uint insn, ulong cnthctl, ulong cntkctl = 0)
    {
        var code = new byte[16];
        BitConverter.GetBytes(insn).CopyTo(code, 0);
        using var m = new MachineBuilder().WithHighestEl(2).WithEngine(ArmVirt.Cpu.ExecutionEngine.Interpreter)
            .WithKernel(code, "raw").Build();
        m.Timer.HypervisorControl = cnthctl;
        m.Timer.KernelControl = cntkctl;
        m.Cpu.Sys.Hcr |= 1UL << 31; // RW
        m.Cpu.SetElAndSpSel(el, el == 0 ? 0 : 1);
        m.Cpu.State.Cycles = 16_000;
        m.Cpu.Step();
        return (m.Cpu.State.EL, m.Cpu.Sys.Esr[2], m.Cpu.Sys.Esr[1], m.Cpu.X(0));
    }

    [TestMethod]
    public void CnthctlEl1pctenTrapsPhysicalCounterReadsFromEl1ToEl2()
    {
        const uint mrsCntpct = 0xD53BE020;
        var allowed = RunAt(1, mrsCntpct, cnthctl: 0b11);
        Assert.AreEqual(1, allowed.El);
        Assert.AreEqual(1000UL, allowed.X0, "16,000 cycles = 1000 ticks at 62.5 MHz");
        var trapped = RunAt(1, mrsCntpct, cnthctl: 0b10);
        Assert.AreEqual(2, trapped.El);
        Assert.AreEqual(0x18UL, trapped.Esr2 >> 26, "EC: trapped MSR/MRS");
        Assert.AreEqual(1UL, trapped.Esr2 & 1, "direction: read");
    }

    [TestMethod]
    public void CnthctlEl1pcenTrapsThePhysicalTimerButNotTheVirtualCounter()
    {
        const uint mrsCntpCtl = 0xD53BE221, mrsCntvct = 0xD53BE040;
        Assert.AreEqual(2, RunAt(1, mrsCntpCtl, cnthctl: 0b01).El);
        Assert.AreEqual(1, RunAt(1, mrsCntpCtl, cnthctl: 0b11).El);
        Assert.AreEqual(1, RunAt(1, mrsCntvct, cnthctl: 0b00).El, "CNTVCT is never trapped by CNTHCTL");
    }

    [TestMethod]
    public void CntkctlGatesEl0Access()
    {
        const uint mrsCntvct = 0xD53BE040;
        var trapped = RunAt(0, mrsCntvct, cnthctl: 0b11, cntkctl: 0);
        Assert.AreEqual(1, trapped.El);
        Assert.AreEqual(0x18UL, trapped.Esr1 >> 26);
        Assert.AreEqual(0, RunAt(0, mrsCntvct, cnthctl: 0b11, cntkctl: 0b10).El, "EL0VCTEN allows it");
    }
}
