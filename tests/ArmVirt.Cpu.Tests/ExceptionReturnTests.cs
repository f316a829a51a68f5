using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class ExceptionReturnTests
{
    private const ulong Target = SysCpu.RamBase + 0x9000;

    private static SysCpu Prepared(int highestEl, int el, ulong spsr)
    {
        var s = new SysCpu(highestEl);
        if (highestEl == 3) s.Cpu.Sys.Scr |= ScrEl3.Ns;
        s.Enter(el);
        s.Cpu.Sys.Spsr[el] = spsr;
        s.Cpu.Sys.Elr[el] = Target;
        return s;
    }

    [TestMethod]
    [DataRow(3, 0b01001, 2, 1)] // EL2h
    [DataRow(3, 0b01000, 2, 0)] // EL2t
    [DataRow(3, 0b00101, 1, 1)] // EL1h
    [DataRow(3, 0b00000, 0, 0)] // EL0t
    [DataRow(2, 0b00101, 1, 1)]
    [DataRow(2, 0b00100, 1, 0)]
    [DataRow(2, 0b00000, 0, 0)]
    [DataRow(1, 0b00000, 0, 0)]
    [DataRow(1, 0b00101, 1, 1)]
    public void EretToEachEl(int fromEl, int m, int el, int spSel)
    {
        using var s = Prepared(3, fromEl, 0xA000_0000UL | (1UL << 7) | (ulong)m);
        s.Cpu.SetSpEl(0, 0x100);
        s.Cpu.SetSpEl(1, 0x101);
        s.Cpu.SetSpEl(2, 0x102);
        s.Cpu.ExclusiveMonitorLocal.Mark(0x4000_0000, 4);
        s.Exec(Enc.Eret);
        Assert.AreEqual(el, s.Cpu.State.EL);
        Assert.AreEqual(spSel, s.Cpu.State.SpSel);
        Assert.AreEqual(Target, s.Cpu.State.PC);
        Assert.AreEqual(0xA000_0000u, s.Cpu.State.Nzcv);
        Assert.AreEqual(0x80u, s.Cpu.State.Daif);
        Assert.IsFalse(s.Cpu.State.IllegalState);
        Assert.AreEqual(0x100UL + (ulong)(spSel == 0 ? 0 : el), s.Cpu.Sp);
        Assert.IsFalse(s.Cpu.ExclusiveMonitorLocal.Valid, "ERET clears the local monitor");
        Assert.IsTrue(s.Cpu.EventRegister, "ERET sets the event register");
    }

    [TestMethod]
    [DataRow(3, 1, 0b01001, "to a higher EL")]
    [DataRow(1, 1, 0b00001, "EL0 with SP_EL1")]
    [DataRow(3, 1, 0b00110, "M[1] set")]
    [DataRow(3, 1, 0b10011, "AArch32 Supervisor mode (EL1 is AArch64 only)")]
    [DataRow(1, 1, 0b01001, "EL2 not implemented")]
    [DataRow(2, 2, 0b11001, "AArch32 EL2 encoding")]
    public void IllegalReturnSetsIlAndThenRaisesIllegalState(int highestEl, int el, int m, string why)
    {
        using var s = Prepared(highestEl, el, 0x6000_0000UL | 0x3C0 | (ulong)m);
        int spSel = s.Cpu.State.SpSel;
        s.Exec(Enc.Eret);
        Assert.AreEqual(el, s.Cpu.State.EL, why);
        Assert.AreEqual(spSel, s.Cpu.State.SpSel, why);
        Assert.IsTrue(s.Cpu.State.IllegalState, why);
        Assert.AreEqual(Target, s.Cpu.State.PC, why);
        Assert.AreEqual(0x6000_0000u, s.Cpu.State.Nzcv, "NZCV is restored even on an illegal return");
        s.ExecWithIllegalStateCheck(Enc.Nop);
        Assert.AreEqual(el, s.Cpu.State.EL);
        Assert.AreEqual((0x0EUL << 26) | (1UL << 25), s.Cpu.Sys.Esr[el], why);
        Assert.AreEqual(Target, s.Cpu.Sys.Elr[el]);
        Assert.AreNotEqual(0UL, s.Cpu.Sys.Spsr[el] & (1UL << 20), "SPSR.IL records PSTATE.IL");
        Assert.IsFalse(s.Cpu.State.IllegalState, "exception entry clears PSTATE.IL");
        Assert.AreEqual(SysCpu.RamBase + 0x200, s.Cpu.State.PC);
    }

    [TestMethod]
    public void ReturnToEl1UnderTgeIsIllegal()
    {
        using var s = Prepared(2, 2, 0b00101);
        s.Cpu.Sys.Hcr |= HcrEl2.Tge;
        s.Exec(Enc.Eret);
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.IsTrue(s.Cpu.State.IllegalState);
    }

    [TestMethod]
    public void ReturnWithSpsrIlSetRaisesIllegalStateAtTheTarget()
    {
        using var s = Prepared(2, 2, (1UL << 20) | 0b00101);
        s.Exec(Enc.Eret);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.IsTrue(s.Cpu.State.IllegalState);
        s.ExecWithIllegalStateCheck(Enc.Nop);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual((0x0EUL << 26) | (1UL << 25), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void EretAtEl0IsUndefined()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Exec(Enc.Eret);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void SvcThenEretRoundTrip()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Cpu.State.Daif = 0;
        s.Exec(Enc.Svc1234);
        Assert.AreEqual(1, s.Cpu.State.EL);
        s.Exec(Enc.Eret);
        Assert.AreEqual(0, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC);
        Assert.AreEqual(0u, s.Cpu.State.Daif);
    }
}
