using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// The CP14 debug registers from AArch32 (Cp14RegisterTable, A32System.Cp14): each AArch32 register is a view of its
/// AArch64 one (Arm ARM G8.3 "Architectural mapping"), the values QEMU 7.2 does not give (its DBGPRCR, claim tags,
/// DBGAUTHSTATUS and DBGDEVID* are UNDEFINED from AArch32; its DBGDIDR keeps EL3's bits without EL3; its 64-bit DBGDRAR is
/// not trapped by MDCR_EL2.TDRA), the MDCR_EL2 traps with the AArch32 ISS (EC 0x05, 0x0C), EL0's access under
/// DBGDSCRext.UDCCdis, and the debug exceptions taken from AArch32: halfword BAS matching, the AArch32 enable rule (no
/// KDE), and HDCR.TDE on an ARMv7 PE. tests/guests/debug32.elf runs the rest against QEMU.
/// </summary>
[TestClass]
public sealed class Cp14RegisterTests
{
    private const ulong Kernel = SysCpu.RamBase + 0x1_0000;
    private const ulong Vectors = SysCpu.RamBase;

    // MRC/MCR p14, opc1, Rt, CRn, CRm, opc2 and MRRC p14, opc1, Rt, Rt2, CRm (A32, cond AL).
    private static uint Mrc(int opc1, int rt, int crn, int crm, int opc2) =>
        0xEE10_0E10u | (uint)opc1 << 21 | (uint)crn << 16 | (uint)rt << 12 | (uint)opc2 << 5 | (uint)crm;
    private static uint Mcr(int opc1, int rt, int crn, int crm, int opc2) => Mrc(opc1, rt, crn, crm, opc2) & ~(1u << 20);
    private static uint Mrrc(int opc1, int rt, int rt2, int crm) => 0xEC50_0E00u | (uint)rt2 << 16 | (uint)rt << 12 | (uint)opc1 << 4 | (uint)crm;

    // An EL2 CPU running A32 code at AArch32 EL1 (Supervisor mode, HCR_EL2.RW = 0) entered by an ERET.
    private static SysCpu AtEl1(ulong hcr = 0, params uint[] a32)
    {
        var s = new SysCpu(highestEl: 2);
        s.Enter(2);
        s.Cpu.Sys.Hcr = hcr;
        Load(s, Kernel, a32);
        s.Cpu.Sys.Spsr[2] = 0x1D3;
        s.Cpu.Sys.Elr[2] = Kernel;
        s.Exec(Enc.Eret);
        Assert.IsTrue(s.Cpu.State.Aarch32);
        return s;
    }

    private static void Load(SysCpu s, ulong at, uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
        s.Bus.Load(at, bytes);
    }

    private static void Run(SysCpu s, params uint[] a32)
    {
        Load(s, s.Cpu.State.PC, a32);
        for (int i = 0; i < a32.Length; i++) s.Cpu.Step();
    }

    [TestMethod]
    public void WritesThroughCp14ReachTheAarch64RegistersAndReadBack()
    {
        using var s = AtEl1();
        var c = s.Cpu;
        c.SetX(0, 0x4040_1234);
        c.SetX(1, 0x1E7);
        c.SetX(2, 0xFF);
        c.SetX(3, 0x8000);
        c.SetX(4, 0x1234_5678);
        // DBGBVR1, DBGBCR1, DBGWVR2, DBGWCR2, DBGDSCRext, DBGBXVR5 (context-aware), DBGDCCINT, DBGOSDLR, DBGPRCR,
        // DBGCLAIMSET
        c.Sys.Dbgbvr[5] = 0x0000_0000_0000_0042;
        Run(s, Mcr(0, 0, 0, 1, 4), Mcr(0, 1, 0, 1, 5), Mcr(0, 0, 0, 2, 6), Mcr(0, 1, 0, 2, 7), Mcr(0, 3, 0, 2, 2),
            Mcr(0, 4, 1, 5, 1), Mcr(0, 3, 0, 2, 0), Mcr(0, 2, 1, 3, 4), Mcr(0, 2, 1, 4, 4), Mcr(0, 2, 7, 8, 6));
        Assert.AreEqual(0x4040_1234UL, c.Sys.Dbgbvr[1]);
        Assert.AreEqual(0x1E7UL, c.Sys.Dbgbcr[1]);
        Assert.AreEqual(0x4040_1234UL, c.Sys.Dbgwvr[2]);
        Assert.AreEqual(0x1E7UL, c.Sys.Dbgwcr[2]);
        Assert.AreEqual(0x8000UL, c.Sys.Mdscr, "DBGDSCRext.MDBGen is MDSCR_EL1.MDE");
        Assert.AreEqual(0x1234_5678_0000_0042UL, c.Sys.Dbgbvr[5], "DBGBXVR5 is DBGBVR5_EL1<63:32>");
        Assert.AreEqual(0UL, c.Sys.Mdccint, "DBGDCCINT is MDCCINT_EL1 (bits 30:29 only)");
        Assert.AreEqual(1UL, c.Sys.Osdlr);
        Assert.AreEqual(1UL, c.Sys.Dbgprcr);
        Assert.AreEqual(0xFFUL, c.Sys.DbgClaim);
        // Read back: DBGBCR1, DBGBXVR5, DBGOSDLR, DBGCLAIMCLR (the tags), DBGCLAIMSET (the implemented ones)
        Run(s, Mrc(0, 5, 0, 1, 5), Mrc(0, 6, 1, 5, 1), Mrc(0, 7, 1, 3, 4), Mrc(0, 8, 7, 9, 6), Mcr(0, 1, 7, 9, 6), Mrc(0, 9, 7, 9, 6));
        Assert.AreEqual(0x1E7UL, c.X(5));
        Assert.AreEqual(0x1234_5678UL, c.X(6));
        Assert.AreEqual(1UL, c.X(7));
        Assert.AreEqual(0xFFUL, c.X(8));
        Assert.AreEqual(0x18UL, c.X(9), "DBGCLAIMCLR of 0x1E7 cleared those tags");
        Assert.AreEqual(1, c.State.EL, "no access trapped or UNDEFINED");
    }

    [TestMethod]
    public void MissingUnitsAndDbgbxvrOfAnAddressOnlyBreakpointAreUndefined()
    {
        // cortex-a57: breakpoints 0-5 (4 and 5 context-aware), watchpoints 0-3.
        foreach (uint insn in new[] { Mrc(0, 0, 0, 6, 4), Mrc(0, 0, 0, 4, 7), Mrc(0, 0, 1, 0, 1), Mcr(0, 0, 1, 3, 1), Mrc(0, 0, 0, 3, 0) })
        {
            using var s = AtEl1(0, insn);
            s.Cpu.Step();
            Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode, $"0x{insn:x8} is UNDEFINED: the Undefined Instruction exception at EL1");
            Assert.AreEqual(1, s.Cpu.State.EL);
        }
    }

    [TestMethod]
    public void IdentificationAndStatusRegisters()
    {
        using var s = AtEl1();
        var c = s.Cpu;
        c.Sys.Mdscr = 0x8000 | (1UL << 12) | (1UL << 13) | 1 | (3UL << 2);
        c.Sys.Dbgvcr32 = 0;
        // DBGDIDR, DBGDSCRint, DBGDRAR, MRRC DBGDRAR, DBGDSAR, MRRC DBGDSAR, DBGAUTHSTATUS, DBGDEVID, DBGDEVID1, DBGDEVID2,
        // DBGOSLSR
        Run(s, Mrc(0, 0, 0, 0, 0), Mrc(0, 1, 0, 1, 0), Mrc(0, 2, 1, 0, 0), Mrrc(0, 3, 4, 1), Mrc(0, 5, 2, 0, 0), Mrrc(0, 6, 7, 2),
            Mrc(0, 8, 7, 14, 6), Mrc(0, 9, 7, 2, 7), Mrc(0, 10, 7, 1, 7), Mrc(0, 11, 7, 0, 7), Mrc(0, 12, 1, 1, 4));
        // WRPs 3, BRPs 5, CTX_CMPs 1, Version 6 (Armv8), bit 15 RES1; nSUHD_imp and SE_imp clear without EL3 (QEMU 7.2
        // reports cortex-a57's 0x3516d000 whatever its EL3).
        Assert.AreEqual(0x3516_8000UL, c.X(0), "DBGDIDR");
        Assert.AreEqual(0x8000UL | (1UL << 12) | (3UL << 2), c.X(1), "DBGDSCRint: MDBGen, UDCCdis, MOE (not KDE, SS)");
        Assert.AreEqual(0UL, c.X(2) | c.X(3) | c.X(4) | c.X(5) | c.X(6) | c.X(7), "no memory-mapped debug: DBGDRAR.Valid = 0, DBGDSAR RES0");
        Assert.AreEqual(0x0FUL, c.X(8), "DBGAUTHSTATUS: Non-secure invasive and non-invasive debug implemented and enabled");
        Assert.AreEqual(0x0111_0F13UL, c.X(9));
        Assert.AreEqual(0x2UL, c.X(10));
        Assert.AreEqual(0UL, c.X(11));
        Assert.AreEqual(0xAUL, c.X(12), "the OS lock is set at reset (OSLM = 0b10, OSLK)");
        using var el3 = new SysCpu(highestEl: 3);
        Assert.AreEqual(0x3516_D000UL, Cp14RegisterTable.Dbgdidr(el3.Cpu), "with EL3: nSUHD_imp and SE_imp (cortex-a57's TRM value)");
        Assert.AreEqual(0xFFUL, SystemRegisterTableBuilder.DbgAuthStatus(el3.Cpu));
        using var a15 = new SysCpu(highestEl: 2, model: CpuModel.CortexA15);
        Assert.AreEqual(0x3515_A040UL, Cp14RegisterTable.Dbgdidr(a15.Cpu), "v7.1 debug: DEVID_imp, PCSR_imp, r4p0 (QEMU 7.2: 0x3515f021)");
    }

    [TestMethod]
    public void MrcToApsrNzcvIsDbgdscrintsOnly()
    {
        using var s = AtEl1();
        s.Cpu.Sys.Mdscr = 0x8000; // MDBGen: N Z C V = bits 31..28 = 0
        s.Cpu.State.Nzcv = 0xF000_0000;
        Run(s, Mrc(0, 15, 0, 1, 0)); // mrc p14, 0, APSR_nzcv, c0, c1, 0
        Assert.AreEqual(0u, s.Cpu.State.Nzcv);
        Assert.AreEqual(Cpu.ModeSupervisor, s.Cpu.State.Mode);
        Run(s, Mrc(0, 15, 0, 0, 0)); // DBGDIDR to APSR_nzcv: UNPREDICTABLE, UNDEFINED here
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
    }

    [TestMethod]
    public void DbgoslarTakesTheAarch32KeyAndDbgvcrIsDbgvcr32El2()
    {
        using var s = AtEl1();
        var c = s.Cpu;
        c.SetX(0, 0xC5AC_CE55);
        c.SetX(1, 1);
        c.SetX(2, 0xFFFF_FFFF);
        Run(s, Mcr(0, 1, 1, 0, 4));
        Assert.IsFalse(c.Sys.OsLock, "any value but 0xC5ACCE55 unlocks");
        Run(s, Mcr(0, 0, 1, 0, 4));
        Assert.IsTrue(c.Sys.OsLock, "0xC5ACCE55 locks");
        Run(s, Mcr(0, 2, 0, 7, 0), Mrc(0, 3, 0, 7, 0));
        Assert.AreEqual(0xDEUL, c.Sys.Dbgvcr32, "DBGVCR's vector catch enables without EL3: U, S, P, D, I, F");
        Assert.AreEqual(0xDEUL, c.X(3));
        Assert.IsNotNull(c.SystemRegisters.Find(SystemRegister.EncodeKey(2, 4, 0, 7, 0)), "DBGVCR32_EL2 exists at EL2");
    }

    [TestMethod]
    [DataRow(1UL << 9, 0, 0, 5, 0, 5u, DisplayName = "TDA: DBGBCR0")]
    [DataRow(1UL << 10, 1, 1, 4, 0, 5u, DisplayName = "TDOSA: DBGOSLSR")]
    [DataRow(1UL << 11, 1, 0, 0, 0, 5u, DisplayName = "TDRA: DBGDRAR")]
    [DataRow(1UL << 8, 0, 0, 0, 0, 5u, DisplayName = "TDE: DBGDIDR")]
    public void MdcrEl2TrapsAreEc0x05WithTheAarch32Iss(ulong mdcr, int crn, int crm, int opc2, int opc1, uint ec)
    {
        using var s = AtEl1(0, Mrc(opc1, 3, crn, crm, opc2));
        s.Cpu.Sys.Mdcr[2] = mdcr;
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC);
        ulong iss = (1UL << 24) | (0xEUL << 20) | (ulong)opc2 << 17 | (ulong)opc1 << 14 | (ulong)crn << 10 | (3UL << 5) | (ulong)crm << 1 | 1;
        Assert.AreEqual((ulong)ec << 26 | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], $"ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        Assert.AreEqual(Kernel, s.Cpu.Sys.Elr[2]);
    }

    [TestMethod]
    public void MrrcOfDbgdrarTrappedByTdraIsEc0x0C()
    {
        // QEMU 7.2 does not trap the 64-bit DBGDRAR; the Arm ARM's DBGDRAR does (AArch32.CheckCP14... TDRA).
        using var s = AtEl1(0, Mrrc(0, 3, 4, 1));
        s.Cpu.Sys.Mdcr[2] = 1UL << 11;
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        ulong iss = (1UL << 24) | (0xEUL << 20) | (4UL << 10) | (3UL << 5) | (1UL << 1) | 1;
        Assert.AreEqual((0x0CUL << 26) | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], $"ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
    }

    // LDC/STC p14, c5 (A32), checked against arm-linux-gnueabihf-as: STC [r1, #8]; STC [r1, #-4]!; LDC [r1], #16;
    // LDC [r1], {3}; LDC [pc, #8] (literal).
    private const uint StcOffset = 0xED815E02, StcPreIndexed = 0xED215E01, LdcPostIndexed = 0xECB15E04, LdcUnindexed = 0xEC915E03,
        LdcLiteral = 0xED9F5E02;

    [TestMethod]
    public void LdcAndStcMoveWordsThroughTheDccInEveryAddressingMode()
    {
        // QEMU 7.2 makes LDC/STC to p14 UNDEFINED (qemu-arm -cpu cortex-a15 raises SIGILL), so this is the Arm ARM's
        // F5.1 LDC/STC alone: STC stores DBGDTRRXint (0: no external debugger fills it), LDC loads a word for DBGDTRTXint.
        const ulong data = Kernel + 0x800;
        using var s = AtEl1(0, StcOffset, StcPreIndexed, LdcPostIndexed, LdcUnindexed, LdcLiteral);
        var c = s.Cpu;
        for (int i = 0; i < 8; i++) Assert.IsTrue(s.Bus.TryWrite(data - 8 + 4 * (ulong)i, 4, 0xDEAD_0000u + (uint)i));
        c.SetR(1, (uint)data);
        c.Step();
        Assert.AreEqual((uint)data, c.R(1), "offset: no write-back");
        Assert.IsTrue(s.Bus.TryRead(data + 8, 4, out ulong stored));
        Assert.AreEqual(0UL, stored, "STC stores DBGDTRRXint");
        c.Step();
        Assert.AreEqual((uint)data - 4, c.R(1), "pre-indexed: written back");
        Assert.IsTrue(s.Bus.TryRead(data - 4, 4, out stored));
        Assert.AreEqual(0UL, stored);
        c.Step();
        Assert.AreEqual((uint)data + 12, c.R(1), "post-indexed: the access at the base, then base + 16");
        c.Step();
        Assert.AreEqual((uint)data + 12, c.R(1), "unindexed: imm8 is an option, no write-back");
        c.Step();
        Assert.AreEqual(Kernel + 20, c.State.PC);
        Assert.AreEqual(Cpu.ModeSupervisor, c.State.Mode, "still in Supervisor mode: no exception");
        // An unaligned address is MemA's Alignment fault: a Data Abort to Abort mode.
        c.SetR(1, (uint)data + 2);
        Run(s, StcOffset);
        Assert.AreEqual(Cpu.ModeAbort, c.State.Mode);
    }

    [TestMethod]
    [DataRow(StcOffset, 0x01E02034u, DisplayName = "STC [r1, #8]: imm8 2, U, AM offset")]
    [DataRow(StcPreIndexed, 0x01E01026u, DisplayName = "STC [r1, #-4]!: imm8 1, AM pre-indexed")]
    [DataRow(LdcPostIndexed, 0x01E04033u, DisplayName = "LDC [r1], #16: imm8 4, U, AM post-indexed, read")]
    [DataRow(LdcUnindexed, 0x01E03031u, DisplayName = "LDC [r1], {3}: imm8 3, U, AM unindexed, read")]
    [DataRow(LdcLiteral, 0x01E021FDu, DisplayName = "LDC [pc, #8]: Rn 15, AM literal offset")]
    public void LdcStcTrappedByTdaAreEc0x06WithTheirIss(uint word, uint iss)
    {
        using var s = AtEl1(0, word);
        s.Cpu.SetR(1, (uint)Kernel + 0x800);
        s.Cpu.Sys.Mdcr[2] = 1UL << 9; // MDCR_EL2.TDA
        s.Cpu.Step();
        Assert.AreEqual(2, s.Cpu.State.EL);
        Assert.AreEqual(Vectors + 0x600, s.Cpu.State.PC);
        Assert.AreEqual((0x06UL << 26) | (1UL << 25) | iss, s.Cpu.Sys.Esr[2], $"ESR_EL2 0x{s.Cpu.Sys.Esr[2]:x}");
        Assert.AreEqual(Kernel, s.Cpu.Sys.Elr[2]);
        Assert.AreEqual((uint)Kernel + 0x800, s.Cpu.R(1), "no write-back before the trap");
    }

    [TestMethod]
    public void T32LdcStcDecodeAsTheA32Encodings()
    {
        // LDC p14, c5, [r1, #8] and STC p14, c5, [r1], #-4 in T32 (hw1:hw2), and the UNDEFINED P = U = W = 0.
        var ldc = Armv7Decoders.T32.Decode(0xED915E02);
        Assert.AreEqual(A32System.LdcStcCp14, ldc.Encoding.Handler);
        Assert.AreEqual(0x01E02035u, A32System.LdcStcIss(ldc.Operands, 1));
        var stc = Armv7Decoders.T32.Decode(0xEC215E01);
        Assert.AreEqual(0x01E01022u, A32System.LdcStcIss(stc.Operands, 1), "post-indexed, subtract");
        Assert.AreNotEqual(A32System.LdcStcCp14, Armv7Decoders.A32.Decode(0xEC115E00).Encoding.Handler, "P = U = W = 0: UNDEFINED");
        Assert.AreNotEqual(A32System.LdcStcCp14, Armv7Decoders.A32.Decode(0xED815F02).Encoding.Handler, "CRd 15: UNDEFINED");
        Assert.AreNotEqual(A32System.LdcStcCp14, Armv7Decoders.T32.Decode(0xEC9F5E02).Encoding.Handler, "T32 LDC literal unindexed: UNDEFINED");
    }

    [TestMethod]
    public void El0LdcStcTrapUnderUdccdis()
    {
        // AArch32 EL0 under an AArch64 EL1: STC [r1], #4 runs; with MDSCR_EL1.TDCC (DBGDSCRext.UDCCdis) it is EC 0x06 to EL1.
        foreach (bool tdcc in new[] { false, true })
        {
            using var s = new SysCpu(highestEl: 1);
            s.Enter(1);
            s.Cpu.Sys.Mdscr = tdcc ? 1UL << 12 : 0;
            Load(s, Kernel, [0xECA15E01]); // STC p14, c5, [r1], #4
            s.Cpu.Sys.Spsr[1] = 0x10;
            s.Cpu.Sys.Elr[1] = Kernel;
            s.Exec(Enc.Eret);
            Assert.AreEqual(0, s.Cpu.State.EL);
            s.Cpu.SetR(1, (uint)Kernel + 0x800);
            s.Cpu.Step();
            if (tdcc)
            {
                Assert.AreEqual(1, s.Cpu.State.EL);
                Assert.AreEqual((0x06UL << 26) | (1UL << 25) | 0x01E01032u, s.Cpu.Sys.Esr[1], $"ESR_EL1 0x{s.Cpu.Sys.Esr[1]:x}");
                continue;
            }
            Assert.AreEqual(0, s.Cpu.State.EL);
            Assert.AreEqual((uint)Kernel + 0x804, s.Cpu.R(1));
        }
    }

    [TestMethod]
    public void El0ReadsTheUserDebugRegistersUnlessUdccdis()
    {
        // AArch32 EL0 (User mode) under an AArch64 EL1: DBGDIDR and DBGDSCRint readable, DBGBCR0 UNDEFINED (EC 0x00 to
        // EL1); with MDSCR_EL1.TDCC (DBGDSCRext.UDCCdis) DBGDIDR traps with EC 0x05.
        foreach (bool tdcc in new[] { false, true })
        {
            using var s = new SysCpu(highestEl: 1);
            s.Enter(1);
            s.Cpu.Sys.Mdscr = tdcc ? 1UL << 12 : 0;
            Load(s, Kernel, [Mrc(0, 0, 0, 0, 0), Mrc(0, 1, 0, 1, 0), Mrc(0, 2, 0, 0, 5)]);
            s.Cpu.Sys.Spsr[1] = 0x10;
            s.Cpu.Sys.Elr[1] = Kernel;
            s.Exec(Enc.Eret);
            Assert.AreEqual(0, s.Cpu.State.EL);
            s.Cpu.Step();
            if (tdcc)
            {
                Assert.AreEqual(1, s.Cpu.State.EL);
                Assert.AreEqual(0x05UL, s.Cpu.Sys.Esr[1] >> 26, $"ESR_EL1 0x{s.Cpu.Sys.Esr[1]:x}");
                continue;
            }
            s.Cpu.Step();
            Assert.AreEqual(0, s.Cpu.State.EL);
            Assert.AreEqual(0x3516_8000UL, s.Cpu.X(0));
            Assert.AreEqual(0UL, s.Cpu.X(1));
            s.Cpu.Step();
            Assert.AreEqual(1, s.Cpu.State.EL);
            Assert.AreEqual(0x00UL, s.Cpu.Sys.Esr[1] >> 26, "DBGBCR0 at EL0: UNDEFINED");
        }
    }

    [TestMethod]
    public void AnAarch32El1TakesItsOwnBreakpointsWithoutKde()
    {
        // AArch32.GenerateDebugExceptionsFrom: no KDE, no PSTATE.D in AArch32; MDBGen (MDE) and the OS lock decide.
        using var s = AtEl1(0, 0xE320_F000, 0xE320_F000); // nop; nop
        var c = s.Cpu;
        c.Sys.OsLock = false;
        c.Sys.Mdscr = 0x8000;
        c.Sys.Dbgbvr[0] = Kernel + 4;
        c.Sys.Dbgbcr[0] = (0xFUL << 5) | (3UL << 1) | 1;
        c.Step();
        Assert.AreEqual(Kernel + 4, c.State.PC);
        c.Step();
        Assert.AreEqual(Cpu.ModeAbort, c.State.Mode, "a Prefetch Abort at EL1");
        Assert.AreEqual(Kernel + 8, c.X(20), "LR_abt = the instruction + 4");
        Assert.AreEqual(0x2UL, c.Sys.Ifsr32, "IFSR: debug event");
        Assert.AreEqual(1UL, (c.Sys.Mdscr >> 2) & 0xF, "DBGDSCRext.MOE: breakpoint");
    }

    [TestMethod]
    public void ALinkedContextIdBreakpointMatchesAt32BitContextidr()
    {
        // Breakpoint 0 (linked address match, LBN = 4) fires only while CONTEXTIDR (written by MCR p15) equals
        // breakpoint 4's linked context ID.
        using var s = AtEl1(0, 0xEE0D_0F30, 0xE320_F000, 0xEE0D_1F30, 0xE320_F000); // mcr CONTEXTIDR, r0; nop; mcr CONTEXTIDR, r1; nop
        var c = s.Cpu;
        c.Sys.OsLock = false;
        c.Sys.Mdscr = 0x8000;
        c.SetX(0, 0x41);
        c.SetX(1, 0x42);
        c.Sys.Dbgbvr[4] = 0x42;
        c.Sys.Dbgbcr[4] = (0b0011UL << 20) | (3UL << 1) | 1;                        // linked context ID match
        c.Sys.Dbgbvr[0] = Kernel + 12;
        c.Sys.Dbgbcr[0] = (0b0001UL << 20) | (4UL << 16) | (0xFUL << 5) | (3UL << 1) | 1; // linked address match, LBN 4
        c.Sys.Dbgbvr[1] = Kernel + 4;
        c.Sys.Dbgbcr[1] = (0b0001UL << 20) | (4UL << 16) | (0xFUL << 5) | (3UL << 1) | 1;
        c.Step();
        c.Step();
        Assert.AreEqual(Kernel + 8, c.State.PC, "CONTEXTIDR 0x41: breakpoint 1 does not fire");
        c.Step();
        c.Step();
        Assert.AreEqual(Cpu.ModeAbort, c.State.Mode, "CONTEXTIDR 0x42: breakpoint 0 fires");
        Assert.AreEqual(Kernel + 16, c.X(20));
    }

    [TestMethod]
    [DataRow(0xE192_0F9Fu, 1UL, DisplayName = "LDREX: EX = 1")]
    [DataRow(0xE1D2_0E9Fu, 1UL, DisplayName = "LDAEXB: EX = 1")]
    [DataRow(0xE192_0C9Fu, 0UL, DisplayName = "LDA: EX = 0")]
    [DataRow(0x0840_0002u, 0UL, DisplayName = "STMDAEQ ^ (condition failed): EX = 0, not A64's LDXR pattern")]
    public void SoftwareStepOfAarch32El0ReportsExForItsLoadExclusives(uint a32, ulong ex)
    {
        // An AArch64 EL1 steps AArch32 EL0 code (MDSCR_EL1.SS, SPSR_EL1.SS): one instruction, then the Software Step
        // exception (EC 0x32) with ISV = 1 and EX for an AArch32 load-exclusive (SoftwareStep_SteppedEX).
        using var s = new SysCpu(highestEl: 1);
        s.Enter(1);
        var c = s.Cpu;
        c.Sys.OsLock = false;
        c.Sys.Mdscr = 1;
        c.SetX(2, SysCpu.RamBase + 0x3000);
        Load(s, Kernel, [a32, 0xE320_F000]);
        c.Sys.Spsr[1] = 0x10 | (1UL << 21); // User mode, SS
        c.Sys.Elr[1] = Kernel;
        s.Exec(Enc.Eret);
        Assert.AreEqual(0, c.State.EL);
        c.Step();
        Assert.AreEqual(0, c.State.EL, "the stepped instruction executes");
        c.Step();
        Assert.AreEqual(1, c.State.EL);
        Assert.AreEqual((0x32UL << 26) | (1UL << 25) | (1UL << 24) | (ex << 6) | 0x22, c.Sys.Esr[1], $"ESR_EL1 0x{c.Sys.Esr[1]:x}");
        Assert.AreEqual(Kernel + 4, c.Sys.Elr[1]);
    }

    [TestMethod]
    public void NoSoftwareStepWithAnAarch32DebugTarget()
    {
        // An AArch32 EL1 (the debug target without MDCR_EL2.TDE) sets DBGDSCRext bit 0 (MDSCR_EL1.SS): no software step.
        // With TDE the AArch64 EL2 is the target, and stepping the AArch32 EL1 works (EC 0x32 to EL2).
        foreach (bool tde in new[] { false, true })
        {
            using var s = AtEl1(0, 0xE320_F000, 0xE320_F000, 0xE320_F000);
            var c = s.Cpu;
            c.Sys.OsLock = false;
            c.Sys.Mdscr = 1;
            c.Sys.Mdcr[2] = tde ? 1UL << 8 : 0;
            c.State.SoftwareStep = true; // as an ERET with SPSR_EL2.SS would leave it
            c.Step();
            c.Step();
            if (!tde)
            {
                c.Step();
                Assert.AreEqual(1, c.State.EL, "no Software Step exception");
                Assert.AreEqual(Kernel + 12, c.State.PC);
                continue;
            }
            Assert.AreEqual(2, c.State.EL);
            Assert.AreEqual(0x32UL, c.Sys.Esr[2] >> 26, $"ESR_EL2 0x{c.Sys.Esr[2]:x}");
            Assert.AreEqual(Kernel + 4, c.Sys.Elr[2], "one instruction stepped");
        }
    }

    [TestMethod]
    public void ByteAddressSelectPicksTheHalfwordOfAT32Instruction()
    {
        // T32 NOPs at Kernel (word), Kernel + 2, Kernel + 4: BAS 0b1100 on the first word matches Kernel + 2 only.
        using var s = AtEl1();
        var c = s.Cpu;
        s.Bus.Load(Kernel + 0x100, [0x00, 0xBF, 0x00, 0xBF, 0x00, 0xBF]);
        c.Sys.OsLock = false;
        c.Sys.Mdscr = 0x8000;
        c.Sys.Dbgbvr[0] = Kernel + 0x100;
        c.Sys.Dbgbcr[0] = (0xCUL << 5) | (3UL << 1) | 1;
        c.Sys.Sctlr[1] |= 1UL << 30; // SCTLR.TE: exceptions in T32 (the vector is T32 too)
        c.State.Thumb = true;
        c.State.PC = Kernel + 0x100;
        c.Step();
        Assert.AreEqual(Kernel + 0x102, c.State.PC, "BAS<0> clear: no match at the word");
        c.Step();
        Assert.AreEqual(Cpu.ModeAbort, c.State.Mode, "BAS<2>: the halfword at +2");
        Assert.AreEqual(Kernel + 0x106, c.X(20));
        Assert.IsTrue(SelfHostedDebug.BreakpointValueMatch(c, 0, Kernel + 0x102, linkedTo: false));
        Assert.IsFalse(SelfHostedDebug.BreakpointValueMatch(c, 0, Kernel + 0x100, linkedTo: false));
    }

    [TestMethod]
    public void ARMv7HypTakesBkptAndBreakpointsUnderHdcrTdeAsPrefetchAborts()
    {
        // cortex-a15 in Hyp mode ERETs to Supervisor mode with HDCR.TDE: BKPT and a breakpoint go to the Hyp Trap vector
        // with HSR EC 0x20 and IFSC = debug event (AArch32.TakePrefetchAbortException with route_to_hyp); the watchpoint
        // units are the TRM's six breakpoints and four watchpoints.
        using var s = new SysCpu(highestEl: 2, model: CpuModel.CortexA15);
        var c = s.Cpu;
        Assert.AreEqual(6, c.BreakpointCount);
        Assert.AreEqual(4, c.WatchpointCount);
        Load(s, SysCpu.CodeBase + 0x100, [0xE120_0070 | 0x5, 0xE320_F000]); // bkpt #5; nop
        c.Sys.Mdcr[2] = 1UL << 8;
        c.Sys.Spsr[2] = 0x1D3;
        c.Sys.Elr[2] = SysCpu.CodeBase + 0x100;
        s.Exec(0xE160_006E); // eret
        Assert.AreEqual(1, c.State.EL);
        c.Step();
        Assert.AreEqual(2, c.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x14, c.State.PC, "the Hyp Trap vector");
        Assert.AreEqual((0x20UL << 26) | 0x22, c.Sys.Esr[2], "HSR: Prefetch Abort from PL1 (IL 0 in ARMv7), IFSC debug event");
        Assert.AreEqual(3UL, (c.Sys.Mdscr >> 2) & 0xF, "DBGDSCRext.MOE: BKPT");
    }

    [TestMethod]
    public void ARMv7HypTakesAWatchpointUnderHdcrTdeAsADataAbortWithHdfar()
    {
        using var s = new SysCpu(highestEl: 2, model: CpuModel.CortexA15);
        var c = s.Cpu;
        Load(s, SysCpu.CodeBase + 0x100, [0xE580_1004]); // str r1, [r0, #4]
        c.Sys.Mdcr[2] = 1UL << 8;
        c.Sys.OsLock = false;
        c.Sys.Mdscr = 0x8000;
        c.Sys.Dbgwvr[0] = SysCpu.RamBase + 0x2000;
        c.Sys.Dbgwcr[0] = (0xF0UL << 5) | (2UL << 3) | (3UL << 1) | 1; // bytes 4-7, stores, PL0 and PL1
        c.Sys.Spsr[2] = 0x1D3;
        c.Sys.Elr[2] = SysCpu.CodeBase + 0x100;
        s.Exec(0xE160_006E); // eret
        c.SetX(0, SysCpu.RamBase + 0x2000);
        c.Step();
        Assert.AreEqual(2, c.State.EL);
        Assert.AreEqual(SysCpu.RamBase + 0x14, c.State.PC);
        Assert.AreEqual((0x24UL << 26) | (1UL << 6) | 0x22, c.Sys.Esr[2], $"HSR 0x{c.Sys.Esr[2]:x}: Data Abort from PL1, WnR, DFSC debug event");
        Assert.AreEqual(SysCpu.RamBase + 0x2004, c.Sys.Far[2] & 0xFFFF_FFFF, "HDFAR");
        Assert.AreEqual(SysCpu.CodeBase + 0x100, c.Sys.Elr[2], "ELR_hyp: the store, to run again");
        Assert.AreEqual(0xAUL, (c.Sys.Mdscr >> 2) & 0xF, "DBGDSCRext.MOE: synchronous watchpoint");
        Assert.AreEqual(SysCpu.CodeBase + 0x108, c.Sys.Dbgwfar, "DBGWFAR: the A32 store + 8 (QEMU 7.2 has no DBGWFAR)");
        // Read back from Hyp mode: mrc p14, 0, r2, c0, c6, 0
        s.Bus.Load(c.State.PC, BitConverter.GetBytes(Mrc(0, 2, 0, 6, 0)));
        c.Step();
        Assert.AreEqual(SysCpu.CodeBase + 0x108, c.X(2));
    }

    [TestMethod]
    public void Armv8HasNoDbgwfar()
    {
        using var s = AtEl1(0, Mrc(0, 0, 0, 6, 0));
        s.Cpu.Step();
        Assert.AreEqual(Cpu.ModeUndefined, s.Cpu.State.Mode);
    }
}
