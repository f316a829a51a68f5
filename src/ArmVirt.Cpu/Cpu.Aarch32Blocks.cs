using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu;

/// <summary>
/// The JIT engine in AArch32 state (src/ArmVirt.Cpu/Jit/README.md, "AArch32 blocks"): A32 and T32 blocks
/// (<see cref="Aarch32BlockBuilder"/>) run from their predecoded form, and once warm as baseline IL
/// (<see cref="Aarch32BlockCompiler"/>), under the rules A64 blocks keep. The A64 paths never see these blocks: the JIT
/// loop hands AArch32 state here where it used to step it, and an AArch32 chain ends at every change of state.
/// </summary>
public sealed partial class Cpu
{
    /// <summary>
    /// Runs the AArch32 block at the PC and, while each ends normally through a chainable exit, the blocks that follow
    /// (the loop conditions checked between two, as <see cref="RunPredecodedChain"/> does); steps one instruction when
    /// there is no block (a fetch that faults, a page with an armed breakpoint). Called by <see cref="RunJitLoop"/> in
    /// AArch32 state after its interrupt check, with no trace hook, illegal state or software step, and under a timing model
    /// where no issue group is in progress (Cpu.Timing.cs: the blocks' cost tables, as for A64 blocks).
    /// </summary>
    private void RunAarch32Blocks(TranslationCache cache, ulong limit)
    {
        _jitHostTlbCurrent = false; // (checked at the chain's first optimized block, as JitRegionEnter does)
        var block = EnterAarch32Block(cache, State.PC);
        if (block == null)
        {
            StepInstruction();
            return;
        }
        while (true)
        {
            if (_timing != null)
            {
                _timingBlock = block;
                _timingLeave = false;
                _timingBranchCharged = false;
            }
            var exit = block.Code != null && State.Cycles + BlockCycles(block, 0, block.Length - 1, CyclesPerInstruction) < Clock.NextDeadline
                && State.Instructions + (ulong)block.Length <= limit
                ? RunCompiledAarch32(block, limit)
                : RunPredecodedAarch32(block, limit);
            if (_timing != null)
            {
                // Left in the middle: the interpreter goes on in the issue group there; ended inside a group (cut by the
                // page or the cap): the interpreter finishes the group before the next block (Cpu.Timing.cs).
                _timingBlock = null;
                if (exit == PredecodedExit.Early) TimingLeftBlock(block);
                else if (exit == PredecodedExit.Normal && TimingBlockEndsInGroup(block)) return;
            }
            if (exit != PredecodedExit.Normal || !block.ChainableExit || !MayRunNextInstruction(limit)) return;
            block = NextAarch32Block(cache, block, State.PC);
            if (block == null) return;
        }
    }

    // The AArch32 block at pc for the current EL, instruction set and ITSTATE (built on a miss), as EnterBlock finds an
    // A64 one: null when the fetch would fault or the block is empty (the interpreter then steps). Counts the entry.
    private TranslationBlock? EnterAarch32Block(TranslationCache cache, ulong pc)
    {
        bool thumb = State.Thumb;
        if ((pc & (thumb ? 1UL : 3UL)) != 0) return null; // (PC alignment: the interpreter's fetch raises it)
        ulong pa;
        if (!RegimeTranslates)
        {
            pa = pc;
            _jitFetchPageTrusted = true;
        }
        else if (TryFetchFromTlb(pc, out pa))
        {
            _jitFetchPageTrusted = true;
        }
        else
        {
            // A fetch that faults gives back a timing model's walk cycles: the interpreter's fetch walks again, and
            // charges them (as TranslateBlockFetch).
            ulong cycles = State.Cycles;
            try
            {
                if (TranslateFetch(pc, out pa) != null)
                {
                    State.Cycles = cycles;
                    return null;
                }
            }
            catch (GuestException)
            {
                State.Cycles = cycles;
                return null;
            }
            catch (CpuStoppedException)
            {
                State.Cycles = cycles;
                return null;
            }
            _jitFetchPageTrusted = false;
        }
        var set = thumb ? BlockInstructionSet.T32 : BlockInstructionSet.A32;
        byte it = thumb ? State.It : (byte)0;
        var block = cache.LookupAarch32(pc, State.EL, set, it, pa);
        if (block != null && block.Generation != cache.Generation && !cache.Recheck(block, Bus)) block = null;
        if (block == null)
        {
            bool pageHadCode = cache.HoldsCode(pa & ~(TranslationBlock.PageSize - 1), TranslationBlock.PageSize);
            block = cache.Add(Aarch32BlockBuilder.Build(this, pc, pa));
            CodeAddedToPage(pageHadCode, pa);
            if (_timing != null) TimingPrepareAarch32(block);
        }
        if (block.Length == 0) return null;
        CountAarch32Entry(cache, block);
        return block;
    }

    // The successor of an AArch32 block that exited normally through a chainable exit to pc (same instruction set,
    // ITSTATE 0): from the block's links when one passes EnterAarch32Block's checks, else through it (then remembered).
    private TranslationBlock? NextAarch32Block(TranslationCache cache, TranslationBlock block, ulong pc)
    {
        bool fallThrough = pc == block.EndPc;
        var next = fallThrough ? block.LinkFallThrough : block.LinkTaken;
        if (next != null && next.Pc == pc && next.El == State.EL && !next.Invalidated && next.Generation == cache.Generation)
        {
            if (_jitFetchPageTrusted && ((pc ^ block.Pc) >> 12) == 0)
            {
                if (((next.PhysicalAddress ^ block.PhysicalAddress) >> 12) == 0)
                {
                    CountAarch32Entry(cache, next);
                    return next;
                }
            }
            else if (CachedFetchTranslatesTo(pc, next.PhysicalAddress))
            {
                _jitFetchPageTrusted = true;
                CountAarch32Entry(cache, next);
                return next;
            }
        }
        next = EnterAarch32Block(cache, pc);
        if (!block.Invalidated)
        {
            if (fallThrough) block.LinkFallThrough = next;
            else block.LinkTaken = next;
        }
        return next;
    }

    // Counts an entry of an AArch32 block and requests its compile when due: the baseline tier at JitThreshold for a
    // block of JitBaselineMinimumLength instructions or more, the optimized tier (Aarch32OptimizedCompiler) for every
    // block where an A64 block would get its region (OptimizeThresholdNow).
    private void CountAarch32Entry(TranslationCache cache, TranslationBlock block)
    {
        long count = ++block.ExecutionCount;
        if (block.Tier == JitTier.Optimized || block.CompilePending || count <= JitThreshold) return;
        JitTier tier;
        if (count > OptimizeThresholdNow) tier = JitTier.Optimized;
        else if (block.Tier == JitTier.None && block.Length >= JitBaselineMinimumLength) tier = JitTier.Baseline;
        else return;
        if (JitBackgroundCompilation) BackgroundCompiler.Enqueue(this, cache, block, CyclesPerInstruction, tier);
        else cache.Compile(block, CyclesPerInstruction, tier, this);
    }

    /// <summary>
    /// Runs an AArch32 block that is not compiled from its predecoded form: the same result as
    /// <see cref="StepInstruction"/> one instruction after another, under the rules of <see cref="RunPredecoded"/>.
    /// </summary>
    private PredecodedExit RunPredecodedAarch32(TranslationBlock block, ulong limit)
    {
        Statistics.PredecodedRuns++;
        int n = block.Length;
        return State.Cycles + BlockCycles(block, 0, n - 1, CyclesPerInstruction) < Clock.NextDeadline && State.Instructions + (ulong)n <= limit
            ? RunPredecodedAarch32Whole(block)
            : RunPredecodedAarch32Stepwise(block, limit);
    }

    // The whole block fits before the deadline and the limit: the loop's checks between its instructions would all pass
    // but after a load or store that left the RAM fast path (JitCheckAfterAccess), where JitMustLeaveBlock decides.
    private PredecodedExit RunPredecodedAarch32Whole(TranslationBlock block)
    {
        var code = block.Aarch32!;
        int last = code.Length - 1;
        ulong cpi = CyclesPerInstruction;
        ulong[]? costs = block.TimingCosts; // null under the flat model: cpi each
        ulong start = State.Instructions;
        ulong pc = block.Pc;
        _jitEntryDeadline = Clock.NextDeadline;
        JitCheckAfterAccess = false;
        var exit = PredecodedExit.Normal;
        try
        {
            for (int i = 0; ; i++)
            {
                ref readonly var x = ref code[i];
                pc = x.Pc;
                ExecuteAarch32(in x);
                if (_abortPending)
                {
                    exit = TakePendingAbortPredecoded(pc); // a data abort, as the catch below takes a thrown one
                    break;
                }
                State.Cycles += costs == null ? cpi : costs[i];
                State.Instructions++;
                if (i == last)
                {
                    State.PC = NextPc;
                    if (costs != null) State.Cycles += TimingBlockRetired(block);
                    break;
                }
                State.PC = code[i + 1].Pc; // (only the last instruction can write the PC)
                if (x.Class == InstructionClass.Memory && JitCheckAfterAccess && JitMustLeaveBlock(block))
                {
                    exit = PredecodedExit.Early;
                    break;
                }
            }
        }
        catch (GuestException e)
        {
            exit = TakeSynchronousException(e, pc);
        }
        catch (CpuStoppedException)
        {
            exit = StoppedAarch32(pc);
        }
        Statistics.InstructionsPredecoded += State.Instructions - start;
        PredecodedBlockExecuted?.Invoke(this, block);
        return exit;
    }

    // A block that does not fit: the interpreter's checks before every instruction after the first.
    private PredecodedExit RunPredecodedAarch32Stepwise(TranslationBlock block, ulong limit)
    {
        var code = block.Aarch32!;
        int n = code.Length;
        ulong cpi = CyclesPerInstruction;
        ulong[]? costs = block.TimingCosts; // null under the flat model: cpi each
        ulong start = State.Instructions;
        ulong pc = block.Pc;
        int i = 0;
        var exit = PredecodedExit.Normal;
        try
        {
            while (true)
            {
                ref readonly var x = ref code[i];
                pc = x.Pc;
                ExecuteAarch32(in x);
                if (_abortPending)
                {
                    exit = TakePendingAbortPredecoded(pc);
                    break;
                }
                State.PC = NextPc;
                State.Cycles += costs == null ? cpi : costs[i];
                State.Instructions++;
                if (costs != null && i == n - 1) State.Cycles += TimingBlockRetired(block);
                if (++i == n || NextPc != pc + x.Size) break;
                if (PredecodedStopBetween(block, limit) is { } stop)
                {
                    exit = stop;
                    break;
                }
            }
        }
        catch (GuestException e)
        {
            exit = TakeSynchronousException(e, pc);
        }
        catch (CpuStoppedException)
        {
            exit = StoppedAarch32(pc);
        }
        Statistics.InstructionsPredecoded += State.Instructions - start;
        if (exit != PredecodedExit.Interrupted) PredecodedBlockExecuted?.Invoke(this, block);
        return exit;
    }

    /// <summary>
    /// Runs compiled AArch32 <paramref name="block"/> (its whole length starts before the deadline and fits the limit):
    /// an exception, a recorded data abort or a stop is made precise from the PC the code stored (or the abort's address)
    /// by finding its row, as <see cref="ExecuteChain"/> does from the A64 block's fixed width.
    /// </summary>
    private PredecodedExit RunCompiledAarch32(TranslationBlock block, ulong limit)
    {
        var tier = block.Tier;
        if (!_jitHostTlbCurrent)
        {
            // Optimized blocks load and store through the host TLB: made current once per chain, as for regions
            // (chainable exits change no EL, PAN, regime or TLB). Whatever the tier read: the compile thread publishes a
            // block's code before its tier, so the code about to run may be optimized while the tier still says baseline.
            ValidateHostTlb();
            _jitHostTlbCurrent = true;
        }
        ulong instructions = State.Instructions;
        _jitLimit = limit;
        _jitEntryInstructions = instructions;
        _jitEntryCycles = State.Cycles;
        _jitEntryDeadline = Clock.NextDeadline;
        JitCheckAfterAccess = false;
        JitLeftEarly = false;
        Statistics.CompiledEntries++;
        var exit = PredecodedExit.Normal;
        try
        {
            block.Code!(this);
            if (_abortPending)
            {
                // A load or store's data abort (Cpu.DataAborts.cs): the code left after it, or it was the last.
                ulong pc = _abortPc;
                RewindAarch32(block, pc);
                exit = TakePendingAbortPredecoded(pc);
            }
            else if (JitLeftEarly) exit = PredecodedExit.Early;
            else if (_timing != null && !_timingBranchCharged) State.Cycles += TimingBlockRetired(block); // (JitLoopAgainAarch32 charged a pass that left)
        }
        catch (GuestException e)
        {
            JitFillVa = 0; // (a missed host TLB lookup whose handler faulted fills nothing)
            ulong pc = State.PC;
            RewindAarch32(block, pc);
            exit = TakeSynchronousException(e, pc);
        }
        catch (CpuStoppedException)
        {
            JitFillVa = 0;
            ulong pc = State.PC;
            RewindAarch32(block, pc);
            exit = StoppedAarch32(pc);
        }
        Statistics.RetiredByTier[(int)(tier == JitTier.None ? JitTier.Baseline : tier)] += State.Instructions - instructions;
        JitBlockExecuted?.Invoke(this, block);
        return exit;
    }

    // The counters at the start of the block's instruction at pc (the code may have added part of them), from those at
    // the entry of the block or of its self-loop pass; the PC back on it (a data abort's code left with the next one's,
    // and a timing model's InProgressCycles reads the instruction's cost by the PC).
    private void RewindAarch32(TranslationBlock block, ulong pc)
    {
        State.PC = pc;
        int k = block.Aarch32IndexOf(pc);
        State.Instructions = _jitEntryInstructions + (ulong)k;
        State.Cycles = _jitEntryCycles + BlockCycles(block, 0, k, CyclesPerInstruction);
    }

    /// <summary>
    /// Asked by a compiled AArch32 block whose last instruction branched back to its own start: true when the loop would
    /// enter it again at once (as <see cref="JitLoopAgain"/> for A64 blocks: the loop conditions, the whole block before
    /// the deadline and within the limit, the fetch translation of its page, not invalidated), the pass just finished
    /// counted as one block run and the next as an entry; a baseline block whose optimized compile is due leaves instead.
    /// </summary>
    internal bool JitLoopAgainAarch32(TranslationBlock block)
    {
        ulong n = (ulong)block.Length;
        if (_timing != null)
        {
            // The pass's last branch, before the checks (RunCompiledAarch32 does not charge it again), as JitLoopAgain.
            State.Cycles += TimingBlockRetired(block);
            _timingBranchCharged = true;
        }
        if (block.Invalidated || StopReason != StopReason.None || IsWaiting
            || State.Cycles + BlockCycles(block, 0, (int)n - 1, CyclesPerInstruction) >= Clock.NextDeadline || State.Instructions + n > _jitLimit)
            return false;
        if (!_jitFetchPageTrusted)
        {
            if (!CachedFetchTranslatesTo(block.Pc, block.PhysicalAddress)) return false;
            _jitFetchPageTrusted = true;
        }
        long count = block.ExecutionCount + 1;
        // A baseline loop whose optimized code is due leaves, so that its next entry requests it.
        if (block.Tier == JitTier.Baseline && count > OptimizeThresholdNow && !block.CompilePending) return false;
        block.ExecutionCount = count;
        _timingBranchCharged = false;
        JitBlockExecuted?.Invoke(this, block); // the pass just finished (RunCompiledAarch32 reports the last one)
        _jitEntryCycles = State.Cycles;
        _jitEntryInstructions = State.Instructions;
        _jitEntryDeadline = Clock.NextDeadline;
        JitCheckAfterAccess = false;
        return true;
    }

    /// <summary>
    /// One predecoded AArch32 instruction as <c>ExecuteA32</c>/<c>ExecuteT32</c> run it: NextPc, the T32 width,
    /// ConditionPassed (a failed condition makes it a NOP, counted as executed), the handler, then ITSTATE's advance
    /// inside an IT block (not after an exception, which saves ITSTATE as it was).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal unsafe void ExecuteAarch32(in A32PredecodedInstruction x)
    {
        NextPc = x.Pc + x.Size;
        _t32Narrow = x.Narrow;
        if (x.Cond == 0xE || ConditionHolds(x.Cond))
        {
            if (x.Handler != 0) ((delegate*<Cpu, in A32Operands, void>)x.Handler)(this, in x.Operands);
            else x.Delegate(this, in x.Operands);
        }
        if (x.InIt) ItAdvance();
    }

    /// <summary>
    /// Called by an optimized AArch32 block after the handler of a load or store whose host TLB lookup missed
    /// (<see cref="JitFillVa"/> set by the lookup): fills the slot from the MMU TLB that the handler's access has just
    /// filled, unless the access faulted, as <see cref="JitRunHandler"/> does for regions.
    /// </summary>
    internal void JitAarch32HostTlbFill()
    {
        ulong fill = JitFillVa;
        JitFillVa = 0;
        if (fill != 0 && !_abortPending) JitHostTlbFill(fill & ~0xFFFUL, write: (fill & 2) != 0);
    }

    // As Step: the instruction at pc that stopped the CPU is not retired and the PC stays on it.
    private PredecodedExit StoppedAarch32(ulong pc)
    {
        _abortPending = false;
        State.PC = pc;
        if (_timingBlock != null) TimingLeftBlock(_timingBlock); // it runs again in its issue group
        return PredecodedExit.Exception;
    }
}
