using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The Security Extensions' CP15 registers of an AArch32-only PE with EL3 (ARMv7 B4.1, Armv8 G8.2): SCR, SDER, NSACR and
/// MVBAR, and the Secure instances of the banked registers (CSSELR, SCTLR, TTBR0/1, TTBCR, DACR, DFSR, IFSR, DFAR, IFAR,
/// PAR, PRRR/NMRR, AMAIR0/1, VBAR, CONTEXTIDR, TPIDRURW, TPIDRURO, TPIDRPRW; ACTLR, FCSEIDR and the auxiliary fault status
/// registers are not banked on cortex-a15/a7 here, as in QEMU), each stored where <c>SystemRegisterFile</c> keeps it.
/// </summary>
internal static partial class Cp15RegisterTable
{
    // SCR (ARMv7 B4.1.129): NS, IRQ, FIQ, EA, FW, AW, nET, SCD, HCE, SIF (SCD and HCE with the Virtualization Extensions,
    // which the models with EL3 have); the rest RES0.
    internal const ulong ScrWritable = 0x3FF;
    // SDER: SUIDEN, SUNIDEN.
    private const ulong SderWritable = 0x3;
    // NSACR: cp10, cp11, NSD32DIS (RAZ/WI: D32 is implemented ... QEMU keeps it), NSASEDIS.
    private const ulong NsacrWritable = (1UL << 10) | (1UL << 11) | (1UL << 14) | (1UL << 15);

    private static ulong High(ulong register, ulong value) => (register & 0xFFFF_FFFFUL) | ((ulong)(uint)value << 32);

    // Only Secure PL1 (EL3) writes NSACR; Non-secure PL1 and Hyp mode read it (B4.1.111).
    private static SystemRegisterAccess NsacrCheck(Cpu c, bool write) => write && c.State.EL < 3 ? SystemRegisterAccess.Undefined : SystemRegisterAccess.Allowed;

    // TPIDRURO: read-only at PL0.
    private static SystemRegisterAccess UroCheck(Cpu c, bool write) => write && c.State.EL == 0 ? SystemRegisterAccess.Undefined : SystemRegisterAccess.Allowed;

    // The Secure instance of SCTLR takes the same write mask as the Non-secure one.
    private static ulong SctlrWrite(Cpu c, ulong register, ulong v) => Low(register, ((uint)v & SctlrWritable & ~(c.HasPan ? 0 : 1u << 23))
        | SctlrRes1 | (c.HasPan ? 0 : 1u << 23) | (c.Configuration.Model.Aarch32Only ? Armv7SctlrRao : 0));

    // ATS1C* from Secure state: the AArch64 AT (which walks the Secure PL1&0 regime while SCR.NS = 0) writes PAR_EL1;
    // the result belongs to PAR(S), in the format TTBCR(S) selects.
    private static Cp15Register SecureAt(string name, int instruction) => new(name + "(S)", -1, Cp15View.Full)
    {
        WriteOnly = true,
        Write = (c, v) =>
        {
            ulong ns = c.Sys.Par;
            c.SystemRegisters.Find(instruction)!.Write!(c, v);
            c.Sys.ParS = ShortFormatPar(c.Sys.Par, c.Sys.Tcr[3]);
            c.Sys.Par = ns;
        },
    };

    private static void AddSecurity(Dictionary<int, Cp15Register> t)
    {
        t[Key32(0, 1, 1, 0)] = new("SCR", -1, MinEl: 3) { Read = static c => c.Sys.Scr, Write = static (c, v) => c.Sys.Scr = v & ScrWritable };
        t[Key32(0, 1, 1, 1)] = new("SDER", -1, MinEl: 3) { Read = static c => c.Sys.Sder, Write = static (c, v) => c.Sys.Sder = v & SderWritable };
        t[Key32(0, 1, 1, 2)] = new("NSACR", -1) { Read = static c => c.Sys.Nsacr, Write = static (c, v) => c.Sys.Nsacr = v & NsacrWritable, Check = NsacrCheck };
        t[Key32(0, 12, 0, 1)] = new("MVBAR", -1, MinEl: 3) { Read = static c => c.Sys.Mvbar, Write = static (c, v) => c.Sys.Mvbar = v & 0xFFFF_FFE0 };

        void Bank(int key, Cp15Register secure) => t[key] = t[key] with { Secure = secure };
        Bank(Key32(2, 0, 0, 0), new("CSSELR(S)", -1) { Read = static c => c.Sys.CsselrS, Write = static (c, v) => c.Sys.CsselrS = v & 0xF });
        // CCSIDR is not banked, but describes the cache the current CSSELR instance selects.
        Bank(Key32(1, 0, 0, 0), new("CCSIDR", -1)
        {
            ReadOnly = true,
            Read = static c =>
            {
                ulong ns = c.Sys.Csselr;
                c.Sys.Csselr = c.Sys.CsselrS;
                ulong v = c.SystemRegisters.Find(Sys(1, 0, 0, 0))!.Read!(c);
                c.Sys.Csselr = ns;
                return v;
            },
        });
        Bank(Key32(0, 1, 0, 0), new("SCTLR(S)", -1) { Read = static c => (uint)c.Sys.Sctlr[3], Write = static (c, v) => c.Sys.Sctlr[3] = SctlrWrite(c, c.Sys.Sctlr[3], v) });
        Bank(Key32(0, 2, 0, 0), new("TTBR0(S)", -1) { Read = static c => (uint)c.Sys.Ttbr0[3], Write = static (c, v) => c.Sys.Ttbr0[3] = Low(c.Sys.Ttbr0[3], v) });
        Bank(Key32(0, 2, 0, 1), new("TTBR1(S)", -1) { Read = static c => (uint)c.Sys.Ttbr1[3], Write = static (c, v) => c.Sys.Ttbr1[3] = Low(c.Sys.Ttbr1[3], v) });
        Bank(Key32(0, 2, 0, 2), new("TTBCR(S)", -1) { Read = static c => (uint)c.Sys.Tcr[3], Write = static (c, v) => c.Sys.Tcr[3] = Low(c.Sys.Tcr[3], v) });
        // DACR(S): the domains are folded into the TLB's rights, so a write drops the PL1&0 translations (as TLBIALL).
        Bank(Key32(0, 3, 0, 0), new("DACR(S)", -1)
        {
            Read = static c => c.Sys.DacrS,
            Write = static (c, v) =>
            {
                c.Sys.DacrS = (uint)v;
                c.SystemRegisters.Find(Ins(0, 8, 7, 0))!.Write!(c, 0);
            },
        });
        Bank(Key32(0, 5, 0, 0), new("DFSR(S)", -1) { Read = static c => (uint)c.Sys.Esr[3], Write = static (c, v) => c.Sys.Esr[3] = (uint)v });
        Bank(Key32(0, 5, 0, 1), new("IFSR(S)", -1) { Read = static c => c.Sys.IfsrS, Write = static (c, v) => c.Sys.IfsrS = v & SystemRegisterTableBuilder.Ifsr32Writable });
        Bank(Key32(0, 6, 0, 0), new("DFAR(S)", -1) { Read = static c => (uint)c.Sys.Far[3], Write = static (c, v) => c.Sys.Far[3] = Low(c.Sys.Far[3], v) });
        Bank(Key32(0, 6, 0, 2), new("IFAR(S)", -1) { Read = static c => c.Sys.Far[3] >> 32, Write = static (c, v) => c.Sys.Far[3] = High(c.Sys.Far[3], v) });
        Bank(Key32(0, 7, 4, 0), new("PAR(S)", -1) { Read = static c => (uint)c.Sys.ParS, Write = static (c, v) => c.Sys.ParS = Low(c.Sys.ParS, v) });
        for (int op2 = 0; op2 < 4; op2++)
            Bank(Key32(0, 7, 8, op2), SecureAt(new[] { "ATS1CPR", "ATS1CPW", "ATS1CUR", "ATS1CUW" }[op2], Ins(0, 7, 8, op2)));
        Bank(Key32(0, 10, 2, 0), new("PRRR/MAIR0(S)", -1) { Read = static c => (uint)c.Sys.Mair[3], Write = static (c, v) => c.Sys.Mair[3] = Low(c.Sys.Mair[3], v) });
        Bank(Key32(0, 10, 2, 1), new("NMRR/MAIR1(S)", -1) { Read = static c => c.Sys.Mair[3] >> 32, Write = static (c, v) => c.Sys.Mair[3] = High(c.Sys.Mair[3], v) });
        Bank(Key32(0, 10, 3, 0), new("AMAIR0(S)", -1) { Read = static c => (uint)c.Sys.Amair[3], Write = static (c, v) => c.Sys.Amair[3] = Low(c.Sys.Amair[3], v) });
        Bank(Key32(0, 10, 3, 1), new("AMAIR1(S)", -1) { Read = static c => c.Sys.Amair[3] >> 32, Write = static (c, v) => c.Sys.Amair[3] = High(c.Sys.Amair[3], v) });
        Bank(Key32(0, 12, 0, 0), new("VBAR(S)", -1) { Read = static c => (uint)c.Sys.Vbar[3], Write = static (c, v) => c.Sys.Vbar[3] = Low(c.Sys.Vbar[3], v & 0xFFFF_FFE0) });
        Bank(Key32(0, 13, 0, 1), new("CONTEXTIDR(S)", -1) { Read = static c => c.Sys.ContextIdrS, Write = static (c, v) => c.Sys.ContextIdrS = (uint)v });
        Bank(Key32(0, 13, 0, 2), new("TPIDRURW(S)", -1, MinEl: 0) { Read = static c => c.Sys.TpidrurwS, Write = static (c, v) => c.Sys.TpidrurwS = (uint)v });
        Bank(Key32(0, 13, 0, 3), new("TPIDRURO(S)", -1, MinEl: 0) { Read = static c => c.Sys.TpidruroS, Write = static (c, v) => c.Sys.TpidruroS = (uint)v, Check = UroCheck });
        Bank(Key32(0, 13, 0, 4), new("TPIDRPRW(S)", -1) { Read = static c => (uint)c.Sys.Tpidr[3], Write = static (c, v) => c.Sys.Tpidr[3] = (uint)v });
    }

    // The 64-bit views of the banked TTBR0, TTBR1 and PAR (MCRR/MRRC).
    private static Dictionary<int, Cp15Register> Secure64() => new()
    {
        [Key64(0, 2)] = new("TTBR0(S)", -1, Cp15View.Full) { Read = static c => c.Sys.Ttbr0[3], Write = static (c, v) => c.Sys.Ttbr0[3] = v },
        [Key64(1, 2)] = new("TTBR1(S)", -1, Cp15View.Full) { Read = static c => c.Sys.Ttbr1[3], Write = static (c, v) => c.Sys.Ttbr1[3] = v },
        [Key64(0, 7)] = new("PAR(S)", -1, Cp15View.Full) { Read = static c => c.Sys.ParS, Write = static (c, v) => c.Sys.ParS = v },
    };
}
