using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// NZCV as a compiled region holds it: the packed flags, or the operands of the last flag-setting instruction with a
/// kind saying how the flags follow from them (as QEMU's TCG does with cc_op). Flag-setting instructions then cost a
/// few register moves, a B.cond in the same basic block compares the operands, and the packed value is computed only
/// where PSTATE is observed (a handler call, an exit).
/// </summary>
internal static class LazyFlags
{
    /// <summary>The packed NZCV local holds the flags.</summary>
    public const int Materialized = 0;

    /// <summary>The kind for flags from <paramref name="source"/> at 64 (1..3) or 32 bits (5..7).</summary>
    public static int Kind(FlagSource source, bool is64) => (int)source + (is64 ? 0 : 4);

    /// <summary>The source of a lazy kind.</summary>
    public static FlagSource Source(int kind) => (FlagSource)(kind & 3);

    /// <summary>True for the 64-bit kinds.</summary>
    public static bool Is64(int kind) => kind < 4;

    /// <summary>The packed NZCV for <paramref name="kind"/> and its operands (<paramref name="nzcv"/> when materialized).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Materialize(int kind, ulong a, ulong b, uint nzcv) => kind switch
    {
        1 => AddWithCarry.Flags64(a, b, 0),
        2 => AddWithCarry.Flags64(a, ~b, 1),
        3 => AddWithCarry.LogicalFlags64(a),
        5 => AddWithCarry.Flags32((uint)a, (uint)b, 0),
        6 => AddWithCarry.Flags32((uint)a, ~(uint)b, 1),
        7 => AddWithCarry.LogicalFlags32((uint)a),
        _ => nzcv,
    };
}
