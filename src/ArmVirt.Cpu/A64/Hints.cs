using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>The HINT space (C6.2.109 HINT): NOP, YIELD, WFE, WFI, SEV, SEVL; every other hint executes as NOP.</summary>
internal static class Hints
{
    /// <summary>NOP and the unallocated/unimplemented hints (ESB, PSB, TSB, CSDB, BTI, PAC hints...).</summary>
    public static void Nop(Cpu cpu, uint insn) { }

    /// <summary>YIELD: a hint to a multithreaded core; nothing to do.</summary>
    public static void Yield(Cpu cpu, uint insn) { }

    /// <summary>
    /// WFI (C6.2.353): if no interrupt is pending, apply AArch64.CheckForWFxTrap (SCTLR_EL1.nTWI for EL0,
    /// HCR_EL2.TWI for EL0/EL1, SCR_EL3.TWI below EL3), then wait for an interrupt.
    /// </summary>
    public static void Wfi(Cpu cpu, uint insn)
    {
        if (cpu.AnyInterruptAsserted) return;
        CheckForWfxTrap(cpu, isWfe: false);
        cpu.EnterWait(forEvent: false);
    }

    /// <summary>WFE (C6.2.352): consumes the event register if set; otherwise traps as WFI does (TWE bits) or waits.</summary>
    public static void Wfe(Cpu cpu, uint insn)
    {
        if (cpu.EventRegister)
        {
            cpu.EventRegister = false;
            return;
        }
        CheckForWfxTrap(cpu, isWfe: true);
        cpu.EnterWait(forEvent: true);
    }

    /// <summary>SEV: sets the event register of every PE, this one included.</summary>
    public static void Sev(Cpu cpu, uint insn)
    {
        cpu.EventRegister = true;
        cpu.OnEventSignalled();
    }

    /// <summary>SEVL: sets the local event register only.</summary>
    public static void Sevl(Cpu cpu, uint insn) => cpu.EventRegister = true;

    /// <summary>
    /// AArch64.CheckForWFxTrap for EL1, EL2 and EL3 in that order; the syndrome is EC 0x01 with CV = 1,
    /// COND = 0xE and TI = 1 for WFE, and the preferred return is the WFx itself. (From AArch32 too: a conditional
    /// A32 instruction that passed its condition may be reported with COND = 0b1110, as QEMU does.)
    /// </summary>
    public static void CheckForWfxTrap(Cpu cpu, bool isWfe)
    {
        int el = cpu.State.EL;
        int target = 0;
        if (el == 0 && (cpu.Sys.Sctlr[1] & (isWfe ? SctlrEl1.NTwe : SctlrEl1.NTwi)) == 0)
            target = cpu.SyncExceptionTargetEl;
        else if (el <= 1 && (cpu.EffectiveHcr & (isWfe ? HcrEl2.Twe : HcrEl2.Twi)) != 0)
            target = 2;
        else if (cpu.Configuration.HasEl3 && el < 3 && (cpu.Sys.Scr & (isWfe ? ScrEl3.Twe : ScrEl3.Twi)) != 0)
            target = 3;
        if (target != 0)
            throw new GuestException(ExceptionClass.WfiWfe, (1u << 24) | (0xEu << 20) | (isWfe ? 1u : 0u), target);
    }
}
