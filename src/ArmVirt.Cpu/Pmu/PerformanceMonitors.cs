using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Cpu.Pmu;

/// <summary>
/// The Performance Monitors Extension, PMUv3 as Armv8.0 defines it (Arm ARM D7 "The Performance Monitors
/// Extension"): six 32-bit event counters and the 64-bit cycle counter, their enables, overflow flags and overflow
/// interrupt request, the event filtering by exception level (PMEVTYPER&lt;n&gt;_EL0 / PMCCFILTR_EL0 U, P, NSU, NSK,
/// NSH, M) and the EL2 partition of the counters by MDCR_EL2.HPMN / HPME. The registers are declared in
/// <c>SystemRegisterTableBuilder.Pmu.cs</c>; this class keeps their state and does the counting.
/// </summary>
/// <remarks>
/// <para>Counting does not touch the execution engines' hot paths. CPU_CYCLES, INST_RETIRED and INST_SPEC are derived
/// from the CPU's own counters (<see cref="CpuState.Cycles"/>, <see cref="CpuState.Instructions"/>), which every engine
/// keeps exact wherever a handler can observe them: a counting counter holds its value at the last synchronisation
/// plus what the CPU counted since. Synchronisation happens before any PMU register access, at every change of what
/// counts (a register write, an exception entry or return) and at the overflow deadline scheduled on the virtual clock,
/// so an overflow interrupt is raised at the instruction boundary where the counter wraps under both engines. The
/// instruction in progress at a synchronous exception or an ERET is counted at the EL it executed at.</para>
/// <para>SW_INCR, EXC_TAKEN, EXC_RETURN and CHAIN are counted where they happen (PMSWINC_EL0, exception entry and
/// return, the even counter's overflow). LD_RETIRED, ST_RETIRED, BR_RETIRED, MEM_ACCESS and the TLB refills need the
/// instruction stream: while a counter counts one of them, the CPU executes instruction by instruction through the
/// interpreter (compiled and predecoded code is not entered), which reports each instruction's kind. That is slower,
/// and exact by construction. EXC_TAKEN is counted at the EL the exception is taken from.</para>
/// <para>Timing models can feed CPU_CYCLES later by advancing <see cref="CpuState.Cycles"/> per instruction as they
/// charge it: nothing here assumes one cycle per instruction except the overflow deadline of an instruction-counting
/// counter, which is a lower bound re-armed when it fires early.</para>
/// </remarks>
internal sealed class PerformanceMonitors
{
    /// <summary>PMCR_EL0.N: the number of event counters.</summary>
    public const int EventCounters = 6;

    /// <summary>The index of the cycle counter in PMCNTENSET_EL0, PMOVSSET_EL0, PMINTENSET_EL1 and PMSELR_EL0.SEL.</summary>
    public const int CycleCounter = 31;

    /// <summary>The counter bits of the set/clear registers that exist: P0..P5 and C.</summary>
    public const uint ImplementedCounters = (1u << EventCounters) - 1 | 1u << CycleCounter;

    // PMCR_EL0 (D17.5.8): E, P, C, D, X, DP, LC; P and C are actions that read as 0.
    internal const ulong PmcrE = 1, PmcrP = 2, PmcrC = 4, PmcrD = 8, PmcrDp = 1 << 5, PmcrLc = 1 << 6;
    internal const ulong PmcrWritable = PmcrE | PmcrD | 0x10 | PmcrDp | PmcrLc;
    // PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filter bits (D17.5.6): P, U, NSK, NSU, NSH, M; evtCount is bits 9:0 in PMUv3 for Armv8.0.
    internal const ulong FilterP = 1UL << 31, FilterU = 1UL << 30, FilterNsk = 1UL << 29, FilterNsu = 1UL << 28, FilterNsh = 1UL << 27, FilterM = 1UL << 26;
    internal const ulong EvtypeWritable = 0xFC00_03FF, CcfiltrWritable = 0xFC00_0000;
    // MDCR_EL2 (D17.3.17) and MDCR_EL3 (D17.3.18) fields the PMU reads.
    internal const ulong MdcrHpmnMask = 0x1F, MdcrHpme = 1 << 7, MdcrEl3Spme = 1 << 17;

    private readonly Cpu _cpu;
    private readonly ulong[] _counter = new ulong[CycleCounter + 1];
    private readonly ulong[] _type = new ulong[CycleCounter + 1]; // PMEVTYPER<n>_EL0; index 31 is PMCCFILTR_EL0
    private ulong _pmcr;
    private uint _enabled, _interruptEnabled, _overflow;
    private ulong _cycleResidue; // cycles not yet counted by PMCCNTR_EL0 while PMCR_EL0.D divides by 64

    // What counts at the current EL (Reconfigure): every counter that counts, and those counting cycles, instructions
    // and instruction-stream events.
    private uint _counting, _countsCycles, _countsInstructions, _countsStream, _countsPredicted, _countsMispredicted;
    private ulong _syncCycles, _syncInstructions, _syncPredicted, _syncMispredicted;
    private ScheduledEvent? _overflowEvent, _leaveCompiledCode;
    private bool _instructionDeadlineDeferred; // an instruction counter's deadline left out while the CPU waits

    internal PerformanceMonitors(Cpu cpu)
    {
        _cpu = cpu;
        Interrupt = new InterruptLine($"cpu{cpu.Configuration.Index}.pmu");
    }

    /// <summary>The overflow interrupt request (PMUIRQ), wired by the machine to PPI 7 as QEMU's virt does.</summary>
    public InterruptLine Interrupt { get; }

    /// <summary>
    /// True while a counter counts an event only the instruction stream shows (LD/ST/BR_RETIRED, MEM_ACCESS, TLB
    /// refills): the CPU then steps every instruction through the interpreter, which calls <see cref="Retired"/>.
    /// </summary>
    public bool NeedsInstructionStream => _countsStream != 0;

    /// <summary>
    /// True while some counter is enabled in PMCNTENSET_EL0 or an overflow flag has its interrupt enabled: otherwise
    /// an exception entry or return, or a write to MDCR_EL2, MDCR_EL3 or SCR_EL3 (a KVM world switch writes MDCR_EL2
    /// twice), cannot change what the PMU counts or requests, and skips it.
    /// </summary>
    internal bool Active => (_enabled | (_overflow & _interruptEnabled)) != 0;

    /// <summary>A write to a register outside the PMU that changes what counts (MDCR_EL2, MDCR_EL3, SCR_EL3).</summary>
    internal void ControlWrite<T>(Action<Cpu, T> write, T value)
    {
        bool active = Active;
        if (active) Sync();
        write(_cpu, value);
        if (active) Reconfigure();
    }

    // ---- Register state (the accessors in SystemRegisterTableBuilder.Pmu.cs) ----

    /// <summary>PMCR_EL0 as read at the current EL (N is MDCR_EL2.HPMN below EL2 when EL2 is enabled).</summary>
    internal ulong Pmcr
    {
        get
        {
            ulong n = (ulong)(Below2WithEl2 ? Hpmn : EventCounters);
            return (_cpu.Configuration.Model.Pmcr & ~(0x1FUL << 11) & ~0xFFUL) | (n << 11) | _pmcr;
        }
        set
        {
            Sync();
            if ((value & PmcrP) != 0)
            {
                // A write from EL0 or EL1 does not reset the counters MDCR_EL2.HPMN reserves for EL2.
                int upTo = Below2WithEl2 ? Math.Min(Hpmn, EventCounters) : EventCounters;
                for (int n = 0; n < upTo; n++) _counter[n] = 0;
            }
            if ((value & PmcrC) != 0)
            {
                _counter[CycleCounter] = 0;
                _cycleResidue = 0;
            }
            _pmcr = value & PmcrWritable;
            Reconfigure();
        }
    }

    /// <summary>The counter bits the current EL may see in the set/clear registers (HPMN partition).</summary>
    internal uint Accessible => Below2WithEl2 ? (uint)((1UL << Math.Min(Hpmn, EventCounters)) - 1) | 1u << CycleCounter : ImplementedCounters;

    /// <summary>PMCNTENSET_EL0 / PMCNTENCLR_EL0 (read).</summary>
    internal uint Enables => _enabled & Accessible;

    /// <summary>PMINTENSET_EL1 / PMINTENCLR_EL1 (read).</summary>
    internal uint InterruptEnables => _interruptEnabled & Accessible;

    /// <summary>PMOVSSET_EL0 / PMOVSCLR_EL0 (read).</summary>
    internal uint Overflows
    {
        get
        {
            Sync();
            return _overflow & Accessible;
        }
    }

    /// <summary>Sets or clears bits of PMCNTENSET_EL0, PMINTENSET_EL1 or PMOVSSET_EL0 (the SET/CLR register pairs).</summary>
    internal void WriteSetClear(PmuSetClear register, ulong value, bool set)
    {
        Sync();
        uint bits = (uint)value & Accessible;
        uint Apply(uint old) => set ? old | bits : old & ~bits;
        switch (register)
        {
            case PmuSetClear.CounterEnable: _enabled = Apply(_enabled); break;
            case PmuSetClear.InterruptEnable: _interruptEnabled = Apply(_interruptEnabled); break;
            default: _overflow = Apply(_overflow); break;
        }
        Reconfigure();
    }

    /// <summary>PMUSERENR_EL0: EN, SW, CR, ER.</summary>
    internal ulong UserEnable { get; set; }

    /// <summary>PMSELR_EL0.SEL.</summary>
    internal ulong Select { get; set; }

    /// <summary>PMEVCNTR&lt;n&gt;_EL0 (n &lt; 6) or PMCCNTR_EL0 (n = 31).</summary>
    internal ulong ReadCounter(int n)
    {
        Sync();
        return _counter[n];
    }

    /// <summary>Writes PMEVCNTR&lt;n&gt;_EL0 (32 bits) or PMCCNTR_EL0.</summary>
    internal void WriteCounter(int n, ulong value)
    {
        Sync();
        _counter[n] = n == CycleCounter ? value : value & 0xFFFF_FFFF;
        Reconfigure();
    }

    /// <summary>PMEVTYPER&lt;n&gt;_EL0 (n &lt; 6) or PMCCFILTR_EL0 (n = 31).</summary>
    internal ulong ReadType(int n) => _type[n];

    /// <summary>
    /// Writes PMEVTYPER&lt;n&gt;_EL0 or PMCCFILTR_EL0. NSK, NSU and M are RES0 without EL3, NSH without EL2 (D17.5.6).
    /// </summary>
    internal void WriteType(int n, ulong value)
    {
        Sync();
        var cfg = _cpu.Configuration;
        ulong res0 = (cfg.HasEl3 ? 0 : FilterNsk | FilterNsu | FilterM) | (cfg.HasEl2 ? 0 : FilterNsh);
        _type[n] = value & (n == CycleCounter ? CcfiltrWritable : EvtypeWritable) & ~res0;
        Reconfigure();
    }

    /// <summary>PMSWINC_EL0: a write of 1 to bit n increments event counter n if it counts SW_INCR at this EL.</summary>
    internal void SoftwareIncrement(ulong value)
    {
        Sync();
        uint bits = (uint)value & Accessible & ((1u << EventCounters) - 1) & _counting;
        foreach (int n in new BitIterator(bits))
            if (EventOf(n) == (int)PmuEvent.SwIncr) Add(n, 1);
        Reconfigure();
    }

    /// <summary>
    /// PMCEID0_EL0 (events 0x00-0x1F) and PMCEID1_EL0 (0x20-0x3F): the common events counted, one bit each.
    /// BR_MIS_PRED and BR_PRED are listed only with a branch predictor (<paramref name="predictor"/>: a timing model
    /// other than flat, <see cref="Cpu.BranchPredictor"/>).
    /// </summary>
    internal static ulong CommonEventIds(int half, bool predictor)
    {
        ulong bits = 0;
        foreach (var e in Enum.GetValues<PmuEvent>())
        {
            int number = (int)e;
            if ((predictor || e is not (PmuEvent.BrMisPred or PmuEvent.BrPred)) && number >> 5 == half) bits |= 1UL << (number & 31);
        }
        return bits;
    }

    // ---- Events from the CPU ----

    /// <summary>
    /// An exception is about to be taken from the current EL (AArch64.TakeException). <paramref name="inProgress"/>: an
    /// instruction is executing (a synchronous exception): its cycles count at the EL it executed at, and so does the
    /// instruction when it <paramref name="retires"/> (SVC, HVC, SMC: the exception is their execution), not when it
    /// faulted, was UNDEFINED or was trapped (it is not architecturally executed, though the CPU's instruction count
    /// includes it).
    /// </summary>
    internal void ExceptionTaking(bool inProgress, bool retires)
    {
        SyncIncluding(inProgress, retires);
        Record(PmuEvent.ExcTaken);
    }

    /// <summary>ERET is executing at the current EL (AArch64.ExceptionReturn), before PSTATE changes.</summary>
    internal void ExceptionReturning()
    {
        SyncIncluding(true, retires: true);
        Record(PmuEvent.ExcReturn);
    }

    /// <summary>After an exception entry or return changed PSTATE.EL: re-evaluates what counts.</summary>
    internal void ElChanged() => Reconfigure();

    /// <summary>
    /// The CPU left WFI or WFE: an instruction counter's overflow deadline, left out while nothing could retire,
    /// is scheduled again.
    /// </summary>
    internal void Woke()
    {
        if (!_instructionDeadlineDeferred) return;
        _instructionDeadlineDeferred = false;
        Sync();
        ScheduleOverflow();
    }

    /// <summary>
    /// An instruction stepped while <see cref="NeedsInstructionStream"/> retired without an exception (called after
    /// its handler, before the CPU counts it), having made <paramref name="fetchWalks"/> translation table walks for its
    /// fetch and <paramref name="dataWalks"/> for its data accesses.
    /// </summary>
    internal void Retired(A64.A64Encoding encoding, uint word, long fetchWalks, long dataWalks)
    {
        var kind = PmuInstructionClassifier.Classify(encoding, word);
        int loads = (kind & PmuInstructionKind.Load) != 0 ? 1 : 0, stores = (kind & PmuInstructionKind.Store) != 0 ? 1 : 0;
        foreach (int n in new BitIterator(_countsStream))
        {
            ulong add = EventOf(n) switch
            {
                (int)PmuEvent.LdRetired => (ulong)loads,
                (int)PmuEvent.StRetired => (ulong)stores,
                (int)PmuEvent.MemAccess => (ulong)(loads + stores),
                (int)PmuEvent.BrRetired => (kind & PmuInstructionKind.Branch) != 0 ? 1UL : 0,
                (int)PmuEvent.L1iTlbRefill => (ulong)fetchWalks,
                (int)PmuEvent.L1dTlbRefill => (ulong)dataWalks,
                _ => 0,
            };
            if (add != 0) Add(n, add);
        }
    }

    /// <summary>Cold reset: the counters, enables and flags are UNKNOWN on reset, here zero.</summary>
    internal void Reset()
    {
        Array.Clear(_counter);
        Array.Clear(_type);
        _pmcr = 0;
        _enabled = _interruptEnabled = _overflow = 0;
        _cycleResidue = 0;
        UserEnable = 0;
        Select = 0;
        _syncCycles = _cpu.State.Cycles;
        _syncInstructions = _cpu.State.Instructions;
        _syncPredicted = _cpu.BranchPredictor?.Predicted ?? 0;
        _syncMispredicted = _cpu.BranchPredictor?.Mispredicted ?? 0;
        Reconfigure();
    }

    /// <summary>Writes the counters, their types and enables, PMCR_EL0, and what counts now (for <c>Cpu.SaveState</c>).</summary>
    internal void SaveState(SnapshotWriter w)
    {
        w.Section("pmu");
        w.Write(_counter);
        w.Write(_type);
        w.Write(_pmcr);
        w.Write(_enabled);
        w.Write(_interruptEnabled);
        w.Write(_overflow);
        w.Write(_cycleResidue);
        w.Write(_counting);
        w.Write(_countsCycles);
        w.Write(_countsInstructions);
        w.Write(_countsStream);
        w.Write(_syncCycles);
        w.Write(_syncInstructions);
        w.Write(_instructionDeadlineDeferred);
        w.Write(UserEnable);
        w.Write(Select);
        w.Write(_overflowEvent);
        w.Write(_leaveCompiledCode);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives PMUIRQ from it.</summary>
    internal void RestoreState(SnapshotReader r)
    {
        r.Section("pmu");
        r.Read(_counter, "PMU counters");
        r.Read(_type, "PMU event types");
        _pmcr = r.ReadUInt64();
        _enabled = r.ReadUInt32();
        _interruptEnabled = r.ReadUInt32();
        _overflow = r.ReadUInt32();
        _cycleResidue = r.ReadUInt64();
        _counting = r.ReadUInt32();
        _countsCycles = r.ReadUInt32();
        _countsInstructions = r.ReadUInt32();
        _countsStream = r.ReadUInt32();
        // (not saved, so that a snapshot's format does not depend on the timing model: derived from what counts)
        _countsPredicted = _countsMispredicted = 0;
        foreach (int n in new BitIterator(_counting))
        {
            if (EventOf(n) == (int)PmuEvent.BrPred) _countsPredicted |= 1u << n;
            if (EventOf(n) == (int)PmuEvent.BrMisPred) _countsMispredicted |= 1u << n;
        }
        _syncCycles = r.ReadUInt64();
        _syncInstructions = r.ReadUInt64();
        _instructionDeadlineDeferred = r.ReadBool();
        UserEnable = r.ReadUInt64();
        Select = r.ReadUInt64();
        _overflowEvent = r.ReadEvent(_cpu.Clock, _overflowEvent, OnOverflowDeadline);
        _leaveCompiledCode = r.ReadEvent(_cpu.Clock, _leaveCompiledCode, static () => { });
        UpdateInterrupt();
    }

    /// <summary>The predictor counts BR_PRED and BR_MIS_PRED were last synchronised at (saved with the timing model's state).</summary>
    internal (ulong Predicted, ulong Mispredicted) PredictorSync
    {
        get => (_syncPredicted, _syncMispredicted);
        set => (_syncPredicted, _syncMispredicted) = value;
    }

    /// <summary>Brings the counting counters up to date with the CPU's cycle and instruction counts.</summary>
    internal void Sync()
    {
        ulong cycles = _cpu.State.Cycles, instructions = _cpu.State.Instructions;
        // The CPU's counters only move forward between synchronisations (an engine resets them to the faulting
        // instruction only within the instructions not yet observed).
        if (cycles > _syncCycles)
        {
            ulong delta = cycles - _syncCycles;
            foreach (int n in new BitIterator(_countsCycles)) AddCycles(n, delta);
            _syncCycles = cycles;
        }
        if (instructions > _syncInstructions)
        {
            ulong delta = instructions - _syncInstructions;
            foreach (int n in new BitIterator(_countsInstructions)) Add(n, delta);
            _syncInstructions = instructions;
        }
        // BR_PRED and BR_MIS_PRED: the timing model's predictor counts them in every engine, as the CPU counts cycles.
        if (_cpu.BranchPredictor is { } predictor)
        {
            ulong predicted = predictor.Predicted, mispredicted = predictor.Mispredicted;
            foreach (int n in new BitIterator(_countsPredicted)) Add(n, predicted - _syncPredicted);
            foreach (int n in new BitIterator(_countsMispredicted)) Add(n, mispredicted - _syncMispredicted);
            _syncPredicted = predicted;
            _syncMispredicted = mispredicted;
        }
    }

    // Sync, counting the instruction in progress at the current EL when there is one: its cycles, and itself when it
    // retires.
    private void SyncIncluding(bool inProgress, bool retires)
    {
        Sync();
        if (!inProgress) return;
        ulong cpi = _cpu.InProgressCycles;
        foreach (int n in new BitIterator(_countsCycles)) AddCycles(n, cpi);
        if (retires)
            foreach (int n in new BitIterator(_countsInstructions)) Add(n, 1);
        _syncCycles += cpi;
        _syncInstructions += 1;
    }

    /// <summary>Re-evaluates which counters count at the current EL, the overflow deadline and the interrupt request.</summary>
    internal void Reconfigure()
    {
        uint counting = 0, cycles = 0, instructions = 0, stream = 0, predicted = 0, mispredicted = 0;
        foreach (int n in new BitIterator(ImplementedCounters))
        {
            if (!CountsNow(n)) continue;
            counting |= 1u << n;
            int e = EventOf(n);
            switch (e)
            {
                case (int)PmuEvent.CpuCycles: cycles |= 1u << n; break;
                case (int)PmuEvent.InstRetired or (int)PmuEvent.InstSpec: instructions |= 1u << n; break;
                case (int)PmuEvent.BrPred: predicted |= 1u << n; break;
                case (int)PmuEvent.BrMisPred: mispredicted |= 1u << n; break;
                case (int)PmuEvent.LdRetired or (int)PmuEvent.StRetired or (int)PmuEvent.MemAccess or (int)PmuEvent.BrRetired
                    or (int)PmuEvent.L1iTlbRefill or (int)PmuEvent.L1dTlbRefill:
                    stream |= 1u << n;
                    break;
            }
        }
        bool streamStarts = stream != 0 && _countsStream == 0;
        _counting = counting;
        _countsCycles = cycles;
        _countsInstructions = instructions;
        _countsStream = stream;
        _countsPredicted = predicted;
        _countsMispredicted = mispredicted;
        // Compiled code runs until the next clock deadline: an event due now makes it leave at the end of this
        // instruction, after which the execution loop sees NeedsInstructionStream and steps.
        if (streamStarts)
        {
            if (_leaveCompiledCode == null) _leaveCompiledCode = _cpu.Clock.Schedule(_cpu.State.Cycles, static () => { });
            else _cpu.Clock.Reschedule(_leaveCompiledCode, _cpu.State.Cycles);
        }
        ScheduleOverflow();
        UpdateInterrupt();
    }

    // The event counter n's event, or CPU_CYCLES for the cycle counter.
    private int EventOf(int n) => n == CycleCounter ? (int)PmuEvent.CpuCycles : (int)(_type[n] & 0x3FF);

    private bool Below2WithEl2 => _cpu.State.EL < 2 && _cpu.IsEl2Enabled;

    private int Hpmn => (int)(_cpu.Sys.Mdcr[2] & MdcrHpmnMask);

    // PMCR_EL0.E, or MDCR_EL2.HPME for the event counters HPMN reserves for EL2 (shared/debug/pmu PMUCounterIsEnabled).
    private bool GloballyEnabled(int n) =>
        n != CycleCounter && _cpu.IsEl2Enabled && n >= Hpmn ? (_cpu.Sys.Mdcr[2] & MdcrHpme) != 0 : (_pmcr & PmcrE) != 0;

    // Whether counter n counts at the current EL and security state: enabled, not prohibited (Secure state without
    // MDCR_EL3.SPME; the cycle counter only when PMCR_EL0.DP is set) and not filtered by its PMEVTYPER/PMCCFILTR.
    private bool CountsNow(int n)
    {
        if ((_enabled & (1u << n)) == 0 || !GloballyEnabled(n)) return false;
        var cfg = _cpu.Configuration;
        int el = _cpu.State.EL;
        bool secure = cfg.HasEl3 && (el == 3 || (_cpu.Sys.Scr & 1) == 0);
        bool prohibited = secure && (_cpu.Sys.Mdcr[3] & MdcrEl3Spme) == 0;
        if (prohibited && (n != CycleCounter || (_pmcr & PmcrDp) != 0)) return false;
        ulong t = _type[n];
        bool p = (t & FilterP) != 0, u = (t & FilterU) != 0;
        bool filtered = el switch
        {
            0 => secure ? u : u != ((t & FilterNsu) != 0),
            1 => secure ? p : p != ((t & FilterNsk) != 0),
            2 => (t & FilterNsh) == 0,
            _ => ((t & FilterM) != 0) != p,
        };
        return !filtered;
    }

    // Counts a discrete event on every counter that counts it now.
    private void Record(PmuEvent e)
    {
        foreach (int n in new BitIterator(_counting))
            if (n != CycleCounter && EventOf(n) == (int)e) Add(n, 1);
    }

    private void AddCycles(int n, ulong cycles)
    {
        if (n == CycleCounter && (_pmcr & PmcrD) != 0)
        {
            // PMCR_EL0.D: PMCCNTR_EL0 counts once every 64 cycles.
            ulong total = _cycleResidue + cycles;
            _cycleResidue = total & 63;
            cycles = total >> 6;
            if (cycles == 0) return;
        }
        Add(n, cycles);
    }

    // Adds to counter n, setting its overflow flag when it wraps (the cycle counter at bit 63 with PMCR_EL0.LC, else
    // at bit 31; event counters at bit 31) and counting CHAIN on the odd counter above an even one that wrapped.
    private void Add(int n, ulong delta)
    {
        ulong old = _counter[n];
        ulong wraps;
        if (n == CycleCounter)
        {
            ulong value = old + delta;
            wraps = (_pmcr & PmcrLc) != 0 ? (value < old ? 1UL : 0) : ((old & 0xFFFF_FFFF) + delta) >> 32;
            _counter[n] = value;
        }
        else
        {
            ulong value = old + delta;
            wraps = value >> 32;
            _counter[n] = value & 0xFFFF_FFFF;
        }
        if (wraps == 0) return;
        _overflow |= 1u << n;
        if (n != CycleCounter && (n & 1) == 0 && n + 1 < EventCounters && (_counting & (1u << (n + 1))) != 0
            && EventOf(n + 1) == (int)PmuEvent.Chain)
            Add(n + 1, wraps);
        UpdateInterrupt();
    }

    // PMUIRQ (shared/debug/pmu CheckForPMUOverflow): an overflow flag set with its interrupt enabled, for a counter
    // whose PMCR_EL0.E (or MDCR_EL2.HPME) is set.
    private void UpdateInterrupt()
    {
        bool request = false;
        foreach (int n in new BitIterator(_overflow & _interruptEnabled & ImplementedCounters))
            request |= GloballyEnabled(n);
        Interrupt.Set(request);
    }

    // Schedules a clock event at the first cycle where a cycle- or instruction-counting counter can wrap: the cycle
    // exactly, the instruction count as a lower bound (each instruction costs at least CyclesPerInstruction cycles),
    // re-armed when it fires before the wrap. Only the interrupt needs the deadline (an overflow flag or a CHAIN count
    // is brought up to date by the next synchronisation): counters whose overflow can raise no interrupt, themselves or
    // through the CHAIN counter above them, schedule nothing. While the CPU waits no instruction retires: an
    // instruction counter's deadline is left out until it wakes (Woke), so that a WFI nothing else can end still halts.
    private void ScheduleOverflow()
    {
        _instructionDeadlineDeferred = false;
        uint observed = _interruptEnabled;
        for (int n = 0; n + 1 < EventCounters; n += 2)
            if ((_interruptEnabled & (1u << (n + 1))) != 0 && EventOf(n + 1) == (int)PmuEvent.Chain) observed |= 1u << n;
        ulong soonest = ulong.MaxValue;
        foreach (int n in new BitIterator(_countsCycles & observed))
        {
            ulong remaining;
            if (n == CycleCounter)
            {
                remaining = (_pmcr & PmcrLc) != 0 ? ulong.MaxValue - _counter[n] + 1 : (1UL << 32) - (_counter[n] & 0xFFFF_FFFF);
                if (remaining == 0) remaining = ulong.MaxValue; // (2^64 - 0: far enough)
                if ((_pmcr & PmcrD) != 0) remaining = remaining > ulong.MaxValue >> 6 ? ulong.MaxValue : remaining * 64 - _cycleResidue;
            }
            else remaining = (1UL << 32) - _counter[n];
            soonest = Math.Min(soonest, remaining);
        }
        ulong cpi = Math.Max(1UL, _cpu.CyclesPerInstruction);
        ulong width = (ulong)_cpu.MaximumInstructionsPerCycle; // a timing model retires up to this many per cycle
        foreach (int n in new BitIterator(_countsInstructions & observed))
        {
            if (_cpu.IsWaiting)
            {
                _instructionDeadlineDeferred = true;
                continue;
            }
            ulong remaining = (1UL << 32) - _counter[n];
            soonest = Math.Min(soonest, width > 1 ? Math.Max(1, remaining / width) : remaining > ulong.MaxValue / cpi ? ulong.MaxValue : remaining * cpi);
        }
        // BR_PRED and BR_MIS_PRED (a timing model's predictor): a predicted branch is an instruction, so BR_PRED wraps no
        // sooner than an instruction counter would; each mispredicted branch adds the model's penalty to the cycles
        // when it retires, so BR_MIS_PRED wraps no sooner than that many penalties ahead, and the deadline at exactly
        // that cycle stops the CPU right after the branch that wraps it when every branch before it mispredicted.
        if (_cpu.BranchPredictor is { } predictor)
        {
            foreach (int n in new BitIterator((_countsPredicted | _countsMispredicted) & observed))
            {
                if (_cpu.IsWaiting)
                {
                    _instructionDeadlineDeferred = true;
                    continue;
                }
                ulong remaining = (1UL << 32) - _counter[n];
                soonest = Math.Min(soonest, (_countsMispredicted & (1u << n)) != 0
                    ? Math.Max(1, remaining * predictor.Penalty)
                    : width > 1 ? Math.Max(1, remaining / width) : remaining);
            }
        }
        if (soonest == ulong.MaxValue || _syncCycles > ulong.MaxValue - soonest)
        {
            _overflowEvent?.Cancel();
            return;
        }
        ulong deadline = _syncCycles + soonest;
        if (_overflowEvent == null) _overflowEvent = _cpu.Clock.Schedule(deadline, OnOverflowDeadline);
        else if (_overflowEvent.Cancelled || _overflowEvent.Deadline != deadline) _cpu.Clock.Reschedule(_overflowEvent, deadline);
    }

    private void OnOverflowDeadline()
    {
        Sync();
        ScheduleOverflow();
    }

    // Enumerates the set bits of a mask, lowest first, without allocating.
    private ref struct BitIterator(uint bits)
    {
        private uint _bits = bits;

        public readonly BitIterator GetEnumerator() => this;

        public int Current { get; private set; }

        public bool MoveNext()
        {
            if (_bits == 0) return false;
            Current = BitOperations.TrailingZeroCount(_bits);
            _bits &= _bits - 1;
            return true;
        }
    }
}

/// <summary>The PMU's SET/CLR register pairs.</summary>
internal enum PmuSetClear
{
    /// <summary>PMCNTENSET_EL0 / PMCNTENCLR_EL0.</summary>
    CounterEnable,
    /// <summary>PMINTENSET_EL1 / PMINTENCLR_EL1.</summary>
    InterruptEnable,
    /// <summary>PMOVSSET_EL0 / PMOVSCLR_EL0.</summary>
    Overflow,
}
