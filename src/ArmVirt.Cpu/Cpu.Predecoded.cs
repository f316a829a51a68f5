using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>Called after each run of a predecoded block (tests compare engines here).</summary>
    internal Action<Cpu, TranslationBlock>? PredecodedBlockExecuted { get; set; }

    /// <summary>
    /// The JIT engine's first tier: runs a block that is not compiled (yet) from its predecoded form, as Dolphin's
    /// cached interpreter does: the words were fetched and decoded once when the block was built, so each instruction
    /// costs its handler call and the interpreter's own checks, with no fetch translation, decode or RyuJIT time.
    /// </summary>
    /// <remarks>
    /// The same result as <see cref="StepInstruction"/> one instruction after another (the same counters and exception
    /// entry), under the rules compiled blocks keep (src/ArmVirt.Cpu/Jit/README.md): a block that starts before the
    /// deadline and fits the limit runs whole, leaving early only when a load or store that left the RAM fast path
    /// changed what the loop checks; one that does not fit makes the interpreter's checks before every instruction. The
    /// fetch is the block's: its instructions are in the page whose translation the caller confirmed, and only a block's
    /// last instruction can change the regime or the TLB; a store into the block's own bytes invalidates it, and the
    /// rest of it is then left to the caller (fetched again).
    /// </remarks>
    private unsafe PredecodedExit RunPredecoded(TranslationBlock block, ulong limit)
    {
        Statistics.PredecodedRuns++;
        int n = block.Length;
        ulong cpi = CyclesPerInstruction;
        if (_timing != null)
        {
            _timingBlock = block;
            _timingLeave = false;
        }
        // The whole block starts before the deadline and fits the limit: run it as a compiled block would.
        var exit = State.Cycles + BlockCycles(block, 0, n - 1, cpi) < Clock.NextDeadline && State.Instructions + (ulong)n <= limit
            ? RunPredecodedWhole(block)
            : RunPredecodedStepwise(block, limit);
        if (_timing != null)
        {
            // Left in the middle: the interpreter goes on in the issue group there (Cpu.Timing.cs).
            if (exit == PredecodedExit.Early) TimingLeftBlock(block);
            _timingBlock = null;
        }
        return exit;
    }

    /// <summary>
    /// Runs predecoded <paramref name="block"/> and, while each ends normally through a chainable exit, the predecoded
    /// blocks that follow it, making between two of them the checks <see cref="RunJitLoop"/> makes after a chainable
    /// exit (the loop conditions, then <see cref="NextBlock"/>), without going back to it. <paramref name="block"/> is
    /// left on the last block run; when the chain stops at a successor it does not run (compiled, or none: the fetch is
    /// the interpreter's), that successor, already entered, is there instead and <paramref name="handedOver"/> is set.
    /// </summary>
    private PredecodedExit RunPredecodedChain(TranslationCache cache, ref TranslationBlock? block, ulong limit, out bool handedOver)
    {
        handedOver = false;
        var running = block!;
        while (true)
        {
            var exit = RunPredecoded(running, limit);
            if (exit != PredecodedExit.Normal || !running.ChainableExit || !MayRunNextInstruction(limit))
            {
                block = running;
                return exit;
            }
            var next = NextBlock(cache, running, State.PC);
            if (next == null || next.Code != null)
            {
                block = next;
                handedOver = true;
                return exit;
            }
            running = next;
        }
    }

    // The block fits before the deadline and the limit: the loop's checks between its instructions would all pass,
    // except after a load or store that left the RAM fast path (JitCheckAfterAccess: MMIO may raise an interrupt or
    // move the deadline, a store may rewrite the block), where JitMustLeaveBlock decides as in compiled blocks.
    // Only the last instruction can branch (every other ends its block), so NextPc is set for it alone.
    private unsafe PredecodedExit RunPredecodedWhole(TranslationBlock block)
    {
        PredecodedInstruction[] code = block.Predecoded;
        int last = code.Length - 1;
        ulong cpi = CyclesPerInstruction;
        ulong[]? costs = block.TimingCosts; // null under the flat model: cpi each
        ulong pc = block.Pc;
        ulong start = State.Instructions;
        _jitEntryDeadline = Clock.NextDeadline;
        JitCheckAfterAccess = false;
        var exit = PredecodedExit.Normal;
        try
        {
            // Every instruction but the last falls through to the next (only the last can branch).
            for (int i = 0; i < last; i++)
            {
                ref readonly var x = ref code[i];
                Execute(block, i, x);
                if (x.Class == InstructionClass.Memory && JitCheckAfterAccess && _abortPending)
                {
                    exit = TakePendingAbortPredecoded(pc); // a data abort, as the catch below takes a thrown one
                    goto done;
                }
                State.Cycles += costs == null ? cpi : costs[i];
                State.Instructions++;
                pc += 4;
                State.PC = pc;
                if (x.Class == InstructionClass.Memory && JitCheckAfterAccess && JitMustLeaveBlock(block))
                {
                    NextPc = pc; // as Step leaves it after the access
                    exit = PredecodedExit.Early;
                    goto done;
                }
            }
            NextPc = pc + 4;
            Execute(block, last, code[last]);
            if (_abortPending)
            {
                exit = TakePendingAbortPredecoded(pc);
                goto done;
            }
            State.Instructions++;
            State.PC = NextPc;
            State.Cycles += costs == null ? cpi : costs[last] + TimingBlockRetired(block);
        }
        catch (GuestException e)
        {
            exit = TakeSynchronousException(e, pc);
        }
        catch (CpuStoppedException)
        {
            exit = Stopped(pc);
        }
    done:
        Statistics.InstructionsPredecoded += State.Instructions - start;
        PredecodedBlockExecuted?.Invoke(this, block);
        return exit;
    }

    // Between two instructions of a block run stepwise (A64 or AArch32): the interpreter loop's checks (limit, stop,
    // deadline, the block dropped by a store), then a pending interrupt, taken as the interpreter takes it. Null: go on.
    private PredecodedExit? PredecodedStopBetween(TranslationBlock block, ulong limit)
    {
        if (!MayRunNextInstruction(limit) || block.Invalidated) return PredecodedExit.Early;
        if (!AnyInterruptAsserted) return null;
        // Tests compare at this boundary: the interpreter takes the interrupt at the start of its next run.
        PredecodedBlockExecuted?.Invoke(this, block);
        return CheckInterrupts() ? PredecodedExit.Interrupted : null;
    }

    // A block that does not fit: the interpreter's checks before every instruction after the first.
    private unsafe PredecodedExit RunPredecodedStepwise(TranslationBlock block, ulong limit)
    {
        int n = block.Length;
        ulong cpi = CyclesPerInstruction;
        ulong[]? costs = block.TimingCosts; // null under the flat model: cpi each
        ulong pc = block.Pc;
        ulong start = State.Instructions;
        int i = 0;
        var exit = PredecodedExit.Normal;
        try
        {
            while (true)
            {
                NextPc = pc + 4;
                Execute(block, i, block.Predecoded[i]);
                if (_abortPending)
                {
                    exit = TakePendingAbortPredecoded(pc);
                    break;
                }
                State.PC = NextPc;
                State.Cycles += costs == null ? cpi : costs[i];
                State.Instructions++;
                if (costs != null && i == n - 1) State.Cycles += TimingBlockRetired(block);
                if (++i == n || NextPc != pc + 4) break;
                pc += 4;
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
            exit = Stopped(pc);
        }
        Statistics.InstructionsPredecoded += State.Instructions - start;
        if (exit != PredecodedExit.Interrupted) PredecodedBlockExecuted?.Invoke(this, block);
        return exit;
    }

    // Instruction i of the block through its handler's function pointer (a lambda or closure through its delegate).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private unsafe void Execute(TranslationBlock block, int i, in PredecodedInstruction x)
    {
        if (x.Handler != 0) ((delegate*<Cpu, uint, void>)x.Handler)(this, x.Word);
        else block.EncodingArray[i].Handler(this, x.Word);
    }

    // As Step: the instruction at pc takes the data abort its load or store recorded (Cpu.DataAborts.cs) and is counted.
    private PredecodedExit TakePendingAbortPredecoded(ulong pc)
    {
        ulong cycles = InProgressCycles;
        TakePendingAbort(pc);
        State.Cycles += cycles;
        State.Instructions++;
        return PredecodedExit.Exception;
    }

    // As Step: the faulting instruction at pc takes its exception and is counted.
    private PredecodedExit TakeSynchronousException(GuestException e, ulong pc)
    {
        _abortPending = false;
        ulong cycles = InProgressCycles; // (the faulting instruction's, read before the entry moves the PC)
        TakeException(ExceptionKind.Synchronous, e.TargetEl, pc, e.Class, e.Iss, e.InstructionLength32, e.FaultAddress, e.IntermediatePhysicalAddress);
        State.Cycles += cycles;
        State.Instructions++;
        return PredecodedExit.Exception;
    }

    // As Step: the instruction at pc that stopped the CPU is not retired and the PC stays on it.
    private PredecodedExit Stopped(ulong pc)
    {
        _abortPending = false;
        State.PC = pc;
        NextPc = pc + 4;
        if (_timingBlock != null) TimingLeftBlock(_timingBlock); // it runs again in its issue group
        return PredecodedExit.Exception;
    }

    private enum PredecodedExit
    {
        /// <summary>Ran to the block's end or a branch out of it: the next block may be chained if the block's exit is chainable.</summary>
        Normal,
        /// <summary>Left before the block's end with its next instruction still to run (deadline, limit, stop, wait, invalidation).</summary>
        Early,
        /// <summary>An interrupt was taken between two of its instructions.</summary>
        Interrupted,
        /// <summary>An instruction took a synchronous exception or stopped the CPU.</summary>
        Exception,
    }
}
