using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>HCR_EL2, SCR_EL3, SCTLR_EL1, CPTR and MDCR traps: exact ESR at the target EL and the preferred return.</summary>
[TestClass]
public sealed class TrapTests
{
    private const uint Ec18 = 0x18;

    /// <summary>An EL2 CPU running at EL1 with <paramref name="hcr"/> set in HCR_EL2.</summary>
    private static SysCpu AtEl1(ulong hcr, int highestEl = 2)
    {
        var s = new SysCpu(highestEl);
        if (highestEl == 3) s.Cpu.Sys.Scr |= ScrEl3.Ns;
        s.Cpu.Sys.Hcr |= hcr;
        s.Enter(1);
        return s;
    }

    private static void AssertTrappedToEl2(SysCpu s, ulong esr)
    {
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(esr, s.Cpu.Sys.Esr[2], $"ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[2], "preferred return is the trapped instruction");
        Assert.AreEqual(SysCpu.RamBase + 0x400, s.Cpu.State.PC, "lower-EL synchronous vector");
        Assert.AreEqual(0x3C5UL, s.Cpu.Sys.Spsr[2] & 0x3DF, "SPSR_EL2 = EL1h, DAIF masked");
    }

    [TestMethod]
    public void TvmTrapsWritesOfSctlrEl1()
    {
        using var s = AtEl1(HcrEl2.Tvm);
        ulong before = s.Cpu.Sys.Sctlr[1];
        s.Cpu.SetX(1, 0);
        s.Exec(Enc.Msr(s.Cpu, "SCTLR_EL1", 1));
        AssertTrappedToEl2(s, 0x6230_0420);
        Assert.AreEqual(before, s.Cpu.Sys.Sctlr[1], "the write did not happen");
    }

    [TestMethod]
    public void TvmDoesNotTrapReads()
    {
        using var s = AtEl1(HcrEl2.Tvm);
        Assert.AreEqual(0x00C5_0838UL, s.Read("SCTLR_EL1"), "reset value: RES1 bits 22 and 11, SPAN, nTWI, nTWE, CP15BEN, SA0, SA");
        Assert.AreEqual(1, s.Cpu.State.EL);
    }

    [TestMethod]
    [DataRow("TTBR0_EL1", 3, 0, 2, 0, 0)]
    [DataRow("TCR_EL1", 3, 0, 2, 0, 2)]
    [DataRow("MAIR_EL1", 3, 0, 10, 2, 0)]
    [DataRow("CONTEXTIDR_EL1", 3, 0, 13, 0, 1)]
    [DataRow("FAR_EL1", 3, 0, 6, 0, 0)]
    public void TrvmTrapsReadsOfVirtualMemoryControls(string name, int op0, int op1, int crn, int crm, int op2)
    {
        using var s = AtEl1(HcrEl2.Trvm);
        s.Exec(Enc.Mrs(s.Cpu, name, 2));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(op0, op1, crn, crm, op2, 2, read: true)));
    }

    [TestMethod]
    public void TrvmSyndromeForTtbr0()
    {
        using var s = AtEl1(HcrEl2.Trvm);
        s.Exec(Enc.Mrs(s.Cpu, "TTBR0_EL1", 2));
        AssertTrappedToEl2(s, 0x6230_0841);
    }

    [TestMethod]
    [DataRow(HcrEl2.Tid1, "REVIDR_EL1", 3, 0, 0, 0, 6)]
    [DataRow(HcrEl2.Tid1, "AIDR_EL1", 3, 1, 0, 0, 7)]
    [DataRow(HcrEl2.Tid2, "CTR_EL0", 3, 3, 0, 0, 1)]
    [DataRow(HcrEl2.Tid2, "CLIDR_EL1", 3, 1, 0, 0, 1)]
    [DataRow(HcrEl2.Tid2, "CSSELR_EL1", 3, 2, 0, 0, 0)]
    [DataRow(HcrEl2.Tid3, "ID_AA64PFR0_EL1", 3, 0, 0, 4, 0)]
    [DataRow(HcrEl2.Tid3, "ID_PFR0_EL1", 3, 0, 0, 1, 0)]
    [DataRow(HcrEl2.Tid3, "ID_AA64MMFR0_EL1", 3, 0, 0, 7, 0)]
    [DataRow(HcrEl2.Tacr, "ACTLR_EL1", 3, 0, 1, 0, 1)]
    public void IdAndControlTrapsOnReads(ulong hcr, string name, int op0, int op1, int crn, int crm, int op2)
    {
        using var s = AtEl1(hcr);
        s.Exec(Enc.Mrs(s.Cpu, name, 5));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(op0, op1, crn, crm, op2, 5, read: true)));
    }

    [TestMethod]
    public void Tid3TrapsUnallocatedIdSpace()
    {
        using var s = AtEl1(HcrEl2.Tid3);
        s.Exec(Enc.Mrs(3, 0, 0, 3, 7, 0));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(3, 0, 0, 3, 7, 0, read: true)));
    }

    [TestMethod]
    public void TidcpTrapsImplementationDefinedSpace()
    {
        using var s = AtEl1(HcrEl2.Tidcp);
        s.Exec(Enc.Mrs(3, 0, 15, 2, 1, 3));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(3, 0, 15, 2, 1, 3, read: true)));
    }

    [TestMethod]
    [DataRow(1, 11, 0, 2, DisplayName = "L2CTLR_EL1")]
    [DataRow(1, 11, 0, 3, DisplayName = "L2ECTLR_EL1")]
    [DataRow(1, 15, 0, 0, DisplayName = "L2ACTLR_EL1")]
    [DataRow(1, 15, 2, 0, DisplayName = "CPUACTLR_EL1")]
    [DataRow(1, 15, 2, 1, DisplayName = "CPUECTLR_EL1")]
    [DataRow(1, 15, 2, 2, DisplayName = "CPUMERRSR_EL1")]
    [DataRow(1, 15, 2, 3, DisplayName = "L2MERRSR_EL1")]
    public void TidcpTrapsTheCortexImplementationDefinedRegisters(int op1, int crn, int crm, int op2)
    {
        using var s = AtEl1(HcrEl2.Tidcp);
        s.Exec(Enc.Msr(3, op1, crn, crm, op2, 4));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(3, op1, crn, crm, op2, 4, read: false)));
    }

    [TestMethod]
    public void CortexImplementationDefinedRegistersReadTheirValuesAtEl1()
    {
        // cortex-a57/a53 (TRM 4.3) as QEMU has them: reads of their values, writes accepted and ignored, L2CTLR_EL1 one
        // core, the error syndromes no error.
        using var s = AtEl1(0);
        s.Cpu.SetX(4, 0x0000_0040); // CPUECTLR_EL1.SMPEN, as firmware sets it
        s.Cpu.SetX(5, 99);
        s.Exec(Enc.Msr(3, 1, 15, 2, 1, 4));
        s.Exec(Enc.Mrs(3, 1, 15, 2, 1, 5));
        Assert.AreEqual(0UL, s.Cpu.X(5), "CPUECTLR_EL1");
        s.Cpu.SetX(4, 0x1234);
        s.Exec(Enc.Msr(3, 1, 11, 0, 2, 4));
        s.Exec(Enc.Mrs(3, 1, 11, 0, 2, 6));
        Assert.AreEqual(0UL, s.Cpu.X(6), "L2CTLR_EL1: one core, RAM latencies 0, writes ignored");
        s.Cpu.SetX(7, 99);
        s.Exec(Enc.Mrs(3, 1, 15, 2, 2, 7));
        Assert.AreEqual(0UL, s.Cpu.X(7), "CPUMERRSR_EL1");
        Assert.AreEqual(1, s.Cpu.State.EL, "no exception taken");
    }

    [TestMethod]
    [DataRow(HcrEl2.Tsw, Enc.DcCiswX0, 1, 0, 7, 14, 2)]
    [DataRow(HcrEl2.Tpc, Enc.DcCivacX0, 1, 3, 7, 14, 1)]
    [DataRow(HcrEl2.Tpc, Enc.DcIvacX0, 1, 0, 7, 6, 1)]
    [DataRow(HcrEl2.Tpu, Enc.IcIallu, 1, 0, 7, 5, 0)]
    [DataRow(HcrEl2.Tpu, Enc.IcIvauX0, 1, 3, 7, 5, 1)]
    [DataRow(HcrEl2.Tpu, Enc.DcCvauX0, 1, 3, 7, 11, 1)]
    [DataRow(HcrEl2.Ttlb, Enc.TlbiVmalle1, 1, 0, 8, 7, 0)]
    [DataRow(HcrEl2.Ttlb, Enc.TlbiVae1isX0, 1, 0, 8, 3, 1)]
    [DataRow(HcrEl2.Tdz, Enc.DcZvaX0, 1, 3, 7, 4, 1)]
    public void MaintenanceTraps(ulong hcr, uint insn, int op0, int op1, int crn, int crm, int op2)
    {
        using var s = AtEl1(hcr);
        s.Exec(insn);
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(op0, op1, crn, crm, op2, (int)(insn & 31), read: false)));
    }

    [TestMethod]
    public void MaintenanceWithoutTrapBitsRunsAtEl1()
    {
        using var s = AtEl1(0);
        s.Cpu.SetX(0, SysCpu.RamBase);
        s.Exec(Enc.DcCiswX0, Enc.DcCivacX0, Enc.IcIallu, Enc.TlbiVmalle1, Enc.DcIvacX0);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.CodeBase + 20, s.Cpu.State.PC);
    }

    [TestMethod]
    public void TwiAndTweTrapToEl2()
    {
        using (var s = AtEl1(HcrEl2.Twi))
        {
            s.Exec(Enc.Wfi);
            AssertTrappedToEl2(s, 0x07E0_0000);
            Assert.IsFalse(s.Cpu.IsWaiting);
        }
        using (var s = AtEl1(HcrEl2.Twe))
        {
            s.Exec(Enc.Wfe);
            AssertTrappedToEl2(s, 0x07E0_0001);
        }
    }

    [TestMethod]
    public void WfeWithEventSetIsNotTrapped()
    {
        using var s = AtEl1(HcrEl2.Twe);
        s.Cpu.EventRegister = true;
        s.Exec(Enc.Wfe);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.IsFalse(s.Cpu.EventRegister);
    }

    [TestMethod]
    public void WfiAtEl0TrapsToEl1BeforeEl2()
    {
        using var s = AtEl1(HcrEl2.Twi);
        s.Cpu.Sys.Sctlr[1] &= ~SctlrEl1.NTwi;
        s.Enter(0);
        s.Exec(Enc.Wfi);
        Assert.AreEqual(1, s.Cpu.State.EL, "SCTLR_EL1.nTWI = 0 traps to EL1 first");
        Assert.AreEqual(0x07E0_0000UL, s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void WfiAtEl0WithNtwiGoesToEl2Trap()
    {
        using var s = AtEl1(HcrEl2.Twi);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.NTwi;
        s.Enter(0);
        s.Exec(Enc.Wfi);
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(0x07E0_0000UL, s.Cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void El0TrapsRouteToEl2UnderTge()
    {
        using var s = AtEl1(HcrEl2.Tge);
        s.Enter(0);
        s.Exec(Enc.MrsX0CtrEl0); // SCTLR_EL1.UCT = 0
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(3, 3, 0, 0, 1, 0, read: true)), s.Cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void ScrTwiTrapsToEl3()
    {
        using var s = AtEl1(0, highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Twi;
        s.Exec(Enc.Wfi);
        Assert.AreEqual(3, s.Cpu.State.EL);
        Assert.AreEqual(0x07E0_0000UL, s.Cpu.Sys.Esr[3]);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[3]);
        Assert.AreEqual(SysCpu.RamBase + 0x400, s.Cpu.State.PC);
    }

    [TestMethod]
    public void HcrTrapHasPriorityOverScrTrap()
    {
        using var s = AtEl1(HcrEl2.Twi, highestEl: 3);
        s.Cpu.Sys.Scr |= ScrEl3.Twi;
        s.Exec(Enc.Wfi);
        Assert.AreEqual(2, s.Cpu.State.EL);
    }

    [TestMethod]
    public void WfiWithPendingInterruptIsNotTrapped()
    {
        using var s = AtEl1(HcrEl2.Twi);
        s.Cpu.State.Daif = 0x3C0;
        s.Cpu.Sys.Hcr |= HcrEl2.Vi; // virtual IRQ pending (masked by PSTATE.I)
        s.Cpu.Sys.Hcr &= ~HcrEl2.Imo;
        s.Exec(Enc.Wfi);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.IsFalse(s.Cpu.IsWaiting);
    }

    [TestMethod]
    public void SctlrEl1UserControlsAtEl0()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Exec(Enc.MrsX0CtrEl0);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(3, 3, 0, 0, 1, 0, read: true)), s.Cpu.Sys.Esr[1], "UCT = 0");
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Uct | SctlrEl1.Uma;
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Enter(0);
        Assert.AreEqual(CpuModel.CortexA57.Ctr, s.Read("CTR_EL0"));
        s.Exec(Enc.DaifSet2);
        Assert.AreEqual(0, s.Cpu.State.EL, "UMA = 1 allows DAIFSet at EL0");
        s.Cpu.Sys.Sctlr[1] &= ~SctlrEl1.Uma;
        s.Exec(Enc.DaifClr2);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(0, 3, 4, 2, 7, 31, read: false)), s.Cpu.Sys.Esr[1], "UMA = 0 traps MSR DAIFClr");
    }

    [TestMethod]
    public void DaifRegisterAtEl0NeedsUma()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Exec(Enc.Mrs(s.Cpu, "DAIF", 4));
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(3, 3, 4, 2, 1, 4, read: true)), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void UciAndDzeAtEl0()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, SysCpu.RamBase);
        s.Enter(0);
        s.Exec(Enc.DcCivacX0);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(1, 3, 7, 14, 1, 0, read: false)), s.Cpu.Sys.Esr[1]);
        s.Enter(0);
        s.Exec(Enc.DcZvaX0);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(1, 3, 7, 4, 1, 0, read: false)), s.Cpu.Sys.Esr[1]);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Uci;
        s.Enter(0);
        ulong pc = s.Cpu.State.PC;
        s.Exec(Enc.DcCivacX0, Enc.IcIvauX0);
        Assert.AreEqual(pc + 8, s.Cpu.State.PC);
        s.Exec(Enc.DcIvacX0);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1], "DC IVAC is UNDEFINED at EL0");
    }

    [TestMethod]
    public void UciTrapHasPriorityOverHcrTpc()
    {
        using var s = AtEl1(HcrEl2.Tpc);
        s.Enter(0);
        s.Exec(Enc.DcCivacX0);
        Assert.AreEqual(1, s.Cpu.State.EL);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Uci;
        s.Enter(0);
        s.Exec(Enc.DcCivacX0);
        Assert.AreEqual(2, s.Cpu.State.EL);
    }

    [TestMethod]
    public void CptrTcpacTrapsCpacr()
    {
        using var s = AtEl1(0, highestEl: 3);
        s.Cpu.Sys.Cptr[2] |= 1UL << 31;
        s.Exec(Enc.Mrs(s.Cpu, "CPACR_EL1", 0));
        AssertTrappedToEl2(s, Enc.Esr(Ec18, Enc.Iss18(3, 0, 1, 0, 2, 0, read: true)));
        s.Cpu.Sys.Cptr[3] |= 1UL << 31;
        s.Exec(Enc.Mrs(s.Cpu, "CPTR_EL2", 0));
        Assert.AreEqual(3, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(3, 4, 1, 1, 2, 0, read: true)), s.Cpu.Sys.Esr[3]);
    }

    [TestMethod]
    public void MdcrTdaAndTdosaTrapDebugRegisters()
    {
        using var s = AtEl1(0);
        s.Cpu.Sys.Mdcr[2] = 1UL << 9; // TDA
        Assert.AreEqual(0xAUL, s.Read("OSLSR_EL1"), "TDA does not cover the OS registers");
        s.Exec(Enc.Mrs(s.Cpu, "MDSCR_EL1", 0));
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(2, 0, 0, 2, 2, 0, read: true)), s.Cpu.Sys.Esr[2]);
        s.Cpu.Sys.Mdcr[2] = 1UL << 10; // TDOSA
        s.Enter(1);
        s.Exec(Enc.Msr(s.Cpu, "OSLAR_EL1", 0));
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(Ec18, Enc.Iss18(2, 0, 1, 0, 4, 0, read: false)), s.Cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void NoHcrTrapsWhenEl2IsDisabled()
    {
        using var s = new SysCpu(highestEl: 3); // SCR_EL3.NS = 0: Secure EL1, EL2 disabled
        s.Cpu.Sys.Hcr |= HcrEl2.Tvm | HcrEl2.Twi;
        s.Enter(1);
        s.Write("SCTLR_EL1", 0);
        Assert.AreEqual(1, s.Cpu.State.EL);
    }
}
