using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Conditional compare (register)" and "Conditional compare (immediate)": when the condition holds
/// the flags are those of the comparison, otherwise the nzcv immediate (bits 3..0).
/// </summary>
internal static class ConditionalCompare
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compare(Cpu cpu, uint insn, ulong operand2, bool negative)
    {
        if (!cpu.ConditionHolds((int)Bits(insn, 15, 12)))
        {
            cpu.State.Nzcv = (insn & 0xF) << 28;
            return;
        }
        ulong operand1 = cpu.X(Rn(insn));
        // CCMN: AddWithCarry(op1, op2, 0); CCMP: AddWithCarry(op1, NOT(op2), 1).
        uint carryIn = 0;
        if (!negative)
        {
            operand2 = ~operand2;
            carryIn = 1;
        }
        uint nzcv;
        if (Sf(insn)) AddWithCarry.Add64(operand1, operand2, carryIn, out nzcv);
        else AddWithCarry.Add32((uint)operand1, (uint)operand2, carryIn, out nzcv);
        cpu.State.Nzcv = nzcv;
    }

    /// <summary>C6.2 CCMN (register).</summary>
    public static void CcmnRegister(Cpu cpu, uint insn) => Compare(cpu, insn, cpu.X(Rm(insn)), true);

    /// <summary>C6.2 CCMN (immediate): the second operand is imm5 (bits 20..16).</summary>
    public static void CcmnImmediate(Cpu cpu, uint insn) => Compare(cpu, insn, Bits(insn, 20, 16), true);

    /// <summary>C6.2 CCMP (register).</summary>
    public static void CcmpRegister(Cpu cpu, uint insn) => Compare(cpu, insn, cpu.X(Rm(insn)), false);

    /// <summary>C6.2 CCMP (immediate).</summary>
    public static void CcmpImmediate(Cpu cpu, uint insn) => Compare(cpu, insn, Bits(insn, 20, 16), false);
}
