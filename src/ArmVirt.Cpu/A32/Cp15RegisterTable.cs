using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>Which bits of its AArch64 register an AArch32 System register is (Arm ARM "Architectural mapping" of each register).</summary>
internal enum Cp15View : byte
{
    /// <summary>The whole AArch64 register (the 64-bit MCRR/MRRC registers), or a 32-bit register that is all of it.</summary>
    Full,
    /// <summary>Bits 31..0 (SCTLR = SCTLR_EL1[31:0], DFAR = FAR_EL1[31:0], PRRR = MAIR_EL1[31:0] ...).</summary>
    Low,
    /// <summary>Bits 63..32 (IFAR = FAR_EL1[63:32], NMRR = MAIR_EL1[63:32], TTBCR2 = TCR_EL1[63:32] ...).</summary>
    High,
}

/// <summary>
/// One CP15 register or operation reachable by MRC/MCR (or MRRC/MCRR) and the AArch64 System register or instruction it
/// is architecturally mapped to: reads and writes go through that register's own behaviour and access checks (HCR_EL2
/// TVM/TRVM, TID1-3, TACR, TPC, TPU, TSW, TTLB ...), so an AArch64 EL2 sees what the AArch32 EL1 wrote. Registers whose
/// AArch32 view has its own rules give <see cref="Read"/> / <see cref="Write"/> (which then replace the AArch64 ones),
/// and operations whose operand has another layout (TLBIMVA: VA[31:12] and ASID[7:0]) give <see cref="Operand"/>.
/// </summary>
/// <param name="Name">The AArch32 name.</param>
/// <param name="Aarch64">The AArch64 register's key (<see cref="SystemRegister.EncodeKey"/>), or -1 when the entry stands alone.</param>
/// <param name="View">Which bits of the AArch64 register.</param>
/// <param name="MinEl">The lowest EL with access in AArch32 (an AArch32 register may be EL1-only where its AArch64 view is not).</param>
internal sealed record Cp15Register(string Name, int Aarch64, Cp15View View = Cp15View.Low, int MinEl = 1)
{
    /// <summary>The AArch32 view's own read, when it differs from the AArch64 register's bits.</summary>
    public Func<Cpu, ulong>? Read { get; init; }

    /// <summary>The AArch32 view's own write (of the 32 or 64 bits written), when it differs.</summary>
    public Action<Cpu, ulong>? Write { get; init; }

    /// <summary>Converts the AArch32 operand of an operation to the AArch64 instruction's operand.</summary>
    public Func<ulong, ulong>? Operand { get; init; }

    /// <summary>The AArch32 view is read-only (writes UNDEFINED).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The entry is an operation (a write-only System instruction: cache, TLB maintenance).</summary>
    public bool WriteOnly { get; init; }

    /// <summary>Runs after a write, for what the AArch32 view adds (the short-descriptor PAR format of ATS1C*).</summary>
    public Action<Cpu>? After { get; init; }

    /// <summary>
    /// The AArch32 view's own access check, when it differs from the AArch64 register's (or the entry stands alone):
    /// the CP14 debug registers EL0 may read (DBGDIDR, DBGDSCRint, DBGDRAR ...) under DBGDSCRext.UDCCdis.
    /// </summary>
    public Func<Cpu, bool, SystemRegisterAccess>? Check { get; init; }

    /// <summary>
    /// The Secure instance of a register the Security Extensions bank (ARMv7 B4.1.? "Banked CP15 registers"), used instead
    /// of this row while SCR.NS = 0 on an AArch32-only PE with EL3 (<see cref="Cpu.SecureBankSelected"/>); null when the
    /// register is not banked.
    /// </summary>
    public Cp15Register? Secure { get; init; }
}

/// <summary>
/// The CP15 registers of an AArch32 EL0 and EL1 (under an AArch64 EL2, or under Hyp mode with its PL2 registers on an
/// AArch32-only PE) (Arm ARM G8 "AArch32 System Register
/// Descriptions", each with its "Architectural mapping" to AArch64), keyed as <see cref="Key32"/> (MRC/MCR:
/// opc1, CRn, CRm, opc2) and <see cref="Key64"/> (MRRC/MCRR: opc1, CRm). One row per register, in CRn order.
/// </summary>
internal static partial class Cp15RegisterTable
{
    /// <summary>The key of an MRC/MCR p15 encoding.</summary>
    public static int Key32(int opc1, int crn, int crm, int opc2) => (0xF00 | opc1 << 4 | opc2) << 8 | crn << 4 | crm;

    /// <summary>The key of an MRRC/MCRR p15 encoding.</summary>
    public static int Key64(int opc1, int crm) => (0xF00 | opc1 << 4) << 8 | crm;

    private static int A64(int op0, int op1, int crn, int crm, int op2) => SystemRegister.EncodeKey(op0, op1, crn, crm, op2);
    private static int Sys(int op1, int crn, int crm, int op2) => A64(3, op1, crn, crm, op2);
    private static int Ins(int op1, int crn, int crm, int op2) => A64(1, op1, crn, crm, op2);

    // SCTLR (G8.2.126) for Armv8.0 at EL1: M, A, C, CP15BEN, ITD, SED, I, V, nTWI, nTWE, WXN, UWXN, SPAN (FEAT_PAN), EE, TRE,
    // AFE, TE writable; RES1 bits 3 and 4 (nTLSMD, LSMAOE without FEAT_LSMAOC), 11, 22 and 23 (SPAN without FEAT_PAN).
    internal const uint SctlrWritable = 0x7 | (1u << 5) | (1u << 7) | (1u << 8) | (1u << 12) | (1u << 13) | (1u << 16)
        | (1u << 18) | (1u << 19) | (1u << 20) | (1u << 25) | (1u << 28) | (1u << 29) | (1u << 30);
    internal const uint SctlrRes1 = (1u << 3) | (1u << 4) | (1u << 11) | (1u << 22);
    internal const uint Armv7SctlrRao = 1u << 6;

    private static ulong Low(ulong register, ulong value) => (register & 0xFFFF_FFFF_0000_0000UL) | (uint)value;

    // The 32-bit PAR of the short-descriptor format (TTBCR.EAE = 0) from the AArch64-format PAR_EL1 an AT wrote: on
    // success PA[31:12] and NS, with no attribute bits (IMPLEMENTATION DEFINED; QEMU sets none either) and SS = 0; on a
    // fault F, FS[4:0] in bits 5..1 (ShortDescriptorFaultStatus of the FST), S2WLK and FSTAGE kept.
    private static void ShortFormatPar(Cpu c) => c.Sys.Par = ShortFormatPar(c.Sys.Par, c.Sys.Tcr[1]);

    private static ulong ShortFormatPar(ulong par, ulong ttbcr)
    {
        if ((ttbcr & (1UL << 31)) != 0) return par;
        return (par & 1) != 0
            ? 1 | (Mmu.TranslationFault.ShortDescriptorFaultStatus((uint)(par >> 1) & 0x3F) << 1) | (par & 0x300)
            : (par & 0xFFFF_F000UL) | (par & 0x200);
    }

    // TLBIMVA... operand: VA[31:12] in bits 31..12, ASID in bits 7..0; the AArch64 TLBI VAE1 operand: VA[55:12] in bits
    // 43..0, ASID in 63..48.
    private static ulong VaAsid(ulong x) => ((x >> 12) & 0xF_FFFF) | ((x & 0xFF) << 48);
    private static ulong AsidOnly(ulong x) => (x & 0xFF) << 48;
    private static ulong VaOnly(ulong x) => (x >> 12) & 0xF_FFFF;

    /// <summary>Every MRC/MCR register, by <see cref="Key32"/>.</summary>
    public static IReadOnlyDictionary<int, Cp15Register> Registers32 { get; } = Build32();

    /// <summary>Every MRRC/MCRR register, by <see cref="Key64"/>.</summary>
    public static IReadOnlyDictionary<int, Cp15Register> Registers64 { get; } = Build64();

    private static Dictionary<int, Cp15Register> Build64()
    {
        var t = Registers64Base();
        foreach (var (key, secure) in Secure64()) t[key] = t[key] with { Secure = secure };
        return t;
    }

    private static Dictionary<int, Cp15Register> Registers64Base() => new()
    {
        [Key64(0, 2)] = new("TTBR0", Sys(0, 2, 0, 0), Cp15View.Full),
        [Key64(1, 2)] = new("TTBR1", Sys(0, 2, 0, 1), Cp15View.Full),
        [Key64(0, 7)] = new("PAR", Sys(0, 7, 4, 0), Cp15View.Full),
        [Key64(0, 14)] = new("CNTPCT", Sys(3, 14, 0, 1), Cp15View.Full, MinEl: 0),
        [Key64(1, 14)] = new("CNTVCT", Sys(3, 14, 0, 2), Cp15View.Full, MinEl: 0),
        [Key64(2, 14)] = new("CNTP_CVAL", Sys(3, 14, 2, 2), Cp15View.Full, MinEl: 0),
        [Key64(3, 14)] = new("CNTV_CVAL", Sys(3, 14, 3, 2), Cp15View.Full, MinEl: 0),
        // PMCCNTR's 64-bit view (G8.4.1): PMCCNTR_EL0 whole (Cp15RegisterTable.Pmu.cs has the 32-bit registers).
        [Key64(0, 9)] = new("PMCCNTR", Sys(3, 9, 13, 0), Cp15View.Full, MinEl: 0),
        // PL2 (Hyp mode of an AArch32-only PE): HTTBR = TTBR0_EL2, VTTBR = VTTBR_EL2, CNTVOFF, CNTHP_CVAL.
        [Key64(4, 2)] = new("HTTBR", Sys(4, 2, 0, 0), Cp15View.Full, MinEl: 2),
        [Key64(6, 2)] = new("VTTBR", Sys(4, 2, 1, 0), Cp15View.Full, MinEl: 2),
        [Key64(4, 14)] = new("CNTVOFF", Sys(4, 14, 0, 3), Cp15View.Full, MinEl: 2),
        [Key64(6, 14)] = new("CNTHP_CVAL", Sys(4, 14, 2, 2), Cp15View.Full, MinEl: 2),
    };

    // HSCTLR (G8.2.66): M, A, C, CP15BEN, ITD, SED, I, WXN, FI, EE, TE writable; RES1 bits 3, 4, 11, 16, 18, 22, 23, 28, 29.
    internal const uint HsctlrWritable = 0x7 | (1u << 5) | (1u << 7) | (1u << 8) | (1u << 12) | (1u << 19) | (1u << 21) | (1u << 25) | (1u << 30);
    internal const uint HsctlrRes1 = (1u << 3) | (1u << 4) | (1u << 11) | (1u << 16) | (1u << 18) | (1u << 22) | (1u << 23) | (1u << 28) | (1u << 29);

    // HTCR (G8.2.74) and TCR_EL2: the AArch32 T0SZ is 3 bits (input size 32 - T0SZ), TCR_EL2's 6 bits (64 - T0SZ), so
    // TCR_EL2.T0SZ = 32 + HTCR.T0SZ; IRGN0, ORGN0 and SH0 are bits 13..8 in both; the LPAE formats have a 4 KiB granule
    // (TG0 = 0) and 40-bit output (PS = 0b010). RES1 bits 31 and 23 in both.
    private static ulong HtcrToTcrEl2(ulong v) => (32 + (v & 7)) | (v & 0x3F00) | (2UL << 16);
    private static ulong TcrEl2ToHtcr(ulong tcr) => (((tcr & 0x3F) - 32) & 7) | (tcr & 0x3F00) | (1UL << 31) | (1UL << 23);

    // VTCR (G8.2.160) and VTCR_EL2: the AArch32 T0SZ is a signed 4-bit value with S (bit 4) its sign (input size
    // 32 - T0SZ, 24 to 40 bits), so VTCR_EL2.T0SZ = 32 + T0SZ; SL0, IRGN0, ORGN0 and SH0 are bits 13..6 in both, with
    // the same meaning for the 4 KiB granule (TG0 = 0); 40-bit output (PS = 0b010). RES1 bit 31.
    private static ulong VtcrToVtcrEl2(ulong v) => (uint)(32 + ((int)((uint)v << 28) >> 28)) | (v & 0x3FC0) | (2UL << 16);
    private static ulong VtcrEl2ToVtcr(ulong vtcr)
    {
        int t0sz = (int)(vtcr & 0x3F) - 32;
        return ((ulong)t0sz & 0xF) | (t0sz < 0 ? 0x10UL : 0) | (vtcr & 0x3FC0) | (1UL << 31);
    }

    // HCPTR (G8.2.71) and CPTR_EL2: TCP10 is TFP (bit 10), TCP11 must equal it (reads as TCP10), TTA and TCPAC are at
    // the same bits; TASE (bit 15) is not implemented (RAZ/WI: no trap of Advanced SIMD alone). RES1 bits 13..12, 9..0.
    private static ulong HcptrRead(Cpu c) => (c.Sys.Cptr[2] & 0xFFFF_FFFF) | (((c.Sys.Cptr[2] >> 10) & 1) << 11);

    // The PL2 registers and operations of an AArch32-only PE with EL2 (Hyp mode), each the AArch64 EL2 register the
    // Arm ARM maps it to (G8.2 "Architectural mapping"), MRC/MCR with opc1 = 4 (and the ATS12NSO* operations with opc1 = 0).
    private static void AddHyp(Dictionary<int, Cp15Register> t)
    {
        t[Key32(4, 0, 0, 0)] = new("VPIDR", Sys(4, 0, 0, 0), MinEl: 2);
        t[Key32(4, 0, 0, 5)] = new("VMPIDR", Sys(4, 0, 0, 5), MinEl: 2);
        t[Key32(4, 1, 0, 0)] = new("HSCTLR", Sys(4, 1, 0, 0), MinEl: 2)
        {
            Write = static (c, v) => c.Sys.Sctlr[2] = Low(c.Sys.Sctlr[2], ((uint)v & HsctlrWritable) | HsctlrRes1),
        };
        t[Key32(4, 1, 0, 1)] = new("HACTLR", Sys(4, 1, 0, 1), MinEl: 2);
        // HCR is HCR_EL2[31:0]; its bit 31 (RW in AArch64) is RES0 (EL1 is AArch32).
        t[Key32(4, 1, 1, 0)] = new("HCR", Sys(4, 1, 1, 0), MinEl: 2)
        {
            Write = static (c, v) => c.Sys.Hcr = SystemRegisterTableBuilder.HcrMask(c, (c.Sys.Hcr & 0xFFFF_FFFF_0000_0000UL) | (v & 0x7FFF_FFFF)) & ~HcrEl2.Rw,
        };
        t[Key32(4, 1, 1, 1)] = new("HDCR", Sys(4, 1, 1, 1), MinEl: 2);
        t[Key32(4, 1, 1, 2)] = new("HCPTR", Sys(4, 1, 1, 2), MinEl: 2)
        {
            Read = HcptrRead,
            Write = static (c, v) => c.Sys.Cptr[2] = (v & SystemRegisterTableBuilder.CptrWritable) | SystemRegisterTableBuilder.CptrEl2Res1,
        };
        // HSTR is HSTR_EL2, with ARMv7's TTEE (where ThumbEE is implemented) and TJDBX (B4.1.74), RES0 in Armv8.
        t[Key32(4, 1, 1, 3)] = new("HSTR", Sys(4, 1, 1, 3), MinEl: 2)
        {
            Write = static (c, v) => c.Sys.Hstr = v & (SystemRegisterTableBuilder.HstrWritable | (c.Configuration.Model.Aarch32Only
                ? Cp14RegisterTable.HstrTjdbx | (((c.Configuration.Model.Aarch32.Pfr0 >> 12) & 0xF) != 0 ? Cp14RegisterTable.HstrTtee : 0) : 0)),
        };
        t[Key32(4, 1, 1, 7)] = new("HACR", Sys(4, 1, 1, 7), MinEl: 2);
        t[Key32(4, 2, 0, 2)] = new("HTCR", Sys(4, 2, 0, 2), MinEl: 2)
        {
            Read = static c => TcrEl2ToHtcr(c.Sys.Tcr[2]),
            Write = static (c, v) => c.Sys.Tcr[2] = (HtcrToTcrEl2(v) & SystemRegisterTableBuilder.TcrEl2Writable) | SystemRegisterTableBuilder.TcrEl2Res1,
        };
        t[Key32(4, 2, 1, 2)] = new("VTCR", Sys(4, 2, 1, 2), MinEl: 2)
        {
            Read = static c => VtcrEl2ToVtcr(c.Sys.Vtcr),
            Write = static (c, v) => c.Sys.Vtcr = (VtcrToVtcrEl2(v) & SystemRegisterTableBuilder.VtcrWritable) | SystemRegisterTableBuilder.VtcrRes1,
        };
        t[Key32(4, 5, 1, 0)] = new("HADFSR", Sys(4, 5, 1, 0), MinEl: 2);
        t[Key32(4, 5, 1, 1)] = new("HAIFSR", Sys(4, 5, 1, 1), MinEl: 2);
        t[Key32(4, 5, 2, 0)] = new("HSR", Sys(4, 5, 2, 0), MinEl: 2);
        t[Key32(4, 6, 0, 0)] = new("HDFAR", Sys(4, 6, 0, 0), MinEl: 2);
        t[Key32(4, 6, 0, 2)] = new("HIFAR", Sys(4, 6, 0, 0), Cp15View.High, MinEl: 2);
        t[Key32(4, 6, 0, 4)] = new("HPFAR", Sys(4, 6, 0, 4), MinEl: 2);
        // ATS1HR/HW: AT S1E2R/W (the PAR in the long format, always); ATS12NSOPR/PW/UR/UW: AT S12E1R/W, S12E0R/W (the PAR
        // in the short format unless TTBCR.EAE, as ATS1C*).
        t[Key32(4, 7, 8, 0)] = new("ATS1HR", Ins(4, 7, 8, 0), Cp15View.Full, MinEl: 2) { WriteOnly = true };
        t[Key32(4, 7, 8, 1)] = new("ATS1HW", Ins(4, 7, 8, 1), Cp15View.Full, MinEl: 2) { WriteOnly = true };
        for (int op2 = 4; op2 < 8; op2++)
            t[Key32(0, 7, 8, op2)] = new(new[] { "ATS12NSOPR", "ATS12NSOPW", "ATS12NSOUR", "ATS12NSOUW" }[op2 - 4], Ins(4, 7, 8, op2),
                Cp15View.Full, MinEl: 2) { WriteOnly = true, After = ShortFormatPar };
        // TLBIALLH, TLBIMVAH, TLBIALLNSNH and their IS forms: TLBI ALLE2, VAE2, ALLE1 (IS).
        foreach (var (crm, suffix) in new[] { (7, ""), (3, "IS") })
        {
            t[Key32(4, 8, crm, 0)] = new("TLBIALLH" + suffix, Ins(4, 8, crm, 0), Cp15View.Full, MinEl: 2) { WriteOnly = true };
            t[Key32(4, 8, crm, 1)] = new("TLBIMVAH" + suffix, Ins(4, 8, crm, 1), Cp15View.Full, MinEl: 2) { WriteOnly = true, Operand = VaOnly };
            t[Key32(4, 8, crm, 4)] = new("TLBIALLNSNH" + suffix, Ins(4, 8, crm, 4), Cp15View.Full, MinEl: 2) { WriteOnly = true };
        }
        t[Key32(4, 10, 2, 0)] = new("HMAIR0", Sys(4, 10, 2, 0), MinEl: 2);
        t[Key32(4, 10, 2, 1)] = new("HMAIR1", Sys(4, 10, 2, 0), Cp15View.High, MinEl: 2);
        t[Key32(4, 10, 3, 0)] = new("HAMAIR0", Sys(4, 10, 3, 0), MinEl: 2);
        t[Key32(4, 10, 3, 1)] = new("HAMAIR1", Sys(4, 10, 3, 0), Cp15View.High, MinEl: 2);
        t[Key32(4, 12, 0, 0)] = new("HVBAR", Sys(4, 12, 0, 0), MinEl: 2) { Write = static (c, v) => c.Sys.Vbar[2] = Low(c.Sys.Vbar[2], v & 0xFFFF_FFE0) };
        t[Key32(4, 13, 0, 2)] = new("HTPIDR", Sys(4, 13, 0, 2), MinEl: 2);
        t[Key32(4, 14, 1, 0)] = new("CNTHCTL", Sys(4, 14, 1, 0), MinEl: 2);
        t[Key32(4, 14, 2, 0)] = new("CNTHP_TVAL", Sys(4, 14, 2, 0), MinEl: 2);
        t[Key32(4, 14, 2, 1)] = new("CNTHP_CTL", Sys(4, 14, 2, 1), MinEl: 2);
    }

    private static Dictionary<int, Cp15Register> Build32()
    {
        var t = new Dictionary<int, Cp15Register>
        {
            // c0: identification (the ID registers themselves are added below).
            [Key32(0, 0, 0, 0)] = new("MIDR", Sys(0, 0, 0, 0)),
            [Key32(0, 0, 0, 1)] = new("CTR", Sys(3, 0, 0, 1)),
            [Key32(0, 0, 0, 2)] = new("TCMTR", -1) { Read = static _ => 0, ReadOnly = true },
            [Key32(0, 0, 0, 3)] = new("TLBTR", -1) { Read = static _ => 0, ReadOnly = true },
            [Key32(0, 0, 0, 5)] = new("MPIDR", Sys(0, 0, 0, 5)),
            [Key32(0, 0, 0, 6)] = new("REVIDR", Sys(0, 0, 0, 6)),
            [Key32(1, 0, 0, 0)] = new("CCSIDR", Sys(1, 0, 0, 0)),
            [Key32(1, 0, 0, 1)] = new("CLIDR", Sys(1, 0, 0, 1)),
            [Key32(1, 0, 0, 7)] = new("AIDR", Sys(1, 0, 0, 7)),
            [Key32(2, 0, 0, 0)] = new("CSSELR", Sys(2, 0, 0, 0)),
            // c1: system control.
            // On an ARMv7 PE bit 6 is RAO/SBOP (ARMv7 B4.1.130; the Cortex-A15 and A7 TRMs' SCTLR resets to 0x00C50078 with
            // bits 6..3 set), where Armv8 has THEE (RES0 without T32EE): Linux prints it in its "cr=" line.
            [Key32(0, 1, 0, 0)] = new("SCTLR", Sys(0, 1, 0, 0))
            {
                Write = static (c, v) => c.Sys.Sctlr[1] = Low(c.Sys.Sctlr[1], ((uint)v & SctlrWritable & ~(c.HasPan ? 0 : 1u << 23))
                    | SctlrRes1 | (c.HasPan ? 0 : 1u << 23) | (c.Configuration.Model.Aarch32Only ? Armv7SctlrRao : 0)),
            },
            [Key32(0, 1, 0, 1)] = new("ACTLR", Sys(0, 1, 0, 1)),
            [Key32(0, 1, 0, 3)] = new("ACTLR2", Sys(0, 1, 0, 1), Cp15View.High),
            // CPACR.cp10 is CPACR_EL1.FPEN; cp11 reads as cp10 (they must be equal), ASEDIS and TRCDIS are RAZ/WI.
            [Key32(0, 1, 0, 2)] = new("CPACR", Sys(0, 1, 0, 2)) { Read = static c => (c.Sys.Cpacr & 0xFFFF_FFFF) | (((c.Sys.Cpacr >> 20) & 3) << 22) },
            // c2, c3: translation table control (TTBR0/1 32-bit views: TTBR0_EL1[31:0] ...), DACR = DACR32_EL2.
            [Key32(0, 2, 0, 0)] = new("TTBR0", Sys(0, 2, 0, 0)),
            [Key32(0, 2, 0, 1)] = new("TTBR1", Sys(0, 2, 0, 1)),
            [Key32(0, 2, 0, 2)] = new("TTBCR", Sys(0, 2, 0, 2)),
            [Key32(0, 2, 0, 3)] = new("TTBCR2", Sys(0, 2, 0, 2), Cp15View.High),
            // DACR is DACR32_EL2, with TTBR0_EL1's checks (HCR_EL2.TVM/TRVM, its group). The domains' access controls are
            // folded into the TLB's rights, so a write drops the EL1&0 stage 1 translations (as TLBIALL).
            [Key32(0, 3, 0, 0)] = new("DACR", Sys(0, 2, 0, 0))
            {
                Read = static c => c.Sys.Dacr32,
                Write = static (c, v) =>
                {
                    c.Sys.Dacr32 = (uint)v;
                    c.SystemRegisters.Find(Ins(0, 8, 7, 0))!.Write!(c, 0);
                },
            },
            // c5, c6: fault status and address (DFSR = ESR_EL1, IFSR = IFSR32_EL2, DFAR/IFAR = FAR_EL1 halves).
            [Key32(0, 5, 0, 0)] = new("DFSR", Sys(0, 5, 2, 0)),
            // IFSR is IFSR32_EL2, with ESR_EL1's checks (HCR_EL2.TVM/TRVM).
            [Key32(0, 5, 0, 1)] = new("IFSR", Sys(0, 5, 2, 0)) { Read = static c => c.Sys.Ifsr32, Write = static (c, v) => c.Sys.Ifsr32 = v & SystemRegisterTableBuilder.Ifsr32Writable },
            [Key32(0, 5, 1, 0)] = new("ADFSR", Sys(0, 5, 1, 0)),
            [Key32(0, 5, 1, 1)] = new("AIFSR", Sys(0, 5, 1, 1)),
            [Key32(0, 6, 0, 0)] = new("DFAR", Sys(0, 6, 0, 0)),
            [Key32(0, 6, 0, 2)] = new("IFAR", Sys(0, 6, 0, 0), Cp15View.High),
            // c7: PAR, cache maintenance (the CP15 barriers are A32System's), branch predictor operations (no predictor: NOPs).
            [Key32(0, 7, 4, 0)] = new("PAR", Sys(0, 7, 4, 0)),
            // ATS1CPR/CPW/CUR/CUW: AT S1E1R/S1E1W/S1E0R/S1E0W (the same encodings, with their HCR_EL2 checks), the PAR then
            // in the short-descriptor format unless TTBCR.EAE (the long format is PAR_EL1's, LPAE = bit 11 set).
            [Key32(0, 7, 8, 0)] = new("ATS1CPR", Ins(0, 7, 8, 0), Cp15View.Full) { WriteOnly = true, After = ShortFormatPar },
            [Key32(0, 7, 8, 1)] = new("ATS1CPW", Ins(0, 7, 8, 1), Cp15View.Full) { WriteOnly = true, After = ShortFormatPar },
            [Key32(0, 7, 8, 2)] = new("ATS1CUR", Ins(0, 7, 8, 2), Cp15View.Full) { WriteOnly = true, After = ShortFormatPar },
            [Key32(0, 7, 8, 3)] = new("ATS1CUW", Ins(0, 7, 8, 3), Cp15View.Full) { WriteOnly = true, After = ShortFormatPar },
            [Key32(0, 7, 1, 0)] = new("ICIALLUIS", Ins(0, 7, 1, 0), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 1, 6)] = new("BPIALLIS", -1) { Write = static (_, _) => { }, WriteOnly = true },
            [Key32(0, 7, 5, 0)] = new("ICIALLU", Ins(0, 7, 5, 0), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 5, 1)] = new("ICIMVAU", Ins(3, 7, 5, 1), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 5, 6)] = new("BPIALL", -1) { Write = static (_, _) => { }, WriteOnly = true },
            [Key32(0, 7, 5, 7)] = new("BPIMVA", -1) { Write = static (_, _) => { }, WriteOnly = true },
            [Key32(0, 7, 6, 1)] = new("DCIMVAC", Ins(0, 7, 6, 1), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 6, 2)] = new("DCISW", Ins(0, 7, 6, 2), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 10, 1)] = new("DCCMVAC", Ins(3, 7, 10, 1), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 10, 2)] = new("DCCSW", Ins(0, 7, 10, 2), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 11, 1)] = new("DCCMVAU", Ins(3, 7, 11, 1), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 14, 1)] = new("DCCIMVAC", Ins(3, 7, 14, 1), Cp15View.Full) { WriteOnly = true },
            [Key32(0, 7, 14, 2)] = new("DCCISW", Ins(0, 7, 14, 2), Cp15View.Full) { WriteOnly = true },
            // c9: the L2 controller's IMPLEMENTATION DEFINED registers of cortex-a15/a7 and cortex-a57/a53 (their TRMs'
            // AArch32 L2CTLR and L2ECTLR are L2CTLR_EL1 and L2ECTLR_EL1; HCR.TIDCP does not reach CRn = 9 with CRm = 0).
            // On cortex-a15/a7 L2CTLR also has bit 23 set, as QEMU 7.2 reports it for them.
            [Key32(1, 9, 0, 2)] = new("L2CTLR", Sys(1, 11, 0, 2))
            {
                Read = static c => c.SystemRegisters.Find(Sys(1, 11, 0, 2))!.Read!(c) | (c.Configuration.Model.Aarch32Only ? 1UL << 23 : 0),
            },
            [Key32(1, 9, 0, 3)] = new("L2ECTLR", Sys(1, 11, 0, 3)),
            // c10: memory attributes (PRRR/NMRR are MAIR0/MAIR1: MAIR_EL1 halves), c12: VBAR and ISR.
            [Key32(0, 10, 2, 0)] = new("PRRR/MAIR0", Sys(0, 10, 2, 0)),
            [Key32(0, 10, 2, 1)] = new("NMRR/MAIR1", Sys(0, 10, 2, 0), Cp15View.High),
            [Key32(0, 10, 3, 0)] = new("AMAIR0", Sys(0, 10, 3, 0)),
            [Key32(0, 10, 3, 1)] = new("AMAIR1", Sys(0, 10, 3, 0), Cp15View.High),
            [Key32(0, 12, 0, 0)] = new("VBAR", Sys(0, 12, 0, 0)) { Write = static (c, v) => c.Sys.Vbar[1] = Low(c.Sys.Vbar[1], v & 0xFFFF_FFE0) },
            [Key32(0, 12, 1, 0)] = new("ISR", Sys(0, 12, 1, 0)),
            // c13: process, context and thread ID.
            [Key32(0, 13, 0, 1)] = new("CONTEXTIDR", Sys(0, 13, 0, 1)),
            [Key32(0, 13, 0, 2)] = new("TPIDRURW", Sys(3, 13, 0, 2), MinEl: 0),
            [Key32(0, 13, 0, 3)] = new("TPIDRURO", Sys(3, 13, 0, 3), MinEl: 0),
            [Key32(0, 13, 0, 4)] = new("TPIDRPRW", Sys(0, 13, 0, 4)),
            // c14: the generic timer (the AArch64 registers' own checks: CNTKCTL_EL1, CNTHCTL_EL2).
            [Key32(0, 14, 0, 0)] = new("CNTFRQ", Sys(3, 14, 0, 0), MinEl: 0),
            [Key32(0, 14, 1, 0)] = new("CNTKCTL", Sys(0, 14, 1, 0)),
            [Key32(0, 14, 2, 0)] = new("CNTP_TVAL", Sys(3, 14, 2, 0), MinEl: 0),
            [Key32(0, 14, 2, 1)] = new("CNTP_CTL", Sys(3, 14, 2, 1), MinEl: 0),
            [Key32(0, 14, 3, 0)] = new("CNTV_TVAL", Sys(3, 14, 3, 0), MinEl: 0),
            [Key32(0, 14, 3, 1)] = new("CNTV_CTL", Sys(3, 14, 3, 1), MinEl: 0),
        };
        // c0, c1 and c2 with opc1 = 0: ID_PFR0 ... ID_ISAR6, the AArch64 ID_*_EL1 registers (op0 = 3, op1 = 0, CRn = 0).
        for (int crm = 1; crm <= 2; crm++)
            for (int opc2 = 0; opc2 < 8; opc2++)
                t[Key32(0, 0, crm, opc2)] = new($"ID c0,c{crm},{opc2}", Sys(0, 0, crm, opc2)) { ReadOnly = true };
        // c0, c3 ... c7 with opc1 = 0: reserved for the ID scheme and RAZ (ARMv7: B3.17.1 "CP15 c0 register summary"; Armv8
        // puts ID_PFR2, ID_DFR1 and ID_MMFR5 at c3, 4 to 6, all zero on these models), not the AArch64 registers of the
        // same encoding (MVFR0_EL1, ID_AA64*), whose HCR.TID3 check they keep. Xen reads ID_PFR2 and ID_DFR1 at boot.
        for (int crm = 3; crm <= 7; crm++)
            for (int opc2 = 0; opc2 < 8; opc2++)
                t[Key32(0, 0, crm, opc2)] = new($"ID c0,c{crm},{opc2}", Sys(0, 0, crm, opc2)) { Read = static _ => 0, ReadOnly = true };
        AddHyp(t);
        // c8: TLB maintenance (TLBIALL, TLBIMVA, TLBIASID, TLBIMVAA and their L and IS forms; the instruction- and
        // data-side forms of c5/c6 act as the unified ones) through the AArch64 TLBI ...E1 operations.
        foreach (var (crm, suffix, aarch64Crm) in new[] { (3, "IS", 3), (7, "", 7), (5, "(I)", 7), (6, "(D)", 7) })
        {
            t[Key32(0, 8, crm, 0)] = new("TLBIALL" + suffix, Ins(0, 8, aarch64Crm, 0), Cp15View.Full) { WriteOnly = true };
            t[Key32(0, 8, crm, 1)] = new("TLBIMVA" + suffix, Ins(0, 8, aarch64Crm, 1), Cp15View.Full) { WriteOnly = true, Operand = VaAsid };
            t[Key32(0, 8, crm, 2)] = new("TLBIASID" + suffix, Ins(0, 8, aarch64Crm, 2), Cp15View.Full) { WriteOnly = true, Operand = AsidOnly };
            if (crm is 3 or 7)
            {
                t[Key32(0, 8, crm, 3)] = new("TLBIMVAA" + suffix, Ins(0, 8, aarch64Crm, 3), Cp15View.Full) { WriteOnly = true, Operand = VaOnly };
                t[Key32(0, 8, crm, 5)] = new("TLBIMVAL" + suffix, Ins(0, 8, aarch64Crm, 5), Cp15View.Full) { WriteOnly = true, Operand = VaAsid };
                t[Key32(0, 8, crm, 7)] = new("TLBIMVAAL" + suffix, Ins(0, 8, aarch64Crm, 7), Cp15View.Full) { WriteOnly = true, Operand = VaOnly };
            }
        }
        AddPmu(t); // (Cp15RegisterTable.Pmu.cs)
        AddSecurity(t); // (Cp15RegisterTable.Secure.cs)
        return t;
    }
}
