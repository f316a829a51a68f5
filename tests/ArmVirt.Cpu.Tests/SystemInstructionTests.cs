using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

[TestClass]
public sealed class SystemInstructionTests
{
    private const ulong Data = SysCpu.RamBase + 0x4000;

    private static void Fill(SysCpu s, ulong pa, int bytes)
    {
        var b = new byte[bytes];
        Array.Fill(b, (byte)0xAA);
        s.Bus.Load(pa, b);
    }

    private static ulong Read64(SysCpu s, ulong pa) => s.Bus.TryRead(pa, 8, out ulong v) ? v : throw new InvalidOperationException();

    [TestMethod]
    public void DcZvaZeroesTheBlockWhenMemoryIsNormal()
    {
        using var s = new SysCpu(highestEl: 2);
        // HCR_EL2.DC: stage 1 off behaves as Normal memory in EL1&0, and stage 2 is on (DC implies VM), so give
        // it an identity map: VTCR T0SZ = 32 (4 GiB IPA), SL0 = 1 (start at level 1), 4K granule; one level 1
        // table whose entry 1 is a 1 GiB Normal read/write block at 0x4000_0000.
        const ulong table = SysCpu.RamBase + 0x2_0000;
        ulong block = 0x4000_0000UL | (1UL << 10) | (3UL << 6) | (0xFUL << 2) | 0b01;
        s.Bus.TryWrite(table + 8, 8, block);
        s.Cpu.Sys.Vtcr = (s.Cpu.Sys.Vtcr & ~0xFFFFUL) | 32 | (1UL << 6);
        s.Cpu.Sys.Vttbr = table;
        s.Cpu.Sys.Hcr |= HcrEl2.Dc;
        s.Enter(1);
        Fill(s, Data - 64, 192);
        s.Cpu.SetX(0, Data + 0x28);
        s.Exec(Enc.DcZvaX0);
        Assert.AreEqual(1, s.Cpu.State.EL);
        for (ulong i = 0; i < 64; i += 8) Assert.AreEqual(0UL, Read64(s, Data + i));
        Assert.AreEqual(0xAAAA_AAAA_AAAA_AAAAUL, Read64(s, Data - 8));
        Assert.AreEqual(0xAAAA_AAAA_AAAA_AAAAUL, Read64(s, Data + 64));
    }

    [TestMethod]
    public void DcZvaToDeviceMemoryTakesAnAlignmentFault()
    {
        using var s = new SysCpu();
        Fill(s, Data, 64);
        s.Cpu.SetX(0, Data + 0x28);
        s.Exec(Enc.DcZvaX0);
        Assert.AreEqual(SysCpu.RamBase + 0x200, s.Cpu.State.PC);
        Assert.AreEqual(((ulong)0x25 << 26) | (1UL << 25) | (1UL << 6) | 0x21, s.Cpu.Sys.Esr[1], "DABT same EL, WnR, alignment");
        Assert.AreEqual(Data + 0x28, s.Cpu.Sys.Far[1]);
        Assert.AreEqual(0xAAAA_AAAA_AAAA_AAAAUL, Read64(s, Data));
    }

    [TestMethod]
    public void DcByVaOutsideThePhysicalRangeFaultsWithCm()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, 1UL << 50);
        s.Exec(Enc.DcCivacX0);
        Assert.AreEqual(((ulong)0x25 << 26) | (1UL << 25) | (1UL << 8) | (1UL << 6), s.Cpu.Sys.Esr[1], "CM, WnR, address size L0");
    }

    [TestMethod]
    public void TlbiRaisesTheMaintenanceEvent()
    {
        using var s = new SysCpu(highestEl: 2);
        var seen = new List<TlbInvalidation>();
        s.Cpu.TlbMaintenance += seen.Add;
        s.Cpu.Sys.Vttbr = 0x0005_0000_0000_0000;
        s.Enter(1);
        s.Cpu.SetX(0, (0x1234UL << 48) | 0xFFF_FFFF_FFFFUL);
        s.Exec(Enc.TlbiVae1isX0, Enc.TlbiVmalle1);
        s.Enter(2);
        s.Cpu.SetX(0, 0x4_0001);
        s.Exec(Enc.TlbiIpas2e1X0);
        Assert.AreEqual(3, seen.Count);
        Assert.AreEqual(TlbiOperation.VaE1, seen[0].Operation);
        Assert.AreEqual(0x1234, seen[0].Asid);
        Assert.AreEqual(5, seen[0].Vmid);
        Assert.IsTrue(seen[0].Broadcast);
        Assert.AreEqual(0xFFFF_FFFF_FFFF_F000UL, seen[0].Address, "VA[55:12] sign-extended");
        Assert.AreEqual(TlbiOperation.VmallE1, seen[1].Operation);
        Assert.IsFalse(seen[1].Broadcast);
        Assert.AreEqual(TlbiOperation.Ipas2E1, seen[2].Operation);
        Assert.AreEqual(0x4_0001_000UL, seen[2].Address);
    }

    [TestMethod]
    public void IcRaisesTheMaintenanceEvent()
    {
        using var s = new SysCpu();
        var seen = new List<(InstructionCacheOperation, ulong)>();
        s.Cpu.InstructionCacheMaintenance += (op, va) => seen.Add((op, va));
        s.Cpu.SetX(0, Data);
        s.Exec(Enc.IcIallu, Enc.IcIvauX0);
        CollectionAssert.AreEqual(new[] { (InstructionCacheOperation.All, 0UL), (InstructionCacheOperation.ByVirtualAddress, Data) }, seen);
    }

    [TestMethod]
    public void AtWithTranslationOffGivesTheFlatMapping()
    {
        using var s = new SysCpu();
        s.Cpu.SetX(0, Data + 0x123);
        s.Exec(Enc.AtS1e1rX0);
        Assert.AreEqual(Data | (1UL << 11) | (1UL << 9) | (0b10UL << 7), s.Read("PAR_EL1"), "bit 11 is RES1");
        s.Cpu.SetX(0, 1UL << 52);
        s.Exec(Enc.AtS1e1rX0);
        Assert.AreEqual(0x801UL, s.Cpu.Sys.Par, "F = 1, address size fault");
    }

    [TestMethod]
    public void AtUsesTheHook()
    {
        using var s = new SysCpu(highestEl: 2);
        AtRequest? seen = null;
        s.Cpu.AddressTranslationHook = (_, r) => { seen = r; return 0x42; };
        s.Cpu.SetX(0, 0x1000);
        s.Exec(Enc.AtS12e0wX0);
        Assert.AreEqual(new AtRequest(0x1000, 0, true, true), seen);
        Assert.AreEqual(0x42UL, s.Cpu.Sys.Par);
    }

    [TestMethod]
    public void El2MaintenanceIsUndefinedFromEl1()
    {
        using var s = new SysCpu(highestEl: 2);
        s.Enter(1);
        s.Exec(Enc.TlbiIpas2e1X0);
        Assert.AreEqual(Enc.Esr(0, 0), s.Cpu.Sys.Esr[1]);
    }
}
