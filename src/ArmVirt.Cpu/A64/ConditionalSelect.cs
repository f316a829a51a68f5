using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Conditional select": Rd = cond ? Rn : f(Rm) with f = identity (CSEL), +1 (CSINC), NOT (CSINV)
/// or negate (CSNEG); register 31 is ZR.
/// </summary>
internal static class ConditionalSelect
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Select(Cpu cpu, uint insn, ulong otherwise)
    {
        ulong result = cpu.ConditionHolds((int)Bits(insn, 15, 12)) ? cpu.X(Rn(insn)) : otherwise;
        cpu.SetX(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 CSEL.</summary>
    public static void Csel(Cpu cpu, uint insn) => Select(cpu, insn, cpu.X(Rm(insn)));

    /// <summary>C6.2 CSINC.</summary>
    public static void Csinc(Cpu cpu, uint insn) => Select(cpu, insn, cpu.X(Rm(insn)) + 1);

    /// <summary>C6.2 CSINV.</summary>
    public static void Csinv(Cpu cpu, uint insn) => Select(cpu, insn, ~cpu.X(Rm(insn)));

    /// <summary>C6.2 CSNEG.</summary>
    public static void Csneg(Cpu cpu, uint insn) => Select(cpu, insn, 0 - cpu.X(Rm(insn)));
}
