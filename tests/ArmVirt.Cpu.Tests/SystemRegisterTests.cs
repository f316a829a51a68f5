using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class SystemRegisterTests
{
    private const ulong Ones = ulong.MaxValue;

    [TestMethod]
    [DataRow("SCTLR_EL1", Ones, 0x77DD_FBBFUL)] // V, UWXN, TRE, AFE, TE: the AArch32 SCTLR's bits (EL1 has AArch32)
    [DataRow("SCTLR_EL1", 0UL, 0x00C0_0800UL)] // ITD, SED, CP15BEN writable: EL0 has AArch32; RES1 11, 22, 23 (SPAN)
    [DataRow("SCTLR_EL2", 0UL, 0x30C5_0830UL)]
    [DataRow("SCTLR_EL3", Ones - 1, 0x32CD_183EUL)] // M stays 0: stage 1 is not wired yet
    [DataRow("HCR_EL2", 0UL, 0UL)] // RW writable: EL1 implements AArch32
    [DataRow("HCR_EL2", Ones, 0x3_DFFF_FFFFUL)] // HCD is RES0 with EL3
    [DataRow("SCR_EL3", 0UL, 0x430UL)]
    [DataRow("SCR_EL3", Ones, 0x3FBFUL)]
    [DataRow("TCR_EL1", Ones, 0x77_FFFF_FFBFUL)]
    [DataRow("TCR_EL2", 0UL, 0x8080_0000UL)]
    [DataRow("VTCR_EL2", 0UL, 0x8000_0000UL)]
    [DataRow("VTTBR_EL2", Ones, 0x00FF_FFFF_FFFF_FFFEUL)]
    [DataRow("TTBR0_EL2", Ones, 0x0000_FFFF_FFFF_FFFEUL)]
    [DataRow("TTBR1_EL1", Ones, Ones)] // bit 0: the AArch32 short format's IRGN[1] (EL1 has AArch32)
    [DataRow("VBAR_EL1", 0x1234_5FFFUL, 0x1234_5FE0UL)] // bits 10..5: the AArch32 VBAR's (EL1 has AArch32)
    [DataRow("CPTR_EL2", 0UL, 0x33FFUL)]
    [DataRow("CPTR_EL3", Ones, 0x8010_0400UL)]
    [DataRow("CPACR_EL1", Ones, 0x1030_0000UL)]
    [DataRow("SPSR_EL2", Ones, 0xFE3F_FFFFUL)] // M[4] = 1: the AArch32 format (Q, IT, GE, E, T)
    [DataRow("SPSR_EL2", 0xFFFF_FFFF_FFFF_FFEFUL, 0xF030_03CFUL)] // M[4] = 0: the AArch64 format
    [DataRow("ESR_EL1", Ones, 0xFFFF_FFFFUL)]
    [DataRow("VMPIDR_EL2", 0UL, 0x8000_0000UL)]
    [DataRow("CSSELR_EL1", Ones, 0xFUL)]
    [DataRow("MDSCR_EL1", Ones, 0xB001UL)]
    [DataRow("HSTR_EL2", Ones, 0xBFEFUL)]
    [DataRow("TPIDR_EL0", Ones, Ones)]
    [DataRow("MAIR_EL1", 0x0044_FF04_00UL, 0x0044_FF04_00UL)]
    [DataRow("CONTEXTIDR_EL1", Ones, 0xFFFF_FFFFUL)]
    public void WriteThenReadAppliesRes0AndRes1(string name, ulong written, ulong expected)
    {
        using var s = new SysCpu(highestEl: 3);
        s.Write(name, written);
        Assert.AreEqual(expected, s.Read(name), name);
    }

    [TestMethod]
    public void HcrHcdIsWritableWithoutEl3()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Write("HCR_EL2", ulong.MaxValue);
        Assert.AreEqual(0x3_FFFF_FFFFUL, s.Read("HCR_EL2"));
    }

    [TestMethod]
    public void El1RegisterFromEl0IsUndefined()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Exec(Enc.Mrs(s.Cpu, "SCTLR_EL1", 0));
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.RamBase + 0x400, s.Cpu.State.PC);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void El2RegistersAreUndefinedWithoutEl2()
    {
        using var s = new SysCpu(highestEl: 1);
        Assert.IsNull(s.Cpu.SystemRegisters.Find("HCR_EL2"));
        s.Exec(Enc.Mrs(3, 4, 1, 1, 0, 0)); // MRS X0, HCR_EL2
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(SysCpu.RamBase + 0x200, s.Cpu.State.PC);
    }

    [TestMethod]
    public void El2RegisterFromEl1IsUndefined()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Enter(1);
        s.Exec(Enc.Msr(s.Cpu, "HCR_EL2", 0));
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void El3RegisterFromEl2IsUndefined()
    {
        using var s = new SysCpu(highestEl: 3);
        s.Enter(2);
        s.Exec(Enc.Mrs(s.Cpu, "SCR_EL3", 0));
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void AArch32El1RegistersAreUndefinedWithoutAArch32El1()
    {
        // A model whose EL1 is AArch64-only (ID_AA64PFR0_EL1.EL1 = 1): DACR32_EL2, SPSR_irq ... do not exist.
        using var s = new SysCpu(highestEl: 2, CpuModel.CortexA57 with { IdAa64Pfr0 = 0x2212 });
        s.Exec(Enc.Mrs(3, 4, 3, 0, 0, 0)); // DACR32_EL2
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[2]);
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Cpu.Sys.Esr[2] = 0x1;
        s.Exec(Enc.Mrs(3, 4, 4, 3, 0, 0)); // SPSR_irq
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[2]);
        Assert.AreEqual(0x12UL, s.Read("ID_AA64PFR0_EL1") & 0xFF);
        s.Write("HCR_EL2", 0);
        Assert.AreEqual(0x8000_0000UL, s.Read("HCR_EL2"), "HCR_EL2.RW is RAO/WI when EL1 is AArch64-only");
    }

    [TestMethod]
    public void AArch32El1RegistersHoldTheirState()
    {
        // Cortex-A57's EL1 implements AArch32: the registers a hypervisor saves for a 32-bit guest exist at EL2.
        using var s = new SysCpu(highestEl: 2);
        s.Write("DACR32_EL2", 0x1_5555_5555);
        Assert.AreEqual(0x5555_5555UL, s.Read("DACR32_EL2"));
        s.Write("IFSR32_EL2", 0xFFFF_FFFF);
        Assert.AreEqual(0x163FUL, s.Read("IFSR32_EL2"), "FS/STATUS, LPAE, FS[4], ExT");
        s.Write("SPSR_irq", 0xF80F_03D2);
        Assert.AreEqual(0xF80F_03D2UL, s.Read("SPSR_irq"));
        Assert.AreEqual(0xF80F_03D2UL, s.Cpu.Sys.SpsrIrq);
        s.Write("SPSR_abt", 0x1D7);
        s.Write("SPSR_und", 0x1DB);
        s.Write("SPSR_fiq", 0x1D1);
        Assert.AreEqual((0x1D7UL, 0x1DBUL, 0x1D1UL), (s.Cpu.Sys.SpsrAbt, s.Cpu.Sys.SpsrUnd, s.Cpu.Sys.SpsrFiq));
        s.Write("FPEXC32_EL2", 0xFFFF_FFFF);
        Assert.AreEqual(0x4000_0700UL, s.Read("FPEXC32_EL2"), "EN, VECITR = 0b111");
        s.Write("HCR_EL2", 0);
        Assert.AreEqual(0UL, s.Read("HCR_EL2"), "HCR_EL2.RW is writable: EL1 may be AArch32");
    }

    [TestMethod]
    public void WriteToReadOnlyAndReadOfWriteOnlyAreUndefined()
    {
        using var s = new SysCpu();
        s.Exec(Enc.Msr(3, 0, 0, 0, 0, 0)); // MSR MIDR_EL1
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
        s.Cpu.State.PC = SysCpu.CodeBase;
        s.Cpu.Sys.Esr[1] = 1;
        s.Exec(Enc.Mrs(2, 0, 1, 0, 4, 0)); // MRS OSLAR_EL1
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void MidrAndMpidrAreVirtualisedAtEl1()
    {
        using var s = new SysCpu(highestEl: 2);
        Assert.AreEqual(0x411F_D070UL, s.Read("MIDR_EL1"));
        Assert.AreEqual(0x8000_0000UL, s.Read("MPIDR_EL1"));
        Assert.AreEqual(0x411F_D070UL, s.Read("VPIDR_EL2"), "VPIDR resets to MIDR");
        s.Write("VPIDR_EL2", 0x4100_1234);
        s.Write("VMPIDR_EL2", 0x0102_0304);
        Assert.AreEqual(0x411F_D070UL, s.Read("MIDR_EL1"), "EL2 reads the physical MIDR");
        s.Enter(1);
        Assert.AreEqual(0x4100_1234UL, s.Read("MIDR_EL1"));
        Assert.AreEqual(0x8102_0304UL, s.Read("MPIDR_EL1"));
    }

    [TestMethod]
    public void MpidrAff0IsTheCpuIndex()
    {
        using var bus = new Core.PhysicalBus();
        var cpu = new Cpu(bus, new Core.VirtualClock(), new CpuConfiguration { Index = 3 });
        Assert.AreEqual(0x8000_0003UL, cpu.SystemRegisters.Find("MPIDR_EL1")!.Read!(cpu));
    }

    [TestMethod]
    [DataRow(1, 0x0000_0022UL)] // EL0 and EL1: AArch64 and AArch32
    [DataRow(2, 0x0000_0122UL)] // EL2 AArch64 only (an AArch32 EL2 is not modelled)
    [DataRow(3, 0x0000_1122UL)]
    public void IdAa64Pfr0ReflectsImplementedEls(int highestEl, ulong expected)
    {
        using var s = new SysCpu(highestEl);
        Assert.AreEqual(expected, s.Read("ID_AA64PFR0_EL1"));
    }

    [TestMethod]
    public void IdRegistersMatchModelAndImplementation()
    {
        using var s = new SysCpu(model: CpuModel.Max);
        Assert.AreEqual(0x1030_5106UL, s.Read("ID_AA64DFR0_EL1"), "PMUVer = 1: PMUv3 (PmuTests)");
        Assert.AreEqual(CpuModel.Max.IdAa64Isar0, s.Read("ID_AA64ISAR0_EL1"));
        Assert.AreEqual(CpuModel.Max.IdAa64Mmfr1, s.Read("ID_AA64MMFR1_EL1"));
        Assert.AreEqual(0x131UL, s.Read("ID_PFR0_EL1"), "AArch32 at EL0: A32 and T32 (Cortex-A57 TRM)");
        Assert.AreEqual(0x0210_1110UL, s.Read("ID_ISAR0_EL1"), "SDIV/UDIV in A32 and T32");
        Assert.AreEqual(0x1011_0222UL, s.Read("MVFR0_EL1"));
        s.Cpu.SetX(0, 0xDEAD);
        s.Exec(Enc.Mrs(3, 0, 0, 3, 7, 0)); // unallocated ID space: RAZ
        Assert.AreEqual(0UL, s.Cpu.X(0));
        Assert.AreEqual(SysCpu.CodeBase + 7 * 4, s.Cpu.State.PC, "no exception");
        Assert.AreEqual(0x0A20_0023UL, s.Read("CLIDR_EL1"));
        s.Write("CSSELR_EL1", 1);
        Assert.AreEqual(0x201F_E012UL, s.Read("CCSIDR_EL1"));
    }

    [TestMethod]
    public void DebugRegistersMatchIdAa64Dfr0()
    {
        using var s = new SysCpu();
        for (int i = 0; i < 6; i++) Assert.IsNotNull(s.Cpu.SystemRegisters.Find($"DBGBCR{i}_EL1"));
        for (int i = 0; i < 4; i++) Assert.IsNotNull(s.Cpu.SystemRegisters.Find($"DBGWVR{i}_EL1"));
        Assert.IsNull(s.Cpu.SystemRegisters.Find("DBGBCR6_EL1"));
        Assert.IsNull(s.Cpu.SystemRegisters.Find("DBGWVR4_EL1"));
        // DBGBVR keeps bits 1:0: for a context ID breakpoint they are part of the ID (an address comparison ignores them).
        s.Write("DBGBVR2_EL1", 0x4000_1003);
        Assert.AreEqual(0x4000_1003UL, s.Read("DBGBVR2_EL1"));
        s.Write("DBGWVR2_EL1", 0x4000_1003);
        Assert.AreEqual(0x4000_1000UL, s.Read("DBGWVR2_EL1"));
        s.Write("DBGBCR2_EL1", ulong.MaxValue);
        Assert.AreEqual(0x00FF_E1E7UL, s.Read("DBGBCR2_EL1"));
    }

    [TestMethod]
    public void OsLockIsSetAtResetAndClearedThroughOslar()
    {
        using var s = new SysCpu();
        Assert.AreEqual(0xAUL, s.Read("OSLSR_EL1"));
        s.Write("OSLAR_EL1", 0);
        Assert.AreEqual(0x8UL, s.Read("OSLSR_EL1"));
        s.Write("OSDLR_EL1", 3);
        Assert.AreEqual(1UL, s.Read("OSDLR_EL1"));
    }

    [TestMethod]
    public void PstateRegisters()
    {
        using var s = new SysCpu(highestEl: 2);
        Assert.AreEqual(8UL, s.Read("CurrentEL"));
        s.Write("NZCV", 0xFFFF_FFFF);
        Assert.AreEqual(0xF000_0000u, s.Cpu.State.Nzcv);
        s.Write("DAIF", 0);
        Assert.AreEqual(0u, s.Cpu.State.Daif);
        s.Exec(Enc.DaifSet2);
        Assert.AreEqual(0x80UL, s.Read("DAIF"));
        s.Exec(Enc.DaifSet2 | (0xD << 8)); // DAIFSet #0xF
        Assert.AreEqual(0x3C0u, s.Cpu.State.Daif);
        s.Exec(Enc.DaifClr2);
        Assert.AreEqual(0x340u, s.Cpu.State.Daif);
    }

    [TestMethod]
    public void SpSelSwitchesTheStackPointer()
    {
        using var s = new SysCpu();
        s.Cpu.Sp = 0x1111; // SP_EL1
        s.Write("SP_EL0", 0x2222);
        s.Exec(Enc.SpSel0);
        Assert.AreEqual(0x2222UL, s.Cpu.Sp);
        Assert.AreEqual(0UL, s.Read("SPSel"));
        s.Cpu.Sp = 0x3333;
        s.Exec(Enc.SpSel1);
        Assert.AreEqual(0x1111UL, s.Cpu.Sp);
        Assert.AreEqual(0x3333UL, s.Read("SP_EL0"));
        // SP_EL0 is UNDEFINED while selected.
        s.Exec(Enc.SpSel0);
        s.Exec(Enc.Mrs(s.Cpu, "SP_EL0", 0));
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void SpElxOfLowerLevelsFromEl2AndEl3()
    {
        using var s = new SysCpu(highestEl: 3);
        s.Write("SP_EL2", 0x42);
        s.Write("SP_EL1", 0x41);
        Assert.AreEqual(0x42UL, s.Cpu.GetSpEl(2));
        Assert.AreEqual(0x41UL, s.Cpu.GetSpEl(1));
        s.Enter(2);
        Assert.AreEqual(0x42UL, s.Cpu.Sp);
    }

    [TestMethod]
    public void MsrSpSelAtEl0IsUndefined()
    {
        using var s = new SysCpu();
        s.Enter(0);
        s.Exec(Enc.SpSel1);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void PanNeedsFeatPan()
    {
        using (var s = new SysCpu(model: CpuModel.Max))
        {
            s.Exec(Enc.Pan1);
            Assert.IsTrue(s.Cpu.State.Pan);
            Assert.AreEqual(1UL << 22, s.Read("PAN"));
        }
        using (var s = new SysCpu())
        {
            s.Exec(Enc.Pan1);
            Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
            Assert.AreEqual(SysCpu.RamBase + 0x200, s.Cpu.State.PC);
        }
    }

    [TestMethod]
    public void TpidrroIsReadOnlyAtEl0()
    {
        using var s = new SysCpu();
        s.Write("TPIDRRO_EL0", 0x77);
        s.Enter(0);
        Assert.AreEqual(0x77UL, s.Read("TPIDRRO_EL0"));
        s.Exec(Enc.Msr(s.Cpu, "TPIDRRO_EL0", 0));
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void DczidReportsBlockSizeAndProhibition()
    {
        using var s = new SysCpu();
        Assert.AreEqual(4UL, s.Read("DCZID_EL0"));
        s.Enter(0);
        Assert.AreEqual(0x14UL, s.Read("DCZID_EL0"), "EL0 without SCTLR_EL1.DZE");
        s.Enter(1);
        s.Write("SCTLR_EL1", 0x30D0_0980 | (1UL << 14));
        s.Enter(0);
        Assert.AreEqual(4UL, s.Read("DCZID_EL0"));
    }

    [TestMethod]
    public void UnallocatedSystemEncodingsAreUndefinedAndHintsAreNops()
    {
        foreach (uint insn in new[] { Enc.Cfinv, Enc.Drps, Enc.Dcps1, 0xd5280000u /* SYSL */, Enc.Msr(3, 0, 11, 0, 0, 0) })
        {
            using var s = new SysCpu();
            s.Exec(insn);
            Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1], $"0x{insn:x8}");
            Assert.AreEqual(SysCpu.RamBase + 0x200, s.Cpu.State.PC, $"0x{insn:x8}");
        }
        using (var s = new SysCpu())
        {
            s.Exec(Enc.Nop, Enc.Yield, Enc.Esb, Enc.BtiC, Enc.DsbSy, Enc.DmbIsh, Enc.Isb);
            Assert.AreEqual(SysCpu.CodeBase + 28, s.Cpu.State.PC);
        }
    }

    [TestMethod]
    public void ClrexClearsTheLocalMonitor()
    {
        using var s = new SysCpu();
        s.Cpu.ExclusiveMonitorLocal.Mark(0x4000_0000, 8);
        s.Exec(Enc.Clrex);
        Assert.IsFalse(s.Cpu.ExclusiveMonitorLocal.Valid);
    }

    [TestMethod]
    public void ExceptionFromUndefinedKeepsStateUntouched()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, 0x55);
        s.Exec(Enc.Mrs(3, 4, 1, 1, 0, 0));
        Assert.AreEqual(0x55UL, s.Cpu.X(0));
        Assert.AreEqual(ExceptionClass.Unknown, (ExceptionClass)(s.Cpu.Sys.Esr[1] >> 26));
    }
}
