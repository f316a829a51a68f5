using ArmVirt.Core;
using static ArmVirt.Gic.Tests.Gicv3Harness;

namespace ArmVirt.Gic.Tests;

/// <summary>Reset values and read/write behaviour of every GICv3 distributor, redistributor and ICC_* register.</summary>
[TestClass]
internal sealed class Gicv3RegisterTests
{
    private static IMmioDevice Device(Gicv3 gic, string name) => name switch
    {
        "GICD" => gic.Distributor,
        "GICR0" => gic.Redistributor(0),
        _ => gic.Redistributor(1),
    };

    // (device, offset, width, reset value) for a 2-CPU GIC with 288 interrupt IDs.
    private static IEnumerable<object[]> ResetValues() => new[]
    {
        new object[] { "GICD", CTLR, 4, 0x50UL },                // ARE | DS, RAO
        new object[] { "GICD", TYPER, 4, 0x0378_0008UL },        // No1N, A3V, IDbits 15, ITLinesNumber 8
        new object[] { "GICD", IIDR, 4, 0x43BUL },
        new object[] { "GICD", STATUSR, 4, 0UL },
        new object[] { "GICD", IGROUPR + 4, 4, 0UL },
        new object[] { "GICD", ISENABLER + 4, 4, 0UL },
        new object[] { "GICD", ISPENDR + 4, 4, 0UL },
        new object[] { "GICD", ISACTIVER + 4, 4, 0UL },
        new object[] { "GICD", IPRIORITYR + 32, 4, 0UL },
        new object[] { "GICD", ICFGR + 8, 4, 0UL },
        new object[] { "GICD", IGRPMODR + 4, 4, 0UL },
        new object[] { "GICD", IROUTER + 8 * 32, 8, 0UL },
        new object[] { "GICD", IROUTER + 8 * 287, 8, 0UL },
        new object[] { "GICD", 0xFFD0, 4, 0x44UL },              // PIDR4
        new object[] { "GICD", 0xFFE0, 4, 0x92UL },              // PIDR0 (distributor)
        new object[] { "GICD", 0xFFE4, 4, 0xB4UL },              // PIDR1
        new object[] { "GICD", PIDR2, 4, 0x3BUL },               // PIDR2: ArchRev 3
        new object[] { "GICD", 0xFFF0, 4, 0x0DUL },
        new object[] { "GICD", 0xFFFC, 4, 0xB1UL },
        new object[] { "GICR0", R_CTLR, 4, 0UL },
        new object[] { "GICR0", R_IIDR, 4, 0x43BUL },
        new object[] { "GICR0", R_TYPER, 8, 0UL },               // affinity 0.0.0.0, processor 0, not Last
        new object[] { "GICR1", R_TYPER, 8, 0x1_0000_0110UL },   // affinity 0.0.0.1, processor 1, Last
        new object[] { "GICR1", R_TYPER + 4, 4, 1UL },           // upper half alone
        new object[] { "GICR0", R_WAKER, 4, 6UL },               // ProcessorSleep | ChildrenAsleep
        new object[] { "GICR0", R_PROPBASER, 8, 0UL },
        new object[] { "GICR0", 0xFFE0, 4, 0x93UL },             // PIDR0 (redistributor)
        new object[] { "GICR0", 0xFFE8, 4, 0x3BUL },             // PIDR2
        new object[] { "GICR0", R_IGROUPR0, 4, 0UL },
        new object[] { "GICR0", R_ISENABLER0, 4, 0UL },
        new object[] { "GICR0", R_ISPENDR0, 4, 0UL },
        new object[] { "GICR0", R_ISACTIVER0, 4, 0UL },
        new object[] { "GICR0", R_IPRIORITYR, 4, 0UL },
        new object[] { "GICR0", R_ICFGR0, 4, 0xAAAA_AAAAUL },    // SGIs edge
        new object[] { "GICR0", R_ICFGR1, 4, 0UL },              // PPIs level
        new object[] { "GICR0", R_IGRPMODR0, 4, 0UL },
    };

    [TestMethod]
    [DynamicData(nameof(ResetValues))]
    public void ResetValue(string device, int offset, int width, ulong expected)
    {
        var gic = new Gicv3(2);
        Assert.AreEqual(expected, Read(Device(gic, device), offset, width));
        // Reset() restores it after the guest scribbled over everything writable.
        Write(Device(gic, device), offset, ulong.MaxValue, width);
        gic.Reset();
        Assert.AreEqual(expected, Read(Device(gic, device), offset, width));
    }

    // (device, offset, width, value written, value read back).
    private static IEnumerable<object[]> WriteReadBack() => new[]
    {
        new object[] { "GICD", CTLR, 4, 0xFFFF_FFFFUL, 0x53UL },                   // only EnableGrp0/1 writable
        new object[] { "GICD", TYPER, 4, 0UL, 0x0378_0008UL },                    // read-only
        new object[] { "GICD", IIDR, 4, 0UL, 0x43BUL },
        new object[] { "GICD", IGROUPR, 4, 0xFFFF_FFFFUL, 0UL },                  // SGIs/PPIs: the redistributor's
        new object[] { "GICD", IGROUPR + 4, 4, 0xFFFF_FFFFUL, 0xFFFF_FFFFUL },
        new object[] { "GICD", IGROUPR + 0x24, 4, 0xFFFF_FFFFUL, 0UL },           // beyond ITLinesNumber: reserved
        new object[] { "GICD", ISENABLER, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", ISENABLER + 4, 4, 0x8000_0001UL, 0x8000_0001UL },
        new object[] { "GICD", ICENABLER + 4, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", ISPENDR + 8, 4, 0x10UL, 0x10UL },
        new object[] { "GICD", ICPENDR + 8, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", ISACTIVER + 4, 4, 0x3UL, 0x3UL },
        new object[] { "GICD", ICACTIVER + 4, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", IPRIORITYR, 4, 0xFFFF_FFFFUL, 0UL },               // SGI priorities: redistributor
        new object[] { "GICD", IPRIORITYR + 32, 4, 0xA0B0_C0D0UL, 0xA0B0_C0D0UL },
        new object[] { "GICD", IPRIORITYR + 33, 1, 0x5AUL, 0x5AUL },              // byte access
        new object[] { "GICD", ITARGETSR + 32, 4, 0xFFFF_FFFFUL, 0UL },           // RAZ/WI with ARE
        new object[] { "GICD", ICFGR + 4, 4, 0xFFFF_FFFFUL, 0UL },                // PPIs: redistributor
        new object[] { "GICD", ICFGR + 8, 4, 0xFFFF_FFFFUL, 0xAAAA_AAAAUL },      // Int_config[0] RES0
        new object[] { "GICD", IGRPMODR + 4, 4, 0xFFFF_FFFFUL, 0UL },             // RAZ/WI with DS = 1
        new object[] { "GICD", NSACR + 8, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", SGIR, 4, 0x0200_0001UL, 0UL },
        new object[] { "GICD", SPENDSGIR, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICD", IROUTER + 8 * 40, 8, ulong.MaxValue, 0xFF_00FF_FFFFUL }, // IRM RAZ/WI (No1N)
        new object[] { "GICD", IROUTER + 8 * 40 + 4, 4, 0x12UL, 0x12UL },              // Aff3 through the upper word
        new object[] { "GICD", PIDR2, 4, 0UL, 0x3BUL },
        new object[] { "GICR0", R_CTLR, 4, 1UL, 0UL },                            // EnableLPIs RAZ/WI: no LPIs
        new object[] { "GICR0", R_TYPER, 8, ulong.MaxValue, 0UL },
        new object[] { "GICR0", R_WAKER, 4, 0UL, 0UL },                           // awake
        new object[] { "GICR0", R_WAKER, 4, 2UL, 6UL },                           // asleep: ChildrenAsleep follows
        new object[] { "GICR0", R_WAKER, 4, 4UL, 0UL },                           // ChildrenAsleep is read-only
        new object[] { "GICR0", R_PENDBASER, 8, ulong.MaxValue, 0UL },
        new object[] { "GICR0", R_IGROUPR0, 4, 0xFFFF_FFFFUL, 0xFFFF_FFFFUL },
        new object[] { "GICR0", R_ISENABLER0, 4, 0x4000_0002UL, 0x4000_0002UL },
        new object[] { "GICR0", R_ICENABLER0, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICR0", R_ISPENDR0, 4, 0x0010_0004UL, 0x0010_0004UL },
        new object[] { "GICR0", R_ICPENDR0, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICR0", R_ISACTIVER0, 4, 0x8000_0001UL, 0x8000_0001UL },
        new object[] { "GICR0", R_ICACTIVER0, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICR0", R_IPRIORITYR + 28, 4, 0x1020_3040UL, 0x1020_3040UL },
        new object[] { "GICR0", R_IPRIORITYR + 5, 1, 0xE8UL, 0xE8UL },
        new object[] { "GICR0", R_ICFGR0, 4, 0UL, 0xAAAA_AAAAUL },                // SGIs always edge
        new object[] { "GICR0", R_ICFGR1, 4, 0xFFFF_FFFFUL, 0xAAAA_AAAAUL },      // PPIs configurable
        new object[] { "GICR0", R_IGRPMODR0, 4, 0xFFFF_FFFFUL, 0UL },
        new object[] { "GICR0", R_NSACR, 4, 0xFFFF_FFFFUL, 0UL },
    };

    [TestMethod]
    [DynamicData(nameof(WriteReadBack))]
    public void WriteThenRead(string device, int offset, int width, ulong written, ulong expected)
    {
        var gic = new Gicv3(2);
        // Registers with write-1-to-clear partners: set everything first so the clear is visible.
        if (offset is ICENABLER + 4 or ICPENDR + 8 or ICACTIVER + 4 && device == "GICD")
            Write(gic.Distributor, offset - 0x80, 0xFFFF_FFFF);
        if (offset is R_ICENABLER0 or R_ICPENDR0 or R_ICACTIVER0 && device != "GICD")
            Write(gic.Redistributor(0), offset - 0x80, 0xFFFF_FFFF);
        Write(Device(gic, device), offset, written, width);
        Assert.AreEqual(expected, Read(Device(gic, device), offset, width));
    }

    [TestMethod]
    public void RedistributorBanksAreIndependent()
    {
        var h = new Gicv3Harness();
        h.RW(R_ISENABLER0, 0x0001_0000, cpu: 1);
        h.RW(R_IPRIORITYR, 0x80, cpu: 1, size: 1);
        Assert.AreEqual(0UL, h.R(R_ISENABLER0, cpu: 0));
        Assert.AreEqual(0UL, h.R(R_IPRIORITYR, cpu: 0));
        Assert.AreEqual(0x0001_0000UL, h.R(R_ISENABLER0, cpu: 1));
        Assert.AreEqual(0x80UL, h.R(R_IPRIORITYR, cpu: 1));
    }

    [TestMethod]
    public void LevelPendingFollowsTheInputLine()
    {
        var h = new Gicv3Harness();
        h.Gic.Spi(3).Set(true);
        Assert.AreEqual(1u << 3, h.D(ISPENDR + 4));
        h.DW(ICPENDR + 4, 1u << 3); // clearing the latch does not clear an asserted level input
        Assert.AreEqual(1u << 3, h.D(ISPENDR + 4));
        h.Gic.Spi(3).Set(false);
        Assert.AreEqual(0u, h.D(ISPENDR + 4));
        h.Gic.Ppi(1, 14).Set(true);
        Assert.AreEqual(1UL << 30, h.R(R_ISPENDR0, cpu: 1));
        Assert.AreEqual(0UL, h.R(R_ISPENDR0, cpu: 0));
    }

    // ICC_* reset values (IHI 0069 12.2; QEMU's icc_reset for a Cortex-A57 with 5 priority bits).
    private static IEnumerable<object[]> IccResetValues() => new[]
    {
        new object[] { Gicv3CpuRegister.Pmr, 0UL },
        new object[] { Gicv3CpuRegister.Bpr0, 2UL },
        new object[] { Gicv3CpuRegister.Bpr1, 3UL },
        new object[] { Gicv3CpuRegister.Ctlr, 0x8C00UL },   // A3V, IDbits = 1, PRIbits = 4
        new object[] { Gicv3CpuRegister.Rpr, 0xFFUL },
        new object[] { Gicv3CpuRegister.Iar0, 1023UL },
        new object[] { Gicv3CpuRegister.Iar1, 1023UL },
        new object[] { Gicv3CpuRegister.Hppir0, 1023UL },
        new object[] { Gicv3CpuRegister.Hppir1, 1023UL },
        new object[] { Gicv3CpuRegister.Ap0r0, 0UL },
        new object[] { Gicv3CpuRegister.Ap1r0, 0UL },
        new object[] { Gicv3CpuRegister.Igrpen0, 0UL },
        new object[] { Gicv3CpuRegister.Igrpen1, 0UL },
    };

    [TestMethod]
    [DynamicData(nameof(IccResetValues))]
    public void IccResetValue(Gicv3CpuRegister register, ulong expected)
    {
        var h = new Gicv3Harness();
        Assert.AreEqual(expected, h.Icc(register));
        h.IccW(register, ulong.MaxValue);
        h.Gic.Reset();
        Assert.AreEqual(expected, h.Icc(register));
    }

    private static IEnumerable<object[]> IccWriteReadBack() => new[]
    {
        new object[] { Gicv3CpuRegister.Pmr, 0xFFUL, 0xF8UL },          // 5 priority bits
        new object[] { Gicv3CpuRegister.Pmr, 0x87UL, 0x80UL },
        new object[] { Gicv3CpuRegister.Bpr0, 0UL, 2UL },               // below the minimum: the minimum
        new object[] { Gicv3CpuRegister.Bpr0, 0xFFUL, 7UL },
        new object[] { Gicv3CpuRegister.Bpr1, 1UL, 3UL },
        new object[] { Gicv3CpuRegister.Bpr1, 5UL, 5UL },
        new object[] { Gicv3CpuRegister.Ctlr, ulong.MaxValue, 0x8C03UL }, // CBPR, EOImode writable
        new object[] { Gicv3CpuRegister.Igrpen0, 3UL, 1UL },
        new object[] { Gicv3CpuRegister.Igrpen1, 0xFFUL, 1UL },
        new object[] { Gicv3CpuRegister.Ap0r0, 0x8000_0000UL, 0x8000_0000UL },
        new object[] { Gicv3CpuRegister.Ap1r0, 0xFFFF_FFFF_0000_0001UL, 1UL },
        new object[] { Gicv3CpuRegister.Ap1r1, 1UL, 0UL },                // not implemented with 5 preemption bits
        new object[] { Gicv3CpuRegister.Rpr, 0UL, 0xFFUL },               // read-only
        new object[] { Gicv3CpuRegister.Iar1, 5UL, 1023UL },
        new object[] { Gicv3CpuRegister.Eoir1, 5UL, 0UL },                // write-only
        new object[] { Gicv3CpuRegister.Dir, 5UL, 0UL },
    };

    [TestMethod]
    [DynamicData(nameof(IccWriteReadBack))]
    public void IccWriteThenRead(Gicv3CpuRegister register, ulong written, ulong expected)
    {
        var h = new Gicv3Harness();
        h.IccW(register, written);
        Assert.AreEqual(expected, h.Icc(register));
    }

    [TestMethod]
    public void CbprMakesBpr1ReadBpr0PlusOneAndIgnoreWrites()
    {
        var h = new Gicv3Harness();
        h.IccW(Gicv3CpuRegister.Bpr0, 4);
        h.IccW(Gicv3CpuRegister.Ctlr, 1);
        Assert.AreEqual(5UL, h.Icc(Gicv3CpuRegister.Bpr1));
        h.IccW(Gicv3CpuRegister.Bpr1, 6);
        h.IccW(Gicv3CpuRegister.Bpr0, 7);
        Assert.AreEqual(7UL, h.Icc(Gicv3CpuRegister.Bpr1), "saturates at 7");
        h.IccW(Gicv3CpuRegister.Ctlr, 0);
        Assert.AreEqual(3UL, h.Icc(Gicv3CpuRegister.Bpr1), "the write under CBPR was ignored");
    }

    [TestMethod]
    public void SreRegistersHaveSreFixedAndEnableWritableAtEl2AndEl3()
    {
        var icc = new Gicv3(1).CpuInterface(0);
        Assert.AreEqual(0x7UL, icc.ReadSre(1));
        Assert.AreEqual(0xFUL, icc.ReadSre(2));
        Assert.AreEqual(0xFUL, icc.ReadSre(3));
        icc.WriteSre(1, 0);
        icc.WriteSre(2, 0);
        Assert.AreEqual(0x7UL, icc.ReadSre(1));
        Assert.AreEqual(0x7UL, icc.ReadSre(2));
        Assert.IsFalse(icc.SreEl2Enable);
        Assert.IsTrue(icc.SreEl3Enable);
        icc.WriteSre(3, 0);
        Assert.AreEqual(0x7UL, icc.ReadSre(3));
    }

    [TestMethod]
    public void CtlrEl3AliasesTheEl1BankAndKeepsEoiModeEl3()
    {
        var icc = new Gicv3(1).CpuInterface(0);
        Assert.AreEqual(0x2_8C00UL, icc.ReadCtlrEl3()); // nDS, A3V, IDbits, PRIbits
        icc.WriteCtlrEl3(1 << 4 | 1 << 2 | 1 << 1);     // EOImode_EL1NS, EOImode_EL3, CBPR_EL1NS
        Assert.AreEqual(0x8C03UL, icc.Read(Gicv3CpuRegister.Ctlr));
        Assert.AreEqual(0x2_8C00UL | 0b11 | 1 << 2 | 0b11 << 3, icc.ReadCtlrEl3());
        icc.WriteIgrpen1El3(3);
        Assert.AreEqual(1UL, icc.Read(Gicv3CpuRegister.Igrpen1));
        Assert.AreEqual(3UL, icc.ReadIgrpen1El3());
    }

    [TestMethod]
    public void ConstructorRejectsBadSizes()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv3(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv3(33));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv3(1, 48));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv3(1, 32));
        Assert.AreEqual(1024, new Gicv3(1, 1020).InterruptCount);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Gicv3(1, 64).Spi(32));
    }
}
