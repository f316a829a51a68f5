using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// aarch64/functions/extendreg/ExtendReg and DecodeRegExtend: extends the low 8, 16, 32 or 64 bits of a
/// register operand and shifts it left by 0..4. The <c>option</c> field selects UXTB, UXTH, UXTW, UXTX,
/// SXTB, SXTH, SXTW, SXTX (0..7).
/// </summary>
internal static class ExtendReg
{
    /// <summary>
    /// ExtendReg(value, option, shift) computed at 64 bits; a 32-bit operation uses the low 32 bits of the
    /// result, which equals the 32-bit pseudocode because the shift only moves bits upwards.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Extend(ulong value, int option, int shift)
    {
        int unusedBits = 64 - (8 << (option & 3)); // 56, 48, 32, 0 for B, H, W, X
        ulong extended = (option & 4) != 0
            ? (ulong)((long)(value << unusedBits) >> unusedBits)
            : (value << unusedBits) >> unusedBits;
        return extended << shift;
    }
}
