using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The T32 instructions whose semantics differ from their A32 counterparts: the high-register ADD and MOV (whose writes
/// to the PC are ALUWritePC, a plain branch in T32 state), ADR and the literal loads (from Align(PC, 4)), ORN (no A32
/// form), SETEND (its E bit is bit 3), and the encodings not modelled yet.
/// </summary>
internal static class T32Miscellaneous
{
    /// <summary>F5.1 ADD (register, T2): Rdn = Rdn + Rm, no flags; Rd = PC is ALUWritePC (a branch).</summary>
    public static void AddHigh(Cpu cpu, in A32Operands op)
    {
        uint result = cpu.R(op.Rn) + cpu.R(op.Rm);
        if (op.Rd == 15) cpu.BranchWritePc(result);
        else cpu.SetR(op.Rd, result);
    }

    /// <summary>F5.1 MOV (register, T1): Rd = Rm, no flags; Rd = PC is ALUWritePC (a branch).</summary>
    public static void MovHigh(Cpu cpu, in A32Operands op)
    {
        uint result = cpu.R(op.Rm);
        if (op.Rd == 15) cpu.BranchWritePc(result);
        else cpu.SetR(op.Rd, result);
    }

    private static uint AlignedPc(Cpu cpu) => cpu.R(15) & ~3u;

    /// <summary>F5.1 ADR (T1, T2, T3): Rd = Align(PC, 4) + or - imm32.</summary>
    public static void Adr(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, op.Add ? AlignedPc(cpu) + op.Imm : AlignedPc(cpu) - op.Imm);

    // False when the load faulted (the abort recorded, Cpu.DataAborts.cs): Rt is not written.
    private static bool Literal(Cpu cpu, in A32Operands op, int size, out uint value)
    {
        value = (uint)A32Memory.Load(cpu, op.Add ? AlignedPc(cpu) + op.Imm : AlignedPc(cpu) - op.Imm, size, MemoryAccessKind.Read);
        return !cpu.AbortPending;
    }

    /// <summary>F5.1 LDR (literal): a load of the PC is LoadWritePC (interworking).</summary>
    public static void LdrLiteral(Cpu cpu, in A32Operands op)
    {
        if (Literal(cpu, op, 4, out uint v)) cpu.SetRLoaded(op.Rd, v);
    }

    /// <summary>F5.1 LDRB (literal).</summary>
    public static void LdrbLiteral(Cpu cpu, in A32Operands op)
    {
        if (Literal(cpu, op, 1, out uint v)) cpu.SetR(op.Rd, v);
    }

    /// <summary>F5.1 LDRH (literal).</summary>
    public static void LdrhLiteral(Cpu cpu, in A32Operands op)
    {
        if (Literal(cpu, op, 2, out uint v)) cpu.SetR(op.Rd, v);
    }

    /// <summary>F5.1 LDRSB (literal).</summary>
    public static void LdrsbLiteral(Cpu cpu, in A32Operands op)
    {
        if (Literal(cpu, op, 1, out uint v)) cpu.SetR(op.Rd, (uint)(sbyte)v);
    }

    /// <summary>F5.1 LDRSH (literal).</summary>
    public static void LdrshLiteral(Cpu cpu, in A32Operands op)
    {
        if (Literal(cpu, op, 2, out uint v)) cpu.SetR(op.Rd, (uint)(short)v);
    }

    // LDRD/STRD (immediate, literal): the address from Rn (Align(PC, 4) for the literal form) and imm8 * 4 with P, U, W.
    private static uint DualAddress(Cpu cpu, in A32Operands op, out uint offsetAddress)
    {
        uint b = op.Rn == 15 ? AlignedPc(cpu) : cpu.R(op.Rn);
        offsetAddress = op.Add ? b + op.Imm : b - op.Imm;
        return op.Index ? offsetAddress : b;
    }

    /// <summary>F5.1 LDRD (immediate, literal), T32: Rt and Rt2 are independent registers; two words, MemA word-aligned.</summary>
    public static void Ldrd(Cpu cpu, in A32Operands op)
    {
        uint address = DualAddress(cpu, op, out uint offsetAddress);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        ulong value = A32Memory.LoadWordPair(cpu, address, MemoryAccessKind.Read, 4);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, offsetAddress);
        cpu.SetR(op.Rd, (uint)value);
        cpu.SetR(op.Rs, (uint)(value >> 32));
    }

    /// <summary>F5.1 STRD (immediate), T32.</summary>
    public static void Strd(Cpu cpu, in A32Operands op)
    {
        uint address = DualAddress(cpu, op, out uint offsetAddress);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        A32Memory.StoreWordPair(cpu, address, ((ulong)cpu.R(op.Rs) << 32) | cpu.R(op.Rd), MemoryAccessKind.Write, 4);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, offsetAddress);
    }

    /// <summary>F5.1 ORN (immediate, register): Rd = Rn OR NOT operand2, logical flags.</summary>
    public static void Orn(Cpu cpu, in A32Operands op)
    {
        uint result = cpu.R(op.Rn) | ~A32DataProcessing.Operand2(cpu, op, out uint carry);
        cpu.SetR(op.Rd, result);
        if (op.SetFlags)
            cpu.State.Nzcv = (result & 0x8000_0000u) | (result == 0 ? 1u << 30 : 0) | (carry << 29) | (cpu.State.Nzcv & 0x1000_0000u);
    }

    /// <summary>F5.1 SETEND (T1, E in bit 3): PSTATE.E = E, as <see cref="A32System.Setend"/>.</summary>
    public static void Setend(Cpu cpu, in A32Operands op)
    {
        if (A32System.SetendDisabled(cpu)) throw cpu.UndefinedException();
        cpu.State.E = (op.Imm & 8) != 0;
    }

    /// <summary>
    /// A 32-bit T32 encoding this decoder does not model yet (other coprocessors, the rest of the media and miscellaneous
    /// control spaces): stops the run naming it, rather than raising an UNDEFINED the hardware would not.
    /// </summary>
    public static void NotImplemented(Cpu cpu, in A32Operands op)
    {
        ulong pc = cpu.State.PC;
        if (cpu.FetchT32Fault(pc, out uint insn) is { } fault) throw fault;
        cpu.StopUnsupported($"T32 instruction 0x{insn:x8} at PC 0x{pc:x} ({cpu.T32Decoder.DecodeRow(insn).Name}) is not implemented");
    }

    /// <summary>
    /// F5.1 SUBS PC, LR, #imm8 (T32; ERET is imm8 = 0): AArch32.ExceptionReturn to R14 - imm8 with the current mode's
    /// SPSR; UNDEFINED at EL0 and in System mode.
    /// </summary>
    public static void SubsPcLr(Cpu cpu, in A32Operands op)
    {
        if (op.Imm == 0 && cpu.State.Mode == Cpu.ModeHyp) A32System.Eret(cpu, op); // ERET is SUBS PC, LR, #0 in T32
        else A32System.ExceptionReturnFromSpsr(cpu, cpu.R(14) - op.Imm);
    }
}
