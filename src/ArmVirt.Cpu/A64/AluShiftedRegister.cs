using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Logical (shifted register)" and "Add/subtract (shifted register)". Register 31 is ZR in every
/// operand. The N bit of the logical forms inverts the shifted operand (BIC, ORN, EON, BICS).
/// </summary>
internal static class AluShiftedRegister
{
    /// <summary>
    /// Decode constraint shared by both classes: a shift amount imm6 &gt;= 32 is unallocated when sf = 0.
    /// </summary>
    public static bool ShiftAmountFits(uint insn) => Sf(insn) || (insn & (1u << 15)) == 0;

    /// <summary>Decode constraint of add/subtract (shifted register): also shift = ROR (11) is reserved.</summary>
    public static bool IsAddSubAllocated(uint insn) => ShiftAmountFits(insn) && Bits(insn, 23, 22) != 3;

    // ShiftReg(Rm, shift, imm6), inverted when N (bit 21) is set; computed at 64 bits or zero-extended 32.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong LogicalOperand2(Cpu cpu, uint insn)
    {
        ulong invert = 0UL - ((insn >> 21) & 1);
        int type = (int)Bits(insn, 23, 22), amount = (int)Bits(insn, 15, 10);
        return Sf(insn)
            ? ShiftReg.Shift64(cpu.X(Rm(insn)), type, amount) ^ invert
            : (ShiftReg.Shift32(cpu.W(Rm(insn)), type, amount) ^ (uint)invert);
    }

    // ShiftReg(Rm, shift, imm6) for add/subtract.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddSubOperand2(Cpu cpu, uint insn)
    {
        int type = (int)Bits(insn, 23, 22), amount = (int)Bits(insn, 15, 10);
        return Sf(insn)
            ? ShiftReg.Shift64(cpu.X(Rm(insn)), type, amount)
            : ShiftReg.Shift32(cpu.W(Rm(insn)), type, amount);
    }

    // ---- Logical (shifted register) ----

    /// <summary>C6.2 AND / C6.2 BIC (shifted register).</summary>
    public static void And(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), cpu.X(Rn(insn)) & LogicalOperand2(cpu, insn));

    /// <summary>C6.2 ORR / C6.2 ORN (shifted register).</summary>
    public static void Orr(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (cpu.X(Rn(insn)) | LogicalOperand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 EOR / C6.2 EON (shifted register).</summary>
    public static void Eor(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (cpu.X(Rn(insn)) ^ LogicalOperand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 ANDS / C6.2 BICS (shifted register): N and Z from the result, C = V = 0.</summary>
    public static void Ands(Cpu cpu, uint insn)
    {
        ulong result = cpu.X(Rn(insn)) & LogicalOperand2(cpu, insn);
        cpu.State.Nzcv = Sf(insn) ? AddWithCarry.LogicalFlags64(result) : AddWithCarry.LogicalFlags32((uint)result);
        cpu.SetX(Rd(insn), result);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SizeMask(uint insn) => Sf(insn) ? ulong.MaxValue : uint.MaxValue;

    // ---- Add/subtract (shifted register) ----

    /// <summary>C6.2 ADD (shifted register).</summary>
    public static void Add(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (cpu.X(Rn(insn)) + AddSubOperand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 ADDS (shifted register).</summary>
    public static void Adds(Cpu cpu, uint insn) => SetFlags(cpu, insn, AddSubOperand2(cpu, insn), 0);

    /// <summary>C6.2 SUB (shifted register).</summary>
    public static void Sub(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (cpu.X(Rn(insn)) - AddSubOperand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 SUBS (shifted register): AddWithCarry(Rn, NOT(operand2), 1).</summary>
    public static void Subs(Cpu cpu, uint insn) => SetFlags(cpu, insn, ~AddSubOperand2(cpu, insn), 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetFlags(Cpu cpu, uint insn, ulong operand2, uint carryIn)
        => AddWithCarry.ToRdAndFlags(cpu, insn, cpu.X(Rn(insn)), operand2, carryIn);
}
