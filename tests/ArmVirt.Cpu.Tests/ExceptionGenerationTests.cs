using ArmVirt.Cpu.Firmware;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class ExceptionGenerationTests
{
    private sealed class FakeFirmware(FirmwareConduit conduit) : IFirmwareCallHandler
    {
        public int Calls;
        public FirmwareConduit Conduit { get; } = conduit;

        public bool TryHandleCall(Cpu cpu, ushort immediate)
        {
            if (immediate != 0) return false;
            Calls++;
            cpu.SetX(0, 0x1234);
            return true;
        }
    }

    private sealed class FakeSemihosting : ISemihostingHandler
    {
        public int Calls;

        public void Handle(Cpu cpu)
        {
            Calls++;
            cpu.SetX(0, 99);
        }
    }

    private static void AssertTaken(SysCpu s, int el, ulong esr, ulong elr, ulong vectorOffset)
    {
        Assert.AreEqual(el, s.Cpu.State.EL, "target EL");
        Assert.AreEqual(esr, s.Cpu.Sys.Esr[el], $"ESR 0x{s.Cpu.Sys.Esr[el]:x}");
        Assert.AreEqual(elr, s.Cpu.Sys.Elr[el], "ELR");
        Assert.AreEqual(SysCpu.RamBase + vectorOffset, s.Cpu.State.PC, "vector");
    }

    [TestMethod]
    [DataRow(0, 1, 0x400UL)]
    [DataRow(1, 1, 0x200UL)]
    [DataRow(2, 2, 0x200UL)]
    [DataRow(3, 3, 0x200UL)]
    public void SvcAtEveryEl(int el, int target, ulong vector)
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Ns;
        s.Enter(el);
        s.Exec(Enc.Svc1234);
        AssertTaken(s, target, 0x5600_1234, SysCpu.CodeBase + 4, vector);
        Assert.AreEqual((ulong)(el << 2 | (el == 0 ? 0 : 1)), s.Cpu.Sys.Spsr[target] & 0xF);
    }

    [TestMethod]
    public void SvcFromEl0UnderTgeGoesToEl2()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.Sys.Hcr |= HcrEl2.Tge;
        s.Enter(0);
        s.Exec(Enc.Svc1234);
        AssertTaken(s, 2, 0x5600_1234, SysCpu.CodeBase + 4, 0x400);
    }

    [TestMethod]
    [DataRow(1, 2, 0x400UL)]
    [DataRow(2, 2, 0x200UL)]
    [DataRow(3, 3, 0x200UL)]
    public void HvcWithEl3AndHce(int el, int target, ulong vector)
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Ns | ScrEl3.Hce;
        s.Enter(el);
        s.Exec(Enc.Hvc55);
        AssertTaken(s, target, 0x5A00_0055, SysCpu.CodeBase + 4, vector);
    }

    [TestMethod]
    public void HvcUndefinedCases()
    {
        using (var s = new SysCpu(highestEl: 3)) // SCR_EL3.HCE = 0
        {
            s.Cpu.Sys.Scr |= ScrEl3.Ns;
            s.Enter(1);
            s.Exec(Enc.Hvc55);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        }
        using (var s = new SysCpu(highestEl: 2)) // HCR_EL2.HCD
        {
            s.Cpu.Sys.Hcr |= HcrEl2.Hcd;
            s.Enter(1);
            s.Exec(Enc.Hvc55);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        }
        using (var s = new SysCpu(highestEl: 2)) // EL0
        {
            s.Enter(0);
            s.Exec(Enc.Hvc55);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x400);
        }
        using (var s = new SysCpu(highestEl: 1)) // no EL2, no firmware
        {
            s.Exec(Enc.Hvc55);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        }
    }

    [TestMethod]
    public void HvcWithoutEl2GoesToHvcFirmware()
    {
        using var s = new SysCpu(highestEl: 1);
        var fw = new FakeFirmware(FirmwareConduit.Hvc);
        s.Cpu.Firmware = fw;
        s.Exec(0xd4000002); // HVC #0
        Assert.AreEqual(1, fw.Calls);
        Assert.AreEqual(0x1234UL, s.Cpu.X(0));
        Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC);
        s.Exec(Enc.Hvc55); // not an SMCCC call: UNDEFINED
        AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase + 4, 0x200);
        Assert.AreEqual(1, fw.Calls);
    }

    [TestMethod]
    public void HvcWithEl2IsNotOfferedToFirmware()
    {
        using var s = new SysCpu(highestEl: 2);
        var fw = new FakeFirmware(FirmwareConduit.Hvc);
        s.Cpu.Firmware = fw;
        s.Enter(1);
        s.Exec(0xd4000002);
        Assert.AreEqual(0, fw.Calls);
        AssertTaken(s, 2, 0x5A00_0000, SysCpu.CodeBase + 4, 0x400);
    }

    [TestMethod]
    [DataRow(1, 0x400UL)]
    [DataRow(2, 0x400UL)]
    [DataRow(3, 0x200UL)]
    public void SmcGoesToEl3(int el, ulong vector)
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Ns;
        s.Enter(el);
        s.Exec(Enc.Smc66);
        AssertTaken(s, 3, 0x5E00_0066, SysCpu.CodeBase + 4, vector);
    }

    [TestMethod]
    public void SmcTrappedByTscReturnsToTheSmc()
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Ns | ScrEl3.Smd; // TSC has priority over SMD
        s.Cpu.Sys.Hcr |= HcrEl2.Tsc;
        s.Enter(1);
        s.Exec(Enc.Smc66);
        AssertTaken(s, 2, 0x5E00_0066, SysCpu.CodeBase, 0x400);
    }

    [TestMethod]
    public void SmcUndefinedCases()
    {
        using (var s = new SysCpu(highestEl: 3))
        {
            s.Cpu.Sys.Scr |= ScrEl3.Ns | ScrEl3.Smd;
            s.Enter(1);
            s.Exec(Enc.Smc66);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        }
        using (var s = new SysCpu(highestEl: 3))
        {
            s.Enter(0);
            s.Exec(Enc.Smc66);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x400);
        }
        using (var s = new SysCpu(highestEl: 2)) // no EL3, no SMC firmware: UNDEFINED even with TSC
        {
            s.Cpu.Sys.Hcr |= HcrEl2.Tsc;
            s.Enter(1);
            s.Exec(Enc.Smc66);
            AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        }
    }

    [TestMethod]
    public void SmcWithoutEl3GoesToSmcFirmwareAfterTheTscTrap()
    {
        using var s = new SysCpu(highestEl: 2);
        var fw = new FakeFirmware(FirmwareConduit.Smc);
        s.Cpu.Firmware = fw;
        s.Exec(0xd4000003); // SMC #0 at EL2
        Assert.AreEqual(1, fw.Calls);
        Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC);
        s.Cpu.Sys.Hcr |= HcrEl2.Tsc;
        s.Enter(1);
        s.Exec(0xd4000003);
        Assert.AreEqual(1, fw.Calls, "HCR_EL2.TSC traps before the firmware sees the call (QEMU pre_smc order)");
        AssertTaken(s, 2, 0x5E00_0000, SysCpu.CodeBase + 4, 0x400);
    }

    [TestMethod]
    [DataRow(0, 1, 0x400UL)]
    [DataRow(1, 1, 0x200UL)]
    [DataRow(2, 2, 0x200UL)]
    public void BrkReturnsToItself(int el, int target, ulong vector)
    {
        using var s = new SysCpu(highestEl: 2);
        s.Enter(el);
        s.Exec(Enc.Brk77);
        AssertTaken(s, target, 0xF200_0077, SysCpu.CodeBase, vector);
    }

    [TestMethod]
    public void BrkRoutedToEl2ByMdcrTde()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.Sys.Mdcr[2] = 1UL << 8;
        s.Enter(1);
        s.Exec(Enc.Brk77);
        AssertTaken(s, 2, 0xF200_0077, SysCpu.CodeBase, 0x400);
    }

    [TestMethod]
    public void HltIsSemihostingOrUndefined()
    {
        using var s = new SysCpu();
        s.Exec(Enc.HltF000);
        AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x200);
        var sh = new FakeSemihosting();
        s.Cpu.Semihosting = sh;
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Exec(Enc.HltF000);
        Assert.AreEqual(1, sh.Calls);
        Assert.AreEqual(99UL, s.Cpu.X(0));
        Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC);
        s.Exec(Enc.Hlt1);
        Assert.AreEqual(1, sh.Calls);
        AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase + 4, 0x200);
        s.Enter(0);
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Exec(Enc.HltF000);
        Assert.AreEqual(1, sh.Calls, "no semihosting from EL0");
        AssertTaken(s, 1, Enc.Esr(0, 0), SysCpu.CodeBase, 0x400);
    }
}
