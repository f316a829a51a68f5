using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The CP14 debug registers of an AArch32 EL0 and EL1 (under an AArch64 EL1 or EL2, or on an AArch32-only PE) (Arm ARM
/// G8.3 "Debug registers", each with its "Architectural mapping" to the AArch64 register of D17.3), keyed as
/// <see cref="Key32"/> (MRC/MCR: opc1, CRn, CRm, opc2) and <see cref="Key64"/> (MRRC: opc1, CRm). The rows are
/// <see cref="Cp15Register"/>s (the same view machinery): reads and writes go through the AArch64 register, so the
/// breakpoints an AArch32 EL1 programs are the ones <see cref="SelfHostedDebug"/> checks and an AArch64 EL2 sees them,
/// and its access checks (MDCR_EL2.TDA, TDOSA, TDRA, TDE, HCR_EL2.TGE; MDCR_EL3) apply, reported as EC 0x05 (MCR/MRC)
/// or 0x0C (MRRC) by <see cref="A32System.Cp14"/>. Not here: the external-debug views DBGDTRRXext/TXext, DBGDSCRext's
/// external-only fields. LDC/STC to DBGDTRTXint/RXint are <see cref="A32System.LdcStcCp14"/>.
/// </summary>
internal static class Cp14RegisterTable
{
    /// <summary>The key of an MRC/MCR p14 encoding (the operands' coproc:opc1:opc2, CRn, CRm, as A32System keys them).</summary>
    public static int Key32(int opc1, int crn, int crm, int opc2) => (0xE00 | opc1 << 4 | opc2) << 8 | crn << 4 | crm;

    /// <summary>The key of an MRRC/MCRR p14 encoding.</summary>
    public static int Key64(int opc1, int crm) => (0xE00 | opc1 << 4) << 8 | crm;

    private static int Dbg(int op1, int crn, int crm, int op2) => SystemRegister.EncodeKey(2, op1, crn, crm, op2);

    // DBGDSCRext (G8.3.22) is MDSCR_EL1[31:0]. Writable without an external debugger: MDBGen (15), KDE (13: RES0 in
    // AArch32, kept for the AArch64 view), UDCCdis (12, MDSCR_EL1.TDCC), SS (0, the AArch64 view's) and MOE (5:2), which
    // the PE also writes on a debug exception taken to AArch32 (AArch32.TakeDebugException... "DBGDSCRext.MOE").
    internal const ulong DscrMoeMask = 0xFUL << 2;
    private const ulong DscrExtWritable = SystemRegisterTableBuilder.MdscrWritable | DscrMoeMask;

    // DBGDSCRint (G8.3.23): the read-only view of DBGDSCRext's RXfull (30), TXfull (29), MDBGen (15), UDCCdis (12) and
    // MOE (5:2). No debug communications channel is modelled: RXfull and TXfull read 0 (as MDCCSR_EL0).
    private const ulong DscrIntMask = (1UL << 15) | (1UL << 12) | DscrMoeMask;

    /// <summary>
    /// DBGDIDR (G8.3.21): WRPs, BRPs and CTX_CMPs from ID_AA64DFR0_EL1 (the same counts less one), Version = 0b0110
    /// (Armv8 debug) or, on an AArch32-only PE, the model's ID_DFR0.CopDbg (v7.1 debug: 0b0101), bit 15 RES1 (v7.1:
    /// DEVID_imp), nSUHD_imp and SE_imp set with EL3 (Security Extensions). An ARMv7.1 PE also has PCSR_imp (13) and
    /// its variant and revision in bits 7..0 (from MIDR; QEMU 7.2's cortex-a15 reports r2p1's 0x21 with its r4p0 MIDR).
    /// </summary>
    internal static ulong Dbgdidr(Cpu c)
    {
        ulong dfr0 = SystemRegisterTableBuilder.IdAa64Dfr0(c);
        bool v7 = c.Configuration.Model.Aarch32Only;
        ulong version = v7 ? c.Configuration.Model.Aarch32.Dfr0 & 0xF : 6;
        ulong midr = c.Configuration.Model.Midr;
        return ((dfr0 >> 20) & 0xF) << 28 | ((dfr0 >> 12) & 0xF) << 24 | ((dfr0 >> 28) & 0xF) << 20 | version << 16
            | 1UL << 15 | (c.Configuration.HasEl3 ? (1UL << 14) | (1UL << 12) : 0)
            | (v7 ? 1UL << 13 | ((midr >> 20) & 0xF) << 4 | (midr & 0xF) : 0);
    }

    // DBGDIDR, DBGDSCRint, DBGDTRRXint/TXint, DBGDRAR and DBGDSAR are the CP14 registers EL0 may access: DBGDSCRext.UDCCdis
    // (MDSCR_EL1.TDCC) traps that access (UNDEFINED at an AArch32 EL1, EC 0x05/0x0C to an AArch64 one), then MDCR_EL2.TDA
    // (TDRA for the ROM addresses) as for EL1 (AArch32.CheckCP14... / AArch64.AArch32SystemAccessTrap).
    private static SystemRegisterAccess UserDebug(Cpu c, bool write) => SystemRegisterTraps.DebugComms(c, write);

    private static SystemRegisterAccess UserDebugRom(Cpu c, bool write) =>
        SystemRegisterTraps.Then(c.State.EL == 0 && (c.Sys.Mdscr & (1UL << 12)) != 0 ? SystemRegisterAccess.TrapToEl1 : SystemRegisterAccess.Allowed,
            SystemRegisterTraps.DebugRom(c, write));

    // The registers of a PE with ThumbEE (ID_PFR0 bits 15..12), else UNDEFINED.
    private static SystemRegisterFile ThumbEe(Cpu c) =>
        ((c.Configuration.Model.Aarch32.Pfr0 >> 12) & 0xF) != 0 ? c.Sys : throw c.UndefinedException();

    // TEEHBR: UNDEFINED at PL0 while TEECR.XED is set.
    private static SystemRegisterFile ThumbEeHandlerBase(Cpu c) =>
        c.State.EL == 0 && (ThumbEe(c).Teecr & 1) != 0 ? throw c.UndefinedException() : c.Sys;

    /// <summary>HSTR.TTEE and HSTR.TJDBX (ARMv7 B4.1.74; RES0 in Armv8's HSTR_EL2, writable on an AArch32-only PE).</summary>
    internal const ulong HstrTtee = 1UL << 16, HstrTjdbx = 1UL << 17;

    // An HSTR bit that traps PL0 and PL1 accesses to Hyp mode while EL2 is enabled (the ThumbEE and Jazelle registers);
    // TEEHBR's UNDEFINED at PL0 (TEECR.XED) comes first.
    private static Func<Cpu, bool, SystemRegisterAccess> HypTrap(ulong bit) => (c, _) =>
        c.State.EL <= 1 && c.IsEl2Enabled && (c.Sys.Hstr & bit) != 0 && !(c.State.EL == 0 && (c.Sys.Teecr & 1) != 0 && bit == HstrTtee)
            ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.Allowed;

    private static ulong Low(ulong register, ulong value) => (register & 0xFFFF_FFFF_0000_0000UL) | (uint)value;

    /// <summary>Every MRC/MCR p14 register, by <see cref="Key32"/>.</summary>
    public static IReadOnlyDictionary<int, Cp15Register> Registers32 { get; } = Build32();

    /// <summary>Every MRRC p14 register, by <see cref="Key64"/>: DBGDRAR and DBGDSAR as 64-bit values.</summary>
    public static IReadOnlyDictionary<int, Cp15Register> Registers64 { get; } = new Dictionary<int, Cp15Register>
    {
        [Key64(0, 1)] = new("DBGDRAR", Dbg(0, 1, 0, 0), Cp15View.Full, MinEl: 0) { ReadOnly = true, Check = UserDebugRom },
        // DBGDSAR is RES0 from Armv8 (no memory-mapped debug: MDRAR_EL1.Valid = 0 too), with DBGDRAR's traps.
        [Key64(0, 2)] = new("DBGDSAR", -1, Cp15View.Full, MinEl: 0) { Read = static _ => 0, ReadOnly = true, Check = UserDebugRom },
    };

    private static Dictionary<int, Cp15Register> Build32()
    {
        var t = new Dictionary<int, Cp15Register>
        {
            [Key32(0, 0, 0, 0)] = new("DBGDIDR", -1, MinEl: 0) { Read = Dbgdidr, ReadOnly = true, Check = UserDebug },
            [Key32(0, 0, 1, 0)] = new("DBGDSCRint", Dbg(0, 0, 2, 2), MinEl: 0) { Read = static c => c.Sys.Mdscr & DscrIntMask, ReadOnly = true, Check = UserDebug },
            [Key32(0, 0, 2, 0)] = new("DBGDCCINT", Dbg(0, 0, 2, 0)),
            [Key32(0, 0, 2, 2)] = new("DBGDSCRext", Dbg(0, 0, 2, 2))
            {
                Write = static (c, v) =>
                {
                    c.Sys.Mdscr = Low(c.Sys.Mdscr, v & DscrExtWritable);
                    c.DebugRegistersChanged();
                },
            },
            // DBGDTRRXint (read) / DBGDTRTXint (write): the DCC's data registers. No external debugger fills RX or drains
            // TX: a read returns 0 (DTRRX's contents, RXfull being 0, are UNKNOWN), a write is lost.
            [Key32(0, 0, 5, 0)] = new("DBGDTRRXint/TXint", -1, MinEl: 0) { Read = static _ => 0, Write = static (_, _) => { }, Check = UserDebug },
            // DBGVCR is DBGVCR32_EL2: vector catch enables (SU, U, S, P, D, I, F of Non-secure state). Stored for an
            // AArch64 EL2 to save and restore; vector catch debug events are not generated (as QEMU 7.2, whose DBGVCR is a
            // NOP).
            [Key32(0, 0, 7, 0)] = new("DBGVCR", -1)
            {
                Read = static c => c.Sys.Dbgvcr32,
                Write = static (c, v) => c.Sys.Dbgvcr32 = v & SystemRegisterTableBuilder.Dbgvcr32Writable,
                Check = SystemRegisterTraps.Debug,
            },
            // DBGWFAR (ARMv7 C11.11.45): an ARMv7 PE's, written on a watchpoint debug exception; Armv8 has none (UNDEFINED,
            // as QEMU 7.2, which has none on its ARMv7 cores either).
            [Key32(0, 0, 6, 0)] = new("DBGWFAR", -1)
            {
                Read = static c => c.Sys.Dbgwfar,
                Write = static (c, v) => c.Sys.Dbgwfar = (uint)v,
                Check = static (c, write) => c.Configuration.Model.Aarch32Only ? SystemRegisterTraps.Debug(c, write) : SystemRegisterAccess.Undefined,
            },
            [Key32(0, 1, 0, 0)] = new("DBGDRAR", Dbg(0, 1, 0, 0), MinEl: 0) { ReadOnly = true, Check = UserDebugRom },
            [Key32(0, 2, 0, 0)] = new("DBGDSAR", -1, MinEl: 0) { Read = static _ => 0, ReadOnly = true, Check = UserDebugRom },
            // DBGOSLAR: the AArch32 key 0xC5ACCE55 locks, any other value unlocks (OSLAR_EL1 takes bit 0).
            [Key32(0, 1, 0, 4)] = new("DBGOSLAR", Dbg(0, 1, 0, 4), Cp15View.Full) { Operand = static v => (uint)v == 0xC5AC_CE55u ? 1UL : 0UL, WriteOnly = true },
            [Key32(0, 1, 1, 4)] = new("DBGOSLSR", Dbg(0, 1, 1, 4)) { ReadOnly = true },
            [Key32(0, 1, 3, 4)] = new("DBGOSDLR", Dbg(0, 1, 3, 4)),
            [Key32(0, 1, 4, 4)] = new("DBGPRCR", Dbg(0, 1, 4, 4)),
            [Key32(0, 7, 8, 6)] = new("DBGCLAIMSET", Dbg(0, 7, 8, 6)),
            [Key32(0, 7, 9, 6)] = new("DBGCLAIMCLR", Dbg(0, 7, 9, 6)),
            [Key32(0, 7, 14, 6)] = new("DBGAUTHSTATUS", Dbg(0, 7, 14, 6)) { ReadOnly = true },
            // DBGDEVID2 (RES0), DBGDEVID1 and DBGDEVID (G8.3.18-20): the model's (Cortex-A57/A53/A15 TRMs: PCSROffset = 2
            // in DBGDEVID1; DBGDEVID 0x01110F13: PCsample, WPAddrMask, BPAddrMask, VectorCatch, VirtExtns, DoubleLock,
            // AuxRegs, CIDMask), with DBGDIDR's EL1 traps.
            [Key32(0, 7, 0, 7)] = new("DBGDEVID2", -1) { Read = static _ => 0, ReadOnly = true, Check = SystemRegisterTraps.Debug },
            [Key32(0, 7, 1, 7)] = new("DBGDEVID1", -1) { Read = static _ => 0x2, ReadOnly = true, Check = SystemRegisterTraps.Debug },
            [Key32(0, 7, 2, 7)] = new("DBGDEVID", -1) { Read = static _ => 0x0111_0F13, ReadOnly = true, Check = SystemRegisterTraps.Debug },
            // ThumbEE (ARMv7, where ID_PFR0.State3 says it is implemented; no ThumbEE state is modelled): TEECR at PL1,
            // TEEHBR at PL0 too unless TEECR.XED is set (Linux's thumbee_notifier writes TEEHBR at every context switch).
            [Key32(6, 0, 0, 0)] = new("TEECR", -1)
            {
                Read = static c => ThumbEe(c).Teecr, Write = static (c, v) => ThumbEe(c).Teecr = v & 1, Check = HypTrap(HstrTtee),
            },
            [Key32(6, 1, 0, 0)] = new("TEEHBR", -1, MinEl: 0)
            {
                Read = static c => ThumbEeHandlerBase(c).Teehbr,
                Write = static (c, v) => ThumbEeHandlerBase(c).Teehbr = v,
                Check = HypTrap(HstrTtee),
            },
            // The trivial Jazelle implementation (ID_ISAR1.Jazelle = 1: BXJ, no Jazelle state; ARMv7 A2.10 "Jazelle direct
            // bytecode execution", Armv8's AArch32 the same): JIDR, JOSCR and JMCR RAZ/WI at PL1. HCR.TID0 traps JIDR's
            // reads from PL1, HSTR.TJDBX the accesses to JOSCR and JMCR (HSR EC 0x05). Xen saves and restores both.
            [Key32(7, 0, 0, 0)] = new("JIDR", -1)
            {
                Read = static _ => 0, ReadOnly = true, Check = static (c, _) => SystemRegisterTraps.HcrAtEl1(c, HcrEl2.Tid0),
            },
            [Key32(7, 1, 0, 0)] = new("JOSCR", -1) { Read = static _ => 0, Write = static (_, _) => { }, Check = HypTrap(HstrTjdbx) },
            [Key32(7, 2, 0, 0)] = new("JMCR", -1) { Read = static _ => 0, Write = static (_, _) => { }, Check = HypTrap(HstrTjdbx) },
        };
        // DBGBVRn, DBGBCRn, DBGWVRn, DBGWCRn: bits 31..0 of the AArch64 registers (opc2 4..7, CRm = n); DBGBXVRn (CRn = 1,
        // opc2 = 1) bits 63..32 of DBGBVRn_EL1, for the context-aware breakpoints only (the VMID of a VMID match). The rows
        // exist for the 16 possible units; a unit the PE does not have is UNDEFINED (its AArch64 register is missing).
        for (int n = 0; n < 16; n++)
        {
            // (DBGBVR bits 1:0 are RES0; kept as written, as the AArch64 view keeps them and QEMU does.)
            t[Key32(0, 0, n, 4)] = new($"DBGBVR{n}", Dbg(0, 0, n, 4));
            t[Key32(0, 0, n, 5)] = new($"DBGBCR{n}", Dbg(0, 0, n, 5));
            t[Key32(0, 0, n, 6)] = new($"DBGWVR{n}", Dbg(0, 0, n, 6));
            t[Key32(0, 0, n, 7)] = new($"DBGWCR{n}", Dbg(0, 0, n, 7));
            t[Key32(0, 1, n, 1)] = new($"DBGBXVR{n}", Dbg(0, 0, n, 4), Cp15View.High) { Check = ContextAwareOnly(n) };
        }
        return t;
    }

    // DBGBXVRn is implemented for the context-aware breakpoints only: UNDEFINED for the others, then the debug traps.
    private static Func<Cpu, bool, SystemRegisterAccess> ContextAwareOnly(int n) => (c, write) =>
        n < c.BreakpointCount - c.ContextAwareBreakpointCount ? SystemRegisterAccess.Undefined : SystemRegisterTraps.Debug(c, write);
}
