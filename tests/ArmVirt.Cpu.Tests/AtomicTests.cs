using ArmVirt.Cpu.Exceptions;
using static ArmVirt.Cpu.Tests.LoadStoreTestHarness;

namespace ArmVirt.Cpu.Tests;

/// <summary>FEAT_LSE atomics: every operation's old value and result, CAS, CASP, alignment, and UNDEFINED without LSE.</summary>
[TestClass]
public sealed class AtomicTests
{
    private const ulong M = 0x1122_3344_8000_00F0;

    private static LoadStoreTestHarness Max()
    {
        var h = new LoadStoreTestHarness(CpuModel.Max);
        h.Write(Data, 8, M);
        h[2] = Data;
        return h;
    }

    [TestMethod]
    [DataRow(0x38250041u, 0x20UL, 0xF0UL, 0x1122_3344_8000_0010UL)]                      // ldaddb w5, w1, [x2]
    [DataRow(0xB8250041u, 0x8000_0010UL, 0x8000_00F0UL, 0x1122_3344_0000_0100UL)]        // ldadd w5, w1, [x2]
    [DataRow(0xF8E50041u, 1UL, M, M + 1)]                                                // ldaddal x5, x1, [x2]
    [DataRow(0x78251041u, 0xF0UL, 0xF0UL, 0x1122_3344_8000_0000UL)]                      // ldclrh w5, w1, [x2]
    [DataRow(0xF8251041u, 0xFFFF_0000_0000_0000UL, M, 0x0000_3344_8000_00F0UL)]          // ldclr x5, x1, [x2]
    [DataRow(0xF8252041u, 0xFFUL, M, 0x1122_3344_8000_000FUL)]                           // ldeor x5, x1, [x2]
    [DataRow(0xB8A53041u, 0x0F00_0000UL, 0x8000_00F0UL, 0x1122_3344_8F00_00F0UL)]        // ldseta w5, w1, [x2]
    [DataRow(0xF8254041u, 0x7000_0000_0000_0000UL, M, 0x7000_0000_0000_0000UL)]          // ldsmax x5, x1, [x2]
    [DataRow(0x38254041u, 0x05UL, 0xF0UL, 0x1122_3344_8000_0005UL)]                      // ldsmaxb (0xF0 is -16)
    [DataRow(0xF8255041u, 0x8000_0000_0000_0000UL, M, 0x8000_0000_0000_0000UL)]          // ldsmin x5, x1, [x2]
    [DataRow(0x78255041u, 0xAAAA_0000_FFFF_FFFFUL, 0xF0UL, 0x1122_3344_8000_FFFFUL)]     // ldsminh (operand -1)
    [DataRow(0xF8256041u, M + 1, M, M + 1)]                                              // ldumax x5, x1, [x2]
    [DataRow(0x38256041u, 0x1FFUL, 0xF0UL, 0x1122_3344_8000_00FFUL)]                     // ldumaxb (operand 0xFF)
    [DataRow(0xB8257041u, 0x1_0000_0005UL, 0x8000_00F0UL, 0x1122_3344_0000_0005UL)]      // ldumin w (operand 5)
    [DataRow(0xF8657041u, ~0UL, M, M)]                                                   // lduminl x5, x1, [x2]
    [DataRow(0xF8258041u, 0xABCDUL, M, 0xABCDUL)]                                        // swp x5, x1, [x2]
    [DataRow(0x78258041u, 0x1234_5678UL, 0xF0UL, 0x1122_3344_8000_5678UL)]               // swph w5, w1, [x2]
    public void MemoryOperations(uint insn, ulong operand, ulong expectedOld, ulong expectedMemory)
    {
        using var h = Max();
        h[1] = 0xDEAD_DEAD_DEAD_DEAD;
        h[5] = operand;
        Assert.IsTrue(h.Exec(insn));
        Assert.AreEqual(expectedOld, h[1], "old value");
        Assert.AreEqual(expectedMemory, h.Read(Data, 8), "memory");
        Assert.AreEqual(operand, h[5]);
    }

    [TestMethod]
    public void StoreAliasAndOverlappingRegisters()
    {
        using var h = Max();
        h[5] = 3;
        Assert.IsTrue(h.Exec(0xF825005F)); // stadd x5, [x2]
        Assert.AreEqual(M + 3, h.Read(Data, 8));

        Assert.IsTrue(h.Exec(0xF8250045)); // ldadd x5, x5, [x2]
        Assert.AreEqual(M + 3, h[5]);
        Assert.AreEqual(M + 6, h.Read(Data, 8));
    }

    [TestMethod]
    public void CompareAndSwap()
    {
        using var h = Max();
        h[4] = M;
        h[5] = 0x5555;
        Assert.IsTrue(h.Exec(0xC8A47C45)); // cas x4, x5, [x2]
        Assert.AreEqual(M, h[4]);
        Assert.AreEqual(0x5555UL, h.Read(Data, 8));

        h[4] = M; // now stale
        h[5] = 0x6666;
        Assert.IsTrue(h.Exec(0xC8A47C45));
        Assert.AreEqual(0x5555UL, h[4], "Rs receives the value in memory");
        Assert.AreEqual(0x5555UL, h.Read(Data, 8), "no store on mismatch");
    }

    [TestMethod]
    public void CompareAndSwapSmallSizes()
    {
        using var h = Max();
        h[4] = 0xFFFF_FFF0; // only the low byte is compared
        h[5] = 0x1AB;
        Assert.IsTrue(h.Exec(0x08E47C45)); // casab w4, w5, [x2]
        Assert.AreEqual(0xF0UL, h[4]);
        Assert.AreEqual(0x1122_3344_8000_00ABUL, h.Read(Data, 8));

        h[4] = 0x1234;
        Assert.IsTrue(h.Exec(0x48A4FC45)); // caslh w4, w5, [x2] : mismatch
        Assert.AreEqual(0x00ABUL, h[4]);
        Assert.AreEqual(0x1122_3344_8000_00ABUL, h.Read(Data, 8));

        h[4] = 0x9999_9999_8000_00AB;
        h[5] = 0x7777_7777;
        Assert.IsTrue(h.Exec(0x88E4FC45)); // casal w4, w5, [x2]
        Assert.AreEqual(0x8000_00ABUL, h[4]);
        Assert.AreEqual(0x1122_3344_7777_7777UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void CompareAndSwapPair64()
    {
        using var h = Max();
        h.Write(Data + 8, 8, 0xBBBB);
        h[6] = M;
        h[7] = 0xBBBB;
        h[8] = 0x88;
        h[9] = 0x99;
        Assert.IsTrue(h.Exec(0x48267C48)); // casp x6, x7, x8, x9, [x2]
        Assert.AreEqual(0x88UL, h.Read(Data, 8));
        Assert.AreEqual(0x99UL, h.Read(Data + 8, 8));
        Assert.AreEqual(M, h[6]);
        Assert.AreEqual(0xBBBBUL, h[7]);

        h[6] = 0x88;
        h[7] = 0x98; // second half differs
        h[8] = 1;
        h[9] = 2;
        Assert.IsTrue(h.Exec(0x48267C48));
        Assert.AreEqual(0x88UL, h.Read(Data, 8));
        Assert.AreEqual(0x99UL, h.Read(Data + 8, 8));
        Assert.AreEqual(0x88UL, h[6]);
        Assert.AreEqual(0x99UL, h[7]);
    }

    [TestMethod]
    public void CompareAndSwapPair32()
    {
        using var h = Max();
        h[6] = 0xFFFF_FFFF_8000_00F0; // upper halves are ignored
        h[7] = 0x1122_3344;
        h[8] = 0xA;
        h[9] = 0xB;
        Assert.IsTrue(h.Exec(0x0866FC48)); // caspal w6, w7, w8, w9, [x2]
        Assert.AreEqual(0x0000_000B_0000_000AUL, h.Read(Data, 8));
        Assert.AreEqual(0x8000_00F0UL, h[6]);
        Assert.AreEqual(0x1122_3344UL, h[7]);

        Assert.IsTrue(h.Exec(0x0866FC48)); // now mismatches
        Assert.AreEqual(0xAUL, h[6]);
        Assert.AreEqual(0xBUL, h[7]);
        Assert.AreEqual(0x0000_000B_0000_000AUL, h.Read(Data, 8));
    }

    [TestMethod]
    public void CompareAndSwapPairWithXzr()
    {
        using var h = Max();
        h.Write(Data + 8, 8, 0);
        h[30] = M;
        h[8] = 1;
        h[9] = 2;
        Assert.IsTrue(h.Exec(0x483E7C48)); // casp x30, xzr, x8, x9, [x2]
        Assert.AreEqual(1UL, h.Read(Data, 8));
        Assert.AreEqual(2UL, h.Read(Data + 8, 8));
        Assert.AreEqual(M, h[30]);
    }

    [TestMethod]
    public void AtomicsRequireAlignment()
    {
        using var h = Max();
        h[2] = Data + 4;
        h[1] = 0x11;
        ulong esr = h.ExecFault(0xF8250041); // ldadd x5, x1, [x2]
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x21UL, esr & 0x3F);
        // A fault a read would also take: WnR = 0 (ESR_ELx.ISS.WnR for atomics that read and write; QEMU the same).
        Assert.AreEqual(0UL, esr & (1UL << 6), "reported as a read");
        Assert.AreEqual(Data + 4, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(0x11UL, h[1]);

        h[2] = Data + 8;
        h[6] = 0x66;
        esr = h.ExecFault(0x48267C48); // casp x6, x7, x8, x9, [x2] : needs 16-byte alignment
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(0x66UL, h[6]);

        h[2] = 0x2000_0000;
        esr = h.ExecFault(0xC8A47C45); // cas x4, x5, [x2] on unmapped space
        Assert.AreEqual(0x10UL, esr & 0x3F);
    }

    [TestMethod]
    public void AtomicWithSpBase()
    {
        using var h = Max();
        h.Cpu.Sys.Sctlr[1] |= 1UL << 3;
        h.Cpu.Sp = Data;
        h[5] = 1;
        Assert.IsTrue(h.Exec(0xF82503E1)); // ldadd x5, x1, [sp]
        Assert.AreEqual(M, h[1]);
        h.Cpu.Sp = Data + 8;
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(h.ExecFault(0xF82503E1)));
    }

    [TestMethod]
    [DataRow(0x38250041u)] // ldaddb
    [DataRow(0xF8E50041u)] // ldaddal
    [DataRow(0xF8258041u)] // swp
    [DataRow(0xF825005Fu)] // stadd
    [DataRow(0xC8A47C45u)] // cas
    [DataRow(0x48267C48u)] // casp
    public void LseIsUndefinedWithoutFeatLse(uint insn)
    {
        using var h = new LoadStoreTestHarness(CpuModel.CortexA57);
        h.Write(Data, 8, M);
        h[2] = Data;
        h[1] = 0x11;
        h[4] = 0x44;
        h[6] = 0x66;
        ulong esr = h.ExecFault(insn);
        Assert.AreEqual(ExceptionClass.Unknown, Ec(esr));
        Assert.AreEqual(M, h.Read(Data, 8));
        Assert.AreEqual(0x11UL, h[1]);
        Assert.AreEqual(0x44UL, h[4]);
        Assert.AreEqual(0x66UL, h[6]);

        using var max = Max();
        Assert.IsTrue(max.Exec(insn));
    }
}
