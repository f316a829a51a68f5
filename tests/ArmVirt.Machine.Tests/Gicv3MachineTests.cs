using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Gic;

namespace ArmVirt.Machine.Tests;

/// <summary>The virt machine with <c>WithGicVersion(3)</c>: layout, ID register, and the ICC_* installer's access rules.</summary>
[TestClass]
public sealed class Gicv3MachineTests
{
    // MRS/MSR Xt with op0 = 3 (C6.2.195/198): 0xD5380000 / 0xD5180000 | op1 << 16 | CRn << 12 | CRm << 8 | op2 << 5 | Rt.
    private const uint MrsIccIar1 = 0xD538CC00, MrsIccIar0 = 0xD538C800, MsrIccSgi1r = 0xD518CBA0, MrsIccSreEl1 = 0xD538CCA0,
        MsrIccPmr = 0xD5184600, MrsIccCtlr = 0xD538CC80, MrsIccAp1r1 = 0xD538C920;

    private static Machine Build(int gicVersion, int el = 2) =>
        new MachineBuilder().WithHighestEl(el).WithGicVersion(gicVersion).WithEngine(ArmVirt.Cpu.ExecutionEngine.Interpreter)
            .WithKernel(new byte[16], "raw").Build();

    [TestMethod]
    public void GicVersion3BuildsAGicv3AndAdvertisesTheSystemRegisterInterface()
    {
        using var m = Build(3);
        Assert.AreEqual(3, m.GicVersion);
        Assert.IsNotNull(m.Gicv3);
        Assert.AreSame(m.Gicv3, m.Gic);
        Assert.IsNull(m.Gicv2);
        var pfr0 = m.Cpu.SystemRegisters.Find("ID_AA64PFR0_EL1")!;
        Assert.AreEqual(1UL, pfr0.Read!(m.Cpu) >> 24 & 0xF, "ID_AA64PFR0_EL1.GIC");
        Assert.AreEqual(1UL << 8, pfr0.Read!(m.Cpu) & 0xF00, "EL2 field untouched");
        Assert.IsNotNull(m.Cpu.SystemRegisters.Find("ICC_SRE_EL2"));
        Assert.IsNull(m.Cpu.SystemRegisters.Find("ICC_SRE_EL3"), "no EL3");
        Assert.IsNull(m.Cpu.SystemRegisters.Find("ICC_AP1R1_EL1"), "5 preemption bits: one AP register per group");
    }

    [TestMethod]
    public void GicVersion2KeepsTheGicv2AndNoSystemRegisters()
    {
        using var m = Build(2);
        Assert.AreEqual(2, m.GicVersion);
        Assert.IsNull(m.Gicv3);
        Assert.AreSame(m.Gicv2, m.Gic);
        Assert.AreEqual(0UL, m.Cpu.SystemRegisters.Find("ID_AA64PFR0_EL1")!.Read!(m.Cpu) >> 24 & 0xF);
        Assert.IsNull(m.Cpu.SystemRegisters.Find("ICC_PMR_EL1"));
    }

    [TestMethod]
    public void ListRegisterCountReachesIchVtrAndGichVtr()
    {
        static MachineBuilder With(int version, int lrs) =>
            new MachineBuilder().WithHighestEl(2).WithGicVersion(version).WithGicListRegisters(lrs)
                .WithEngine(ArmVirt.Cpu.ExecutionEngine.Interpreter).WithKernel(new byte[16], "raw");
        using (var v3 = With(3, 16).Build())
        {
            var vtr = v3.Cpu.SystemRegisters.Find("ICH_VTR_EL2")!;
            Assert.AreEqual(15UL, vtr.Read!(v3.Cpu) & 0x1F, "ICH_VTR_EL2.ListRegs = 16 - 1");
            Assert.IsNotNull(v3.Cpu.SystemRegisters.Find("ICH_LR15_EL2"));
        }
        using (var v3 = With(3, 4).Build())
            Assert.IsNull(v3.Cpu.SystemRegisters.Find("ICH_LR4_EL2"), "default 4: ICH_LR4_EL2 is not implemented");
        using (var v2 = With(2, 8).Build())
        {
            Assert.IsTrue(v2.Bus.TryRead(0x0803_0004, 4, out ulong gichVtr), "GICH_VTR");
            Assert.AreEqual(7UL, gichVtr & 0x3F, "GICH_VTR.ListRegs = 8 - 1");
        }
        StringAssert.Contains(Assert.ThrowsExactly<MachineConfigurationException>(() => With(3, 17).Build()).Message,
            "GIC list registers 17: a GICv3 has 1 to 16");
        StringAssert.Contains(Assert.ThrowsExactly<MachineConfigurationException>(() => With(2, 0).Build()).Message,
            "GIC list registers 0: a GICv2 has 1 to 64");
    }

    [TestMethod]
    public void OtherGicVersionsAreAConfigurationError()
    {
        var e = Assert.ThrowsExactly<MachineConfigurationException>(() => Build(4));
        StringAssert.Contains(e.Message, "GIC version 4");
    }

    [TestMethod]
    public void DistributorAndRedistributorSitAtQemusAddresses()
    {
        using var m = Build(3);
        Assert.IsTrue(m.Bus.TryRead(VirtMemoryMap.GicDistributorBase + 0xFFE8, 4, out ulong pidr2));
        Assert.AreEqual(0x3BUL, pidr2, "GICD_PIDR2.ArchRev = 3");
        Assert.IsTrue(m.Bus.TryRead(VirtMemoryMap.GicDistributorBase + 4, 4, out ulong typer));
        Assert.AreEqual(7UL, typer & 0x1F, "ITLinesNumber as QEMU's virt GICv3 (224 SPIs)");
        Assert.IsTrue(m.Bus.TryRead(0x080A_0008, 8, out ulong gicrTyper));
        Assert.AreEqual(1UL << 4, gicrTyper, "one redistributor: Last, affinity 0");
        Assert.IsTrue(m.Bus.TryRead(0x080B_0C00, 4, out ulong icfgr0));
        Assert.AreEqual(0xAAAA_AAAAUL, icfgr0, "SGI_base frame at +0x1_0000");
    }

    [TestMethod]
    public void TimerPpiReachesTheCpuIrqThroughTheRedistributor()
    {
        using var m = Build(3);
        var gic = m.Gicv3!;
        var gicr = gic.Redistributor(0);
        gic.Distributor.TryWrite(0, 4, 2);                      // GICD_CTLR.EnableGrp1
        gicr.TryWrite(Gicv3Redistributor.SgiBase + 0x080, 4, 1u << 27); // GICR_IGROUPR0: INTID 27 Group 1
        gicr.TryWrite(Gicv3Redistributor.SgiBase + 0x100, 4, 1u << 27); // GICR_ISENABLER0
        gic.CpuInterface(0).Write(Gicv3CpuRegister.Igrpen1, 1);
        gic.CpuInterface(0).Write(Gicv3CpuRegister.Pmr, 0xF0);
        Assert.IsFalse(m.Cpu.Irq.IsAsserted);
        gic.Ppi(0, VirtMemoryMap.TimerVirtualPpi).Set(true);
        Assert.IsTrue(m.Cpu.Irq.IsAsserted);
        Assert.AreEqual(27UL, m.Cpu.SystemRegisters.Find("ICC_IAR1_EL1")!.Read!(m.Cpu));
        Assert.IsFalse(m.Cpu.Irq.IsAsserted);
    }

    /// <summary>A recording stand-in for part B's ICV_* interface: the installer's contract is what is under test here.</summary>
    private sealed class RecordingVirtualInterface : IGicv3VirtualCpuInterface
    {
        public Gicv3CpuRegister? TrapRegister;
        public readonly List<string> Calls = [];

        public bool TrapsToEl2(Gicv3CpuRegister register, bool write) => register == TrapRegister;

        public ulong Read(Gicv3CpuRegister register)
        {
            Calls.Add("read " + register);
            return 0x1234;
        }

        public void Write(Gicv3CpuRegister register, ulong value) => Calls.Add($"write {register} {value:x}");
    }

    // Runs one instruction at EL1 of a GICv3 machine with EL2, with HCR_EL2 = RW | hcr, and returns where it ended.
    private static (int El, ulong Esr2, ulong X0, RecordingVirtualInterface Virtual, ulong Pc) RunAtEl1(uint insn, ulong hcr,
        Gicv3CpuRegister? trap = null, bool sreEl2Enable = true, ulong x0 = 0)
    {
        var code = new byte[16];
        BitConverter.GetBytes(insn).CopyTo(code, 0);
        using var m = new MachineBuilder().WithHighestEl(2).WithGicVersion(3).WithEngine(ArmVirt.Cpu.ExecutionEngine.Interpreter)
            .WithKernel(code, "raw").Build();
        var recording = new RecordingVirtualInterface { TrapRegister = trap };
        Gicv3SystemRegisters.Install(m.Cpu, m.Gicv3!.CpuInterface(0), _ => recording);
        m.Gicv3.CpuInterface(0).SreEl2Enable = sreEl2Enable;
        m.Cpu.Sys.Hcr = 1UL << 31 | hcr;
        m.Cpu.SetElAndSpSel(1, 1);
        m.Cpu.SetX(0, x0);
        m.Cpu.Step();
        return (m.Cpu.State.EL, m.Cpu.Sys.Esr[2], m.Cpu.X(0), recording, m.Cpu.State.PC);
    }

    [TestMethod]
    public void WithoutImoOrFmoEl1ReachesThePhysicalInterface()
    {
        var r = RunAtEl1(MrsIccIar1, hcr: 0);
        Assert.AreEqual(1, r.El);
        Assert.AreEqual(1023UL, r.X0);
        Assert.IsEmpty(r.Virtual.Calls);
        Assert.AreEqual(0x8C00UL, RunAtEl1(MrsIccCtlr, hcr: 0).X0);
    }

    [TestMethod]
    public void ImoRedirectsGroup1AndCommonRegistersToTheVirtualInterface()
    {
        var r = RunAtEl1(MrsIccIar1, hcr: HcrEl2.Imo);
        Assert.AreEqual(1, r.El);
        Assert.AreEqual(0x1234UL, r.X0);
        CollectionAssert.AreEqual(new[] { "read Iar1" }, r.Virtual.Calls);
        var pmr = RunAtEl1(MsrIccPmr, hcr: HcrEl2.Imo, x0: 0xF0);
        CollectionAssert.AreEqual(new[] { "write Pmr f0" }, pmr.Virtual.Calls);
        var iar0 = RunAtEl1(MrsIccIar0, hcr: HcrEl2.Imo);
        Assert.AreEqual(1023UL, iar0.X0, "Group 0 follows FMO, not IMO");
        Assert.IsEmpty(iar0.Virtual.Calls);
    }

    [TestMethod]
    public void FmoRedirectsGroup0AndCommonRegisters()
    {
        Assert.AreEqual(0x1234UL, RunAtEl1(MrsIccIar0, hcr: HcrEl2.Fmo).X0);
        Assert.AreEqual(1023UL, RunAtEl1(MrsIccIar1, hcr: HcrEl2.Fmo).X0);
        Assert.AreEqual(0x1234UL, RunAtEl1(MrsIccCtlr, hcr: HcrEl2.Fmo).X0);
    }

    [TestMethod]
    public void IchHcrTrapsReportedByTheVirtualInterfaceTakeEl1ToEl2()
    {
        var r = RunAtEl1(MrsIccIar1, hcr: HcrEl2.Imo, trap: Gicv3CpuRegister.Iar1);
        Assert.AreEqual(2, r.El);
        Assert.AreEqual(0x18UL, r.Esr2 >> 26, "EC: trapped MSR/MRS");
        Assert.IsEmpty(r.Virtual.Calls);
        Assert.AreEqual(2, RunAtEl1(MrsIccIar1, hcr: 0, trap: Gicv3CpuRegister.Iar1).El, "ICH_HCR_EL2 traps apply without IMO too");
    }

    [TestMethod]
    public void SgiGenerationTrapsToEl2UnderImoOrFmo()
    {
        Assert.AreEqual(1, RunAtEl1(MsrIccSgi1r, hcr: 0).El);
        var imo = RunAtEl1(MsrIccSgi1r, hcr: HcrEl2.Imo);
        Assert.AreEqual(2, imo.El);
        Assert.AreEqual(0x18UL, imo.Esr2 >> 26);
        Assert.AreEqual(0UL, imo.Esr2 & 1, "direction: write");
        Assert.AreEqual(2, RunAtEl1(MsrIccSgi1r, hcr: HcrEl2.Fmo).El);
    }

    [TestMethod]
    public void SreEl2EnableClearTrapsEl1SreAccesses()
    {
        var allowed = RunAtEl1(MrsIccSreEl1, hcr: 0);
        Assert.AreEqual(1, allowed.El);
        Assert.AreEqual(7UL, allowed.X0);
        Assert.AreEqual(2, RunAtEl1(MrsIccSreEl1, hcr: 0, sreEl2Enable: false).El);
    }

    [TestMethod]
    public void UnimplementedActivePriorityRegistersAreUndefined()
    {
        var r = RunAtEl1(MrsIccAp1r1, hcr: 0);
        Assert.AreEqual(1, r.El, "UNDEFINED is taken to EL1");
        Assert.AreEqual(0x200UL, r.Pc, "VBAR_EL1 (0) + 0x200: synchronous exception from the current EL with SP_EL1");
        var implemented = RunAtEl1(MrsIccAp1r1 & ~0xE0u, hcr: 0); // ICC_AP1R0_EL1
        Assert.AreNotEqual(0x200UL, implemented.Pc);
    }
}
