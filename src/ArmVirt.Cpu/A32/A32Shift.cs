using System.Numerics;
using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// aarch32/functions/common: DecodeImmShift, Shift_C (with LSL_C, LSR_C, ASR_C, ROR_C, RRX_C) and A32ExpandImm_C.
/// Shift types 0..3 are those of <see cref="A64.ShiftReg"/>; <see cref="Rrx"/> is the fifth, which DecodeImmShift
/// gives for ROR #0.
/// </summary>
internal static class A32Shift
{
    /// <summary>LSL.</summary>
    public const int Lsl = A64.ShiftReg.Lsl;
    /// <summary>LSR.</summary>
    public const int Lsr = A64.ShiftReg.Lsr;
    /// <summary>ASR.</summary>
    public const int Asr = A64.ShiftReg.Asr;
    /// <summary>ROR.</summary>
    public const int Ror = A64.ShiftReg.Ror;
    /// <summary>RRX: rotate right by one through the carry flag.</summary>
    public const int Rrx = 4;

    /// <summary>DecodeImmShift(type, imm5): LSR/ASR #0 encode 32, ROR #0 encodes RRX.</summary>
    public static (int Type, int Amount) DecodeImmShift(int type, int imm5) => type switch
    {
        Lsl => (Lsl, imm5),
        Lsr => (Lsr, imm5 == 0 ? 32 : imm5),
        Asr => (Asr, imm5 == 0 ? 32 : imm5),
        _ => imm5 == 0 ? (Rrx, 1) : (Ror, imm5),
    };

    /// <summary>
    /// Shift_C(value, type, amount, carry_in): the shifted value and the carry out (0 or 1). An amount of 0 returns the
    /// value and <paramref name="carryIn"/>; amounts up to 255 come from a register (register-shifted register forms).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ShiftC(uint value, int type, int amount, uint carryIn, out uint carryOut)
    {
        if (amount == 0 && type != Rrx)
        {
            carryOut = carryIn;
            return value;
        }
        switch (type)
        {
            case Lsl: // LSL_C
                carryOut = amount > 32 ? 0 : (uint)(((ulong)value << amount) >> 32) & 1;
                return amount >= 32 ? 0 : value << amount;
            case Lsr: // LSR_C
                carryOut = amount > 32 ? 0 : (value >> (amount - 1)) & 1;
                return amount >= 32 ? 0 : value >> amount;
            case Asr: // ASR_C: amounts of 32 and more fill with the sign
                {
                    int clamped = Math.Min(amount, 32);
                    carryOut = (uint)(((long)(int)value >> (clamped - 1)) & 1);
                    return (uint)((int)value >> Math.Min(amount, 31));
                }
            case Ror: // ROR_C: by amount MOD 32, carry = bit 31 of the result
                {
                    uint result = BitOperations.RotateRight(value, amount & 31);
                    carryOut = result >> 31;
                    return result;
                }
            default: // RRX_C
                carryOut = value & 1;
                return (carryIn << 31) | (value >> 1);
        }
    }

    /// <summary>Shift(value, type, amount, carry_in): <see cref="ShiftC"/> without the carry out.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Shift(uint value, int type, int amount, uint carryIn) => ShiftC(value, type, amount, carryIn, out _);

    /// <summary>
    /// A32ExpandImm_C(imm12): imm8 rotated right by twice the rotation field. The carry out is bit 31 of the result
    /// when the rotation is non-zero, else PSTATE.C (returned as -1).
    /// </summary>
    public static uint ExpandImm(uint imm12, out int carry)
    {
        int rotation = (int)(imm12 >> 8) * 2;
        uint value = BitOperations.RotateRight(imm12 & 0xFF, rotation);
        carry = rotation == 0 ? -1 : (int)(value >> 31);
        return value;
    }
}
