using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArmVirt.Mmu;

/// <summary>
/// A per-CPU soft TLB: a direct-mapped array of <see cref="TlbEntry"/> indexed by <c>(va &gt;&gt; 12) &amp;
/// IndexMask</c>. Each slot caches one 4 KiB VA page (a larger block or page fills one slot per 4 KiB page
/// touched) with its PA, IPA, attributes, combined rights and, for RAM, a host pointer offset.
/// </summary>
/// <remarks>
/// <para>Fast path (what the interpreter does in <see cref="AddressTranslator.TranslateCached"/> and what the JIT
/// should inline): <c>ref e = ref Entries[(va &gt;&gt; 12) &amp; IndexMask]; hit = e.VaPage == va &gt;&gt; 12
/// &amp;&amp; ((e.Context ^ context) &amp; e.ContextMask) == 0 &amp;&amp; check.Allows(e.Permissions)</c>; then for an
/// aligned access to a RAM page (<c>e.IsRam</c>) the host address is <c>va + e.HostOffset</c>; a Device page
/// (<c>e.Attributes.IsDevice</c>) needs the alignment check and, when not RAM, MMIO dispatch at
/// <c>e.PaPage | (va &amp; 0xFFF)</c>. Anything else falls back to the walk. <c>context</c> is
/// <see cref="TranslationControl.TlbContext"/>, constant while the translation registers do not change.</para>
/// <para>Tags: regime, VMID (EL1&amp;0), ASID (non-global EL1&amp;0 entries only) and the stage 1/stage 2 enables,
/// so a context switch needs no flush. Writes to RAM never update cached rights; guests must use TLBI as the
/// architecture requires. <see cref="Generation"/> counts invalidations for code caches.</para>
/// </remarks>
internal sealed class Tlb
{
    /// <summary>Default number of slots.</summary>
    public const int DefaultEntries = 4096;

    /// <summary>Context bits holding the ASID.</summary>
    public const ulong AsidMask = 0xFFFFUL;

    /// <summary>Context bits holding the VMID.</summary>
    public const ulong VmidMask = 0xFFFFUL << 16;

    /// <summary>Context bits holding the regime.</summary>
    public const ulong RegimeMask = 3UL << 32;

    private const ulong Va56Mask = 0x00FF_FFFF_FFFF_F000UL;

    private readonly TlbEntry[] _entries;
    private readonly IPhysicalMemory? _memory;
    private int _largeEntries;
    // Valid entries by Stage1Shift (13..63): a TLBI by VA looks only at the slots a block of each present size can fill.
    private readonly int[] _entriesByShift = new int[64];

    /// <summary>Creates an empty TLB with <paramref name="entries"/> (a power of two) slots.</summary>
    /// <param name="memory">Gives host pointers for RAM pages; null disables the host fast path.</param>
    /// <param name="entries">Number of slots.</param>
    public Tlb(IPhysicalMemory? memory, int entries = DefaultEntries)
    {
        if (entries <= 0 || (entries & (entries - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(entries), "The TLB size must be a power of two.");
        _memory = memory;
        _entries = new TlbEntry[entries];
        IndexMask = (ulong)entries - 1;
        InvalidateAll();
    }

    /// <summary>The slots, for the JIT's inlined lookup.</summary>
    public TlbEntry[] Entries => _entries;

    /// <summary>Mask applied to <c>va &gt;&gt; 12</c> to index <see cref="Entries"/>.</summary>
    public ulong IndexMask { get; }

    /// <summary>Incremented by every invalidation.</summary>
    public long Generation { get; private set; }

    /// <summary>Number of valid entries (for tests and statistics).</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (ref readonly var e in _entries.AsSpan()) if (e.IsValid) n++;
            return n;
        }
    }

    /// <summary>
    /// The context key: ASID [15:0], VMID [31:16], regime [33:32], stage 1 enabled [34], stage 2 enabled [35], and
    /// <see cref="SecureContext"/> for the Secure PL1&amp;0 regime of an AArch32 EL3.
    /// </summary>
    public const ulong SecureContext = 1UL << 36;

    /// <summary>Builds a context key (see <see cref="SecureContext"/> for the bit above these).</summary>
    public static ulong MakeContext(TranslationRegime regime, ushort vmid, ushort asid, bool stage1, bool stage2)
        => asid | ((ulong)vmid << 16) | ((ulong)regime << 32) | (stage1 ? 1UL << 34 : 0) | (stage2 ? 1UL << 35 : 0);

    /// <summary>
    /// The slot translating <paramref name="va"/> under <paramref name="context"/>, or a null reference
    /// (<see cref="Unsafe.IsNullRef{T}(ref readonly T)"/>) on a miss. Does not check rights. Never allocates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref readonly TlbEntry Lookup(ulong va, ulong context)
    {
        ulong page = va >> 12;
        ref TlbEntry e = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), (nint)(page & IndexMask));
        if (e.VaPage == page && ((e.Context ^ context) & e.ContextMask) == 0) return ref e;
        return ref Unsafe.NullRef<TlbEntry>();
    }

    /// <summary>
    /// The inlinable RAM fast path: true with the host address of <paramref name="va"/> when the TLB holds the
    /// page, the page is RAM, <paramref name="check"/> allows the access and it is not an unaligned access to
    /// Device memory. The caller must keep the access inside the 4 KiB page (split page-crossing accesses).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetHostAddress(ulong va, ulong context, PermissionCheck check, bool unaligned, out nint host)
    {
        ref readonly TlbEntry e = ref Lookup(va, context);
        if (Unsafe.IsNullRef(in e) || !e.IsRam || !check.Allows(e.Permissions) || (unaligned && e.Attributes.IsDevice))
        {
            host = 0;
            return false;
        }
        host = (nint)unchecked((long)va + e.HostOffset);
        return true;
    }

    /// <summary>Caches the successful translation <paramref name="result"/> of <paramref name="va"/>'s 4 KiB page.</summary>
    public void Insert(ulong va, ulong context, in TranslationResult result)
    {
        if (result.IsFault) throw new ArgumentException("A fault is not cached.", nameof(result));
        ulong page = va >> 12;
        ref TlbEntry e = ref _entries[(int)(page & IndexMask)];
        if (e.IsValid && e.Stage1Shift > 12) ForgetLarge(e.Stage1Shift);
        ulong paPage = result.PhysicalAddress & ~0xFFFUL;
        nint host = _memory?.HostAddress(paPage, 0x1000) ?? 0;
        e.VaPage = page;
        e.Context = context;
        e.ContextMask = result.Global ? ~AsidMask : ulong.MaxValue;
        e.PaPage = paPage;
        e.IpaPage = result.Ipa & ~0xFFFUL;
        e.HostOffset = host == 0 ? 0 : unchecked((long)host - (long)(page << 12));
        e.IsRam = host != 0;
        e.Attributes = result.Attributes;
        e.Permissions = result.Permissions;
        e.Stage1Shift = (byte)Math.Max(12, result.Stage1PageShift);
        e.Stage2Shift = (byte)result.Stage2PageShift;
        e.NonSecure = result.NonSecure;
        if (e.Stage1Shift > 12)
        {
            _largeEntries++;
            _entriesByShift[e.Stage1Shift]++;
        }
    }

    private void ForgetLarge(int shift)
    {
        _largeEntries--;
        _entriesByShift[shift]--;
    }

    /// <summary>Empties the TLB (reset, or every regime at once).</summary>
    public void InvalidateAll()
    {
        foreach (ref var e in _entries.AsSpan()) e = new TlbEntry { VaPage = TlbEntry.Empty };
        _largeEntries = 0;
        Array.Clear(_entriesByShift);
        Generation++;
    }

    /// <summary>All entries of a regime (TLBI ALLE1 for <see cref="TranslationRegime.EL10"/>, ALLE2, ALLE3).</summary>
    public void InvalidateRegime(TranslationRegime regime)
        => InvalidateMatching(RegimeMask, (ulong)regime << 32, asid: -1, Match.All, 0);

    /// <summary>All EL1&amp;0 entries of <paramref name="vmid"/> (TLBI VMALLE1, VMALLS12E1: entries are combined).</summary>
    public void InvalidateVmid(ushort vmid)
        => InvalidateMatching(RegimeMask | VmidMask, El10(vmid), asid: -1, Match.All, 0);

    /// <summary>Non-global EL1&amp;0 entries of <paramref name="vmid"/> and <paramref name="asid"/> (TLBI ASIDE1).</summary>
    public void InvalidateAsid(ushort vmid, ushort asid)
        => InvalidateMatching(RegimeMask | VmidMask, El10(vmid), asid, Match.NonGlobalAsid, 0);

    /// <summary>
    /// Entries of <paramref name="regime"/> (and <paramref name="vmid"/> for EL1&amp;0) whose stage 1 block holds
    /// <paramref name="va"/> and that are global or tagged with <paramref name="asid"/> (TLBI VAE1/VALE1, VAE2,
    /// VAE3); <paramref name="asid"/> -1 matches every ASID (TLBI VAAE1/VAALE1).
    /// </summary>
    public void InvalidateVa(TranslationRegime regime, ushort vmid, int asid, ulong va)
    {
        ulong value = ((ulong)regime << 32) | (regime == TranslationRegime.EL10 ? (ulong)vmid << 16 : 0);
        InvalidateMatching(RegimeMask | VmidMask, value, asid, Match.Va, va & Va56Mask);
    }

    /// <summary>EL1&amp;0 entries of <paramref name="vmid"/> whose stage 2 block holds <paramref name="ipa"/> (TLBI IPAS2E1, IPAS2LE1).</summary>
    public void InvalidateIpa(ushort vmid, ulong ipa)
        => InvalidateMatching(RegimeMask | VmidMask, El10(vmid), asid: -1, Match.Ipa, ipa & ~0xFFFUL);

    /// <summary>
    /// Performs a TLBI with operand <paramref name="xt"/> (VA[55:12] in Xt[43:0], ASID in Xt[63:48], IPA[47:12] in
    /// Xt[35:0]); <paramref name="currentVmid"/> is VTTBR_EL2.VMID (<see cref="TranslationControl.Vmid"/>).
    /// </summary>
    public void Invalidate(TlbiOperation op, ulong xt, ushort currentVmid)
    {
        ulong va = (xt & 0x0000_0FFF_FFFF_FFFFUL) << 12;
        ushort asid = (ushort)(xt >> 48);
        switch (op)
        {
            case TlbiOperation.Vmalle1:
            case TlbiOperation.Vmalls12e1: InvalidateVmid(currentVmid); break;
            case TlbiOperation.Alle1: InvalidateRegime(TranslationRegime.EL10); break;
            case TlbiOperation.Aside1: InvalidateAsid(currentVmid, asid); break;
            case TlbiOperation.Vae1:
            case TlbiOperation.Vale1: InvalidateVa(TranslationRegime.EL10, currentVmid, asid, va); break;
            case TlbiOperation.Vaae1:
            case TlbiOperation.Vaale1: InvalidateVa(TranslationRegime.EL10, currentVmid, -1, va); break;
            case TlbiOperation.Ipas2e1:
            case TlbiOperation.Ipas2le1: InvalidateIpa(currentVmid, (xt & 0xF_FFFF_FFFFUL) << 12); break;
            case TlbiOperation.Alle2: InvalidateRegime(TranslationRegime.EL2); break;
            case TlbiOperation.Vae2:
            case TlbiOperation.Vale2: InvalidateVa(TranslationRegime.EL2, 0, -1, va); break;
            case TlbiOperation.Alle3: InvalidateRegime(TranslationRegime.EL3); break;
            case TlbiOperation.Vae3:
            case TlbiOperation.Vale3: InvalidateVa(TranslationRegime.EL3, 0, -1, va); break;
            default: throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    private static ulong El10(ushort vmid) => ((ulong)TranslationRegime.EL10 << 32) | ((ulong)vmid << 16);

    private enum Match { All, NonGlobalAsid, Va, Ipa }

    private void InvalidateMatching(ulong contextMask, ulong contextValue, int asid, Match match, ulong address)
    {
        Generation++;
        if (match == Match.Va && InvalidateVaSlots(contextMask, contextValue, asid, address)) return;
        foreach (ref var e in _entries.AsSpan())
            if (Matches(in e, contextMask, contextValue, asid, match, address)) Clear(ref e);
    }

    // A TLBI by VA: an entry whose stage 1 block of 2^shift bytes holds the address sits in one of the slots of that
    // block's 4 KiB pages, so only those are looked at, for each block size present (a 4 KiB entry: the address's own
    // slot). False when a block spans the whole table: the caller then scans it (slots cleared before are cleared).
    private bool InvalidateVaSlots(ulong contextMask, ulong contextValue, int asid, ulong address)
    {
        ClearMatchingSlots(address >> 12, 1, contextMask, contextValue, asid, address);
        if (_largeEntries == 0) return true;
        for (int shift = 13; shift < _entriesByShift.Length; shift++)
        {
            if (_entriesByShift[shift] == 0) continue;
            ulong pages = 1UL << (shift - 12);
            if (pages > IndexMask) return false;
            ClearMatchingSlots((address >> shift) << (shift - 12), pages, contextMask, contextValue, asid, address);
        }
        return true;
    }

    private void ClearMatchingSlots(ulong firstPage, ulong count, ulong contextMask, ulong contextValue, int asid, ulong address)
    {
        for (ulong i = 0; i < count; i++)
        {
            ref TlbEntry e = ref _entries[(int)((firstPage + i) & IndexMask)];
            if (Matches(in e, contextMask, contextValue, asid, Match.Va, address)) Clear(ref e);
        }
    }

    private static bool Matches(in TlbEntry e, ulong contextMask, ulong contextValue, int asid, Match match, ulong address)
    {
        if (!e.IsValid || (e.Context & contextMask) != contextValue) return false;
        bool global = e.Global;
        switch (match)
        {
            case Match.NonGlobalAsid:
                return !global && (e.Context & AsidMask) == (ulong)asid;
            case Match.Va:
                if (asid >= 0 && !global && (e.Context & AsidMask) != (ulong)asid) return false;
                return (((e.VaPage << 12) & Va56Mask) ^ address) >> e.Stage1Shift == 0;
            case Match.Ipa:
                return e.Stage2Shift != 0 && (e.IpaPage ^ address) >> e.Stage2Shift == 0;
            default:
                return true;
        }
    }

    private void Clear(ref TlbEntry e)
    {
        if (e.Stage1Shift > 12) ForgetLarge(e.Stage1Shift);
        e = new TlbEntry { VaPage = TlbEntry.Empty };
    }
}
