namespace ArmVirt.Cpu.Jit;

/// <summary>
/// A compiled <see cref="Region"/>: one method that can be entered at any of its basic blocks' first instructions
/// (<see cref="Cpu"/> passes the entry's index), so that every block of the page starting at one of them runs this code
/// instead of compiling a region of its own.
/// </summary>
internal sealed class CompiledRegion(TranslationBlock owner, Action<Cpu> code, IReadOnlyDictionary<ulong, int> entries)
{
    /// <summary>The block the region was formed from: its page is the region's page, and it is invalidated with it.</summary>
    public TranslationBlock Owner { get; } = owner;

    /// <summary>The compiled code.</summary>
    public Action<Cpu> Code { get; } = code;

    /// <summary>The entry index of each basic block's first instruction, by address.</summary>
    public IReadOnlyDictionary<ulong, int> Entries { get; } = entries;

    /// <summary>
    /// The entry of <paramref name="block"/> in this region, or -1: the block must start a basic block of the region,
    /// be formed at the region's EL from the same physical page, and the page must not have been written since the
    /// region was formed (the owner is invalidated with the page).
    /// </summary>
    public int EntryFor(TranslationBlock block) =>
        !Owner.Invalidated && block.El == Owner.El && block.Page == Owner.Page
        && (block.Pc & ~(TranslationBlock.PageSize - 1)) == (Owner.Pc & ~(TranslationBlock.PageSize - 1))
        && Entries.TryGetValue(block.Pc, out int index) ? index : -1;
}
