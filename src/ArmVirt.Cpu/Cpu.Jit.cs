using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private ExecutionEngine _engine;
    private TranslationCache? _translations;
    private A64.A64Decoder? _translatedWith;
    private ulong _jitEntryDeadline;
    private bool _jitSubscribed;

    /// <summary>
    /// The execution engine <see cref="Run"/> uses. Switching to <see cref="ExecutionEngine.Jit"/> starts with an
    /// empty translation cache. Both engines give identical registers, memory, output and cycle counts.
    /// </summary>
    public ExecutionEngine Engine
    {
        get => _engine;
        set
        {
            InvalidateRegimeCache();
            if (value == ExecutionEngine.Jit)
            {
                if (_translations == null)
                {
                    _translations = new TranslationCache();
                    if (_domain != null) _translations.SharePages(_domain.CodePages);
                    _storeCodeFilter = _domain?.CodePages ?? _translations.Pages;
                }
                _translations.Flush();
                SubscribeToCodeChanges();
            }
            _engine = value;
        }
    }

    /// <summary>
    /// Times a block is entered by the interpreter before it is compiled. 0 compiles every block the first time it
    /// is reached (useful for tests); the default keeps cold code out of the compiler, whose cost per block is far
    /// above the cost of interpreting it a few times: a baseline compile (about 7 us per guest instruction) pays back
    /// after a few hundred interpreted entries, and the Linux boot spends a quarter less CPU time at 300-3000 than at
    /// 50 (src/ArmVirt.Cpu/Jit/README.md).
    /// </summary>
    internal int JitThreshold { get; set; } = 1000;

    /// <summary>
    /// Times a compiled block is entered before its region (<see cref="JitTier.Optimized"/>: the code of its page
    /// reachable from it, compiled as one method) is compiled; a block that starts a basic block of its page's compiled
    /// region runs that region without a compile of its own. A block whose first compile already passes this count is
    /// compiled straight to that tier (so 0 with <see cref="JitThreshold"/> 0 compiles every block optimized at once).
    /// The default measured best on cpubench against 100, 300, 1000 and 100,000 (src/ArmVirt.Cpu/Jit/README.md).
    /// </summary>
    internal long JitOptimizeThreshold { get; set; } = 20_000;

    /// <summary>
    /// The region threshold used instead of <see cref="JitOptimizeThreshold"/>, when lower, while background compilation
    /// has nothing queued and its thread has had a core of its own (its recent compiles ran for at least 90% of their
    /// wall time; Linux only): idle compile capacity takes warm code sooner, and a busy host gets the full threshold.
    /// </summary>
    internal long JitIdleOptimizeThreshold { get; set; } = 5_000;

    /// <summary>
    /// Blocks shorter than this skip the baseline tier: they run predecoded until their region is due (or adopt their
    /// page's region). RyuJIT's cost per method (a few hundred microseconds) makes a short block's baseline compile pay
    /// back only after tens of thousands of entries, while it gains a few nanoseconds per instruction over the
    /// predecoded tier. 0 compiles every block.
    /// </summary>
    internal int JitBaselineMinimumLength { get; set; } = 32;

    /// <summary>
    /// Regions may continue into the next virtual page (<see cref="Jit.Region"/>): on by default; off, a region stops at
    /// its page's end (tests compare the two).
    /// </summary>
    internal bool JitRegionsSpanPages { get; set; } = true;

    /// <summary>
    /// Compile on the shared background thread while the interpreter keeps running (the default), or synchronously
    /// on the CPU thread. Results are identical either way; only which executions run compiled differs.
    /// </summary>
    internal bool JitBackgroundCompilation { get; set; } = true;

    /// <summary>The JIT's translation cache (null until <see cref="Engine"/> is first set to <see cref="ExecutionEngine.Jit"/>).</summary>
    internal TranslationCache? Translations => _translations;

    /// <summary>Called after each compiled block returns (tests compare engines here).</summary>
    internal Action<Cpu, TranslationBlock>? JitBlockExecuted { get; set; }

    /// <summary>
    /// Drops translated code for physical range <c>[pa, pa+size)</c>. The CPU already observes its own writes, bus
    /// writes and those of the other PEs of its <see cref="Domain"/>.
    /// </summary>
    public void InvalidateTranslatedCode(ulong pa, ulong size) => _translations?.Invalidate(pa, size);

    /// <summary>The Inner Shareable domain this CPU belongs to, or null when it is alone.</summary>
    internal InnerShareableDomain? Domain => _domain;

    private InnerShareableDomain? _domain;

    // The filter a store checks before it may skip code invalidation: the domain's (every PE's code) or this CPU's
    // cache's; null without translated code anywhere.
    private CodePageFilter? _storeCodeFilter;

    internal void JoinDomain(InnerShareableDomain domain)
    {
        _domain = domain;
        _translations?.SharePages(domain.CodePages);
        _storeCodeFilter = domain.CodePages;
    }

    internal void DropHostTlbWritesFromPeer(ulong pa) => DropHostTlbWrites(pa);

    // A store of this CPU that may hit translated code: this CPU's is dropped (OnCodeMayChange) and, in a domain, the
    // other PEs' too.
    private void OnStoreMayHitCode(ulong pa, int size)
    {
        OnCodeMayChange(pa, size);
        var d = _domain;
        if (d != null && (d.CodePages.MayHoldCode(pa) || d.CodePages.MayHoldCode(pa + (ulong)size - 1)))
            d.InvalidateCodeOfPeers(this, pa, size);
    }

    /// <summary>Drops all translated code (for instance after loading a new image into RAM behind the CPU's back).</summary>
    public void FlushTranslatedCode() => _translations?.Flush();

    private void SubscribeToCodeChanges()
    {
        if (_jitSubscribed) return;
        _jitSubscribed = true;
        Bus.RamWritten += OnBusRamWritten; // (Cpu.PeerWork.cs: OnCodeMayChange, queued when another thread wrote)
        InstructionCacheMaintenance += OnInstructionCacheInvalidate;
    }

    private void OnCodeMayChange(ulong pa, int size)
    {
        var t = _translations;
        if (t != null && t.Count != 0 && t.HoldsCode(pa, (ulong)size))
        {
            t.Invalidate(pa, (ulong)size);
            JitCheckAfterAccess = true;
        }
    }

    // IC IVAU / IC IALLU / IC IALLUIS, reported by the system-instruction family (or broadcast by another PE).
    private void OnInstructionCacheInvalidate(InstructionCacheOperation operation, ulong pa)
    {
        var t = _translations;
        if (t == null || t.Count == 0) return;
        // IC IVAU drops the page its VA translated to; IC IALLU and IALLUIS make every block be checked against RAM
        // before it runs again.
        if (operation == InstructionCacheOperation.ByVirtualAddress)
            t.Invalidate(pa & ~(TranslationBlock.PageSize - 1), TranslationBlock.PageSize);
        else t.InvalidateUnobservedWrites();
    }

    // The physical address of the instruction at pc for the current regime, or null when the fetch would fault (or
    // stop the CPU): the interpreter's Step then raises it. Blocks never cross a 4 KiB page, so this one fetch
    // translation is the one every instruction of the block would get.
    private ulong? TranslateBlockFetch(ulong pc)
    {
        if (!RegimeTranslates) return pc;
        if ((pc & 3) != 0) return null;
        ulong cycles = State.Cycles;
        try
        {
            if (TranslateFetch(pc, out ulong pa) == null) return pa;
        }
        catch (GuestException)
        {
        }
        catch (CpuStoppedException)
        {
        }
        State.Cycles = cycles; // (a timing model's walk cycles: the interpreter's fetch walks again, and charges them)
        return null;
    }

    /// <summary>
    /// The JIT's version of the interpreter's inner loop: the same loop conditions and interrupt checks before
    /// every instruction; at a block start a compiled block runs when its whole length fits before the clock
    /// deadline and the instruction limit, otherwise instructions are interpreted one by one.
    /// </summary>
    private void RunJitSlice(ulong limit)
    {
        var cache = _translations!;
        // A new decoder invalidates every block; so does a CPU reset (the instruction count starts again), because
        // image loaders write RAM with PhysicalBus.Load, which raises no write notification.
        if (!ReferenceEquals(_translatedWith, Decoder) || State.Instructions < _jitInstructionsSeen)
        {
            cache.Flush();
            _translatedWith = Decoder;
        }
        try
        {
            RunJitLoop(cache, limit);
        }
        finally
        {
            _jitInstructionsSeen = State.Instructions;
        }
    }

    private ulong _jitInstructionsSeen;

    private void RunJitLoop(TranslationCache cache, ulong limit)
    {
        int interpretRemaining = 0;
        ulong expectedPc = 0;
        // The block (compiled or predecoded) that just exited normally through a chainable exit: its successor comes
        // from its links, and the checks below are skipped.
        TranslationBlock? from = null;
        // A predecoded chain that stopped at a block it does not run (compiled, or null: the interpreter's) hands it
        // over already entered: the loop takes it up where it would have called NextBlock.
        bool handedOver = false;
        TranslationBlock? handover = null;
        while (MayRunNextInstruction(limit))
        {
            ulong pc = State.PC;
            if (from == null && !handedOver)
            {
                // After a chainable exit CheckInterrupts would give the answer it gave before that block: the check
                // is skipped only then. (The fetch translation below is done for every block.)
                if (AnyInterruptAsserted && CheckInterrupts())
                {
                    interpretRemaining = 0;
                    continue;
                }
                if (interpretRemaining > 0 && pc == expectedPc)
                {
                    StepInstruction();
                    interpretRemaining--;
                    expectedPc = pc + 4;
                    continue;
                }
                interpretRemaining = 0;
                // PSTATE.IL and an active software step make every instruction take an exception before it executes
                // (the interpreter's Step checks them): such code is never entered compiled. (Breakpoints: a page that
                // holds one gets no block, see BlockBuilder.) AArch32 state runs its own blocks (Cpu.Aarch32Blocks.cs; only
                // an exception entry or return, which ends every chain, changes the execution state), under a timing model
                // where no issue group is in progress (as below).
                if (TraceInstruction != null || State.IllegalState || (_instructionDebugChecks && SoftwareStepActive()) || State.Aarch32)
                {
                    if (State.Aarch32 && TraceInstruction == null && !State.IllegalState && !(_instructionDebugChecks && SoftwareStepActive())
                        && (_timing == null || !TimingGroupInProgressAt(pc)))
                        RunAarch32Blocks(cache, limit);
                    else StepInstruction();
                    continue;
                }
                // Under a timing model a block starts no issue group in the middle: the interpreter finishes it.
                if (_timing != null && TimingGroupInProgressAt(pc))
                {
                    StepInstruction();
                    continue;
                }
            }
            var block = handedOver ? handover : from != null ? NextBlock(cache, from, pc) : EnterBlock(cache, pc);
            from = null;
            handedOver = false;
            if (block == null)
            {
                StepInstruction();
                continue;
            }
            if (RunsCompiledWhole(block, limit))
            {
                from = ExecuteChain(cache, block, limit);
                continue;
            }
            switch (RunPredecodedChain(cache, ref block, limit, out handedOver))
            {
                case PredecodedExit.Normal:
                    if (handedOver) handover = block;
                    else if (block!.ChainableExit) from = block;
                    break;
                case PredecodedExit.Early:
                    // Left inside the block at a deadline, the limit or a stop: its rest is stepped when the loop goes
                    // on there (rather than built as a block of its own).
                    interpretRemaining = (int)((block!.EndPc - State.PC) >> 2);
                    expectedPc = State.PC;
                    break;
            }
        }
    }

    // The block starting at pc for the current EL and regime (built on a miss; null when the fetch would fault or
    // the block is empty, for the interpreter to raise), with its entry counted and tier-up requested.
    private TranslationBlock? EnterBlock(TranslationCache cache, ulong pc)
    {
        ulong pa;
        if (!RegimeTranslates)
        {
            pa = pc;
            _jitFetchPageTrusted = true;
        }
        else
        {
            if ((pc & 3) == 0 && TryFetchFromTlb(pc, out pa))
            {
                _jitFetchPageTrusted = true;
            }
            else if (TranslateBlockFetch(pc) is { } walked)
            {
                pa = walked;
                _jitFetchPageTrusted = false;
            }
            else return null;
        }
        var block = cache.Lookup(pc, State.EL, pa);
        if (block != null && block.Generation != cache.Generation && !cache.Recheck(block, Bus)) block = null;
        if (block == null)
        {
            bool pageHadCode = cache.HoldsCode(pa & ~(TranslationBlock.PageSize - 1), TranslationBlock.PageSize);
            block = cache.Add(BlockBuilder.Build(this, pc, pa));
            CodeAddedToPage(pageHadCode, pa);
            if (_timing != null) TimingPrepare(block);
            cache.TryAdoptRegion(block);
        }
        if (block.Length == 0) return null;
        CountEntry(cache, block);
        return block;
    }

    // True while the fetch translation of the running block's page was last confirmed by a TLB hit (or translation
    // is off) and nothing has since been able to change the TLB or the regime: set by a block entry, cleared by
    // every data access that left the soft-TLB fast path (TranslateData: the only path that walks and refills the
    // TLB inside a chainable block, whose instructions cannot change the regime or maintain the TLB). While it holds,
    // the fetch translation of another block in the same virtual page is that of the running block.
    private bool _jitFetchPageTrusted;

    // The successor of a block that exited normally through a chainable exit to pc, from the block's links when a
    // link passes the checks EnterBlock makes (same PC and EL, not invalidated, fetched from the physical address the
    // PC translates to now), else through EnterBlock (which is then remembered as the link). Counts the entry.
    private TranslationBlock? NextBlock(TranslationCache cache, TranslationBlock block, ulong pc)
    {
        bool fallThrough = pc == block.EndPc;
        var next = fallThrough ? block.LinkFallThrough : block.LinkTaken;
        if (LinkHolds(cache, next, pc))
        {
            if (_jitFetchPageTrusted && ((pc ^ block.Pc) >> 12) == 0)
            {
                // Same virtual page as the running block, translation unchanged since its entry was checked.
                if (((next.PhysicalAddress ^ block.PhysicalAddress) >> 12) == 0)
                {
                    CountEntry(cache, next);
                    return next;
                }
            }
            else if (CachedFetchTranslatesTo(pc, next.PhysicalAddress))
            {
                _jitFetchPageTrusted = true;
                CountEntry(cache, next);
                return next;
            }
        }
        next = EnterBlock(cache, pc);
        if (next != null && (block.EndsWithComputedBranch || pc == JitComputedExitPc)) next.ComputedBranchTarget = true;
        if (!block.Invalidated)
        {
            if (fallThrough) block.LinkFallThrough = next;
            else block.LinkTaken = next;
        }
        return next;
    }

    // With the regime cache still current, true when the fetch at pc translates to pa without a walk: a TLB hit with
    // execute permission, or the identity when the regime does not translate. The checks EnterBlock makes, for a block
    // already in hand.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool CachedFetchTranslatesTo(ulong pc, ulong pa) => CachedFetchTranslation(pc, out ulong hit) && hit == pa;

    // With the regime cache still current, the physical address of a fetch at pc without a walk: from a TLB hit with
    // execute permission, or the identity when the regime does not translate; false otherwise.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool CachedFetchTranslation(ulong pc, out ulong pa)
    {
        pa = pc;
        return _regimeCached && _regimeEl == State.EL && _regimePan == State.Pan && (!_regimeTranslates || TryFetchFromTlb(pc, out pa));
    }

    // The checks EnterBlock makes, except the fetch translation, for a direct link to the block at pc: same PC and EL,
    // not dropped, its words known current.
    private bool LinkHolds(TranslationCache cache, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] TranslationBlock? link, ulong pc) =>
        link != null && link.Pc == pc && (pc & 3) == 0 && link.El == State.EL && !link.Invalidated && link.Generation == cache.Generation;

    // The block is compiled and runs whole here: all of it starts before the clock deadline and fits the limit.
    private bool RunsCompiledWhole(TranslationBlock block, ulong limit) =>
        block.Code != null
        && State.Cycles + BlockCycles(block, 0, block.Length - 1, CyclesPerInstruction) < Clock.NextDeadline
        && State.Instructions + (ulong)block.Length <= limit;

    // Counts an entry of block and requests its compile or tier-up when due.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void CountEntry(TranslationCache cache, TranslationBlock block)
    {
        long count = ++block.ExecutionCount;
        var tier = block.Tier; // the hot case, an optimized block, reads nothing else
        if (tier != JitTier.Optimized && !block.CompilePending)
        {
            if (tier == JitTier.None && count > JitThreshold)
            {
                bool due = RegionDue(block, count);
                if (due || block.Length >= JitBaselineMinimumLength)
                    RequestCompile(cache, block, due ? JitTier.Optimized : JitTier.Baseline);
                else if ((count & 1023) == 0)
                    cache.TryAdoptRegion(block); // its page's region may have been compiled meanwhile
            }
            else if (tier == JitTier.Baseline && RegionDue(block, count))
                RequestCompile(cache, block, JitTier.Optimized);
        }
    }

    // Whether a block entered count times is due for its region: its entries weighted by its length, one per 16
    // instructions (at least one), so that a long straight-line block (an unrolled loop body: 64-instruction blocks
    // one after another) earns its region after a quarter of the entries, about 3 times a 5-instruction block's retired
    // instructions at its threshold rather than 13 times. Measured on shapes' SHA-256 (src/ArmVirt.Cpu/Jit/README.md,
    // session 14).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool RegionDue(TranslationBlock block, long count) => count * Math.Max(1, block.Length >> 4) > OptimizeThresholdNow;

    // JitOptimizeThreshold, or JitIdleOptimizeThreshold when lower while the background compiler has nothing waiting
    // and a core of its own: a compile thread with time to spare takes warm code sooner; one that is behind (many
    // regions due) or shares its core with other work (a busy host) is not given more. Measured
    // (src/ArmVirt.Cpu/Jit/README.md): on a quiet 2-core host the lower threshold shortened the boots by 6-8%; on a
    // busy one it lengthened them by 12-13% before the core-share condition.
    private long OptimizeThresholdNow
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => JitBackgroundCompilation && JitIdleOptimizeThreshold < JitOptimizeThreshold && BackgroundCompiler.Waiting == 0
            && BackgroundCompiler.HasSpareCore ? JitIdleOptimizeThreshold : JitOptimizeThreshold;
    }

    private void RequestCompile(TranslationCache cache, TranslationBlock block, JitTier tier)
    {
        // A block that starts a basic block of its page's compiled region runs that region.
        if (cache.TryAdoptRegion(block)) return;
        if (tier == JitTier.Optimized)
        {
            block.RegionRoots = cache.RegionRootsOf(block);
            bool profiled = block.ExecutionCount >= TranslationCache.MinProfiledEntries;
            block.RegionCoverage = profiled ? cache.RegionCoverageOf(block) : null;
            PrepareNextPage(cache, block, profiled);
        }
        if (JitBackgroundCompilation) BackgroundCompiler.Enqueue(this, cache, block, CyclesPerInstruction, tier);
        else cache.Compile(block, CyclesPerInstruction, tier, this);
    }

    // After a block was added to the cache, or a region's next page registered with it (pageHadCode: whether the page
    // of pa held translated code before): a page that held none drops its host-TLB write tags, this CPU's and its
    // peers', so that no store there skips the code invalidation.
    private void CodeAddedToPage(bool pageHadCode, ulong pa)
    {
        if (pageHadCode) return;
        DropHostTlbWrites(pa);
        _domain?.DropHostTlbWritesOfPeers(this, pa);
    }

    // The next virtual page of block's region (TranslationBlock.RegionNextPage): its physical page when it translates
    // for execution now from the TLB alone (a walk would fill the TLB where the interpreter's fetches walk: the counts
    // under a timing model would differ), is RAM and has no breakpoint; the cache then watches it for stores. The
    // compiled region checks the translation again (JitNextPageHolds) before it runs any of that page's instructions.
    private unsafe void PrepareNextPage(TranslationCache cache, TranslationBlock block, bool profiled)
    {
        block.RegionNextPage = TranslationBlock.NoNextPage;
        block.RegionNextCoverage = null;
        ulong va = (block.Pc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;
        if (!JitRegionsSpanPages || va == 0 || block.El != State.EL || !CachedFetchTranslation(va, out ulong pa)
            || (pa >> PhysicalAddressBits) != 0 || InstructionChecksOnPage(va) || Bus.RamPointer(pa, TranslationBlock.PageSize) == null)
            return;
        bool pageHadCode = cache.HoldsCode(pa, TranslationBlock.PageSize);
        cache.WatchNextPage(block, pa);
        CodeAddedToPage(pageHadCode, pa);
        block.RegionNextCoverage = profiled ? cache.RegionCoverageOf(pa, va, block.El) : null;
        block.RegionNextPage = pa;
    }

    /// <summary>
    /// Called by a compiled region that continues into the next virtual page (<see cref="Jit.Region.Spans"/>) before it
    /// first runs an instruction there after its entry: true when <paramref name="va"/>'s page still translates for
    /// execution, in the current regime, to the physical page <paramref name="pa"/> it was formed from (the checks a
    /// block entry makes, from the TLB; a miss says no, and the region leaves there for the execution loop to walk).
    /// </summary>
    internal bool JitNextPageHolds(ulong va, ulong pa) => CachedFetchTranslatesTo(va, pa);

    /// <summary>
    /// Runs compiled <paramref name="block"/> and, while each exits normally through a chainable exit, the compiled
    /// blocks that follow it, under one exception handler. The loop conditions and the whole-block deadline and limit
    /// test are those of <see cref="RunJitLoop"/>; the interrupt check is skipped between chained blocks as there.
    /// Returns the last block run when it ended through a chainable exit (the caller takes its successor from its links),
    /// else null.
    /// </summary>
    private TranslationBlock? ExecuteChain(TranslationCache cache, TranslationBlock block, ulong limit, ulong returnTo = ulong.MaxValue)
    {
        ulong cpi = CyclesPerInstruction;
        _jitLimit = limit;
        _jitCache = cache;
        // Only an early exit sets JitLeftEarly, and it ends the chain: cleared once here. An entry stores no object
        // reference (no GC write barrier): the compiled code hands its block to JitMustLeaveBlock/JitLoopAgain itself,
        // and the handlers below find the faulting instruction from _jitEntryPc. (They do not read the local `block`:
        // a local live into a handler is kept in memory, which measured slower than the barrier.)
        JitLeftEarly = false;
        // A call-out's chain runs inside a region of the same chain: the host TLB that region checked is current.
        if (returnTo == ulong.MaxValue) _jitHostTlbCurrent = false;
        try
        {
            while (true)
            {
                _jitEntryDeadline = Clock.NextDeadline;
                JitCheckAfterAccess = false;
                _jitEntryPc = block.Pc;
                _jitEntryCycles = State.Cycles;
                _jitEntryInstructions = State.Instructions;
                if (JitBlockExecuted != null) _jitHookBlock = block;
                if (_timing != null)
                {
                    _timingBlock = block;
                    _timingLeave = false;
                    _timingBranchCharged = false;
                }
                // Code and entry index from one published object: read apart, a block moving from its baseline code
                // to a region (published on the compile thread between the two reads) could run the region at
                // another block's entry.
                var compiled = block.Compiled!;
                JitRegionEntry = compiled.Entry;
                _jitStatTier = (int)block.Tier;
                Statistics.CompiledEntries++;
                _jitStatStart = State.Instructions;
                compiled.Code(this);
                if (_abortPending)
                {
                    // A load or store's data abort: the code left after it (JitMustLeaveBlock), or it was the block's
                    // last; it is taken at its instruction, as the catch below takes a thrown one (Cpu.DataAborts.cs).
                    ulong cycles = RewindToFaultingInstruction(_abortPc);
                    TakePendingAbort(_abortPc);
                    CountFaultingInstruction(cycles);
                    return null;
                }
                if (_timing != null && !compiled.IsRegion) // (a region charges its own: Cpu.Timing.cs)
                {
                    // Left after a load or store: the interpreter goes on in its issue group; ran to its end: the
                    // predictor's charge for its last branch (unless JitLoopAgain made it for that pass).
                    if (JitLeftEarly) TimingLeftBlock(block);
                    else if (!_timingBranchCharged) State.Cycles += TimingBlockRetired(block);
                }
                Statistics.RetiredByTier[_jitStatTier] += State.Instructions - _jitStatStart;
                JitBlockExecuted?.Invoke(this, block);
                if (JitLeftEarly || !block.ChainableExit) return null;
                if (State.PC == returnTo)
                {
                    _jitReturned = true;
                    return block;
                }
                if (!MayRunNextInstruction(limit))
                    return block;
                var next = NextBlock(cache, block, State.PC);
                if (next == null) return block;
                if (!RunsCompiledWhole(next, limit))
                {
                    // Counted as entered above: the outer loop enters it again (predecoded), so take the count back.
                    next.ExecutionCount--;
                    return block;
                }
                block = next;
            }
        }
        catch (GuestException e)
        {
            _abortPending = false;
            ulong pc = State.PC;
            ulong cycles = RewindToFaultingInstruction(pc);
            TakeException(ExceptionKind.Synchronous, e.TargetEl, pc, e.Class, e.Iss, e.InstructionLength32, e.FaultAddress, e.IntermediatePhysicalAddress);
            CountFaultingInstruction(cycles);
            return null;
        }
        catch (CpuStoppedException)
        {
            // Like Step: the stopping instruction is not retired and the PC stays on it.
            _abortPending = false;
            ulong retired = (State.PC - _jitEntryPc) >> 2;
            NextPc = State.PC + 4;
            var timed = _timing != null ? _timingBlock : null;
            State.Cycles = _jitEntryCycles + (timed != null ? BlockCycles(timed, 0, (int)retired, cpi) : retired * cpi);
            State.Instructions = _jitEntryInstructions + retired;
            if (timed != null) TimingLeftBlock(timed); // it runs again in its issue group
            Statistics.RetiredByTier[_jitStatTier] += State.Instructions - _jitStatStart;
            JitBlockExecuted?.Invoke(this, _jitHookBlock!);
            return null;
        }
    }

    // The block stored State.PC = pc, the address of instruction k, before running it (and may have added part of the
    // counters): the counters are brought back to the instruction's start; returns its cycles (like Step, it is counted).
    private ulong RewindToFaultingInstruction(ulong pc)
    {
        ulong cpi = CyclesPerInstruction;
        ulong before = (pc - _jitEntryPc) >> 2;
        var timed = _timing != null ? _timingBlock : null; // (a model's cost table; the local block is not read here)
        State.Cycles = _jitEntryCycles + (timed != null ? BlockCycles(timed, 0, (int)before, cpi) : before * cpi);
        State.Instructions = _jitEntryInstructions + before;
        return timed != null ? timed.TimingCosts![before] : _timing != null ? _timingInProgress : cpi; // (a region's site: Cpu.Timing.cs)
    }

    // After the faulting instruction's exception entry: the instruction counted, the chain's statistics and hook.
    private void CountFaultingInstruction(ulong cycles)
    {
        State.Cycles += cycles;
        State.Instructions++;
        Statistics.RetiredByTier[_jitStatTier] += State.Instructions - _jitStatStart;
        JitBlockExecuted?.Invoke(this, _jitHookBlock!);
    }

    // Set once ExecuteChain's running chain has made the host TLB current (JitRegionEnter).
    private bool _jitHostTlbCurrent;

    // The running chain's instruction limit, the running block's start and the counters at its entry (or at the
    // start of a self-loop pass): a GuestException is made precise from them.
    private ulong _jitLimit, _jitEntryPc, _jitEntryCycles, _jitEntryInstructions;

    // The tier of the running compiled block and the instruction count at its entry (statistics).
    private int _jitStatTier;
    private ulong _jitStatStart;

    /// <summary>Most call-outs (<see cref="JitCallOut"/>) nested on the host stack at once.</summary>
    private const int MaxCallOutDepth = 16;
    private int _jitCallOutDepth;
    // The running chain's cache (for call-outs), and whether a call-out's chain came back to its return site.
    private TranslationCache? _jitCache;
    private bool _jitReturned;

    /// <summary>
    /// Called by a compiled region at a BL or BLR whose target is outside it (<see cref="Jit.RegionCompiler"/>'s call-out
    /// stub), with the region's state stored as at an exit to <paramref name="target"/>: runs the compiled code there,
    /// chained as <see cref="ExecuteChain"/> chains it, until it returns to the call's return site, so that a call to
    /// another page stays in compiled code as TCG's lookup_and_goto_ptr keeps it. True when execution is back at the
    /// return site (the region reloads its registers, takes a new budget and goes on there); false when the region
    /// must return with the state as it is: the callee is not compiled or does not fit before the deadline or limit,
    /// the call-outs are nested too deep, or the callee's chain ended otherwise (an exception or an exit that ends
    /// chains: <see cref="JitLeftEarly"/> is then set so that the caller's chain ends too).
    /// </summary>
    internal bool JitCallOut(RegionFallbacks sites, int site, ulong target)
    {
        var cache = _jitCache!;
        if (_jitCallOutDepth >= MaxCallOutDepth || !MayRunNextInstruction(_jitLimit)) return false;
        // The site's link to this target, checked as NextBlock checks a block's (the callee is in another page: its
        // fetch translation is looked up), else the block EnterBlock finds (which replaces the site's links in turn).
        var links = sites.CallOutLinks;
        int first = site * RegionFallbacks.CallOutWays;
        TranslationBlock? callee = null;
        for (int way = first; way < first + RegionFallbacks.CallOutWays; way++)
        {
            var link = links[way];
            if (link == null) break;
            if (link.Pc != target) continue;
            if (LinkHolds(cache, link, target) && CachedFetchTranslatesTo(target, link.PhysicalAddress)) callee = link;
            break;
        }
        if (callee != null)
            CountEntry(cache, callee);
        else
        {
            if ((callee = EnterBlock(cache, target)) == null) return false;
            int replace = FindCallOutWay(links, first, target, sites.CallOutNextWay, site);
            links[replace] = callee;
        }
        if (!RunsCompiledWhole(callee, _jitLimit))
        {
            callee.ExecutionCount--; // entered again, and counted, by the chain the region returns to
            return false;
        }
        // The chain's per-block fields, which the callee's blocks overwrite, are the calling region's again after it.
        var (tier, statStart, hookBlock, entryPc, entryCycles, entryInstructions, entryDeadline) =
            (_jitStatTier, _jitStatStart, _jitHookBlock, _jitEntryPc, _jitEntryCycles, _jitEntryInstructions, _jitEntryDeadline);
        ulong before = State.Instructions;
        _jitCallOutDepth++;
        TranslationBlock? last;
        try
        {
            last = ExecuteChain(cache, callee, _jitLimit, sites.CallOutReturns[site]);
        }
        finally
        {
            _jitCallOutDepth--;
        }
        (_jitStatTier, _jitHookBlock, _jitEntryPc, _jitEntryCycles, _jitEntryInstructions, _jitEntryDeadline) =
            (tier, hookBlock, entryPc, entryCycles, entryInstructions, entryDeadline);
        _jitStatStart = statStart + (State.Instructions - before); // the callee's chain counted its own
        // The fetch translation the chain trusts is the calling region's page's again: checked anew.
        _jitFetchPageTrusted = false;
        bool returned = _jitReturned;
        _jitReturned = false;
        // A callee that ended the chain (an exception, an early exit) ends the caller's too; so does one that wrote the
        // caller region's code, which invalidated its block: a region leaves after such a store (JitMustLeaveBlock).
        if (last == null || sites.Block.Invalidated)
        {
            JitLeftEarly = true;
            return false;
        }
        if (returned) Statistics.CallOutsReturned++;
        return returned;
    }

    // The way of a call-out site's links a new callee at target takes: the way that held target (a stale link), else
    // an empty one, else the next in turn.
    private static int FindCallOutWay(TranslationBlock?[] links, int first, ulong target, byte[] nextWay, int site)
    {
        for (int way = first; way < first + RegionFallbacks.CallOutWays; way++)
            if (links[way] == null || links[way]!.Pc == target) return way;
        int turn = nextWay[site];
        nextWay[site] = (byte)((turn + 1) % RegionFallbacks.CallOutWays);
        return first + turn;
    }

    // The running block, kept only while JitBlockExecuted is set (the hook is told which block raised an exception).
    private TranslationBlock? _jitHookBlock;

    /// <summary>
    /// Asked by a compiled block whose last instruction branched back to the block's own start: true when the
    /// execution loop would enter the same compiled block again at once (the pass just finished counts as one block
    /// execution, the next pass as one entry), so that the block jumps back to its first instruction without leaving.
    /// Checks what <see cref="ExecuteChain"/> checks before chaining: the loop conditions, the whole-block deadline
    /// and limit test, the fetch translation of the start (through the TLB), invalidation and a pending tier-up.
    /// </summary>
    internal bool JitLoopAgain(TranslationBlock block)
    {
        ulong n = (ulong)block.Length;
        if (_timing != null)
        {
            // The pass's last branch, before the checks (ExecuteChain does not charge it again).
            State.Cycles += TimingBlockRetired(block);
            _timingBranchCharged = true;
        }
        if (block.Invalidated || StopReason != StopReason.None || IsWaiting
            || State.Cycles + BlockCycles(block, 0, (int)n - 1, CyclesPerInstruction) >= Clock.NextDeadline || State.Instructions + n > _jitLimit)
            return false;
        // While _jitFetchPageTrusted holds, the translation of the block's own page is the one confirmed at its
        // entry, and a pass of a chainable block cannot change EL, PAN or the regime: as NextBlock's same-page link.
        if (!_jitFetchPageTrusted)
        {
            if (!CachedFetchTranslatesTo(block.Pc, block.PhysicalAddress)) return false;
            _jitFetchPageTrusted = true;
        }
        long count = block.ExecutionCount + 1;
        if (block.Tier == JitTier.Baseline && RegionDue(block, count) && !block.CompilePending) return false;
        block.ExecutionCount = count;
        _timingBranchCharged = false;
        JitBlockExecuted?.Invoke(this, block); // the pass just finished (ExecuteChain reports the last one)
        _jitEntryCycles = State.Cycles;
        _jitEntryInstructions = State.Instructions;
        _jitEntryDeadline = Clock.NextDeadline;
        JitCheckAfterAccess = false;
        return true;
    }

    /// <summary>
    /// Called at the entry of a compiled region (<see cref="Jit.RegionCompiler"/>): makes the host TLB current, records
    /// the counters at entry (<see cref="JitRegionInstructions0"/>, <see cref="JitRegionCycles0"/>) and returns the
    /// region's instruction budget (also kept in <see cref="JitRegionBudget0"/>): how many instructions, one cycle
    /// count step apart, start before the deadline taken at entry and fit the chain's instruction limit.
    /// </summary>
    internal ulong JitRegionEnter()
    {
        // Once per chain: the blocks after the first were entered through chainable exits, which change no EL, PAN,
        // regime or TLB (TLBI, MSR and exceptions end the chain), so the host TLB checked at the first stays current.
        // This holds while only the CPU's own instructions change its TLB: another PE's broadcast TLBI (SMP) must reach
        // it where a chain ends (as a stop request or an interrupt does), not from the other PE's thread mid-chain.
        if (!_jitHostTlbCurrent)
        {
            ValidateHostTlb();
            _jitHostTlbCurrent = true;
        }
        ulong cycles = State.Cycles, instructions = State.Instructions;
        ulong deadline = _jitEntryDeadline, cpi = CyclesPerInstruction;
        ulong byClock = _timing != null ? TimingRegionEnter(cycles, deadline) // (a cycle budget beside: Cpu.Timing.cs)
            : deadline <= cycles ? 0 : cpi == 1 ? deadline - cycles : (deadline - cycles + cpi - 1) / cpi;
        ulong byLimit = _jitLimit <= instructions ? 0 : _jitLimit - instructions;
        JitRegionInstructions0 = instructions;
        JitRegionCycles0 = cycles;
        return JitRegionBudget0 = Math.Min(byClock, byLimit);
    }

    /// <summary>
    /// The running region's budget and counters at its entry (set by <see cref="JitRegionEnter"/>): fields rather than
    /// locals of the compiled method, which reads them only where it leaves or calls a handler, so that they take no
    /// host register across its loops.
    /// </summary>
    internal ulong JitRegionBudget0, JitRegionInstructions0, JitRegionCycles0;

    /// <summary>
    /// Set by a compiled region's load or store whose host TLB lookup missed, before its fallback site runs the
    /// handler: the page's VA with bit 0 set, and bit 1 for a store. <see cref="JitRunHandler"/> then fills the
    /// host TLB slot from the MMU TLB (which the handler's access has just filled), so that the next access hits.
    /// A miss thus makes no call from the middle of the region's code: no register stays live across one.
    /// </summary>
    internal ulong JitFillVa;

    /// <summary>
    /// Runs the handler of a compiled region's fallback site (its registers and flags already stored by the region):
    /// PC and counters as <c>Step</c> would see them (<paramref name="reserved"/>: instructions taken from the budget
    /// so far) and the <c>_jitEntry*</c> fields at this instruction, so that a fault is made precise as for a block;
    /// then the host TLB fill a missed lookup asked for (<see cref="JitFillVa"/>). True when the region must leave
    /// after this instruction: a load or store that left the RAM fast path and changed what
    /// <see cref="JitMustLeaveBlock"/> reads; <see cref="JitExitPc"/> and <see cref="JitExitNotRun"/> then say where
    /// to and how many of the reserved instructions did not run.
    /// </summary>
    internal bool JitRunHandler(RegionFallbacks fallbacks, int site, ulong reserved)
    {
        var s = fallbacks[site];
        if (s.Sync)
        {
            ulong executed = reserved - s.NotRun;
            State.PC = s.Pc;
            State.Instructions = JitRegionInstructions0 + executed;
            State.Cycles = fallbacks.Timing == null ? JitRegionCycles0 + executed * fallbacks.CyclesPerInstruction
                : TimingSiteEntered(fallbacks.Timing[site], State.Instructions); // (Cpu.Timing.cs)
            _jitEntryPc = s.Pc;
            _jitEntryInstructions = State.Instructions;
            _jitEntryCycles = State.Cycles;
        }
        if (s.EndsBlock) NextPc = s.Pc + 4;
        ulong fill = JitFillVa;
        JitFillVa = 0;
        s.Handler(this, s.Word);
        if (_abortPending)
        {
            // A data abort (Cpu.DataAborts.cs): the region leaves at this instruction, not run, and ExecuteChain takes it.
            JitExitPc = s.Pc;
            JitExitNotRun = s.NotRun;
            return true;
        }
        if (fill != 0) JitHostTlbFill(fill & ~0xFFFUL, write: (fill & 2) != 0);
        if (!s.Memory || !JitCheckAfterAccess || !JitMustLeaveBlock(fallbacks.Block)) return false;
        JitExitPc = s.Pc + 4;
        JitExitNotRun = s.NotRun - 1;
        return true;
    }

    /// <summary>
    /// The target of the last BR or BLR (or RET) through which a compiled region left (its indirect-branch stub): the
    /// block there is marked a <see cref="TranslationBlock.ComputedBranchTarget"/> when it is entered from the region.
    /// </summary>
    internal ulong JitComputedExitPc;

    /// <summary>Where a region leaves after <see cref="JitRunHandler"/> returned true, and the reserved instructions not run.</summary>
    internal ulong JitExitPc, JitExitNotRun;

    /// <summary>The entry index of the compiled region about to run (see <see cref="Jit.CompiledRegion"/>).</summary>
    internal int JitRegionEntry;

    /// <summary>Set by compiled code when it leaves a block early after a load or store.</summary>
    internal bool JitLeftEarly;

    /// <summary>
    /// Set when a load or store could have changed what <see cref="JitMustLeaveBlock"/> reads: by every access that
    /// leaves the soft-TLB RAM fast path (MMIO, translation off, TLB misses, faults) and by a write that drops
    /// translated code. Compiled code asks <see cref="JitMustLeaveBlock"/> only when it is set: an access to RAM
    /// through the TLB changes no interrupt line, clock deadline or stop request.
    /// </summary>
    internal bool JitCheckAfterAccess;

    /// <summary>
    /// Asked by compiled code after a load or store: true when the interpreter would not simply go on with the
    /// next instruction of the block (an interrupt line or virtual interrupt is asserted, the next clock deadline
    /// moved earlier, a stop was requested or the block's page was written).
    /// </summary>
    internal bool JitMustLeaveBlock(TranslationBlock block)
    {
        JitCheckAfterAccess = false;
        if (_abortPending) return true; // a data abort: ExecuteChain takes it (Cpu.DataAborts.cs)
        if (_timingLeave)
        {
            // A timing model charged cycles inside the access (a walk): the interpreter takes the deadline from here.
            _timingLeave = false;
            return true;
        }
        return AnyInterruptAsserted || StopReason != StopReason.None || Clock.NextDeadline < _jitEntryDeadline
            || block.Invalidated;
    }
}
