namespace ArmVirt.Cpu.Jit;

/// <summary>
/// A set of the 1,024 instruction slots of a 4 KiB page (bit i: the instruction at byte offset 4i), kept in 16 words:
/// which instructions a compiled region holds, or which a region may take (<see cref="TranslationBlock.RegionCoverage"/>).
/// </summary>
internal static class PageSlots
{
    /// <summary>An empty set.</summary>
    public static ulong[] Create() => new ulong[TranslationBlock.PageSize / 4 / 64];

    /// <summary>Adds the slot of the instruction at <paramref name="address"/> (its offset in the page counts).</summary>
    public static void Add(ulong[] slots, ulong address)
    {
        int i = Index(address);
        slots[i >> 6] |= 1UL << (i & 63);
    }

    /// <summary>True when the slot of the instruction at <paramref name="address"/> is in the set.</summary>
    public static bool Contains(ulong[] slots, ulong address)
    {
        int i = Index(address);
        return (slots[i >> 6] & (1UL << (i & 63))) != 0;
    }

    private static int Index(ulong address) => (int)((address & (TranslationBlock.PageSize - 1)) >> 2);
}
