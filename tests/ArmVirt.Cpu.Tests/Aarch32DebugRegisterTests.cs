namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The CP14 debug registers of an AArch32 PL1 (Cp14RegisterTable.cs), as the armhf kernel meets them: DBGDIDR with the counts of the AArch64
/// breakpoint and watchpoint registers, and the views that reach them (Linux's hw_breakpoint code reads DBGDIDR at boot
/// and sets DBGDSCRext.MDBGen).
/// </summary>
[TestClass]
public sealed class Aarch32DebugRegisterTests
{
    private const uint MrcDbgdidrR0 = 0xEE100E10, McrDbgbvr0R1 = 0xEE001E90, McrDbgdscrExtR1 = 0xEE001E52, MrcDbgdscrIntR2 = 0xEE102E11,
        MrcDbgbvr6R3 = 0xEE103E96, McrDbgvcrR1 = 0xEE001E17, MrcDbgvcrR4 = 0xEE104E17;

    [TestMethod]
    public void DbgdidrGivesSixBreakpointsFourWatchpointsAndV71Debug()
    {
        using var s = new SysCpu(highestEl: 1, model: CpuModel.CortexA15);
        s.Exec(MrcDbgdidrR0);
        // WRPs 3, BRPs 5, CTX_CMPs 1, Version 0b0101 (v7.1), DEVID_imp and PCSR_imp (no EL3: nSUHD_imp and SE_imp clear),
        // Variant:Revision of MIDR (r4p0).
        Assert.AreEqual(0x3515_A040u, s.Cpu.R(0));
    }

    [TestMethod]
    public void BreakpointAndDscrViewsReachTheAarch64Registers()
    {
        using var s = new SysCpu(highestEl: 1, model: CpuModel.CortexA15);
        s.Cpu.SetR(1, 0x8000); // MDBGen (MDSCR_EL1.MDE), and a breakpoint address
        s.Exec(McrDbgbvr0R1, McrDbgdscrExtR1, MrcDbgdscrIntR2, McrDbgvcrR1, MrcDbgvcrR4);
        Assert.AreEqual(0x8000UL, s.Cpu.Sys.Dbgbvr[0]);
        Assert.AreEqual(0x8000UL, s.Cpu.Sys.Mdscr);
        Assert.AreEqual(0x8000u, s.Cpu.R(2), "DBGDSCRint shows MDBGen");
        Assert.AreEqual(0u, s.Cpu.R(4), "DBGVCR keeps only its vector catch bits");
    }

    [TestMethod]
    public void ABreakpointRegisterBeyondTheCountIsUndefined()
    {
        using var s = new SysCpu(highestEl: 1, model: CpuModel.CortexA15);
        ulong at = s.Cpu.State.PC;
        s.Exec(MrcDbgbvr6R3);
        Assert.AreEqual(SysCpu.RamBase + 4, s.Cpu.State.PC, "the Undefined Instruction vector");
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
        Assert.AreEqual((uint)at + 4, s.Cpu.R(14));
    }

    private const uint McrTeehbrR1 = 0xEEC11E10, MrcTeehbrR2 = 0xEED12E10, McrTeecrR1 = 0xEEC01E10, MrcTeecrR3 = 0xEED03E10;

    [TestMethod]
    public void ThumbEeRegistersOfAnArmv7Pe()
    {
        // cortex-a15 implements ThumbEE (ID_PFR0.State3 = 1): TEEHBR is read-write, TEECR keeps XED only.
        using var s = new SysCpu(highestEl: 1, model: CpuModel.CortexA15);
        s.Cpu.SetR(1, 0xC0DE_0001);
        s.Exec(McrTeehbrR1, MrcTeehbrR2, McrTeecrR1, MrcTeecrR3);
        Assert.AreEqual(0xC0DE_0001u, s.Cpu.R(2));
        Assert.AreEqual(1u, s.Cpu.R(3), "TEECR.XED");
        Assert.AreEqual(0xC0DE_0001UL, s.Cpu.Sys.Teehbr);
    }
}
