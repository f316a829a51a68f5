namespace ArmVirt.Cpu.Tests;

/// <summary>Register 31 as SP or ZR in each operand of each form, ADR/ADRP, and 32-bit writes.</summary>
[TestClass]
public sealed class AluRegisterFormTests
{
    private const ulong Sp = 0x4000_8000;

    private static CpuHarness Run(uint insn, ulong x1 = 0x10, ulong x2 = 0x3)
    {
        var h = AluTestRunner.Create(Sp, insn);
        h.Cpu.SetX(0, 0xAAAA_AAAA_AAAA_AAAA);
        h.Cpu.SetX(1, x1);
        h.Cpu.SetX(2, x2);
        h.Step();
        Assert.AreEqual(CpuHarness.RamBase + 4, h.Cpu.State.PC, "exception taken");
        return h;
    }

    [TestMethod]
    public void AddImmediateReadsAndWritesSp()
    {
        using (var h = Run(0x910007e0)) Assert.AreEqual(Sp + 1, h.Cpu.X(0));           // add x0, sp, #1
        using (var h = Run(0x9100043f)) Assert.AreEqual(0x11UL, h.Cpu.Sp);              // add sp, x1, #1
        using (var h = Run(0x910003e0)) Assert.AreEqual(Sp, h.Cpu.X(0));                // mov x0, sp
        using (var h = Run(0xf10043e0))                                                 // subs x0, sp, #0x10
        {
            Assert.AreEqual(Sp - 0x10, h.Cpu.X(0));
            Assert.AreEqual(0x2000_0000u, h.Cpu.State.Nzcv);
        }
    }

    [TestMethod]
    public void ThirtyTwoBitSpWritesZeroExtend()
    {
        using (var h = Run(0x1100043f, x1: 0xFFFF_FFFF_FFFF_FFFF)) Assert.AreEqual(0UL, h.Cpu.Sp); // add wsp, w1, #1
        using (var h = Run(0x1100043f, x1: 0x1234_5678_0000_0010)) Assert.AreEqual(0x11UL, h.Cpu.Sp);
        using (var h = Run(0x110003e0)) Assert.AreEqual(Sp & 0xFFFF_FFFF, h.Cpu.X(0));            // add w0, wsp, #0
        using (var h = Run(0x321c1fff)) Assert.AreEqual(0xFF0UL, h.Cpu.Sp);                        // orr wsp, wzr, #0xff0
    }

    [TestMethod]
    public void FlagSettingFormsWriteZrNotSp()
    {
        using (var h = Run(0xb10007ff))                                                 // cmn sp, #1
        {
            Assert.AreEqual(Sp, h.Cpu.Sp);
            Assert.AreEqual(0u, h.Cpu.State.Nzcv);
        }
        using (var h = Run(0xab02003f)) Assert.AreEqual(Sp, h.Cpu.Sp);                  // adds xzr, x1, x2
        using (var h = Run(0xab2163ff, x1: Sp))                                         // adds xzr, sp, x1 (cmn)
        {
            Assert.AreEqual(Sp, h.Cpu.Sp);
            Assert.AreEqual(0u, h.Cpu.State.Nzcv);
        }
        using (var h = Run(0xf240003f, x1: 1))                                          // tst x1, #1
        {
            Assert.AreEqual(Sp, h.Cpu.Sp);
            Assert.AreEqual(0u, h.Cpu.State.Nzcv);
        }
        using (var h = Run(0xb10003e0)) Assert.AreEqual(Sp, h.Cpu.X(0));                // adds x0, sp, #0
    }

    [TestMethod]
    public void ShiftedRegisterFormsUseZr()
    {
        using (var h = Run(0x8b0103e0)) Assert.AreEqual(0x10UL, h.Cpu.X(0));            // add x0, xzr, x1
        using (var h = Run(0x8b02003f)) Assert.AreEqual(Sp, h.Cpu.Sp);                  // add xzr, x1, x2
        using (var h = Run(0xaa0103e0)) Assert.AreEqual(0x10UL, h.Cpu.X(0));            // mov x0, x1 (orr)
        using (var h = Run(0x8a02003f)) Assert.AreEqual(Sp, h.Cpu.Sp);                  // and xzr, x1, x2
        using (var h = Run(0x9a8103e0))                                                 // csel x0, xzr, x1, eq (Z=0)
            Assert.AreEqual(0x10UL, h.Cpu.X(0));
        using (var h = Run(0x9b027c20)) Assert.AreEqual(0x30UL, h.Cpu.X(0));            // madd x0, x1, x2, xzr
        using (var h = Run(0x9adf0820)) Assert.AreEqual(0UL, h.Cpu.X(0));               // udiv x0, x1, xzr
    }

    [TestMethod]
    public void ExtendedRegisterFormsUseSpForRnAndRd()
    {
        using (var h = Run(0x8b2143e0, x1: 0xFFFF_FFFF_0000_0001)) Assert.AreEqual(Sp + 1, h.Cpu.X(0)); // add x0, sp, w1, uxtw
        using (var h = Run(0x8b22603f)) Assert.AreEqual(0x13UL, h.Cpu.Sp);              // add sp, x1, x2, uxtx
        using (var h = Run(0xcb2163ff)) Assert.AreEqual(Sp - 0x10, h.Cpu.Sp);           // sub sp, sp, x1
        using (var h = Run(0x8b3f4020)) Assert.AreEqual(0x10UL, h.Cpu.X(0));            // add x0, x1, wzr, uxtw
        using (var h = Run(0xeb216fe0, x1: 0x1000))                                     // subs x0, sp, x1, lsl #3
        {
            Assert.AreEqual(Sp - 0x8000, h.Cpu.X(0));
            Assert.AreEqual(0x2000_0000u, h.Cpu.State.Nzcv);
        }
    }

    [TestMethod]
    public void LogicalImmediateWritesSp()
    {
        using var h = Run(0xb27c1fff);                                                  // orr sp, xzr, #0xff0
        Assert.AreEqual(0xFF0UL, h.Cpu.Sp);
    }

    [TestMethod]
    public void MoveWideToZrIsDiscarded()
    {
        using var h = Run(0xd28000bf);                                                  // movz xzr, #5
        Assert.AreEqual(Sp, h.Cpu.Sp);
        Assert.AreEqual(0UL, h.Cpu.X(31));
    }

    [TestMethod]
    public void AdrAndAdrp()
    {
        const ulong at = CpuHarness.RamBase + 0x124;
        foreach (var (insn, expected) in new (uint, ulong)[]
        {
            (0x107fffa0, at + 0xffff4),                        // adr x0, .+0xffff4
            (0x10800000, at - 0x100000),                       // adr x0, .-0x100000
            (0xf03fffe0, (at & ~0xFFFUL) + 0x7FFF_F000),       // adrp x0, .+0x7ffff000 (largest)
            (0x90800000, unchecked((at & ~0xFFFUL) - 0x1_0000_0000)),     // adrp x0, .-0x100000000 (smallest)
            (0xb0000000, (at & ~0xFFFUL) + 0x1000),            // adrp x0, .+0x1000
        })
        {
            using var h = AluTestRunner.Create(Sp);
            h.Load(at, insn);
            h.Cpu.State.PC = at;
            h.Step();
            Assert.AreEqual(expected, h.Cpu.X(0), $"0x{insn:x8}");
            Assert.AreEqual(at + 4, h.Cpu.State.PC);
        }
    }
}
