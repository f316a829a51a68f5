using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Firmware;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>Exception generation (C4.1.66 SVC, HVC, SMC, BRK, HLT).</summary>
internal static class ExceptionGeneration
{
    private const ulong MdcrEl2Tde = 1UL << 8;

    private static ushort Imm16(uint insn) => (ushort)A64Fields.Bits(insn, 20, 5);

    /// <summary>
    /// C6.2.329 SVC / AArch64.CallSupervisor: EC 0x15 to EL1 (EL2 from EL0 under HCR_EL2.TGE), returning after it. A
    /// stepped SVC has completed its step (SSAdvance, as HVC and SMC), so SPSR.SS is 0.
    /// </summary>
    public static void Svc(Cpu cpu, uint insn)
    {
        cpu.SoftwareStepAdvance();
        cpu.TakeException(ExceptionKind.Synchronous, cpu.SyncExceptionTargetEl, cpu.State.PC + 4, ExceptionClass.Svc64, Imm16(insn));
    }

    /// <summary>
    /// C6.2.110 HVC / AArch64.CallHypervisor: UNDEFINED at EL0, in Secure EL1, without EL2, or when disabled
    /// (SCR_EL3.HCE = 0, or HCR_EL2.HCD = 1 without EL3); otherwise EC 0x16 to EL2 (EL3 from EL3). Without EL2
    /// the built-in firmware answers it first when its conduit is HVC (QEMU's PSCI conduit when booting at EL1).
    /// </summary>
    public static void Hvc(Cpu cpu, uint insn)
    {
        int el = cpu.State.EL;
        ushort imm = Imm16(insn);
        if (el == 0) throw SystemRegisterMove.Undefined(cpu);
        if (!cpu.Configuration.HasEl2)
        {
            if (cpu.Firmware is { Conduit: FirmwareConduit.Hvc } fw && fw.TryHandleCall(cpu, imm)) return;
            throw SystemRegisterMove.Undefined(cpu);
        }
        if (el == 1 && !cpu.IsEl2Enabled) throw SystemRegisterMove.Undefined(cpu); // Secure EL1
        bool enabled = cpu.Configuration.HasEl3 ? (cpu.Sys.Scr & ScrEl3.Hce) != 0 : (cpu.Sys.Hcr & HcrEl2.Hcd) == 0;
        if (!enabled) throw SystemRegisterMove.Undefined(cpu);
        cpu.SoftwareStepAdvance();
        cpu.TakeException(ExceptionKind.Synchronous, el == 3 ? 3 : 2, cpu.State.PC + 4, ExceptionClass.Hvc64, imm);
    }

    /// <summary>
    /// C6.2.276 SMC / AArch64.CheckForSMCUndefOrTrap and AArch64.CallSecureMonitor, ordered as QEMU's pre_smc:
    /// UNDEFINED at EL0; without EL3 UNDEFINED unless the built-in firmware's conduit is SMC; HCR_EL2.TSC traps
    /// EL1's SMC to EL2 (EC 0x17, returning to the SMC) before SCR_EL3.SMD or the firmware are considered; then
    /// the firmware answers (no EL3) or SCR_EL3.SMD makes it UNDEFINED; otherwise EC 0x17 to EL3.
    /// </summary>
    public static void Smc(Cpu cpu, uint insn)
    {
        int el = cpu.State.EL;
        ushort imm = Imm16(insn);
        bool hasEl3 = cpu.Configuration.HasEl3;
        var firmware = cpu.Firmware is { Conduit: FirmwareConduit.Smc } fw ? fw : null;
        if (el == 0 || (!hasEl3 && firmware == null)) throw SystemRegisterMove.Undefined(cpu);
        if (el == 1 && (cpu.EffectiveHcr & HcrEl2.Tsc) != 0)
            throw new GuestException(ExceptionClass.Smc64, imm, 2);
        if (!hasEl3)
        {
            if (firmware!.TryHandleCall(cpu, imm)) return;
            throw SystemRegisterMove.Undefined(cpu);
        }
        if ((cpu.Sys.Scr & ScrEl3.Smd) != 0) throw SystemRegisterMove.Undefined(cpu);
        cpu.SoftwareStepAdvance();
        cpu.TakeException(ExceptionKind.Synchronous, 3, cpu.State.PC + 4, ExceptionClass.Smc64, imm);
    }

    /// <summary>
    /// C6.2.40 BRK / AArch64.SoftwareBreakpoint: EC 0x3C, ISS = imm16, returning to the BRK; to EL2 from EL0/EL1
    /// when HCR_EL2.TGE or MDCR_EL2.TDE is set.
    /// </summary>
    public static void Brk(Cpu cpu, uint insn)
    {
        int el = cpu.State.EL;
        bool toEl2 = el <= 1 && cpu.IsEl2Enabled && ((cpu.Sys.Hcr & HcrEl2.Tge) != 0 || (cpu.Sys.Mdcr[2] & MdcrEl2Tde) != 0);
        throw new GuestException(ExceptionClass.Brk64, Imm16(insn), toEl2 ? 2 : Math.Max(el, 1));
    }

    /// <summary>
    /// C6.2.108 HLT: halting debug is not implemented, so HLT is UNDEFINED, except HLT #0xF000 above EL0 with
    /// semihosting enabled (as QEMU without semihosting userspace access).
    /// </summary>
    public static void Hlt(Cpu cpu, uint insn)
    {
        if (Imm16(insn) == 0xF000 && cpu.Semihosting != null && cpu.State.EL != 0)
        {
            cpu.Semihosting.Handle(cpu);
            return;
        }
        throw SystemRegisterMove.Undefined(cpu);
    }
}
