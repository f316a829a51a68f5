using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// AArch32 EL1 under an AArch64 EL2 (HCR_EL2.RW = 0): ERET into the PL1 modes, the banked registers on X0-X30, the
/// AArch32 exception entry at EL1 (vectors, LR offsets, SPSRs, fault status formats), the AArch32 exception returns,
/// mode changes, and exceptions from AArch32 EL1 to the AArch64 EL2 with the AArch32 syndromes (Rt as its AArch64 view).
/// tests/guests/aarch32_el1.elf runs the same against QEMU.
/// </summary>
[TestClass]
public sealed class Aarch32El1Tests
{
    private const ulong Kernel = SysCpu.RamBase + 0x1_0000;
    private const ulong Vectors = SysCpu.RamBase; // VBAR_EL1 = VBAR_EL2 = RAM base (SysCpu)

    // An EL2 CPU with HCR_EL2 = hcr (RW = 0: EL1 is AArch32) entering AArch32 at Kernel by an ERET with SPSR_EL2 = spsr.
    private static SysCpu EnterEl1(uint spsr, ulong hcr, params uint[] a32)
    {
        var s = new SysCpu(highestEl: 2);
        s.Enter(2);
        s.Cpu.Sys.Hcr = hcr;
        var bytes = new byte[a32.Length * 4];
        Buffer.BlockCopy(a32, 0, bytes, 0, bytes.Length);
        s.Bus.Load(Kernel, bytes);
        s.Cpu.Sys.Spsr[2] = spsr;
        s.Cpu.Sys.Elr[2] = Kernel;
        s.Exec(Enc.Eret);
        return s;
    }

    [TestMethod]
    public void EretEntersSupervisorModeWhoseSpAndLrAreX19AndX18()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Enter(2);
        s.Cpu.Sys.Hcr = 0;
        s.Cpu.SetX(19, 0xFFFF_FFFF_4000_1000);
        s.Cpu.SetX(18, 0x1234);
        s.Cpu.SetX(13, 0x5555);
        s.Bus.Load(Kernel, BitConverter.GetBytes(0xE1A0000Du).Concat(BitConverter.GetBytes(0xE1A0100Eu)).ToArray()); // mov r0, sp; mov r1, lr
        s.Cpu.Sys.Spsr[2] = 0x1D3;
        s.Cpu.Sys.Elr[2] = Kernel;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.AreEqual(0x1C0u, s.Cpu.State.Daif);
        Assert.AreEqual(0x4000_1000UL, s.Cpu.X(19), "an ERET to an AArch32 EL1 clears the upper halves of X0-X30");
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.AreEqual(0x4000_1000UL, s.Cpu.X(0), "R13_svc is X19");
        Assert.AreEqual(0x1234UL, s.Cpu.X(1), "R14_svc is X18");
        Assert.AreEqual(0x1D3u, s.Cpu.GetAarch32Spsr(), "CPSR.M = Supervisor");
    }

    [TestMethod]
    public void TheBankedRegisterMapIsTheArmArmsMapping()
    {
        // Arm ARM "Mapping of AArch32 registers to AArch64".
        Assert.AreEqual(13, Cpu.Aarch32Register(Cpu.ModeUser, 13));
        Assert.AreEqual(14, Cpu.Aarch32Register(Cpu.ModeSystem, 14));
        Assert.AreEqual(16, Cpu.Aarch32Register(Cpu.ModeIrq, 14));
        Assert.AreEqual(17, Cpu.Aarch32Register(Cpu.ModeIrq, 13));
        Assert.AreEqual(18, Cpu.Aarch32Register(Cpu.ModeSupervisor, 14));
        Assert.AreEqual(19, Cpu.Aarch32Register(Cpu.ModeSupervisor, 13));
        Assert.AreEqual(20, Cpu.Aarch32Register(Cpu.ModeAbort, 14));
        Assert.AreEqual(21, Cpu.Aarch32Register(Cpu.ModeAbort, 13));
        Assert.AreEqual(22, Cpu.Aarch32Register(Cpu.ModeUndefined, 14));
        Assert.AreEqual(23, Cpu.Aarch32Register(Cpu.ModeUndefined, 13));
        Assert.AreEqual(15, Cpu.Aarch32Register(Cpu.ModeHyp, 13));
        for (int n = 8; n <= 12; n++)
        {
            Assert.AreEqual(n + 16, Cpu.Aarch32Register(Cpu.ModeFiq, n));
            Assert.AreEqual(n, Cpu.Aarch32Register(Cpu.ModeIrq, n));
        }
        Assert.AreEqual(29, Cpu.Aarch32Register(Cpu.ModeFiq, 13));
        Assert.AreEqual(30, Cpu.Aarch32Register(Cpu.ModeFiq, 14));
        for (int n = 0; n < 8; n++) Assert.AreEqual(n, Cpu.Aarch32Register(Cpu.ModeFiq, n));
    }

    [TestMethod]
    public void ReturnsToAarch64El1OrToMissingModesAreIllegalUnderRwZero()
    {
        using var s = EnterEl1(0x3C5, 0); // EL1h while HCR_EL2.RW = 0
        Assert.IsTrue(s.Cpu.State.IllegalState);
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.IsFalse(s.Cpu.State.Aarch32);
        using var hyp = EnterEl1(0x1DA, 0); // Hyp mode: no AArch32 EL2
        Assert.IsTrue(hyp.Cpu.State.IllegalState);
        using var svc = EnterEl1(0x1D3, HcrEl2.Rw); // an AArch32 EL1 mode while EL1 is AArch64
        Assert.IsTrue(svc.Cpu.State.IllegalState);
        Assert.AreEqual(2, svc.Cpu.State.EL);
    }

    [TestMethod]
    public void SvcAtEl1EntersSupervisorModeWithTheReturnInLrSvc()
    {
        using var s = EnterEl1(0x6000_0013, 0, 0xEF000001); // svc #1 (flags Z C, A I F clear)
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Aarch32);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x08, s.Cpu.State.PC);
        Assert.AreEqual(Kernel + 4, s.Cpu.X(18), "LR_svc = the next instruction");
        Assert.AreEqual(0x6000_0013UL, s.Cpu.Sys.Spsr[1], "SPSR_svc is SPSR_EL1");
        Assert.AreEqual(0x80u, s.Cpu.State.Daif, "I masked, A and F kept");
    }

    [TestMethod]
    public void UdfEntersUndefinedModeAndLdmWithPcAndCaretReturns()
    {
        using var s = EnterEl1(0x1D3, 0, 0xE7F000F0); // udf #0
        s.Bus.Load(Vectors + 4, BitConverter.GetBytes(0xE8FD8000u)); // ldmfd sp!, {pc}^
        s.Cpu.SetX(23, SysCpu.RamBase + 0x2000); // SP_und
        s.Bus.Load(SysCpu.RamBase + 0x2000, BitConverter.GetBytes((uint)Kernel + 0x40));
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x04, s.Cpu.State.PC);
        Assert.AreEqual(Kernel + 4, s.Cpu.X(22), "LR_und = the UDF + 4 (A32)");
        Assert.AreEqual(0x1D3UL, s.Cpu.Sys.SpsrUnd);
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode, "the CPSR from SPSR_und");
        Assert.AreEqual(Kernel + 0x40, s.Cpu.State.PC);
        Assert.AreEqual(SysCpu.RamBase + 0x2004, s.Cpu.X(23), "SP_und written back");
    }

    [TestMethod]
    public void AlignmentFaultsReportShortAndLongFormatDfsr()
    {
        using var s = EnterEl1(0x13, 0, 0xE5910000, 0xE5810000); // ldr r0, [r1]; str r0, [r1] (A, I, F unmasked)
        s.Cpu.Sys.Sctlr[1] |= 2; // SCTLR.A
        s.Cpu.SetX(1, SysCpu.RamBase + 0x101);
        s.Cpu.Sys.Far[1] = 0xAAAA_0000_0000_0000;
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeAbort, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x10, s.Cpu.State.PC);
        Assert.AreEqual(Kernel + 8, s.Cpu.X(20), "LR_abt = the access + 8");
        Assert.AreEqual(0x1UL, s.Cpu.Sys.Esr[1], "DFSR (short format): FS = 0b00001 alignment");
        Assert.AreEqual(0xAAAA_0000_4000_0101UL, s.Cpu.Sys.Far[1], "DFAR is FAR_EL1<31:0>, IFAR above it kept");
        Assert.AreEqual(0x180u, s.Cpu.State.Daif, "A and I masked");
        // The same store with TTBCR.EAE = 1: the long-descriptor format, WnR.
        s.Cpu.Sys.Tcr[1] = 1UL << 31;
        s.Cpu.State.PC = Kernel + 4;
        s.Cpu.Step();
        Assert.AreEqual((1UL << 11) | (1UL << 9) | 0x21, s.Cpu.Sys.Esr[1], "DFSR: WnR, LPAE, STATUS = 0b100001");
    }

    [TestMethod]
    public void VirtualIrqEntersIrqModeAndSubsPcLrReturns()
    {
        using var s = EnterEl1(0x0013, HcrEl2.Imo | HcrEl2.Vi, 0xE320F000, 0xE320F000); // nop; nop (I unmasked)
        s.Bus.Load(Vectors + 0x18, BitConverter.GetBytes(0xE25EF004u)); // subs pc, lr, #4
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(Cpu.ModeIrq, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x18, s.Cpu.State.PC);
        Assert.AreEqual(Kernel + 4, s.Cpu.X(16), "LR_irq = the interrupted instruction + 4");
        Assert.AreEqual(0x13UL, s.Cpu.Sys.SpsrIrq);
        Assert.AreEqual(0x180u, s.Cpu.State.Daif);
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.AreEqual(Kernel, s.Cpu.State.PC);
        Assert.AreEqual(0u, s.Cpu.State.Daif);
    }

    [TestMethod]
    public void HighVectorsAndThumbExceptionEntry()
    {
        using var s = EnterEl1(0x1D3, 0, 0xEF000000); // svc #0
        s.Cpu.Sys.Sctlr[1] |= (1UL << 13) | (1UL << 30); // SCTLR.V, SCTLR.TE
        s.Cpu.Step();
        Assert.AreEqual(0xFFFF_0008UL, s.Cpu.State.PC, "SCTLR.V: the vectors at 0xFFFF0000");
        Assert.IsTrue(s.Cpu.State.Thumb, "SCTLR.TE: handlers in T32");
    }

    [TestMethod]
    public void CpsToHypModeSetsIllegalState()
    {
        using var s = EnterEl1(0x1D3, 0, 0xF102001A, 0xE320F000); // cps #0x1a; nop
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.IllegalState);
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        s.ExecWithIllegalStateCheck(0xE320F000);
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode, "the Illegal State exception at an AArch32 EL1 is an Undefined Instruction");
        Assert.AreEqual((ulong)(0x1D3 | (1 << 20)), s.Cpu.Sys.SpsrUnd, "SPSR_und.IL");
    }

    [TestMethod]
    public void BankedMoveOfTheCurrentModesRegisterIsUndefined()
    {
        using var s = EnterEl1(0x1D3, 0, 0xE1010300, 0xE1030300); // mrs r0, sp_irq; mrs r0, sp_svc
        s.Cpu.SetX(17, 0x4444);
        s.Cpu.Step();
        Assert.AreEqual(0x4444UL, s.Cpu.X(0));
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
        Assert.AreEqual(Kernel + 8, s.Cpu.X(22));
    }

    [TestMethod]
    public void TrapToEl2ReportsRtAsItsAarch64View()
    {
        using var s = EnterEl1(0x1D3, 0, 0xEE11EF10); // mrc p15, 0, lr, c1, c0, 0 (SCTLR into R14_svc)
        s.Cpu.Sys.Hstr = 1UL << 1;
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.IsFalse(s.Cpu.State.Aarch32);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC, "EL2's vector for a lower EL using AArch32");
        ulong iss = (1UL << 24) | (0xEUL << 20) | (1UL << 10) | (18UL << 5) | 1;
        Assert.AreEqual((0x03UL << 26) | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], "EC 0x03, CV, COND, CRn = 1, Rt = 18 (R14_svc is X18), read");
        Assert.AreEqual(0x1D3UL, s.Cpu.Sys.Spsr[2], "SPSR_EL2 in the AArch32 format with M = Supervisor");
        Assert.AreEqual(Kernel, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void WfiAtAarch32El1TrappedByTwiIsEc0x01ToEl2()
    {
        using var s = EnterEl1(0x1D3, HcrEl2.Twi, 0xE320F003); // wfi
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC);
        Assert.AreEqual((0x01UL << 26) | (1UL << 25) | (1UL << 24) | (0xEUL << 20), s.Cpu.Sys.Esr[2], "EC 0x01, CV, COND = AL, WFI");
        Assert.AreEqual(Kernel, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void Stage2DataAbortNamesTheBankedRegisterByItsAarch64View()
    {
        // str lr, [r0] in Supervisor mode under a stage 2 that maps only the RAM (a 1 GiB block): the store to IPA 0x100 faults.
        using var s = EnterEl1(0x1D3, HcrEl2.Vm, 0xE580E000);
        ulong table = SysCpu.RamBase + 0x8_0000;
        s.Bus.Load(table + 8, BitConverter.GetBytes(SysCpu.RamBase | (0xFUL << 2) | (3UL << 6) | (1UL << 10) | 1));
        s.Cpu.Sys.Vtcr = 0x8000_0000 | 32 | (1UL << 6); // T0SZ 32, SL0 = 1 (level 1), 4 KiB granule
        s.Cpu.Sys.Vttbr = table;
        s.Cpu.SetX(0, 0x100);
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL, $"ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        ulong esr = s.Cpu.Sys.Esr[2];
        Assert.AreEqual(0x24UL, esr >> 26, "data abort from a lower EL");
        Assert.AreEqual(1UL, (esr >> 24) & 1, "ISV");
        Assert.AreEqual(18UL, (esr >> 16) & 0x1F, "SRT: R14_svc is X18");
    }

    [TestMethod]
    public void HvcFromAarch32El1IsEc0x12ToEl2()
    {
        using var s = EnterEl1(0x1D3, 0, 0xE1400172); // hvc #0x12
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual((0x12UL << 26) | (1UL << 25) | 0x12, s.Cpu.Sys.Esr[2]);
        Assert.AreEqual(Kernel + 4, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void Cp15WritesReachTheAarch64Registers()
    {
        // mcr p15, 0, r0, c1, c0, 0 (SCTLR); mcr p15, 0, r0, c3, c0, 0 (DACR); mcr p15, 0, r0, c10, c2, 1 (NMRR);
        // mcr p15, 0, r0, c12, c0, 0 (VBAR)
        using var s = EnterEl1(0x1D3, 0, 0xEE010F10, 0xEE030F10, 0xEE0A0F32, 0xEE0C0F10);
        s.Cpu.Sys.Mair[1] = 0x1122_3344_5566_7788;
        s.Cpu.SetX(0, 0x3000_2000);
        s.Cpu.Step();
        Assert.AreEqual(0x3000_2000UL | Cp15RegisterTableRes1, s.Cpu.Sys.Sctlr[1], "TRE, AFE and V are the AArch32 SCTLR's bits");
        s.Cpu.SetX(0, 0x5555_5555);
        s.Cpu.Step();
        Assert.AreEqual(0x5555_5555UL, s.Cpu.Sys.Dacr32);
        s.Cpu.SetX(0, 0xEE);
        s.Cpu.Step();
        Assert.AreEqual(0x0000_00EE_5566_7788UL, s.Cpu.Sys.Mair[1], "NMRR is MAIR_EL1<63:32>");
        s.Cpu.SetX(0, 0x4040_0024);
        s.Cpu.Step();
        Assert.AreEqual(0x4040_0020UL, s.Cpu.Sys.Vbar[1], "VBAR<4:0> are RES0");
    }

    private const ulong Cp15RegisterTableRes1 = (1UL << 3) | (1UL << 4) | (1UL << 11) | (1UL << 22) | (1UL << 23);

    [TestMethod]
    public void ShortDescriptorFaultsReportTheShortFormatDfsrWithTheDomain()
    {
        // A level 1 table at RAM + 0x4000 whose entry for VA 0x0010_0000 is a section in domain 5, DACR giving it no access.
        using var s = EnterEl1(0x13, 0, 0xE5910000); // ldr r0, [r1]
        ulong l1 = SysCpu.RamBase + 0x4000;
        // Identity sections for the RAM (the code and vectors), domain 0, client.
        s.Bus.Load(l1 + (0x400 << 2), BitConverter.GetBytes(0x4000_0C02u)); // AP = 011
        s.Bus.Load(l1 + (0x001 << 2), BitConverter.GetBytes(0x4000_0C02u | (5u << 5)));
        s.Cpu.Sys.Ttbr0[1] = l1;
        s.Cpu.Sys.Dacr32 = 1; // domain 0 client, domain 5 no access
        s.Cpu.Sys.Sctlr[1] = 0x00C5_0839; // the AArch32 SCTLR's reset value with M (the AArch64 RES1 bit 20 would be UWXN)
        s.Cpu.SetX(1, 0x0010_0004);
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeAbort, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x10, s.Cpu.State.PC);
        Assert.AreEqual(0x59UL, s.Cpu.Sys.Esr[1], "DFSR: domain 5, FS = 0b01001 (section domain fault)");
        Assert.AreEqual(0x0010_0004UL, s.Cpu.Sys.Far[1] & 0xFFFF_FFFF);
    }

    [TestMethod]
    public void SctlrResetsToTheTrmValueAndReadsAsQemuAfterClearingAndSettingMci()
    {
        // The example: SCTLR read at reset, M, C and I cleared and set again: 0x00c5183d on QEMU (bits 20, 28 and
        // 29 are the AArch32 SCTLR's UWXN, TRE and AFE, reset to 0 as the Cortex-A57 TRM's 0x00C50838 has them).
        using var s = EnterEl1(0x1D3, 0,
            0xEE110F10,  // mrc p15, 0, r0, c1, c0, 0
            0xE3C01005,  // bic r1, r0, #5
            0xE3C11A01,  // bic r1, r1, #0x1000
            0xEE011F10,  // mcr p15, 0, r1, c1, c0, 0
            0xEE112F10,  // mrc p15, 0, r2, c1, c0, 0
            0xE3811005,  // orr r1, r1, #5
            0xE3811A01,  // orr r1, r1, #0x1000
            0xEE011F10); // mcr p15, 0, r1, c1, c0, 0 (the MMU on: no fetch after it)
        for (int i = 0; i < 8; i++) s.Cpu.Step();
        Assert.AreEqual(0x00C5_0838UL, s.Cpu.X(0), "SCTLR at reset");
        Assert.AreEqual(0x00C5_0838UL, s.Cpu.X(2), "M, C, I cleared");
        Assert.AreEqual(0x00C5_183DUL, s.Cpu.Sys.Sctlr[1], "M, C, I set again: QEMU's 0x00c5183d");
    }

    [TestMethod]
    public void SctlrEl1ResetsToTheTrmValueAndReadsAsQemuAfterClearingAndSettingMci()
    {
        using var s = new SysCpu(highestEl: 1);
        s.Enter(1);
        ulong reset = s.Read("SCTLR_EL1");
        Assert.AreEqual(0x00C5_0838UL, reset, "Cortex-A57 TRM SCTLR_EL1 reset value (QEMU's reset_sctlr)");
        s.Write("SCTLR_EL1", reset & ~0x1005UL);
        Assert.AreEqual(0x00C5_0838UL, s.Read("SCTLR_EL1"));
        s.Write("SCTLR_EL1", reset | 0x1005);
        Assert.AreEqual(0x00C5_183DUL, s.Cpu.Sys.Sctlr[1], "QEMU's 0x00c5183d");
    }

    [TestMethod]
    public void VfpIdentificationRegistersReadTheTrmValuesAtEl1()
    {
        // vmrs r0, fpsid; vmrs r1, mvfr0; vmrs r2, mvfr1; vmrs r3, mvfr2 (FPEXC.EN clear: they do not need it)
        using var s = EnterEl1(0x1D3, 0, 0xEEF00A10, 0xEEF71A10, 0xEEF62A10, 0xEEF53A10);
        s.Cpu.Sys.Cpacr = 3UL << 20;
        for (int i = 0; i < 4; i++) s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.AreEqual(0x4103_4070UL, s.Cpu.X(0), "FPSID (Cortex-A57 TRM)");
        Assert.AreEqual(0x1011_0222UL, s.Cpu.X(1));
        Assert.AreEqual(0x1211_1111UL, s.Cpu.X(2));
        Assert.AreEqual(0x43UL, s.Cpu.X(3));
    }

    [TestMethod]
    [DataRow(0xEEF0EA10u, HcrEl2.Tid0, 0, DisplayName = "vmrs lr, fpsid under TID0")]
    [DataRow(0xEEF7EA10u, HcrEl2.Tid3, 7, DisplayName = "vmrs lr, mvfr0 under TID3")]
    [DataRow(0xEEF6EA10u, HcrEl2.Tid3, 6, DisplayName = "vmrs lr, mvfr1 under TID3")]
    [DataRow(0xEEF5EA10u, HcrEl2.Tid3, 5, DisplayName = "vmrs lr, mvfr2 under TID3")]
    public void VmrsOfIdRegistersTrapsToEl2WithEc0x08(uint vmrs, ulong tid, int reg)
    {
        using var s = EnterEl1(0x1D3, tid, vmrs);
        s.Cpu.Sys.Cpacr = 3UL << 20;
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC);
        ulong iss = (1UL << 24) | (0xEUL << 20) | (7UL << 14) | ((ulong)reg << 10) | (18UL << 5) | 1;
        Assert.AreEqual((0x08UL << 26) | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], "EC 0x08, CV, COND, opc1 = 7, CRn = reg, Rt = X18 (R14_svc), read");
        Assert.AreEqual(Kernel, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void TheOtherIdGroupDoesNotTrapAndFpexcIsNeverAnIdTrap()
    {
        // vmrs r0, fpsid under TID3; vmrs r1, mvfr0 under TID0; vmrs r2, fpexc under both
        using var s = EnterEl1(0x1D3, HcrEl2.Tid3, 0xEEF00A10);
        s.Cpu.Sys.Cpacr = 3UL << 20;
        s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(0x4103_4070UL, s.Cpu.X(0));
        using var t = EnterEl1(0x1D3, HcrEl2.Tid0 | HcrEl2.Tid3, 0xEEF81A10, 0xEEF71A10);
        t.Cpu.Sys.Cpacr = 3UL << 20;
        t.Cpu.Step();
        Assert.AreEqual(1, t.Cpu.State.EL);
        Assert.AreEqual(0x700UL, t.Cpu.X(1), "FPEXC: EN clear, VECITR RES1");
    }

    [TestMethod]
    public void FpexcEnGatesVfpAtAarch32El1()
    {
        // vmrs r0, fpscr with FPEXC.EN = 0: UNDEFINED (AArch32.CheckAdvSIMDOrFPEnabled's fpexc_check while EL1 is AArch32)
        using var s = EnterEl1(0x1D3, 0, 0xEEF10A10);
        s.Cpu.Sys.Cpacr = 3UL << 20;
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
        Assert.AreEqual(Vectors + 0x04, s.Cpu.State.PC);
        // vmsr fpexc, r1 (EN); vmrs r0, fpscr
        using var t = EnterEl1(0x1D3, 0, 0xEEE81A10, 0xEEF10A10);
        t.Cpu.Sys.Cpacr = 3UL << 20;
        t.Cpu.SetX(1, 1UL << 30);
        t.Cpu.SetX(0, 0xDEAD);
        t.Cpu.Step();
        t.Cpu.Step();
        Assert.AreEqual(Cpu.ModeSupervisor, t.Cpu.State.Mode);
        Assert.AreEqual(1UL << 30, t.Cpu.Sys.Fpexc32);
        Assert.AreEqual(0UL, t.Cpu.X(0), "FPSCR read");
    }

    [TestMethod]
    public void SctlrEeGivesCpsrEAtExceptionEntryAndMsrCpsrWritesE()
    {
        // svc #1 with SCTLR.EE = 1; then at the vector: mrs r0, cpsr; msr cpsr_x, r1 (E = 0); mrs r2, cpsr
        using var s = EnterEl1(0x1D3, 0, 0xEF000001);
        s.Bus.Load(Vectors + 0x08, [.. BitConverter.GetBytes(0xE10F0000u), .. BitConverter.GetBytes(0xE122F001u), .. BitConverter.GetBytes(0xE10F2000u)]);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Ee;
        s.Cpu.SetX(1, 0);
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Assert.IsTrue(s.Cpu.State.E, "AArch32.EnterMode: PSTATE.E = SCTLR.EE");
        Assert.AreEqual(0UL, s.Cpu.Sys.Spsr[1] & (1UL << 9), "SPSR_svc.E: the little-endian state the SVC came from");
        s.Cpu.Step();
        Assert.AreEqual(1UL << 9, s.Cpu.X(0) & (1UL << 9), "MRS CPSR reads E");
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.IsFalse(s.Cpu.State.E, "MSR CPSR_x writes E");
        Assert.AreEqual(0UL, s.Cpu.X(2) & (1UL << 9));
    }

    [TestMethod]
    public void SetendIsUndefinedAtEl1UnderSctlrSed()
    {
        using var s = EnterEl1(0x1D3, 0, 0xF1010200, 0xF1010200); // setend be; setend be
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.E);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Sed;
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode, "AArch32.CheckSETENDEnabled: SCTLR.SED");
        Assert.AreEqual(Vectors + 0x04, s.Cpu.State.PC);
    }
}
