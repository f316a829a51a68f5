using ArmVirt.Cpu.Exceptions;
using static ArmVirt.Cpu.Tests.LoadStoreTestHarness;

namespace ArmVirt.Cpu.Tests;

/// <summary>Single-register loads and stores: sizes, extension, every addressing mode, literal, PRFM, unprivileged.</summary>
[TestClass]
public sealed class LoadStoreRegisterTests
{
    private const ulong Pattern = 0x8182_8384_8586_8788;

    [TestMethod]
    [DataRow(0x39400041u, 0x88UL)]                   // ldrb w1, [x2]
    [DataRow(0x39800041u, 0xFFFF_FFFF_FFFF_FF88UL)]  // ldrsb x1, [x2]
    [DataRow(0x39C00041u, 0x0000_0000_FFFF_FF88UL)]  // ldrsb w1, [x2]
    [DataRow(0x79400041u, 0x8788UL)]                 // ldrh w1, [x2]
    [DataRow(0x79800041u, 0xFFFF_FFFF_FFFF_8788UL)]  // ldrsh x1, [x2]
    [DataRow(0x79C00041u, 0x0000_0000_FFFF_8788UL)]  // ldrsh w1, [x2]
    [DataRow(0xB9400041u, 0x8586_8788UL)]            // ldr w1, [x2]
    [DataRow(0xB9800041u, 0xFFFF_FFFF_8586_8788UL)]  // ldrsw x1, [x2]
    [DataRow(0xF9400041u, Pattern)]                  // ldr x1, [x2]
    public void LoadSizesAndExtension(uint insn, ulong expected)
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, Pattern);
        h[1] = 0xDEAD_BEEF_DEAD_BEEF;
        h[2] = Data;
        Assert.IsTrue(h.Exec(insn));
        Assert.AreEqual(expected, h[1]);
        Assert.AreEqual(Data, h[2]);
    }

    [TestMethod]
    public void PositiveSignedLoadsZeroUpperBits()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, 0x7172_7374_7576_7778);
        h[2] = Data;
        h[1] = ~0UL;
        Assert.IsTrue(h.Exec(0x39C00041)); // ldrsb w1, [x2]
        Assert.AreEqual(0x78UL, h[1]);
        h[1] = ~0UL;
        Assert.IsTrue(h.Exec(0xB9800041)); // ldrsw x1, [x2]
        Assert.AreEqual(0x7576_7778UL, h[1]);
    }

    [TestMethod]
    [DataRow(0x39000441u, 1, 1)] // strb w1, [x2, #1]
    [DataRow(0x79000441u, 2, 2)] // strh w1, [x2, #2]
    [DataRow(0xB9000441u, 4, 4)] // str w1, [x2, #4]
    [DataRow(0xF9000441u, 8, 8)] // str x1, [x2, #8]
    public void StoreSizesWriteOnlyTheirBytes(uint insn, int offset, int size)
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, ~0UL);
        h.Write(Data + 8, 8, ~0UL);
        h.Write(Data + 16, 8, ~0UL);
        h[1] = 0x1122_3344_5566_7788;
        h[2] = Data;
        Assert.IsTrue(h.Exec(insn));
        ulong mask = size == 8 ? ~0UL : (1UL << (8 * size)) - 1;
        Assert.AreEqual(0x1122_3344_5566_7788UL & mask, h.Read(Data + (ulong)offset, size));
        if (offset > 0) Assert.AreEqual(0xFFUL, h.Read(Data + (ulong)offset - 1, 1), "byte below untouched");
        Assert.AreEqual(0xFFUL, h.Read(Data + (ulong)(offset + size), 1), "byte above untouched");
    }

    [TestMethod]
    public void StoreOfXzrWritesZero()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, ~0UL);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF900005F)); // str xzr, [x2]
        Assert.AreEqual(0UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void UnsignedImmediateIsScaledBySize()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data + 8, 8, 0x1111);
        h.Write(Data + 6, 2, 0x2222);
        h.Write(Data + 4095, 1, 0x33);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF9400441)); // ldr x1, [x2, #8]
        Assert.AreEqual(0x1111UL, h[1]);
        Assert.IsTrue(h.Exec(0x79400C41)); // ldrh w1, [x2, #6]
        Assert.AreEqual(0x2222UL, h[1]);
        Assert.IsTrue(h.Exec(0x397FFC41)); // ldrb w1, [x2, #4095]
        Assert.AreEqual(0x33UL, h[1]);
    }

    [TestMethod]
    public void UnscaledImmediateIsSignedBytes()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data - 8, 8, 0xAAAA);
        h.Write(Data + 4, 4, 0xBBBB_BBBB);
        h.Write(Data + 3, 1, 0x80);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF85F8041)); // ldur x1, [x2, #-8]
        Assert.AreEqual(0xAAAAUL, h[1]);
        Assert.IsTrue(h.Exec(0xB8404041)); // ldur w1, [x2, #4]
        Assert.AreEqual(0xBBBB_BBBBUL, h[1]);
        Assert.IsTrue(h.Exec(0x38803041)); // ldursb x1, [x2, #3]
        Assert.AreEqual(0xFFFF_FFFF_FFFF_FF80UL, h[1]);
        h[1] = 0x5555;
        Assert.IsTrue(h.Exec(0xF81F0041)); // stur x1, [x2, #-16]
        Assert.AreEqual(0x5555UL, h.Read(Data - 16, 8));
        Assert.AreEqual(Data, h[2]);
    }

    [TestMethod]
    public void PreAndPostIndexWriteBack()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, 0x10);
        h.Write(Data + 8, 8, 0x18);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF8408C41)); // ldr x1, [x2, #8]!
        Assert.AreEqual(0x18UL, h[1]);
        Assert.AreEqual(Data + 8, h[2]);

        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF85F8441)); // ldr x1, [x2], #-8
        Assert.AreEqual(0x10UL, h[1]);
        Assert.AreEqual(Data - 8, h[2]);

        h[1] = 0x77;
        h[2] = Data + 32;
        Assert.IsTrue(h.Exec(0xF81F0C41)); // str x1, [x2, #-16]!
        Assert.AreEqual(0x77UL, h.Read(Data + 16, 8));
        Assert.AreEqual(Data + 16, h[2]);

        h[1] = 0x99;
        Assert.IsTrue(h.Exec(0xF8010441)); // str x1, [x2], #16
        Assert.AreEqual(0x99UL, h.Read(Data + 16, 8));
        Assert.AreEqual(Data + 32, h[2]);

        h.Write(Data + 30, 2, 0x8001);
        Assert.IsTrue(h.Exec(0x78DFEC41)); // ldrsh w1, [x2, #-2]!
        Assert.AreEqual(0xFFFF_8001UL, h[1]);
        Assert.AreEqual(Data + 30, h[2]);
    }

    [TestMethod]
    public void WritebackWithRtEqualRnFollowsQemu()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, 0x1234);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF8408442)); // ldr x2, [x2], #8 : the writeback wins
        Assert.AreEqual(Data + 8, h[2]);

        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF8008C42)); // str x2, [x2, #8]! : stores the original base
        Assert.AreEqual(Data, h.Read(Data + 8, 8));
        Assert.AreEqual(Data + 8, h[2]);
    }

    [TestMethod]
    public void RegisterOffsetExtendsAndScales()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data - 8, 8, 0xE0);
        h.Write(Data, 8, 0xF0);
        h.Write(Data + 8, 8, 0xF8);
        h.Write(Data + 16, 8, 0x100);
        h[2] = Data;

        h[3] = 8;
        Assert.IsTrue(h.Exec(0xF8636841)); // ldr x1, [x2, x3]
        Assert.AreEqual(0xF8UL, h[1]);

        h[3] = 2;
        Assert.IsTrue(h.Exec(0xF8637841)); // ldr x1, [x2, x3, lsl #3]
        Assert.AreEqual(0x100UL, h[1]);

        h[3] = 0xFFFF_FFFF_0000_0001;
        Assert.IsTrue(h.Exec(0xF8635841)); // ldr x1, [x2, w3, uxtw #3]
        Assert.AreEqual(0xF8UL, h[1]);

        h[3] = 0x1234_5678_FFFF_FFFF; // w3 = -1
        Assert.IsTrue(h.Exec(0xF863D841)); // ldr x1, [x2, w3, sxtw #3]
        Assert.AreEqual(0xE0UL, h[1]);

        h[3] = unchecked((ulong)-8L);
        Assert.IsTrue(h.Exec(0xF863E841)); // ldr x1, [x2, x3, sxtx]
        Assert.AreEqual(0xE0UL, h[1]);

        h[3] = 4;
        Assert.IsTrue(h.Exec(0x78637841)); // ldrh w1, [x2, x3, lsl #1]
        Assert.AreEqual(0xF8UL, h[1]);

        h[3] = 16;
        Assert.IsTrue(h.Exec(0x38637841)); // ldrb w1, [x2, x3, lsl #0]
        Assert.AreEqual(0UL, h[1]); // 0x100's low byte

        h[3] = 0xFFFF_FFFF_0000_0010;
        Assert.IsTrue(h.Exec(0xB8634841)); // ldr w1, [x2, w3, uxtw]
        Assert.AreEqual(0x100UL, h[1]);

        h[1] = 0xCAFE;
        h[3] = 6;
        Assert.IsTrue(h.Exec(0xB8237841)); // str w1, [x2, x3, lsl #2]
        Assert.AreEqual(0xCAFEUL, h.Read(Data + 24, 4));
    }

    [TestMethod]
    public void LiteralLoads()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Code + 16, 8, 0xFFFF_FFF0_8000_0001);
        Assert.IsTrue(h.Exec(0x18000081)); // ldr w1, .+16   (at Code)
        Assert.AreEqual(0x8000_0001UL, h[1]);
        // at Code + 4: ldrsw x1, .+8 reads Code + 12
        h.Write(Code + 12, 4, 0x8000_0002);
        Assert.IsTrue(h.Exec(0x98000041)); // ldrsw x1, .+8
        Assert.AreEqual(0xFFFF_FFFF_8000_0002UL, h[1]);
        // at Code + 8: ldr x1, .-8 reads Code + 0 (the first instruction and the second)
        Assert.IsTrue(h.Exec(0x58FFFFC1)); // ldr x1, .-8
        Assert.AreEqual(0x9800_0041_1800_0081UL, h[1]);
    }

    [TestMethod]
    public void PrefetchNeverFaults()
    {
        using var h = new LoadStoreTestHarness();
        h.Cpu.Sys.Sctlr[1] |= 1UL << 3; // SA
        h[2] = 0x1_0000_0001;            // misaligned and unmapped
        h[3] = 0x7;
        h.Cpu.Sp = Data + 4;              // misaligned SP
        foreach (uint insn in new uint[]
        {
            0xF9800040, // prfm pldl1keep, [x2]
            0xF8A36840, // prfm pldl1keep, [x2, x3]
            0xF8801040, // prfum pldl1keep, [x2, #1]
            0xD87FFFE0, // prfm pldl1keep, .+0xFFFFC (outside RAM)
            0xF98007E0, // prfm pldl1keep, [sp, #8]
        })
        {
            Assert.IsTrue(h.Exec(insn), $"0x{insn:x8}");
        }
        Assert.AreEqual(0x1_0000_0001UL, h[2]);
        Assert.AreEqual(Data + 4, h.Cpu.Sp);
    }

    [TestMethod]
    public void UnprivilegedLoadsAndStoresMoveData()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data + 8, 8, 0x42);
        h.Write(Data, 2, 0x8000);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xF8408841)); // ldtr x1, [x2, #8]
        Assert.AreEqual(0x42UL, h[1]);
        Assert.IsTrue(h.Exec(0x78800841)); // ldtrsh x1, [x2]
        Assert.AreEqual(0xFFFF_FFFF_FFFF_8000UL, h[1]);
        h[1] = 0x1FF;
        Assert.IsTrue(h.Exec(0x38001841)); // sttrb w1, [x2, #1]
        Assert.AreEqual(0xFF00UL, h.Read(Data, 2));
    }

    [TestMethod]
    public void SpBaseAndSpAlignmentFault()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data + 8, 8, 0x5A);
        h.Cpu.Sp = Data;
        Assert.IsTrue(h.Exec(0xF94007E1)); // ldr x1, [sp, #8]
        Assert.AreEqual(0x5AUL, h[1]);

        h.Cpu.Sys.Sctlr[1] &= ~(1UL << 3); // SA off (it is set at reset, as in QEMU)
        h.Cpu.Sp = Data + 8; // misaligned, but SCTLR_EL1.SA = 0
        Assert.IsTrue(h.Exec(0xF94003E1)); // ldr x1, [sp]
        Assert.AreEqual(0x5AUL, h[1]);

        h.Cpu.Sys.Sctlr[1] |= 1UL << 3; // SA
        h[1] = 0x99;
        ulong esr = h.ExecFault(0xF81F0FE1); // str x1, [sp, #-16]!
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(esr));
        Assert.AreEqual(0UL, esr & 0x1FF_FFFF);
        Assert.AreEqual(Data + 8, h.Cpu.GetSpEl(1), "no writeback");
        Assert.AreEqual(0UL, h.Read(Data - 8, 8), "nothing stored");

        h.Cpu.SetSpEl(1, Data + 16); // aligned: fine
        h.Cpu.State.PC = Code;
        h.Cpu.SetElAndSpSel(1, 1);
        Assert.IsTrue(h.Exec(0xF81F0FE1)); // str x1, [sp, #-16]!
        Assert.AreEqual(Data, h.Cpu.Sp);
        Assert.AreEqual(0x99UL, h.Read(Data, 8));
    }

    [TestMethod]
    public void SpAlignmentAtEl0UsesSa0()
    {
        using var h = new LoadStoreTestHarness();
        h.Cpu.SetElAndSpSel(0, 0);
        h.Cpu.Sp = Data + 8;
        h.Cpu.Sys.Sctlr[1] = (h.Cpu.Sys.Sctlr[1] & ~(1UL << 4)) | (1UL << 3); // SA only: EL0 accesses are not checked
        Assert.IsTrue(h.Exec(0xF94003E1)); // ldr x1, [sp]
        h.Cpu.Sys.Sctlr[1] |= 1UL << 4; // SA0
        ulong esr = h.ExecFault(0xF94003E1);
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(esr));
    }

    [TestMethod]
    public void SpAlignmentAtEl0UnderTgeUsesSctlrEl1Sa0()
    {
        // Without FEAT_VHE, S1TranslationRegime(EL0) is EL1 even when HCR_EL2.TGE is 1, so SCTLR[] is SCTLR_EL1
        // (aarch64/functions/memory/CheckSPAlignment); only the exception goes to EL2. SCTLR_EL2 bit 4 is RES1.
        using var h = new LoadStoreTestHarness(highestEl: 2);
        h.Cpu.Sys.Hcr |= 1UL << 27; // TGE
        h.Cpu.SetElAndSpSel(0, 0);
        h.Cpu.Sp = Data + 8;
        h.Cpu.Sys.Sctlr[1] &= ~(1UL << 4);
        Assert.IsTrue(h.Exec(0xF94003E1), "SCTLR_EL1.SA0 = 0: ldr x1, [sp] is not checked");
        h.Cpu.Sys.Sctlr[1] |= 1UL << 4;
        ulong esr = h.ExecFault(0xF94003E1, el: 2);
        Assert.AreEqual(ExceptionClass.SpAlignment, Ec(esr));
    }

    [TestMethod]
    public void UnalignedAccessWithMmuOffIsAlignmentFault()
    {
        using var h = new LoadStoreTestHarness();
        h[1] = 0x1234;
        h[2] = Data + 4;
        ulong esr = h.ExecFault(0xF8408441); // ldr x1, [x2], #8
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(0UL, esr & (1UL << 6), "WnR = 0 for a load");
        Assert.AreEqual(Data + 4, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(0x1234UL, h[1], "Rt unchanged");
        Assert.AreEqual(Data + 4, h[2], "no writeback");

        h[2] = Data + 1;
        esr = h.ExecFault(0x79000441); // strh w1, [x2, #2]
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreNotEqual(0UL, esr & (1UL << 6), "WnR = 1 for a store");
        Assert.AreEqual(Data + 3, h.Cpu.Sys.Far[1]);

        h[2] = Data + 3;
        Assert.IsTrue(h.Exec(0x39000041)); // strb w1, [x2] is always aligned
    }

    [TestMethod]
    public void UnmappedPhysicalAddressIsExternalAbort()
    {
        using var h = new LoadStoreTestHarness();
        h[1] = 7;
        h[2] = 0x2000_0000;
        ulong esr = h.ExecFault(0xF9400041); // ldr x1, [x2]
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x10UL, esr & 0x3F);
        Assert.AreEqual(0x2000_0000UL, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(7UL, h[1]);

        esr = h.ExecFault(0xF9000041); // str x1, [x2]
        Assert.AreEqual(0x10UL, esr & 0x3F);
        Assert.AreNotEqual(0UL, esr & (1UL << 6));
    }

    [TestMethod]
    public void LoadAcquireStoreReleaseAndAlignment()
    {
        using var h = new LoadStoreTestHarness();
        h.Write(Data, 8, Pattern);
        h[2] = Data;
        Assert.IsTrue(h.Exec(0xC8DFFC41)); // ldar x1, [x2]
        Assert.AreEqual(Pattern, h[1]);
        Assert.IsTrue(h.Exec(0x08DFFC41)); // ldarb w1, [x2]
        Assert.AreEqual(0x88UL, h[1]);
        h[1] = 0xAABB_CCDD;
        Assert.IsTrue(h.Exec(0x889FFC41)); // stlr w1, [x2]
        Assert.AreEqual(0x8182_8384_AABB_CCDDUL, h.Read(Data, 8));
        Assert.IsTrue(h.Exec(0x489FFC41)); // stlrh w1, [x2]
        Assert.AreEqual(0xCCDDUL, h.Read(Data, 2));

        h[2] = Data + 4;
        h[1] = 3;
        ulong esr = h.ExecFault(0xC8DFFC41); // ldar x1, [x2]
        Assert.AreEqual(ExceptionClass.DataAbortSame, Ec(esr));
        Assert.AreEqual(0x21UL, esr & 0x3F);
        Assert.AreEqual(Data + 4, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(3UL, h[1]);
    }

    [TestMethod]
    public void LoadAcquireFaultsFromEl0GoToEl1AsLowerElAbort()
    {
        using var h = new LoadStoreTestHarness();
        h.Cpu.SetElAndSpSel(0, 0);
        h[2] = Data + 2;
        ulong esr = h.ExecFault(0xC8DFFC41); // ldar x1, [x2]
        Assert.AreEqual(ExceptionClass.DataAbortLower, Ec(esr));
        Assert.AreEqual(0x21UL, esr & 0x3F);
    }

    [TestMethod]
    public void UnprivilegedAccessKindDependsOnElAndUao()
    {
        using var h = new LoadStoreTestHarness(CpuModel.Max, highestEl: 2);
        h.Cpu.SetElAndSpSel(1, 1);
        Assert.AreEqual(MemoryAccessKind.Unprivileged, A64.AddressingModes.UnprivilegedKind(h.Cpu));
        h.Cpu.State.Uao = true;
        Assert.AreEqual(MemoryAccessKind.Read, A64.AddressingModes.UnprivilegedKind(h.Cpu), "PSTATE.UAO overrides");
        h.Cpu.State.Uao = false;
        h.Cpu.SetElAndSpSel(0, 0);
        Assert.AreEqual(MemoryAccessKind.Read, A64.AddressingModes.UnprivilegedKind(h.Cpu), "EL0 accesses are normal");
        h.Cpu.SetElAndSpSel(2, 1);
        Assert.AreEqual(MemoryAccessKind.Read, A64.AddressingModes.UnprivilegedKind(h.Cpu), "EL2 without VHE");
    }
}
