using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// shared/functions/integer/AddWithCarry: the sum of two operands and a carry-in, with the NZCV flags it
/// produces in the layout of the NZCV register (bits 31..28). Subtraction is <c>x + NOT(y) + 1</c>.
/// </summary>
internal static class AddWithCarry
{
    /// <summary>64-bit AddWithCarry(x, y, carryIn); <paramref name="carryIn"/> is 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add64(ulong x, ulong y, ulong carryIn, out uint nzcv)
    {
        ulong partial = x + y;
        ulong result = partial + carryIn;
        // Unsigned carry out of bit 63: either addition wrapped (they cannot both wrap).
        uint c = (partial < x ? 1u : 0u) | (result < partial ? 1u : 0u);
        // Signed overflow: both operands have the same sign and the result's sign differs.
        uint v = (uint)((((x ^ result) & (y ^ result)) >> 63) & 1);
        uint n = (uint)(result >> 63);
        uint z = result == 0 ? 1u : 0u;
        nzcv = (n << 31) | (z << 30) | (c << 29) | (v << 28);
        return result;
    }

    /// <summary>32-bit AddWithCarry(x, y, carryIn); <paramref name="carryIn"/> is 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Add32(uint x, uint y, uint carryIn, out uint nzcv)
    {
        ulong wide = (ulong)x + y + carryIn;
        uint result = (uint)wide;
        uint c = (uint)(wide >> 32);
        uint v = (((x ^ result) & (y ^ result)) >> 31) & 1;
        uint n = result >> 31;
        uint z = result == 0 ? 1u : 0u;
        nzcv = (n << 31) | (z << 30) | (c << 29) | (v << 28);
        return result;
    }

    /// <summary>The NZCV of 64-bit AddWithCarry(x, y, carryIn) alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Flags64(ulong x, ulong y, ulong carryIn)
    {
        Add64(x, y, carryIn, out uint nzcv);
        return nzcv;
    }

    /// <summary>The NZCV of 32-bit AddWithCarry(x, y, carryIn) alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Flags32(uint x, uint y, uint carryIn)
    {
        Add32(x, y, carryIn, out uint nzcv);
        return nzcv;
    }

    /// <summary>The PSTATE.C flag as 0 or 1, the carry-in of ADC/SBC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint CarryFlag(Cpu cpu) => (cpu.State.Nzcv >> 29) & 1;

    /// <summary>NZCV for a logical result (ANDS/BICS/TST): N and Z from the result, C and V cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LogicalFlags64(ulong result) =>
        (uint)(result >> 63) << 31 | (result == 0 ? 1u << 30 : 0u);

    /// <summary>NZCV for a 32-bit logical result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LogicalFlags32(uint result) =>
        (result >> 31) << 31 | (result == 0 ? 1u << 30 : 0u);

    /// <summary>
    /// The common tail of the flag-setting add/subtract forms: AddWithCarry at the size <c>sf</c> selects, the
    /// result to Rd (XZR for 31) and the flags to PSTATE.NZCV.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ToRdAndFlags(Cpu cpu, uint insn, ulong operand1, ulong operand2, uint carryIn)
    {
        uint nzcv;
        ulong result = A64Fields.Sf(insn)
            ? Add64(operand1, operand2, carryIn, out nzcv)
            : Add32((uint)operand1, (uint)operand2, carryIn, out nzcv);
        cpu.SetX(A64Fields.Rd(insn), result);
        cpu.State.Nzcv = nzcv;
    }
}
