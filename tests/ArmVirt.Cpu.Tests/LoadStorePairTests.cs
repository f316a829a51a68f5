using ArmVirt.Cpu.Exceptions;
using static ArmVirt.Cpu.Tests.LoadStoreTestHarness;

namespace ArmVirt.Cpu.Tests;

/// <summary>STP/LDP/LDPSW/STNP/LDNP: sizes, offsets, writeback, QEMU's choices for overlaps, fault atomicity.</summary>
[TestClass]
public sealed class LoadStorePairTests
{
    [TestMethod]
    public void WordPairs()
    {
        using var h = new LoadStoreTestHarness();
        h[1] = 0xFFFF_FFFF_1111_1111;
        h[2] = 0x2222_2222;
        h[3] = Data;
        Assert.IsTrue(h.Exec(0x29000861)); // stp w1, w2, [x3]
        Assert.AreEqual(0x2222_2222_1111_1111UL, h.Read(Data, 8));
        h.Write(Data, 8, 0x8000_0002_8000_0001);
        Assert.IsTrue(h.Exec(0x29400861)); // ldp w1, w2, [x3]
        Assert.AreEqual(0x8000_0001UL, h[1]);
        Assert.AreEqual(0x8000_0002UL, h[2]);
        Assert.IsTrue(h.Exec(0x69400861)); // ldpsw x1, x2, [x3]
        Assert.AreEqual(0xFFFF_FFFF_8000_0001UL, h[1]);
        Assert.AreEqual(0xFFFF_FFFF_8000_0002UL, h[2]);
    }

    [TestMethod]
    public void DoublewordPairsWithOffsetAndWriteback()
    {
        using var h = new LoadStoreTestHarness();
        h[1] = 0xA1;
        h[2] = 0xA2;
        h[3] = Data;
        Assert.IsTrue(h.Exec(0xA9010861)); // stp x1, x2, [x3, #16]
        Assert.AreEqual(0xA1UL, h.Read(Data + 16, 8));
        Assert.AreEqual(0xA2UL, h.Read(Data + 24, 8));
        Assert.AreEqual(Data, h[3]);

        h[1] = h[2] = 0;
        Assert.IsTrue(h.Exec(0xA9410861)); // ldp x1, x2, [x3, #16]
        Assert.AreEqual(0xA1UL, h[1]);
        Assert.AreEqual(0xA2UL, h[2]);

        h[1] = 0xB1;
        h[2] = 0xB2;
        h[3] = Data + 64;
        Assert.IsTrue(h.Exec(0xA9BF0861)); // stp x1, x2, [x3, #-16]!
        Assert.AreEqual(Data + 48, h[3]);
        Assert.AreEqual(0xB1UL, h.Read(Data + 48, 8));
        Assert.AreEqual(0xB2UL, h.Read(Data + 56, 8));

        Assert.IsTrue(h.Exec(0xA8C10861)); // ldp x1, x2, [x3], #16
        Assert.AreEqual(0xB1UL, h[1]);
        Assert.AreEqual(0xB2UL, h[2]);
        Assert.AreEqual(Data + 64, h[3]);
    }

    [TestMethod]
    public void LdpswWriteback()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data + 8, 8, 0x7FFF_FFFF_FFFF_FFFF);
        h[3] = Data;
        Assert.IsTrue(h.Exec(0x69C10861)); // ldpsw x1, x2, [x3, #8]!
        Assert.AreEqual(0xFFFF_FFFF_FFFF_FFFFUL, h[1]);
        Assert.AreEqual(0x7FFF_FFFFUL, h[2]);
        Assert.AreEqual(Data + 8, h[3]);
        Assert.IsTrue(h.Exec(0x68FF0861)); // ldpsw x1, x2, [x3], #-8
        Assert.AreEqual(Data, h[3]);

        h.Write(Data - 4, 8, 0x0000_0005_0000_0004);
        h[3] = Data;
        Assert.IsTrue(h.Exec(0x29FF8861)); // ldp w1, w2, [x3, #-4]! : 4-byte aligned
        Assert.AreEqual(4UL, h[1]);
        Assert.AreEqual(5UL, h[2]);
        Assert.AreEqual(Data - 4, h[3]);
    }

    [TestMethod]
    public void NonTemporalPairs()
    {
        using var h = new LoadStoreTestHarness();
        h[1] = 0xC1;
        h[2] = 0xC2;
        h[3] = Data + 32;
        Assert.IsTrue(h.Exec(0xA83F0861)); // stnp x1, x2, [x3, #-16]
        Assert.AreEqual(0xC1UL, h.Read(Data + 16, 8));
        Assert.AreEqual(0xC2UL, h.Read(Data + 24, 8));
        Assert.AreEqual(Data + 32, h[3]);
        h.Write(Data + 40, 8, 0x0000_0009_0000_0008);
        Assert.IsTrue(h.Exec(0x28410861)); // ldnp w1, w2, [x3, #8]
        Assert.AreEqual(8UL, h[1]);
        Assert.AreEqual(9UL, h[2]);
    }

    [TestMethod]
    public void ConstrainedUnpredictableOverlapsFollowQemu()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, 0x11);
        h.Write(Data + 8, 8, 0x22);
        h[3] = Data;
        Assert.IsTrue(h.Exec(0xA9400461)); // ldp x1, x1, [x3] : the lower address's value
        Assert.AreEqual(0x11UL, h[1]);

        Assert.IsTrue(h.Exec(0xA8C10463)); // ldp x3, x1, [x3], #16 : writeback wins
        Assert.AreEqual(Data + 16, h[3]);
        Assert.AreEqual(0x22UL, h[1]);

        h[3] = Data;
        h[1] = 0x55;
        Assert.IsTrue(h.Exec(0xA9810463)); // stp x3, x1, [x3, #16]! : stores the original base
        Assert.AreEqual(Data, h.Read(Data + 16, 8));
        Assert.AreEqual(0x55UL, h.Read(Data + 24, 8));
        Assert.AreEqual(Data + 16, h[3]);
    }

    [TestMethod]
    public void PushPopThroughSp()
    {
        using var h = new LoadStoreTestHarness();
        h.Cpu.Sys.Sctlr[1] |= 1UL << 3;
        h.Cpu.Sp = Data + 0x100;
        h[29] = 0x29;
        h[30] = 0x30;
        Assert.IsTrue(h.Exec(0xA9BF7BFD)); // stp x29, x30, [sp, #-16]!
        Assert.AreEqual(Data + 0xF0, h.Cpu.Sp);
        Assert.AreEqual(0x29UL, h.Read(Data + 0xF0, 8));
        Assert.AreEqual(0x30UL, h.Read(Data + 0xF8, 8));

        h.Cpu.Sp = Data + 0x108;
        ulong esr = h.ExecFault(0xA9BF7BFD);
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(esr));
        Assert.AreEqual(Data + 0x108, h.Cpu.GetSpEl(1));
    }

    [TestMethod]
    public void FaultOnSecondHalfChangesNothing()
    {
        using var h = new LoadStoreTestHarness();
        const ulong end = RamBase + (1 << 20);
        h.Write(end - 8, 8, 0x1234);
        h[1] = 0xAA;
        h[2] = 0xBB;
        h[3] = end - 8;
        ulong esr = h.ExecFault(0xA9000861); // stp x1, x2, [x3]
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x10UL, esr & 0x3F);
        Assert.AreEqual(end, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(0x1234UL, h.Read(end - 8, 8), "first half not written");

        esr = h.ExecFault(0xA9400861); // ldp x1, x2, [x3]
        Assert.AreEqual(0x10UL, esr & 0x3F);
        Assert.AreEqual(0xAAUL, h[1], "Rt not written");
        Assert.AreEqual(0xBBUL, h[2]);

        h[3] = end + 8;
        esr = h.ExecFault(0xA9BF0861); // stp x1, x2, [x3, #-16]! : second half (at end) faults
        Assert.AreEqual(0x10UL, esr & 0x3F);
        Assert.AreEqual(end + 8, h[3], "no writeback");
        Assert.AreEqual(0x1234UL, h.Read(end - 8, 8));
    }

    [TestMethod]
    public void MisalignedPairFaultsWithMmuOff()
    {
        using var h = new LoadStoreTestHarness();
        h[3] = Data + 4;
        ulong esr = h.ExecFault(0xA9400861); // ldp x1, x2, [x3]
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(Data + 4, h.Cpu.Sys.Far[1]);
    }
}
