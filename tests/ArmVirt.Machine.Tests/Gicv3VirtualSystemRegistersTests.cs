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
}
