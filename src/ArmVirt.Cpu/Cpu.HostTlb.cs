using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArmVirt.Mmu;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// One slot of the host TLB: the 4 KiB VA page it maps for reads (<see cref="ReadTag"/>) and for writes
    /// (<see cref="WriteTag"/>), each the page address or 1 when not allowed, and the host address of the page.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct HostTlbEntry
    {
        public ulong ReadTag;
        public ulong WriteTag;
        public long HostOffset;
        public ulong PaPage;
    }

    /// <summary>log2 of the host TLB's slots.</summary>
    internal const int HostTlbBits = 12; // as many slots as the MMU TLB (a 2 MiB working set of 4 KiB pages fits)

    /// <summary>Byte offsets of the fields of <see cref="HostTlbEntry"/> and its size (for emitted IL).</summary>
    internal const int HostTlbWriteTagOffset = 8, HostTlbHostOffsetOffset = 16, HostTlbEntryShift = 5;

    private const ulong HostTlbNoTag = 1; // no page address has bit 0 set

    // The compiled regions' data TLB, after QEMU's softmmu TLB: a direct-mapped array indexed by VA page, whose tags
    // already include the rights of the current regime, so that a hit is one compare (alignment folded in) and an add.
    // It caches the RAM pages of the MMU TLB readable or writable under the regime it was filled in, and is emptied
    // when the regime's context, EL, PAN or permission checks differ, or the MMU TLB saw an invalidation, at the
    // entry of a compiled region (JitRegionEnter). Write tags are set only for pages without translated code (a store
    // there must drop blocks: the slow path does) and cleared when a page gets its first block.
    private readonly HostTlbEntry[] _hostTlb = GC.AllocateArray<HostTlbEntry>(1 << HostTlbBits, pinned: true);
    /// <summary>
    /// The host TLB's first slot (the array is pinned). Compiled regions read it from the CPU at each lookup: a load
    /// that folds into the address arithmetic, where a 64-bit constant made RyuJIT spill the slot offset.
    /// </summary>
    internal readonly unsafe HostTlbEntry* HostTlbBase;
    private Tlb? _hostTlbOwner;
    private long _hostTlbGeneration;
    private ulong _hostTlbContext;
    private PermissionCheck _hostTlbReadCheck, _hostTlbWriteCheck;
    private bool _hostTlbKeyed, _hostTlbFlat;
    private long _hostTlbRegimeSerial = -1;

    // The slots filled since the last flush (a slot once, unless a write-tag drop emptied it and it was filled again:
    // past the array's length the next flush clears every slot). A flush then costs the slots in use, not 4096.
    private readonly int[] _hostTlbFilled = new int[1 << HostTlbBits];
    private int _hostTlbFilledCount;

    private unsafe HostTlbEntry* InitHostTlb()
    {
        ClearHostTlb(_hostTlb.AsSpan());
        return (HostTlbEntry*)Unsafe.AsPointer(ref _hostTlb[0]);
    }

    private void FlushHostTlb()
    {
        Statistics.HostTlbFlushes++;
        if (_hostTlbFilledCount > _hostTlbFilled.Length) ClearHostTlb(_hostTlb.AsSpan());
        else foreach (int slot in _hostTlbFilled.AsSpan(0, _hostTlbFilledCount)) ClearHostTlb(_hostTlb.AsSpan(slot, 1));
        _hostTlbFilledCount = 0;
    }

    private static void ClearHostTlb(Span<HostTlbEntry> slots)
    {
        foreach (ref var e in slots)
        {
            e.ReadTag = HostTlbNoTag;
            e.WriteTag = HostTlbNoTag;
        }
    }

    // Keeps the host TLB only if it was filled under exactly the regime and MMU TLB state in force now.
    private void ValidateHostTlb()
    {
        // Nothing refreshed the regime cache and the MMU TLB saw no invalidation since the last check: still valid.
        if (_regimeCached && _regimeEl == State.EL && _regimePan == State.Pan && _hostTlbRegimeSerial == _regimeSerial
            && _hostTlbKeyed && _tlb!.Generation == _hostTlbGeneration)
            return;
        EnsureRegimeCache();
        _hostTlbRegimeSerial = _regimeSerial;
        var tlb = _tlb;
        // The flat map (translation off) is the same in every regime: its slots stay valid while it is in force.
        bool same = _hostTlbKeyed && (_regimeTranslates
            ? !_hostTlbFlat && ReferenceEquals(tlb, _hostTlbOwner) && tlb!.Generation == _hostTlbGeneration
              && _regimeContext == _hostTlbContext && SameCheck(_regimeReadCheck, _hostTlbReadCheck)
              && SameCheck(_regimeWriteCheck, _hostTlbWriteCheck)
            : _hostTlbFlat);
        if (same)
        {
            _hostTlbGeneration = tlb?.Generation ?? 0;
            return;
        }
        FlushHostTlb();
        _hostTlbFlat = !_regimeTranslates;
        _hostTlbKeyed = _hostTlbFlat || tlb != null;
        _hostTlbOwner = tlb;
        _hostTlbGeneration = tlb?.Generation ?? 0;
        _hostTlbContext = _regimeContext;
        _hostTlbReadCheck = _regimeReadCheck;
        _hostTlbWriteCheck = _regimeWriteCheck;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameCheck(PermissionCheck a, PermissionCheck b) => a.Required == b.Required && a.Forbidden == b.Forbidden;

    /// <summary>
    /// After a compiled load or store missed the host TLB and its handler made the access: fills the slot of
    /// <paramref name="va"/> when the MMU TLB holds a RAM page for it readable (or, for a <paramref name="write"/>,
    /// writable and without translated code) under the current regime and not watched (<see cref="PageMayBeWatched"/>).
    /// Otherwise the slot is left as it is and the access keeps taking the handler.
    /// </summary>
    internal unsafe void JitHostTlbFill(ulong va, bool write)
    {
        if (!_hostTlbKeyed || (_dataDebugChecks && PageMayBeWatched(va))) return; // a watched page's accesses must reach TranslateData
        if (_hostTlbFlat)
        {
            // Identity: the page is RAM when the flat fast path covers it.
            byte* host = FlatRamPointer(va);
            if (host == null) return;
            ref var f = ref Slot(va, (long)host - (long)va, va);
            if (!write) f.ReadTag = va;
            else if (_storeCodeFilter == null || !_storeCodeFilter.MayHoldCode(va)) f.WriteTag = va;
            return;
        }
        ref readonly TlbEntry t = ref _tlb!.Lookup(va, _regimeContext);
        if (Unsafe.IsNullRef(in t) || !t.IsRam) return;
        if (write)
        {
            if (!_regimeWriteCheck.Allows(t.Permissions)) return;
            if (_storeCodeFilter != null && _storeCodeFilter.MayHoldCode(t.PaPage)) return;
            Slot(va, t.HostOffset, t.PaPage).WriteTag = va & ~0xFFFUL;
        }
        else if (_regimeReadCheck.Allows(t.Permissions)) Slot(va, t.HostOffset, t.PaPage).ReadTag = va & ~0xFFFUL;
    }

    // The slot of va, switched to the page at paPage (host address va + hostOffset; the other tag dropped) if it held
    // another page.
    private ref HostTlbEntry Slot(ulong va, long hostOffset, ulong paPage)
    {
        int index = (int)((va >> 12) & ((1 << HostTlbBits) - 1));
        ref var e = ref _hostTlb[index];
        ulong page = va & ~0xFFFUL;
        if (e.ReadTag == HostTlbNoTag && e.WriteTag == HostTlbNoTag)
        {
            if (_hostTlbFilledCount < _hostTlbFilled.Length) _hostTlbFilled[_hostTlbFilledCount] = index;
            _hostTlbFilledCount++;
        }
        else if (e.ReadTag != page && e.WriteTag != page)
        {
            e.ReadTag = HostTlbNoTag;
            e.WriteTag = HostTlbNoTag;
        }
        e.HostOffset = hostOffset;
        e.PaPage = paPage;
        return ref e;
    }

    /// <summary>Reports (<see cref="NotifyStore"/>) a store an emitted fast path made through the host TLB.</summary>
    internal void JitNotifyWrite(ulong va, int size)
    {
        ref var e = ref _hostTlb[(int)((va >> 12) & ((1 << HostTlbBits) - 1))];
        NotifyStore(e.PaPage | (va & 0xFFF), size);
    }

    // A page got its first translated block: stores to it must take the slow path, which drops blocks.
    private void DropHostTlbWrites(ulong pa)
    {
        ulong page = pa & ~0xFFFUL;
        if (_hostTlbFilledCount > _hostTlbFilled.Length)
        {
            foreach (ref var e in _hostTlb.AsSpan())
                if (e.WriteTag != HostTlbNoTag && e.PaPage == page) e.WriteTag = HostTlbNoTag;
            return;
        }
        foreach (int slot in _hostTlbFilled.AsSpan(0, _hostTlbFilledCount))
        {
            ref var e = ref _hostTlb[slot];
            if (e.WriteTag != HostTlbNoTag && e.PaPage == page) e.WriteTag = HostTlbNoTag;
        }
    }
}
