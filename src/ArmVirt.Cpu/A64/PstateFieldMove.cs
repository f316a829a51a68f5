using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>C6.2.197 MSR (immediate): writes one PSTATE field from CRm.</summary>
internal static class PstateFieldMove
{
    /// <summary>MSR SPSel, #imm: UNDEFINED at EL0.</summary>
    public static void SpSel(Cpu cpu, uint insn)
    {
        if (cpu.State.EL == 0) throw SystemRegisterMove.Undefined(cpu);
        cpu.SetElAndSpSel(cpu.State.EL, (int)A64Fields.Bits(insn, 8, 8));
    }

    /// <summary>MSR DAIFSet, #imm: at EL0 only with SCTLR_EL1.UMA, trapped (EC 0x18) otherwise.</summary>
    public static void DaifSet(Cpu cpu, uint insn)
    {
        CheckDaifAccess(cpu, insn);
        cpu.State.Daif |= A64Fields.Bits(insn, 11, 8) << 6;
    }

    /// <summary>MSR DAIFClr, #imm.</summary>
    public static void DaifClr(Cpu cpu, uint insn)
    {
        CheckDaifAccess(cpu, insn);
        cpu.State.Daif &= ~(A64Fields.Bits(insn, 11, 8) << 6);
    }

    /// <summary>MSR PAN, #imm (FEAT_PAN): UNDEFINED at EL0 and without FEAT_PAN.</summary>
    public static void Pan(Cpu cpu, uint insn)
    {
        if (!cpu.HasPan || cpu.State.EL == 0) throw SystemRegisterMove.Undefined(cpu);
        cpu.State.Pan = A64Fields.Bits(insn, 8, 8) != 0;
    }

    private static void CheckDaifAccess(Cpu cpu, uint insn)
    {
        var access = SystemRegisterTraps.SctlrEl0(cpu, SctlrEl1.Uma);
        if (access != SystemRegisterAccess.Allowed) throw SystemRegisterMove.Trap(cpu, insn, access);
    }
}
