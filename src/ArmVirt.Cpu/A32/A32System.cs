using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The A32 exception-generating, hint, barrier, status-register and coprocessor instructions available at EL0:
/// SVC, BKPT, UDF; NOP, YIELD, WFE, WFI, SEV, SEVL (other hints are NOPs); DMB, DSB, ISB, CLREX; MRS and MSR of the
/// APSR; MRC/MCR of the EL0 thread ID registers (TPIDRURW, TPIDRURO), the CP15 barriers and the generic timer's
/// registers (MRRC/MCRR for the 64-bit ones) through their AArch64 views. Exceptions are taken to
/// AArch64 EL1 (EL2 under HCR_EL2.TGE) with the AArch32 syndromes of D17.2.37 (EC 0x11 SVC, 0x38 BKPT, 0x01 WFx with
/// CV = 1 and COND = 0b1110, permitted for an instruction that passed its condition and what QEMU reports).
/// </summary>
internal static class A32System
{
    /// <summary>
    /// F5.1 SVC / AArch32.CallSupervisor: EC 0x11, ISS = imm24&lt;15:0&gt; (imm8 in T32), returning after the SVC (+4 in
    /// A32, +2 in T32); inside an IT block the saved IT state is advanced past it (AArch32.ITAdvance).
    /// </summary>
    public static void Svc(Cpu cpu, in A32Operands op)
    {
        cpu.ItAdvance();
        cpu.TakeException(ExceptionKind.Synchronous, cpu.SyncExceptionTargetEl, (uint)cpu.NextPc, ExceptionClass.Svc32, op.Imm & 0xFFFF);
    }

    /// <summary>
    /// F5.1 BKPT / AArch32.SoftwareBreakpoint: a debug exception, EC 0x38 with ISS = imm16 (imm12:imm4), to EL1, or to
    /// EL2 from Hyp mode or when MDCR_EL2.TDE (HDCR.TDE) or HCR_EL2.TGE routes debug exceptions there (DebugTarget());
    /// the preferred return is the BKPT itself. At an AArch32 EL1 or in Hyp mode it becomes a Prefetch Abort with the
    /// debug event status (Cpu.TakeAarch32Exception, TakeHypException).
    /// </summary>
    public static void Bkpt(Cpu cpu, in A32Operands op) =>
        throw new GuestException(ExceptionClass.Bkpt32, op.Imm & 0xFFFF, cpu.DebugExceptionTargetEl);

    /// <summary>F5.1 UDF: permanently UNDEFINED.</summary>
    public static void Udf(Cpu cpu, in A32Operands op) => throw cpu.UndefinedException();

    /// <summary>
    /// An encoding of a feature not modelled yet: stops the run with an explanation instead of raising an UNDEFINED the real CPU would not.
    /// </summary>
    public static void NotImplemented(Cpu cpu, in A32Operands op)
    {
        uint insn = cpu.FetchInstruction(cpu.State.PC);
        cpu.StopUnsupported($"A32 instruction 0x{insn:x8} at PC 0x{cpu.State.PC:x} ({cpu.A32Decoder.DecodeRow(insn).Name}) is not implemented");
    }


    /// <summary>
    /// F5.1 SETEND: PSTATE.E = E (bit 9), the endianness of the data accesses that follow (<see cref="A32Memory"/>).
    /// UNDEFINED when AArch32.CheckSETENDEnabled says so (<see cref="SetendDisabled"/>).
    /// </summary>
    public static void Setend(Cpu cpu, in A32Operands op)
    {
        if (SetendDisabled(cpu)) throw cpu.UndefinedException();
        cpu.State.E = op.Imm != 0;
    }

    /// <summary>
    /// AArch32.CheckSETENDEnabled: SETEND is disabled by HSCTLR.SED in Hyp mode, else by SCTLR.SED (SCTLR_EL1.SED, the
    /// AArch64 view, when EL1 is AArch64: it governs AArch32 EL0 only).
    /// </summary>
    public static bool SetendDisabled(Cpu cpu) => (cpu.Sys.Sctlr[cpu.State.EL == 2 ? 2 : 1] & SctlrEl1.Sed) != 0;

    /// <summary>NOP, CPS (no effect in User mode) and the hints with no effect here (DBG, CSDB, ESB...).</summary>
    public static void Nop(Cpu cpu, in A32Operands op) { }

    /// <summary>F5.1 WFI: AArch32.CheckForWFxTrap (SCTLR_EL1.nTWI, HCR_EL2.TWI, SCR_EL3.TWI), then wait.</summary>
    public static void Wfi(Cpu cpu, in A32Operands op)
    {
        if (cpu.AnyInterruptAsserted) return;
        Hints.CheckForWfxTrap(cpu, isWfe: false);
        cpu.EnterWait(forEvent: false);
    }

    /// <summary>F5.1 WFE.</summary>
    public static void Wfe(Cpu cpu, in A32Operands op)
    {
        if (cpu.EventRegister)
        {
            cpu.EventRegister = false;
            return;
        }
        Hints.CheckForWfxTrap(cpu, isWfe: true);
        cpu.EnterWait(forEvent: true);
    }

    /// <summary>F5.1 SEV.</summary>
    public static void Sev(Cpu cpu, in A32Operands op) => Hints.Sev(cpu, 0);

    /// <summary>F5.1 SEVL.</summary>
    public static void Sevl(Cpu cpu, in A32Operands op) => cpu.EventRegister = true;

    /// <summary>F5.1 CLREX.</summary>
    public static void Clrex(Cpu cpu, in A32Operands op) => cpu.ClearExclusiveLocal();

    /// <summary>
    /// F5.1 DMB, DSB, ISB: nothing to order or synchronize in an in-order interpreter (see <see cref="Barriers"/>); with
    /// CPUs on several host threads each is done as A64's DSB (a host fence, the broadcast maintenance of this PE
    /// completed), more than DMB and ISB need.
    /// </summary>
    public static void Barrier(Cpu cpu, in A32Operands op)
    {
        if (cpu.Parallel) Barriers.Dsb(cpu, 0);
    }

    /// <summary>
    /// F5.1 MRS Rd, APSR/CPSR: at EL0 N Z C V Q and GE, with the rest of the CPSR as an EL0 read sees it (A, I, F,
    /// M = User; the execution-state bits IT, T, SS and IL read as zero); at EL1 the CPSR without the execution-state
    /// bits IT, J and T (psr AND 0xF8FF03DF).
    /// </summary>
    public static void Mrs(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException();
        uint mask = cpu.State.EL == 0 ? 0xF80F_03DFu & ~(1u << 5) : 0xF8FF_03DFu;
        cpu.SetR(op.Rd, cpu.GetAarch32Spsr() & mask);
    }

    /// <summary>
    /// F5.1 MSR (register, immediate) to APSR/CPSR (CPSRWriteByInstr): mask bit 3 writes N Z C V Q, bit 2 GE; at EL1
    /// bit 1 writes A and bit 0 I, F and the mode (<see cref="Cpu.CpsrWriteByInstr"/>). At EL0 the control fields are
    /// not writable (the writes are ignored).
    /// </summary>
    public static void Msr(Cpu cpu, in A32Operands op)
    {
        uint value = op.Kind == A32OperandKind.Immediate ? op.Imm : cpu.R(op.Rn);
        cpu.CpsrWriteByInstr(value, cpu.State.EL == 0 ? op.Imm2 & 0xC : op.Imm2);
    }

    /// <summary>F5.1 MRS Rd, SPSR: the SPSR of the current mode; UNDEFINED in User and System modes (no SPSR).</summary>
    public static void MrsSpsr(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15 || !cpu.TryGetSpsrOfMode(cpu.State.Mode, out ulong spsr)) throw cpu.UndefinedException();
        cpu.SetR(op.Rd, (uint)spsr);
    }

    /// <summary>F5.1 MSR SPSR_fields (SPSRWriteByInstr): the selected bytes of the current mode's SPSR.</summary>
    public static void MsrSpsr(Cpu cpu, in A32Operands op)
    {
        if (!cpu.TryGetSpsrOfMode(cpu.State.Mode, out ulong spsr)) throw cpu.UndefinedException();
        uint value = op.Kind == A32OperandKind.Immediate ? op.Imm : cpu.R(op.Rn);
        uint bytes = 0;
        for (int i = 0; i < 4; i++)
            if ((op.Imm2 & (1 << i)) != 0) bytes |= 0xFFu << (8 * i);
        cpu.SetSpsrOfMode(cpu.State.Mode, (spsr & ~(ulong)bytes) | (value & bytes));
    }

    // F5.1 MRS/MSR (banked register): SYSm (M:M1) and R name the register (the table of "Banked register
    // encodings"): R8_usr-R14_usr, R8_fiq-R14_fiq, LR/SP of IRQ, Supervisor, Abort and Undefined (SYSm 16-23 are
    // X16-X23), or with R = 1 the SPSR of FIQ, IRQ, Supervisor, Abort and Undefined. Returns the target mode and the
    // register (0-14), -1 for the SPSR or -2 for ELR_hyp; false for what is UNDEFINED here: EL0, the Monitor registers
    // and the Hyp registers but ELR_hyp from Hyp mode (no AArch32 EL3), reserved encodings, and the current mode's own registers (CONSTRAINED UNPREDICTABLE, UNDEFINED
    // as QEMU's msr_mrs_banked_exc_checks).
    private static bool BankedTarget(Cpu cpu, in A32Operands op, out int mode, out int n)
    {
        int sysm = op.Imm2;
        (mode, n) = (-1, 0);
        if (op.SetFlags)
        {
            (mode, n) = sysm switch { 0x0E => (Cpu.ModeFiq, -1), 0x10 => (Cpu.ModeIrq, -1), 0x12 => (Cpu.ModeSupervisor, -1),
                0x14 => (Cpu.ModeAbort, -1), 0x16 => (Cpu.ModeUndefined, -1), _ => (-1, 0) };
        }
        else if (sysm <= 6) (mode, n) = (Cpu.ModeUser, 8 + sysm);
        else if (sysm is >= 8 and <= 14) (mode, n) = (Cpu.ModeFiq, sysm);
        else if (sysm is >= 16 and <= 23)
        {
            mode = (sysm >> 1) switch { 8 => Cpu.ModeIrq, 9 => Cpu.ModeSupervisor, 10 => Cpu.ModeAbort, _ => Cpu.ModeUndefined };
            n = (sysm & 1) != 0 ? 13 : 14;
        }
        // ELR_hyp (SYSm 0x1E, R = 0): from Hyp mode and from the Secure EL3 modes of an AArch32 EL3 (Monitor mode); SP_hyp
        // (0x1F) and SPSR_hyp (R = 1, 0x1E) from those EL3 modes only; LR_mon, SP_mon (0x1C, 0x1D) and SPSR_mon (R = 1,
        // 0x1C) from Secure EL3 (QEMU's msr_mrs_banked_exc_checks agrees; Non-secure state: UNDEFINED).
        bool el3 = cpu.El3UsingAarch32 && cpu.State.EL == 3;
        if (!op.SetFlags && sysm == 0x1E && cpu.El2UsingAarch32 && (cpu.State.EL == 2 || el3))
        {
            (mode, n) = (Cpu.ModeHyp, -2);
            return true;
        }
        if (el3 && cpu.El2UsingAarch32 && ((!op.SetFlags && sysm == 0x1F) || (op.SetFlags && sysm == 0x1E)))
            (mode, n) = (Cpu.ModeHyp, op.SetFlags ? -1 : 13);
        if (el3 && sysm is 0x1C or 0x1D)
            (mode, n) = (Cpu.ModeMonitor, op.SetFlags ? (sysm == 0x1C ? -1 : -3) : sysm == 0x1C ? 14 : 13);
        if (n == -3) return false;
        if (mode < 0 || cpu.State.EL == 0) return false;
        int current = cpu.State.Mode;
        if (mode == current) return false;
        if (mode == Cpu.ModeUser && n < 13 && current != Cpu.ModeFiq) return false; // R8_usr-R12_usr are the current ones
        if (mode == Cpu.ModeUser && current == Cpu.ModeSystem) return false;
        return true;
    }

    /// <summary>F5.1 MRS (banked register): Rd = a register or SPSR of another mode.</summary>
    public static void MrsBanked(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15 || !BankedTarget(cpu, op, out int mode, out int n)) throw cpu.UndefinedException();
        if (n == -2) cpu.SetR(op.Rd, (uint)cpu.Sys.Elr[2]); // ELR_hyp is ELR_EL2
        else if (n < 0)
        {
            cpu.TryGetSpsrOfMode(mode, out ulong spsr);
            cpu.SetR(op.Rd, (uint)spsr);
        }
        else cpu.SetR(op.Rd, (uint)cpu.State.X[Cpu.Aarch32Register(mode, n)]);
    }

    /// <summary>F5.1 MSR (banked register): a register or SPSR of another mode = Rn.</summary>
    public static void MsrBanked(Cpu cpu, in A32Operands op)
    {
        if (op.Rn == 15 || !BankedTarget(cpu, op, out int mode, out int n)) throw cpu.UndefinedException();
        if (n == -2) cpu.Sys.Elr[2] = cpu.R(op.Rn);
        else if (n < 0) cpu.SetSpsrOfMode(mode, cpu.R(op.Rn));
        else cpu.State.X[Cpu.Aarch32Register(mode, n)] = cpu.R(op.Rn);
    }

    /// <summary>
    /// F5.1 CPS, CPSID, CPSIE: at EL1 imod 0b10 clears and 0b11 sets the selected A, I, F masks, and M = 1 changes the
    /// mode (AArch32.WriteModeByInstr: a mode of a higher EL or a reserved one sets PSTATE.IL). A NOP at EL0.
    /// </summary>
    public static void Cps(Cpu cpu, in A32Operands op)
    {
        if (cpu.State.EL == 0) return;
        if (op.Imm2 == 2) cpu.State.Daif &= ~op.Imm;
        else if (op.Imm2 == 3) cpu.State.Daif |= op.Imm;
        if (op.SetFlags) cpu.WriteModeByInstr(op.Rd);
    }

    /// <summary>
    /// F5.1 ERET: in Hyp mode AArch32.ExceptionReturn with ELR_hyp and SPSR_hyp; at EL1 the return SUBS PC, LR, #0
    /// makes (R14 and the current mode's SPSR); UNDEFINED at EL0 and in System mode.
    /// </summary>
    public static void Eret(Cpu cpu, in A32Operands op)
    {
        if (cpu.State.Mode == Cpu.ModeHyp && cpu.State.EL == 2) cpu.Aarch32ExceptionReturn((uint)cpu.Sys.Elr[2], (uint)cpu.Sys.Spsr[2]);
        else ExceptionReturnFromSpsr(cpu, cpu.R(14));
    }

    /// <summary>
    /// AArch32.ExceptionReturn to <paramref name="address"/> with SPSR[] (SUBS PC, LR and the other ALU forms): UNDEFINED
    /// where there is no SPSR, and in Hyp mode, which returns only by ERET.
    /// </summary>
    public static void ExceptionReturnFromSpsr(Cpu cpu, uint address)
    {
        if (cpu.State.EL == 0 || cpu.State.Mode == Cpu.ModeHyp || !cpu.TryGetSpsrOfMode(cpu.State.Mode, out ulong spsr)) throw cpu.UndefinedException();
        cpu.Aarch32ExceptionReturn(address, (uint)spsr);
    }

    /// <summary>
    /// F5.1 HVC / AArch32.CallHypervisor: UNDEFINED at EL0, without EL2 enabled, or when disabled (SCR_EL3.HCE = 0, or
    /// HCR_EL2.HCD = 1 without EL3); otherwise EC 0x12 with imm16 to EL2 (the AArch64 EL2, or Hyp mode: its Hyp Trap
    /// vector from PL1, its HVC vector from Hyp mode), returning after the HVC. Without EL2 the built-in firmware answers
    /// it first when its conduit is HVC (QEMU's PSCI conduit for a PE booted in Supervisor mode).
    /// </summary>
    public static void Hvc(Cpu cpu, in A32Operands op)
    {
        if (cpu.State.EL != 0 && !cpu.Configuration.HasEl2
            && cpu.Firmware is { Conduit: Firmware.FirmwareConduit.Hvc } fw && fw.TryHandleCall(cpu, (ushort)op.Imm))
            return;
        if (cpu.State.EL == 0 || !cpu.IsEl2Enabled) throw cpu.UndefinedException();
        bool enabled = cpu.Configuration.HasEl3 ? (cpu.Sys.Scr & ScrEl3.Hce) != 0 : (cpu.Sys.Hcr & HcrEl2.Hcd) == 0;
        if (!enabled) throw cpu.UndefinedException();
        cpu.SoftwareStepAdvance();
        cpu.TakeException(ExceptionKind.Synchronous, 2, (uint)cpu.NextPc, ExceptionClass.Hvc32, op.Imm & 0xFFFF);
    }

    /// <summary>
    /// F5.1 SMC / AArch32.CheckForSMCUndefOrTrap, ordered as the A64 SMC (QEMU's pre_smc): UNDEFINED at EL0; HCR_EL2.TSC
    /// traps EL1's SMC to EL2 (EC 0x13, ISS 0 as QEMU); without EL3 the built-in firmware answers when its conduit is
    /// SMC, else UNDEFINED. With an AArch32 EL3 (Monitor mode): SCR.SCD makes it UNDEFINED in Non-secure state (ARMv7
    /// B4.1.129; in Secure state QEMU's choice of the CONSTRAINED UNPREDICTABLE cases: taken), else AArch32.TakeSMCException
    /// to Monitor mode (MVBAR + 0x08, LR_mon the next instruction); the built-in firmware first answers the PSCI function
    /// IDs when its conduit is SMC, as QEMU's PSCI emulation takes them (arm_is_psci_call) before any Monitor code. An
    /// AArch32 SMC to an AArch64 EL3 is not modelled (the run stops).
    /// </summary>
    public static void Smc(Cpu cpu, in A32Operands op)
    {
        var firmware = cpu.Firmware is { Conduit: Firmware.FirmwareConduit.Smc } fw ? fw : null;
        if (cpu.State.EL == 0 || (!cpu.Configuration.HasEl3 && firmware == null)) throw cpu.UndefinedException();
        if (cpu.State.EL == 1 && (cpu.EffectiveHcr & HcrEl2.Tsc) != 0) throw new GuestException(ExceptionClass.Smc32, 0, 2);
        if (cpu.El3UsingAarch32)
        {
            uint id = cpu.R(0);
            if (firmware != null && (id & 0xBFFF_FFE0u) == 0x8400_0000u && Firmware.PsciFirmware.NameOf(id) != null
                && firmware.TryHandleCall(cpu, 0))
                return;
            if ((cpu.Sys.Scr & ScrEl3.Smd) != 0 && !cpu.IsSecureAarch32) throw cpu.UndefinedException(); // SCR.SCD
            cpu.ItAdvance();
            cpu.SoftwareStepAdvance();
            cpu.TakeException(ExceptionKind.Synchronous, 3, (uint)cpu.NextPc, ExceptionClass.Smc32, 0);
            return;
        }
        if (!cpu.Configuration.HasEl3)
        {
            if (firmware!.TryHandleCall(cpu, (ushort)op.Imm)) return;
            throw cpu.UndefinedException();
        }
        NotImplemented(cpu, op);
    }

    // MRC/MCR keys: coproc:opc1:opc2 with CRn and CRm (Cp15RegisterTable.Key32).
    private static int Key(in A32Operands op) => (int)op.Imm << 8 | op.Rn << 4 | op.Rm;
    private const int Cp15Isb = (0xF04 << 8) | (7 << 4) | 5;    // p15, 0, c7, c5, 4
    private const int Cp15Dsb = (0xF04 << 8) | (7 << 4) | 10;   // p15, 0, c7, c10, 4
    private const int Cp15Dmb = (0xF05 << 8) | (7 << 4) | 10;   // p15, 0, c7, c10, 5

    /// <summary>
    /// F5.1 MRC/MCR (CP15): the CP15DMB, CP15DSB and CP15ISB barriers when SCTLR.CP15BEN is set, and the registers of
    /// <see cref="Cp15RegisterTable"/> through their AArch64 views, with the AArch32 access checks
    /// (<see cref="Resolve"/>). Other encodings are UNDEFINED.
    /// </summary>
    public static void Cp15(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        int key = Key(op);
        if (key is Cp15Isb or Cp15Dsb or Cp15Dmb && !read && (cpu.Sys.Sctlr[cpu.IsSecureAarch32 ? 3 : 1] & SctlrEl1.Cp15ben) != 0) return;
        Cp15RegisterTable.Registers32.TryGetValue(key, out var entry);
        if (entry?.Secure != null && cpu.SecureBankSelected) entry = entry.Secure;
        if (op.Rd == 15) entry = null;
        var reg = Resolve(cpu, op, entry, op.Rn, pair: false);
        if (read) cpu.SetR(op.Rd, (uint)ReadView(cpu, entry!, reg));
        else WriteView(cpu, entry!, reg, cpu.R(op.Rd));
    }

    /// <summary>
    /// F5.1 MRRC/MCRR (CP15): the 64-bit registers of <see cref="Cp15RegisterTable"/> (TTBR0, TTBR1, PAR, the generic
    /// timer's counters and compare values), Rt the low word and Rt2 the high word. Other encodings are UNDEFINED.
    /// </summary>
    public static void Cp15Pair(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        Cp15RegisterTable.Registers64.TryGetValue(Key(op), out var entry);
        if (entry?.Secure != null && cpu.SecureBankSelected) entry = entry.Secure;
        if (op.Rd == 15 || op.Rs == 15 || (read && op.Rd == op.Rs)) entry = null;
        var reg = Resolve(cpu, op, entry, op.Rm, pair: true);
        if (read)
        {
            ulong value = ReadView(cpu, entry!, reg);
            cpu.SetR(op.Rd, (uint)value);
            cpu.SetR(op.Rs, (uint)(value >> 32));
        }
        else WriteView(cpu, entry!, reg, (ulong)cpu.R(op.Rs) << 32 | cpu.R(op.Rd));
    }

    /// <summary>
    /// F5.1 MRC/MCR (CP14): the debug registers of <see cref="Cp14RegisterTable"/> through their AArch64 views, with the
    /// AArch32 access checks (<see cref="Resolve"/>: the registers' MDCR_EL2/MDCR_EL3/MDSCR_EL1.TDCC traps, EC 0x05).
    /// MRC with Rt = 15 (APSR_nzcv) is DBGDSCRint's only: its bits 31..28 to N, Z, C, V. Other encodings are UNDEFINED.
    /// </summary>
    public static void Cp14(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        int key = Key(op);
        Cp14RegisterTable.Registers32.TryGetValue(key, out var entry);
        bool nzcv = op.Rd == 15 && read && key == Cp14RegisterTable.Key32(0, 0, 1, 0);
        if (op.Rd == 15 && !nzcv) entry = null;
        var reg = Resolve(cpu, op, entry, op.Rn, pair: false, cp14: true);
        if (nzcv) cpu.State.Nzcv = (uint)ReadView(cpu, entry!, reg) & 0xF000_0000u;
        else if (read) cpu.SetR(op.Rd, (uint)ReadView(cpu, entry!, reg));
        else WriteView(cpu, entry!, reg, cpu.R(op.Rd));
    }

    /// <summary>
    /// The LDC/STC encodings that exist (F5.1 LDC (immediate), LDC (literal), STC; the rows fix coproc 1110, CRd 0101 and
    /// D = 0, every other LDC/STC being UNDEFINED): P = U = W = 0 is UNDEFINED; LDC (literal) with W = 1, or in T32 with
    /// P = 0, and STC with Rn = PC with write-back or in T32 are UNPREDICTABLE, UNDEFINED here.
    /// </summary>
    public static bool LdcStcValid(uint w, bool thumb)
    {
        bool p = (w & (1u << 24)) != 0, u = (w & (1u << 23)) != 0, wback = (w & (1u << 21)) != 0, load = (w & (1u << 20)) != 0;
        if (!p && !u && !wback) return false;
        if (((w >> 16) & 0xF) != 15) return true;
        return load ? !wback && !(thumb && !p) : !wback && !thumb;
    }

    private static readonly int DbgdtrKey = Cp14RegisterTable.Key32(0, 0, 5, 0);

    /// <summary>
    /// F5.1 LDC (immediate, literal) and STC to p14, c5: a word between memory and the debug communications channel,
    /// LDC's to DBGDTRTXint and STC's from DBGDTRRXint (G8.3, "DBGDTRTXint", "DBGDTRRXint"). The access is checked first,
    /// as MRC/MCR of those registers are (<see cref="SystemRegisterTraps.DebugComms"/>: DBGDSCRext.UDCCdis /
    /// MDSCR_EL1.TDCC at EL0, then MDCR_EL2.TDA / HDCR.TDA (TDE, TGE) and MDCR_EL3.TDA), a trap being EC 0x06 with the
    /// ISS of a trapped LDC or STC (<see cref="LdcStcIss"/>); then the word is accessed as MemA (aligned) at
    /// R[n] +/- imm8 &lt;&lt; 2 (Align(PC, 4) for the literal form) before or after indexing, and R[n] written back.
    /// </summary>
    public static void LdcStcCp14(Cpu cpu, in A32Operands op)
    {
        bool load = op.SetFlags;
        var access = SystemRegisterTraps.DebugComms(cpu, write: load);
        if (access != SystemRegisterAccess.Allowed)
        {
            uint iss = LdcStcIss(op, (uint)cpu.SyndromeRegister(op.Rn));
            throw access switch
            {
                SystemRegisterAccess.TrapToEl1 => new GuestException(ExceptionClass.LdcStcCp14, iss, cpu.SyncExceptionTargetEl),
                SystemRegisterAccess.TrapToEl2 => new GuestException(ExceptionClass.LdcStcCp14, iss, 2),
                SystemRegisterAccess.TrapToEl3 => new GuestException(ExceptionClass.LdcStcCp14, iss, 3),
                _ => cpu.UndefinedException(),
            };
        }
        var dtr = Cp14RegisterTable.Registers32[DbgdtrKey];
        uint b = op.Rn == 15 ? cpu.R(15) & ~3u : cpu.R(op.Rn), imm32 = op.Imm << 2;
        uint offsetAddress = op.Add ? b + imm32 : b - imm32;
        uint address = op.Index ? offsetAddress : b;
        var kind = load ? MemoryAccessKind.Read : MemoryAccessKind.Write;
        if (!A32Memory.CheckAligned(cpu, address, 4, kind)) return;
        if (load)
        {
            uint value = (uint)A32Memory.Load(cpu, address, 4, kind);
            if (cpu.AbortPending) return;
            dtr.Write!(cpu, value);
        }
        else
        {
            A32Memory.Store(cpu, address, 4, dtr.Read!(cpu), kind);
            if (cpu.AbortPending) return;
        }
        if (op.WriteBack) cpu.SetR(op.Rn, offsetAddress);
    }

    /// <summary>
    /// The ISS of a trapped LDC or STC (ISS encoding for an exception from an LDC or STC instruction): CV = 1 and COND =
    /// 0b1110 (as the MCR/MRC traps here and QEMU report them), imm8, Rn (<paramref name="rn"/>, from
    /// <see cref="Cpu.SyndromeRegister"/>), Offset = U, AM (0b000 unindexed, 0b001 post-indexed, 0b010 offset, 0b011 pre-indexed; LDC (literal)
    /// 0b100 unindexed, 0b110 offset), Direction = 1 for LDC (a read from memory).
    /// </summary>
    internal static uint LdcStcIss(in A32Operands op, uint rn)
    {
        uint am = op.Rn == 15 && op.SetFlags ? (op.Index ? 0b110u : 0b100u) : (op.Index ? 2u : 0u) | (op.WriteBack ? 1u : 0u);
        return (1u << 24) | (0xEu << 20) | (op.Imm & 0xFF) << 12 | (rn & 0x1F) << 5 | (op.Add ? 1u << 4 : 0) | am << 1 | (op.SetFlags ? 1u : 0);
    }

    /// <summary>
    /// F5.1 MRRC (CP14): DBGDRAR and DBGDSAR as 64-bit values (EC 0x0C when trapped). MCRR to CP14 and other
    /// encodings are UNDEFINED.
    /// </summary>
    public static void Cp14Pair(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        Cp14RegisterTable.Registers64.TryGetValue(Key(op), out var entry);
        if (op.Rd == 15 || op.Rs == 15 || (read && op.Rd == op.Rs)) entry = null;
        var reg = Resolve(cpu, op, entry, op.Rm, pair: true, cp14: true);
        if (!read) throw cpu.UndefinedException(); // (not reached: every row is read-only)
        ulong value = ReadView(cpu, entry!, reg);
        cpu.SetR(op.Rd, (uint)value);
        cpu.SetR(op.Rs, (uint)(value >> 32));
    }

    private static ulong ReadView(Cpu cpu, Cp15Register entry, SystemRegister? reg)
    {
        ulong value = entry.Read != null ? entry.Read(cpu) : reg!.Read!(cpu);
        return entry.View switch { Cp15View.Low => value & 0xFFFF_FFFF, Cp15View.High => value >> 32, _ => value };
    }

    // A write through the view (the other half of the AArch64 register kept), then, as MSR does for the AArch64
    // registers, the cached translation regime dropped (SCTLR, TTBRn, TTBCR, DACR, PRRR/NMRR and CONTEXTIDR are CP15
    // registers; AArch32 code is interpreted, so the cost of dropping it for every CP15 write is not on a hot path).
    private static void WriteView(Cpu cpu, Cp15Register entry, SystemRegister? reg, ulong value)
    {
        if (entry.Operand != null) value = entry.Operand(value);
        if (entry.Write != null) entry.Write(cpu, value);
        else
        {
            ulong full = entry.View switch
            {
                Cp15View.Low => (reg!.Read!(cpu) & 0xFFFF_FFFF_0000_0000UL) | (uint)value,
                Cp15View.High => (reg!.Read!(cpu) & 0xFFFF_FFFFUL) | (value << 32),
                _ => value,
            };
            reg!.Write!(cpu, full);
        }
        entry.After?.Invoke(cpu);
        cpu.InvalidateRegimeCache();
    }

    /// <summary>
    /// AArch32.CheckSystemAccess for a CP15 register or operation (<paramref name="entry"/>, null when the encoding is not
    /// one this PE has), in the Arm ARM's priority order: UNDEFINED below the register's EL or for a missing register or
    /// direction, except that at EL1 the coarse traps come first (AArch32.CheckCP15InstrCoarseTraps: HSTR_EL2.T&lt;n&gt; for
    /// CRn = n, CRm of MCRR/MRRC, and HCR_EL2.TIDCP for the IMPLEMENTATION DEFINED spaces, which trap even encodings that
    /// do not exist); at EL0 HSTR_EL2 traps only an access the register allows at EL0. Then the AArch64 register's own
    /// checks (HCR_EL2.TVM/TRVM, TID1-3, TACR, TPC, TPU, TSW, TTLB, CNTKCTL_EL1, CNTHCTL_EL2 ...). A trap is EC 0x03
    /// (MCR/MRC) or 0x04 (MCRR/MRRC) with CV = 1 and COND = 0b1110 (QEMU's choice), Rt (and Rt2) as <see cref="Cpu.SyndromeRegister"/> gives them;
    /// a trap to EL1 while EL1 is AArch32 becomes the Undefined Instruction exception there.
    /// </summary>
    private static SystemRegister? Resolve(Cpu cpu, in A32Operands op, Cp15Register? entry, int trapIndex, bool pair, bool cp14 = false)
    {
        bool read = op.SetFlags;
        int el = cpu.State.EL;
        var reg = entry == null || entry.Aarch64 < 0 ? null : cpu.SystemRegisters.Find(entry.Aarch64);
        bool exists = entry != null && (entry.Aarch64 < 0 || reg != null)
            && (read ? !entry.WriteOnly && (entry.Read != null || reg?.Read != null) : !entry.ReadOnly && (entry.Write != null || reg?.Write != null));
        bool accessible = exists && el >= entry!.MinEl;
        var access = SystemRegisterAccess.Allowed;
        // (HSTR_EL2 and TIDCP are CP15's: CP14 has its registers' own traps only.)
        bool coarseTrap = !cp14 && el <= 1 && cpu.IsEl2Enabled && (el == 1 || accessible)
            && ((cpu.Sys.Hstr & (1UL << trapIndex)) != 0 || (el == 1 && !pair && ImplementationDefinedSpace(op) && (cpu.Sys.Hcr & HcrEl2.Tidcp) != 0));
        if (coarseTrap) access = SystemRegisterAccess.TrapToEl2;
        else if (!accessible) access = SystemRegisterAccess.Undefined;
        else if (entry!.Check != null) access = entry.Check(cpu, !read);
        else if (reg?.Check != null) access = reg.Check(cpu, !read);
        if (access == SystemRegisterAccess.Allowed) return reg;
        int opc1 = (int)(op.Imm >> 4) & 0xF, opc2 = (int)op.Imm & 7;
        uint rt = (uint)cpu.SyndromeRegister(op.Rd), rt2 = (uint)cpu.SyndromeRegister(op.Rs);
        uint iss = (1u << 24) | (0xEu << 20) | rt << 5 | (uint)op.Rm << 1 | (read ? 1u : 0)
            | (pair ? (uint)opc1 << 16 | rt2 << 10 : (uint)opc2 << 17 | (uint)opc1 << 14 | (uint)op.Rn << 10);
        var ec = cp14 ? (pair ? ExceptionClass.MrrcCp14 : ExceptionClass.McrMrcCp14) : pair ? ExceptionClass.McrrMrrcCp15 : ExceptionClass.McrMrcCp15;
        throw access switch
        {
            SystemRegisterAccess.TrapToEl1 => new GuestException(ec, iss, cpu.SyncExceptionTargetEl),
            SystemRegisterAccess.TrapToEl2 => new GuestException(ec, iss, 2),
            SystemRegisterAccess.TrapToEl3 => new GuestException(ec, iss, 3),
            _ => cpu.UndefinedException(),
        };
    }

    // HCR_EL2.TIDCP's AArch32 space: CRn = 9 with CRm 12-15, CRn = 10 with CRm 0, 1, 4, 8, CRn = 11 and CRn = 15 (the
    // encodings reserved for IMPLEMENTATION DEFINED registers, Arm ARM G7.3.2 / HCR_EL2.TIDCP).
    private static bool ImplementationDefinedSpace(in A32Operands op) => op.Rn switch
    {
        9 => op.Rm >= 12,
        10 => op.Rm is 0 or 1 or 4 or 8,
        11 or 15 => true,
        _ => false,
    };
}
