using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// aarch64/functions/shiftreg/ShiftReg and DecodeShift: shifts a register operand by a constant amount.
/// Shift types are the 2-bit <c>shift</c> field: 0 LSL, 1 LSR, 2 ASR, 3 ROR.
/// </summary>
internal static class ShiftReg
{
    /// <summary>LSL.</summary>
    public const int Lsl = 0;
    /// <summary>LSR.</summary>
    public const int Lsr = 1;
    /// <summary>ASR.</summary>
    public const int Asr = 2;
    /// <summary>ROR.</summary>
    public const int Ror = 3;

    /// <summary>ShiftReg on a 64-bit value; <paramref name="amount"/> is 0..63.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Shift64(ulong value, int type, int amount) => type switch
    {
        Lsl => value << amount,
        Lsr => value >> amount,
        Asr => (ulong)((long)value >> amount),
        _ => BitOperations.RotateRight(value, amount),
    };

    /// <summary>ShiftReg on a 32-bit value; <paramref name="amount"/> is 0..31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Shift32(uint value, int type, int amount) => type switch
    {
        Lsl => value << amount,
        Lsr => value >> amount,
        Asr => (uint)((int)value >> amount),
        _ => BitOperations.RotateRight(value, amount),
    };
}
