using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1.x "Data-processing (immediate)", "(register)" and "(register-shifted register)": the sixteen opcodes AND ...
/// MVN, each written once over the second operand its form gives (<see cref="Operand2"/>). Arithmetic goes through
/// <see cref="AddWithCarry"/>, shifts through <see cref="A32Shift.ShiftC"/>.
/// </summary>
internal static class A32DataProcessing
{
    /// <summary>The opcodes in encoding order (bits 24..21), with their handlers, for the decode table.</summary>
    public static readonly (string Name, A32Handler Handler, bool Compare)[] Opcodes =
    [
        ("AND", And, false), ("EOR", Eor, false), ("SUB", Sub, false), ("RSB", Rsb, false),
        ("ADD", Add, false), ("ADC", Adc, false), ("SBC", Sbc, false), ("RSC", Rsc, false),
        ("TST", Tst, true), ("TEQ", Teq, true), ("CMP", Cmp, true), ("CMN", Cmn, true),
        ("ORR", Orr, false), ("MOV", Mov, false), ("BIC", Bic, false), ("MVN", Mvn, false),
    ];

    /// <summary>
    /// The second operand and the shifter's carry out: A32ExpandImm_C, Shift_C(R[m], type, imm), or
    /// Shift_C(R[m], type, UInt(R[s]&lt;7:0&gt;)).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Operand2(Cpu cpu, in A32Operands op, out uint carry)
    {
        uint c = (cpu.State.Nzcv >> 29) & 1;
        switch (op.Kind)
        {
            case A32OperandKind.Immediate:
                carry = op.ImmCarry < 0 ? c : (uint)op.ImmCarry;
                return op.Imm;
            case A32OperandKind.Register:
                return A32Shift.ShiftC(cpu.R(op.Rm), op.ShiftType, op.ShiftAmount, c, out carry);
            default:
                return A32Shift.ShiftC(cpu.R(op.Rm), op.ShiftType, (int)(cpu.R(op.Rs) & 0xFF), c, out carry);
        }
    }

    private static uint CarryFlag(Cpu cpu) => (cpu.State.Nzcv >> 29) & 1;

    // A result to Rd: Rd = 15 is ALUWritePC, or with S = 1 ALUExceptionReturn (SUBS PC, LR and the like: the CPSR from
    // the current mode's SPSR), which is CONSTRAINED UNPREDICTABLE in User and System modes: UNDEFINED there (QEMU's
    // choice too).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool WritePcInstead(Cpu cpu, in A32Operands op, uint result)
    {
        if (op.Rd != 15) return false;
        if (op.SetFlags) A32System.ExceptionReturnFromSpsr(cpu, result);
        else cpu.BxWritePc(result);
        return true;
    }

    /// <summary>
    /// The NZCV of a logical form (AND, EOR, ORR, BIC, MOV, MVN, TST, TEQ with S = 1): N and Z from
    /// <paramref name="result"/>, C the shifter's <paramref name="carry"/>, V kept from <paramref name="nzcv"/>.
    /// The handlers and the optimized AArch32 blocks' emitters (Jit/A32Emitters.cs) both use it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint LogicalNzcv(uint result, uint carry, uint nzcv) =>
        (result & 0x8000_0000u) | (result == 0 ? 1u << 30 : 0) | (carry << 29) | (nzcv & 0x1000_0000u);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LogicalFlags(Cpu cpu, uint result, uint carry) => LogicalNzcv(result, carry, cpu.State.Nzcv);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Logical(Cpu cpu, in A32Operands op, uint result, uint carry)
    {
        if (WritePcInstead(cpu, op, result)) return;
        cpu.SetR(op.Rd, result);
        if (op.SetFlags) cpu.State.Nzcv = LogicalFlags(cpu, result, carry);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Arithmetic(Cpu cpu, in A32Operands op, uint x, uint y, uint carryIn)
    {
        uint result = AddWithCarry.Add32(x, y, carryIn, out uint nzcv);
        if (WritePcInstead(cpu, op, result)) return;
        cpu.SetR(op.Rd, result);
        if (op.SetFlags) cpu.State.Nzcv = nzcv;
    }

    /// <summary>F5.1 AND.</summary>
    public static void And(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, cpu.R(op.Rn) & b, c); }
    /// <summary>F5.1 EOR.</summary>
    public static void Eor(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, cpu.R(op.Rn) ^ b, c); }
    /// <summary>F5.1 ORR.</summary>
    public static void Orr(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, cpu.R(op.Rn) | b, c); }
    /// <summary>F5.1 BIC.</summary>
    public static void Bic(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, cpu.R(op.Rn) & ~b, c); }
    /// <summary>F5.1 MOV (and the shift aliases LSL, LSR, ASR, ROR, RRX).</summary>
    public static void Mov(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, b, c); }
    /// <summary>F5.1 MVN.</summary>
    public static void Mvn(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); Logical(cpu, op, ~b, c); }

    /// <summary>F5.1 SUB (ADR's subtract form when Rn = PC).</summary>
    public static void Sub(Cpu cpu, in A32Operands op) => Arithmetic(cpu, op, cpu.R(op.Rn), ~Operand2(cpu, op, out _), 1);
    /// <summary>F5.1 RSB.</summary>
    public static void Rsb(Cpu cpu, in A32Operands op) => Arithmetic(cpu, op, ~cpu.R(op.Rn), Operand2(cpu, op, out _), 1);
    /// <summary>F5.1 ADD (ADR's add form when Rn = PC).</summary>
    public static void Add(Cpu cpu, in A32Operands op) => Arithmetic(cpu, op, cpu.R(op.Rn), Operand2(cpu, op, out _), 0);
    /// <summary>F5.1 ADC.</summary>
    public static void Adc(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out _); Arithmetic(cpu, op, cpu.R(op.Rn), b, CarryFlag(cpu)); }
    /// <summary>F5.1 SBC.</summary>
    public static void Sbc(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out _); Arithmetic(cpu, op, cpu.R(op.Rn), ~b, CarryFlag(cpu)); }
    /// <summary>F5.1 RSC.</summary>
    public static void Rsc(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out _); Arithmetic(cpu, op, ~cpu.R(op.Rn), b, CarryFlag(cpu)); }

    /// <summary>F5.1 TST: the flags of AND.</summary>
    public static void Tst(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); cpu.State.Nzcv = LogicalFlags(cpu, cpu.R(op.Rn) & b, c); }
    /// <summary>F5.1 TEQ: the flags of EOR.</summary>
    public static void Teq(Cpu cpu, in A32Operands op) { uint b = Operand2(cpu, op, out uint c); cpu.State.Nzcv = LogicalFlags(cpu, cpu.R(op.Rn) ^ b, c); }
    /// <summary>F5.1 CMP: the flags of SUB.</summary>
    public static void Cmp(Cpu cpu, in A32Operands op) => cpu.State.Nzcv = AddWithCarry.Flags32(cpu.R(op.Rn), ~Operand2(cpu, op, out _), 1);
    /// <summary>F5.1 CMN: the flags of ADD.</summary>
    public static void Cmn(Cpu cpu, in A32Operands op) => cpu.State.Nzcv = AddWithCarry.Flags32(cpu.R(op.Rn), Operand2(cpu, op, out _), 0);

    /// <summary>F5.1 MOV (immediate), MOVW encoding: Rd = imm16.</summary>
    public static void Movw(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException(); // UNPREDICTABLE: UNDEFINED, as QEMU
        cpu.SetR(op.Rd, op.Imm);
    }

    /// <summary>F5.1 MOVT: Rd&lt;31:16&gt; = imm16, the low half kept.</summary>
    public static void Movt(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException();
        cpu.SetR(op.Rd, (op.Imm << 16) | (cpu.R(op.Rd) & 0xFFFF));
    }
}
