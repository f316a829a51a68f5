using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// AArch32 EL0 under an AArch64 EL1: ERET into AArch32 (SPSR.M[4] = 1), A32 execution with conditions, exceptions back
/// into EL1 through the "lower EL using AArch32" vectors (VBAR + 0x600) with the AArch32 syndromes and SPSR format,
/// and the same run under both engines.
/// </summary>
[TestClass]
public sealed class Aarch32StateTests
{
    private const ulong User = SysCpu.RamBase + 0x1_0000;
    private const uint UserSpsr = 0x10; // M[4] = 1 (AArch32), M[3:0] = User

    // Enters AArch32 User mode at User through an ERET from EL1 with SPSR_EL1 = spsr, the A32 code placed there.
    private static SysCpu EnterUser(ulong spsr, params uint[] a32)
    {
        var s = new SysCpu();
        var bytes = new byte[a32.Length * 4];
        Buffer.BlockCopy(a32, 0, bytes, 0, bytes.Length);
        s.Bus.Load(User, bytes);
        s.Cpu.Sys.Spsr[1] = spsr;
        s.Cpu.Sys.Elr[1] = User;
        s.Exec(Enc.Eret);
        return s;
    }

    [TestMethod]
    public void EretEntersAarch32UserModeWithPstateFromTheSpsr()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, 0xFFFF_FFFF_0000_0005);
        s.Cpu.SetX(20, 0xFFFF_FFFF_0000_0006);
        s.Cpu.Sys.Spsr[1] = 0x6000_0000 | (1u << 27) | (0x5u << 16) | (1u << 7) | UserSpsr; // Z C, Q, GE = 0101, I
        s.Cpu.Sys.Elr[1] = User | 3; // bits 1..0 are cleared for A32
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        Assert.IsFalse(s.Cpu.State.Thumb);
        Assert.IsFalse(s.Cpu.State.IllegalState);
        Assert.AreEqual(0, s.Cpu.State.EL);
        Assert.AreEqual(User, s.Cpu.State.PC);
        Assert.AreEqual(0x6000_0000u, s.Cpu.State.Nzcv);
        Assert.IsTrue(s.Cpu.State.Saturation);
        Assert.AreEqual(5u, s.Cpu.State.Ge);
        Assert.AreEqual(1u << 7, s.Cpu.State.Daif);
        Assert.AreEqual(5UL, s.Cpu.X(0), "R0-R14 are X0-X14<31:0>: the upper halves are zero in AArch32");
        Assert.AreEqual(0xFFFF_FFFF_0000_0006UL, s.Cpu.X(20), "registers EL0 cannot see are kept");
    }

    [TestMethod]
    public void SvcFromAarch32IsTakenToTheAarch32LowerElVectorWithEc0x11()
    {
        using var s = EnterUser(0x2000_0000 | (1u << 27) | (0x5u << 16) | UserSpsr,
            0xE2801003,  // add r1, r0, #3
            0xE0912001,  // adds r2, r1, r1
            0xEF123456); // svc #0x123456
        s.Cpu.SetX(0, 5);
        for (int i = 0; i < 3; i++) s.Cpu.Step();
        Assert.AreEqual(8UL, s.Cpu.X(1));
        Assert.AreEqual(16UL, s.Cpu.X(2));
        Assert.IsFalse(s.Cpu.State.Aarch32);
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC, "synchronous, lower EL using AArch32");
        Assert.AreEqual((0x11UL << 26) | (1UL << 25) | 0x3456, s.Cpu.Sys.Esr[1], "EC 0x11, IL, imm24<15:0>");
        Assert.AreEqual(User + 12, s.Cpu.Sys.Elr[1], "the preferred return is after the SVC");
        Assert.AreEqual(0x0805_0010UL, s.Cpu.Sys.Spsr[1], "AArch32 format: NZCV = 0 from the ADDS, Q, GE = 0101, M = 0b10000 (User)");
    }

    [TestMethod]
    public void UdfFromAarch32IsUndefinedWithIl()
    {
        using var s = EnterUser(UserSpsr, 0xE7F000F0); // udf #0
        s.Cpu.Step();
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC);
        Assert.AreEqual(1UL << 25, s.Cpu.Sys.Esr[1]);
        Assert.AreEqual(User, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void ConditionFailedInstructionsDoNothingAndConditionalUndefinedIsANop()
    {
        using var s = EnterUser(0x4000_0000 | UserSpsr, // Z set
            0x13A03001,  // movne r3, #1   (not executed)
            0x03A04002,  // moveq r4, #2
            0x17F000F0,  // UDF encoding space with cond NE: fails its condition, a NOP
            0x1AFFFFFE); // bne . (not taken)
        s.Cpu.SetX(3, 7);
        for (int i = 0; i < 4; i++) s.Cpu.Step();
        Assert.AreEqual(7UL, s.Cpu.X(3));
        Assert.AreEqual(2UL, s.Cpu.X(4));
        Assert.AreEqual(User + 16, s.Cpu.State.PC);
        Assert.IsTrue(s.Cpu.State.Aarch32);
    }

    [TestMethod]
    public void TrappedConditionalWfiReportsCvWithCondAl()
    {
        using var s = EnterUser(UserSpsr, 0x1320F003); // wfine (Z clear: passes)
        s.Cpu.Sys.Sctlr[1] &= ~SctlrEl1.NTwi;
        s.Cpu.Step();
        Assert.AreEqual((0x01UL << 26) | (1UL << 25) | (1UL << 24) | (0xEUL << 20), s.Cpu.Sys.Esr[1], "EC 0x01, CV = 1, COND = 0b1110 (passed), TI = 0, as QEMU");
        Assert.AreEqual(User, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void InterruptFromAarch32UsesTheAarch32IrqVector()
    {
        using var s = EnterUser(UserSpsr, 0xE1A00000); // nop (mov r0, r0)
        s.Cpu.Irq.Set(true);
        Assert.IsTrue(s.Cpu.CheckInterrupts());
        Assert.AreEqual(SysCpu.RamBase + 0x680, s.Cpu.State.PC);
        Assert.AreEqual(User, s.Cpu.Sys.Elr[1]);
        Assert.AreEqual(0x10UL, s.Cpu.Sys.Spsr[1] & 0x1F);
        Assert.IsFalse(s.Cpu.State.Aarch32);
    }

    [TestMethod]
    [DataRow(0x13u, "Supervisor")]
    [DataRow(0x1Au, "Hyp")]
    [DataRow(0x1Fu, "System")]
    public void ReturnToAnAarch32ModeOtherThanUserIsIllegal(uint mode, string name)
    {
        using var s = new SysCpu();
        s.Cpu.Sys.Spsr[1] = mode;
        s.Cpu.Sys.Elr[1] = User;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.IllegalState, name);
        Assert.IsFalse(s.Cpu.State.Aarch32, name);
        Assert.AreEqual(1, s.Cpu.State.EL, name);
    }

    [TestMethod]
    public void BothEnginesRunAnAarch32LoopWithSvcsIdentically()
    {
        // EL1: its lower-EL AArch32 synchronous vector counts the SVCs in X20 and returns; EL0 A32: r1 += 1; svc; b loop.
        (ulong x1, ulong x20, ulong pc, ulong insns, ulong cycles, bool a32) Run(ExecutionEngine engine)
        {
            using var s = EnterUser(UserSpsr, 0xE2811001, 0xEF000000, 0xEAFFFFFC);
            s.Bus.Load(SysCpu.RamBase + 0x600, BitConverter.GetBytes(0x91000694u)); // add x20, x20, #1
            s.Bus.Load(SysCpu.RamBase + 0x604, BitConverter.GetBytes(Enc.Eret));
            s.Cpu.Engine = engine;
            s.Cpu.JitThreshold = 0;
            s.Cpu.JitOptimizeThreshold = 0;
            s.Cpu.JitBaselineMinimumLength = 0;
            s.Cpu.JitBackgroundCompilation = false;
            s.Cpu.Run(10_000);
            return (s.Cpu.X(1), s.Cpu.X(20), s.Cpu.State.PC, s.Cpu.State.Instructions, s.Cpu.State.Cycles, s.Cpu.State.Aarch32);
        }
        var interp = Run(ExecutionEngine.Interpreter);
        var jit = Run(ExecutionEngine.Jit);
        Assert.AreEqual(interp, jit);
        Assert.AreEqual(2000UL, interp.x1, "5 instructions per pass");
        Assert.AreEqual(2000UL, interp.x20);
    }

    [TestMethod]
    public void VfpTrappedByCpacrReportsTheAarch32Syndrome()
    {
        using var s = EnterUser(UserSpsr, 0xBE30_0A00); // vaddlt.f32 s0, s0, s0
        s.Cpu.State.Nzcv = 0x8000_0000; // N = 1, V = 0: LT holds
        s.Cpu.Sys.Cpacr = 0; // FPEN = 0b00: EL0 and EL1 trap
        s.Cpu.Step();
        Assert.AreEqual((0x07UL << 26) | (1UL << 25) | (1UL << 24) | (0xEUL << 20), s.Cpu.Sys.Esr[1], "EC 0x07, CV, COND = 0b1110 (passed), ISS<19:0> RES0, as QEMU");
        Assert.AreEqual(User, s.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void UntrappedAdvancedSimdExecutes()
    {
        using var s = EnterUser(UserSpsr, 0xF200_0800); // vadd.i8 d0, d0, d0
        s.Cpu.Sys.Cpacr = 3UL << 20;
        s.Cpu.SetV128(0, 0x8001_7F02_0304_0506, 0x1111);
        s.Cpu.Step();
        Assert.AreEqual(StopReason.None, s.Cpu.StopReason);
        Assert.AreEqual(0x0002_FE04_0608_0A0CUL, s.Cpu.VElement<ulong>(0, 0), "bytewise, no carries between lanes");
        Assert.AreEqual(0x1111UL, s.Cpu.VElement<ulong>(0, 1), "D1 (V0<127:64>) untouched");
        Assert.AreEqual(User + 4, s.Cpu.State.PC);
    }

    [TestMethod]
    public void BxToAnOddAddressEntersT32()
    {
        using var s = EnterUser(UserSpsr, 0xE12F_FF10); // bx r0
        s.Cpu.SetX(0, User + 0x101);
        s.Bus.Load(User + 0x100, [0xC1, 0x1C]); // adds r1, r0, #3
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Thumb);
        Assert.AreEqual(User + 0x100, s.Cpu.State.PC);
        s.Cpu.Step();
        Assert.AreEqual(StopReason.None, s.Cpu.StopReason);
        Assert.AreEqual((uint)(User + 0x104), (uint)s.Cpu.X(1));
        Assert.AreEqual(User + 0x102, s.Cpu.State.PC, "a 16-bit instruction");
    }

    [TestMethod]
    public void ThreadIdRegistersAreTpidrEl0AndTpidrroEl0()
    {
        using var s = EnterUser(UserSpsr,
            0xEE1D_0F70,  // mrc p15, 0, r0, c13, c0, 3 (TPIDRURO)
            0xEE0D_1F50,  // mcr p15, 0, r1, c13, c0, 2 (TPIDRURW)
            0xEE0D_1F70); // mcr p15, 0, r1, c13, c0, 3: TPIDRURO is read-only at EL0
        s.Cpu.Sys.Tpidrro = 0x1234_5678_9ABC_DEF0;
        s.Cpu.Sys.Tpidr[0] = 0xAAAA_AAAA_0000_0000;
        s.Cpu.SetX(1, 0x5555);
        s.Cpu.Step(); s.Cpu.Step();
        Assert.AreEqual(0x9ABC_DEF0UL, s.Cpu.X(0));
        Assert.AreEqual(0xAAAA_AAAA_0000_5555UL, s.Cpu.Sys.Tpidr[0], "TPIDRURW is TPIDR_EL0<31:0>");
        s.Cpu.Step();
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC);
        Assert.AreEqual(1UL << 25, s.Cpu.Sys.Esr[1], "UNDEFINED");
    }

    [TestMethod]
    public void SetendLeIsANopUnlessSctlrSedDisablesIt()
    {
        using var s = EnterUser(UserSpsr, 0xF101_0000, 0xF101_0000); // setend le; setend le
        s.Cpu.Step();
        Assert.AreEqual(User + 4, s.Cpu.State.PC);
        s.Cpu.Sys.Sctlr[1] |= SctlrEl1.Sed;
        s.Cpu.Step();
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC, "SCTLR_EL1.SED = 1: UNDEFINED");
        Assert.AreEqual(1UL << 25, s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void AnAarch32SpsrKeepsItsFieldsThroughMsr()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, 0xF80F_0010); // N Z C V Q, GE = 1111, User
        s.Exec(Enc.Msr(s.Cpu, "SPSR_EL1", 0));
        Assert.AreEqual(0xF80F_0010UL, s.Cpu.Sys.Spsr[1]);
    }

    [TestMethod]
    public void GenericTimerRegistersAreReachedThroughTheirAarch64ViewsWithAarch32TrapSyndromes()
    {
        bool enabled = true;
        using var s = EnterUser(UserSpsr,
            0xEC51_0F1E,  // mrrc p15, 1, r0, r1, c14 (CNTVCT)
            0xEE1E_2F10,  // mrc p15, 0, r2, c14, c0, 0 (CNTFRQ)
            0xEC51_0F1E); // mrrc again, now trapped
        // Stand-ins for the generic timer's registers (ArmVirt.Machine installs the real ones) with an EL0 gate.
        s.Cpu.SystemRegisters.Add(new SystemRegister("CNTVCT_EL0", 3, 3, 14, 0, 2, _ => 0x1234_5678_9ABC_DEF0, null,
            (_, _) => enabled ? SystemRegisterAccess.Allowed : SystemRegisterAccess.TrapToEl1, minEl: 0));
        s.Cpu.SystemRegisters.Add(new SystemRegister("CNTFRQ_EL0", 3, 3, 14, 0, 0, _ => 62_500_000, null, minEl: 0));
        s.Cpu.Step(); s.Cpu.Step();
        Assert.AreEqual((0x9ABC_DEF0UL, 0x1234_5678UL, 62_500_000UL), (s.Cpu.X(0), s.Cpu.X(1), s.Cpu.X(2)));
        enabled = false;
        s.Cpu.Step();
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC);
        // EC 0x04, IL, CV, COND = 0b1110, Opc1 = 1, Rt2 = 1, Rt = 0, CRm = 14, Direction = 1 (read).
        Assert.AreEqual((0x04UL << 26) | (1UL << 25) | (1UL << 24) | (0xEUL << 20) | (1UL << 16) | (1UL << 10) | (14UL << 1) | 1, s.Cpu.Sys.Esr[1]);
    }

    [TestMethod]
    public void SetendBeMakesDataAccessesBigEndianAndTheSpsrKeepsE()
    {
        // setend be; str r1, [r2]; ldrh r3, [r2]; ldr r4, [r2]; svc #0
        using var s = EnterUser(UserSpsr, 0xF101_0200, 0xE582_1000, 0xE1D2_30B0, 0xE592_4000, 0xEF00_0000);
        ulong buffer = SysCpu.RamBase + 0x2000;
        s.Cpu.SetX(1, 0x1122_3344);
        s.Cpu.SetX(2, buffer);
        for (int i = 0; i < 4; i++) s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.E);
        Assert.IsTrue(s.Bus.TryRead(buffer, 4, out ulong stored));
        Assert.AreEqual(0x4433_2211UL, stored, "STR stored the word big-endian (bytes 11 22 33 44)");
        Assert.AreEqual(0x1122UL, s.Cpu.X(3), "LDRH read the halfword big-endian");
        Assert.AreEqual(0x1122_3344UL, s.Cpu.X(4));
        s.Cpu.Step(); // svc: to the AArch64 EL1
        Assert.IsFalse(s.Cpu.State.Aarch32);
        Assert.IsFalse(s.Cpu.State.E, "PSTATE.E is AArch32's");
        Assert.AreEqual(1UL << 9, s.Cpu.Sys.Spsr[1] & (1UL << 9), "SPSR.E");
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        Assert.IsTrue(s.Cpu.State.E, "ERET restores PSTATE.E from SPSR.E");
    }

    [TestMethod]
    public void VqrdmlahIsUndefinedOnCortexA57AndAccumulatesOnMax()
    {
        foreach (var model in new[] { CpuModel.CortexA57, CpuModel.Max })
        {
            using var s = new SysCpu(model: model);
            s.Bus.Load(User, BitConverter.GetBytes(0xF311_0B12u)); // vqrdmlah.s16 d0, d1, d2
            s.Cpu.Sys.Cpacr = 3UL << 20;
            s.Cpu.Sys.Spsr[1] = UserSpsr;
            s.Cpu.Sys.Elr[1] = User;
            s.Exec(Enc.Eret);
            s.Cpu.SetDReg(0, 0x0000_0000_7FFF_0100);
            s.Cpu.SetDReg(1, 0x0000_0000_7FFF_4000);
            s.Cpu.SetDReg(2, 0x0000_0000_7FFF_4000);
            s.Cpu.Step();
            if (model == CpuModel.CortexA57)
            {
                Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC, "no FEAT_RDM: UNDEFINED");
                Assert.AreEqual(1UL << 25, s.Cpu.Sys.Esr[1]);
                continue;
            }
            Assert.AreEqual(User + 4, s.Cpu.State.PC);
            // (0x0100 << 16) + 2 * 0x4000 * 0x4000 + 0x8000 >> 16 = 0x2100; 0x7FFF's lane saturates (QC); 0 stays 0.
            Assert.AreEqual(0x0000_0000_7FFF_2100UL, s.Cpu.DReg(0));
            Assert.AreEqual(1u << 27, s.Cpu.Fpscr & (1u << 27), "FPSCR.QC");
            Assert.AreEqual(1, (int)((s.Cpu.Configuration.Model.Aarch32.Isar5 >> 24) & 0xF), "ID_ISAR5.RDM advertises it");
        }
    }

    [TestMethod]
    public void Aarch64BigEndianDataStopsTheRunWhereAarch32BigEndianRuns()
    {
        // SCTLR_EL1.EE written at an AArch64 EL1: not modelled, the run stops (no silent little-endian accesses).
        using (var s = new SysCpu())
        {
            s.Enter(1);
            try { s.Write("SCTLR_EL1", s.Cpu.Sys.Sctlr[1] | SctlrEl1.Ee); } catch (CpuStoppedException) { }
            Assert.AreEqual(StopReason.Error, s.Cpu.StopReason);
        }
        // SCTLR_EL1.E0E: an ERET to AArch64 EL0 stops; to AArch32 EL0 (whose endianness is PSTATE.E) it runs.
        using (var s = new SysCpu())
        {
            s.Enter(1);
            s.Cpu.Sys.Sctlr[1] |= SctlrEl1.E0E;
            s.Cpu.Sys.Spsr[1] = 0; // EL0t
            s.Cpu.Sys.Elr[1] = User;
            try { s.Exec(Enc.Eret); } catch (CpuStoppedException) { }
            Assert.AreEqual(StopReason.Error, s.Cpu.StopReason);
        }
        using (var s = new SysCpu())
        {
            s.Enter(1);
            s.Cpu.Sys.Sctlr[1] |= SctlrEl1.E0E;
            s.Cpu.Sys.Spsr[1] = UserSpsr;
            s.Cpu.Sys.Elr[1] = User;
            s.Exec(Enc.Eret);
            Assert.AreEqual(StopReason.None, s.Cpu.StopReason);
            Assert.IsTrue(s.Cpu.State.Aarch32);
            Assert.IsFalse(s.Cpu.State.E);
        }
    }
}
