namespace ArmVirt.Cpu.Tests;

/// <summary>B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET, ERET: taken and not taken.</summary>
[TestClass]
public sealed class BranchTests
{
    private const ulong At = CpuHarness.RamBase + 0x4_0000; // room below for backward branches

    private static CpuHarness Run(uint insn, ulong x1 = 0, uint nzcv = 0)
    {
        var h = new CpuHarness(1);
        h.Load(At, insn);
        h.Cpu.State.PC = At;
        h.Cpu.SetX(1, x1);
        h.Cpu.SetX(30, 0x3030);
        h.Cpu.State.Nzcv = nzcv;
        h.Step();
        return h;
    }

    [TestMethod]
    [DataRow(0x14000002u, 8L)]            // b .+8
    [DataRow(0x16000000u, -0x800_0000L)]  // b .-0x8000000
    [DataRow(0x15ffffffu, 0x7ff_fffcL)]   // b .+0x7fffffc
    [DataRow(0x17ffffffu, -4L)]           // b .-4
    public void B(uint insn, long offset)
    {
        using var h = Run(insn);
        Assert.AreEqual(At + (ulong)offset, h.Cpu.State.PC);
        Assert.AreEqual(0x3030UL, h.Cpu.X(30));
    }

    [TestMethod]
    public void BlWritesLinkRegister()
    {
        using (var h = Run(0x94000004)) // bl .+0x10
        {
            Assert.AreEqual(At + 0x10, h.Cpu.State.PC);
            Assert.AreEqual(At + 4, h.Cpu.X(30));
        }
        using (var h = Run(0x97ffffff)) // bl .-4
        {
            Assert.AreEqual(At - 4, h.Cpu.State.PC);
            Assert.AreEqual(At + 4, h.Cpu.X(30));
        }
    }

    // ConditionHolds written out per condition from the Arm ARM table, independently of the CPU's.
    private static bool Holds(int cond, uint nzcv)
    {
        bool n = (nzcv & 8) != 0, z = (nzcv & 4) != 0, c = (nzcv & 2) != 0, v = (nzcv & 1) != 0;
        return cond switch
        {
            0x0 => z, 0x1 => !z, 0x2 => c, 0x3 => !c, 0x4 => n, 0x5 => !n, 0x6 => v, 0x7 => !v,
            0x8 => c && !z, 0x9 => !c || z, 0xA => n == v, 0xB => n != v,
            0xC => !z && n == v, 0xD => z || n != v, _ => true, // AL and NV both always
        };
    }

    [TestMethod]
    public void BCondEveryConditionAndFlagCombination()
    {
        for (int cond = 0; cond < 16; cond++)
        {
            for (uint flags = 0; flags < 16; flags++)
            {
                using var h = Run(0x54000040u | (uint)cond, nzcv: flags << 28); // b.<cond> .+8
                ulong expected = Holds(cond, flags) ? At + 8 : At + 4;
                Assert.AreEqual(expected, h.Cpu.State.PC, $"cond {cond:x} nzcv {flags:x}");
                Assert.AreEqual(flags << 28, h.Cpu.State.Nzcv);
            }
        }
    }

    [TestMethod]
    public void BCondExtremeOffsets()
    {
        using (var h = Run(0x54800001, nzcv: 0)) Assert.AreEqual(At - 0x10_0000, h.Cpu.State.PC); // b.ne .-0x100000
        using (var h = Run(0x547fffee)) Assert.AreEqual(At + 0xf_fffc, h.Cpu.State.PC);           // b.al .+0xffffc
    }

    [TestMethod]
    [DataRow(0xb4000041u, 0UL, true)]                       // cbz x1, .+8
    [DataRow(0xb4000041u, 0x1_0000_0000UL, false)]
    [DataRow(0x34000041u, 0xFFFF_FFFF_0000_0000UL, true)]   // cbz w1: only the low 32 bits count
    [DataRow(0x34000041u, 0x8000_0000UL, false)]
    [DataRow(0xb5000041u, 0x8000_0000_0000_0000UL, true)]   // cbnz x1, .+8
    [DataRow(0xb5000041u, 0UL, false)]
    [DataRow(0x35000041u, 0xFFFF_FFFF_0000_0000UL, false)]  // cbnz w1, .+8
    [DataRow(0x35000041u, 1UL, true)]
    [DataRow(0xb6f80041u, 0x7FFF_FFFF_FFFF_FFFFUL, true)]   // tbz x1, #63, .+8
    [DataRow(0xb6f80041u, 0x8000_0000_0000_0000UL, false)]
    [DataRow(0x36000041u, 0xFFFF_FFFF_FFFF_FFFEUL, true)]   // tbz w1, #0, .+8
    [DataRow(0x36000041u, 1UL, false)]
    [DataRow(0xb7000041u, 0x1_0000_0000UL, true)]           // tbnz x1, #32, .+8
    [DataRow(0xb7000041u, 0xFFFF_FFFFUL, false)]
    [DataRow(0x37f80041u, 0x8000_0000UL, true)]             // tbnz w1, #31, .+8
    [DataRow(0x37f80041u, 0x7FFF_FFFFUL, false)]
    public void CompareAndTestBranches(uint insn, ulong x1, bool taken)
    {
        using var h = Run(insn, x1);
        Assert.AreEqual(taken ? At + 8 : At + 4, h.Cpu.State.PC);
        Assert.AreEqual(x1, h.Cpu.X(1));
    }

    [TestMethod]
    public void CompareAndTestBranchOffsets()
    {
        using (var h = Run(0xb5ffffe1, 1)) Assert.AreEqual(At - 4, h.Cpu.State.PC);              // cbnz x1, .-4
        using (var h = Run(0x357fffe1, 1)) Assert.AreEqual(At + 0xf_fffc, h.Cpu.State.PC);       // cbnz w1, .+0xffffc
        using (var h = Run(0x36040001, 0)) Assert.AreEqual(At - 0x8000, h.Cpu.State.PC);         // tbz w1, #0, .-0x8000
        using (var h = Run(0xb703ffe1, 1UL << 32)) Assert.AreEqual(At + 0x7ffc, h.Cpu.State.PC); // tbnz x1, #32, .+0x7ffc
    }

    [TestMethod]
    public void RegisterBranches()
    {
        const ulong target = CpuHarness.RamBase + 0x100;
        using (var h = Run(0xd61f0020, target)) // br x1
        {
            Assert.AreEqual(target, h.Cpu.State.PC);
            Assert.AreEqual(0x3030UL, h.Cpu.X(30));
        }
        using (var h = Run(0xd63f0020, target)) // blr x1
        {
            Assert.AreEqual(target, h.Cpu.State.PC);
            Assert.AreEqual(At + 4, h.Cpu.X(30));
        }
        using (var h = Run(0xd65f03c0)) Assert.AreEqual(0x3030UL, h.Cpu.State.PC); // ret
        using (var h = Run(0xd63f03c0)) // blr x30: the target is read before X30 is written
        {
            Assert.AreEqual(0x3030UL, h.Cpu.State.PC);
            Assert.AreEqual(At + 4, h.Cpu.X(30));
        }
        using (var h = new CpuHarness(1))
        {
            h.Load(At, 0xd65f00a0); // ret x5
            h.Cpu.State.PC = At;
            h.Cpu.SetX(5, target);
            h.Step();
            Assert.AreEqual(target, h.Cpu.State.PC);
        }
    }

    [TestMethod]
    public void MisalignedRegisterTargetFaultsOnFetch()
    {
        using var h = Run(0xd61f0020, CpuHarness.RamBase + 0x102); // br x1 to a misaligned address
        Assert.AreEqual(CpuHarness.RamBase + 0x102, h.Cpu.State.PC);
        h.Cpu.Sys.Vbar[1] = AluTestRunner.VectorBase;
        h.Step();
        Assert.AreEqual(AluTestRunner.VectorBase + 0x200, h.Cpu.State.PC);
        Assert.AreEqual(0x22UL, h.Cpu.Sys.Esr[1] >> 26); // PC alignment fault
        Assert.AreEqual(CpuHarness.RamBase + 0x102, h.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void EretReturnsToElrWithSpsr()
    {
        using var h = new CpuHarness(1);
        h.Load(At, 0xd69f03e0); // eret
        h.Cpu.State.PC = At;
        h.Cpu.Sys.Elr[1] = CpuHarness.RamBase + 0x200;
        h.Cpu.Sys.Spsr[1] = 0x9000_0000 | 0x3C0 | 0b0000; // NZCV = N,V; DAIF masked; EL0t
        h.Step();
        Assert.AreEqual(CpuHarness.RamBase + 0x200, h.Cpu.State.PC);
        Assert.AreEqual(0, h.Cpu.State.EL);
        Assert.AreEqual(0, h.Cpu.State.SpSel);
        Assert.AreEqual(0x9000_0000u, h.Cpu.State.Nzcv);
        Assert.IsTrue(h.Cpu.EventRegister);
    }

    [TestMethod]
    public void EretAtEl0IsUndefined()
    {
        using var h = new CpuHarness(1);
        h.Cpu.Sys.Vbar[1] = AluTestRunner.VectorBase;
        h.Cpu.SetElAndSpSel(0, 0);
        h.Load(At, 0xd69f03e0); // eret
        h.Cpu.State.PC = At;
        h.Step();
        Assert.AreEqual(1, h.Cpu.State.EL);
        Assert.AreEqual(AluTestRunner.VectorBase + 0x400, h.Cpu.State.PC); // lower EL, AArch64
        Assert.AreEqual(1UL << 25, h.Cpu.Sys.Esr[1]);
    }
}
