using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.Timing;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    // The model when it is not flat (null: one cycle per instruction, CyclesPerInstruction, and nothing below runs).
    private TimingModel? _timing;
    private BranchPredictor? _predictor;

    /// <summary>
    /// The timing model this CPU charges cycles by (<c>--timing</c>): <see cref="TimingModel.Flat"/> (the default:
    /// <see cref="CyclesPerInstruction"/> per instruction), <see cref="TimingModel.CortexA53"/> or
    /// <see cref="TimingModel.CortexA57"/>. Both engines give the same cycle counts under every model
    /// (src/ArmVirt.Cpu/Timing/README.md), compiled regions included.
    /// </summary>
    internal TimingModel Timing
    {
        get => _timing ?? TimingModel.Flat;
        init
        {
            _timing = value.IsFlat ? null : value;
            _predictor = _timing == null ? null : new BranchPredictor(_timing);
        }
    }

    /// <summary>The timing model's branch predictor, or null under <see cref="TimingModel.Flat"/>.</summary>
    internal BranchPredictor? BranchPredictor => _predictor;

    // The issue group in progress for the instruction at _issuePc when the instruction count is _issueInstructions (the
    // one before it retired just before, in the same group); any other instruction starts a new group. Kept by the
    // interpreter per instruction, and by the block engines where they leave a block in the middle (TimingLeftBlock).
    private IssueGroup _issueGroup;
    private ulong _issuePc = ulong.MaxValue, _issueInstructions;

    // The cycles of the instruction in progress when the interpreter runs it, and the block running under a model
    // (predecoded or compiled), whose cost table gives them there.
    private ulong _timingInProgress;
    private TranslationBlock? _timingBlock;

    // Set by a dynamic charge inside a block (a translation table walk): the block leaves after the access, so that
    // the interpreter takes the clock deadline at the instruction it would have taken it.
    private bool _timingLeave;

    // Set by JitLoopAgain when it charged the predictor for a self-loop pass that then left: ExecuteChain does not again.
    private bool _timingBranchCharged;

    /// <summary>
    /// The cycles the instruction in progress costs (read at an exception entry or return, and by WFI/WFE): its model
    /// cost, or <see cref="CyclesPerInstruction"/> under the flat model.
    /// </summary>
    internal ulong InProgressCycles
    {
        get
        {
            if (_timing == null) return CyclesPerInstruction;
            var b = _timingBlock;
            if (b?.TimingCosts is { } costs && State.PC >= b.Pc && State.PC < b.EndPc)
                return costs[b.IsAarch32 ? b.Aarch32IndexOf(State.PC) : (int)((State.PC - b.Pc) >> 2)];
            return _timingInProgress;
        }
    }

    /// <summary>The most instructions that retire in one cycle (the model's issue width; 1 under flat): the PMU's lower bound.</summary>
    internal int MaximumInstructionsPerCycle => _timing?.IssueWidth ?? 1;

    // The interpreter's charge for A64 instruction insn at pc: its static cost in its issue group. The group state after
    // it is kept aside until the instruction retires (TimingRetired): one that stops the CPU runs again in the same
    // group, one that takes an exception ends the group.
    private ulong TimingCharge(A64Encoding encoding, uint insn, ulong pc)
    {
        var x = Describe(encoding, insn);
        var group = pc == _issuePc && State.Instructions == _issueInstructions && !IssueGroup.StartsGroup(pc) ? _issueGroup : default;
        ulong cost = group.Charge(_timing!, x);
        _issueNextGroup = group;
        _issueNextPc = x.Serial || IssueGroup.StartsGroup(pc + 4) ? ulong.MaxValue : pc + 4;
        _timingBlock = null;
        _timingInProgress = cost;
        return cost;
    }

    private IssueGroup _issueNextGroup;
    private ulong _issueNextPc;

    // A64 instruction insn at pc retired (no exception), the next at next: its group goes on at pc + 4 when it did not
    // end it; a branch adds the predictor's charge.
    private ulong TimingRetired(A64Encoding encoding, uint insn, ulong pc, ulong next)
    {
        TimingGroupGoesOn(next);
        return TimingBranch(encoding, insn, pc, next);
    }

    // The instruction priced last retired with the next at next: the group goes on there when it did not end.
    private void TimingGroupGoesOn(ulong next)
    {
        if (_issueNextPc == next)
        {
            _issueGroup = _issueNextGroup;
            _issuePc = next;
            _issueInstructions = State.Instructions + 1;
        }
        else _issuePc = ulong.MaxValue;
    }

    // The interpreter's charge for AArch32 instruction `key` at pc (an A32 word, or the key DecodeT32 takes: a T32
    // halfword, with bit 16 inside an IT block, or hw1:hw2), before it executes: as TimingCharge, its static cost in its
    // issue group (A32TimingClassifier: the class from the row and operands, the register fields), plus the cycles a load
    // or store multiple takes beyond the first, which then ends the group. The group is the aligned 16-byte fetch group
    // as for A64, ending after an instruction whose last byte reaches its end (a 32-bit T32 instruction may cross it).
    // A condition that fails costs as one that passes (the instruction still issues to its pipe: the guides give no
    // other figure); a branch's condition is kept for the predictor (TimingRetiredAarch32).
    private ulong TimingChargeAarch32(ulong pc, uint key, bool thumb)
    {
        var decoded = thumb ? DecodeT32(key) : DecodeA32(key);
        var x = DescribeAarch32(decoded, key);
        uint size = thumb && key < 0x2_0000 ? 2u : 4u;
        var group = pc == _issuePc && State.Instructions == _issueInstructions && !IssueGroup.StartsGroup(pc) ? _issueGroup : default;
        ulong cost = group.Charge(_timing!, x.Instruction);
        uint extra = x.Registers > 0 ? _timing!.MultipleCycles(x.Load, x.Registers) : 0;
        cost += extra;
        _issueNextGroup = group;
        _issueNextPc = x.Instruction.Serial || extra != 0 || IssueGroup.EndsAfter(pc, size) ? ulong.MaxValue : pc + size;
        _a32Timing = x;
        _a32Size = size;
        if (x.Branch != TimingClass.Other)
        {
            // CurrentCond: ITSTATE's inside an IT block, else the encoding's (A32 cond, T32 B<c>); read before the
            // instruction runs (ExecuteT32 advances ITSTATE). Whether it passed is seen from where it went.
            var op = decoded.Operands;
            _a32Conditional = (thumb && InItBlock && !op.Unconditional ? State.It >> 4 : op.Cond) < 0xE;
        }
        _timingBlock = null;
        _timingInProgress = cost;
        return cost;
    }

    // The AArch32 instruction TimingChargeAarch32 priced, for its retirement.
    private Aarch32TimingInstruction _a32Timing;
    private uint _a32Size;
    private bool _a32Conditional;

    // AArch32 instruction at pc retired (no exception), the next at next: its group goes on when it did not end it; a
    // branch adds the predictor's charge (BranchPredictor.ChargeAarch32).
    private ulong TimingRetiredAarch32(ulong pc, ulong next)
    {
        TimingGroupGoesOn(next);
        var x = _a32Timing;
        return x.Branch == TimingClass.Other ? 0 : _predictor!.ChargeAarch32(x.Branch, _a32Conditional, pc, next, _a32Size);
    }

    // A32TimingClassifier.Describe through a direct-mapped cache by decoded instruction and key.
    private A32.A32Instruction?[]? _a32TimingCacheRow;
    private uint[]? _a32TimingCacheKey;
    private Aarch32TimingInstruction[]? _a32TimingCacheValue;

    private Aarch32TimingInstruction DescribeAarch32(A32.A32Instruction decoded, uint key)
    {
        if (_a32TimingCacheValue == null)
        {
            _a32TimingCacheRow = new A32.A32Instruction?[1 << TimingCacheBits];
            _a32TimingCacheKey = new uint[1 << TimingCacheBits];
            _a32TimingCacheValue = new Aarch32TimingInstruction[1 << TimingCacheBits];
        }
        int slot = (int)((key ^ (key >> 13) ^ (key >> 24)) & ((1 << TimingCacheBits) - 1));
        if (ReferenceEquals(_a32TimingCacheRow![slot], decoded) && _a32TimingCacheKey![slot] == key) return _a32TimingCacheValue[slot];
        var x = A32TimingClassifier.Describe(decoded, key);
        _a32TimingCacheRow[slot] = decoded;
        _a32TimingCacheKey![slot] = key;
        _a32TimingCacheValue[slot] = x;
        return x;
    }

    // A fetch abort or a software step exception: one integer slot, a new group after it.
    private ulong TimingChargeOther()
    {
        _issuePc = ulong.MaxValue;
        _timingBlock = null;
        return _timingInProgress = _timing!.CostOf(TimingClass.Other).Issue;
    }

    // After A64 instruction insn at pc retired with the next at next: the predictor's charge when it is a branch.
    private ulong TimingBranch(A64Encoding encoding, uint insn, ulong pc, ulong next)
    {
        var c = Describe(encoding, insn).Class;
        return BranchPredictor.Predicts(c) ? TimingBranchCharge(c, pc, next) : 0;
    }

    // TimingClassifier.Describe through a direct-mapped cache by word (the interpreter asks per instruction).
    private const int TimingCacheBits = 12;
    private uint[]? _timingCacheWord;
    private A64Encoding?[]? _timingCacheRow;
    private TimingInstruction[]? _timingCacheValue;

    private TimingInstruction Describe(A64Encoding encoding, uint insn)
    {
        if (_timingCacheValue == null)
        {
            _timingCacheWord = new uint[1 << TimingCacheBits];
            _timingCacheRow = new A64Encoding?[1 << TimingCacheBits];
            _timingCacheValue = new TimingInstruction[1 << TimingCacheBits];
        }
        int slot = (int)((insn ^ (insn >> 13) ^ (insn >> 24)) & ((1 << TimingCacheBits) - 1));
        if (ReferenceEquals(_timingCacheRow![slot], encoding) && _timingCacheWord![slot] == insn) return _timingCacheValue[slot];
        var x = TimingClassifier.Describe(encoding, insn);
        _timingCacheWord![slot] = insn;
        _timingCacheRow[slot] = encoding;
        _timingCacheValue[slot] = x;
        return x;
    }

    private ulong TimingBranchCharge(TimingClass c, ulong pc, ulong next) => _predictor!.Charge(c, pc, next);

    // The predictor's charge for a block whose every instruction retired (its last one, when a branch, ended it).
    private ulong TimingBlockRetired(TranslationBlock block)
    {
        var c = block.TimingLastBranch;
        if (c == TimingClass.Other) return 0;
        if (block.Aarch32 is { } rows)
            return _predictor!.ChargeAarch32(c, block.TimingLastConditional, rows[^1].Pc, State.PC, rows[^1].Size);
        return TimingBranchCharge(c, block.EndPc - 4, State.PC);
    }

    /// <summary>
    /// Gives <paramref name="block"/> its cost table under the current model: each instruction's cycles in its issue
    /// group, the group starting fresh at the block's first instruction (a block is entered only where no group is in
    /// progress: <see cref="TimingGroupInProgressAt"/>), at each 16-byte boundary and after an instruction that ends one.
    /// </summary>
    private void TimingPrepare(TranslationBlock block)
    {
        if (block.TimingCosts != null || block.Length == 0) return;
        int n = block.Length;
        var costs = new ulong[n];
        var prefix = new ulong[n + 1];
        var group = default(IssueGroup);
        for (int i = 0; i < n; i++)
        {
            ulong pc = block.Pc + 4 * (ulong)i;
            if (i > 0 && IssueGroup.StartsGroup(pc)) group = default;
            var x = Describe(block.EncodingArray[i], block.WordArray[i]);
            costs[i] = group.Charge(_timing!, x);
            prefix[i + 1] = prefix[i] + costs[i];
        }
        var last = TimingClassifier.Classify(block.EncodingArray[n - 1], block.WordArray[n - 1]);
        block.TimingLastBranch = BranchPredictor.Predicts(last) ? last : TimingClass.Other;
        block.TimingPrefix = prefix;
        block.TimingCosts = costs; // published last: InProgressCycles and the engines test this one
    }

    /// <summary>True when the instruction at <paramref name="pc"/> continues an issue group: no block may start there.</summary>
    private bool TimingGroupInProgressAt(ulong pc) => pc == _issuePc && State.Instructions == _issueInstructions;

    // A block left with its instruction at State.PC still to run, the one before it retired: the group in progress
    // there, replayed from the group's start in the block (the block started a fresh group).
    private void TimingLeftBlock(TranslationBlock block)
    {
        if (block.IsAarch32)
        {
            TimingLeftAarch32Block(block);
            return;
        }
        ulong next = State.PC;
        if (next <= block.Pc || next >= block.EndPc || IssueGroup.StartsGroup(next)) return;
        ulong from = Math.Max(block.Pc, next & ~15UL);
        var group = default(IssueGroup);
        for (ulong a = from; a < next; a += 4)
        {
            int i = (int)((a - block.Pc) >> 2);
            group.Charge(_timing!, Describe(block.EncodingArray[i], block.WordArray[i]));
        }
        _issueGroup = group;
        _issuePc = next;
        _issueInstructions = State.Instructions;
    }

    /// <summary>
    /// Gives AArch32 <paramref name="block"/> its cost table under the current model, as <see cref="TimingPrepare"/> does
    /// for an A64 block and with the interpreter's AArch32 rule (<see cref="TimingChargeAarch32"/>): the group starting
    /// fresh at the block's first instruction, each instruction's static cost, the predictor kind of its last instruction
    /// and whether its condition is not AL, and the issue group still in progress after the last when the block ends
    /// without ending one (<see cref="TimingBlockEndsInGroup"/>).
    /// </summary>
    private void TimingPrepareAarch32(TranslationBlock block)
    {
        if (block.TimingCosts != null || block.Length == 0) return;
        var rows = block.Aarch32!;
        int n = rows.Length;
        var costs = new ulong[n];
        var prefix = new ulong[n + 1];
        var (group, inGroup) = TimingReplayAarch32(block, n, costs);
        for (int i = 0; i < n; i++) prefix[i + 1] = prefix[i] + costs[i];
        var last = DescribeAarch32Row(block, rows[n - 1]);
        block.TimingLastBranch = last.Branch;
        block.TimingLastConditional = rows[n - 1].Cond < 0xE;
        block.TimingEndGroup = inGroup ? group : null;
        block.TimingPrefix = prefix;
        block.TimingCosts = costs; // published last: InProgressCycles and the engines test this one
    }

    // The issue group in progress before row `upTo` of AArch32 block (the block started a fresh one), replaying the
    // interpreter's rule over rows [0, upTo) (each falls through to the next) and storing their costs when asked. inGroup
    // is false where the instruction at row upTo (or the block's end) starts a new group.
    private (IssueGroup Group, bool InGroup) TimingReplayAarch32(TranslationBlock block, int upTo, ulong[]? costs)
    {
        var rows = block.Aarch32!;
        var group = default(IssueGroup);
        bool inGroup = false;
        for (int i = 0; i < upTo; i++)
        {
            ref readonly var r = ref rows[i];
            if (!inGroup || IssueGroup.StartsGroup(r.Pc)) group = default;
            var x = DescribeAarch32Row(block, r);
            uint extra = x.Registers > 0 ? _timing!.MultipleCycles(x.Load, x.Registers) : 0;
            ulong cost = group.Charge(_timing!, x.Instruction) + extra;
            if (costs != null) costs[i] = cost;
            inGroup = !(x.Instruction.Serial || extra != 0 || IssueGroup.EndsAfter(r.Pc, r.Size));
        }
        ulong end = upTo < rows.Length ? rows[upTo].Pc : block.EndPc;
        return (group, inGroup && !IssueGroup.StartsGroup(end));
    }

    private Aarch32TimingInstruction DescribeAarch32Row(TranslationBlock block, in A32PredecodedInstruction r) =>
        DescribeAarch32(block.InstructionSet == BlockInstructionSet.T32 ? DecodeT32(r.Word) : DecodeA32(r.Word), r.Word);

    // An AArch32 block left with its instruction at State.PC still to run: the interpreter goes on in the group there.
    private void TimingLeftAarch32Block(TranslationBlock block)
    {
        int k = State.PC > block.Pc && State.PC < block.EndPc ? block.Aarch32IndexOf(State.PC) : -1;
        if (k <= 0) return;
        var (group, inGroup) = TimingReplayAarch32(block, k, null);
        if (!inGroup) return;
        _issueGroup = group;
        _issuePc = State.PC;
        _issueInstructions = State.Instructions;
    }

    /// <summary>
    /// After AArch32 <paramref name="block"/> ran to its end and fell through (a block cut by the page or the instruction
    /// cap, not by an instruction that ends its group): true when an issue group is still in progress at its end, which
    /// the interpreter then finishes (no block starts inside a group), with the group handed to it.
    /// </summary>
    private bool TimingBlockEndsInGroup(TranslationBlock block)
    {
        if (block.TimingEndGroup is not { } group || State.PC != block.EndPc) return false;
        _issueGroup = group;
        _issuePc = State.PC;
        _issueInstructions = State.Instructions;
        return true;
    }

    // Cycles that happen inside an instruction (translation table walks): added where they happen in every engine, and
    // to the counters a compiled block recomputes a fault's cycles from; the running block then leaves after the access.
    private void TimingChargeDynamic(ulong cycles)
    {
        State.Cycles += cycles;
        _jitEntryCycles += cycles;
        _timingLeave = true;
    }

    // After a TLB lookup for va that may have walked: walks made since walksBefore, each priced by its descriptor reads.
    private void TimingWalked(long readsBefore, ulong va)
    {
        long reads = _descriptorReads.Reads - readsBefore;
        if (reads <= 0) return;
        TimingChargeDynamic((ulong)reads * _timing!.WalkAccessCycles);
        TimingHostTlbFollows(va);
    }

    // The interpreter translates every instruction's fetch and data access through the MMU TLB, which is direct-mapped:
    // a walk fills va's slot and evicts the page that was there (a page 16 MiB away, the code page's own slot for a
    // data page, or a data page's for a fetch), whose next access then walks too, and under a model each walk costs
    // cycles. A compiled region translates its fetch once, and its loads and stores hit the host TLB, indexed as the MMU
    // TLB is: so, under a model, a walk also drops the host TLB's slot of va when it holds another page, and no compiled
    // access hits a page the MMU TLB no longer holds (it takes the handler and walks as the interpreter does;
    // TimingTests.DataAccessesEvictingTheCodePagesTlbEntryWalkAsInTheInterpreter). (Under flat a walk costs nothing, and the
    // PMU's TLB refill events are counted with the interpreter stepping.)
    private void TimingHostTlbFollows(ulong va)
    {
        if (!_hostTlbKeyed || _hostTlbFlat) return;
        const ulong hostMask = (1UL << HostTlbBits) - 1;
        if (_tlb == null || _tlb.IndexMask != hostMask)
        {
            FlushHostTlb(); // (an MMU TLB sized otherwise: its slot covers other host slots)
            return;
        }
        ulong page = va >> 12;
        ref var e = ref _hostTlb[(int)(page & hostMask)];
        if (e.ReadTag != HostTlbNoTag && e.ReadTag >> 12 != page) e.ReadTag = HostTlbNoTag;
        if (e.WriteTag != HostTlbNoTag && e.WriteTag >> 12 != page) e.WriteTag = HostTlbNoTag;
    }

    // A timing model's state in a snapshot: the predictor, the issue group in progress (a snapshot is taken between
    // instructions, possibly inside a group) and the predictor counts the PMU last synchronised at.
    private void SaveTimingState(Core.SnapshotWriter w)
    {
        w.Section("cpu.timing");
        w.Write(_timing!.Name);
        _predictor!.SaveState(w);
        bool inGroup = TimingGroupInProgressAt(State.PC);
        w.Write(inGroup);
        if (inGroup) _issueGroup.SaveState(w);
        var (predicted, mispredicted) = Pmu.PredictorSync;
        w.Write(predicted);
        w.Write(mispredicted);
    }

    private void RestoreTimingState(Core.SnapshotReader r)
    {
        r.Section("cpu.timing");
        string name = r.ReadString();
        if (name != _timing!.Name) throw new Core.SnapshotFormatException($"timing model {name} in the snapshot where {_timing.Name} is expected");
        _predictor!.RestoreState(r);
        _issuePc = ulong.MaxValue;
        if (r.ReadBool())
        {
            _issueGroup = IssueGroup.RestoreState(r);
            _issuePc = State.PC;
            _issueInstructions = State.Instructions;
        }
        Pmu.PredictorSync = (r.ReadUInt64(), r.ReadUInt64());
    }

    // ---- compiled regions under a model (RegionCompiler.Timing.cs emits the IL that uses these) ----

    /// <summary>
    /// The running region's cycle budget at entry (set by <see cref="JitRegionEnter"/> under a model): the cycles from
    /// its entry to the clock deadline taken there. The region keeps what is left in a local (reserving each basic
    /// block's static cycles at its start, subtracting the predictor's charges at its branches), so that its cycle
    /// count is <c>JitRegionCycles0 + JitRegionCycleBudget0 - left</c> at every exit.
    /// </summary>
    internal long JitRegionCycleBudget0;

    /// <summary>
    /// The region's cycle budget left, stored by its fallback stub before <see cref="JitRunHandlerTimed"/> and read back
    /// after it (with the cycles the handler charged, a walk or an exception entry, taken from it).
    /// </summary>
    internal long JitRegionCycleBudget;

    // The cycle count a region's fallback site set before its handler ran.
    private ulong _timingSiteCycles;

    // Under a model, JitRegionEnter's clock bound: no bound on instructions (one may cost 0 cycles), the cycle budget
    // beside (a basic block is entered only when its last instruction starts before the deadline, as a block's).
    private ulong TimingRegionEnter(ulong cycles, ulong deadline)
    {
        JitRegionCycleBudget0 = deadline <= cycles ? 0 : (long)Math.Min(deadline - cycles, (ulong)long.MaxValue >> 2);
        return ulong.MaxValue;
    }

    // A region's fallback site with State.PC and State.Instructions set for its instruction: its cycle count (the
    // region's count less the site's instructions reserved and not run), the cost in progress (an exception entry or
    // ERET counts it: InProgressCycles) and the issue group it runs in (a stop makes it run again in that group).
    private ulong TimingSiteEntered(in RegionFallbacks.TimingSite t, ulong instructions)
    {
        ulong cycles = JitRegionCycles0 + (ulong)(JitRegionCycleBudget0 - JitRegionCycleBudget) - t.NotRunCycles;
        _timingSiteCycles = cycles;
        _timingBlock = null;
        _timingInProgress = t.Cost;
        if (t.InGroupBefore)
        {
            _issueGroup = t.Before;
            _issuePc = State.PC;
            _issueInstructions = instructions;
        }
        else _issuePc = ulong.MaxValue;
        return cycles;
    }

    /// <summary>
    /// <see cref="JitRunHandler"/> for a region compiled under a timing model: the cycles the handler charged (a walk,
    /// an exception entry) are taken from the region's budget (<see cref="JitRegionCycleBudget"/>); when the region
    /// leaves after the instruction, the cycles of the instructions reserved after it go back to the budget and the
    /// issue group in progress after it is kept for the interpreter, which goes on there.
    /// </summary>
    internal bool JitRunHandlerTimed(RegionFallbacks fallbacks, int site, ulong reserved)
    {
        bool leave = JitRunHandler(fallbacks, site, reserved);
        var s = fallbacks[site];
        if (!s.Sync) return leave; // (integer data processing: no cycles of its own, no exit)
        var t = fallbacks.Timing![site];
        JitRegionCycleBudget -= (long)(State.Cycles - _timingSiteCycles);
        if (leave && !_abortPending)
        {
            JitRegionCycleBudget += (long)(t.NotRunCycles - t.Cost);
            if (t.InGroupAfter)
            {
                _issueGroup = t.After;
                _issuePc = s.Pc + 4;
                _issueInstructions = State.Instructions + 1;
            }
        }
        return leave;
    }

    /// <summary>
    /// Called by a region compiled under a timing model where it leaves inside an issue group (to an instruction
    /// outside it that goes on in the group), after its counters are stored: the interpreter goes on in that group.
    /// </summary>
    internal void JitTimingExitInGroup(RegionFallbacks fallbacks, int index)
    {
        _issueGroup = fallbacks.ExitGroups[index];
        _issuePc = State.PC;
        _issueInstructions = State.Instructions;
    }

    // The block's cycles from instruction `from` to instruction `to` (exclusive), under the model or flat.
    internal static ulong BlockCycles(TranslationBlock block, int from, int to, ulong cpi) =>
        block.TimingPrefix is { } p ? p[to] - p[from] : (ulong)(to - from) * cpi;
}
