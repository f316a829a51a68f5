using ArmVirt.Cpu.Pmu;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The PMU from AArch32 (Arm ARM G8.4: the CP15 c9/c14 views architecturally mapped onto the AArch64 PMU registers,
/// A32/Cp15RegisterTable.Pmu.cs): reads and writes reach the AArch64 state, PMCCNTR's 64-bit MRRC view, and the
/// PMUSERENR and MDCR_EL2.TPM/TPMCR/HPMN traps from AArch32 EL0 and EL1 with the AArch32 syndromes.
/// </summary>
[TestClass]
public sealed class PmuAarch32Tests
{
    private const ulong Kernel = SysCpu.RamBase + 0x1_0000;
    private const ulong Vectors = SysCpu.RamBase;

    // MCR/MRC p15, 0, Rt, CRn, CRm, opc2 and MRRC p15, 0, Rt, Rt2, CRm (A1 encodings, cond AL).
    private static uint Mcr(int rt, int crn, int crm, int opc2) => 0xEE000F10u | (uint)crn << 16 | (uint)rt << 12 | (uint)opc2 << 5 | (uint)crm;
    private static uint Mrc(int rt, int crn, int crm, int opc2) => Mcr(rt, crn, crm, opc2) | 1u << 20;
    private static uint Mrrc(int rt, int rt2, int crm) => 0xEC500F00u | (uint)rt2 << 16 | (uint)rt << 12 | (uint)crm;

    // An EL2 CPU whose EL1 is AArch32 (HCR_EL2.RW = 0), entered in Supervisor mode at Kernel running a32.
    private static SysCpu EnterEl1(ulong mdcrEl2, params uint[] a32)
    {
        var s = new SysCpu(highestEl: 2);
        s.Enter(2);
        s.Cpu.Sys.Hcr = 0; // RW = 0: EL1 is AArch32
        s.Cpu.Sys.Mdcr[2] = mdcrEl2;
        s.Bus.Load(Kernel, a32.SelectMany(BitConverter.GetBytes).ToArray());
        s.Cpu.Sys.Spsr[2] = 0x1D3;
        s.Cpu.Sys.Elr[2] = Kernel;
        s.Exec(Enc.Eret);
        return s;
    }

    [TestMethod]
    public void Cp15ViewsReachTheAarch64PmuRegisters()
    {
        using var s = EnterEl1(6, // MDCR_EL2.HPMN = 6: every counter is EL1's
            Mcr(0, 9, 12, 0),   // PMCR = r0 (E)
            Mrc(1, 9, 12, 0),   // r1 = PMCR
            Mcr(2, 14, 12, 0),  // PMEVTYPER0 = r2
            Mcr(3, 9, 12, 5),   // PMSELR = r3 (1)
            Mcr(4, 9, 13, 2),   // PMXEVCNTR (counter 1) = r4
            Mrc(5, 14, 8, 1),   // r5 = PMEVCNTR1
            Mrrc(6, 7, 9),      // r6, r7 = PMCCNTR (64 bits)
            Mrc(8, 9, 13, 0),   // r8 = PMCCNTR[31:0]
            Mcr(9, 9, 14, 1),   // PMINTENSET = r9
            Mrc(10, 9, 12, 6)); // r10 = PMCEID0
        s.Cpu.SetR(0, 1);
        s.Cpu.SetR(2, (uint)PmuEvent.CpuCycles);
        s.Cpu.SetR(3, 1);
        s.Cpu.SetR(4, 0x1234_5678);
        s.Cpu.SetR(9, 0x8000_0003);
        s.Cpu.Pmu.WriteCounter(PerformanceMonitors.CycleCounter, 0x7_0000_0010);
        for (int i = 0; i < 10; i++) s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Aarch32, $"no exception: ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        Assert.AreEqual(1UL, s.Cpu.Pmu.Pmcr & 1, "PMCR.E");
        Assert.AreEqual((uint)s.Cpu.Pmu.Pmcr, s.Cpu.R(1), "PMCR read back (N, IDCODE, IMP)");
        Assert.AreEqual(6u, (s.Cpu.R(1) >> 11) & 0x1F, "PMCR.N");
        Assert.AreEqual((ulong)PmuEvent.CpuCycles, s.Cpu.Pmu.ReadType(0) & 0x3FF, "PMEVTYPER0_EL0");
        Assert.AreEqual(0x1234_5678UL, s.Cpu.Pmu.ReadCounter(1), "PMXEVCNTR wrote the selected counter");
        Assert.AreEqual(0x1234_5678u, s.Cpu.R(5), "PMEVCNTR1");
        Assert.AreEqual(7u, s.Cpu.R(7), "MRRC PMCCNTR: the high word");
        Assert.IsGreaterThanOrEqualTo(0x10u, s.Cpu.R(6), "MRRC PMCCNTR: the low word");
        Assert.AreEqual(0x8000_0003UL, s.Cpu.Pmu.InterruptEnables, "PMINTENSET_EL1");
        Assert.AreEqual((uint)PerformanceMonitors.CommonEventIds(0, false), s.Cpu.R(10), "PMCEID0");
    }

    [TestMethod]
    public void PmswincByMcrIncrementsTheSoftwareIncrementCounters()
    {
        // PMSWINC is write-only: its 32-bit view writes PMSWINC_EL0 whole (it once read the other half and failed).
        using var s = EnterEl1(6,
            Mcr(0, 9, 12, 0),   // PMCR = r0 (E)
            Mcr(1, 14, 12, 0),  // PMEVTYPER0 = r1 (SW_INCR)
            Mcr(2, 9, 12, 1),   // PMCNTENSET = r2 (counter 0)
            Mcr(2, 9, 12, 4),   // PMSWINC = r2
            Mcr(2, 9, 12, 4),   // PMSWINC = r2
            Mrc(3, 14, 8, 0));  // r3 = PMEVCNTR0
        s.Cpu.SetR(0, 1);
        s.Cpu.SetR(1, (uint)PmuEvent.SwIncr);
        s.Cpu.SetR(2, 1);
        for (int i = 0; i < 6; i++) s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Aarch32, $"no exception: ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        Assert.AreEqual(2u, s.Cpu.R(3), "PMEVCNTR0 after two PMSWINC writes");
    }

    [TestMethod]
    [DataRow(1UL << 6, DisplayName = "MDCR_EL2.TPM")]
    [DataRow(1UL << 5, DisplayName = "MDCR_EL2.TPMCR (PMCR only)")]
    public void MdcrEl2TrapsAarch32El1AccessesAsEc0x03(ulong trap)
    {
        using var s = EnterEl1(6 | trap, Mrc(1, 9, 12, 0)); // mrc p15, 0, r1, c9, c12, 0 (PMCR)
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC, "EL2's vector for a lower EL using AArch32");
        ulong iss = (1UL << 24) | (0xEUL << 20) | (9UL << 10) | (1UL << 5) | (12UL << 1) | 1;
        Assert.AreEqual((0x03UL << 26) | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], "EC 0x03, CV, COND, CRn = 9, Rt = 1, CRm = 12, read");
    }

    [TestMethod]
    public void HpmnMakesTheEl2CountersUndefinedAtAarch32El1()
    {
        // MDCR_EL2.HPMN = 2: PMEVCNTR3 belongs to EL2, so EL1's access is UNDEFINED (taken to EL1's Undefined mode),
        // and PMCR.N reads 2 there.
        using var s = EnterEl1(2, Mrc(1, 9, 12, 0), Mrc(2, 14, 8, 3));
        s.Cpu.Sys.Vbar[1] = Vectors;
        s.Cpu.Step();
        Assert.AreEqual(2u, (s.Cpu.R(1) >> 11) & 0x1F, "PMCR.N = HPMN");
        s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(0xBu, (uint)s.Cpu.State.Mode & 0xF, "Undefined mode");
    }

    [TestMethod]
    public void PmuserenrGatesAarch32El0()
    {
        // EL1 AArch64, EL0 AArch32 (an ERET to User mode): PMCCNTR at EL0 traps to EL1 (EC 0x03) while PMUSERENR_EL0.EN
        // and .CR are clear, and reads once EN is set.
        using var s = new SysCpu();
        s.Enter(1);
        s.Bus.Load(Kernel, new[] { Mrc(1, 9, 13, 0), Mrc(1, 9, 13, 0) }.SelectMany(BitConverter.GetBytes).ToArray());
        s.Cpu.Sys.Spsr[1] = 0x10; // AArch32 User mode
        s.Cpu.Sys.Elr[1] = Kernel;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        s.Cpu.Step();
        Assert.AreEqual(1, s.Cpu.State.EL);
        Assert.AreEqual(0x03UL, s.Cpu.Sys.Esr[1] >> 26, "EC 0x03 to the AArch64 EL1");
        s.Cpu.Pmu.UserEnable = 1; // EN
        s.Cpu.Pmu.WriteCounter(PerformanceMonitors.CycleCounter, 0x55);
        s.Cpu.Sys.Spsr[1] = 0x10;
        s.Cpu.Sys.Elr[1] = Kernel + 4;
        s.Exec(Enc.Eret);
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Aarch32, $"no exception: ESR_EL1 0x{s.Cpu.Sys.Esr[1]:x}");
        Assert.AreEqual(0x55u, s.Cpu.R(1));
    }
}
