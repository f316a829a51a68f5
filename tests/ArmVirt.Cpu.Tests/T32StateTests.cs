using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// T32 at AArch32 EL0 under an AArch64 EL1: 16- and 32-bit instructions, IT blocks (conditional execution, the flag
/// setting of 16-bit instructions inside a block, ITSTATE in the SPSR on exception entry and ERET), the preferred
/// return addresses and ESR.IL of exceptions from 16-bit instructions, the fetch of a 32-bit instruction across the
/// end of memory, and interworking back to A32. Encodings from GNU as (<c>arm-linux-gnueabihf-as -mthumb</c>).
/// </summary>
[TestClass]
public sealed class T32StateTests
{
    private const ulong User = SysCpu.RamBase + 0x1_0000;
    private const uint ThumbUserSpsr = 0x30; // M[4] = 1, User, T = 1

    private static SysCpu EnterThumb(ulong spsr, params ushort[] halfwords) => EnterThumbAt(User, spsr, halfwords);

    private static SysCpu EnterThumbAt(ulong at, ulong spsr, params ushort[] halfwords)
    {
        var s = new SysCpu();
        var bytes = new byte[halfwords.Length * 2];
        Buffer.BlockCopy(halfwords, 0, bytes, 0, bytes.Length);
        s.Bus.Load(at, bytes);
        s.Cpu.Sys.Spsr[1] = spsr;
        s.Cpu.Sys.Elr[1] = at | 1;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Thumb);
        return s;
    }

    private static uint R(SysCpu s, int n) => (uint)s.Cpu.X(n);

    [TestMethod]
    public void ItBlockExecutesByConditionAndSuppressesSixteenBitFlagSetting()
    {
        using var s = EnterThumb(ThumbUserSpsr,
            0x1CC1,          // adds r1, r0, #3
            0x2908,          // cmp r1, #8
            0xBF0C,          // ite eq
            0x184A,          // addeq r2, r1, r1 (16-bit: no flags inside the block)
            0x1E4A,          // subne r2, r1, #1 (skipped)
            0xBF1C,          // itt ne
            0x2301,          // movne r3, #1 (skipped)
            0xEB11, 0x0401,  // addsne.w r4, r1, r1 (skipped)
            0x184D);         // adds r5, r1, r1 (outside: sets flags)
        s.Cpu.SetX(0, 5);
        s.Cpu.SetX(3, 7);
        s.Cpu.SetX(4, 9);
        for (int i = 0; i < 5; i++) s.Cpu.Step();
        Assert.AreEqual(16u, R(s, 2), "ADDEQ ran");
        Assert.AreEqual(0x6000_0000u, s.Cpu.State.Nzcv, "the ADD inside the block kept CMP's Z C");
        Assert.AreEqual(0, s.Cpu.State.It, "the block ended");
        s.Cpu.Step();
        Assert.AreEqual(0x1C, s.Cpu.State.It, "ITT NE: ITSTATE = firstcond 0001 : mask 1100");
        s.Cpu.Step();
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.AreEqual(7u, R(s, 3));
        Assert.AreEqual(9u, R(s, 4));
        Assert.AreEqual(16u, R(s, 5));
        Assert.AreEqual(0u, s.Cpu.State.Nzcv, "ADDS outside a block sets the flags");
        Assert.AreEqual(User + 20, s.Cpu.State.PC);
    }

    [TestMethod]
    public void SvcInsideAnItBlockSavesTheAdvancedItStateAndReturnsAfterTwoBytes()
    {
        using var s = EnterThumb(ThumbUserSpsr | 0x4000_0000, // Z
            0xBF04,  // itt eq
            0xDF42,  // svceq #0x42
            0x2301); // moveq r3, #1
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.AreEqual(SysCpu.RamBase + 0x600, s.Cpu.State.PC);
        Assert.AreEqual((0x11UL << 26) | 0x42, s.Cpu.Sys.Esr[1], "EC 0x11, IL = 0 (16-bit), imm8");
        Assert.AreEqual(User + 4, s.Cpu.Sys.Elr[1], "the preferred return is the next instruction");
        ulong spsr = s.Cpu.Sys.Spsr[1];
        Assert.AreEqual(1UL << 5, spsr & (1UL << 5), "T");
        // ITSTATE after the SVC: EQ with one more instruction (0000_1000) -> IT[7:2] = 000010 in bits 15..10.
        Assert.AreEqual(0x0800UL, spsr & 0x0600_FC00UL, "SPSR.IT holds the advanced state");

        // ERET back: the MOVEQ runs under the restored IT state, then the block is over.
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Thumb);
        Assert.AreEqual(0x08, s.Cpu.State.It);
        s.Cpu.Step();
        Assert.AreEqual(1u, R(s, 3));
        Assert.AreEqual(0, s.Cpu.State.It);
    }

    [TestMethod]
    public void EretWithAFailingItConditionSkipsTheInstruction()
    {
        // SPSR.IT = NE, one instruction left (0001_1000: IT[7:2] = 000110, IT[1:0] = 00), Z set.
        using var s = EnterThumb(ThumbUserSpsr | 0x4000_0000 | (0b000110u << 10), 0x2301, 0x2402); // movs r3, #1 ; movs r4, #2
        Assert.AreEqual(0x18, s.Cpu.State.It);
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.AreEqual(0u, R(s, 3), "MOVNE with Z set did not run");
        Assert.AreEqual(2u, R(s, 4));
        Assert.AreEqual(0u, s.Cpu.State.Nzcv, "the MOVS after the block set the flags");
    }

    [TestMethod]
    public void UdfAndBkptFromT32()
    {
        using var s = EnterThumb(ThumbUserSpsr, 0xDE07); // udf #7
        s.Cpu.Step();
        Assert.AreEqual(1UL << 25, s.Cpu.Sys.Esr[1], "EC 0x00 (IL = 1 for the Unknown class)");
        Assert.AreEqual(User, s.Cpu.Sys.Elr[1], "the preferred return is the UDF");

        using var b = EnterThumb(ThumbUserSpsr, 0xBF18, 0xBE05); // it ne ; bkpt #5
        b.Cpu.State.Nzcv = 0x4000_0000; // Z set: NE fails, but BKPT is unconditional inside an IT block
        b.Cpu.Step();
        b.Cpu.Step();
        Assert.AreEqual((0x38UL << 26) | 5, b.Cpu.Sys.Esr[1], "EC 0x38, IL = 0, imm8");
        Assert.AreEqual(User + 2, b.Cpu.Sys.Elr[1]);
    }

    [TestMethod]
    public void BxPcReturnsToA32AndBlxCallsT32()
    {
        using var s = EnterThumb(ThumbUserSpsr,
            0x4778,          // bx pc (at +0: to +4 in A32)
            0xBF00,          // nop (skipped)
            0x1003, 0xE280,  // add r1, r0, #3 (A32)
            0xFF30, 0xE12F); // blx r0 (A32, r0 odd: T32)
        s.Cpu.SetX(0, (uint)(User + 0x21));
        s.Bus.Load(User + 0x20, [0x4A, 0x18, 0x70, 0x47]); // adds r2, r1, r1 ; bx lr
        s.Cpu.Step();
        Assert.IsFalse(s.Cpu.State.Thumb);
        Assert.AreEqual(User + 4, s.Cpu.State.PC);
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.IsTrue(s.Cpu.State.Thumb);
        Assert.AreEqual((uint)(User + 12), R(s, 14), "LR from A32: the next A32 instruction, bit 0 clear");
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.IsFalse(s.Cpu.State.Thumb);
        Assert.AreEqual(User + 12, s.Cpu.State.PC);
        Assert.AreEqual(2 * (uint)(User + 0x24), R(s, 2));
    }

    [TestMethod]
    public void BlFromT32SetsLrBitZeroAndLiteralLoadsUseTheAlignedPc()
    {
        using var s = EnterThumb(ThumbUserSpsr,
            0xBF00,          // +0 nop
            0x4801,          // +2 ldr r0, [pc, #4] -> Align(+2 + 4, 4) + 4 = +8
            0xF000, 0xF803,  // +4 bl +0x0e (PC + 4 + 6)
            0x5678, 0x1234,  // +8 literal 0x12345678
            0xBF00, 0xBF00,
            0x4770);         // +0x10: bx lr
        s.Cpu.Step();
        s.Cpu.Step();
        Assert.AreEqual(0x1234_5678u, R(s, 0));
        s.Cpu.Step();
        Assert.AreEqual(User + 0x0E, s.Cpu.State.PC);
        Assert.AreEqual((uint)(User + 8) | 1, R(s, 14));
    }

    [TestMethod]
    public void AFetchFaultOnTheSecondHalfwordReportsItsAddress()
    {
        ulong last = SysCpu.RamBase + (1 << 20) - 2;
        using var s = EnterThumbAt(last, ThumbUserSpsr, 0xF8D0); // ldr.w r6, [r0, #4]: the second halfword is past RAM
        s.Cpu.Step();
        Assert.AreEqual(0x20UL, s.Cpu.Sys.Esr[1] >> 26, "instruction abort from a lower EL");
        Assert.AreEqual(last + 2, s.Cpu.Sys.Far[1], "FAR names the second halfword");
        Assert.AreEqual(last, s.Cpu.Sys.Elr[1], "the preferred return is the instruction");
    }

    [TestMethod]
    public void DecoderTablesHaveNoUnreachableRows()
    {
        var d = T32Decoder.Instance;
        // Each row's own fixed bits decode to it, or to a row at least as specific (an alias or a constraint's exception).
        foreach (var row in d.Narrow.Concat(d.Wide))
        {
            bool narrow = d.Narrow.Contains(row);
            uint sample = narrow ? row.Value & 0xFFFF : row.Value;
            var hit = d.DecodeRow(sample);
            int Fixed(A32Encoding e) => System.Numerics.BitOperations.PopCount(narrow ? e.Mask & 0xFFFF : e.Mask);
            Assert.IsTrue(hit == row || Fixed(hit) >= Fixed(row) || row.Constraint != null, $"{row.Name} decodes as {hit.Name}");
        }
        Assert.AreEqual("ADD (immediate, T1)", d.DecodeRow(0x1CC1).Name);
        Assert.AreEqual("IT", d.DecodeRow(0xBF0C).Name);
        Assert.AreEqual("NOP (hint, 16-bit)", d.DecodeRow(0xBF00).Name);
        Assert.AreEqual("ADD (register, T32)", d.DecodeRow(0xEB11_0401).Name);
        Assert.AreEqual("LDR (immediate, T32 imm12)", d.DecodeRow(0xF8D0_6004).Name);
        Assert.AreEqual("BL", d.DecodeRow(0xF000_F803).Name);
        Assert.AreSame(A32Decoder.Undefined, d.DecodeRow(0xB700), "1011 0111: unallocated");
        Assert.AreSame(A32Decoder.Undefined, d.DecodeRow(0xBA80), "HLT: not in Armv8.0 at EL0");
        Assert.AreEqual("CMN (register, T32)", d.DecodeRow(0xEB11_0F01).Name, "ADDS.W with Rd = PC is CMN");
        Assert.AreSame(A32Decoder.Undefined, d.DecodeRow(0xEB01_0F01), "ADD.W (S = 0) with Rd = PC: UNPREDICTABLE, UNDEFINED");
        // VFP and Advanced SIMD: the A32 rows with the T32 prefixes (1110 / 111U 1111 / 1111 1001), CRC32.
        Assert.AreEqual("VMLA/VMLS/VNMLA/VNMLS/VMUL/VNMUL/VADD/VSUB (T32)", d.DecodeRow(0xEE30_0A00).Name, "vadd.f32 s0, s0, s0");
        Assert.AreEqual("VSEL (T32)", d.DecodeRow(0xFE20_0A01).Name, "vselge.f32 s0, s0, s2");
        Assert.AreEqual("VADD..VPADD (integer, three same) (T32)", d.DecodeRow(0xEF00_0800).Name, "vadd.i8 d0, d0, d0");
        Assert.AreEqual("VSHR/VSRA/VRSHR/VRSRA/VSRI/VSHL/VSLI/VQSHLU/VQSHL (immediate) (T32)", d.DecodeRow(0xFF88_0010).Name, "vshr.u8 d0, d0, #8");
        Assert.AreEqual("VLD1-VLD4/VST1-VST4 (T32)", d.DecodeRow(0xF920_070F).Name, "vld1.8 {d0}, [r0]");
        Assert.AreEqual("CRC32/CRC32C (T32)", d.DecodeRow(0xFAC1_F082).Name, "crc32b r0, r1, r2");
        Assert.AreEqual("VFP data-processing/register move (unallocated)", d.DecodeRow(0xEE30_0A10).Name, "bit 4 set: UNDEFINED");
        Assert.AreSame(A32Decoder.Undefined.Handler, d.DecodeRow(0xEE30_0A10).Handler);
    }

    [TestMethod]
    public void ThumbExpandImmPatterns()
    {
        Assert.AreEqual(0xABu, T32Formats.ThumbExpandImm(0x0AB, out int c0));
        Assert.AreEqual(-1, c0);
        Assert.AreEqual(0x00AB_00ABu, T32Formats.ThumbExpandImm(0x1AB, out _));
        Assert.AreEqual(0xAB00_AB00u, T32Formats.ThumbExpandImm(0x2AB, out _));
        Assert.AreEqual(0xABAB_ABABu, T32Formats.ThumbExpandImm(0x3AB, out _));
        Assert.AreEqual(0x8000_0000u, T32Formats.ThumbExpandImm(0x400, out int c1), "'1':0000000 ROR 8");
        Assert.AreEqual(1, c1);
        Assert.AreEqual(0x0000_01FEu, T32Formats.ThumbExpandImm(0xFFF, out int c2), "'1':1111111 ROR 31");
        Assert.AreEqual(0, c2);
    }
}
