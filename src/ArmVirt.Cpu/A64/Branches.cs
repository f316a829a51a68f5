using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.3 "Branches, Exception Generating and System instructions", the branch classes: unconditional
/// branch (immediate), conditional branch (immediate), compare and branch, test and branch, and
/// unconditional branch (register). Branches write <see cref="Cpu.NextPc"/>; a misaligned register target
/// faults when it is fetched (PC alignment fault), as the architecture says.
/// </summary>
internal static class Branches
{
    /// <summary>C6.2 B: PC + SignExtend(imm26:'00').</summary>
    public static void B(Cpu cpu, uint insn) =>
        cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 25, 0) << 2);

    /// <summary>C6.2 BL: X30 = PC + 4, then B.</summary>
    public static void Bl(Cpu cpu, uint insn)
    {
        cpu.SetX(30, cpu.State.PC + 4);
        cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 25, 0) << 2);
    }

    /// <summary>C6.2 B.cond: branches to PC + SignExtend(imm19:'00') when ConditionHolds(cond).</summary>
    public static void BCond(Cpu cpu, uint insn)
    {
        if (cpu.ConditionHolds((int)(insn & 0xF)))
            cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 23, 5) << 2);
    }

    // The operand of CBZ/CBNZ: Xt, or Wt when sf = 0.
    private static ulong CompareOperand(Cpu cpu, uint insn)
    {
        ulong value = cpu.X(Rt(insn));
        return Sf(insn) ? value : (uint)value;
    }

    /// <summary>C6.2 CBZ: branches when Rt is zero.</summary>
    public static void Cbz(Cpu cpu, uint insn)
    {
        if (CompareOperand(cpu, insn) == 0)
            cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 23, 5) << 2);
    }

    /// <summary>C6.2 CBNZ: branches when Rt is not zero.</summary>
    public static void Cbnz(Cpu cpu, uint insn)
    {
        if (CompareOperand(cpu, insn) != 0)
            cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 23, 5) << 2);
    }

    // bit_pos = b5:b40 (bits 31 and 23..19).
    private static bool TestedBit(Cpu cpu, uint insn)
    {
        int bitPos = (int)(((insn >> 26) & 0x20) | Bits(insn, 23, 19));
        return ((cpu.X(Rt(insn)) >> bitPos) & 1) != 0;
    }

    /// <summary>C6.2 TBZ: branches to PC + SignExtend(imm14:'00') when Rt&lt;bit_pos&gt; is 0.</summary>
    public static void Tbz(Cpu cpu, uint insn)
    {
        if (!TestedBit(cpu, insn))
            cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 18, 5) << 2);
    }

    /// <summary>C6.2 TBNZ: branches when Rt&lt;bit_pos&gt; is 1.</summary>
    public static void Tbnz(Cpu cpu, uint insn)
    {
        if (TestedBit(cpu, insn))
            cpu.NextPc = cpu.State.PC + (ulong)(SignedBits(insn, 18, 5) << 2);
    }

    /// <summary>C6.2 BR: branches to Xn.</summary>
    public static void Br(Cpu cpu, uint insn) => cpu.NextPc = cpu.X(Rn(insn));

    /// <summary>C6.2 BLR: branches to Xn (read before the write) and sets X30 = PC + 4.</summary>
    public static void Blr(Cpu cpu, uint insn)
    {
        ulong target = cpu.X(Rn(insn));
        cpu.SetX(30, cpu.State.PC + 4);
        cpu.NextPc = target;
    }

    /// <summary>C6.2 RET: branches to Xn (X30 by default).</summary>
    public static void Ret(Cpu cpu, uint insn) => cpu.NextPc = cpu.X(Rn(insn));

    /// <summary>
    /// C6.2 ERET: AArch64.ExceptionReturn(ELR_ELx, SPSR_ELx); UNDEFINED at EL0. An exception return sets
    /// the Event Register (Arm ARM "Wait for Event mechanism and Send event").
    /// </summary>
    public static void Eret(Cpu cpu, uint insn)
    {
        if (cpu.State.EL == 0) cpu.Undefined(insn);
        cpu.ExceptionReturn();
        cpu.EventRegister = true;
    }
}
