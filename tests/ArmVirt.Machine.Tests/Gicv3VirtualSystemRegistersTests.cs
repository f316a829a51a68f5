using ArmVirt.Gic;

namespace ArmVirt.Machine.Tests;

/// <summary>The ICH_*_EL2 registers as the CPU sees them through <see cref="Gicv3VirtualSystemRegisters"/>.</summary>
[TestClass]
public sealed class Gicv3VirtualSystemRegistersTests
{
    // MRS/MSR Xt, S3_4_C12_C<crm>_<op2>
    private static uint Mrs(int crm, int op2, int rt) => 0xD5200000u | 3u << 19 | 4u << 16 | 12u << 12 | (uint)crm << 8 | (uint)op2 << 5 | (uint)rt;
    private static uint Msr(int crm, int op2, int rt) => Mrs(crm, op2, rt) & ~(1u << 21);

    private sealed record Result(int El, ulong Esr, ulong X1, Gicv3VirtualCpuInterface Ich);

    // Runs one instruction at the given EL with x0 = value on a machine whose highest EL is highestEl.
    private static Result Run(int highestEl, int el, uint insn, ulong x0 = 0, int listRegisters = 4)
    {
        var code = new byte[16];
        BitConverter.GetBytes(insn).CopyTo(code, 0);
        using var m = new MachineBuilder().WithHighestEl(highestEl).WithEngine(ArmVirt.Cpu.ExecutionEngine.Interpreter)
            .WithKernel(code, "raw").Build();
        var ich = new Gicv3VirtualCpuInterface(listRegisters, _ => { });
        Gicv3VirtualSystemRegisters.Install(m.Cpu, ich);
        if (highestEl >= 2) m.Cpu.Sys.Hcr |= 1UL << 31; // RW
        m.Cpu.SetElAndSpSel(el, 1);
        m.Cpu.State.X[0] = x0;
        m.Cpu.Step();
        return new Result(m.Cpu.State.EL, m.Cpu.Sys.Esr[m.Cpu.State.EL], m.Cpu.X(1), ich);
    }

    [TestMethod]
    public void El2ReadsAndWritesTheInterface()
    {
        Assert.AreEqual(0x90B80003UL, Run(2, 2, Mrs(11, 1, 1)).X1, "ICH_VTR_EL2");
        Assert.AreEqual(0x90B8000FUL, Run(2, 2, Mrs(11, 1, 1), listRegisters: 16).X1);
        Assert.AreEqual(0x004C0008UL, Run(2, 2, Mrs(11, 7, 1)).X1, "ICH_VMCR_EL2");
        Assert.AreEqual(0xFUL, Run(2, 2, Mrs(11, 5, 1)).X1, "ICH_ELRSR_EL2");
        var hcr = Run(2, 2, Msr(11, 0, 0), x0: 0x4001);
        Assert.AreEqual(2, hcr.El);
        Assert.AreEqual(0x4001UL, hcr.Ich.Hcr, "ICH_HCR_EL2: En, TDIR");
        Assert.AreEqual(0x0000_0001_0000_0002UL, Run(2, 2, Msr(12, 3, 0), x0: 0x1_0000_0002).Ich.ReadListRegister(3));
        Assert.AreEqual(0x55UL, Run(2, 2, Msr(9, 0, 0), x0: 0x55).Ich.ReadActivePriorities(1, 0), "ICH_AP1R0_EL2");
        Assert.AreEqual(0x55UL, Run(2, 2, Msr(8, 0, 0), x0: 0x55).Ich.ReadActivePriorities(0, 0), "ICH_AP0R0_EL2");
        Assert.AreEqual(0x4UL, Run(2, 2, Msr(13, 7, 0), x0: 4, listRegisters: 16).Ich.ReadListRegister(15), "ICH_LR15_EL2");
    }

    // An UNDEFINED instruction is taken to the EL it ran at (EL1 or EL2 here) with EC 0, the PC at the vector.
    private static void AssertUndefined(Result r, int el, string what)
    {
        Assert.AreEqual(el, r.El, what);
        Assert.AreEqual(0UL, r.Esr >> 26, $"{what}: EC 0 (UNDEFINED)");
        Assert.AreEqual(0x2000000UL, r.Esr, $"{what}: IL = 1, ISS 0");
    }

    [TestMethod]
    public void UndefinedFromEl1WithoutEl2ForReadOnlyAndBeyondListRegs()
    {
        AssertUndefined(Run(2, 1, Mrs(11, 0, 1)), 1, "ICH_HCR_EL2 from EL1");
        AssertUndefined(Run(1, 1, Mrs(11, 1, 1)), 1, "ICH_VTR_EL2 without EL2");
        AssertUndefined(Run(2, 2, Msr(11, 1, 0)), 2, "write to ICH_VTR_EL2");
        AssertUndefined(Run(2, 2, Msr(11, 2, 0)), 2, "write to ICH_MISR_EL2");
        AssertUndefined(Run(2, 2, Mrs(12, 4, 1)), 2, "ICH_LR4_EL2 with 4 list registers");
        AssertUndefined(Run(2, 2, Mrs(8, 1, 1)), 2, "ICH_AP0R1_EL2 with 5 preemption bits");
    }

    [TestMethod]
    public void MachineWiresTheInterfaceOnlyWithGicv3AndEl2()
    {
        byte[] code = TestImages.Pattern(16, 1);
        using (var v2 = new MachineBuilder().WithHighestEl(2).WithKernel(code, "raw").Build())
            Assert.IsNull(v2.Gicv3Virtual);
        using (var el1 = new MachineBuilder().WithHighestEl(1).WithGicVersion(3).WithKernel(code, "raw").Build())
        {
            Assert.IsNull(el1.Gicv3Virtual);
            Assert.IsNull(el1.Cpu.SystemRegisters.Find("ICH_VTR_EL2"));
        }
        using var m = new MachineBuilder().WithHighestEl(2).WithGicVersion(3).WithKernel(code, "raw").Build();
        var ich = m.Gicv3Virtual!;
        Assert.IsNotNull(ich);
        Assert.AreEqual(4, ich.ListRegisterCount);
        Assert.AreEqual(0x90B80003UL, m.Cpu.SystemRegisters.Find("ICH_VTR_EL2")!.Read!(m.Cpu));
        // A pending Group 1 entry drives the CPU's vIRQ; a Group 0 one its vFIQ.
        ich.Hcr = 1;
        ich.Vmcr = 3 | 0xF8UL << 24;
        ich.WriteListRegister(0, 1UL << 62 | 1UL << 60 | 0x80UL << 48 | 40);
        Assert.IsTrue(m.Cpu.VirtualIrq.IsAsserted);
        Assert.IsFalse(m.Cpu.VirtualFiq.IsAsserted);
        ich.WriteListRegister(0, 1UL << 62 | 0x80UL << 48 | 40);
        Assert.IsTrue(m.Cpu.VirtualFiq.IsAsserted);
        Assert.IsFalse(m.Cpu.VirtualIrq.IsAsserted);
        // The maintenance interrupt is PPI 9 of the GICv3 (ICH_HCR_EL2.NPIE with nothing pending).
        ich.WriteListRegister(0, 0);
        Assert.IsFalse(m.Gicv3!.Ppi(0, 9).IsAsserted);
        ich.Hcr = 1 | 8;
        Assert.IsTrue(m.Gicv3.Ppi(0, 9).IsAsserted);
        ich.Hcr = 0;
        Assert.IsFalse(m.Gicv3.Ppi(0, 9).IsAsserted);
    }

    [TestMethod]
    public void HardwareListRegisterDeactivatesThePhysicalPpi()
    {
        using var m = new MachineBuilder().WithHighestEl(2).WithGicVersion(3).WithKernel(TestImages.Pattern(16, 1), "raw").Build();
        var ich = m.Gicv3Virtual!;
        var gic = m.Gicv3!;
        var redistributor = gic.Redistributor(0);
        // INTID 30 active in the redistributor (GICR_ISACTIVER0 in the SGI frame at 0x1_0300).
        Assert.IsTrue(redistributor.TryWrite(0x1_0300, 4, 1UL << 30));
        Assert.IsTrue(redistributor.TryRead(0x1_0300, 4, out ulong active));
        Assert.AreEqual(1UL << 30, active & (1UL << 30));
        ich.Hcr = 1;
        ich.Vmcr = 3 | 0xF8UL << 24;
        ich.WriteListRegister(1, 1UL << 62 | 1UL << 61 | 1UL << 60 | 0x80UL << 48 | 30UL << 32 | 27);
        Assert.AreEqual(27UL, ich.Read(Gicv3CpuRegister.Iar1));
        ich.Write(Gicv3CpuRegister.Eoir1, 27);
        Assert.IsTrue(redistributor.TryRead(0x1_0300, 4, out active));
        Assert.AreEqual(0UL, active & (1UL << 30), "EOI of the HW entry deactivated physical INTID 30");
    }

    [TestMethod]
    public void MachineResetClearsTheInterface()
    {
        // movz w0, #9; movk w0, #0x8400, lsl #16; smc #0: PSCI SYSTEM_RESET, again after every reboot.
        uint[] insns = [0x52800120, 0x72B08000, 0xD4000003];
        byte[] code = insns.SelectMany(BitConverter.GetBytes).ToArray();
        using var m = new MachineBuilder().WithHighestEl(2).WithGicVersion(3).WithKernel(code, "raw").Build();
        var ich = m.Gicv3Virtual!;
        ich.Hcr = 1 | 8;
        ich.WriteListRegister(2, 1UL << 62 | 40);
        m.Run(10);
        Assert.IsTrue(m.ResetCount >= 1, "the program resets the machine");
        Assert.AreEqual(0UL, ich.Hcr);
        Assert.AreEqual(0UL, ich.ReadListRegister(2));
        Assert.IsFalse(m.Gicv3!.Ppi(0, 9).IsAsserted);
    }
}
