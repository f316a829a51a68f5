using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

internal static partial class Cp15RegisterTable
{
    /// <summary>The key of an MRC/MCR p14 encoding (the coprocessor number is part of every key).</summary>
    public static int Key14(int opc1, int crn, int crm, int opc2) => (0xE00 | opc1 << 4 | opc2) << 8 | crn << 4 | crm;

    // The CP14 debug registers of self-hosted debug (Arm ARM G8.3 "Debug registers", each with its "Architectural mapping":
    // the AArch64 register with op0 = 0b10 and the same op1, CRn, CRm, op2), so that an AArch32 kernel's hw_breakpoint
    // code (Linux reads DBGDIDR and, for v7.1 debug, clears the OS lock, the vector catch and every breakpoint and
    // watchpoint, then sets DBGDSCRext.MDBGen) sees the breakpoints and watchpoints the AArch64 side checks.
    // The 32-bit AArch64 registers (and the write-only OSLAR_EL1) are Full views; DBGBVR, DBGWVR and DBGDRAR the low half.
    private static void AddDebug(Dictionary<int, Cp15Register> t)
    {
        t[Key14(0, 0, 0, 0)] = new("DBGDIDR", -1) { Read = Dbgdidr, ReadOnly = true };
        // DBGDSCRint: the read-only view of DBGDSCRext's fields a PL0/PL1 read may see (MDBGen, UDCCdis, TXfull/RXfull 0).
        t[Key14(0, 0, 1, 0)] = new("DBGDSCRint", -1) { Read = c => c.Sys.Mdscr & DbgdscrIntVisible, ReadOnly = true };
        t[Key14(0, 0, 2, 0)] = new("DBGDCCINT", Debug(0, 0, 2, 0), Cp15View.Full);
        t[Key14(0, 0, 2, 2)] = new("DBGDSCRext", Debug(0, 0, 2, 2), Cp15View.Full);
        // DBGVCR (DBGVCR32_EL2's view): vector catch is not modelled; its bits are kept for reads.
        t[Key14(0, 0, 7, 0)] = new("DBGVCR", -1) { Read = c => c.Sys.Dbgvcr, Write = (c, v) => c.Sys.Dbgvcr = v & DbgvcrWritable };
        for (int n = 0; n < 16; n++)
        {
            // Only those ID_AA64DFR0_EL1 (DBGDIDR) counts exist: the others find no AArch64 register and are UNDEFINED.
            t[Key14(0, 0, n, 4)] = new($"DBGBVR{n}", Debug(0, 0, n, 4));
            t[Key14(0, 0, n, 5)] = new($"DBGBCR{n}", Debug(0, 0, n, 5), Cp15View.Full);
            t[Key14(0, 0, n, 6)] = new($"DBGWVR{n}", Debug(0, 0, n, 6));
            t[Key14(0, 0, n, 7)] = new($"DBGWCR{n}", Debug(0, 0, n, 7), Cp15View.Full);
        }
        t[Key14(0, 1, 0, 0)] = new("DBGDRAR", Debug(0, 1, 0, 0)) { ReadOnly = true };
        t[Key14(0, 2, 0, 0)] = new("DBGDSAR", -1) { Read = _ => 0, ReadOnly = true }; // no memory-mapped debug: RAZ
        t[Key14(0, 1, 0, 4)] = new("DBGOSLAR", Debug(0, 1, 0, 4), Cp15View.Full);
        t[Key14(0, 1, 1, 4)] = new("DBGOSLSR", Debug(0, 1, 1, 4), Cp15View.Full);
        t[Key14(0, 1, 3, 4)] = new("DBGOSDLR", Debug(0, 1, 3, 4), Cp15View.Full);
        t[Key14(0, 1, 4, 4)] = new("DBGPRCR", Debug(0, 1, 4, 4), Cp15View.Full);
        // ThumbEE (ARMv7, where ID_PFR0.State3 says it is implemented; no ThumbEE state is modelled): TEECR at PL1, TEEHBR
        // at PL0 too unless TEECR.XED is set (Linux's thumbee_notifier writes TEEHBR at every context switch).
        t[Key14(6, 0, 0, 0)] = new("TEECR", -1) { Read = c => ThumbEe(c).Teecr, Write = (c, v) => ThumbEe(c).Teecr = v & 1 };
        t[Key14(6, 1, 0, 0)] = new("TEEHBR", -1, MinEl: 0)
        {
            Read = c => ThumbEeHandlerBase(c).Teehbr,
            Write = (c, v) => ThumbEeHandlerBase(c).Teehbr = v,
        };
        t[Key14(0, 7, 8, 6)] = new("DBGCLAIMSET", Debug(0, 7, 8, 6), Cp15View.Full);
        t[Key14(0, 7, 9, 6)] = new("DBGCLAIMCLR", Debug(0, 7, 9, 6), Cp15View.Full);
    }

    // The registers of a PE with ThumbEE (ID_PFR0 bits 15..12), else UNDEFINED.
    private static SystemRegisterFile ThumbEe(Cpu c) =>
        ((c.Configuration.Model.Aarch32.Pfr0 >> 12) & 0xF) != 0 ? c.Sys : throw c.UndefinedException();

    // TEEHBR: UNDEFINED at PL0 while TEECR.XED is set.
    private static SystemRegisterFile ThumbEeHandlerBase(Cpu c) =>
        c.State.EL == 0 && (ThumbEe(c).Teecr & 1) != 0 ? throw c.UndefinedException() : c.Sys;

    private static int Debug(int op1, int crn, int crm, int op2) => A64(2, op1, crn, crm, op2);

    // DBGDSCRint (G8.3.14) shows MDBGen (15), UDCCdis (12) and the DCC flags of DBGDSCRext.
    private const ulong DbgdscrIntVisible = (1UL << 15) | (1UL << 12);

    // DBGVCR on a PE without EL3: the Non-secure vector catch bits 31..25, 7..6 and 4..1 (G8.3.34).
    internal const ulong DbgvcrWritable = 0xFE00_00DE;

    // DBGDIDR (G8.3.12): WRPs, BRPs, CTX_CMPs (the counts minus one, from ID_AA64DFR0_EL1), Version (v7.1 debug, 0b0101,
    // on an ARMv7 PE; Armv8, 0b0110, otherwise), DEVID_imp, nSUHD_imp, PCSR_imp and SE_imp as QEMU's cortex-a15 reports
    // them (Armv8: bit 15 RES1, nSUHD_imp, SE_imp with EL3), Variant and Revision from MIDR.
    private static ulong Dbgdidr(Cpu c)
    {
        ulong dfr0 = SystemRegisterTableBuilder.IdAa64Dfr0(c);
        ulong midr = c.Configuration.Model.Midr;
        bool v7 = c.Configuration.Model.Aarch32Only;
        ulong implemented = v7 ? 0xF000UL : (1UL << 15) | (1UL << 14) | (c.Configuration.HasEl3 ? 1UL << 12 : 0);
        return (((dfr0 >> 20) & 0xF) << 28) | (((dfr0 >> 12) & 0xF) << 24) | (((dfr0 >> 28) & 0xF) << 20)
            | ((v7 ? 5UL : 6UL) << 16) | implemented | (((midr >> 20) & 0xF) << 4) | (midr & 0xF);
    }
}
