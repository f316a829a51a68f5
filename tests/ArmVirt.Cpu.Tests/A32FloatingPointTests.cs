using ArmVirt.Cpu;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// VFP at AArch32 EL0 (the random sequences against qemu-arm are in ArmVirt.Differential.Tests' VfpDifferentialTests):
/// the S/D view of the V registers, FPSCR as FPSR + FPCR, the EL0 rules of VMRS/VMSR, short vectors (FPSCR.Len) making
/// the vector-capable instructions UNDEFINED as on QEMU's cortex-a15 (no FPShVec), and fixed vectors for the edge
/// cases the random classes met.
/// </summary>
[TestClass]
public sealed class A32FloatingPointTests
{
    private const ulong User = SysCpu.RamBase + 0x1_0000;
    private const uint UserSpsr = 0x10;

    private static SysCpu EnterUser(params uint[] a32)
    {
        var s = new SysCpu();
        var bytes = new byte[a32.Length * 4];
        Buffer.BlockCopy(a32, 0, bytes, 0, bytes.Length);
        s.Bus.Load(User, bytes);
        s.Cpu.Sys.Spsr[1] = UserSpsr;
        s.Cpu.Sys.Elr[1] = User;
        s.Cpu.Sys.Cpacr = 3UL << 20;
        s.Exec(Enc.Eret);
        return s;
    }

    private static void Run(SysCpu s, int steps)
    {
        for (int i = 0; i < steps; i++) s.Cpu.Step();
        Assert.AreEqual(StopReason.None, s.Cpu.StopReason, s.Cpu.StopMessage);
        Assert.AreEqual(0, s.Cpu.State.EL, "no exception");
    }

    [TestMethod]
    public void SAndDRegistersAreViewsOfTheLowVRegisters()
    {
        // vmov s1, r0 ; vmov s4, r1 ; vmov d3, r2, r3 ; vmov r4, r5, d0
        using var s = EnterUser(0xEE00_0A90, 0xEE02_1A10, 0xEC43_2B13, 0xEC55_4B10);
        s.Cpu.SetX(0, 0x1111_1111); s.Cpu.SetX(1, 0x2222_2222); s.Cpu.SetX(2, 0x3333_3333); s.Cpu.SetX(3, 0x4444_4444);
        s.Cpu.SetV128(0, 0xAAAA_AAAA_0000_0000, 0xBBBB);
        Run(s, 4);
        Assert.AreEqual(0x1111_1111_0000_0000UL, s.Cpu.VElement<ulong>(0, 0), "S1 = V0<63:32>");
        Assert.AreEqual(0xBBBBUL, s.Cpu.VElement<ulong>(0, 1), "D1 = V0<127:64>, untouched");
        Assert.AreEqual(0x2222_2222u, s.Cpu.VElement<uint>(1, 0), "S4 = V1<31:0>");
        Assert.AreEqual(0x4444_4444_3333_3333UL, s.Cpu.VElement<ulong>(1, 1), "D3 = V1<127:64>");
        Assert.AreEqual(0u, (uint)s.Cpu.X(4));
        Assert.AreEqual(0x1111_1111u, (uint)s.Cpu.X(5));
    }

    [TestMethod]
    public void FpscrIsFpsrAndFpcrWithTheTrapEnablesRazWi()
    {
        // mvn r0, #0 ; vmsr fpscr, r0 ; vmrs r1, fpscr ; vcmp.f32 s0, s0 (0 == 0) ; vmrs APSR_nzcv, fpscr
        using var s = EnterUser(0xE3E0_0000, 0xEEE1_0A10, 0xEEF1_1A10, 0xEEB4_0A40, 0xEEF1_FA10);
        Run(s, 5);
        Assert.AreEqual(0xFFF7_009Fu, (uint)s.Cpu.X(1), "QEMU's cortex-a15 reads back the same (no FZ16, no trap enables)");
        Assert.AreEqual(0xF800_009Fu & ~0xF000_0000u | 0x6000_0000u, s.Cpu.State.Fpsr, "VCMP equal: FPSCR.NZCV = 0110 in FPSR<31:28>");
        Assert.AreEqual(0x07F7_0000u, s.Cpu.State.Fpcr, "AHP DN FZ RMode Stride Len");
        Assert.AreEqual(0x6000_0000u, s.Cpu.State.Nzcv, "VMRS APSR_nzcv");
    }

    [TestMethod]
    [DataRow(0xEEF0_0A10u, "vmrs r0, fpsid")]
    [DataRow(0xEEF7_0A10u, "vmrs r0, mvfr0")]
    [DataRow(0xEEF6_0A10u, "vmrs r0, mvfr1")]
    [DataRow(0xEEF5_0A10u, "vmrs r0, mvfr2")]
    [DataRow(0xEEF8_0A10u, "vmrs r0, fpexc")]
    [DataRow(0xEEE8_0A10u, "vmsr fpexc, r0")]
    public void OnlyFpscrIsAccessibleAtEl0(uint word, string what)
    {
        using var s = EnterUser(word);
        s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL, what);
        Assert.AreEqual(0UL, s.Cpu.Sys.Esr[1] >> 26, "UNDEFINED (EC 0x00)");
    }

    [TestMethod]
    [DataRow(0xEE30_0A01u, true, "vadd.f32")]
    [DataRow(0xEEB0_0AC1u, true, "vabs.f32")]
    [DataRow(0xEEA0_0A01u, true, "vfma.f32")]
    [DataRow(0xEEB7_0A00u, true, "vmov.f32 #1.0")]
    [DataRow(0xEEB4_0A41u, false, "vcmp.f32")]
    [DataRow(0xEEBD_0AC1u, false, "vcvt.s32.f32")]
    public void ShortVectorsAreUndefinedForTheVectorCapableInstructions(uint word, bool undefined, string what)
    {
        // mov r0, #0x10000 (Len = 1) ; vmsr fpscr, r0 ; the instruction
        using var s = EnterUser(0xE3A0_0801, 0xEEE1_0A10, word);
        Run(s, 2);
        Assert.AreEqual(0x0001_0000u, s.Cpu.Fpscr, "Len is kept");
        s.Cpu.Step();
        Assert.AreEqual(undefined ? 1 : 0, s.Cpu.State.EL, what);
    }

    [TestMethod]
    public void VldmOfAWholeFileAndFldmxWriteBack()
    {
        // vldmia r0!, {d0-d15} ; vldmia r0!, {d16-d31} ; fldmiax r1!, {d0} (imm8 = 3: one D register, 12 bytes)
        using var s = EnterUser(0xECB0_0B20, 0xECF0_0B20, 0xECB1_0B03);
        ulong data = SysCpu.RamBase + 0x2_0000;
        var bytes = new byte[256];
        for (int i = 0; i < 256; i++) bytes[i] = (byte)i;
        s.Bus.Load(data, bytes);
        s.Cpu.SetX(0, data);
        s.Cpu.SetX(1, data + 8);
        Run(s, 3);
        Assert.AreEqual(data + 256, s.Cpu.X(0));
        Assert.AreEqual(0x0F0E_0D0C_0B0A_0908UL, s.Cpu.DReg(0), "FLDMX loaded D0 from r1");
        Assert.AreEqual(0xFFFE_FDFC_FBFA_F9F8UL, s.Cpu.DReg(31));
        Assert.AreEqual(data + 8 + 12, s.Cpu.X(1), "FLDMX writes back imm8 * 4");
    }

    [TestMethod]
    public void VcvtFromFixedRoundsToNearestWhateverTheFpscrRoundingMode()
    {
        // mov r0, #0xC00000 (RMode = RZ) ; vmsr fpscr, r0 ; vcvt.f32.u32 s0, s0, #1 (imm5 = 31)
        using var s = EnterUser(0xE3A0_0703, 0xEEE1_0A10, 0xEEBB_0AEF);
        s.Cpu.SetSReg(0, 0xFFFF_FFFF); // 2^31 - 0.5: rounds up to 2^31 to nearest, down to 2^31 - 128 towards zero
        Run(s, 3);
        Assert.AreEqual(0x4F00_0000u, s.Cpu.SReg(0), "FixedToFP with FPRounding_TIEEVEN, as qemu-arm");
    }

    [TestMethod]
    public void VcvtFromSixteenBitFixedSignExtendsTheLowHalfword()
    {
        using var s = EnterUser(0xEEBA_0A67); // vcvt.f32.s16 s0, s0, #1
        s.Cpu.SetSReg(0, 0x1234_FFFE); // the upper halfword is ignored; 0xFFFE is -2
        Run(s, 1);
        Assert.AreEqual(0xBF80_0000u, s.Cpu.SReg(0), "-2 / 2 = -1.0 (the random classes first caught a zero-extension here)");
    }

    [TestMethod]
    public void VnmlaNegatesBothTheAccumulatorAndTheProduct()
    {
        using var s = EnterUser(0xEE10_0AC1); // vnmla.f32 s0, s1, s2: s0 = -s0 - s1 * s2
        s.Cpu.SetSReg(0, 0x3F80_0000); // 1.0
        s.Cpu.SetSReg(1, 0x4000_0000); // 2.0
        s.Cpu.SetSReg(2, 0x4040_0000); // 3.0
        Run(s, 1);
        Assert.AreEqual(0xC0E0_0000u, s.Cpu.SReg(0), "-1 - 6 = -7.0");
    }
}
