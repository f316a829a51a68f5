using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private const int DecodeCacheBits = 12;
    private readonly uint[] _decodeCacheKey = new uint[1 << DecodeCacheBits];
    private readonly A64Encoding?[] _decodeCacheValue = new A64Encoding?[1 << DecodeCacheBits];

    /// <summary>The decoder this CPU uses.</summary>
    internal A64Decoder Decoder { get; set; } = A64Decoder.Instance;

    /// <summary>Called before each instruction executes (for <c>--trace</c>), with its encoding.</summary>
    public Action<Cpu, uint>? TraceInstruction { get; set; }

    /// <summary>Cycles each instruction costs (the default timing model: one cycle per instruction).</summary>
    internal ulong CyclesPerInstruction { get; init; } = 1;

    /// <summary>True while the CPU sleeps in WFI (or WFE with no event) waiting for an interrupt or event.</summary>
    public bool IsWaiting { get; private set; }

    /// <summary>The event register set by SEV/SEVL and exception return, consumed by WFE.</summary>
    internal bool EventRegister { get; set; }

    /// <summary>
    /// Called when the CPU waits and no virtual-time event is scheduled. Returns true if it waited for
    /// something external (host input) that may have raised an interrupt; false means nothing can wake the CPU.
    /// </summary>
    internal Func<bool>? IdleWait { get; set; }

    /// <summary>Puts the CPU to sleep until an interrupt is asserted (WFI) or an event arrives (WFE).</summary>
    internal void EnterWait(bool forEvent)
    {
        if (forEvent && EventRegister)
        {
            EventRegister = false;
            return;
        }
        IsWaiting = true;
        _waitingForEvent = forEvent;
        _waitStartCycles = State.Cycles + InProgressCycles; // after this WFI/WFE retires
    }

    // True while the wait is a WFE's (parallel SMP ends it at the PE's next entry, Cpu.PeerWork.cs).
    private bool _waitingForEvent;

    private ulong _waitStartCycles;

    /// <summary>
    /// After the CPU halted for good (<see cref="StopReason.Halted"/>): the cycle count at which it stopped doing
    /// anything, that is, when the WFI or WFE that began its endless wait retired (or the cycle of the PSCI CPU_OFF). The
    /// virtual time skipped afterwards to events that woke nothing (a timer due in 500 years with its interrupt off) is
    /// not work the guest did.
    /// </summary>
    internal ulong HaltedAtCycles { get; private set; }

    /// <summary>
    /// Executes until the CPU stops or <paramref name="instructionLimit"/> more instructions have retired.
    /// Virtual time advances with the cycles executed and, while waiting, jumps to the next scheduled event. A run that
    /// stopped at a host breakpoint or watchpoint (<see cref="Breakpoints"/>, <see cref="Watchpoints"/>) resumes: the
    /// instruction it stopped before executes without stopping again.
    /// </summary>
    public StopReason Run(ulong instructionLimit = ulong.MaxValue) => RunLoop(instructionLimit, ownsClock: true);

    /// <summary>
    /// For a machine that runs several CPUs on one clock (deterministic round robin): executes until this CPU's cycle
    /// count reaches the clock's next deadline, the CPU stops, or <paramref name="instructionLimit"/> more instructions
    /// have retired, without advancing the clock; the machine advances it once every CPU has reached the deadline.
    /// A waiting CPU with no interrupt asserted skips to the deadline. Returns <see cref="StopReason.None"/> when the
    /// deadline was reached (or nothing at all is scheduled while the CPU waits) and the CPU has not stopped.
    /// </summary>
    internal StopReason RunToDeadline(ulong instructionLimit = ulong.MaxValue) => RunLoop(instructionLimit, ownsClock: false);

    private StopReason RunLoop(ulong instructionLimit, bool ownsClock)
    {
        ulong limit = ulong.MaxValue - State.Instructions < instructionLimit ? ulong.MaxValue : State.Instructions + instructionLimit;
        InvalidateRegimeCache(); // the caller may have written system registers directly
        DebugRegistersChanged();
        if (StopReason is StopReason.Breakpoint or StopReason.Watchpoint) ClearStop(); // resumes after a host stop
        _inRun = true;
        try
        {
            RunSlices(limit, ownsClock);
        }
        finally
        {
            _inRun = false;
        }
        return StopReason;
    }

    // Slices of interpretation or compiled code between clock deadlines, WFI/WFE waits between them; with ownsClock the
    // clock advances with this CPU's cycles (one CPU), otherwise the loop ends at the deadline (see RunToDeadline).
    private void RunSlices(ulong limit, bool ownsClock)
    {
        while (StopReason == StopReason.None)
        {
            if (State.Instructions >= limit)
            {
                RequestStop(StopReason.InstructionLimit);
                break;
            }
            ulong deadline = Clock.NextDeadline;
            if (!ownsClock && State.Cycles >= deadline) break;
            if (IsWaiting)
            {
                if (AnyInterruptAsserted)
                {
                    IsWaiting = false; // WFI wakes on any asserted interrupt, masked or not
                    Pmu.Woke();
                }
                else if (deadline != ulong.MaxValue)
                {
                    // Parallel SMP: the host thread sleeps while other CPUs of the turn run, and goes on when one of them
                    // wakes this CPU (the hook moves its time up); otherwise the wait skips to the deadline.
                    if (!ownsClock && ParallelWait != null && ParallelWait(this)) continue;
                    State.Cycles = Math.Max(State.Cycles, deadline);
                }
                else if (!ownsClock) break; // the machine decides: another CPU, host input, or halt
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
            if (ownsClock) Clock.AdvanceTo(State.Cycles);
        }
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
        DebugRegistersChanged();
        StepInstruction();
    }

    // Step for the execution loops (the regime cache stays valid between instructions).
    private void StepInstruction()
    {
        ulong pc = State.PC;
        bool stepping = false;
        // While a PMU counter counts an instruction-stream event, each instruction reports its kind and walks.
        bool pmuStream = Pmu.NeedsInstructionStream;
        long walks = pmuStream ? Translator.Walks : 0;
        ulong timed = 0; // under a timing model: this instruction's cycles (Cpu.Timing.cs)
        try
        {
            // Synchronous exceptions in the priority order of D1.13.4: Software Step (before the fetch), PC alignment and
            // Instruction Abort (the fetch), Breakpoint, Illegal Execution state, then the instruction's own. The host's
            // breakpoints stop the run before all of them, its code hooks run after them (Cpu.HostDebug.cs).
            if (_instructionDebugChecks && DebugBeforeFetch(pc, out stepping))
            {
                // The Software Step exception was taken (counted below as a fetch abort is).
                if (_timing != null) timed = TimingChargeOther();
            }
            else if (State.Thumb)
            {
                // T32: one or two halfwords (Cpu.Thumb.cs); a fault on the second reports its own address.
                if (FetchT32Fault(pc, out uint t32) is { } t32Fault)
                {
                    if (_timing != null) timed = TimingChargeOther(); // (after the fetch: an issue group may go on here)
                    TakeException(ExceptionKind.Synchronous, t32Fault.TargetEl, pc, t32Fault.Class, t32Fault.Iss, t32Fault.InstructionLength32, t32Fault.FaultAddress, t32Fault.IntermediatePhysicalAddress);
                }
                else
                {
                    if (_afterFetchChecks) AfterFetchChecks(pc);
                    TraceInstruction?.Invoke(this, t32);
                    if (State.IllegalState) CheckIllegalState();
                    if (_timing != null) timed = TimingChargeAarch32(pc, t32 < 0x1_0000 && InItBlock ? t32 | 0x1_0000 : t32, thumb: true);
                    ExecuteT32(pc, t32);
                    if (_abortPending) TakePendingAbort(pc); // a load or store's data abort (Cpu.DataAborts.cs)
                    else
                    {
                        State.PC = NextPc;
                        if (_timing != null) timed += TimingRetiredAarch32(pc, NextPc);
                        if (_softwareStepConfigured) SoftwareStepCompleted(t32, stepping, t32: true);
                    }
                }
            }
            // A fetch abort is taken without a throw (a guest whose vector points at unmapped memory takes one per
            // instruction), as the catch below takes the others.
            else if (FetchFault(pc, out uint insn) is { } fault)
            {
                if (_timing != null) timed = TimingChargeOther();
                TakeException(ExceptionKind.Synchronous, fault.TargetEl, pc, fault.Class, fault.Iss, fault.InstructionLength32, fault.FaultAddress, fault.IntermediatePhysicalAddress);
            }
            else
            {
                if (_afterFetchChecks) AfterFetchChecks(pc);
                TraceInstruction?.Invoke(this, insn);
                if (State.IllegalState) CheckIllegalState();
                if (State.Aarch32)
                {
                    if (_timing != null) timed = TimingChargeAarch32(pc, insn, thumb: false);
                    ExecuteA32(pc, insn); // (the PMU's instruction-stream events count A64 instructions only)
                    if (!_abortPending)
                    {
                        State.PC = NextPc;
                        if (_timing != null) timed += TimingRetiredAarch32(pc, NextPc);
                    }
                }
                else
                {
                    var encoding = Decode(insn);
                    if (_timing != null) timed = TimingCharge(encoding, insn, pc);
                    NextPc = pc + 4;
                    long fetched = pmuStream ? Translator.Walks : 0;
                    encoding.Handler(this, insn);
                    if (!_abortPending)
                    {
                        State.PC = NextPc;
                        if (_timing != null) timed += TimingRetired(encoding, insn, pc, NextPc);
                        if (pmuStream) Pmu.Retired(encoding, insn, fetched - walks, Translator.Walks - fetched);
                    }
                }
                // A load or store's data abort is taken as the catch below takes a thrown exception (Cpu.DataAborts.cs).
                if (_abortPending) TakePendingAbort(pc);
                else if (_softwareStepConfigured) SoftwareStepCompleted(insn, stepping);
            }
        }
        catch (GuestException e)
        {
            _abortPending = false;
            TakeException(ExceptionKind.Synchronous, e.TargetEl, pc, e.Class, e.Iss, e.InstructionLength32, e.FaultAddress, e.IntermediatePhysicalAddress);
        }
        catch (CpuStoppedException)
        {
            _abortPending = false; // (an access that recorded an abort before the stop: the instruction runs again)
            State.PC = pc;
            return;
        }
        State.Cycles += _timing == null ? CyclesPerInstruction : timed;
        State.Instructions++;
        Statistics.InstructionsStepped++;
    }

    /// <summary>Where this CPU's time went: instructions by engine tier, exceptions, MMIO accesses (<c>--stats</c>).</summary>
    public CpuStatistics Statistics { get; }

    /// <summary>
    /// The name of <paramref name="insn"/>'s decode row in the current instruction set (A64, A32 or T32: a 16-bit T32
    /// instruction as its halfword, a 32-bit one as hw1:hw2, as <see cref="TraceInstruction"/> receives them), the
    /// mnemonic and form as the Arm ARM names them, "UNALLOCATED" or "UNDEFINED" where no row takes it (<c>--trace</c>).
    /// </summary>
    internal string InstructionName(uint insn) =>
        !State.Aarch32 ? Decode(insn).Name : State.Thumb ? T32Decoder.DecodeRow(insn).Name : A32Decoder.DecodeRow(insn).Name;

    /// <summary>Decodes through a small direct-mapped cache in front of the table decoder.</summary>
    internal A64Encoding Decode(uint insn)
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
