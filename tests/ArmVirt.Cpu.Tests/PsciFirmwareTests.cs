using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Cpu.Tests;

[TestClass]
internal sealed class PsciFirmwareTests
{
    private const ulong Ram = CpuHarness.RamBase;
    private const ulong Minus1 = ulong.MaxValue;

    private static ulong Ret64(PsciReturn r) => (ulong)(long)r;
    // SMC32 results are 32-bit values in W0, sign-extended into X0 (as TF-A, KVM and QEMU return them).
    private static ulong Ret32(PsciReturn r) => (ulong)(long)(int)r;

    /// <summary>Performs one call with X0 = function ID (top half garbage) and X1..X3 as given; returns X0.</summary>
    private static ulong Call(CpuHarness h, PsciFirmware fw, uint id, ulong x1 = 0, ulong x2 = 0, ulong x3 = 0)
    {
        h.Cpu.SetX(0, 0xDEAD_BEEF_0000_0000UL | id);
        h.Cpu.SetX(1, x1);
        h.Cpu.SetX(2, x2);
        h.Cpu.SetX(3, x3);
        Assert.IsTrue(fw.TryHandleCall(h.Cpu, 0));
        return h.Cpu.X(0);
    }

    private static (CpuHarness, PsciFirmware) Create(int el = 1, IPsciPlatform? platform = null)
    {
        var h = new CpuHarness(el);
        h.Cpu.NextPc = h.Cpu.State.PC + 4;
        var fw = new PsciFirmware(el == 1 ? FirmwareConduit.Hvc : FirmwareConduit.Smc, platform ?? new SingleCpuPsciPlatform());
        return (h, fw);
    }

    [TestMethod]
    public void ConduitIsTheOneGiven()
    {
        Assert.AreEqual(FirmwareConduit.Smc, new PsciFirmware(FirmwareConduit.Smc, new SingleCpuPsciPlatform()).Conduit);
        Assert.AreEqual(FirmwareConduit.Hvc, new PsciFirmware(FirmwareConduit.Hvc, new SingleCpuPsciPlatform()).Conduit);
    }

    [TestMethod]
    public void PsciVersionIs11AndIgnoresTopHalfOfX0()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(0x1_0001UL, Call(h, fw, (uint)PsciFunction.Version));
    }

    [TestMethod]
    public void SmcccVersionIs11()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(0x1_0001UL, Call(h, fw, (uint)SmcccFunction.Version));
    }

    [TestMethod]
    public void NonZeroImmediateIsNotAnSmcccCall()
    {
        var (h, fw) = Create();
        using var _ = h;
        h.Cpu.SetX(0, (uint)PsciFunction.Version);
        Assert.IsFalse(fw.TryHandleCall(h.Cpu, 1));
        Assert.AreEqual((ulong)(uint)PsciFunction.Version, h.Cpu.X(0));
    }

    [TestMethod]
    [DataRow(0x8400_00FFu)] // unallocated PSCI number
    [DataRow(0xC400_0000u)] // PSCI_VERSION has no SMC64 form
    [DataRow(0xC400_0002u)] // nor CPU_OFF
    [DataRow(0x8400_0005u)] // MIGRATE: not needed with MIGRATE_INFO_TYPE 2
    [DataRow(0x8400_0007u)] // MIGRATE_INFO_UP_CPU
    [DataRow(0x8400_000Eu)] // SYSTEM_SUSPEND
    [DataRow(0x8200_0000u)] // SiP service
    [DataRow(0x8000_8000u)] // SMCCC_ARCH_WORKAROUND_1
    [DataRow(0x8401_0000u)] // fast call with bits 23:16 set
    [DataRow(0x0400_0000u)] // yielding call
    public void UnknownFunctionReturnsSignExtendedMinusOne(uint id)
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Minus1, Call(h, fw, id));
    }

    [TestMethod]
    public void OtherRegistersArePreserved()
    {
        var (h, fw) = Create();
        using var _ = h;
        for (int n = 4; n < 31; n++) h.Cpu.SetX(n, 0x1000UL * (ulong)n + 7);
        Call(h, fw, (uint)PsciFunction.Features, 0xC400_0003, 0x2222, 0x3333);
        Assert.AreEqual(0xC400_0003UL, h.Cpu.X(1));
        Assert.AreEqual(0x2222UL, h.Cpu.X(2));
        Assert.AreEqual(0x3333UL, h.Cpu.X(3));
        for (int n = 4; n < 31; n++) Assert.AreEqual(0x1000UL * (ulong)n + 7, h.Cpu.X(n), $"X{n}");
    }

    [TestMethod]
    [DataRow(0x8400_0000u, 0L)]
    [DataRow(0x8400_0001u, 0L)] // CPU_SUSPEND: original power_state format, platform-coordinated
    [DataRow(0xC400_0001u, 0L)]
    [DataRow(0x8400_0002u, 0L)]
    [DataRow(0x8400_0003u, 0L)]
    [DataRow(0xC400_0003u, 0L)]
    [DataRow(0x8400_0004u, 0L)]
    [DataRow(0xC400_0004u, 0L)]
    [DataRow(0x8400_0006u, 0L)]
    [DataRow(0x8400_0008u, 0L)]
    [DataRow(0x8400_0009u, 0L)]
    [DataRow(0x8400_000Au, 0L)]
    [DataRow(0x8400_0012u, 0L)]
    [DataRow(0xC400_0012u, 0L)]
    [DataRow(0x8000_0000u, 0L)] // SMCCC_VERSION may be queried through PSCI_FEATURES
    [DataRow(0x8400_0005u, -1L)]
    [DataRow(0xC400_0005u, -1L)]
    [DataRow(0x8400_0007u, -1L)]
    [DataRow(0x8400_000Bu, -1L)]
    [DataRow(0x8400_000Cu, -1L)]
    [DataRow(0x8400_000Eu, -1L)]
    [DataRow(0x8400_000Fu, -1L)]
    [DataRow(0x8400_0013u, -1L)]
    [DataRow(0x8000_0001u, -1L)] // SMCCC_ARCH_FEATURES is not a PSCI function
    [DataRow(0x8000_8000u, -1L)]
    [DataRow(0xC400_0000u, -1L)]
    public void PsciFeaturesAnswersEveryFunction(uint queried, long expected)
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual((ulong)expected, Call(h, fw, (uint)PsciFunction.Features, 0xFFFF_FFFF_0000_0000UL | queried));
    }

    [TestMethod]
    public void PsciFeaturesAgreesWithTheTable()
    {
        // Every implemented PSCI function is reported as present, and every ID it reports is implemented.
        var (h, fw) = Create();
        using var _ = h;
        foreach (uint id in PsciFirmware.ImplementedFunctions)
        {
            bool psci = (id & 0x3F00_0000) == 0x0400_0000 || id == (uint)SmcccFunction.Version;
            ulong r = Call(h, fw, (uint)PsciFunction.Features, id);
            Assert.AreEqual(psci ? 0UL : Minus1, r, $"0x{id:x8}");
        }
        foreach (uint id in Enum.GetValues<PsciFunction>().Select(f => (uint)f))
        {
            ulong r = Call(h, fw, (uint)PsciFunction.Features, id);
            Assert.AreEqual(PsciFirmware.ImplementedFunctions.Contains(id), r == 0, $"0x{id:x8}");
        }
    }

    [TestMethod]
    [DataRow(0x8000_0000u, 0L)]
    [DataRow(0x8000_0001u, 0L)]
    [DataRow(0x8000_8000u, -1L)] // ARCH_WORKAROUND_1 not implemented
    [DataRow(0x8000_7FFFu, -1L)] // ARCH_WORKAROUND_2
    [DataRow(0x8000_3FFFu, -1L)] // ARCH_WORKAROUND_3
    [DataRow(0x8000_0002u, -1L)] // SOC_ID is SMCCC 1.2
    [DataRow(0x8400_0000u, -1L)] // a PSCI function is not an Arm Architecture Service function
    public void SmcccArchFeatures(uint queried, long expected)
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual((ulong)expected, Call(h, fw, (uint)SmcccFunction.ArchFeatures, queried));
    }

    [TestMethod]
    public void MigrateInfoTypeSaysNoTrustedOs()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(2UL, Call(h, fw, (uint)PsciFunction.MigrateInfoType));
    }

    [TestMethod]
    public void CpuOnOfItselfIsAlreadyOn()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Ret64(PsciReturn.AlreadyOn), Call(h, fw, (uint)PsciFunction.CpuOn64, 0, Ram, 0));
        Assert.AreEqual(Ret32(PsciReturn.AlreadyOn), Call(h, fw, (uint)PsciFunction.CpuOn32, 0, Ram, 0));
        // SMC32 ignores the top halves of the arguments.
        Assert.AreEqual(Ret32(PsciReturn.AlreadyOn), Call(h, fw, (uint)PsciFunction.CpuOn32, 0xFFFF_FFFF_0000_0000UL, 0x1234_5678_0000_0000UL | Ram, 0));
        Assert.AreEqual(StopReason.None, h.Cpu.StopReason);
    }

    [TestMethod]
    public void CpuOnOfAnotherCpuIsInvalidParameters()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuOn64, 1, Ram, 0));
        Assert.AreEqual(Ret32(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuOn32, 0x100, Ram, 0));
        // Bits outside the affinity fields (here MPIDR.U, bit 30) make the MPIDR invalid.
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuOn64, 1UL << 30, Ram, 0));
        // A non-zero Aff3 names a CPU that does not exist here.
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuOn64, 1UL << 32, Ram, 0));
    }

    [TestMethod]
    public void CpuOnWithAnEntryPointOutsideRamIsInvalidAddress()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Ret64(PsciReturn.InvalidAddress), Call(h, fw, (uint)PsciFunction.CpuOn64, 0, 0x1000, 0));
        Assert.AreEqual(Ret32(PsciReturn.InvalidAddress), Call(h, fw, (uint)PsciFunction.CpuOn32, 0, Ram + (1 << 20), 0));
    }

    private sealed class RecordingPlatform(PsciReturn onResult) : IPsciPlatform
    {
        public readonly List<string> Log = [];
        public bool CpuExists(Cpu caller, ulong mpidr) => mpidr is 0 or 1 or 0x1_0000_0203;
        public PsciReturn CpuOn(Cpu caller, ulong targetMpidr, ulong entryPoint, ulong contextId)
        {
            Log.Add($"on {targetMpidr:x} {entryPoint:x} {contextId:x}");
            return onResult;
        }
        public void CpuOff(Cpu caller) => Log.Add("off");
        public PsciAffinityState AffinityInfo(Cpu caller, ulong targetMpidr) => targetMpidr == 1 ? PsciAffinityState.OnPending : PsciAffinityState.Off;
        public void SystemOff(Cpu caller) => Log.Add("system off");
        public void SystemReset(Cpu caller, bool warm) => Log.Add(warm ? "warm reset" : "cold reset");
    }

    [TestMethod]
    [DataRow(PsciReturn.Success)]
    [DataRow(PsciReturn.OnPending)]
    [DataRow(PsciReturn.AlreadyOn)]
    [DataRow(PsciReturn.InternalFailure)]
    public void CpuOnPassesArgumentsToThePlatformAndReturnsItsAnswer(PsciReturn answer)
    {
        var platform = new RecordingPlatform(answer);
        var (h, fw) = Create(platform: platform);
        using var _ = h;
        Assert.AreEqual(Ret64(answer), Call(h, fw, (uint)PsciFunction.CpuOn64, 0x1_0000_0203, Ram + 0x100, 0xFEED_0000_0000_0001));
        Assert.AreEqual(Ret32(answer), Call(h, fw, (uint)PsciFunction.CpuOn32, 0xAAAA_AAAA_0000_0001, 0xBBBB_BBBB_0000_0000 | Ram, 0xCCCC_CCCC_0000_0042));
        CollectionAssert.AreEqual(new[] { $"on 100000203 {Ram + 0x100:x} feed000000000001", $"on 1 {Ram:x} 42" }, platform.Log);
    }

    [TestMethod]
    public void AffinityInfo()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(0UL, Call(h, fw, (uint)PsciFunction.AffinityInfo64, 0, 0));
        Assert.AreEqual(0UL, Call(h, fw, (uint)PsciFunction.AffinityInfo32, 0xFFFF_FFFF_0000_0000UL, 0));
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.AffinityInfo64, 0, 1));
        Assert.AreEqual(Ret32(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.AffinityInfo32, 0, 2));
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.AffinityInfo64, 1, 0));
        Assert.AreEqual(Ret32(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.AffinityInfo32, 0x10000, 0));

        var platform = new RecordingPlatform(PsciReturn.Success);
        var (h2, fw2) = Create(platform: platform);
        using var __ = h2;
        Assert.AreEqual(2UL, Call(h2, fw2, (uint)PsciFunction.AffinityInfo64, 1, 0));
        Assert.AreEqual(1UL, Call(h2, fw2, (uint)PsciFunction.AffinityInfo64, 0x1_0000_0203, 0));
        // The SMC32 form cannot name Aff3: the top half is dropped and 0x203 does not exist.
        Assert.AreEqual(Ret32(PsciReturn.InvalidParameters), Call(h2, fw2, (uint)PsciFunction.AffinityInfo32, 0x1_0000_0203, 0));
    }

    [TestMethod]
    public void SystemOffStopsWithPowerOff()
    {
        var (h, fw) = Create();
        using var _ = h;
        Call(h, fw, (uint)PsciFunction.SystemOff);
        Assert.AreEqual(StopReason.PowerOff, h.Cpu.StopReason);
        Assert.AreEqual(0, h.Cpu.ExitCode);
    }

    [TestMethod]
    public void SystemResetStopsWithReset()
    {
        var (h, fw) = Create();
        using var _ = h;
        Call(h, fw, (uint)PsciFunction.SystemReset);
        Assert.AreEqual(StopReason.Reset, h.Cpu.StopReason);
    }

    [TestMethod]
    [DataRow(0x8400_0012u)]
    [DataRow(0xC400_0012u)]
    public void SystemReset2(uint id)
    {
        var platform = new RecordingPlatform(PsciReturn.Success);
        var (h, fw) = Create(platform: platform);
        using var _ = h;
        bool smc64 = id == 0xC400_0012u;
        Assert.AreEqual(smc64 ? Ret64(PsciReturn.InvalidParameters) : Ret32(PsciReturn.InvalidParameters), Call(h, fw, id, 1, 0));
        Assert.AreEqual(smc64 ? Ret64(PsciReturn.NotSupported) : Ret32(PsciReturn.NotSupported), Call(h, fw, id, 0x8000_0000, 0));
        Assert.AreEqual(0, platform.Log.Count);
        Call(h, fw, id, 0xFFFF_FFFF_0000_0000UL, 0); // reset_type is 32-bit: SYSTEM_WARM_RESET
        CollectionAssert.AreEqual(new[] { "warm reset" }, platform.Log);

        var (h2, fw2) = Create();
        using var __ = h2;
        Call(h2, fw2, id, 0, 0);
        Assert.AreEqual(StopReason.Reset, h2.Cpu.StopReason);
    }

    [TestMethod]
    public void CpuOffOfTheOnlyCpuHaltsIt()
    {
        var (h, fw) = Create();
        using var _ = h;
        Call(h, fw, (uint)PsciFunction.CpuOff);
        Assert.AreEqual(StopReason.Halted, h.Cpu.StopReason);
    }

    [TestMethod]
    [DataRow(0x8400_0001u)]
    [DataRow(0xC400_0001u)]
    public void CpuSuspendStandbyWaitsAndReturnsSuccess(uint id)
    {
        var (h, fw) = Create();
        using var _ = h;
        ulong next = h.Cpu.NextPc;
        Assert.AreEqual(0UL, Call(h, fw, id, 0x0000_0005, 0, 0));
        Assert.IsTrue(h.Cpu.IsWaiting);
        Assert.AreEqual(next, h.Cpu.NextPc);
        Assert.AreEqual(StopReason.None, h.Cpu.StopReason);
    }

    [TestMethod]
    [DataRow(0x0002_0000u)] // reserved bit 17
    [DataRow(0x0080_0000u)] // reserved bit 23
    [DataRow(0x0400_0000u)] // reserved bit 26
    [DataRow(0x8000_0000u)] // reserved bit 31
    [DataRow(0x0100_0000u)] // power level 1: no cluster power domain
    [DataRow(0x0301_0000u)] // power level 3, powerdown
    public void CpuSuspendRejectsInvalidPowerState(uint powerState)
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Ret64(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuSuspend64, powerState, Ram, 0));
        Assert.AreEqual(Ret32(PsciReturn.InvalidParameters), Call(h, fw, (uint)PsciFunction.CpuSuspend32, powerState, Ram, 0));
        Assert.IsFalse(h.Cpu.IsWaiting);
    }

    [TestMethod]
    public void CpuSuspendPowerDownWakesAtTheEntryPoint()
    {
        var (h, fw) = Create();
        using var _ = h;
        var cpu = h.Cpu;
        cpu.Sys.Sctlr[1] |= 0x1005; // M, C, I
        cpu.State.Daif = 0;
        cpu.SetX(5, 55);
        Call(h, fw, (uint)PsciFunction.CpuSuspend64, 0x0001_0002, Ram + 0x800, 0xC0FF_EE00_0000_0001);
        Assert.IsTrue(cpu.IsWaiting);
        Assert.AreEqual(Ram + 0x800, cpu.NextPc);
        Assert.AreEqual(Ram + 0x800, cpu.State.PC);
        Assert.AreEqual(0xC0FF_EE00_0000_0001UL, cpu.X(0));
        Assert.AreEqual(0UL, cpu.X(5));
        Assert.AreEqual(1, cpu.State.EL);
        Assert.AreEqual(1, cpu.State.SpSel);
        Assert.AreEqual(0x3C0u, cpu.State.Daif);
        Assert.AreEqual(0UL, cpu.Sys.Sctlr[1] & 0x1005);
    }

    [TestMethod]
    [DataRow(0x0000_0000u, false)]
    [DataRow(0x0001_0000u, true)]
    public void SuspendedCpuSleepsUntilAnInterruptThenResumes(uint powerState, bool powerDown)
    {
        var (h, fw) = Create();
        using var _ = h;
        var cpu = h.Cpu;
        h.Load(Ram + 4, 0xD503201F);     // NOP after the call
        h.Load(Ram + 0x800, 0xD503201F); // NOP at the warm-boot entry
        Call(h, fw, (uint)PsciFunction.CpuSuspend64, powerState, Ram + 0x800, 42);
        cpu.State.PC = cpu.NextPc; // what Step does once the HVC/SMC handler returns
        Assert.AreEqual(StopReason.Halted, cpu.Run(10), "no interrupt source: the core can never wake");
        cpu.ClearStop();
        var executed = new List<ulong>();
        cpu.TraceInstruction = (c, insn) => executed.Add(c.State.PC);
        cpu.Irq.Set(true); // masked at EL1 (the entry state masks DAIF), but it still wakes the core
        if (!powerDown) cpu.State.Daif = 0x3C0;
        cpu.Run(1);
        Assert.AreEqual(powerDown ? Ram + 0x800 : Ram + 4, executed.Single());
        Assert.AreEqual(powerDown ? 42UL : 0UL, cpu.X(0));
    }

    [TestMethod]
    public void CpuSuspendPowerDownWithBadEntryIsInvalidAddress()
    {
        var (h, fw) = Create();
        using var _ = h;
        Assert.AreEqual(Ret64(PsciReturn.InvalidAddress), Call(h, fw, (uint)PsciFunction.CpuSuspend64, 0x0001_0000, 0x10, 0));
        Assert.AreEqual(Ret32(PsciReturn.InvalidAddress), Call(h, fw, (uint)PsciFunction.CpuSuspend32, 0x0001_0000, 0x1_0000_0000UL | 0x10, 0));
        Assert.IsFalse(h.Cpu.IsWaiting);
    }

    [TestMethod]
    public void PrepareCpuForEntryAtEl2()
    {
        using var h = new CpuHarness(highestEl: 2);
        var cpu = h.Cpu;
        cpu.Sys.Sctlr[2] |= 0x1005;
        cpu.Sys.Sctlr[1] |= 0x1005;
        cpu.SetSpEl(2, 0x1234_5670);
        cpu.ExclusiveMonitorLocal.Mark(Ram, 8);
        PsciFirmware.PrepareCpuForEntry(cpu, Ram + 0x40, 7, 2);
        Assert.AreEqual(2, cpu.State.EL);
        Assert.AreEqual(1, cpu.State.SpSel);
        Assert.AreEqual(0x1234_5670UL, cpu.Sp);
        Assert.AreEqual(7UL, cpu.X(0));
        Assert.AreEqual(Ram + 0x40, cpu.State.PC);
        Assert.AreEqual(0UL, cpu.Sys.Sctlr[2] & 0x1005);
        Assert.AreEqual(0x1005UL, cpu.Sys.Sctlr[1] & 0x1005, "only the entry EL's SCTLR changes");
        Assert.IsFalse(cpu.ExclusiveMonitorLocal.Valid);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PsciFirmware.PrepareCpuForEntry(cpu, Ram, 0, 3));
    }

    [TestMethod]
    public void CpuOnAtEl2IsHandledOverSmc()
    {
        var (h, fw) = Create(el: 2);
        using var _ = h;
        Assert.AreEqual(FirmwareConduit.Smc, fw.Conduit);
        Assert.AreEqual(Ret64(PsciReturn.AlreadyOn), Call(h, fw, (uint)PsciFunction.CpuOn64, 0, Ram, 0));
    }

    [TestMethod]
    public void AffinityOfUsesTheCpuIndex()
    {
        using var bus = new ArmVirt.Core.PhysicalBus();
        var cpu = new Cpu(bus, new ArmVirt.Core.VirtualClock(), new CpuConfiguration { Index = 3 });
        Assert.AreEqual(3UL, PsciFirmware.AffinityOf(cpu));
        var platform = new SingleCpuPsciPlatform();
        Assert.IsTrue(platform.CpuExists(cpu, 3));
        Assert.IsFalse(platform.CpuExists(cpu, 0));
    }

    [TestMethod]
    public void NamesOfImplementedFunctions()
    {
        Assert.AreEqual("CPU_ON", PsciFirmware.NameOf(0xC400_0003));
        Assert.AreEqual("SMCCC_VERSION", PsciFirmware.NameOf(0x8000_0000));
        Assert.IsNull(PsciFirmware.NameOf(0x8400_0005));
    }
}
