using ArmVirt.Core;
using ArmVirt.Cpu.Exceptions;
using static ArmVirt.Cpu.Tests.LoadStoreTestHarness;

namespace ArmVirt.Cpu.Tests;

/// <summary>Load/store exclusive: monitors, status results, pairs, alignment and the global monitor.</summary>
[TestClass]
public sealed class ExclusiveTests
{
    private const uint Ldxr = 0xC85F7C41;   // ldxr x1, [x2]
    private const uint Stxr = 0xC8047C45;   // stxr w4, x5, [x2]
    private const uint StrX5 = 0xF9000045;  // str x5, [x2]

    private static LoadStoreTestHarness Setup()
    {
        var h = new LoadStoreTestHarness();
        h.Write(Data, 8, 0x1111);
        h[2] = Data;
        h[4] = 0xDEAD;
        h[5] = 0x2222;
        return h;
    }

    [TestMethod]
    public void LoadExclusiveThenStoreExclusiveSucceeds()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        Assert.AreEqual(0x1111UL, h[1]);
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(0UL, h[4]);
        Assert.AreEqual(0x2222UL, h.Read(Data, 8));

        h[5] = 0x3333; // the monitor is now open: a second store-exclusive fails
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x2222UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void StoreExclusiveWithoutReservationFails()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void ResetLeavesBothMonitorsOpen()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h.Cpu.Reset(); // a cold reset: the local and global monitors are in the Open Access state
        h.Cpu.State.PC = Code;
        h[2] = Data;
        h[4] = 0xDEAD;
        h[5] = 0x2222;
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4], "the reservation taken before the reset is gone");
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void ClrexMakesStoreExclusiveFail()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h.Cpu.ClearExclusiveLocal(); // what CLREX does
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void BusWriteToTheGranuleMakesStoreExclusiveFail()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h.Write(Data + 0x38, 1, 0xFF); // DMA write elsewhere in the same 64-byte granule
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void BusWriteOutsideTheGranuleKeepsTheReservation()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h.Write(Data + 0x40, 8, 0xFF); // next granule
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(0UL, h[4]);
    }

    [TestMethod]
    public void OwnPlainStoreKeepsTheReservation()
    {
        // ClearExclusiveByAddress excludes the writing PE, and the local monitor is not cleared by a plain store.
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h[5] = 0x4444;
        Assert.IsTrue(h.Exec(StrX5));
        h[5] = 0x5555;
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(0UL, h[4]);
        Assert.AreEqual(0x5555UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void StoreByAnotherCpuMakesStoreExclusiveFail()
    {
        using var h = Setup();
        var monitor = new GlobalExclusiveMonitor(64);
        h.Cpu.GlobalMonitor = monitor;
        var other = new Cpu(h.Bus, new VirtualClock(), new CpuConfiguration { Index = 1 });
        other.GlobalMonitor = monitor;
        const ulong otherCode = Code + 0x8000;
        h.Write(otherCode, 4, StrX5);
        other.State.PC = otherCode;
        other.State.X[2] = Data + 8;
        other.State.X[5] = 0x9999;

        Assert.IsTrue(h.Exec(Ldxr));
        other.Step();
        Assert.AreEqual(otherCode + 4, other.State.PC);
        Assert.AreEqual(0x9999UL, h.Read(Data + 8, 8));
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    // Parallel SMP: another PE's store can reach the reserved location without clearing the reservation (it lands between
    // the load-exclusive's read and its mark, or the storer's look at whether anyone holds a mark passes its store in the
    // host's store buffer). Its clear would have been the WFE wake-up event (Arm ARM D1.6.1), so a spinlock waiter would
    // sleep on a released lock. Before the PE's thread sleeps in WFE it looks again (Cpu.MissedMonitorClear, called by the
    // machine's SleepInTurn): the location no longer holds what the load-exclusive read, so the PE wakes at once, with
    // the reservation lost as its store-exclusive would find it.
    [TestMethod]
    public unsafe void WfeAfterAStoreThatMissedTheReservationWakesAtOnce()
    {
        const uint Wfe = 0xD503205F;
        using var h = Setup();
        var monitor = new GlobalExclusiveMonitor(64);
        h.Cpu.GlobalMonitor = monitor;
        var other = new Cpu(h.Bus, new VirtualClock(), new CpuConfiguration { Index = 1 });
        other.GlobalMonitor = monitor;
        h.Cpu.JoinParallelDomain();

        Assert.IsTrue(h.Exec(Ldxr)); // reads 0x1111 and marks the monitors
        Assert.IsTrue(h.Exec(Wfe));  // no event: waits
        Assert.IsTrue(h.Cpu.IsWaiting);
        Assert.IsFalse(h.Cpu.MissedMonitorClear(), "the location still holds what the LDXR read: it sleeps");
        Assert.IsTrue(h.Cpu.IsWaiting);

        *(ulong*)h.Bus.RamPointer(Data, 8) = 0; // the store whose clear never reached the monitor
        Assert.IsTrue(h.Cpu.MissedMonitorClear());
        Assert.IsFalse(h.Cpu.IsWaiting, "the wait ends");
        Assert.IsTrue(h.Cpu.EventRegister, "as by the global monitor's clear (an event)");
        h[5] = 0x3333;
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4], "the reservation is lost");
        Assert.AreEqual(0UL, h.Read(Data, 8));

        // A WFE with no reservation, or in deterministic mode, never looks.
        Assert.IsTrue(h.Exec(Ldxr));
        h.Cpu.EventRegister = false;
        Assert.IsTrue(h.Exec(0xD5033F5F)); // clrex
        Assert.IsTrue(h.Exec(Wfe));
        *(ulong*)h.Bus.RamPointer(Data, 8) = 7;
        Assert.IsFalse(h.Cpu.MissedMonitorClear(), "CLREX dropped the reservation");
        Assert.IsTrue(h.Cpu.IsWaiting);
    }

    [TestMethod]
    public void SuccessfulStoreExclusiveBreaksAnotherCpusReservation()
    {
        using var h = Setup();
        var monitor = new GlobalExclusiveMonitor(64);
        h.Cpu.GlobalMonitor = monitor;
        var other = new Cpu(h.Bus, new VirtualClock(), new CpuConfiguration { Index = 1 });
        other.GlobalMonitor = monitor;
        const ulong otherCode = Code + 0x8000;
        h.Write(otherCode, 4, Ldxr);
        h.Write(otherCode + 4, 4, Stxr);
        other.State.PC = otherCode;
        other.State.X[2] = Data;
        other.State.X[5] = 0x7777;

        other.Step();                 // other: ldxr
        Assert.IsTrue(h.Exec(Ldxr));  // this: ldxr
        Assert.IsTrue(h.Exec(Stxr));  // this: stxr succeeds
        Assert.AreEqual(0UL, h[4]);
        other.Step();                 // other: stxr must fail
        Assert.AreEqual(1UL, other.State.X[4]);
        Assert.AreEqual(0x2222UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void StoreExclusiveToAnotherAddressOrSizeFails()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        h[2] = Data + 8;
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0UL, h.Read(Data + 8, 8));

        h[2] = Data;
        Assert.IsTrue(h.Exec(Ldxr));
        Assert.IsTrue(h.Exec(0x88047C45)); // stxr w4, w5, [x2] : 4 bytes after an 8-byte ldxr
        Assert.AreEqual(1UL, h[4]);
        Assert.AreEqual(0x1111UL, h.Read(Data, 8));
    }

    [TestMethod]
    [DataRow(0x085F7C41u, 0x08047C45u, 1)] // ldxrb / stxrb
    [DataRow(0x485F7C41u, 0x48047C45u, 2)] // ldxrh / stxrh
    [DataRow(0x885FFC41u, 0x8804FC45u, 4)] // ldaxr w / stlxr w
    [DataRow(0xC85F7C41u, 0xC8047C45u, 8)] // ldxr x / stxr x
    public void ExclusiveSizes(uint load, uint store, int size)
    {
        using var h = Setup();
        h.Write(Data, 8, 0x8877_6655_4433_2211);
        h[5] = 0xF0F1_F2F3_F4F5_F6F7;
        Assert.IsTrue(h.Exec(load));
        ulong mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
        Assert.AreEqual(0x8877_6655_4433_2211UL & mask, h[1]);
        Assert.IsTrue(h.Exec(store));
        Assert.AreEqual(0UL, h[4]);
        Assert.AreEqual((0x8877_6655_4433_2211UL & ~mask) | (0xF0F1_F2F3_F4F5_F6F7UL & mask), h.Read(Data, 8));
    }

    [TestMethod]
    public void ExclusivePairs()
    {
        using var h = Setup();
        h.Write(Data, 8, 0xAAAA);
        h.Write(Data + 8, 8, 0xBBBB);
        Assert.IsTrue(h.Exec(0xC87F0C41)); // ldxp x1, x3, [x2]
        Assert.AreEqual(0xAAAAUL, h[1]);
        Assert.AreEqual(0xBBBBUL, h[3]);
        h[5] = 0x5;
        h[6] = 0x6;
        Assert.IsTrue(h.Exec(0xC8241845)); // stxp w4, x5, x6, [x2]
        Assert.AreEqual(0UL, h[4]);
        Assert.AreEqual(5UL, h.Read(Data, 8));
        Assert.AreEqual(6UL, h.Read(Data + 8, 8));

        h.Write(Data, 8, 0x0000_0002_0000_0001);
        Assert.IsTrue(h.Exec(0x887F8C41)); // ldaxp w1, w3, [x2]
        Assert.AreEqual(1UL, h[1]);
        Assert.AreEqual(2UL, h[3]);
        Assert.IsTrue(h.Exec(0x88249845)); // stlxp w4, w5, w6, [x2]
        Assert.AreEqual(0UL, h[4]);
        Assert.AreEqual(0x0000_0006_0000_0005UL, h.Read(Data, 8));

        Assert.IsTrue(h.Exec(0x88249845)); // without a reservation: fails
        Assert.AreEqual(1UL, h[4]);
    }

    [TestMethod]
    public void LdxpWithRtEqualRt2KeepsTheHigherWordLikeQemu()
    {
        using var h = Setup();
        h.Write(Data, 8, 0x11);
        h.Write(Data + 8, 8, 0x22);
        Assert.IsTrue(h.Exec(0xC87F1445)); // ldxp x5, x5, [x2]
        Assert.AreEqual(0x22UL, h[5]);
    }

    [TestMethod]
    public void StatusRegisterOverlapsFollowQemu()
    {
        using var h = Setup();
        Assert.IsTrue(h.Exec(Ldxr));
        Assert.IsTrue(h.Exec(0xC8057C45)); // stxr w5, x5, [x2] : stores the old x5, then the status
        Assert.AreEqual(0x2222UL, h.Read(Data, 8));
        Assert.AreEqual(0UL, h[5]);

        Assert.IsTrue(h.Exec(Ldxr));
        Assert.IsTrue(h.Exec(0xC8027C45)); // stxr w2, x5, [x2] : address from the old x2
        Assert.AreEqual(0UL, h.Read(Data, 8));
        Assert.AreEqual(0UL, h[2]);
    }

    [TestMethod]
    public void PairExclusiveNeedsPairAlignment()
    {
        using var h = Setup();
        h[2] = Data + 8; // 8-aligned, not 16-aligned
        h[1] = 0x77;
        ulong esr = h.ExecFault(0xC87F0C41); // ldxp x1, x3, [x2]
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(Data + 8, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(0x77UL, h[1]);

        esr = h.ExecFault(0xC8241845); // stxp w4, x5, x6, [x2]
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreNotEqual(0UL, esr & (1UL << 6), "WnR");
        Assert.AreEqual(0xDEADUL, h[4], "status untouched");

        h[2] = Data + 4; // word pair needs 8-byte alignment
        esr = h.ExecFault(0x887F8C41); // ldaxp w1, w3, [x2]
        Assert.AreEqual(0x21UL, esr & 0x3F);
    }

    [TestMethod]
    public void StoreExclusiveAlignmentFaultsEvenWithoutReservation()
    {
        using var h = Setup();
        h[2] = Data + 4;
        ulong esr = h.ExecFault(Stxr);
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(0xDEADUL, h[4]);
    }

    [TestMethod]
    public void FailedStoreExclusiveToUnmappedAddressDoesNotAbort()
    {
        using var h = Setup();
        h[2] = 0x2000_0000;
        Assert.IsTrue(h.Exec(Stxr));
        Assert.AreEqual(1UL, h[4]);
        ulong esr = h.ExecFault(Ldxr);
        Assert.AreEqual(0x10UL, esr & 0x3F);
    }

    [TestMethod]
    public void SpBaseIsAlignmentChecked()
    {
        using var h = Setup();
        h.Cpu.Sys.Sctlr[1] |= 1UL << 3;
        h.Cpu.Sp = Data;
        Assert.IsTrue(h.Exec(0xC85F7FE1)); // ldxr x1, [sp]
        Assert.IsTrue(h.Exec(0xC8047FE5)); // stxr w4, x5, [sp]
        Assert.AreEqual(0UL, h[4]);
        h.Cpu.Sp = Data + 8;
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(h.ExecFault(0xC85F7FE1)));
    }

    [TestMethod]
    public void GlobalMonitorTracksGranules()
    {
        var m = new GlobalExclusiveMonitor(64);
        m.MarkExclusive(0, 0x1008, 8);
        Assert.IsTrue(m.IsExclusive(0, 0x1008, 8));
        Assert.IsTrue(m.IsExclusive(0, 0x1030, 8), "same granule");
        Assert.IsFalse(m.IsExclusive(0, 0x1040, 8));
        Assert.IsFalse(m.IsExclusive(1, 0x1008, 8), "another PE holds nothing");
        m.ClearByAddress(0x1000, 4, writerSlot: 0);
        Assert.IsTrue(m.IsExclusive(0, 0x1008, 8), "own writes do not clear");
        m.ClearByAddress(0x103F, 1, writerSlot: 1);
        Assert.IsFalse(m.IsExclusive(0, 0x1008, 8));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new GlobalExclusiveMonitor(48));
    }

    [TestMethod]
    public void GlobalMonitorWritesClearOtherPesMarksOnly()
    {
        // Slots 0 and 1, and slot 70 (beyond the monitor's per-slot summary bits), mark the same granule.
        var m = new GlobalExclusiveMonitor(64);
        m.MarkExclusive(0, 0x2000, 8);
        m.MarkExclusive(1, 0x2000, 8);
        m.ClearByAddress(0x2010, 4, writerSlot: 0);
        Assert.IsTrue(m.IsExclusive(0, 0x2000, 8), "the writer's own mark stays");
        Assert.IsFalse(m.IsExclusive(1, 0x2000, 8), "another PE's mark in the granule is cleared");
        m.MarkExclusive(70, 0x2000, 8);
        m.ClearByAddress(0x2000, 8, writerSlot: 70);
        Assert.IsTrue(m.IsExclusive(70, 0x2000, 8), "slot 70's own write");
        Assert.IsFalse(m.IsExclusive(0, 0x2000, 8), "slot 70's write clears slot 0");
        m.ClearByAddress(0x2000, 8, writerSlot: 0);
        Assert.IsFalse(m.IsExclusive(70, 0x2000, 8), "slot 0's write clears slot 70");
        m.MarkExclusive(1, 0x3000, 8);
        m.Clear(1);
        m.MarkExclusive(0, 0x3000, 8);
        m.ClearByAddress(0x3000, 8, writerSlot: -1);
        Assert.IsFalse(m.IsExclusive(0, 0x3000, 8), "a bus master's write clears every mark");
    }
}
