namespace ArmVirt.Mmu;

/// <summary>Translation granule size (TCR_ELx.TGn, VTCR_EL2.TG0), as log2 of the page size.</summary>
internal enum TranslationGranule : byte
{
    /// <summary>4 KiB pages, 9 bits resolved per level.</summary>
    Size4K = 12,
    /// <summary>16 KiB pages, 11 bits resolved per level.</summary>
    Size16K = 14,
    /// <summary>64 KiB pages, 13 bits resolved per level.</summary>
    Size64K = 16,
}
