using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

/// <summary>
/// AArch32 at EL1 under an AArch64 EL2 (HCR_EL2.RW = 0): the PL1 modes and their banked registers, mode changes
/// (AArch32.WriteMode, CPSRWriteByInstr), the AArch32 exception entry at EL1 (AArch32.TakeException and
/// AArch32.EnterMode) and the AArch32 exception return (AArch32.ExceptionReturn). Written against the AArch32 modes
/// alone, so that an AArch32-only PE (with Hyp mode) can reuse them.
/// </summary>
/// <remarks>
/// The banked registers are X registers, as "Mapping of AArch32 registers to AArch64" (Arm ARM D1.20.1) gives them:
/// R8_usr-R14_usr are X8-X14, SP_hyp X15, LR_irq X16, SP_irq X17, LR_svc X18, SP_svc X19, LR_abt X20, SP_abt X21,
/// LR_und X22, SP_und X23, R8_fiq-R12_fiq X24-X28, SP_fiq X29, LR_fiq X30 (and Monitor mode's SP_mon and LR_mon, which an
/// AArch32 EL3 has and no AArch64 register maps, slots 32 and 33 of <see cref="CpuState.X"/>). So an AArch64 EL2 sees the registers of
/// every mode where the Arm ARM puts them, with nothing to copy at an exception or a return. SPSR_svc is SPSR_EL1;
/// SPSR_abt, SPSR_und, SPSR_irq and SPSR_fiq are the AArch64 registers of those names.
/// </remarks>
public sealed partial class Cpu
{
    /// <summary>The AArch32 modes, as PSTATE.M[3:0] (M[4] = 1 being AArch32).</summary>
    internal const byte ModeUser = 0x0, ModeFiq = 0x1, ModeIrq = 0x2, ModeSupervisor = 0x3, ModeMonitor = 0x6,
        ModeAbort = 0x7, ModeHyp = 0xA, ModeUndefined = 0xB, ModeSystem = 0xF;

    /// <summary>X register of R[n] in mode M[3:0], indexed (mode &lt;&lt; 4) | n for n &lt; 15.</summary>
    internal static readonly byte[] BankedRegisterMap = BuildBankedRegisterMap();

    private static byte[] BuildBankedRegisterMap()
    {
        var map = new byte[256];
        for (int mode = 0; mode < 16; mode++)
        {
            for (int n = 0; n < 16; n++) map[(mode << 4) | n] = (byte)n;
            (int sp, int lr) = mode switch
            {
                ModeIrq => (17, 16),
                ModeSupervisor => (19, 18),
                ModeAbort => (21, 20),
                ModeUndefined => (23, 22),
                ModeHyp => (15, 14), // LR_hyp is not a general-purpose register: R14 in Hyp mode is LR_usr
                ModeMonitor => (32, 33), // SP_mon and LR_mon: no AArch64 register maps them (AArch32 EL3 only)
                ModeFiq => (29, 30),
                _ => (13, 14),
            };
            map[(mode << 4) | 13] = (byte)sp;
            map[(mode << 4) | 14] = (byte)lr;
            if (mode == ModeFiq)
                for (int n = 8; n < 13; n++) map[(mode << 4) | n] = (byte)(n + 16);
        }
        return map;
    }

    /// <summary>The X register that holds R[<paramref name="n"/>] of AArch32 mode <paramref name="mode"/> (M[3:0]).</summary>
    internal static int Aarch32Register(int mode, int n) => BankedRegisterMap[((mode & 0xF) << 4) | (n & 0xF)];

    /// <summary>
    /// The register number a syndrome (ISS Rt, Rt2, SRT) gives for R[<paramref name="n"/>] of the current mode: the AArch64
    /// view (R14_svc is X18 ...: "Mapping of the general-purpose registers between the Execution states") when the
    /// exception is taken to an AArch64 EL, the instruction's own n when it is taken to Hyp mode (the HSR's "Rt value from
    /// the issued instruction"), which on an AArch32-only PE is every syndrome.
    /// </summary>
    internal int SyndromeRegister(int n) => Configuration.Model.Aarch32Only ? n & 0xF : Aarch32Register(State.Mode, n);

    /// <summary>
    /// ELUsingAArch32(EL1): always on an AArch32-only PE (<see cref="CpuModel.Aarch32Only"/>); on a PE whose EL2 is
    /// AArch64, EL2 enabled and HCR_EL2.RW = 0 (EL1, and so EL0, are then AArch32). Only ERET, exception entry and the
    /// access checks ask.
    /// </summary>
    internal bool El1UsingAarch32 => Configuration.Model.Aarch32Only || (IsEl2Enabled && (Sys.Hcr & HcrEl2.Rw) == 0);

    /// <summary>ELUsingAArch32(EL2): EL2 is implemented on an AArch32-only PE, as Hyp mode (PL2).</summary>
    internal bool El2UsingAarch32 => Configuration.Model.Aarch32Only && Configuration.HasEl2;

    /// <summary>
    /// ELFromM32 for this PE: the EL of AArch32 mode <paramref name="mode"/> (M[3:0]), or -1 when the mode is reserved
    /// or not implemented: User is EL0; FIQ, IRQ, Supervisor, Abort, Undefined and System are EL1 when EL1 is AArch32;
    /// Hyp is EL2 when EL2 is AArch32 (an AArch32-only PE with EL2) and, with EL3, SCR.NS = 1; Monitor is EL3 on an
    /// AArch32-only PE with EL3, where the PL1 modes are EL3 too while SCR.NS = 0 (Secure state).
    /// </summary>
    internal int ElFromM32(int mode) => mode switch
    {
        ModeUser => 0,
        ModeFiq or ModeIrq or ModeSupervisor or ModeAbort or ModeUndefined or ModeSystem =>
            !El1UsingAarch32 ? -1 : SecureBankSelected ? 3 : 1,
        ModeHyp => El2UsingAarch32 && (!Configuration.HasEl3 || (Sys.Scr & ScrNs) != 0) ? 2 : -1,
        ModeMonitor => El3UsingAarch32 ? 3 : -1,
        _ => -1,
    };

    /// <summary>AArch32.WriteMode: PSTATE.M, and the EL it implies (the banked registers follow through the map).</summary>
    internal void WriteMode(int mode, int el)
    {
        State.Mode = (byte)mode;
        if (el != State.EL)
        {
            SetElAndSpSel(el, el == 0 ? 0 : 1);
            if (Pmu.Active) Pmu.ElChanged();
        }
    }

    /// <summary>SPSR[] of AArch32 mode <paramref name="mode"/>; User and System modes have none (false).</summary>
    internal bool TryGetSpsrOfMode(int mode, out ulong value)
    {
        value = mode switch
        {
            ModeSupervisor => Sys.Spsr[1],
            ModeAbort => Sys.SpsrAbt,
            ModeUndefined => Sys.SpsrUnd,
            ModeIrq => Sys.SpsrIrq,
            ModeFiq => Sys.SpsrFiq,
            ModeHyp => Sys.Spsr[2], // SPSR_hyp is SPSR_EL2
            ModeMonitor => Sys.Spsr[3], // SPSR_mon (kept where SPSR_EL3 would be)
            _ => 0,
        };
        return mode is ModeSupervisor or ModeAbort or ModeUndefined or ModeIrq or ModeFiq || (mode == ModeHyp && El2UsingAarch32)
            || (mode == ModeMonitor && El3UsingAarch32);
    }

    /// <summary>Writes SPSR[] of AArch32 mode <paramref name="mode"/> (one of those with an SPSR).</summary>
    internal void SetSpsrOfMode(int mode, ulong value)
    {
        switch (mode)
        {
            case ModeSupervisor: Sys.Spsr[1] = value; break;
            case ModeAbort: Sys.SpsrAbt = value; break;
            case ModeUndefined: Sys.SpsrUnd = value; break;
            case ModeIrq: Sys.SpsrIrq = value; break;
            case ModeFiq: Sys.SpsrFiq = value; break;
            case ModeHyp: Sys.Spsr[2] = value; break;
            case ModeMonitor: Sys.Spsr[3] = value; break;
        }
    }

    /// <summary>
    /// CPSRWriteByInstr (MSR CPSR, CPS): byte 3 writes N Z C V Q, byte 2 GE; at EL1 byte 1 writes A (E, big-endian
    /// data, is not modelled: setting it stops the run) and byte 0 I, F and the mode through AArch32.WriteModeByInstr,
    /// where a reserved mode or one of a higher EL sets PSTATE.IL instead. At EL0 the control bytes are ignored.
    /// </summary>
    internal void CpsrWriteByInstr(uint value, int byteMask)
    {
        bool privileged = State.EL != 0;
        if ((byteMask & 8) != 0)
        {
            State.Nzcv = value & 0xF000_0000u;
            State.Saturation = (value & (1u << 27)) != 0;
        }
        if ((byteMask & 4) != 0) State.Ge = (value >> 16) & 0xF;
        if ((byteMask & 2) != 0)
        {
            State.E = (value & (1u << 9)) != 0;
            if (privileged) State.Daif = (State.Daif & ~0x100u) | (value & 0x100u);
        }
        if ((byteMask & 1) != 0 && privileged)
        {
            State.Daif = (State.Daif & ~0xC0u) | (value & 0xC0u);
            WriteModeByInstr((int)value & 0x1F);
        }
    }

    /// <summary>AArch32.WriteModeByInstr: a mode change by MSR or CPS; an illegal one sets PSTATE.IL.</summary>
    internal void WriteModeByInstr(int m)
    {
        int el = (m & 0x10) != 0 ? ElFromM32(m & 0xF) : -1;
        if (el < 0 || el > State.EL) State.IllegalState = true;
        else WriteMode(m & 0xF, el);
    }

    /// <summary>
    /// AArch32.ExceptionReturn (SUBS PC, LR; LDM with the PC and ^; RFE; ERET): PSTATE from <paramref name="spsr"/>
    /// (SetPSTATEFromPSR), a return to a mode of a higher EL, to a reserved mode or to AArch64 being illegal (PSTATE.IL
    /// set, the mode kept), then the PC aligned for the instruction set. UNDEFINED in User and System modes, which have
    /// no SPSR (CONSTRAINED UNPREDICTABLE; QEMU's choice): the callers that read SPSR[] check that.
    /// </summary>
    internal void Aarch32ExceptionReturn(uint newPc, uint spsr)
    {
        if (State.EL == 0) throw UndefinedException();
        if (Pmu.Active) Pmu.ExceptionReturning();
        ClearExclusiveLocal();
        EventRegister = true; // SendEventLocal
        int m = (int)spsr & 0x1F;
        int el = (m & 0x10) != 0 ? ElFromM32(m & 0xF) : -1;
        bool illegal = el < 0 || el > State.EL;
        State.SoftwareStep = DebugExceptionReturnSs(spsr, illegal ? State.EL : el);
        State.Nzcv = spsr & 0xF000_0000u;
        State.Saturation = (spsr & (1u << 27)) != 0;
        State.Ge = (spsr >> 16) & 0xF;
        State.E = (spsr & (1u << 9)) != 0;
        State.Daif = spsr & 0x1C0u;
        State.Pan = HasPan && (spsr & (1u << 22)) != 0;
        State.Thumb = (spsr & (1u << 5)) != 0;
        State.It = State.Thumb ? ItFromSpsr(spsr) : (byte)0;
        if (illegal) State.IllegalState = true;
        else
        {
            State.IllegalState = (spsr & (1u << 20)) != 0;
            WriteMode(m & 0xF, el);
        }
        NextPc = newPc & (State.Thumb ? ~1u : ~3u);
    }

    // AArch32.TakeException at an AArch32 EL1, from AArch32 EL0 or EL1: the AArch64 exception (kind, EC, ISS) becomes
    // the AArch32 one: IRQ, FIQ, SVC, Prefetch Abort (instruction aborts, PC alignment, BKPT), Data Abort (data aborts,
    // SError) or, for everything else an EL1 would see with EC 0x00/0x01/0x03/0x04/0x07/0x0E (UNDEFINED, WFx traps by
    // SCTLR.nTWx, CP15 traps, CPACR traps, illegal state), Undefined Instruction (AArch32.TakeUndefInstrException).
    // Vectors, LR offsets and the fault status registers as AArch32.TakeUndefInstrException, TakeSVCException,
    // TakePrefetchAbortException, TakeDataAbortException, TakePhysicalIRQException, TakePhysicalFIQException say.
    // With an AArch32 EL3, el = 3 takes it to a Secure PL1 mode, reporting into the Secure banks (IFSR(S), DFSR(S) ...).
    private void TakeAarch32Exception(ExceptionKind kind, ulong preferredReturn, ExceptionClass ec, uint iss, ulong? far, int el = 1)
    {
        int bank = el;
        int mode, vector;
        uint lrOffset;
        switch (kind)
        {
            case ExceptionKind.Irq: (mode, vector, lrOffset) = (ModeIrq, 0x18, 4); break;
            case ExceptionKind.Fiq: (mode, vector, lrOffset) = (ModeFiq, 0x1C, 4); break;
            case ExceptionKind.SError:
                (mode, vector, lrOffset) = (ModeAbort, 0x10, 8);
                WriteDfsr(FaultStatus(0b010001, write: false, cm: false, bank: bank), bank); // asynchronous External abort
                break;
            default:
                switch (ec)
                {
                    case ExceptionClass.Svc32: (mode, vector, lrOffset) = (ModeSupervisor, 0x08, 0); break;
                    case ExceptionClass.InstructionAbortLower or ExceptionClass.InstructionAbortSame:
                        (mode, vector, lrOffset) = (ModeAbort, 0x0C, 4);
                        WriteIfsr(FaultStatus(iss & 0x3F, write: false, cm: false, _abortDomain, bank), bank);
                        if (far.HasValue) Sys.Far[bank] = (Sys.Far[bank] & 0xFFFF_FFFFUL) | ((ulong)(uint)far.Value << 32); // IFAR
                        break;
                    case ExceptionClass.PcAlignment:
                        (mode, vector, lrOffset) = (ModeAbort, 0x0C, 4);
                        WriteIfsr(FaultStatus(0b100001, write: false, cm: false, bank: bank), bank);
                        if (far.HasValue) Sys.Far[bank] = (Sys.Far[bank] & 0xFFFF_FFFFUL) | ((ulong)(uint)far.Value << 32);
                        break;
                    case ExceptionClass.Bkpt32 or ExceptionClass.BreakpointLower or ExceptionClass.BreakpointSame:
                        // AArch32.DebugFault: a debug event (BKPT, or a breakpoint: DBGDSCRext.MOE 0b0011 / 0b0001);
                        // IFAR is UNKNOWN: 0, as QEMU writes.
                        (mode, vector, lrOffset) = (ModeAbort, 0x0C, 4);
                        WriteIfsr(FaultStatus(0b100010, write: false, cm: false, bank: bank), bank);
                        Sys.Far[bank] &= 0xFFFF_FFFFUL;
                        SetMethodOfEntry(ec == ExceptionClass.Bkpt32 ? 0b0011u : 0b0001u);
                        break;
                    case ExceptionClass.WatchpointLower or ExceptionClass.WatchpointSame:
                        // A synchronous watchpoint (MOE 0b1010): a Data Abort with the debug event status and DFAR the
                        // watched address the access touched (Armv8 has no DBGWFAR: RES0). DFSR.WnR is UNKNOWN for a debug
                        // event (AArch32.DebugFault): 0, as QEMU writes it.
                        (mode, vector, lrOffset) = (ModeAbort, 0x10, 8);
                        WriteDfsr(FaultStatus(0b100010, write: false, cm: false, bank: bank), bank);
                        if (far.HasValue) Sys.Far[bank] = (Sys.Far[bank] & 0xFFFF_FFFF_0000_0000UL) | (uint)far.Value;
                        SetMethodOfEntry(0b1010u);
                        SetWatchpointFaultAddress(preferredReturn);
                        break;
                    case ExceptionClass.DataAbortLower or ExceptionClass.DataAbortSame:
                        (mode, vector, lrOffset) = (ModeAbort, 0x10, 8);
                        WriteDfsr(FaultStatus(iss & 0x3F, write: (iss & (1u << 6)) != 0, cm: (iss & (1u << 8)) != 0, _abortDomain, bank), bank);
                        if (far.HasValue) Sys.Far[bank] = (Sys.Far[bank] & 0xFFFF_FFFF_0000_0000UL) | (uint)far.Value; // DFAR
                        break;
                    default: (mode, vector, lrOffset) = (ModeUndefined, 0x04, State.Thumb ? 2u : 4u); break;
                }
                break;
        }
        EnterMode(mode, (uint)preferredReturn, lrOffset, vector, el);
    }

    // DBGWFAR of an ARMv7 PE (ARMv7 C11.11.45): the watchpointed instruction's address + 8 in A32, + 4 in T32.
    private void SetWatchpointFaultAddress(ulong instruction)
    {
        if (Configuration.Model.Aarch32Only) Sys.Dbgwfar = (uint)(instruction + (State.Thumb ? 4u : 8u));
    }

    // DBGDSCRext.MOE (MDSCR_EL1 bits 5..2, its AArch64 view): how the debug exception taken to AArch32 was caused.
    private void SetMethodOfEntry(uint moe) => Sys.Mdscr = (Sys.Mdscr & ~A32.Cp14RegisterTable.DscrMoeMask) | (ulong)moe << 2;

    // DFSR is ESR_EL1<31:0> (DFSR(S) is kept in ESR_EL3's place), IFSR IFSR32_EL2 (IFSR(S) its own field).
    private void WriteDfsr(uint value, int bank = 1) => Sys.Esr[bank] = value;
    private void WriteIfsr(uint value, int bank)
    {
        if (bank == 3) Sys.IfsrS = value;
        else Sys.Ifsr32 = value;
    }

    // The domain of the last MMU fault turned into an abort (AbortFor), which the short-format FSR reports in bits 7..4:
    // the AArch64 syndrome the abort carries has no field for it.
    private int _abortDomain;

    /// <summary>
    /// The AArch32 DFSR/IFSR value of a fault given by its AArch64 fault status code (ESR DFSC/IFSC): the
    /// long-descriptor format (LPAE = 1, STATUS = the same code) when TTBCR.EAE is set, else the short-descriptor
    /// format (FS[4] in bit 10, FS[3:0] in bits 3..0, as AArch32.CommonFaultStatus / EncodeSDFSC give them, and the
    /// <paramref name="domain"/> of a translation, access flag, domain or permission fault in bits 7..4). WnR in bit 11, CM in 13.
    /// The TTBCR is that of <paramref name="bank"/> (3: TTBCR(S) of an AArch32 EL3).
    /// </summary>
    internal uint FaultStatus(uint fsc, bool write, bool cm, int domain = 0, int bank = 1)
    {
        uint v = (write ? 1u << 11 : 0) | (cm ? 1u << 13 : 0);
        if ((Sys.Tcr[bank] & (1UL << 31)) != 0) return v | (1u << 9) | (fsc & 0x3F); // TTBCR.EAE
        uint fs = Mmu.TranslationFault.ShortDescriptorFaultStatus(fsc);
        bool hasDomain = (fsc & 0x3C) is 0b000100 or 0b001000 or 0b001100 || fsc is 0b111101 or 0b111110;
        return v | ((fs & 0x10) << 6) | (fs & 0xF) | (hasDomain ? (uint)(domain & 0xF) << 4 : 0);
    }

    /// <summary>
    /// AArch32.EnterMode: SPSR of the target mode = the CPSR, the mode (and EL1), LR = the preferred return +
    /// <paramref name="lrOffset"/>, T = SCTLR.TE, A/I/F masked by mode, IT, SS and IL cleared, PAN set unless SCTLR.SPAN,
    /// and the PC at the vector: SCTLR.V ? 0xFFFF0000 : VBAR&lt;31:5&gt;, plus <paramref name="vectorOffset"/>. With an
    /// AArch32 EL3, <paramref name="el"/> 3 is a Secure PL1 mode, whose SCTLR and VBAR are the Secure instances; an
    /// exception taken from Monitor mode clears SCR.NS first.
    /// </summary>
    internal void EnterMode(int mode, uint preferredReturn, uint lrOffset, int vectorOffset, int el = 1)
    {
        ulong sctlr = Sys.Sctlr[el];
        uint spsr = GetAarch32Spsr();
        if (State.Mode == ModeMonitor && State.Aarch32 && El3UsingAarch32) ClearScrNs();
        SetSpsrOfMode(mode, spsr);
        State.E = (sctlr & SctlrEl1.Ee) != 0; // PSTATE.E = SCTLR.EE
        WriteMode(mode, el);
        SetR(14, preferredReturn + lrOffset);
        State.Thumb = (sctlr & (1UL << 30)) != 0; // SCTLR.TE
        State.Daif |= mode == ModeFiq ? 0x1C0u : mode is ModeAbort or ModeIrq ? 0x180u : 0x80u;
        State.It = 0;
        State.SoftwareStep = false;
        State.IllegalState = false;
        if (HasPan && (sctlr & SctlrEl1.Span) == 0) State.Pan = true;
        uint vbar = (sctlr & (1UL << 13)) != 0 ? 0xFFFF_0000u : (uint)Sys.Vbar[el] & ~0x1Fu;
        ulong target = vbar + (uint)vectorOffset;
        NextPc = target;
        State.PC = target;
    }
}
