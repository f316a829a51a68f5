using System.Numerics;

namespace ArmVirt.Gic;

/// <summary>Priority arithmetic shared by the physical and virtual CPU interfaces.</summary>
internal static class GicPriority
{
    /// <summary>Running priority when no interrupt is active (lower than every real priority).</summary>
    public const int Idle = 0x100;

    // IHI 0048B 3.3.3 "Priority grouping": with binary point n the group priority field is bits [7:n+1].
    public static int GroupPriority(int priority, int binaryPoint) => priority & (0xFF << ((binaryPoint & 7) + 1)) & 0xFF;

    /// <summary>Index of the lowest set bit over two active-priority register banks, or -1.</summary>
    public static int LowestActiveLevel(uint[] a, uint[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            uint bits = a[i] | b[i];
            if (bits != 0) return i * 32 + BitOperations.TrailingZeroCount(bits);
        }
        return -1;
    }

    /// <summary>Clears the lowest set bit (the highest active priority) across two banks: the priority drop.</summary>
    public static void DropLowest(uint[] a, uint[] b)
    {
        int level = LowestActiveLevel(a, b);
        if (level < 0) return;
        uint mask = ~(1u << (level & 31));
        a[level >> 5] &= mask;
        b[level >> 5] &= mask;
    }
}
