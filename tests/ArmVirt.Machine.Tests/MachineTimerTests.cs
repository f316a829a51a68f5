namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class MachineTimerTests
{
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
}
