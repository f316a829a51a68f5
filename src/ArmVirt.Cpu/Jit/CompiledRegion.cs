namespace ArmVirt.Cpu.Jit;

/// <summary>
/// A compiled <see cref="Region"/>: one method that can be entered at any of its basic blocks' first instructions
/// (<see cref="Cpu"/> passes the entry's index), so that every block of the page starting at one of them runs this code
/// instead of compiling a region of its own.
/// </summary>
internal sealed class CompiledRegion(TranslationBlock owner, Action<Cpu> code, IReadOnlyDictionary<ulong, int> entries,
    Region source)
{
    // The instruction slots of its page, and of the next page (Region.Spans), the region holds.
    private readonly ulong[] _slots = SlotsOf(source.Instructions.Where(x => !source.InNextPage(x.Pc)).Select(x => x.Pc));
    private readonly ulong[]? _nextSlots = source.Spans
        ? SlotsOf(source.Instructions.Where(x => source.InNextPage(x.Pc)).Select(x => x.Pc)) : null;

    /// <summary>The region it was compiled from (its instructions and their words).</summary>
    public Region Source { get; } = source;

    private static ulong[] SlotsOf(IEnumerable<ulong> pcs)
    {
        var slots = PageSlots.Create();
        foreach (ulong pc in pcs) PageSlots.Add(slots, pc);
        return slots;
    }

    /// <summary>
    /// True when one of the region's instructions overlaps the physical bytes <c>[pa, end)</c> (the region lives in
    /// its owner's physical page, and in <see cref="Region.NextPagePa"/> when it spans two, at the same page offsets
    /// as its virtual addresses).
    /// </summary>
    public bool Overlaps(ulong pa, ulong end) =>
        Overlaps(_slots, Owner.PhysicalAddress & ~(TranslationBlock.PageSize - 1), pa, end)
        || (_nextSlots != null && Overlaps(_nextSlots, Source.NextPagePa, pa, end));

    private static bool Overlaps(ulong[] slots, ulong page, ulong pa, ulong end)
    {
        ulong from = Math.Max(pa, page), to = Math.Min(end, page + TranslationBlock.PageSize);
        for (ulong a = from & ~3UL; a < to; a += 4)
            if (PageSlots.Contains(slots, a)) return true;
        return false;
    }

    /// <summary>The block the region was formed from: its page is the region's page, and it is invalidated with it.</summary>
    public TranslationBlock Owner { get; } = owner;

    /// <summary>The compiled code.</summary>
    public Action<Cpu> Code { get; } = code;

    /// <summary>The entry index of each basic block's first instruction, by address.</summary>
    public IReadOnlyDictionary<ulong, int> Entries { get; } = entries;

    /// <summary>
    /// The entry of <paramref name="block"/> in this region, or -1: the block must start a basic block of the region,
    /// be formed at the region's EL from the same physical page, and the owner must be live. (A region whose
    /// instructions were written is no longer offered: <see cref="TranslationCache.Invalidate"/> drops it.)
    /// </summary>
    public int EntryFor(TranslationBlock block) =>
        !Owner.Invalidated && block.El == Owner.El && block.Page == Owner.Page
        && (block.Pc & ~(TranslationBlock.PageSize - 1)) == (Owner.Pc & ~(TranslationBlock.PageSize - 1))
        && Entries.TryGetValue(block.Pc, out int index) ? index : -1;
}
