using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class FpAccessTests
{
    private const uint FaddS0S1S2 = 0x1e222820;

    [TestMethod]
    public void CpacrFpenZeroTrapsToEl1WithEc07()
    {
        using var h = new SimdFpHarness();
        h.Cpu.SystemRegisters.Find("CPACR_EL1")!.Write!(h.Cpu, 0);
        h.Cpu.SetV128(0, 0x1234, 0);
        h.Execute(FaddS0S1S2);
        Assert.AreEqual(0x0000_0200UL, h.Cpu.State.PC, "vector: current EL with SP_EL1, synchronous");
        Assert.AreEqual((0x07UL << 26) | (1UL << 25) | (1UL << 24) | (0xEUL << 20), h.Cpu.Sys.Esr[1]);
        Assert.AreEqual(0x1234UL, h.Cpu.VElement<ulong>(0, 0), "a trapped instruction changes nothing");
    }

    [TestMethod]
    public void CpacrFpenOneTrapsOnlyEl0()
    {
        using var h = new SimdFpHarness();
        h.Cpu.SystemRegisters.Find("CPACR_EL1")!.Write!(h.Cpu, 1UL << 20);
        h.Execute(FaddS0S1S2);
        Assert.AreEqual(CpuHarness.RamBase + 4, h.Cpu.State.PC);
        h.Cpu.SetElAndSpSel(0, 0);
        h.Execute(FaddS0S1S2);
        Assert.AreEqual(1, h.Cpu.State.EL);
        Assert.AreEqual(0x07UL, h.Cpu.Sys.Esr[1] >> 26);
    }

    [TestMethod]
    public void CptrEl2TfpTrapsEl1ToEl2()
    {
        using var h = new SimdFpHarness(highestEl: 2);
        h.Cpu.SystemRegisters.Find("CPTR_EL2")!.Write!(h.Cpu, 1UL << 10); // TFP
        h.Cpu.SetElAndSpSel(1, 1);
        h.Execute(FaddS0S1S2);
        Assert.AreEqual(2, h.Cpu.State.EL);
        Assert.AreEqual(0x07UL, h.Cpu.Sys.Esr[2] >> 26);
        Assert.AreEqual(0x0000_0400UL, h.Cpu.State.PC, "lower EL, AArch64 vector");
    }

    [TestMethod]
    public void CpacrTrapFromEl0UnderTgeGoesToEl2AsUnknown()
    {
        using var h = new SimdFpHarness(highestEl: 2);
        h.Cpu.SystemRegisters.Find("CPACR_EL1")!.Write!(h.Cpu, 0);
        h.Cpu.Sys.Hcr = 1UL << 27; // TGE
        h.Cpu.SetElAndSpSel(0, 0);
        h.Execute(FaddS0S1S2);
        Assert.AreEqual(2, h.Cpu.State.EL);
        Assert.AreEqual(0x00UL, h.Cpu.Sys.Esr[2] >> 26);
    }

    [TestMethod]
    public void FpcrAndFpsrKeepOnlyImplementedBits()
    {
        using var h = new SimdFpHarness();
        var fpcr = h.Cpu.SystemRegisters.Find(SystemRegister.EncodeKey(3, 3, 4, 4, 0))!;
        var fpsr = h.Cpu.SystemRegisters.Find(SystemRegister.EncodeKey(3, 3, 4, 4, 1))!;
        fpcr.Write!(h.Cpu, ulong.MaxValue);
        fpsr.Write!(h.Cpu, ulong.MaxValue);
        // AHP DN FZ RMode Stride Len, and N Z C V QC and the flags: the AArch32 FPSCR fields live here too (AArch32 is
        // implemented at EL0); qemu-aarch64 -cpu cortex-a57 reads back the same after writing all ones.
        Assert.AreEqual(0x07F7_0000UL, fpcr.Read!(h.Cpu));
        Assert.AreEqual(0xF800_009FUL, fpsr.Read!(h.Cpu));
        Assert.AreEqual(0, fpcr.MinEl);
    }

    [TestMethod]
    public void HalfPrecisionArithmeticIsUndefinedInArmv8_0()
    {
        using var h = new SimdFpHarness();
        h.Execute(0x1ee22820); // FADD h0, h1, h2 (FEAT_FP16)
        Assert.AreEqual(0x00UL, h.Cpu.Sys.Esr[1] >> 26);
        Assert.AreEqual(0x0000_0200UL, h.Cpu.State.PC);
    }
}
