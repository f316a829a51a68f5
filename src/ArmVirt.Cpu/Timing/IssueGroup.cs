using ArmVirt.Core;

namespace ArmVirt.Cpu.Timing;

/// <summary>
/// The in-order issue rule of a <see cref="TimingModel"/>, over an issue group: the instructions of one aligned
/// 16-byte fetch group (four A64 instructions) executed one after the other, up to the end of the group or the first
/// instruction that ends a block (<see cref="TimingInstruction.Serial"/>). An instruction joins the cycle of the one
/// before it (costing nothing) when both take one issue cycle, the model's issue width and the pipe's capacity leave
/// room and it does not read that instruction's result; otherwise it starts a new cycle and costs its issue cycles plus,
/// in an in-order model (<see cref="TimingModel.ChargesResultUse"/>) when it reads the previous result, the wait for it
/// (latency less issue). Every engine runs
/// this same function: the interpreter per instruction, the predecoded and compiled blocks once per block.
/// </summary>
internal struct IssueGroup
{
    private TimingInstruction _previous;
    private byte _previousIssue, _previousLatency, _slots;
    private uint _pipes; // 4 bits per TimingPipe: instructions issued to it in the current cycle
    private bool _started;

    /// <summary>The cycles instruction <paramref name="x"/> adds, after those before it in this group.</summary>
    public uint Charge(TimingModel model, in TimingInstruction x)
    {
        var cost = model.CostOf(x.Class);
        int shift = 4 * (int)cost.Pipe;
        bool dependent = _started && x.Reads(_previous);
        uint stall = 0;
        if (dependent && model.ChargesResultUse && _previousLatency > _previousIssue)
            stall = (uint)(_previousLatency - _previousIssue);
        uint charged;
        if (_started && !dependent && cost.Issue == 1 && _previousIssue == 1 && cost.Pipe != TimingPipe.Alone
            && _slots < model.IssueWidth && ((_pipes >> shift) & 0xF) < model.CapacityOf(cost.Pipe))
        {
            _slots++;
            _pipes += 1u << shift;
            charged = 0;
        }
        else
        {
            _slots = 1;
            _pipes = 1u << shift;
            charged = cost.Issue + stall;
        }
        _previous = x;
        _previousIssue = cost.Pipe == TimingPipe.Alone ? (byte)2 : cost.Issue; // nothing pairs with an instruction that issues alone
        _previousLatency = cost.Latency;
        _started = true;
        return charged;
    }

    /// <summary>Writes the group's state (for <c>Cpu.SaveState</c>).</summary>
    internal readonly void SaveState(SnapshotWriter w)
    {
        w.Write((byte)_previous.Class);
        w.Write(_previous.Serial);
        w.Write((uint)_previous.Dest);
        w.Write(_previous.Sources);
        w.Write(_previousIssue);
        w.Write(_previousLatency);
        w.Write(_slots);
        w.Write(_pipes);
        w.Write(_started);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote.</summary>
    internal static IssueGroup RestoreState(SnapshotReader r) => new()
    {
        _previous = new TimingInstruction((TimingClass)r.ReadByte(), r.ReadBool(), (ushort)r.ReadUInt32(), r.ReadUInt32()),
        _previousIssue = r.ReadByte(),
        _previousLatency = r.ReadByte(),
        _slots = r.ReadByte(),
        _pipes = r.ReadUInt32(),
        _started = r.ReadBool(),
    };

    /// <summary>True when the instruction at <paramref name="pc"/> starts a new group: at a 16-byte boundary.</summary>
    public static bool StartsGroup(ulong pc) => (pc & 15) == 0;

    /// <summary>
    /// True when the instruction at <paramref name="pc"/>, <paramref name="size"/> bytes long, ends its group: its last
    /// byte is the group's last (a 32-bit T32 instruction may also cross into the next group, which it then ends).
    /// </summary>
    public static bool EndsAfter(ulong pc, uint size) => ((pc + size) & ~15UL) != (pc & ~15UL);
}
