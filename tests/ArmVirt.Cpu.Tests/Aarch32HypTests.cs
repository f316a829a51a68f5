using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Hyp mode on an AArch32-only PE (cortex-a15 with EL2): the reset state, the Hyp Trap vector and HSR of a trap QEMU does
/// not model (HCR.TID3 on the ARMv7 ID registers, as the Arm ARM has it), what is UNDEFINED in Hyp mode, physical
/// interrupts taken in Hyp mode whatever HCR.IMO/FMO say, a virtual abort at PL1, and the HTCR/VTCR views of
/// TCR_EL2/VTCR_EL2. tests/guests/armv7_hyp.elf runs the rest against QEMU.
/// </summary>
[TestClass]
public sealed class Aarch32HypTests
{
    private const ulong Hvbar = SysCpu.RamBase; // SysCpu sets every VBAR to RAM base
    private const uint Eret = 0xE160_006E, MrcIdPfr0R0 = 0xEE10_0F11, SubsPcLr0 = 0xE25E_F000, Nop = 0xE320_F000;

    private static SysCpu Hyp() => new(highestEl: 2, model: CpuModel.CortexA15);

    // From Hyp mode, an ERET to Supervisor mode (IRQ/FIQ/abort masks from aif) at CodeBase + 0x100 where a32 is placed.
    private static void EnterSupervisor(SysCpu s, uint aif, params uint[] a32)
    {
        var bytes = new byte[a32.Length * 4];
        Buffer.BlockCopy(a32, 0, bytes, 0, bytes.Length);
        s.Bus.Load(SysCpu.CodeBase + 0x100, bytes);
        s.Cpu.Sys.Spsr[2] = 0x13 | 0x10 | aif;
        s.Cpu.Sys.Elr[2] = SysCpu.CodeBase + 0x100;
        s.Exec(Eret);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
    }

    [TestMethod]
    public void ResetIsHypModeInA32WithAifMasked()
    {
        using var s = Hyp();
        Assert.IsTrue(s.Cpu.State.Aarch32);
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(0x1DAu, s.Cpu.GetAarch32Spsr() & 0x1FF);
        using var svc = new SysCpu(highestEl: 1, model: CpuModel.CortexA7);
        Assert.AreEqual(0x1D3u, svc.Cpu.GetAarch32Spsr() & 0x1FF, "Supervisor mode without EL2");
    }

    [TestMethod]
    public void HcrTid3TrapsAPl1ReadOfIdPfr0ToTheHypTrapVector()
    {
        using var s = Hyp();
        s.Cpu.Sys.Hcr = 1UL << 18; // TID3
        EnterSupervisor(s, 0x1C0, MrcIdPfr0R0);
        s.Cpu.Step();
        Assert.AreEqual(Hvbar + 0x14, s.Cpu.State.PC, "the Hyp Trap vector");
        Assert.AreEqual(Cpu.ModeHyp, s.Cpu.State.Mode);
        // EC 0x03, IL, CV, COND = 0xE, Opc2 0, Opc1 0, CRn 0, Rt 0, CRm 1, a read.
        Assert.AreEqual(0x0FE0_0003UL, s.Cpu.Sys.Esr[2]);
        Assert.AreEqual(SysCpu.CodeBase + 0x100, s.Cpu.Sys.Elr[2], "ELR_hyp: the trapped MRC");
        Assert.AreEqual(0x1D3UL, s.Cpu.Sys.Spsr[2] & 0x1FF, "SPSR_hyp: Supervisor mode");
    }

    [TestMethod]
    public void SubsPcLrIsUndefinedInHypModeWithArmv7sIlOfZero()
    {
        using var s = Hyp();
        s.Exec(SubsPcLr0);
        Assert.AreEqual(Hvbar + 0x04, s.Cpu.State.PC, "Undefined in Hyp mode: HVBAR + 0x04");
        Assert.AreEqual(0UL, s.Cpu.Sys.Esr[2], "EC 0x00 with IL = 0 (UNK/SBZP in ARMv7, as QEMU)");
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void PhysicalIrqIsTakenInHypModeWithoutImoAndPendsAtPl1()
    {
        using var s = Hyp();
        s.Cpu.State.Daif = 0x100; // A masked, I and F clear
        s.Cpu.Irq.Set(true);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(Hvbar + 0x18, s.Cpu.State.PC);
        Assert.AreEqual(Cpu.ModeHyp, s.Cpu.State.Mode);
        Assert.AreEqual(SysCpu.CodeBase, s.Cpu.Sys.Elr[2], "ELR_hyp: the interrupted instruction");
        Assert.AreEqual(0x1C0u, s.Cpu.State.Daif & 0x1C0, "A, I and F masked on entry");

        // At PL1 with HCR.IMO = 0 the same IRQ goes to IRQ mode instead.
        using var p = Hyp();
        EnterSupervisor(p, 0x100, Nop);
        p.Cpu.Irq.Set(true);
        Assert.IsTrue(p.Cpu.CheckInterrupts());
        Assert.AreEqual(Cpu.ModeIrq, p.Cpu.State.Mode);
        Assert.AreEqual(SysCpu.RamBase + 0x18, p.Cpu.State.PC);
    }

    [TestMethod]
    public void HcrVaIsAVirtualAbortTakenAtPl1()
    {
        using var s = Hyp();
        s.Cpu.Sys.Hcr = (1UL << 5) | (1UL << 8); // AMO, VA
        EnterSupervisor(s, 0x0C0, Nop);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(Cpu.ModeAbort, s.Cpu.State.Mode);
        Assert.AreEqual(SysCpu.RamBase + 0x10, s.Cpu.State.PC, "VBAR + 0x10");
        Assert.AreEqual(0UL, s.Cpu.Sys.Hcr & (1UL << 8), "taking it clears HCR.VA");
        Assert.AreEqual(0x406UL, s.Cpu.Sys.Esr[1], "DFSR: asynchronous external abort, FS = 0b10110 (short format)");
    }

    [TestMethod]
    public void HtcrAndVtcrAreTheirAarch64RegistersInputSizes()
    {
        using var s = Hyp();
        // MCR p15, 4, r0, c2, c0, 2 (HTCR) and c2, c1, 2 (VTCR); MRC of both into r1.
        s.Cpu.SetR(0, 0x8080_3502); // T0SZ 2: a 30-bit input
        s.Exec(0xEE82_0F50, 0xEE92_1F50);
        Assert.AreEqual(34UL, s.Cpu.Sys.Tcr[2] & 0x3F, "TCR_EL2.T0SZ = 32 + 2");
        Assert.AreEqual(0x0002_3500UL, s.Cpu.Sys.Tcr[2] & 0x7_FF00, "PS = 40 bits, the cacheability and shareability kept");
        Assert.AreEqual(0x8080_3502u, s.Cpu.R(1));
        s.Cpu.SetR(0, 0x8000_0058); // T0SZ = -8 (S = 1): a 40-bit IPA, SL0 = 1
        s.Exec(0xEE82_0F51, 0xEE92_1F51);
        Assert.AreEqual(24UL, s.Cpu.Sys.Vtcr & 0x3F, "VTCR_EL2.T0SZ = 32 - 8");
        Assert.AreEqual(0x8000_0058u, s.Cpu.R(1));
    }

    [TestMethod]
    public void Armv8sAarch32AdditionsAreUndefinedOnArmv7()
    {
        // LDA R0, [R1] (A32), VSEL and VRINTA (A32 VFP): UNDEFINED in Hyp mode (HVBAR + 0x04) on cortex-a15; the same words
        // execute on cortex-a57's AArch32 (A32DecodeTable).
        foreach (uint insn in new[] { 0xE191_0C9Fu, 0xFE00_0A00u, 0xFEB8_0A40u })
        {
            using var s = Hyp();
            s.Cpu.Sys.Fpexc32 = 1UL << 30;
            s.Exec(insn);
            Assert.AreEqual(Hvbar + 0x04, s.Cpu.State.PC, $"0x{insn:x8}");
            StringAssert.Contains(s.Cpu.A32Decoder.DecodeRow(insn).Name, "UNDEFINED in ARMv7");
            Assert.IsFalse(A32.A32Decoder.Instance.DecodeRow(insn).Name.Contains("UNDEFINED"), $"0x{insn:x8} on Armv8");
        }
    }

    [TestMethod]
    public void HsrRtIsTheInstructionsRegisterNotItsAarch64View()
    {
        // MRC p15, 0, lr, c0, c1, 0 (ID_PFR0) from Supervisor mode under HCR.TID3: Rt = 14 (R14_svc would be X18 in an
        // AArch64 ESR_EL2; Xen's select_user_reg takes the HSR's Rt as R0-R15).
        using var s = Hyp();
        s.Cpu.Sys.Hcr = 1UL << 18;
        EnterSupervisor(s, 0x1C0, 0xEE10_EF11);
        s.Cpu.Step();
        Assert.AreEqual(Hvbar + 0x14, s.Cpu.State.PC);
        Assert.AreEqual(0x0FE0_0003UL | 14 << 5, s.Cpu.Sys.Esr[2]);
    }

    [TestMethod]
    public void ReservedIdEncodingsOfC0ReadAsZeroAndTrapUnderTid3()
    {
        // MRC p15, 0, r0, c0, c3, 4 (ID_PFR2 in Armv8) and c0, c7, 7: RAZ in Hyp mode; under HCR.TID3 from PL1, a Hyp Trap.
        using var s = Hyp();
        foreach (uint mrc in new[] { 0xEE10_0F93u, 0xEE10_0FF7u })
        {
            s.Cpu.SetR(0, 0xDEAD_BEEF);
            s.Exec(mrc);
            Assert.AreEqual(0u, s.Cpu.R(0), $"0x{mrc:x8}");
        }
        using var p = Hyp();
        p.Cpu.Sys.Hcr = 1UL << 18;
        EnterSupervisor(p, 0x1C0, 0xEE10_0F93);
        p.Cpu.Step();
        Assert.AreEqual(Hvbar + 0x14, p.Cpu.State.PC);
        Assert.AreEqual(0x0FE0_0007UL | 4 << 17, p.Cpu.Sys.Esr[2], "EC 0x03, opc2 4, CRm 3, a read");
    }

    [TestMethod]
    public void JazelleRegistersAreRazWiAndTrappedByTid0AndHstrTjdbx()
    {
        const uint MrcJidr = 0xEEF0_0E10, McrJoscr = 0xEEE1_0E10, MrcJmcr = 0xEEF2_0E10;
        using var s = Hyp();
        s.Cpu.SetR(0, 0xFFFF_FFFF);
        s.Exec(McrJoscr, MrcJidr);
        Assert.AreEqual(0u, s.Cpu.R(0), "JIDR: RAZ");
        s.Cpu.SetR(0, 0xFFFF_FFFF);
        s.Exec(MrcJmcr);
        Assert.AreEqual(0u, s.Cpu.R(0), "JMCR: RAZ");

        // HSTR.TJDBX (bit 17, writable by MCR on ARMv7): JOSCR from PL1 to the Hyp Trap vector, EC 0x05.
        using var t = Hyp();
        t.Cpu.SetR(0, 1u << 17);
        t.Exec(0xEE81_0F71); // MCR p15, 4, r0, c1, c1, 3 (HSTR)
        Assert.AreEqual(1UL << 17, t.Cpu.Sys.Hstr);
        EnterSupervisor(t, 0x1C0, McrJoscr);
        t.Cpu.Step();
        Assert.AreEqual(Hvbar + 0x14, t.Cpu.State.PC);
        Assert.AreEqual(0x17E1_C400UL, t.Cpu.Sys.Esr[2], "EC 0x05, opc1 7, CRn 1, a write");

        // HCR.TID0: JIDR's read from PL1.
        using var u = Hyp();
        u.Cpu.Sys.Hcr = 1UL << 15;
        EnterSupervisor(u, 0x1C0, MrcJidr);
        u.Cpu.Step();
        Assert.AreEqual(Hvbar + 0x14, u.Cpu.State.PC);
        Assert.AreEqual(0x17E1_C001UL, u.Cpu.Sys.Esr[2], "EC 0x05, opc1 7, CRn 0, a read");
    }

    [TestMethod]
    public void SctlrBit6IsRaoOnArmv7()
    {
        // MCR p15, 0, r0, c1, c0, 0 with bit 6 clear, then MRC into r1: ARMv7's RAO/SBOP bit 6 stays set (Linux's
        // "cr=30c5387d" on QEMU), where cortex-a57's AArch32 SCTLR.THEE is RES0.
        using var s = Hyp();
        Assert.AreEqual(0x40UL, s.Cpu.Sys.Sctlr[1] & 0x40, "reset value 0x00C50078");
        s.Cpu.SetR(0, 0x30C5_383D);
        s.Exec(0xEE01_0F10, 0xEE11_1F10);
        Assert.AreEqual(0x30C5_387Du, s.Cpu.R(1));
    }
}
