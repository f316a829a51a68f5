using System.Diagnostics;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The blocks of one CPU, keyed by (virtual PC, EL). The execution loop translates the PC at each block entry and
/// uses a block only if it was fetched from that physical address, so no ASID/VMID is needed in the key and TLB
/// maintenance needs no hook here: the MMU's own TLB answers the fetch translation. A direct-mapped array sits in front of a dictionary; a physical page index finds the blocks to drop when
/// a page is written. The cache is bounded: when it holds <see cref="Capacity"/> blocks it is flushed whole (as QEMU's
/// tb_flush does), which also releases the compiled methods.
/// </summary>
internal sealed class TranslationCache
{
    private const int DirectBits = 14;
    private readonly TranslationBlock?[] _direct = new TranslationBlock?[1 << DirectBits];
    private readonly Dictionary<ulong, TranslationBlock> _blocks = new();
    private readonly Dictionary<ulong, List<TranslationBlock>> _pages = new();
    // Pages of _pages (and, when the CPU is in an Inner Shareable domain, the domain's sum of its PEs' pages).
    private readonly CodePageFilter _pageFilter = new();
    private CodePageFilter? _sharedPages;

    /// <summary>Creates an empty cache holding at most <paramref name="capacity"/> blocks.</summary>
    public TranslationCache(int capacity = 131072)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>The most blocks held before the cache is flushed.</summary>
    public int Capacity { get; }

    /// <summary>Blocks currently held.</summary>
    public int Count => _count;

    // Blocks held (heads of _blocks and their aliases).
    private int _count;

    /// <summary>
    /// Blocks kept at one (PC, EL) fetched from different physical addresses: a hypervisor and its guest running the
    /// same kernel at the same virtual addresses, or processes mapping different code at one address, each keep theirs
    /// instead of rebuilding them at every switch.
    /// </summary>
    private const int MaxAliases = 4;

    private long _blocksCompiled, _blocksOptimized, _instructionsCompiled, _compileTicks, _regionsCompiled;

    /// <summary>Compiles finished since creation (both tiers).</summary>
    public long BlocksCompiled => Interlocked.Read(ref _blocksCompiled);

    /// <summary>Compiles of the <see cref="JitTier.Optimized"/> tier since creation.</summary>
    public long BlocksOptimized => Interlocked.Read(ref _blocksOptimized);

    /// <summary>
    /// Compiles of the <see cref="JitTier.Optimized"/> tier that compiled a whole region (counted in
    /// <see cref="BlocksOptimized"/> too).
    /// </summary>
    public long RegionsCompiled => Interlocked.Read(ref _regionsCompiled);

    /// <summary>Regions compiled with instructions in the next virtual page too (<see cref="Region.Spans"/>).</summary>
    internal long RegionsSpanningPages => Interlocked.Read(ref _regionsSpanningPages);

    private long _regionsSpanningPages;

    /// <summary>Regions compiled with roots besides their block (<see cref="TranslationBlock.RegionRoots"/>).</summary>
    internal long RegionsWithRoots => Interlocked.Read(ref _regionsWithRoots);

    private long _regionsWithRoots;

    /// <summary>Guest instructions compiled since creation (both tiers; a region counts all of its instructions).</summary>
    public long InstructionsCompiled => Interlocked.Read(ref _instructionsCompiled);

    /// <summary>Host time spent compiling, including RyuJIT's compile of the emitted IL.</summary>
    public TimeSpan CompileTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _compileTicks));

    /// <summary>Blocks dropped because their page was written or an instruction-cache invalidation covered them.</summary>
    public long BlocksInvalidated { get; private set; }

    /// <summary>Whole-cache flushes (capacity reached, engine switch, CPU reset).</summary>
    public long Flushes { get; private set; }

    /// <summary>
    /// Incremented by <see cref="InvalidateUnobservedWrites"/> (IC IALLU, IC IALLUIS): blocks of an older generation are
    /// checked against RAM before they run (<see cref="Recheck"/>). Written and read on the CPU's thread; the compile thread
    /// only compares it (a stale read makes it skip an adoption).
    /// </summary>
    internal volatile int Generation;

    /// <summary>Pages whose code was checked against RAM after an instruction-cache invalidation (<see cref="Recheck"/>).</summary>
    public long PagesRechecked { get; private set; }

    /// <summary>
    /// IC IALLU and IC IALLUIS: RAM written by a path the cache does not observe (an embedder writing through a RAM
    /// region's span, <see cref="ArmVirt.Core.PhysicalBus.Load"/>) must not run stale: every block and region is checked
    /// against RAM before its next run, and only those whose words changed are dropped (with the rest of their page). A
    /// flush instead would drop the code every write the CPU, the bus and virtio DMA made has already kept coherent:
    /// Xen invalidates the instruction cache once per page while it builds its dom0 (32,879 flushes per boot).
    /// </summary>
    public void InvalidateUnobservedWrites() => Generation++;

    /// <summary>
    /// Checks the blocks and regions of <paramref name="block"/>'s page (of an older <see cref="Generation"/>) against
    /// RAM on <paramref name="bus"/>: when all still match, they are of the current generation and true is returned;
    /// otherwise the page's code is dropped and false returned (the caller builds the block again).
    /// </summary>
    internal unsafe bool Recheck(TranslationBlock block, ArmVirt.Core.PhysicalBus bus)
    {
        PagesRechecked++;
        ulong page = block.Page, pagePa = page * TranslationBlock.PageSize;
        byte* ram = bus.RamPointer(pagePa, TranslationBlock.PageSize);
        var blocks = _pages.GetValueOrDefault(page);
        bool same = ram != null && blocks != null;
        for (int k = 0; same && k < blocks!.Count; k++)
        {
            var b = blocks[k];
            if (b.IsAarch32) same = b.Aarch32MatchesRam(ram + (b.PhysicalAddress - pagePa));
            for (int i = 0; i < b.Length && same && !b.IsAarch32; i++)
                same = *(uint*)(ram + (b.PhysicalAddress - pagePa) + 4 * (ulong)i) == b.WordArray[i];
        }
        for (int el = 0; el < 4 && same; el++)
            if (_regions.TryGetValue((page, el), out var regions))
                foreach (var r in regions)
                    same &= RegionMatches(r, ram, bus);
        // The regions the page's blocks run (adopted, or pushed out of the page's newest by later ones).
        for (int k = 0; same && k < blocks!.Count; k++)
            if (blocks[k].Region is { } r) same = RegionMatches(r, ram, bus);
        if (!same)
        {
            Invalidate(pagePa, TranslationBlock.PageSize);
            return false;
        }
        int generation = Generation;
        foreach (var b in blocks!) b.Generation = generation;
        return true;
    }

    // True when every instruction word of r is the one in RAM (ram: its first page's host pointer).
    private static unsafe bool RegionMatches(CompiledRegion r, byte* ram, ArmVirt.Core.PhysicalBus bus)
    {
        var source = r.Source;
        byte* next = source.Spans ? bus.RamPointer(source.NextPagePa, TranslationBlock.PageSize) : null;
        if (source.Spans && next == null) return false;
        foreach (var x in source.Instructions)
            if (*(uint*)((source.InNextPage(x.Pc) ? next : ram) + (x.Pc & (TranslationBlock.PageSize - 1))) != x.Word)
                return false;
        return true;
    }

    /// <summary>Blocks added (built on a cache miss).</summary>
    public long BlocksBuilt { get; private set; }

    private static ulong Key(ulong pc, int el) => (pc >> 2) | ((ulong)el << 62);

    private static int Slot(ulong pc) => (int)((pc >> 2) & ((1 << DirectBits) - 1));

    /// <summary>The block at <paramref name="pc"/> for <paramref name="el"/> fetched from <paramref name="pa"/>, or null.</summary>
    internal TranslationBlock? Lookup(ulong pc, int el, ulong pa)
    {
        var b = _direct[Slot(pc)];
        if (b != null && b.Pc == pc && b.El == el && b.PhysicalAddress == pa) return b;
        if (!_blocks.TryGetValue(Key(pc, el), out b)) return null;
        for (; b != null; b = b.Alias)
        {
            if (b.PhysicalAddress != pa) continue;
            _direct[Slot(pc)] = b;
            return b;
        }
        return null;
    }

    /// <summary>
    /// The AArch32 block at <paramref name="pc"/> for <paramref name="el"/>, instruction set <paramref name="set"/> and
    /// ITSTATE <paramref name="it"/> at entry fetched from <paramref name="pa"/>, or null. AArch32 blocks have their own
    /// direct-mapped array: the A64 one (and <see cref="Lookup(ulong, int, ulong)"/>) never holds them.
    /// </summary>
    internal TranslationBlock? LookupAarch32(ulong pc, int el, BlockInstructionSet set, byte it, ulong pa)
    {
        ulong key = TranslationBlock.Aarch32Key(pc, el, set, it);
        int slot = Aarch32Slot(pc);
        var b = _directAarch32[slot];
        if (b != null && b.CacheKey == key && b.PhysicalAddress == pa) return b;
        if (!_blocks.TryGetValue(key, out b)) return null;
        for (; b != null; b = b.Alias)
        {
            if (b.PhysicalAddress != pa) continue;
            _directAarch32[slot] = b;
            return b;
        }
        return null;
    }

    private readonly TranslationBlock?[] _directAarch32 = new TranslationBlock?[1 << Aarch32DirectBits];
    private const int Aarch32DirectBits = 12;

    private static int Aarch32Slot(ulong pc) => (int)((pc >> 1) & ((1 << Aarch32DirectBits) - 1));

    /// <summary>The newest block at <paramref name="pc"/> for <paramref name="el"/> (whatever page it was fetched from), or null.</summary>
    public TranslationBlock? Lookup(ulong pc, int el) => _blocks.TryGetValue(Key(pc, el), out var b) ? b : null;

    /// <summary>Adds <paramref name="block"/> (replacing any block with the same key), flushing first when full.</summary>
    public TranslationBlock Add(TranslationBlock block)
    {
        if (_count >= Capacity) Flush();
        BlocksBuilt++;
        ulong key = block.CacheKey;
        // The new block heads its (PC, EL) chain; a block fetched from the same physical address is replaced, and the
        // oldest beyond MaxAliases dropped.
        var tail = block;
        int kept = 1;
        if (_blocks.TryGetValue(key, out var old))
        {
            for (var b = old; b != null;)
            {
                var next = b.Alias;
                if (b.PhysicalAddress == block.PhysicalAddress || kept == MaxAliases)
                {
                    Drop(b, fromPages: true);
                    _count--;
                }
                else
                {
                    tail.Alias = b;
                    tail = b;
                    kept++;
                }
                b = next;
            }
        }
        tail.Alias = null;
        block.Generation = Generation;
        _blocks[key] = block;
        _count++;
        if (block.IsAarch32) _directAarch32[Aarch32Slot(block.Pc)] = block;
        else _direct[Slot(block.Pc)] = block;
        if (!_pages.TryGetValue(block.Page, out var list))
        {
            _pages[block.Page] = list = new List<TranslationBlock>();
            _pageFilter.AddPage(block.Page);
            _sharedPages?.AddPage(block.Page);
        }
        list.Add(block);
        return block;
    }

    /// <summary>
    /// Compiles <paramref name="block"/> to <paramref name="tier"/> on the calling thread (forcing RyuJIT's compile too),
    /// publishes the code on the block and records the compile statistics. Thread-safe.
    /// </summary>
    /// <remarks>
    /// With <paramref name="cpu"/> given, the <see cref="JitTier.Optimized"/> tier compiles the block's whole
    /// <see cref="Region"/> (read from <paramref name="cpu"/>'s RAM); without it, the block alone.
    /// </remarks>
    public void Compile(TranslationBlock block, ulong cyclesPerInstruction, JitTier tier, Cpu? cpu = null)
    {
        long start = Stopwatch.GetTimestamp();
        Action<Cpu> code;
        CompiledRegion? region = null;
        int compiled = block.Length;
        Region? formed = null;
        if (tier == JitTier.Optimized && cpu != null && !block.IsAarch32) // (AArch32: optimized blocks, no regions)
        {
            // A region compiled while this request waited in the queue may already cover the block.
            if (TryAdoptRegion(block)) return;
            // Formed again at half the size while its IL is too large for RyuJIT to optimize (a region of one
            // instruction is always taken). Form gives null when the machine's RAM is gone (disposed while the compile
            // was queued): nothing to compile.
            for (int cap = Region.MaxInstructions; ; cap = Math.Max(1, cap / 2))
            {
                if ((formed = Region.Form(cpu, block, cap)) == null) return;
                if ((region = RegionCompiler.Compile(block, formed, cyclesPerInstruction, limitIl: cap > 1, cpu.Timing, cpu.BranchPredictor)) != null) break;
            }
            Interlocked.Increment(ref _regionsCompiled);
            if (block.RegionRoots is { Length: > 0 }) Interlocked.Increment(ref _regionsWithRoots);
            if (formed.Spans) Interlocked.Increment(ref _regionsSpanningPages);
            code = region.Code;
            compiled = formed.Instructions.Length;
        }
        else code = BlockCompiler.Compile(block, cyclesPerInstruction, tier);
        BlockCompiler.Warm(code);
        Interlocked.Add(ref _compileTicks, Stopwatch.GetTimestamp() - start);
        Interlocked.Increment(ref _blocksCompiled);
        if (tier == JitTier.Optimized) Interlocked.Increment(ref _blocksOptimized);
        Interlocked.Add(ref _instructionsCompiled, compiled);
        if (region == null)
        {
            block.Publish(code, 0);
            block.Tier = tier;
            return;
        }
        lock (_regionLock)
        {
            // The region was formed from a copy of the page: if one of its instructions was written since, the code is
            // stale and is dropped (the block asks again at its next entry). A write after this check reaches
            // Invalidate, which waits for the lock and then drops the region.
            if (!formed!.MatchesRam(cpu!)) return;
            // Newest first, at most RegionsPerPage.
            var key = (block.Page, block.El);
            var old = _regions.GetValueOrDefault(key, []);
            _regions[key] = [region, .. old.AsSpan(0, Math.Min(old.Length, RegionsPerPage - 1))];
            block.Region = region;
            block.Publish(code, region.Entries[block.Pc], region: true);
            block.Tier = tier;
        }
    }

    // The lock under which a region is checked against RAM and published, adopted, and dropped by Invalidate, so that a
    // region formed before a write to its instructions never runs after it.
    private readonly object _regionLock = new();

    // The latest compiled regions of each (physical page, EL), newest first, written by the compiling thread. A page
    // may need several: a region holds what is reachable from its entry, up to Region.MaxInstructions.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(ulong Page, int El), CompiledRegion[]> _regions = new();
    private const int RegionsPerPage = 8;

    /// <summary>
    /// Gives <paramref name="block"/> the code of a compiled region of its page (the newest that fits) when the block
    /// starts one of that region's basic blocks (see <see cref="CompiledRegion.EntryFor"/>): true when it did, and the block needs no
    /// compile of its own.
    /// </summary>
    public bool TryAdoptRegion(TranslationBlock block)
    {
        if (!_regions.ContainsKey((block.Page, block.El))) return false;
        lock (_regionLock)
        {
            if (!_regions.TryGetValue((block.Page, block.El), out var regions)) return false;
            foreach (var region in regions)
            {
                int entry = region.EntryFor(block);
                // A region whose page was not checked since the last instruction-cache invalidation is not adopted.
                if (entry < 0 || region.Owner.Generation != Generation) continue;
                block.Region = region;
                block.Publish(region.Code, entry, region: true);
                block.Tier = JitTier.Optimized;
                return true;
            }
            return false;
        }
    }

    /// <summary>
    /// The starts of the blocks of <paramref name="block"/>'s virtual and physical page at its EL that BR or BLR reached
    /// (<see cref="TranslationBlock.ComputedBranchTarget"/>) and that have run at least <see cref="MinRootEntries"/>
    /// times and 1/<see cref="RootShare"/> as often as the block, other than the block itself, those dropped and those
    /// already running a region (a page's regions would otherwise each compile the same code again), hottest first: the
    /// roots of its region besides its own start (see <see cref="TranslationBlock.RegionRoots"/>). Called on the CPU's
    /// thread, which owns the page index.
    /// </summary>
    internal ulong[] RegionRootsOf(TranslationBlock block)
    {
        long minimum = Math.Max(MinRootEntries, block.ExecutionCount / RootShare);
        var roots = new List<TranslationBlock>();
        foreach (var b in PageMates(block))
            if (b.ComputedBranchTarget && b != block && b.ExecutionCount >= minimum && b.Tier != JitTier.Optimized)
                roots.Add(b);
        roots.Sort((x, y) => y.ExecutionCount.CompareTo(x.ExecutionCount));
        return [.. roots.Select(b => b.Pc)];
    }

    /// <summary>
    /// The instruction slots of <paramref name="block"/>'s page (one bit per 4-byte slot) covered by the blocks of its EL
    /// and virtual page that have run (every block in the cache was built when execution first reached it): the code a
    /// region formed now takes (see <see cref="TranslationBlock.RegionCoverage"/>). Called on the CPU's thread, which
    /// owns the page index.
    /// </summary>
    internal ulong[] RegionCoverageOf(TranslationBlock block) => RegionCoverageOf(block.PhysicalAddress, block.Pc, block.El);

    /// <summary>
    /// The same for the blocks of EL <paramref name="el"/> formed from the virtual page of <paramref name="va"/> and the
    /// physical page of <paramref name="pa"/> (the next page of a region, <see cref="TranslationBlock.RegionNextPage"/>).
    /// </summary>
    internal ulong[] RegionCoverageOf(ulong pa, ulong va, int el)
    {
        var slots = PageSlots.Create();
        foreach (var b in PageMates(pa / TranslationBlock.PageSize, va, el))
            for (ulong pc = b.Pc; pc < b.EndPc; pc += 4) PageSlots.Add(slots, pc);
        return slots;
    }

    // The live blocks of block's physical page formed at its EL from its virtual page (block included): those a region
    // of block's may take code and roots from.
    private IEnumerable<TranslationBlock> PageMates(TranslationBlock block) => PageMates(block.Page, block.Pc, block.El);

    // The live blocks of physical page `page` formed at `el` from the virtual page of `va`.
    private IEnumerable<TranslationBlock> PageMates(ulong page, ulong va, int el)
    {
        if (!_pages.TryGetValue(page, out var list)) yield break;
        ulong pageVa = va & ~(TranslationBlock.PageSize - 1);
        foreach (var b in list)
            if (b.El == el && !b.Invalidated && (b.Pc & ~(TranslationBlock.PageSize - 1)) == pageVa)
                yield return b;
    }

    /// <summary>
    /// Entries a block needs before what has run of its page says which code is hot: a region requested earlier (tests
    /// compile at the first entry) takes all the reachable code.
    /// </summary>
    internal const long MinProfiledEntries = 64;

    // A BR or BLR target run fewer times than these is not a root: rarely taken cases and functions called now and then
    // (a kernel's many function pointers) would cost compile time (measured on the Linux boot: 13% more instructions
    // compiled with the absolute minimum alone, 8% with both) and take the room of hot code.
    private const int MinRootEntries = 64;
    private const int RootShare = 64;

    /// <summary>
    /// False when the page holding physical address <paramref name="pa"/> surely holds no block (the page-count filter
    /// alone, no dictionary lookup).
    /// </summary>
    public bool MayHoldCode(ulong pa) => _pageFilter.MayHoldCode(pa);

    /// <summary>This cache's own page filter.</summary>
    public CodePageFilter Pages => _pageFilter;

    /// <summary>
    /// Counts this cache's pages in <paramref name="shared"/> too, from now on (the filter of an
    /// <see cref="InnerShareableDomain"/>): the pages held so far are added at once.
    /// </summary>
    public void SharePages(CodePageFilter shared)
    {
        if (ReferenceEquals(shared, _sharedPages)) return;
        _sharedPages?.Merge(_pageFilter, -1);
        _sharedPages = shared;
        shared.Merge(_pageFilter, 1);
    }

    /// <summary>True when some block lives in a page overlapping <c>[pa, pa+size)</c>.</summary>
    public bool HoldsCode(ulong pa, ulong size)
    {
        if (size == 0) return false;
        ulong first = pa / TranslationBlock.PageSize, last = (pa + size - 1) / TranslationBlock.PageSize;
        for (ulong p = first; p <= last; p++)
            if (_pageFilter.MayHoldPage(p) && (_pages.ContainsKey(p) || _spans.ContainsKey(p))) return true;
        return false;
    }

    /// <summary>
    /// Drops every block whose instructions, or whose region's instructions, overlap <c>[pa, pa+size)</c>, and those
    /// regions: data written next to code in the same page leaves the code compiled (as QEMU's per-page code bitmap).
    /// </summary>
    public void Invalidate(ulong pa, ulong size)
    {
        if (!HoldsCode(pa, size)) return;
        ulong end = pa + size;
        ulong first = pa / TranslationBlock.PageSize, last = (end - 1) / TranslationBlock.PageSize;
        Predicate<CompiledRegion> regionWritten = r => r.Overlaps(pa, end);
        Predicate<TranslationBlock> blockWritten = b => b.Overlaps(pa, end) || b.Region?.Overlaps(pa, end) == true;
        lock (_regionLock)
        {
            for (ulong p = first; p <= last; p++)
            {
                for (int el = 0; el < 4; el++) RemoveRegions((p, el), regionWritten);
                if (_spans.TryGetValue(p, out var owners)) DropSpanning(p, owners, pa, end);
                DropBlocks(p, blockWritten);
            }
        }
    }

    // Takes the regions `drop` selects out of those offered for adoption under key.
    private void RemoveRegions((ulong Page, int El) key, Predicate<CompiledRegion> drop)
    {
        if (!_regions.TryGetValue(key, out var regions)) return;
        var kept = Array.FindAll(regions, r => !drop(r));
        if (kept.Length == 0) _regions.TryRemove(key, out _);
        else if (kept.Length != regions.Length) _regions[key] = kept;
    }

    // Drops the blocks of physical page `page` that `drop` selects (invalidated, unlinked, out of the page index).
    private void DropBlocks(ulong page, Predicate<TranslationBlock> drop)
    {
        if (!_pages.TryGetValue(page, out var list)) return;
        for (int i = list.Count - 1; i >= 0; i--)
        {
            var b = list[i];
            if (!drop(b)) continue;
            list.RemoveAt(i);
            Unlink(b);
            Drop(b, fromPages: false);
            BlocksInvalidated++;
        }
        if (list.Count == 0) RemovePage(page);
    }

    // The blocks whose region compile was requested with their next page (TranslationBlock.RegionNextPage), by that
    // page's number: registered on the CPU's thread at the request, so that the page counts in the page filter (stores
    // there leave the fast paths and reach Invalidate) before the region can run. An entry lasts while its block's
    // region (or the compile that will give it one) may hold instructions of the page.
    private readonly Dictionary<ulong, List<TranslationBlock>> _spans = new();

    /// <summary>
    /// Registers <paramref name="block"/>'s region request as reading the physical page at <paramref name="nextPagePa"/>
    /// (<see cref="TranslationBlock.RegionNextPage"/>): a store there drops the region as a store to its own page does.
    /// Called on the CPU's thread before the compile is queued.
    /// </summary>
    internal void WatchNextPage(TranslationBlock block, ulong nextPagePa)
    {
        ulong page = nextPagePa / TranslationBlock.PageSize;
        lock (_regionLock)
        {
            if (!_spans.TryGetValue(page, out var owners))
            {
                _spans[page] = owners = [];
                _pageFilter.AddPage(page);
                _sharedPages?.AddPage(page);
            }
            if (!owners.Contains(block)) owners.Add(block);
        }
    }

    // Invalidate's part for the regions that continue into page p (the bytes [pa, end) were written): a region whose
    // instructions there overlap them is dropped with every block that runs it (all in its owner's page: a region is
    // adopted only there); entries that no longer stand for such a region are removed.
    private void DropSpanning(ulong p, List<TranslationBlock> owners, ulong pa, ulong end)
    {
        for (int k = owners.Count - 1; k >= 0; k--)
        {
            var owner = owners[k];
            var region = owner.Region;
            bool keep;
            if (region == null || region.Owner != owner)
                keep = owner.CompilePending && !owner.Invalidated; // its region is being compiled
            else if (!region.Source.Spans || region.Source.NextPagePa / TranslationBlock.PageSize != p)
                keep = false;
            else if (region.Overlaps(pa, end))
            {
                DropRegion(region);
                keep = false;
            }
            else keep = !owner.Invalidated || AnyBlockRuns(region);
            if (keep) continue;
            owners.RemoveAt(k);
        }
        if (owners.Count != 0) return;
        _spans.Remove(p);
        _pageFilter.RemovePage(p);
        _sharedPages?.RemovePage(p);
    }

    // Drops region (no longer offered for adoption) and every block of its owner's page that runs it.
    private void DropRegion(CompiledRegion region)
    {
        var owner = region.Owner;
        RemoveRegions((owner.Page, owner.El), r => r == region);
        DropBlocks(owner.Page, b => b.Region == region);
    }

    // True when a live block of region's owner's page runs it.
    private bool AnyBlockRuns(CompiledRegion region) =>
        _pages.TryGetValue(region.Owner.Page, out var list) && list.Exists(b => b.Region == region && !b.Invalidated);

    /// <summary>Drops every block.</summary>
    public void Flush()
    {
        foreach (var head in _blocks.Values)
        {
            for (var b = head; b != null;)
            {
                var next = b.Alias;
                b.Invalidated = true;
                b.LinkFallThrough = b.LinkTaken = b.Alias = null;
                b = next;
            }
        }
        _blocks.Clear();
        _count = 0;
        _pages.Clear();
        _sharedPages?.Merge(_pageFilter, -1);
        _pageFilter.Clear();
        Array.Clear(_direct);
        Array.Clear(_directAarch32);
        _regions.Clear();
        _spans.Clear();
        Flushes++;
    }

    // Removes b from its (PC, EL) chain.
    private void Unlink(TranslationBlock b)
    {
        ulong key = b.CacheKey;
        if (!_blocks.TryGetValue(key, out var head)) return;
        if (head == b)
        {
            if (b.Alias != null) _blocks[key] = b.Alias;
            else _blocks.Remove(key);
        }
        else
        {
            var p = head;
            while (p.Alias != null && p.Alias != b) p = p.Alias;
            if (p.Alias != b) return;
            p.Alias = b.Alias;
        }
        _count--;
    }

    private void Drop(TranslationBlock b, bool fromPages)
    {
        b.Invalidated = true;
        b.Alias = null;
        b.LinkFallThrough = b.LinkTaken = null; // links into b from live blocks are refused (Invalidated) and replaced
        if (_direct[Slot(b.Pc)] == b) _direct[Slot(b.Pc)] = null;
        if (b.IsAarch32 && _directAarch32[Aarch32Slot(b.Pc)] == b) _directAarch32[Aarch32Slot(b.Pc)] = null;
        if (fromPages && _pages.TryGetValue(b.Page, out var list))
        {
            list.Remove(b);
            if (list.Count == 0) RemovePage(b.Page);
        }
    }

    // A page holds no block any more.
    private void RemovePage(ulong page)
    {
        _pages.Remove(page);
        _pageFilter.RemovePage(page);
        _sharedPages?.RemovePage(page);
    }
}
