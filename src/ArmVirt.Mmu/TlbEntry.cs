using System.Runtime.InteropServices;

namespace ArmVirt.Mmu;

/// <summary>
/// One soft-TLB slot: the translation of one 4 KiB VA page, tagged by context (regime, VMID, ASID, stage
/// enables) and by the sizes of the stage 1 and stage 2 mappings it came from. Fields are public for the JIT's
/// inlined fast path (see <see cref="Tlb"/>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TlbEntry
{
    /// <summary>Value of <see cref="VaPage"/> in an empty slot (no VA page has it).</summary>
    public const ulong Empty = ulong.MaxValue;

    /// <summary><c>va &gt;&gt; 12</c> of the page this slot translates (top byte included, as looked up).</summary>
    public ulong VaPage;

    /// <summary>The context key of <see cref="Tlb.MakeContext"/> the entry was filled under.</summary>
    public ulong Context;

    /// <summary>Bits of <see cref="Context"/> that must equal the looked-up context (ASID bits clear when global).</summary>
    public ulong ContextMask;

    /// <summary>For RAM: host address of the byte at <c>va</c> is <c>va + HostOffset</c>. Zero when not RAM.</summary>
    public long HostOffset;

    /// <summary>Physical address of the 4 KiB page.</summary>
    public ulong PaPage;

    /// <summary>Intermediate physical address of the 4 KiB page.</summary>
    public ulong IpaPage;

    /// <summary>The resulting memory attributes.</summary>
    public MemoryAttributes Attributes;

    /// <summary>The combined rights.</summary>
    public TlbPermissions Permissions;

    /// <summary>log2 of the stage 1 block/page size (TLBI by VA matches the whole block).</summary>
    public byte Stage1Shift;

    /// <summary>log2 of the stage 2 block/page size, 0 without stage 2 (TLBI IPAS2 matches the whole block).</summary>
    public byte Stage2Shift;

    /// <summary>True when the page is RAM and <see cref="HostOffset"/> is valid.</summary>
    public bool IsRam;

    /// <summary>The output address is Non-secure.</summary>
    public bool NonSecure;

    /// <summary>True for a global entry (matches every ASID).</summary>
    public readonly bool Global => (ContextMask & Tlb.AsidMask) == 0;

    /// <summary>True when the slot holds a translation.</summary>
    public readonly bool IsValid => VaPage != Empty;

    /// <summary>Rebuilds the translation result for <paramref name="va"/> in this page.</summary>
    public readonly TranslationResult ToResult(ulong va)
    {
        ulong offset = va & 0xFFF;
        return new TranslationResult(va, IpaPage | offset, PaPage | offset, Attributes, Permissions, Stage1Shift, Stage2Shift,
            Global, NonSecure);
    }
}
