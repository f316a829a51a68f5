using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A64;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// IL for integer data processing (Arm ARM C4.1.2 "Data Processing -- Immediate", C4.1.5 "Data Processing --
/// Register") on the region's register locals. Each emitter follows the handler named in its entry.
/// </summary>
internal static class AluEmitters
{
    private static readonly MethodInfo Add64 = typeof(AddWithCarry).GetMethod(nameof(AddWithCarry.Add64))!;
    private static readonly MethodInfo Add32 = typeof(AddWithCarry).GetMethod(nameof(AddWithCarry.Add32))!;

    /// <summary>The handlers this family replaces, with their emitters.</summary>
    public static IEnumerable<(A64Handler Handler, A64Emitter Emitter)> Entries =>
    [
        (AluImmediate.AddImmediate, (c, i) => AddSubImmediate(c, i, subtract: false)),
        (AluImmediate.SubImmediate, (c, i) => AddSubImmediate(c, i, subtract: true)),
        (AluImmediate.AddsImmediate, (c, i) => AddSubImmediateFlags(c, i, subtract: false)),
        (AluImmediate.SubsImmediate, (c, i) => AddSubImmediateFlags(c, i, subtract: true)),
        (AluImmediate.Movz, Movz),
    ];

    // imm12, shifted left by 12 when sh (bit 22) is set.
    private static ulong AddSubImmediateValue(uint insn) => (ulong)Bits(insn, 21, 10) << (int)(((insn >> 22) & 1) * 12);

    // C6.2 ADD/SUB (immediate): Rd|SP = Rn|SP +/- imm (32-bit forms zero-extend).
    private static bool AddSubImmediate(IlEmitContext c, uint insn, bool subtract)
    {
        var il = c.Il;
        c.LoadXSp(Rn(insn));
        il.Emit(OpCodes.Ldc_I8, (long)AddSubImmediateValue(insn));
        il.Emit(subtract ? OpCodes.Sub : OpCodes.Add);
        if (!Sf(insn)) EmitZeroExtend32(il);
        c.StoreXSp(Rd(insn));
        return true;
    }

    // C6.2 ADDS/SUBS (immediate): AddWithCarry(Rn|SP, imm or NOT(imm), carry) to Rd (XZR for 31) and NZCV.
    private static bool AddSubImmediateFlags(IlEmitContext c, uint insn, bool subtract)
    {
        ulong imm = AddSubImmediateValue(insn);
        EmitAddWithCarry(c, insn, () => c.LoadXSp(Rn(insn)), subtract ? ~imm : imm, subtract ? 1u : 0u);
        return true;
    }

    /// <summary>
    /// AddWithCarry(operand1, constant operand2, carryIn) at the size sf selects: the result to Rd (XZR for 31), the
    /// flags to NZCV. <paramref name="loadOperand1"/> pushes operand 1 as a ulong.
    /// </summary>
    internal static void EmitAddWithCarry(IlEmitContext c, uint insn, Action loadOperand1, ulong operand2, uint carryIn)
    {
        var il = c.Il;
        var flags = c.Temp(typeof(uint));
        loadOperand1();
        if (Sf(insn))
        {
            il.Emit(OpCodes.Ldc_I8, (long)operand2);
            il.Emit(OpCodes.Ldc_I8, (long)carryIn);
            il.Emit(OpCodes.Ldloca, flags);
            il.Emit(OpCodes.Call, Add64);
        }
        else
        {
            il.Emit(OpCodes.Conv_U4);
            il.Emit(OpCodes.Ldc_I4, unchecked((int)(uint)operand2));
            il.Emit(OpCodes.Ldc_I4, (int)carryIn);
            il.Emit(OpCodes.Ldloca, flags);
            il.Emit(OpCodes.Call, Add32);
            il.Emit(OpCodes.Conv_U8);
        }
        c.StoreX(Rd(insn));
        il.Emit(OpCodes.Ldloc, flags);
        c.StoreNzcv();
    }

    // C6.2 MOVZ: Rd = imm16 << hw*16.
    private static bool Movz(IlEmitContext c, uint insn)
    {
        ulong value = (ulong)Bits(insn, 20, 5) << ((int)Bits(insn, 22, 21) * 16);
        if (!Sf(insn)) value = (uint)value;
        c.Il.Emit(OpCodes.Ldc_I8, (long)value);
        c.StoreX(Rd(insn));
        return true;
    }

    /// <summary>Truncates the ulong on the stack to its low 32 bits, zero-extended.</summary>
    internal static void EmitZeroExtend32(ILGenerator il)
    {
        il.Emit(OpCodes.Conv_U4);
        il.Emit(OpCodes.Conv_U8);
    }
}
