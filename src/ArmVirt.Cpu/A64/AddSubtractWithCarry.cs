using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>C4.1.6 "Add/subtract (with carry)": ADC, ADCS, SBC, SBCS; register 31 is ZR.</summary>
internal static class AddSubtractWithCarry
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Compute(Cpu cpu, uint insn, bool subtract, out uint nzcv)
    {
        ulong operand1 = cpu.X(Rn(insn));
        ulong operand2 = cpu.X(Rm(insn));
        if (subtract) operand2 = ~operand2;
        uint carry = AddWithCarry.CarryFlag(cpu);
        return Sf(insn)
            ? AddWithCarry.Add64(operand1, operand2, carry, out nzcv)
            : AddWithCarry.Add32((uint)operand1, (uint)operand2, carry, out nzcv);
    }

    /// <summary>C6.2 ADC: Rd = Rn + Rm + C.</summary>
    public static void Adc(Cpu cpu, uint insn) => cpu.SetX(Rd(insn), Compute(cpu, insn, false, out _));

    /// <summary>C6.2 ADCS: ADC setting NZCV.</summary>
    public static void Adcs(Cpu cpu, uint insn)
    {
        ulong result = Compute(cpu, insn, false, out uint nzcv);
        cpu.SetX(Rd(insn), result);
        cpu.State.Nzcv = nzcv;
    }

    /// <summary>C6.2 SBC: Rd = Rn + NOT(Rm) + C.</summary>
    public static void Sbc(Cpu cpu, uint insn) => cpu.SetX(Rd(insn), Compute(cpu, insn, true, out _));

    /// <summary>C6.2 SBCS: SBC setting NZCV.</summary>
    public static void Sbcs(Cpu cpu, uint insn)
    {
        ulong result = Compute(cpu, insn, true, out uint nzcv);
        cpu.SetX(Rd(insn), result);
        cpu.State.Nzcv = nzcv;
    }
}
