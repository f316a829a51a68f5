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

    /// <summary>Creates the predictor of <paramref name="model"/>, in its reset state.</summary>
    public BranchPredictor(TimingModel model)
    {
        _counters = new byte[model.ConditionalEntries];
        _targets = new ulong[model.IndirectEntries];
        _returns = new ulong[model.ReturnStackDepth];
        Reset();
    }

    /// <summary>Predictable branches executed (BR_PRED).</summary>
    public ulong Predicted { get; private set; }

    /// <summary>Branches mispredicted (BR_MIS_PRED).</summary>
    public ulong Mispredicted { get; private set; }

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
        Predicted++;
        bool miss;
        switch (c)
        {
            case TimingClass.ConditionalBranch:
            {
                ref byte counter = ref _counters[(int)(pc >> 2) & (_counters.Length - 1)];
                bool taken = next != pc + 4;
                miss = (counter >= 2) != taken;
                counter = taken ? (byte)Math.Min(3, counter + 1) : (byte)Math.Max(0, counter - 1);
                break;
            }
            case TimingClass.Call:
                Push(pc + 4);
                miss = false;
                break;
            case TimingClass.IndirectBranch or TimingClass.IndirectCall:
            {
                ref ulong target = ref _targets[(int)((pc >> 2) ^ (pc >> 12)) & (_targets.Length - 1)];
                miss = target != next;
                target = next;
                if (c == TimingClass.IndirectCall) Push(pc + 4);
                break;
            }
            case TimingClass.Return:
                miss = _depth == 0 || Pop() != next;
                break;
            default:
                miss = false;
                break;
        }
        if (miss) Mispredicted++;
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
        _top = (_top + 1) % _returns.Length;
        _returns[_top] = address;
        _depth = Math.Min(_depth + 1, _returns.Length);
    }

    private ulong Pop()
    {
        ulong a = _returns[_top];
        _top = (_top + _returns.Length - 1) % _returns.Length;
        _depth--;
        return a;
    }

    /// <summary>True for the classes <see cref="Retire"/> predicts.</summary>
    public static bool Predicts(TimingClass c) =>
        c is TimingClass.Branch or TimingClass.Call or TimingClass.ConditionalBranch or TimingClass.IndirectBranch
            or TimingClass.IndirectCall or TimingClass.Return;
}
