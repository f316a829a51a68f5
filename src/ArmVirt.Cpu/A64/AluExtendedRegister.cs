using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Add/subtract (extended register)": Rn may be SP; Rd may be SP for ADD/SUB and is ZR for
/// ADDS/SUBS; Rm is ZR. The second operand is ExtendReg(Rm, option, imm3).
/// </summary>
internal static class AluExtendedRegister
{
    /// <summary>Decode constraint: opt (bits 23..22) must be 00 and the shift imm3 at most 4.</summary>
    public static bool IsAllocated(uint insn) => Bits(insn, 23, 22) == 0 && Bits(insn, 12, 10) <= 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Operand2(Cpu cpu, uint insn) =>
        ExtendReg.Extend(cpu.X(Rm(insn)), (int)Bits(insn, 15, 13), (int)Bits(insn, 12, 10));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SizeMask(uint insn) => Sf(insn) ? ulong.MaxValue : uint.MaxValue;

    /// <summary>C6.2 ADD (extended register).</summary>
    public static void Add(Cpu cpu, uint insn) =>
        cpu.SetXSp(Rd(insn), (cpu.XSp(Rn(insn)) + Operand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 ADDS (extended register).</summary>
    public static void Adds(Cpu cpu, uint insn) => SetFlags(cpu, insn, Operand2(cpu, insn), 0);

    /// <summary>C6.2 SUB (extended register).</summary>
    public static void Sub(Cpu cpu, uint insn) =>
        cpu.SetXSp(Rd(insn), (cpu.XSp(Rn(insn)) - Operand2(cpu, insn)) & SizeMask(insn));

    /// <summary>C6.2 SUBS (extended register).</summary>
    public static void Subs(Cpu cpu, uint insn) => SetFlags(cpu, insn, ~Operand2(cpu, insn), 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetFlags(Cpu cpu, uint insn, ulong operand2, uint carryIn)
        => AddWithCarry.ToRdAndFlags(cpu, insn, cpu.XSp(Rn(insn)), operand2, carryIn);
}
