using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of Arm ARM C4.1.2 "Data Processing -- Immediate": PC-relative addressing, add/subtract
/// (immediate), logical (immediate) and move wide (immediate). Bitfield and extract are in
/// <see cref="Bitfield"/> and <see cref="Extract"/>.
/// </summary>
internal static class AluImmediate
{
    // ---- PC-rel. addressing ----

    /// <summary>C6.2 ADR: Xd = PC + SignExtend(immhi:immlo).</summary>
    public static void Adr(Cpu cpu, uint insn)
    {
        long imm = (SignedBits(insn, 23, 5) << 2) | Bits(insn, 30, 29);
        cpu.SetX(Rd(insn), cpu.State.PC + (ulong)imm);
    }

    /// <summary>C6.2 ADRP: Xd = PC&lt;63:12&gt;:Zeros(12) + SignExtend(immhi:immlo:Zeros(12)).</summary>
    public static void Adrp(Cpu cpu, uint insn)
    {
        long imm = ((SignedBits(insn, 23, 5) << 2) | Bits(insn, 30, 29)) << 12;
        cpu.SetX(Rd(insn), (cpu.State.PC & ~0xFFFUL) + (ulong)imm);
    }

    // ---- Add/subtract (immediate) ----

    // imm12, shifted left by 12 when sh (bit 22) is set.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddSubImmediate(uint insn) => (ulong)Bits(insn, 21, 10) << (int)(((insn >> 22) & 1) * 12);

    /// <summary>C6.2 ADD (immediate): Rd|SP = Rn|SP + imm.</summary>
    public static void AddImmediate(Cpu cpu, uint insn)
    {
        ulong result = cpu.XSp(Rn(insn)) + AddSubImmediate(insn);
        cpu.SetXSp(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 ADDS (immediate): Rd = Rn|SP + imm, setting NZCV (AddWithCarry).</summary>
    public static void AddsImmediate(Cpu cpu, uint insn) => AddsSubs(cpu, insn, AddSubImmediate(insn), 0);

    /// <summary>C6.2 SUB (immediate): Rd|SP = Rn|SP - imm.</summary>
    public static void SubImmediate(Cpu cpu, uint insn)
    {
        ulong result = cpu.XSp(Rn(insn)) - AddSubImmediate(insn);
        cpu.SetXSp(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 SUBS (immediate): Rd = Rn|SP + NOT(imm) + 1, setting NZCV.</summary>
    public static void SubsImmediate(Cpu cpu, uint insn) => AddsSubs(cpu, insn, ~AddSubImmediate(insn), 1);

    // Flag-setting form: Rn may be SP, Rd is ZR for 31.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddsSubs(Cpu cpu, uint insn, ulong operand2, uint carryIn)
        => AddWithCarry.ToRdAndFlags(cpu, insn, cpu.XSp(Rn(insn)), operand2, carryIn);

    // ---- Logical (immediate) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SizeMask(uint insn) => Sf(insn) ? ulong.MaxValue : uint.MaxValue;

    /// <summary>C6.2 AND (immediate): Rd|SP = Rn AND imm.</summary>
    public static void AndImmediate(Cpu cpu, uint insn) =>
        cpu.SetXSp(Rd(insn), cpu.X(Rn(insn)) & BitMasks.LogicalImmediate(insn) & SizeMask(insn));

    /// <summary>C6.2 ORR (immediate): Rd|SP = Rn OR imm.</summary>
    public static void OrrImmediate(Cpu cpu, uint insn) =>
        cpu.SetXSp(Rd(insn), (cpu.X(Rn(insn)) | BitMasks.LogicalImmediate(insn)) & SizeMask(insn));

    /// <summary>C6.2 EOR (immediate): Rd|SP = Rn EOR imm.</summary>
    public static void EorImmediate(Cpu cpu, uint insn) =>
        cpu.SetXSp(Rd(insn), (cpu.X(Rn(insn)) ^ BitMasks.LogicalImmediate(insn)) & SizeMask(insn));

    /// <summary>C6.2 ANDS (immediate): Rd = Rn AND imm, N and Z from the result, C = V = 0.</summary>
    public static void AndsImmediate(Cpu cpu, uint insn)
    {
        ulong result = cpu.X(Rn(insn)) & BitMasks.LogicalImmediate(insn);
        if (Sf(insn))
        {
            cpu.State.Nzcv = AddWithCarry.LogicalFlags64(result);
        }
        else
        {
            result = (uint)result;
            cpu.State.Nzcv = AddWithCarry.LogicalFlags32((uint)result);
        }
        cpu.SetX(Rd(insn), result);
    }

    // ---- Move wide (immediate) ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MoveWideShift(uint insn) => (int)Bits(insn, 22, 21) * 16;

    /// <summary>C6.2 MOVN: Rd = NOT(imm16 &lt;&lt; hw*16).</summary>
    public static void Movn(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), ~((ulong)Bits(insn, 20, 5) << MoveWideShift(insn)) & SizeMask(insn));

    /// <summary>C6.2 MOVZ: Rd = imm16 &lt;&lt; hw*16.</summary>
    public static void Movz(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (ulong)Bits(insn, 20, 5) << MoveWideShift(insn));

    /// <summary>C6.2 MOVK: replaces the 16 bits of Rd at hw*16 with imm16, keeping the others.</summary>
    public static void Movk(Cpu cpu, uint insn)
    {
        int pos = MoveWideShift(insn);
        int d = Rd(insn);
        ulong result = (cpu.X(d) & ~(0xFFFFUL << pos)) | ((ulong)Bits(insn, 20, 5) << pos);
        cpu.SetX(d, result & SizeMask(insn));
    }
}
