using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.Tests;

/// <summary>The CPU's data and instruction paths through the MMU, and the syndromes of their faults.</summary>
[TestClass]
public sealed class CpuTranslationTests
{
    private const ulong Ram = CpuHarness.RamBase;
    private const ulong L1 = Ram + 0x1_0000, L2 = Ram + 0x1_1000, L3 = Ram + 0x1_2000;
    private const ulong PageAttrs = (1UL << 10) | (3UL << 8) | 0b11; // AF, inner shareable, page, AttrIndx 0
    private const uint LdrX1X2 = 0xF9400041, StrW1X2 = 0xB9000041;

    // Stage 1 for EL1&0: 39-bit VA (start at level 1), 4K granule, identity map of the first 1 MiB of RAM with pages.
    internal static CpuHarness Stage1(int highestEl = 1)
    {
        var h = new CpuHarness(highestEl, LdrX1X2, LdrX1X2);
        h.Load(L1 + 8, (uint)(L2 | 0b11), (uint)(L2 >> 32));
        h.Load(L2, (uint)(L3 | 0b11), 0);
        for (ulong i = 0; i < 256; i++)
        {
            ulong d = (Ram + i * 0x1000) | PageAttrs;
            h.Load(L3 + i * 8, (uint)d, (uint)(d >> 32));
        }
        var s = h.Cpu.Sys;
        s.Mair[1] = 0xFF;                              // Attr0 = Normal write-back
        s.Tcr[1] = 25 | (1UL << 23);                   // T0SZ = 25, EPD1
        s.Ttbr0[1] = L1;
        s.Vbar[1] = Ram + 0x800;
        if (highestEl >= 2) h.Cpu.SetElAndSpSel(1, 1);
        s.Sctlr[1] |= 1;                               // M
        return h;
    }

    private static void Unmap(CpuHarness h, ulong va) => h.Load(L3 + ((va - Ram) >> 12) * 8, 0, 0);

    [TestMethod]
    public void LoadsThroughPageTables()
    {
        using var h = Stage1();
        h.Load(Ram + 0x4010, 0xCAFEF00D, 0x1234);
        h.Cpu.SetX(2, Ram + 0x4010);
        h.Step();
        Assert.AreEqual(0x1234_CAFE_F00DUL, h.Cpu.X(1));
        Assert.AreEqual(Ram + 4, h.Cpu.State.PC);
    }

    [TestMethod]
    public void TranslationFaultReportsLevelAndFar()
    {
        using var h = Stage1();
        Unmap(h, Ram + 0x5000);
        h.Cpu.SetX(2, Ram + 0x5008);
        h.Step();
        ulong esr = h.Cpu.Sys.Esr[1];
        Assert.AreEqual((ulong)ExceptionClass.DataAbortSame, esr >> 26);
        Assert.AreEqual(0b000111UL, esr & 0x3F, "translation fault, level 3");
        Assert.AreEqual(Ram + 0x5008, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(Ram + 0x800 + 0x200, h.Cpu.State.PC);

        h.Cpu.State.PC = Ram;
        h.Cpu.SetX(2, 0x4_0000_0000UL); // level 1 entry 16: never written, zero
        h.Step();
        Assert.AreEqual(0b000101UL, h.Cpu.Sys.Esr[1] & 0x3F, "translation fault, level 1");
    }

    [TestMethod]
    public void AccessFlagFaultThenFixedByTheGuestAndTlbi()
    {
        using var h = Stage1();
        ulong d = (Ram + 0x6000) | 0b11 | (3UL << 8); // AF clear
        h.Load(L3 + 6 * 8, (uint)d, 0);
        h.Cpu.SetX(2, Ram + 0x6000);
        h.Step();
        Assert.AreEqual(0b001011UL, h.Cpu.Sys.Esr[1] & 0x3F, "access flag fault, level 3");
        h.Load(L3 + 6 * 8, (uint)(d | (1UL << 10)), 0);
        h.Cpu.State.PC = Ram;
        h.Step();
        Assert.AreEqual(Ram + 4, h.Cpu.State.PC, "faults are not cached in the TLB");
    }

    [TestMethod]
    public void InstructionFetchFromUnmappedPageIsAnInstructionAbort()
    {
        using var h = Stage1();
        Unmap(h, Ram + 0x3000);
        h.Cpu.State.PC = Ram + 0x3000;
        h.Step();
        ulong esr = h.Cpu.Sys.Esr[1];
        Assert.AreEqual((ulong)ExceptionClass.InstructionAbortSame, esr >> 26);
        Assert.AreEqual(0b000111UL, esr & 0x3F);
        Assert.AreEqual(Ram + 0x3000, h.Cpu.Sys.Far[1]);
        Assert.AreEqual(Ram + 0x3000, h.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void StaleTlbEntryStaysUntilTlbi()
    {
        using var h = Stage1();
        h.Load(Ram + 0x7000, 1, 0);
        h.Cpu.SetX(2, Ram + 0x7000);
        h.Step();
        Assert.AreEqual(1UL, h.Cpu.X(1));
        Unmap(h, Ram + 0x7000);
        h.Cpu.State.PC = Ram;
        h.Step();
        Assert.AreEqual(Ram + 4, h.Cpu.State.PC, "still cached: no TLBI yet");
        h.Load(Ram + 0x100, 0xD508871F); // tlbi vmalle1
        h.Load(Ram + 0x104, LdrX1X2);
        h.Cpu.State.PC = Ram + 0x100;
        h.Step(2);
        Assert.AreEqual((ulong)ExceptionClass.DataAbortSame, h.Cpu.Sys.Esr[1] >> 26, "after TLBI the unmapped page faults");
    }

    [TestMethod]
    public void Stage2AbortOnMmioGoesToEl2WithInstructionSyndromeAndHpfar()
    {
        using var h = new CpuHarness(2, StrW1X2);
        const ulong vttbrTable = Ram + 0x2_0000;
        ulong block = 0x4000_0000UL | (1UL << 10) | (3UL << 6) | (0xFUL << 2) | 0b01; // 1 GiB RAM block, RW, Normal
        h.Load(vttbrTable + 8, (uint)block, 0);
        var s = h.Cpu.Sys;
        s.Vtcr = (s.Vtcr & ~0xFFFFUL) | 32 | (1UL << 6); // T0SZ 32, SL0 = 1, 4K
        s.Vttbr = vttbrTable;
        s.Vbar[2] = Ram + 0x800;
        s.Hcr |= 1; // VM
        h.Cpu.SetElAndSpSel(1, 1);
        h.Cpu.SetX(1, 0x41);
        h.Cpu.SetX(2, 0x0900_0000); // the UART's IPA: no stage 2 mapping
        h.Step();
        Assert.AreEqual(2, h.Cpu.State.EL);
        ulong esr = s.Esr[2];
        Assert.AreEqual((ulong)ExceptionClass.DataAbortLower, esr >> 26);
        Assert.AreEqual(1UL, (esr >> 24) & 1, "ISV");
        Assert.AreEqual(2UL, (esr >> 22) & 3, "SAS = word");
        Assert.AreEqual(1UL, (esr >> 16) & 31, "SRT = W1");
        Assert.AreEqual(0UL, (esr >> 15) & 1, "SF = 0 for a W register");
        Assert.AreEqual(1UL, (esr >> 6) & 1, "WnR");
        Assert.AreEqual(0b000101UL, esr & 0x3F, "stage 2 translation fault, level 1");
        Assert.AreEqual(0x0900_0000UL >> 12 << 4, s.Hpfar);
        Assert.AreEqual(0x0900_0000UL, s.Far[2]);
        Assert.AreEqual(Ram + 0x800 + 0x400, h.Cpu.State.PC, "lower EL, AArch64, synchronous");
    }

    [TestMethod]
    public void Stage2AbortFromAarch32El0CarriesTheA32InstructionSyndrome()
    {
        using var h = new CpuHarness(2, 0xE582_1000); // A32: str r1, [r2]
        const ulong vttbrTable = Ram + 0x2_0000;
        ulong block = 0x4000_0000UL | (1UL << 10) | (3UL << 6) | (0xFUL << 2) | 0b01;
        h.Load(vttbrTable + 8, (uint)block, 0);
        h.Load(Ram + 0x100, 0xD69F_03E0); // eret (A64, at EL2)
        var s = h.Cpu.Sys;
        s.Vtcr = (s.Vtcr & ~0xFFFFUL) | 32 | (1UL << 6);
        s.Vttbr = vttbrTable;
        s.Vbar[2] = Ram + 0x800;
        s.Hcr |= 1; // VM
        s.Spsr[2] = 0x10; // AArch32 User mode
        s.Elr[2] = Ram;
        h.Cpu.State.PC = Ram + 0x100;
        h.Step(); // into AArch32 EL0
        Assert.IsTrue(h.Cpu.State.Aarch32);
        h.Cpu.SetX(1, 0x41);
        h.Cpu.SetX(2, 0x0900_0000);
        h.Step();
        Assert.AreEqual(2, h.Cpu.State.EL);
        ulong esr = s.Esr[2];
        Assert.AreEqual((ulong)ExceptionClass.DataAbortLower, esr >> 26);
        Assert.AreEqual(1UL, (esr >> 24) & 1, "ISV");
        Assert.AreEqual(2UL, (esr >> 22) & 3, "SAS = word");
        Assert.AreEqual(1UL, (esr >> 16) & 31, "SRT = R1");
        Assert.AreEqual(0UL, (esr >> 15) & 1, "SF = 0");
        Assert.AreEqual(1UL, (esr >> 6) & 1, "WnR");
        Assert.AreEqual(Ram + 0x800 + 0x600, h.Cpu.State.PC, "lower EL, AArch32, synchronous");
        Assert.AreEqual(Ram, s.Elr[2]);
    }

    [TestMethod]
    [DataRow(0xE1D2_30F2u, (1u << 24) | (1u << 22) | (1u << 21) | (3u << 16), "ldrsh r3, [r2, #2]: SAS = 1, SSE, SRT = 3")]
    [DataRow(0xE491_0004u, 0u, "ldr r0, [r1], #4: write-back, ISV = 0")]
    [DataRow(0xE186_FC95u, (1u << 24) | (2u << 22) | (5u << 16) | (1u << 14), "stl r5, [r6]: AR, SRT = 5")]
    [DataRow(0xE1C2_00D0u, 0u, "ldrd: ISV = 0")]
    [DataRow(0xE7D2_4083u, (1u << 24) | (4u << 16), "ldrb r4, [r2, r3, lsl #1]: SAS = 0")]
    [DataRow(0xE592_F000u, 0u, "ldr pc: ISV = 0")]
    [DataRow(0xE1F8_7C9Fu, (1u << 24) | (1u << 22) | (7u << 16) | (1u << 14), "ldah r7, [r8]")]
    public void A32InstructionSyndromes(uint insn, uint expected, string what) =>
        Assert.AreEqual(expected, InstructionSyndrome.ForA32(insn), what);
}
