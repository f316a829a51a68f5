using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>Asynchronous exception routing (Arm ARM D1.13.2) and the WFI/WFE/SEV event machinery.</summary>
[TestClass]
public sealed class ExceptionRoutingTests
{
    [TestMethod]
    public void IrqAtEl1IsTakenWhenUnmasked()
    {
        using var s = new SysCpu();
        s.Cpu.Irq.Set(true);
        Assert.IsFalse(s.Cpu.CheckInterrupts(), "masked by PSTATE.I after reset");
        s.Cpu.State.Daif = 0;
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x280, s.Cpu.State.PC);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[1]);
        Assert.AreEqual(0x3C0u, s.Cpu.State.Daif);
    }

    [TestMethod]
    public void ImoRoutesIrqToEl2RegardlessOfPstateI()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.Sys.Hcr |= HcrEl2.Imo;
        s.Enter(1);
        s.Cpu.State.Daif = 0x3C0;
        s.Cpu.Irq.Set(true);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x480, s.Cpu.State.PC);
    }

    [TestMethod]
    public void IrqForEl1IsNotTakenAtEl2()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.State.Daif = 0;
        s.Cpu.Irq.Set(true);
        Assert.IsFalse(s.Cpu.CheckInterrupts());
    }

    [TestMethod]
    public void VirtualIrqFromHcrViIsTakenAtEl1AndMaskedByI()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Cpu.Sys.Hcr |= HcrEl2.Imo;
        s.Enter(1);
        s.Cpu.Sys.Hcr |= HcrEl2.Vi;
        s.Cpu.State.Daif = 1u << 7;
        Assert.IsFalse(s.Cpu.CheckInterrupts());
        s.Exec(Enc.DaifClr2);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x280, s.Cpu.State.PC);
    }

    [TestMethod]
    public void VirtualIrqNeedsImo()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Enter(1);
        s.Cpu.Sys.Hcr |= HcrEl2.Vi;
        s.Cpu.State.Daif = 0;
        Assert.IsFalse(s.Cpu.CheckInterrupts());
    }

    [TestMethod]
    public void ScrIrqRoutesToEl3()
    {
        using var s = new SysCpu(highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Ns | ScrEl3.Irq;
        s.Enter(1);
        s.Cpu.Irq.Set(true);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(3, s.Cpu.State.EL);
    }

    [TestMethod]
    public void WfiWaitsAndWfeConsumesTheEventRegister()
    {
        using var s = new SysCpu();
        s.Exec(Enc.Wfi);
        Assert.IsTrue(s.Cpu.IsWaiting);
        Assert.AreEqual(SysCpu.CodeBase + 4, s.Cpu.State.PC);
        using var t = new SysCpu();
        t.Exec(Enc.Sevl, Enc.Wfe);
        Assert.IsFalse(t.Cpu.IsWaiting);
        Assert.IsFalse(t.Cpu.EventRegister);
        t.Exec(Enc.Wfe);
        Assert.IsTrue(t.Cpu.IsWaiting);
    }

    [TestMethod]
    public void SevSignalsOtherCpus()
    {
        using var s = new SysCpu();
        int signalled = 0;
        s.Cpu.EventSignalled += _ => signalled++;
        s.Exec(Enc.Sevl);
        Assert.AreEqual(0, signalled);
        s.Exec(Enc.Sev);
        Assert.AreEqual(1, signalled);
        Assert.IsTrue(s.Cpu.EventRegister);
    }

    [TestMethod]
    public void SignalEventEndsAWfeWait()
    {
        using var s = new SysCpu();
        s.Exec(Enc.Wfe);
        Assert.IsTrue(s.Cpu.IsWaiting);
        s.Cpu.SignalEvent();
        Assert.IsFalse(s.Cpu.IsWaiting);
        Assert.IsTrue(s.Cpu.EventRegister);
    }
}
