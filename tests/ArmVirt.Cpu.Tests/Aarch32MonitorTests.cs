namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Monitor mode and the Security Extensions of an AArch32-only PE with EL3 (cortex-a15 --el 3): what the armv7_secure.elf
/// guest cannot compare with QEMU 7.2 (SCR.SCD, SCR.EA routing of an External abort, which QEMU does not route, the FIQ
/// masking rule of SCR.FW) or does not reach (Secure User mode).
/// </summary>
[TestClass]
public sealed class Aarch32MonitorTests
{
    private const ulong Vbar = SysCpu.RamBase, Mvbar = SysCpu.RamBase + 0x1000;
    private const uint Smc0 = 0xE160_0070, LdrR0R1 = 0xE591_0000, Svc0 = 0xEF00_0000, MrcTpidrurwR0 = 0xEE1D_0F50;
    private const ulong ScrNs = 1, ScrIrq = 2, ScrFiq = 4, ScrEa = 8, ScrFw = 1 << 4, ScrScd = 1 << 7;

    private static SysCpu Secure()
    {
        var s = new SysCpu(highestEl: 3, model: CpuModel.CortexA15);
        s.Cpu.Sys.Mvbar = Mvbar;
        return s;
    }

    // Non-secure Supervisor mode (as a monitor's exception return would leave it).
    private static void EnterNonSecureSupervisor(SysCpu s, ulong scr)
    {
        s.Cpu.Sys.Scr = ScrNs | scr;
        s.Cpu.WriteMode(Cpu.ModeSupervisor, 1);
        s.Cpu.InvalidateRegimeCache();
    }

    [TestMethod]
    public void ResetIsSecureSupervisorModeAtEl3()
    {
        using var s = Secure();
        Assert.AreEqual(3, s.Cpu.State.EL);
        Assert.AreEqual(0x1D3u, s.Cpu.GetAarch32Spsr() & 0x1FF);
        Assert.AreEqual(0UL, s.Cpu.Sys.Scr, "SCR.NS = 0");
        Assert.IsTrue(s.Cpu.IsSecureAarch32);
    }

    [TestMethod]
    public void SmcFromNonSecureGoesToMonitorModeUnlessScrScd()
    {
        using var s = Secure();
        EnterNonSecureSupervisor(s, 0);
        s.Exec(Smc0);
        Assert.AreEqual(Mvbar + 0x08, s.Cpu.State.PC);
        Assert.AreEqual(Cpu.ModeMonitor, s.Cpu.State.Mode);
        Assert.AreEqual(3, s.Cpu.State.EL);
        Assert.AreEqual((uint)SysCpu.CodeBase + 4, s.Cpu.R(14), "LR_mon: the instruction after the SMC");
        Assert.AreEqual(0x1D3UL, s.Cpu.Sys.Spsr[3] & 0x1FF, "SPSR_mon: Non-secure Supervisor mode");
        Assert.AreEqual(ScrNs, s.Cpu.Sys.Scr & ScrNs, "SCR.NS is kept on entry from Non-secure state");

        using var d = Secure();
        EnterNonSecureSupervisor(d, ScrScd);
        d.Cpu.Sys.Vbar[1] = Vbar;
        d.Exec(Smc0);
        Assert.AreEqual(Vbar + 0x04, d.Cpu.State.PC, "SCR.SCD: UNDEFINED in Non-secure state, VBAR(NS) + 0x04");
        Assert.AreEqual(Cpu.ModeUndefined, d.Cpu.State.Mode);
        Assert.AreEqual(1, d.Cpu.State.EL);
    }

    [TestMethod]
    public void ExternalAbortIsTakenToMonitorModeUnderScrEa()
    {
        // LDR R0, [R1] of unmapped physical space (an External abort) from Non-secure state: with SCR.EA to Monitor mode
        // (AArch32.TakeDataAbortException's route_to_monitor; QEMU 7.2 does not route it) with DFSR(S) and DFAR(S).
        using var s = Secure();
        EnterNonSecureSupervisor(s, ScrEa);
        s.Cpu.SetR(1, 0x1000_0000);
        s.Exec(LdrR0R1);
        Assert.AreEqual(Mvbar + 0x10, s.Cpu.State.PC);
        Assert.AreEqual(Cpu.ModeMonitor, s.Cpu.State.Mode);
        Assert.AreEqual((uint)SysCpu.CodeBase + 8, s.Cpu.R(14), "LR_mon: the aborted instruction + 8");
        Assert.AreEqual(0x8UL, s.Cpu.Sys.Esr[3] & 0x40F, "DFSR(S): synchronous External abort (FS 0b01000)");
        Assert.AreEqual(0x1000_0000UL, s.Cpu.Sys.Far[3] & 0xFFFF_FFFF, "DFAR(S)");
        Assert.AreEqual(0UL, s.Cpu.Sys.Esr[1], "DFSR(NS) untouched");

        using var n = Secure();
        EnterNonSecureSupervisor(n, 0);
        n.Cpu.Sys.Vbar[1] = Vbar;
        n.Cpu.SetR(1, 0x1000_0000);
        n.Exec(LdrR0R1);
        Assert.AreEqual(Vbar + 0x10, n.Cpu.State.PC, "without SCR.EA: Non-secure Abort mode");
        Assert.AreEqual(Cpu.ModeAbort, n.Cpu.State.Mode);
        Assert.AreEqual(0x1000_0000UL, n.Cpu.Sys.Far[1] & 0xFFFF_FFFF, "DFAR(NS)");
    }

    [TestMethod]
    public void FiqRoutedToMonitorFromNonSecureIgnoresCpsrFUnlessScrFw()
    {
        using var s = Secure();
        EnterNonSecureSupervisor(s, ScrFiq);
        s.Cpu.State.Daif = 0x1C0; // A, I, F masked
        s.Cpu.Fiq.Set(true);
        Assert.IsTrue(s.Cpu.CheckInterrupts(), "CPSR.F does not mask an FIQ that SCR.FIQ routes to Monitor mode (SCR.FW = 0)");
        Assert.AreEqual(Mvbar + 0x1C, s.Cpu.State.PC);
        Assert.AreEqual(Cpu.ModeMonitor, s.Cpu.State.Mode);

        using var fw = Secure();
        EnterNonSecureSupervisor(fw, ScrFiq | ScrFw);
        fw.Cpu.State.Daif = 0x1C0;
        fw.Cpu.Fiq.Set(true);
        Assert.IsFalse(fw.Cpu.CheckInterrupts(), "SCR.FW = 1: CPSR.F masks it");

        // An IRQ routed to Monitor mode stays masked by CPSR.I, and is taken once I is clear.
        using var irq = Secure();
        EnterNonSecureSupervisor(irq, ScrIrq);
        irq.Cpu.State.Daif = 0x180;
        irq.Cpu.Irq.Set(true);
        Assert.IsFalse(irq.Cpu.CheckInterrupts());
        irq.Cpu.State.Daif = 0x100;
        Assert.IsTrue(irq.Cpu.CheckInterrupts());
        Assert.AreEqual(Mvbar + 0x18, irq.Cpu.State.PC);
    }

    [TestMethod]
    public void SecureUserModeSeesTheSecureBankAndTrapsToSecureModes()
    {
        using var s = Secure();
        s.Cpu.Sys.TpidrurwS = 0x5EC;
        s.Cpu.Sys.Tpidr[0] = 0x4E5; // TPIDRURW(NS) is TPIDR_EL0
        s.Cpu.WriteMode(Cpu.ModeUser, 0);
        Assert.IsTrue(s.Cpu.IsSecureAarch32);
        s.Exec(MrcTpidrurwR0);
        Assert.AreEqual(0x5ECu, s.Cpu.R(0), "TPIDRURW(S)");
        s.Exec(Svc0);
        Assert.AreEqual(Vbar + 0x08, s.Cpu.State.PC, "VBAR(S) + 0x08");
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.AreEqual(3, s.Cpu.State.EL, "Secure Supervisor mode is EL3");
    }

    [TestMethod]
    public void MonitorModeExceptionReturnSwitchesWorldsBySpsrAndScrNs()
    {
        // MOVS PC, LR from Monitor mode with SCR.NS = 1 to Supervisor mode: Non-secure EL1; to Hyp mode: EL2. With
        // SCR.NS = 0, Hyp mode is an illegal return (PSTATE.IL set, still Monitor mode).
        const uint MovsPcLr = 0xE1B0_F00E;
        foreach (var (scr, spsr, el, mode) in new[] { (ScrNs, 0x1D3u, 1, Cpu.ModeSupervisor), (ScrNs, 0x1DAu, 2, Cpu.ModeHyp), (0UL, 0x1D3u, 3, Cpu.ModeSupervisor) })
        {
            using var s = Secure();
            s.Cpu.WriteMode(Cpu.ModeMonitor, 3);
            s.Cpu.Sys.Scr = scr;
            s.Cpu.Sys.Spsr[3] = spsr;
            s.Cpu.SetR(14, (uint)SysCpu.CodeBase + 0x40);
            s.Exec(MovsPcLr);
            Assert.AreEqual(el, s.Cpu.State.EL, $"SCR {scr:x}, SPSR {spsr:x}");
            Assert.AreEqual(mode, s.Cpu.State.Mode);
            Assert.AreEqual(SysCpu.CodeBase + 0x40, s.Cpu.State.PC);
        }
        using var bad = Secure();
        bad.Cpu.WriteMode(Cpu.ModeMonitor, 3);
        bad.Cpu.Sys.Spsr[3] = 0x1DA;
        bad.Cpu.SetR(14, (uint)SysCpu.CodeBase + 0x40);
        bad.Exec(MovsPcLr);
        Assert.IsTrue(bad.Cpu.State.IllegalState, "Hyp mode is Non-secure only");
        Assert.AreEqual(Cpu.ModeMonitor, bad.Cpu.State.Mode);
    }

    [TestMethod]
    public void NsacrCp10GatesNonSecureVfpAndCpacrGatesSecurePl1()
    {
        const uint VmovS0One = 0xEEB7_0A00; // VMOV.F32 S0, #1.0
        foreach (var (nsacr, undefined) in new[] { (0UL, true), (0xC00UL, false) })
        {
            using var s = Secure();
            EnterNonSecureSupervisor(s, 0);
            s.Cpu.Sys.Vbar[1] = Vbar;
            s.Cpu.Sys.Nsacr = nsacr;
            s.Cpu.Sys.Cpacr = 3UL << 20;
            s.Cpu.Sys.Fpexc32 = 1UL << 30;
            s.Exec(VmovS0One);
            Assert.AreEqual(undefined ? Vbar + 0x04 : SysCpu.CodeBase + 4, s.Cpu.State.PC, $"NSACR {nsacr:x}");
        }
        using var secure = Secure();
        secure.Cpu.Sys.Fpexc32 = 1UL << 30; // CPACR.cp10 = 0 (reset): UNDEFINED at Secure PL1 too
        secure.Exec(VmovS0One);
        Assert.AreEqual(Vbar + 0x04, secure.Cpu.State.PC, "VBAR(S) + 0x04");
        Assert.AreEqual(Cpu.ModeUndefined, secure.Cpu.State.Mode);
        Assert.AreEqual(3, secure.Cpu.State.EL);
    }

    [TestMethod]
    public void SecureAndNonSecureTranslationsOfOneVaAreKeptApartInTheTlb()
    {
        // Both worlds' short-descriptor tables map RAM flat (the code) and VA 0x80000000 through a page table to a page
        // of their own: the Secure walk's TLB entry must not serve the Non-secure access (Tlb.SecureContext), nor the
        // reverse. The same VMID (0), ASID (0) and regime (EL1&0) otherwise.
        using var s = Secure();
        var c = s.Cpu;
        void Word(ulong pa, uint value) => s.Bus.Load(pa, BitConverter.GetBytes(value));
        foreach (var (l1, l2, page, value) in new[] { (0x4001_0000UL, 0x4001_8000UL, 0x4002_0000u, 0x1111_1111u), (0x4001_4000UL, 0x4001_8400UL, 0x4002_1000u, 0x2222_2222u) })
        {
            Word(l1 + 0x400 * 4, 0x4000_0000u | (3u << 10) | (3u << 2) | 2);   // VA 0x40000000: the RAM, a section
            Word(l1 + 0x800 * 4, (uint)l2 | 1);                                // VA 0x80000000: a page table
            Word(l2, page | (3u << 4) | (3u << 2) | 2);                        // its first small page
            Word(page, value);
        }
        c.Sys.Ttbr0[3] = 0x4001_0000; c.Sys.DacrS = 0x5555_5555; c.Sys.Sctlr[3] |= 1;  // Secure: TTBR0(S), DACR(S), SCTLR(S).M
        c.Sys.Ttbr0[1] = 0x4001_4000; c.Sys.Dacr32 = 0x5555_5555; c.Sys.Sctlr[1] |= 1; // Non-secure
        c.InvalidateRegimeCache();
        c.SetR(1, 0x8000_0000);
        uint Load()
        {
            s.Exec(LdrR0R1);
            return c.R(0);
        }
        Assert.AreEqual(0x1111_1111u, Load(), "Secure");
        EnterNonSecureSupervisor(s, 0);
        Assert.AreEqual(0x2222_2222u, Load(), "Non-secure, after the Secure walk filled the TLB");
        c.Sys.Scr = 0;
        c.WriteMode(Cpu.ModeSupervisor, 3);
        c.InvalidateRegimeCache();
        Assert.AreEqual(0x1111_1111u, Load(), "Secure again");
    }
}
