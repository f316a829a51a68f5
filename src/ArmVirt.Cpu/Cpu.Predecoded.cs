using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// The JIT engine's first tier: runs a block that is not compiled (yet) from its predecoded form, as Dolphin's
    /// cached interpreter does: the words were fetched and decoded once when the block was built, so each instruction
    /// costs its handler call and the interpreter's own checks, with no fetch translation, decode or RyuJIT time.
    /// </summary>
    /// <remarks>
    /// Exactly <see cref="StepInstruction"/> one instruction after another: the same loop conditions (deadline, limit,
    /// stop, wait) and interrupt check before every instruction after the first (the caller made them before the first),
    /// the same counters and exception entry. The fetch is the block's: every instruction of a block is in the page whose
    /// translation the caller confirmed, and only a block's last instruction can change the regime or the TLB; a store
    /// into the block's own bytes invalidates it, and the rest of it is then left to the caller (fetched again). Leaves
    /// at the first instruction that does not fall through to the next. True when it left before the block's end with
    /// the next instruction of the block still to run (a deadline, the limit, a stop, a wait or the block invalidated).
    /// </remarks>
    /// <summary>Called after each run of a predecoded block (tests compare engines here).</summary>
    internal Action<Cpu, TranslationBlock>? PredecodedBlockExecuted { get; set; }

    private unsafe bool RunPredecoded(TranslationBlock block, ulong limit)
    {
        uint[] words = block.WordArray;
        nint[] pointers = block.HandlerPointers;
        int n = words.Length;
        ulong cpi = CyclesPerInstruction;
        ulong pc = block.Pc;
        ulong start = State.Instructions;
        int i = 0;
        bool early = false, interrupted = false;
        try
        {
            while (true)
            {
                NextPc = pc + 4;
                nint f = pointers[i];
                if (f != 0) ((delegate*<Cpu, uint, void>)f)(this, words[i]);
                else block.HandlerArray[i](this, words[i]);
                State.PC = NextPc;
                State.Cycles += cpi;
                State.Instructions++;
                if (++i == n || NextPc != pc + 4) break;
                pc += 4;
                if (!(State.Cycles < Clock.NextDeadline && State.Instructions < limit && StopReason == StopReason.None && !IsWaiting)
                    || block.Invalidated)
                {
                    early = true;
                    break;
                }
                if (AnyInterruptAsserted)
                {
                    // Tests compare at this boundary: the interpreter takes the interrupt at the start of its next run.
                    PredecodedBlockExecuted?.Invoke(this, block);
                    if (CheckInterrupts())
                    {
                        interrupted = true;
                        break;
                    }
                }
            }
        }
        catch (GuestException e)
        {
            TakeException(ExceptionKind.Synchronous, e.TargetEl, pc, e.Class, e.Iss, e.InstructionLength32, e.FaultAddress, e.IntermediatePhysicalAddress);
            State.Cycles += cpi;
            State.Instructions++;
        }
        catch (CpuStoppedException)
        {
            State.PC = pc;
        }
        Statistics.InstructionsPredecoded += State.Instructions - start;
        if (!interrupted) PredecodedBlockExecuted?.Invoke(this, block);
        return early;
    }
}
