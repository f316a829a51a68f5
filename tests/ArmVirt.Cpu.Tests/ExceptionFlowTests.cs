namespace ArmVirt.Cpu.Tests;

/// <summary>
/// A hypervisor-style flow assembled with aarch64-linux-gnu-as and run instruction by instruction. QEMU's
/// <c>-d int</c> log for the same code linked at 0x40080000 shows the same ESR_EL2 (0x5a001234), ELR and SVC ESR.
/// </summary>
[TestClass]
public sealed class ExceptionFlowTests
{
    // _start (EL2): adr x0, vectors; msr vbar_el2, x0; mov x0, #1 << 31; msr hcr_el2, x0; adr x0, el1;
    //   msr elr_el2, x0; mov x0, #0x3c5; msr spsr_el2, x0; eret
    // el1: mrs x1, CurrentEL; msr daifclr, #2; mrs x6, daif; hvc #0x1234; mov x3, #7; svc #1; b .
    private static readonly uint[] Code =
    [
        0x10004000, 0xd51cc000, 0xd2b00000, 0xd51c1100, 0x100000a0, 0xd51c4020, 0xd28078a0, 0xd51c4000,
        0xd69f03e0, 0xd5384241, 0xd50342ff, 0xd53b4226, 0xd4024682, 0xd28000e3, 0xd4000021, 0x14000000,
    ];

    // vectors + 0x400 (lower EL, synchronous): mrs x2, esr_el2; mrs x4, elr_el2; mrs x5, spsr_el2; eret
    private static readonly uint[] LowerSync = [0xd53c5202, 0xd53c4024, 0xd53c4005, 0xd69f03e0];

    [TestMethod]
    public void El2DropsToEl1AndHandlesItsHvc()
    {
        using var s = new SysCpu(highestEl: 2);
        var bytes = new byte[Code.Length * 4];
        Buffer.BlockCopy(Code, 0, bytes, 0, bytes.Length);
        s.Bus.Load(SysCpu.CodeBase, bytes);
        bytes = new byte[LowerSync.Length * 4];
        Buffer.BlockCopy(LowerSync, 0, bytes, 0, bytes.Length);
        s.Bus.Load(SysCpu.CodeBase + 0xC00, bytes);
        s.Cpu.Sys.Vbar[1] = SysCpu.RamBase + 0x2000;

        for (int i = 0; i < 9; i++) s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL, "ERET to EL1h");
        Assert.AreEqual(SysCpu.CodeBase + 0x24, s.Cpu.State.PC);
        for (int i = 0; i < 4; i++) s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL, "HVC taken to EL2");
        Assert.AreEqual(SysCpu.CodeBase + 0xC00, s.Cpu.State.PC, "VBAR_EL2 + 0x400");
        for (int i = 0; i < 5; i++) s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(4UL, s.Cpu.X(1), "CurrentEL = EL1");
        Assert.AreEqual(0x340UL, s.Cpu.X(6), "DAIF after DAIFClr #2");
        Assert.AreEqual(0x5A00_1234UL, s.Cpu.X(2), "ESR_EL2: EC 0x16, IL, imm16");
        Assert.AreEqual(SysCpu.CodeBase + 0x34, s.Cpu.X(4), "ELR_EL2: after the HVC");
        Assert.AreEqual(0x345UL, s.Cpu.X(5), "SPSR_EL2: EL1h with D, A, F masked");
        Assert.AreEqual(7UL, s.Cpu.X(3));
        s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL, "SVC from EL1 stays at EL1");
        Assert.AreEqual(0x5600_0001UL, s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.RamBase + 0x2200, s.Cpu.State.PC);
    }
}
