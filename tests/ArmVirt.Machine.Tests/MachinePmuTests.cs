using ArmVirt.Machine.DeviceTree;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// The machine's PMU: the <c>arm,armv8-pmuv3</c> node with PPI 7 as QEMU's virt writes it, the overflow interrupt
/// reaching the GIC's PPI, and QEMU's <c>pmu=off</c> CPU property.
/// </summary>
[TestClass]
public sealed class MachinePmuTests
{
    [TestMethod]
    [DataRow(2, 0x104u)]
    [DataRow(3, 0x4u)]
    public void DeviceTreeDescribesThePmuOnPpi7(int gicVersion, uint flags)
    {
        using var m = new MachineBuilder().WithGicVersion(gicVersion).WithKernel(TestImages.Pattern(16, 1), "raw").Build();
        var pmu = FdtReader.Read(m.Dtb).Find("/pmu")!;
        Assert.AreEqual("arm,armv8-pmuv3", pmu.Property("compatible")!.AsString());
        CollectionAssert.AreEqual(new uint[] { 1, 7, flags }, pmu.Property("interrupts")!.AsCells(), "PPI 7, level high (a GICv2 with the CPU mask)");
    }

    [TestMethod]
    public void OverflowInterruptIsPpi7AtTheGic()
    {
        using var m = new MachineBuilder().WithKernel(TestImages.Pattern(16, 1), "raw").Build();
        var cpu = m.Cpu;
        cpu.SystemRegisters.Find("PMINTENSET_EL1")!.Write!(cpu, 1);
        cpu.SystemRegisters.Find("PMOVSSET_EL0")!.Write!(cpu, 1);
        Assert.IsFalse(cpu.Pmu.Interrupt.IsAsserted, "PMCR_EL0.E clear");
        cpu.SystemRegisters.Find("PMCR_EL0")!.Write!(cpu, 1);
        Assert.IsTrue(cpu.Pmu.Interrupt.IsAsserted);
        // GICD_ISPENDR0 (offset 0x200) bit 23: the PPI is pending at the distributor.
        Assert.IsTrue(m.Gicv2!.Distributor.TryRead(0x200, 4, out ulong pending));
        Assert.AreEqual(1UL << 23, pending & (1UL << 23), "INTID 23 pending");
    }

    [TestMethod]
    public void PmuOffRemovesThePmu()
    {
        using var m = new MachineBuilder().WithCpu("cortex-a57,pmu=off").WithKernel(TestImages.Pattern(16, 1), "raw").Build();
        Assert.IsNull(FdtReader.Read(m.Dtb).Find("/pmu"), "no arm,armv8-pmuv3 node");
        Assert.IsNull(m.Cpu.SystemRegisters.Find("PMCR_EL0"), "the PMU registers are UNDEFINED");
        Assert.AreEqual(0UL, (m.Cpu.SystemRegisters.Find("ID_AA64DFR0_EL1")!.Read!(m.Cpu) >> 8) & 0xF, "PMUVer = 0");
        Assert.Throws<MachineConfigurationException>(() =>
            new MachineBuilder().WithCpu("cortex-a57,pmu=maybe").WithKernel(TestImages.Pattern(16, 1), "raw").Build());
    }
}
