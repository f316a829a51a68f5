using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ArmVirt.Core;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// A deterministic branch predictor for the timing models: 2-bit saturating counters indexed by PC bits for the
/// conditional branches (B.cond, CBZ/CBNZ, TBZ/TBNZ), a last-target table for BR and BLR, a return stack pushed by BL
/// and BLR and popped by RET; B and BL always predicted (a BTB that always hits). The cores' own predictors (global
/// history, Cortex-A57's indirect predictor) are not published in enough detail to copy: README, "Approximations".
/// Counts the events PMUv3 reports as BR_PRED (0x12) and BR_MIS_PRED (0x10).
/// </summary>
internal sealed class BranchPredictor
{
    private readonly byte[] _counters;
    private readonly ulong[] _targets;
    private readonly ulong[] _returns;
    private int _top, _depth;
    private readonly ulong _taken, _penalty;

    /// <summary>Creates the predictor of <paramref name="model"/>, in its reset state.</summary>
    public BranchPredictor(TimingModel model)
    {
        // Pinned: compiled regions address a branch's counter and the counts directly (CounterAddress, CountsAddress).
        _counters = GC.AllocateArray<byte>(model.ConditionalEntries, pinned: true);
        _targets = new ulong[model.IndirectEntries];
        _returns = new ulong[model.ReturnStackDepth];
        _taken = model.TakenBranchCycles;
        _penalty = model.MispredictPenalty;
        _conditional = GC.AllocateArray<uint>(8, pinned: true);
        for (uint counter = 0; counter < 4; counter++)
        {
            for (uint taken = 0; taken < 2; taken++)
            {
                uint next = taken != 0 ? Math.Min(counter + 1, 3) : counter == 0 ? 0 : counter - 1;
                uint miss = (counter >> 1) ^ taken; // predicted taken for a counter of 2 or 3
                ulong cycles = taken * _taken + miss * _penalty;
                if (cycles >= 1u << 23) throw new ArgumentException($"timing model {model.Name}: a branch's charge of {cycles} cycles does not fit the predictor's table", nameof(model));
                _conditional[counter * 2 + taken] = next | miss << 8 | (uint)cycles << 9;
            }
        }
        Reset();
    }

    // The conditional branch rule as a table (ConditionalAt), pinned, indexed by counter * 2 + taken: bits 1:0 the
    // counter saturated towards the outcome, bit 8 whether the prediction missed, bits 31:9 the cycles charged.
    private readonly uint[] _conditional;

    // BR_PRED and BR_MIS_PRED, pinned: compiled regions count into them (ConditionalAt, BranchAt).
    private readonly ulong[] _counts = GC.AllocateArray<ulong>(2, pinned: true);

    /// <summary>Predictable branches executed (BR_PRED).</summary>
    public ulong Predicted { get => _counts[0]; private set => _counts[0] = value; }

    /// <summary>Branches mispredicted (BR_MIS_PRED).</summary>
    public ulong Mispredicted { get => _counts[1]; private set => _counts[1] = value; }

    /// <summary>The cycles a taken branch adds (the model's <see cref="TimingModel.TakenBranchCycles"/>).</summary>
    public ulong TakenCycles => _taken;

    /// <summary>The cycles a mispredicted branch adds (the model's <see cref="TimingModel.MispredictPenalty"/>).</summary>
    public ulong Penalty => _penalty;

    /// <summary>The address of the 2-bit counter of the conditional branch at <paramref name="pc"/> (pinned).</summary>
    public unsafe byte* CounterAddress(ulong pc) => (byte*)Unsafe.AsPointer(ref _counters[(int)(pc >> 2) & (_counters.Length - 1)]);

    /// <summary>The address of the counts: BR_PRED, then BR_MIS_PRED (pinned).</summary>
    public unsafe ulong* CountsAddress => (ulong*)Unsafe.AsPointer(ref _counts[0]);

    /// <summary>Counters weakly not taken, empty tables and return stack, event counts zero.</summary>
    public void Reset()
    {
        Array.Fill(_counters, (byte)1);
        Array.Clear(_targets);
        _top = _depth = 0;
        Predicted = Mispredicted = 0;
    }

    /// <summary>
    /// Branch <paramref name="c"/> at <paramref name="pc"/> retired with the next instruction at <paramref name="next"/>:
    /// updates the tables and returns true when it was mispredicted.
    /// </summary>
    public bool Retire(TimingClass c, ulong pc, ulong next)
    {
        ulong before = Mispredicted;
        Charge(c, pc, next);
        return Mispredicted != before;
    }

    /// <summary>
    /// <see cref="Retire"/> priced: the cycles branch <paramref name="c"/> at <paramref name="pc"/> adds after it retired
    /// with the next instruction at <paramref name="next"/> (the model's taken-branch bubble when it did not fall
    /// through, its mispredict penalty when the predictor missed). The interpreter and the blocks call this; compiled
    /// regions call the per-kind methods below, which it dispatches to, so that RyuJIT inlines them at each branch.
    /// </summary>
    public ulong Charge(TimingClass c, ulong pc, ulong next) => c switch
    {
        TimingClass.ConditionalBranch => ChargeConditional(pc, next != pc + 4),
        TimingClass.Call => ChargeCall(pc, next),
        TimingClass.IndirectBranch => ChargeIndirect(pc, next),
        TimingClass.IndirectCall => ChargeIndirectCall(pc, next),
        TimingClass.Return => ChargeReturn(pc, next),
        _ => ChargeBranch(pc, next),
    };

    // The charge of a branch that went to `next` from pc: the taken bubble unless it fell through, plus the penalty.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Priced(ulong pc, ulong next, bool miss) => PricedFrom(next, pc + 4, miss);

    /// <summary>
    /// B.cond, CBZ/CBNZ, TBZ/TBNZ at <paramref name="pc"/>, <paramref name="taken"/> meaning "did not fall through" (a
    /// branch to pc + 4 is never taken): the 2-bit counter at PC[13:2] (<see cref="ConditionalAt"/>).
    /// </summary>
    public unsafe ulong ChargeConditional(ulong pc, bool taken) =>
        ConditionalAt(CounterAddress(pc), CountsAddress, ConditionalTableAddress, taken ? 1u : 0u);

    /// <summary>The address of the conditional branch rule's table (pinned; see <see cref="ConditionalAt"/>).</summary>
    public unsafe uint* ConditionalTableAddress => (uint*)Unsafe.AsPointer(ref _conditional[0]);

    /// <summary>
    /// The conditional branch rule on its counter at <paramref name="counter"/>: predicted taken when the counter is 2 or
    /// 3; the counter saturates towards the outcome (<paramref name="taken"/>: 1 or 0); the counts at
    /// <paramref name="counts"/> (BR_PRED, BR_MIS_PRED) advance. Returns the cycles charged. One load from the model's
    /// table at <paramref name="table"/> (indexed by counter * 2 + taken: the new counter, the miss and the cycles)
    /// gives all three, so that compiled regions, which call it with constant addresses, inline it into a dozen host
    /// instructions without a host branch on the guest's outcome (which may be as random as a sort's compares).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ulong ConditionalAt(byte* counter, ulong* counts, uint* table, uint taken)
    {
        uint e = table[(uint)*counter * 2 + taken];
        *counter = (byte)e;
        counts[0]++;
        counts[1] += (e >> 8) & 1;
        return e >> 9;
    }

    /// <summary>A branch always predicted (B), at the counts at <paramref name="counts"/>: <paramref name="cycles"/>, its charge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ulong BranchAt(ulong* counts, ulong cycles)
    {
        counts[0]++;
        return cycles;
    }

    /// <summary>B at <paramref name="pc"/> (always predicted).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe ulong ChargeBranch(ulong pc, ulong next) => BranchAt(CountsAddress, next != pc + 4 ? _taken : 0);

    /// <summary>BL at <paramref name="pc"/>: always predicted, pushes the return address.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ChargeCall(ulong pc, ulong next)
    {
        Push(pc + 4);
        return Priced(pc, next, false);
    }

    /// <summary>BR at <paramref name="pc"/>: the last target of its entry in the target table.</summary>
    public ulong ChargeIndirect(ulong pc, ulong next) => Priced(pc, next, IndirectMiss(pc, next));

    /// <summary>BLR at <paramref name="pc"/>: as BR, and pushes the return address.</summary>
    public ulong ChargeIndirectCall(ulong pc, ulong next)
    {
        bool miss = IndirectMiss(pc, next);
        Push(pc + 4);
        return Priced(pc, next, miss);
    }

    /// <summary>RET at <paramref name="pc"/>: the return stack's top (a miss when it is empty).</summary>
    public ulong ChargeReturn(ulong pc, ulong next) => Priced(pc, next, _depth == 0 || Pop() != next);

    private bool IndirectMiss(ulong pc, ulong next)
    {
        ref ulong target = ref _targets[(int)((pc >> 2) ^ (pc >> 12)) & (_targets.Length - 1)];
        bool miss = target != next;
        target = next;
        return miss;
    }

    /// <summary>Writes the tables, the return stack and the counts (for <c>Cpu.SaveState</c>).</summary>
    public void SaveState(SnapshotWriter w)
    {
        w.Write(_counters);
        w.Write(_targets);
        w.Write(_returns);
        w.Write(_top);
        w.Write(_depth);
        w.Write(Predicted);
        w.Write(Mispredicted);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote (into a predictor of the same model).</summary>
    public void RestoreState(SnapshotReader r)
    {
        r.Read(_counters, "branch predictor counters");
        r.Read(_targets, "branch target table");
        r.Read(_returns, "return stack");
        _top = r.ReadInt32(0, _returns.Length - 1, "return stack top");
        _depth = r.ReadInt32(0, _returns.Length, "return stack depth");
        Predicted = r.ReadUInt64();
        Mispredicted = r.ReadUInt64();
    }

    private void Push(ulong address)
    {
        if (++_top == _returns.Length) _top = 0; // (no division: compiled regions call this at every BL)
        _returns[_top] = address;
        _depth = Math.Min(_depth + 1, _returns.Length);
    }

    private ulong Pop()
    {
        ulong a = _returns[_top];
        if (--_top < 0) _top = _returns.Length - 1;
        _depth--;
        return a;
    }

    /// <summary>
    /// An AArch32 branch of kind <paramref name="c"/> (<see cref="A32TimingClassifier"/>) at <paramref name="pc"/>,
    /// <paramref name="size"/> bytes long (2 for a 16-bit T32 instruction), retired with the next instruction at
    /// <paramref name="next"/>. A branch whose condition is not AL (<paramref name="conditional"/>: A32's cond field, T32's
    /// B&lt;c&gt; or IT block) is predicted in direction by its counter, as B.cond: B&lt;c&gt; always, the other kinds when
    /// they fell through (their condition failed); a conditional BX LR, POP {PC} or BL that branched is charged as its
    /// kind (the return stack, the target table, the push). The rule reads only where the branch went, so that every
    /// engine, which sees that and not the condition's outcome, gives the same charge.
    /// </summary>
    public ulong ChargeAarch32(TimingClass c, bool conditional, ulong pc, ulong next, uint size)
    {
        ulong fallThrough = pc + size;
        bool taken = next != fallThrough;
        if (c == TimingClass.ConditionalBranch || (conditional && (c == TimingClass.Branch || !taken))) return ChargeConditional(pc, taken);
        switch (c)
        {
            case TimingClass.Branch:
                return PricedFrom(next, fallThrough, false);
            case TimingClass.Call:
                Push(fallThrough);
                return PricedFrom(next, fallThrough, false);
            case TimingClass.IndirectCall:
                bool miss = IndirectMiss(pc, next);
                Push(fallThrough);
                return PricedFrom(next, fallThrough, miss);
            case TimingClass.Return:
                return PricedFrom(next, fallThrough, _depth == 0 || Pop() != next);
            default:
                return PricedFrom(next, fallThrough, IndirectMiss(pc, next));
        }
    }

    // Priced for a branch whose fall-through (not taken) address is fallThrough.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong PricedFrom(ulong next, ulong fallThrough, bool miss)
    {
        _counts[0]++;
        ulong cycles = next != fallThrough ? _taken : 0;
        if (miss)
        {
            _counts[1]++;
            cycles += _penalty;
        }
        return cycles;
    }

    /// <summary>True for the classes <see cref="Retire"/> predicts.</summary>
    public static bool Predicts(TimingClass c) =>
        c is TimingClass.Branch or TimingClass.Call or TimingClass.ConditionalBranch or TimingClass.IndirectBranch
            or TimingClass.IndirectCall or TimingClass.Return;
}
