using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The A32 exception-generating, hint, barrier, status-register and coprocessor instructions available at EL0:
/// SVC, BKPT, UDF; NOP, YIELD, WFE, WFI, SEV, SEVL (other hints are NOPs); DMB, DSB, ISB, CLREX; MRS and MSR of the
/// APSR; MRC/MCR of the EL0 thread ID registers (TPIDRURW, TPIDRURO) and the CP15 barriers. Exceptions are taken to
/// AArch64 EL1 (EL2 under HCR_EL2.TGE) with the AArch32 syndromes of D17.2.37 (EC 0x11 SVC, 0x38 BKPT, 0x01 WFx with
/// CV = 1 and COND = 0b1110, permitted for an instruction that passed its condition and what QEMU reports).
/// </summary>
public static class A32System
{
    /// <summary>F5.1 SVC / AArch32.CallSupervisor: EC 0x11, ISS = imm24&lt;15:0&gt;, returning after the SVC.</summary>
    public static void Svc(Cpu cpu, in A32Operands op) =>
        cpu.TakeException(ExceptionKind.Synchronous, cpu.SyncExceptionTargetEl, (uint)cpu.State.PC + 4, ExceptionClass.Svc32, op.Imm & 0xFFFF);

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
    /// An encoding of a feature not modelled yet (VFP, Advanced SIMD, the parallel add/subtract and packing media
    /// instructions): stops the run with an explanation instead of raising an UNDEFINED the real CPU would not.
    /// </summary>
    public static void NotImplemented(Cpu cpu, in A32Operands op)
    {
        uint insn = cpu.FetchInstruction(cpu.State.PC);
        cpu.StopUnsupported($"A32 instruction 0x{insn:x8} at PC 0x{cpu.State.PC:x} ({cpu.A32Decoder.DecodeRow(insn).Name}) is not implemented");
    }

    /// <summary>
    /// A VFP or Advanced SIMD encoding: AArch32.CheckAdvSIMDOrFPEnabled first (CPACR_EL1.FPEN, CPTR_EL2/EL3.TFP, which
    /// trap with EC 0x07, CV = 1 and COND = 0b1110 as from A64), then, as the instructions are not modelled yet,
    /// <see cref="NotImplemented"/>.
    /// </summary>
    public static void FloatingPoint(Cpu cpu, in A32Operands op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        NotImplemented(cpu, op);
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
                throw cpu.UndefinedException();
        }
    }
}
