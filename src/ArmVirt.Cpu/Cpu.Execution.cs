using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private const int DecodeCacheBits = 12;
    private readonly uint[] _decodeCacheKey = new uint[1 << DecodeCacheBits];
    private readonly A64Encoding?[] _decodeCacheValue = new A64Encoding?[1 << DecodeCacheBits];

    /// <summary>The decoder this CPU uses.</summary>
    public A64Decoder Decoder { get; set; } = A64Decoder.Instance;

    /// <summary>Called before each instruction executes (for <c>--trace</c>), with its encoding.</summary>
    public Action<Cpu, uint>? TraceInstruction { get; set; }

    /// <summary>Cycles each instruction costs (the default timing model: one cycle per instruction).</summary>
    public ulong CyclesPerInstruction { get; init; } = 1;

    /// <summary>True while the CPU sleeps in WFI (or WFE with no event) waiting for an interrupt or event.</summary>
    public bool IsWaiting { get; private set; }

    /// <summary>The event register set by SEV/SEVL and exception return, consumed by WFE.</summary>
    public bool EventRegister { get; set; }

    /// <summary>
    /// Called when the CPU waits and no virtual-time event is scheduled. Returns true if it waited for
    /// something external (host input) that may have raised an interrupt; false means nothing can wake the CPU.
    /// </summary>
    public Func<bool>? IdleWait { get; set; }

    /// <summary>Puts the CPU to sleep until an interrupt is asserted (WFI) or an event arrives (WFE).</summary>
    public void EnterWait(bool forEvent)
    {
        if (forEvent && EventRegister)
        {
            EventRegister = false;
            return;
        }
        IsWaiting = true;
        _waitStartCycles = State.Cycles + CyclesPerInstruction; // after this WFI/WFE retires
    }

    private ulong _waitStartCycles;

    /// <summary>
    /// After the CPU halted for good (<see cref="StopReason.Halted"/>): the cycle count at which it stopped doing
    /// anything, that is, when the WFI or WFE that began its endless wait retired (or the cycle of the PSCI CPU_OFF). The
    /// virtual time skipped afterwards to events that woke nothing (a timer due in 500 years with its interrupt off) is
    /// not work the guest did.
    /// </summary>
    public ulong HaltedAtCycles { get; private set; }

    /// <summary>
    /// Executes until the CPU stops or <paramref name="instructionLimit"/> more instructions have retired.
    /// Virtual time advances with the cycles executed and, while waiting, jumps to the next scheduled event.
    /// </summary>
    public StopReason Run(ulong instructionLimit = ulong.MaxValue)
    {
        ulong limit = ulong.MaxValue - State.Instructions < instructionLimit ? ulong.MaxValue : State.Instructions + instructionLimit;
        InvalidateRegimeCache(); // the caller may have written system registers directly
        while (StopReason == StopReason.None)
        {
            if (State.Instructions >= limit)
            {
                RequestStop(StopReason.InstructionLimit);
                break;
            }
            ulong deadline = Clock.NextDeadline;
            if (IsWaiting)
            {
                if (AnyInterruptAsserted)
                {
                    IsWaiting = false; // WFI wakes on any asserted interrupt, masked or not
                    Pmu.Woke();
                }
                else if (deadline != ulong.MaxValue) State.Cycles = Math.Max(State.Cycles, deadline);
                else if (IdleWait == null || !IdleWait())
                {
                    RequestStop(StopReason.Halted, 0, $"waiting for an interrupt that can never arrive at PC 0x{State.PC:x}");
                    break;
                }
            }
            else if (Engine == ExecutionEngine.Jit && !Pmu.NeedsInstructionStream)
            {
                RunJitSlice(limit);
            }
            else
            {
                while (MayRunNextInstruction(limit))
                {
                    if (AnyInterruptAsserted && CheckInterrupts()) continue;
                    StepInstruction();
                }
            }
            Clock.AdvanceTo(State.Cycles);
        }
        return StopReason;
    }

    // The execution loops' condition before each instruction: the next clock deadline not reached, the instruction limit
    // not reached, no stop requested and not waiting.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool MayRunNextInstruction(ulong limit) =>
        State.Cycles < Clock.NextDeadline && State.Instructions < limit && StopReason == StopReason.None && !IsWaiting;

    /// <summary>Executes exactly one instruction (or takes the synchronous exception it raises).</summary>
    public void Step()
    {
        InvalidateRegimeCache(); // the caller may have written system registers directly
        StepInstruction();
    }

    // Step for the execution loops (the regime cache stays valid between instructions).
    private void StepInstruction()
    {
        ulong pc = State.PC;
        // While a PMU counter counts an instruction-stream event, each instruction reports its kind and walks.
        bool pmuStream = Pmu.NeedsInstructionStream;
        long walks = pmuStream ? Translator.Walks : 0;
        try
        {
            // A fetch abort is taken without a throw (a guest whose vector points at unmapped memory takes one per
            // instruction), as the catch below takes the others.
            if (FetchFault(pc, out uint insn) is { } fault)
            {
                TakeException(ExceptionKind.Synchronous, fault.TargetEl, pc, fault.Class, fault.Iss, fault.InstructionLength32, fault.FaultAddress, fault.IntermediatePhysicalAddress);
            }
            else
            {
                TraceInstruction?.Invoke(this, insn);
                if (State.IllegalState) CheckIllegalState();
                var encoding = Decode(insn);
                NextPc = pc + 4;
                long fetched = pmuStream ? Translator.Walks : 0;
                encoding.Handler(this, insn);
                State.PC = NextPc;
                if (pmuStream) Pmu.Retired(encoding, insn, fetched - walks, Translator.Walks - fetched);
            }
        }
        catch (GuestException e)
        {
            TakeException(ExceptionKind.Synchronous, e.TargetEl, pc, e.Class, e.Iss, e.InstructionLength32, e.FaultAddress, e.IntermediatePhysicalAddress);
        }
        catch (CpuStoppedException)
        {
            State.PC = pc;
            return;
        }
        State.Cycles += CyclesPerInstruction;
        State.Instructions++;
        Statistics.InstructionsStepped++;
    }

    /// <summary>Where this CPU's time went: instructions by engine tier, exceptions, MMIO accesses (<c>--stats</c>).</summary>
    public CpuStatistics Statistics { get; }

    /// <summary>Decodes through a small direct-mapped cache in front of the table decoder.</summary>
    public A64Encoding Decode(uint insn)
    {
        int slot = (int)((insn ^ (insn >> 13) ^ (insn >> 24)) & ((1 << DecodeCacheBits) - 1));
        var cached = _decodeCacheValue[slot];
        if (cached is not null && _decodeCacheKey[slot] == insn) return cached; // (a record's != calls Equals)
        var e = Decoder.Decode(insn);
        _decodeCacheKey[slot] = insn;
        _decodeCacheValue[slot] = e;
        return e;
    }
}
