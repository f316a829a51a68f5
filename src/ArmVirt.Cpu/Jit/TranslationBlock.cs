using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// A straight-line run of guest instructions starting at <see cref="Pc"/>: up to and including the first
/// instruction that ends a block (<see cref="InstructionClass.EndsBlock"/>), never crossing a 4 KiB page and
/// at most <see cref="TranslationBlock.MaxInstructions"/> long. It counts how often it was entered while
/// cold and holds its compiled code once hot.
/// </summary>
internal sealed partial class TranslationBlock
{
    /// <summary>The length cap.</summary>
    public const int MaxInstructions = 64;

    /// <summary>Page size blocks never cross.</summary>
    public const ulong PageSize = 4096;

    internal TranslationBlock(ulong pc, ulong physicalAddress, int el, uint[] words, A64Encoding[] encodings, InstructionClass[] classes)
    {
        Pc = pc;
        PhysicalAddress = physicalAddress;
        El = el;
        Words = words;
        Encodings = encodings;
        WordArray = words;
        ClassArray = classes;
        EncodingArray = encodings;
        Predecoded = new PredecodedInstruction[words.Length];
        for (int i = 0; i < words.Length; i++) Predecoded[i] = new PredecodedInstruction(PredecodedEntry(encodings[i], words[i]), words[i], classes[i]);
        Classes = classes;
        Length = words.Length;
        EndsWithTerminator = Length > 0 && classes[Length - 1] == InstructionClass.EndsBlock;
        ChainableExit = Length > 0 && InstructionClassifier.LeavesInterruptStateUnchanged(encodings[Length - 1]);
        EndsWithComputedBranch = Length > 0 && RegionInstruction.KindOf(encodings[Length - 1], words[Length - 1]) == BranchKind.Indirect
            && encodings[Length - 1].Handler.Method != RetMethod;
        EndPc = pc + 4 * (ulong)Length;
        CacheKey = (pc >> 2) | ((ulong)el << 62);
    }

    // What the predecoded tier calls for a word: the shaped entry point of its row where one exists (the same semantics
    // with the word's shape fixed at build time), else the row handler's function pointer (0: called through its delegate).
    private static nint PredecodedEntry(A64Encoding encoding, uint word)
    {
        nint shaped = LoadStoreRegister.ShapedEntry(encoding.Handler, word);
        return shaped != 0 ? shaped : encoding.FunctionPointer;
    }

    private static readonly System.Reflection.MethodInfo RetMethod = ((A64Handler)Branches.Ret).Method;

    /// <summary>True when the last instruction is BR or BLR: its successors are jump-table cases or called functions.</summary>
    internal bool EndsWithComputedBranch { get; }

    /// <summary>
    /// Set when the block was entered from a block ending in BR or BLR (<see cref="EndsWithComputedBranch"/>) or from a
    /// region leaving through its indirect-branch stub (BR, BLR, or a RET to no return site of the region): such a block
    /// is a root of its page's region (<see cref="RegionRoots"/>), since no immediate branch may lead the region's
    /// formation to it.
    /// </summary>
    internal bool ComputedBranchTarget;

    /// <summary>Virtual address of the first instruction (the PC values the block's handlers see).</summary>
    public ulong Pc { get; }

    /// <summary>
    /// Physical address the block was fetched from. The block is used only while the PC still translates to it, so
    /// a changed mapping (new ASID, TLB maintenance, MMU switched on or off) never runs stale code.
    /// </summary>
    public ulong PhysicalAddress { get; }

    /// <summary>The exception level the block was formed at (part of its cache key).</summary>
    public int El { get; }

    /// <summary>The instruction words, as fetched when the block was formed.</summary>
    public IReadOnlyList<uint> Words { get; }

    /// <summary>The decoded rows of <see cref="Words"/>.</summary>
    public IReadOnlyList<A64Encoding> Encodings { get; }

    /// <summary>The class of each instruction.</summary>
    public IReadOnlyList<InstructionClass> Classes { get; }

    /// <summary>Number of instructions (0 when the first instruction cannot be fetched).</summary>
    public int Length { get; }

    /// <summary>
    /// True when a normal exit of this block (not an early exit after a load or store, not an exception) leaves the
    /// interrupt state and translation regime as they were: see <see cref="InstructionClassifier.LeavesInterruptStateUnchanged"/>.
    /// </summary>
    public bool ChainableExit { get; }

    /// <summary>True when the last instruction is one that ends blocks (rather than the page end or the cap).</summary>
    public bool EndsWithTerminator { get; }

    private volatile CompiledCode? _compiled;
    private volatile int _tier;
    private volatile bool _compilePending;

    /// <summary>Times execution reached the block's start (interpreted or compiled); drives tiering.</summary>
    public long ExecutionCount { get; internal set; }

    /// <summary>The translated code, once compiled (published by the compiling thread, read by the CPU thread).</summary>
    public Action<Cpu>? Code => _compiled?.Code;

    /// <summary>
    /// The compiled code and its entry index, published as one object by the compiling thread: a block whose baseline
    /// code is replaced by a region while the CPU thread enters it must never run the region at the index it read before
    /// (0: another basic block), nor one code with another's index.
    /// </summary>
    internal CompiledCode? Compiled => _compiled;

    /// <summary>Publishes compiled code entered at region entry <paramref name="entry"/> (0 for a block's own code).</summary>
    internal void Publish(Action<Cpu> code, int entry, bool region = false) => _compiled = new CompiledCode(code, entry, region);

    /// <summary>The entry index <see cref="Code"/> starts at when it is a compiled region's; 0 otherwise.</summary>
    internal int RegionEntry => _compiled?.Entry ?? 0;

    // The arrays behind Words, Classes and Encodings.
    internal readonly uint[] WordArray;
    internal readonly InstructionClass[] ClassArray;
    internal readonly A64Encoding[] EncodingArray;

    // The predecoded form the interpreter tier runs (Cpu.RunPredecoded): each instruction's handler, word and class in
    // one array, so that a run touches one array rather than three (cold blocks: each is a cache miss).
    internal readonly PredecodedInstruction[] Predecoded;

    /// <summary>
    /// Under a timing model other than flat (Cpu.Timing.cs): each instruction's cycles, their prefix sums (length + 1
    /// entries: the cycles of instructions [0, k) are TimingPrefix[k]) and the class of the last instruction when the
    /// branch predictor predicts it (else <see cref="Timing.TimingClass.Other"/>). Null under the flat model.
    /// </summary>
    internal ulong[]? TimingCosts, TimingPrefix;

    /// <inheritdoc cref="TimingCosts"/>
    internal Timing.TimingClass TimingLastBranch;

    /// <summary>The compiled region whose code the block runs (its own or one it adopted), or null.</summary>
    internal CompiledRegion? Region;

    /// <summary>
    /// The starts of the blocks of this block's page that BR or BLR had reached when its region compile was requested (set
    /// on the CPU's thread, read by the compiler's): <see cref="Jit.Region.Form"/> takes them as roots besides the block,
    /// so that code reached only through BR/BLR (jump tables, function pointers) is in the region too.
    /// </summary>
    internal ulong[]? RegionRoots;

    /// <summary>
    /// The instructions of this block's page that had run when its region compile was requested, one bit per
    /// instruction slot (set on the CPU's thread, read by the compiler's): <see cref="Jit.Region.Form"/> takes no other
    /// instruction, so paths not taken yet (error handling, rare cases) cost no compile time and leave the region when
    /// they are. Null (no limit) for a block entered fewer than <see cref="TranslationCache.MinProfiledEntries"/> times.
    /// </summary>
    internal ulong[]? RegionCoverage;

    /// <summary>
    /// The physical address of the virtual page after this block's, when its region compile was requested with that page
    /// mapped for execution in the TLB and held in RAM (set on the CPU's thread, read by the compiler's), else
    /// <see cref="NoNextPage"/>: <see cref="Jit.Region.Form"/> then continues into it (a loop straddling the page
    /// boundary stays in compiled code), and <see cref="TranslationCache"/> watches that page for the region.
    /// </summary>
    internal ulong RegionNextPage = NoNextPage;

    /// <summary>The instructions of the next page that had run (as <see cref="RegionCoverage"/>), or null.</summary>
    internal ulong[]? RegionNextCoverage;

    /// <summary>No next page for the region (<see cref="RegionNextPage"/>).</summary>
    internal const ulong NoNextPage = ulong.MaxValue;

    /// <summary>True when the block's instructions overlap the physical bytes <c>[pa, end)</c>.</summary>
    internal bool Overlaps(ulong pa, ulong end) => pa < PhysicalAddress + (EndPc - Pc) && PhysicalAddress < end;

    /// <summary>The tier of <see cref="Code"/>.</summary>
    public JitTier Tier
    {
        get => (JitTier)_tier;
        internal set => _tier = (int)value;
    }

    /// <summary>True while a compile of this block is queued or running on the background compiler.</summary>
    public bool CompilePending
    {
        get => _compilePending;
        internal set => _compilePending = value;
    }

    /// <summary>
    /// Direct block links: the block last chained to after a normal exit to the fall-through address
    /// (<see cref="LinkFallThrough"/>) or elsewhere (<see cref="LinkTaken"/>: the branch target, or the last target of
    /// BR/RET). A hint only: <c>ExecuteChain</c> uses a link only after the same PC, EL, invalidation and fetch
    /// translation checks a cache lookup is followed by.
    /// </summary>
    internal TranslationBlock? LinkFallThrough, LinkTaken;

    /// <summary>The next block at the same PC and EL fetched from another physical address (the cache's chain).</summary>
    internal TranslationBlock? Alias;

    /// <summary>The address after the last instruction.</summary>
    internal readonly ulong EndPc;

    /// <summary>
    /// The cache's <see cref="TranslationCache.Generation"/> in which the block's words (and its region's) were last known
    /// to be RAM's: a block of an older generation is checked against RAM before it runs again.
    /// </summary>
    internal int Generation;

    /// <summary>Set when the block's page was written or code caches were invalidated; it is never run again.</summary>
    public bool Invalidated { get; internal set; }

    /// <summary>The physical 4 KiB page number the block was fetched from (writes to it drop the block).</summary>
    public ulong Page => PhysicalAddress / PageSize;
}
