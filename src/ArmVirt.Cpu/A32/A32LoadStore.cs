using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Load/Store Word, Unsigned Byte" (immediate and register) and "Extra load/store" (halfword, signed byte and
/// halfword, doubleword): every addressing mode from P, U and W (offset, pre-indexed, post-indexed), the unprivileged
/// forms (P = 0, W = 1: LDRT, STRBT...), the literal forms (Rn = PC, whose base is Align(PC, 4)). Word and halfword
/// accesses are MemU (unaligned allowed where the memory type allows it); LDRD/STRD are MemA.
/// </summary>
/// <remarks>
/// The base is written back after the access and before the loaded register (so a load into the base register keeps
/// the loaded value, an UNPREDICTABLE case in which QEMU does the same). Writes of a loaded value to the PC are
/// LoadWritePC (interworking); a stored PC is PC + 8.
/// </remarks>
internal static class A32LoadStore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Offset(Cpu cpu, in A32Operands op) => op.Kind == A32OperandKind.Immediate
        ? op.Imm
        : op.ShiftAmount == 0 && op.ShiftType == A32Shift.Lsl ? cpu.R(op.Rm) : A32Shift.Shift(cpu.R(op.Rm), op.ShiftType, op.ShiftAmount, (cpu.State.Nzcv >> 29) & 1);

    // The access address; offsetAddress is what the write-back stores. (R[15] is already word-aligned in A32.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Address(Cpu cpu, in A32Operands op, out uint offsetAddress)
    {
        uint b = cpu.R(op.Rn), off = Offset(cpu, op);
        offsetAddress = op.Add ? b + off : b - off;
        return op.Index ? offsetAddress : b;
    }

    // P = 0 with W = 1 is the unprivileged (T) form.
    private static MemoryAccessKind Kind(in A32Operands op, MemoryAccessKind kind) =>
        op.Unprivileged ? kind | MemoryAccessKind.Unprivileged : kind;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBack(Cpu cpu, in A32Operands op, uint offsetAddress)
    {
        if (op.WriteBack) cpu.SetR(op.Rn, offsetAddress);
    }

    // False when the access faulted (the abort recorded, Cpu.DataAborts.cs): neither the base nor Rt is written.
    private static bool Load(Cpu cpu, in A32Operands op, int size, out uint value)
    {
        uint address = Address(cpu, op, out uint offsetAddress);
        value = (uint)A32Memory.Load(cpu, address, size, Kind(op, MemoryAccessKind.Read));
        if (cpu.AbortPending) return false;
        WriteBack(cpu, op, offsetAddress);
        return true;
    }

    private static void Store(Cpu cpu, in A32Operands op, int size, uint value)
    {
        uint address = Address(cpu, op, out uint offsetAddress);
        A32Memory.Store(cpu, address, size, value, Kind(op, MemoryAccessKind.Write));
        if (!cpu.AbortPending) WriteBack(cpu, op, offsetAddress);
    }

    /// <summary>F5.1 LDR, LDRT (immediate, literal, register).</summary>
    public static void Ldr(Cpu cpu, in A32Operands op)
    {
        if (Load(cpu, op, 4, out uint v)) cpu.SetRLoaded(op.Rd, v);
    }

    /// <summary>F5.1 LDRB, LDRBT.</summary>
    public static void Ldrb(Cpu cpu, in A32Operands op)
    {
        if (Load(cpu, op, 1, out uint v)) cpu.SetR(op.Rd, v);
    }

    /// <summary>F5.1 LDRH, LDRHT.</summary>
    public static void Ldrh(Cpu cpu, in A32Operands op)
    {
        if (Load(cpu, op, 2, out uint v)) cpu.SetR(op.Rd, v);
    }

    /// <summary>F5.1 LDRSB, LDRSBT.</summary>
    public static void Ldrsb(Cpu cpu, in A32Operands op)
    {
        if (Load(cpu, op, 1, out uint v)) cpu.SetR(op.Rd, (uint)(sbyte)v);
    }

    /// <summary>F5.1 LDRSH, LDRSHT.</summary>
    public static void Ldrsh(Cpu cpu, in A32Operands op)
    {
        if (Load(cpu, op, 2, out uint v)) cpu.SetR(op.Rd, (uint)(short)v);
    }

    /// <summary>F5.1 STR, STRT.</summary>
    public static void Str(Cpu cpu, in A32Operands op) => Store(cpu, op, 4, cpu.R(op.Rd));
    /// <summary>F5.1 STRB, STRBT.</summary>
    public static void Strb(Cpu cpu, in A32Operands op) => Store(cpu, op, 1, cpu.R(op.Rd));
    /// <summary>F5.1 STRH, STRHT.</summary>
    public static void Strh(Cpu cpu, in A32Operands op) => Store(cpu, op, 2, cpu.R(op.Rd));

    /// <summary>Decode constraint of LDRD/STRD: Rt even and not R14 (Rt2 = Rt + 1 would be the PC); UNDEFINED otherwise, as QEMU.</summary>
    public static bool DoublewordRegistersValid(uint insn) => ((insn >> 12) & 1) == 0 && ((insn >> 12) & 0xF) != 14;

    /// <summary>F5.1 LDRD: two words from a word-aligned address (MemA).</summary>
    public static void Ldrd(Cpu cpu, in A32Operands op)
    {
        uint address = Address(cpu, op, out uint offsetAddress);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        ulong value = A32Memory.LoadWordPair(cpu, address, MemoryAccessKind.Read, 4);
        if (cpu.AbortPending) return;
        WriteBack(cpu, op, offsetAddress);
        cpu.SetR(op.Rd, (uint)value);
        cpu.SetR(op.Rd + 1, (uint)(value >> 32));
    }

    /// <summary>F5.1 STRD: two words to a word-aligned address (MemA).</summary>
    public static void Strd(Cpu cpu, in A32Operands op)
    {
        uint address = Address(cpu, op, out uint offsetAddress);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        ulong value = ((ulong)cpu.R(op.Rd + 1) << 32) | cpu.R(op.Rd);
        A32Memory.StoreWordPair(cpu, address, value, MemoryAccessKind.Write, 4);
        if (!cpu.AbortPending) WriteBack(cpu, op, offsetAddress);
    }
}
