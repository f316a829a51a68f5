using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The code the optimized tier compiles for one <see cref="TranslationBlock"/>: every instruction of the block's 4 KiB
/// page reachable from the block's start through fall-through, immediate branches (B, BL, B.cond, CBZ/CBNZ,
/// TBZ/TBNZ) and returns from BL (the instruction after it), then from the page's blocks that BR or BLR reached, up to
/// <see cref="MaxInstructions"/>, in address order; of a block that has run often enough to say which code is hot,
/// only the code that has run (<see cref="TranslationBlock.RegionCoverage"/>). Branches between its instructions, and
/// BR, BLR and RET to the start of one of its basic blocks, become jumps inside one compiled method (loops stay in
/// compiled code); everything else leaves it. The region may continue into the next virtual page
/// (<see cref="TranslationBlock.RegionNextPage"/>: a loop straddling the page boundary stays in compiled code, as a TCG
/// translation block may span two pages): the block's fetch translation covers its own page, and the compiled code
/// checks the next page's translation once per entry before it runs an instruction there
/// (<see cref="Cpu.JitNextPageHolds"/>); the invalidation of either page drops it (<see cref="TranslationCache"/>).
/// </summary>
internal sealed class Region
{
    /// <summary>
    /// Most instructions in a region: RyuJIT's compile time grows with the method, and it does not optimize a method
    /// of more than 60,000 bytes of IL (a region takes about 90 bytes per instruction).
    /// </summary>
    public const int MaxInstructions = 256;

    private Region(ulong entryPc, int el, RegionInstruction[] instructions)
    {
        EntryPc = entryPc;
        El = el;
        Instructions = instructions;
    }

    /// <summary>The entry block's start.</summary>
    public ulong EntryPc { get; }

    /// <summary>The exception level the region was formed at.</summary>
    public int El { get; }

    /// <summary>The instructions, sorted by address (not necessarily contiguous).</summary>
    public RegionInstruction[] Instructions { get; }

    /// <summary>The index of the instruction at <paramref name="pc"/>, or -1 when it is not in the region.</summary>
    public int IndexOf(ulong pc)
    {
        int lo = 0, hi = Instructions.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            ulong p = Instructions[mid].Pc;
            if (p == pc) return mid;
            if (p < pc) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>
    /// Forms the region of <paramref name="block"/> (at most <paramref name="maxInstructions"/>), reached from its start
    /// and then from the blocks of its page that BR or BLR reached (<see cref="TranslationBlock.RegionRoots"/>), from a
    /// copy of its page and of the next page when the request found one (<see cref="TranslationBlock.RegionNextPage"/>;
    /// taken with <see cref="ArmVirt.Core.PhysicalBus.TryCopyRam"/> and decoded without the CPU's decode cache: this runs
    /// on the background compiler's thread), or returns null when the page cannot be read any more (the machine was
    /// disposed). The pages may be written while the region is formed and compiled from the copies: the caller checks
    /// them against RAM (<see cref="MatchesRam"/>) before the compiled code is used.
    /// </summary>
    public static Region? Form(Cpu cpu, TranslationBlock block, int maxInstructions = MaxInstructions)
    {
        ulong pageVa = block.Pc & ~(TranslationBlock.PageSize - 1);
        ulong pagePa = block.PhysicalAddress & ~(TranslationBlock.PageSize - 1);
        var page = new byte[TranslationBlock.PageSize];
        if (!cpu.Bus.TryCopyRam(pagePa, page)) return null;
        // The next virtual page, when the request found it mapped for execution (TranslationBlock.RegionNextPage).
        ulong nextPa = block.RegionNextPage;
        byte[]? next = null;
        if (nextPa != TranslationBlock.NoNextPage)
        {
            next = new byte[TranslationBlock.PageSize];
            if (!cpu.Bus.TryCopyRam(nextPa, next)) next = null;
        }
        ulong nextVa = pageVa + TranslationBlock.PageSize;
        var found = new SortedDictionary<ulong, RegionInstruction>();
        // Nearest first (distance in instructions from the entry): under the cap, the entry's loops and the bodies of
        // the functions it calls come before far-away straight-line code.
        var work = new PriorityQueue<ulong, int>();
        work.Enqueue(block.Pc, 0);
        // The page's blocks that BR and BLR reached (jump-table cases, functions called through pointers)
        // that no immediate branch reaches, which the compiled region's indirect branches then jump to directly. They
        // come after everything the entry reaches (no distance from it exceeds the cap), hottest first, so they never
        // crowd it out.
        var roots = block.RegionRoots ?? [];
        var coverage = block.RegionCoverage;
        var nextCoverage = block.RegionNextCoverage ?? PageSlots.Create();
        for (int i = 0; i < roots.Length; i++) work.Enqueue(roots[i], maxInstructions + 1 + i);
        bool spans = false;
        while (work.TryDequeue(out ulong pc, out int distance) && found.Count < maxInstructions)
        {
            while (found.Count < maxInstructions && !found.ContainsKey(pc))
            {
                ulong pcPage = pc & ~(TranslationBlock.PageSize - 1);
                bool first = pcPage == pageVa;
                if (!first && (next == null || pcPage != nextVa)) break;
                if (coverage != null && pc != block.Pc && !PageSlots.Contains(first ? coverage : nextCoverage, pc)) break;
                uint word = WordAt(first ? page : next!, pc);
                var encoding = cpu.Decoder.Decode(word);
                var cls = InstructionClassifier.Classify(encoding, word);
                var kind = RegionInstruction.KindOf(encoding, word);
                var added = new RegionInstruction(pc, word, encoding, cls, kind);
                found.Add(pc, added);
                spans |= !first;
                distance++;
                if (cls != InstructionClass.EndsBlock)
                {
                    pc += 4;
                    continue;
                }
                // A terminator: follow its immediate target (in the pages), the instruction after a conditional branch,
                // and the return site of BL (reached by the callee's RET, which the compiled region follows without
                // leaving when the callee is in the region).
                if (added.Target is { } target) work.Enqueue(target, distance);
                if (kind is BranchKind.Conditional or BranchKind.Call) work.Enqueue(pc + 4, distance);
                break;
            }
        }
        return new Region(block.Pc, block.El, [.. found.Values])
        {
            PagePa = pagePa,
            NextPagePa = spans ? nextPa : TranslationBlock.NoNextPage,
        };
    }

    // The physical page the region was read from.
    private ulong PagePa { get; init; }

    /// <summary>
    /// The physical page of the next virtual page when the region has instructions there, else
    /// <see cref="TranslationBlock.NoNextPage"/>.
    /// </summary>
    public ulong NextPagePa { get; private init; }

    /// <summary>True when the region has instructions in the virtual page after its entry's.</summary>
    public bool Spans => NextPagePa != TranslationBlock.NoNextPage;

    /// <summary>The virtual address of the next page (meaningful when <see cref="Spans"/>).</summary>
    public ulong NextPageVa => (EntryPc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;

    /// <summary>True when <paramref name="pc"/> is in the next page (not the entry's).</summary>
    public bool InNextPage(ulong pc) => ((pc ^ EntryPc) & ~(TranslationBlock.PageSize - 1)) != 0;

    /// <summary>
    /// True when every instruction word of the region is still the one in <paramref name="cpu"/>'s RAM (false also
    /// when the RAM is gone): asked before the compiled region is published, since the pages may have been written
    /// while it was compiled from a copy.
    /// </summary>
    public bool MatchesRam(Cpu cpu)
    {
        var page = new byte[TranslationBlock.PageSize];
        if (!cpu.Bus.TryCopyRam(PagePa, page)) return false;
        byte[]? next = null;
        if (Spans)
        {
            next = new byte[TranslationBlock.PageSize];
            if (!cpu.Bus.TryCopyRam(NextPagePa, next)) return false;
        }
        foreach (var x in Instructions)
            if (WordAt(InNextPage(x.Pc) ? next! : page, x.Pc) != x.Word) return false;
        return true;
    }

    // The instruction word at pc in a copy of its page.
    private static uint WordAt(byte[] page, ulong pc) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(page.AsSpan((int)(pc & (TranslationBlock.PageSize - 1)), 4));
}

/// <summary>How a region instruction transfers control.</summary>
internal enum BranchKind
{
    /// <summary>Not a branch (data processing, load/store, or a terminator that is not a branch).</summary>
    None,
    /// <summary>B.cond, CBZ/CBNZ, TBZ/TBNZ.</summary>
    Conditional,
    /// <summary>B.</summary>
    Unconditional,
    /// <summary>BL.</summary>
    Call,
    /// <summary>BR, BLR, RET (a register target).</summary>
    Indirect,
}

/// <summary>One instruction of a <see cref="Region"/>.</summary>
internal readonly record struct RegionInstruction(ulong Pc, uint Word, A64Encoding Encoding, InstructionClass Class, BranchKind Branch)
{
    private static readonly HashSet<System.Reflection.MethodInfo> ConditionalHandlers =
    [
        ((A64Handler)Branches.BCond).Method, ((A64Handler)Branches.Cbz).Method, ((A64Handler)Branches.Cbnz).Method,
        ((A64Handler)Branches.Tbz).Method, ((A64Handler)Branches.Tbnz).Method,
    ];

    private static readonly System.Reflection.MethodInfo BMethod = ((A64Handler)Branches.B).Method, BlMethod = ((A64Handler)Branches.Bl).Method;

    private static readonly HashSet<System.Reflection.MethodInfo> IndirectHandlers =
    [
        ((A64Handler)Branches.Br).Method, ((A64Handler)Branches.Blr).Method, ((A64Handler)Branches.Ret).Method,
    ];

    /// <summary>The branch kind of a decoded row (by its handler, as the decode tables give it).</summary>
    public static BranchKind KindOf(A64Encoding encoding, uint word)
    {
        var m = encoding.Handler.Method;
        if (ConditionalHandlers.Contains(m)) return BranchKind.Conditional;
        if (m == BMethod) return BranchKind.Unconditional;
        if (m == BlMethod) return BranchKind.Call;
        if (IndirectHandlers.Contains(m)) return BranchKind.Indirect;
        return BranchKind.None;
    }

    /// <summary>The target of an immediate branch (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ), or null.</summary>
    public ulong? Target => Branch switch
    {
        BranchKind.Call => Pc + (ulong)(A64Fields.SignedBits(Word, 25, 0) << 2),
        BranchKind.Conditional or BranchKind.Unconditional => BlockCompiler.BranchTarget(Pc, Word),
        _ => null,
    };

    /// <summary>True when execution can continue at the next address (not B, BL, BR/BLR/RET or another terminator).</summary>
    public bool FallsThrough => Class != InstructionClass.EndsBlock || Branch == BranchKind.Conditional;
}
