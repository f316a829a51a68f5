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
public static class A32System
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
    /// EL2 when MDCR_EL2.TDE or HCR_EL2.TGE routes debug exceptions there; the preferred return is the BKPT itself.
    /// </summary>
    public static void Bkpt(Cpu cpu, in A32Operands op)
    {
        const ulong mdcrTde = 1UL << 8;
        int target = cpu.IsEl2Enabled && ((cpu.Sys.Mdcr[2] & mdcrTde) != 0 || (cpu.Sys.Hcr & HcrEl2.Tge) != 0) ? 2 : 1;
        throw new GuestException(ExceptionClass.Bkpt32, op.Imm & 0xFFFF, target);
    }

    /// <summary>F5.1 UDF: permanently UNDEFINED.</summary>
    public static void Udf(Cpu cpu, in A32Operands op) => throw cpu.UndefinedException();

    /// <summary>
    /// An encoding of a feature not modelled yet (SETEND BE): stops the run with an explanation instead of raising an UNDEFINED the real CPU would not.
    /// </summary>
    public static void NotImplemented(Cpu cpu, in A32Operands op)
    {
        uint insn = cpu.FetchInstruction(cpu.State.PC);
        cpu.StopUnsupported($"A32 instruction 0x{insn:x8} at PC 0x{cpu.State.PC:x} ({cpu.A32Decoder.DecodeRow(insn).Name}) is not implemented");
    }


    /// <summary>
    /// F5.1 SETEND: UNDEFINED when SCTLR_EL1.SED is set; SETEND LE leaves the (little-endian) data endianness as it is;
    /// SETEND BE would make data accesses big-endian, which is not modelled (the run stops).
    /// </summary>
    public static void Setend(Cpu cpu, in A32Operands op)
    {
        if ((cpu.Sys.Sctlr[1] & SctlrEl1.Sed) != 0) throw cpu.UndefinedException();
        if ((cpu.FetchInstruction(cpu.State.PC) & (1u << 9)) != 0) NotImplemented(cpu, op);
    }

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

    /// <summary>F5.1 DMB, DSB, ISB: nothing to order or synchronize in an in-order interpreter (see <see cref="Barriers"/>).</summary>
    public static void Barrier(Cpu cpu, in A32Operands op) { }

    /// <summary>
    /// F5.1 MRS Rd, APSR: N Z C V Q and GE, with the rest of the CPSR as an EL0 read sees it (A, I, F, M = User; the
    /// execution-state bits IT, T, SS and IL read as zero).
    /// </summary>
    public static void Mrs(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException();
        cpu.SetR(op.Rd, cpu.GetAarch32Spsr() & 0xF80F_03DFu & ~(1u << 5));
    }

    /// <summary>
    /// F5.1 MSR (register, immediate) to APSR: mask bit 3 (write_nzcvq) writes N Z C V Q, bit 2 (write_g) GE; the
    /// control fields are not writable at EL0 (the writes are ignored, CPSRWriteByInstr).
    /// </summary>
    public static void Msr(Cpu cpu, in A32Operands op)
    {
        uint value = op.Kind == A32OperandKind.Immediate ? op.Imm : cpu.R(op.Rn);
        if ((op.Imm2 & 8) != 0)
        {
            cpu.State.Nzcv = value & 0xF000_0000u;
            cpu.State.Saturation = (value & (1u << 27)) != 0;
        }
        if ((op.Imm2 & 4) != 0) cpu.State.Ge = (value >> 16) & 0xF;
    }

    // The CP15 encodings EL0 may access (G8.2 "Generic system control registers"), keyed by coproc:opc1:opc2 with CRn
    // and CRm; everything else on CP14/CP15 is UNDEFINED at EL0 in this model.
    private static int Key(in A32Operands op) => (int)op.Imm << 8 | op.Rn << 4 | op.Rm;
    private const int Tpidrurw = (0xF02 << 8) | (13 << 4) | 0;  // p15, 0, c13, c0, 2
    private const int Tpidruro = (0xF03 << 8) | (13 << 4) | 0;  // p15, 0, c13, c0, 3
    private const int Cp15Isb = (0xF04 << 8) | (7 << 4) | 5;    // p15, 0, c7, c5, 4
    private const int Cp15Dsb = (0xF04 << 8) | (7 << 4) | 10;   // p15, 0, c7, c10, 4
    private const int Cp15Dmb = (0xF05 << 8) | (7 << 4) | 10;   // p15, 0, c7, c10, 5

    /// <summary>
    /// F5.1 MRC/MCR (CP15) at EL0: TPIDRURW (TPIDR_EL0), TPIDRURO (TPIDRRO_EL0, read-only at EL0), and the CP15DMB,
    /// CP15DSB and CP15ISB barriers when SCTLR_EL1.CP15BEN is set. Other encodings are UNDEFINED.
    /// </summary>
    public static void Cp15(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        switch (Key(op))
        {
            case Tpidrurw when op.Rd != 15:
                if (read) cpu.SetR(op.Rd, (uint)cpu.Sys.Tpidr[0]);
                else cpu.Sys.Tpidr[0] = (cpu.Sys.Tpidr[0] & 0xFFFF_FFFF_0000_0000UL) | cpu.R(op.Rd); // TPIDR_EL0<31:0>, as QEMU
                return;
            case Tpidruro when read && op.Rd != 15:
                cpu.SetR(op.Rd, (uint)cpu.Sys.Tpidrro);
                return;
            case Cp15Isb or Cp15Dsb or Cp15Dmb when !read && (cpu.Sys.Sctlr[1] & SctlrEl1.Cp15ben) != 0:
                return;
            default:
                if (op.Rd == 15 || !Mapped32.TryGetValue(Key(op), out int key)) throw cpu.UndefinedException();
                var reg = CheckMapped(cpu, op, key, pair: false);
                if (read) cpu.SetR(op.Rd, (uint)reg.Read!(cpu));
                else reg.Write!(cpu, cpu.R(op.Rd));
                return;
        }
    }

    /// <summary>
    /// F5.1 MRRC/MCRR (CP15) at EL0: the 64-bit generic timer registers CNTPCT, CNTVCT, CNTP_CVAL and CNTV_CVAL, through
    /// their AArch64 views (Rt the low word, Rt2 the high word). Other encodings are UNDEFINED.
    /// </summary>
    public static void Cp15Pair(Cpu cpu, in A32Operands op)
    {
        bool read = op.SetFlags;
        if (op.Rd == 15 || op.Rs == 15 || (read && op.Rd == op.Rs) || !Mapped64.TryGetValue(Key(op), out int key))
            throw cpu.UndefinedException();
        var reg = CheckMapped(cpu, op, key, pair: true);
        if (read)
        {
            ulong value = reg.Read!(cpu);
            cpu.SetR(op.Rd, (uint)value);
            cpu.SetR(op.Rs, (uint)(value >> 32));
        }
        else reg.Write!(cpu, (ulong)cpu.R(op.Rs) << 32 | cpu.R(op.Rd));
    }

    // AArch32 CP15 registers EL0 can reach that are architecturally mapped to AArch64 System registers (the generic
    // timer's, Arm ARM G8.7), keyed as Key: MRC/MCR by coproc:opc1:opc2:CRn:CRm, MRRC/MCRR by coproc:opc1:CRm. The
    // AArch64 register's own access checks (CNTKCTL_EL1.EL0*EN, CNTHCTL_EL2) apply, with AArch32 trap syndromes.
    private static int Key32(int opc1, int crn, int crm, int opc2) => (0xF00 | opc1 << 4 | opc2) << 8 | crn << 4 | crm;
    private static int Key64(int opc1, int crm) => (0xF00 | opc1 << 4) << 8 | crm;
    private static int Aarch64(int op1, int crn, int crm, int op2) => SystemRegister.EncodeKey(3, op1, crn, crm, op2);

    private static readonly Dictionary<int, int> Mapped32 = new()
    {
        [Key32(0, 14, 0, 0)] = Aarch64(3, 14, 0, 0), // CNTFRQ -> CNTFRQ_EL0
        [Key32(0, 14, 2, 0)] = Aarch64(3, 14, 2, 0), // CNTP_TVAL -> CNTP_TVAL_EL0
        [Key32(0, 14, 2, 1)] = Aarch64(3, 14, 2, 1), // CNTP_CTL -> CNTP_CTL_EL0
        [Key32(0, 14, 3, 0)] = Aarch64(3, 14, 3, 0), // CNTV_TVAL -> CNTV_TVAL_EL0
        [Key32(0, 14, 3, 1)] = Aarch64(3, 14, 3, 1), // CNTV_CTL -> CNTV_CTL_EL0
    };

    private static readonly Dictionary<int, int> Mapped64 = new()
    {
        [Key64(0, 14)] = Aarch64(3, 14, 0, 1), // CNTPCT -> CNTPCT_EL0
        [Key64(1, 14)] = Aarch64(3, 14, 0, 2), // CNTVCT -> CNTVCT_EL0
        [Key64(2, 14)] = Aarch64(3, 14, 2, 2), // CNTP_CVAL -> CNTP_CVAL_EL0
        [Key64(3, 14)] = Aarch64(3, 14, 3, 2), // CNTV_CVAL -> CNTV_CVAL_EL0
    };

    // AArch32.CheckSystemAccess for a mapped register: UNDEFINED when the register is absent (no timer in this machine)
    // or not accessible that way at EL0, else its checks; a trap is EC 0x03 (MCR/MRC) or 0x04 (MCRR/MRRC) with CV = 1,
    // COND = 0b1110 and the encoding fields (ISS encoding for an exception from MCR or MRC access / MCRR or MRRC access).
    private static SystemRegister CheckMapped(Cpu cpu, in A32Operands op, int key, bool pair)
    {
        bool read = op.SetFlags;
        var reg = cpu.SystemRegisters.Find(key);
        var access = reg == null || cpu.State.EL < reg.MinEl || (read ? reg.Read == null : reg.Write == null)
            ? SystemRegisterAccess.Undefined
            : reg.Check?.Invoke(cpu, !read) ?? SystemRegisterAccess.Allowed;
        if (access == SystemRegisterAccess.Allowed) return reg!;
        int opc1 = (int)(op.Imm >> 4) & 0xF, opc2 = (int)op.Imm & 7;
        uint iss = (1u << 24) | (0xEu << 20) | (uint)op.Rd << 5 | (uint)op.Rm << 1 | (read ? 1u : 0)
            | (pair ? (uint)opc1 << 16 | (uint)op.Rs << 10 : (uint)opc2 << 17 | (uint)opc1 << 14 | (uint)op.Rn << 10);
        var ec = pair ? ExceptionClass.McrrMrrcCp15 : ExceptionClass.McrMrcCp15;
        throw access switch
        {
            SystemRegisterAccess.TrapToEl1 => new GuestException(ec, iss, cpu.SyncExceptionTargetEl),
            SystemRegisterAccess.TrapToEl2 => new GuestException(ec, iss, 2),
            SystemRegisterAccess.TrapToEl3 => new GuestException(ec, iss, 3),
            _ => cpu.UndefinedException(),
        };
    }
}
