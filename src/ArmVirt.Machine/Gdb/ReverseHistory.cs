using ArmVirt.Cpu;

namespace ArmVirt.Machine.Gdb;

/// <summary>
/// The execution history behind the GDB stub's reverse execution (<c>bs</c>, <c>bc</c>), as QEMU's record/replay gives
/// it: checkpoints (whole-machine snapshots, in memory) taken as the machine runs forward under the stub, and
/// deterministic re-execution from the nearest one to any earlier point. A point is the number of instructions the
/// machine has retired (<see cref="Machine.InstructionsExecuted"/>); the history begins where the stub took its first
/// checkpoint. Only for a one-CPU machine whose input is deterministic (none, or a replayed log:
/// <see cref="Machine.InputIsDeterministic"/>): re-execution must repeat what happened. Output the guest already printed
/// is not printed again while it is re-executed.
/// </summary>
internal sealed class ReverseHistory
{
    /// <summary>
    /// Instructions between checkpoints at first; doubled whenever the history holds <see cref="MaxCheckpoints"/> or
    /// <see cref="MaxBytes"/>, and whenever saving a checkpoint took more than a tenth of the time the run to it took
    /// (a large guest: its checkpoints then cost at most about 10% of the run).
    /// </summary>
    public const ulong FirstInterval = 1_000_000;
    /// <summary>Checkpoints kept: when full, every other one is dropped (the first stays) and the interval doubles.</summary>
    public const int MaxCheckpoints = 64;
    /// <summary>Bytes of checkpoints kept (compressed snapshots): more is thinned as <see cref="MaxCheckpoints"/> is.</summary>
    public const long MaxBytes = 256L << 20;

    private sealed record Checkpoint(ulong Position, byte[] Snapshot, Machine.ReplayPosition Replay);

    private readonly Machine _machine;
    private readonly List<Checkpoint> _checkpoints = [];
    private ulong _interval = FirstInterval;
    private ulong _shown; // the furthest point reached: output before it was already shown
    private volatile bool _stopRequested;
    private long _bytes; // of the checkpoints held
    private long _lastCheckpointTime; // Stopwatch timestamp when the last checkpoint was taken while running forward

    private ReverseHistory(Machine machine)
    {
        _machine = machine;
        Restart();
    }

    /// <summary>A history for <paramref name="machine"/> from its current point, or null when it could not be replayed.</summary>
    public static ReverseHistory? TryStart(Machine machine) => Unavailable(machine) == null ? new ReverseHistory(machine) : null;

    /// <summary>Why <paramref name="machine"/> cannot have a history, or null.</summary>
    public static string? Unavailable(Machine machine) =>
        machine.Cpus.Count != 1 ? "several CPUs"
        : !machine.InputIsDeterministic ? "live input: serial, console or network input from the host, or a recording"
        : !machine.CanSaveSnapshot ? "a user device without snapshot state"
        : null;

    /// <summary>The furthest point reached.</summary>
    public ulong Furthest => _shown;

    /// <summary>Checkpoints held.</summary>
    public int CheckpointCount => _checkpoints.Count;

    /// <summary>Instructions between checkpoints now.</summary>
    public ulong Interval => _interval;

    /// <summary>The current point.</summary>
    public ulong Position => _machine.InstructionsExecuted;

    /// <summary>The first point of the history (gdb's "No more reverse-execution history" before it).</summary>
    public ulong Begin => _checkpoints[0].Position;

    /// <summary>Forgets the history and begins a new one here (after GDB changed registers or memory).</summary>
    public void Restart()
    {
        _checkpoints.Clear();
        _bytes = 0;
        _interval = FirstInterval;
        TakeCheckpoint();
        _shown = Position;
    }

    /// <summary>
    /// Stops a <see cref="Run"/> in progress (from any thread): as <see cref="Machine.RequestStop"/>, which alone could
    /// land between two of its runs, where the next one would clear it.
    /// </summary>
    public void RequestStop()
    {
        _stopRequested = true;
        _machine.RequestStop();
    }

    /// <summary>
    /// Runs forward as <see cref="Machine.Run"/> does, taking checkpoints on the way; output is muted up to the furthest
    /// point reached before (where a reverse step left the machine behind it).
    /// </summary>
    public MachineExit Run(ulong maxInstructions)
    {
        ulong start = Position;
        _stopRequested = false;
        try
        {
            while (true)
            {
                if (_stopRequested) return new MachineExit(StopReason.HostRequest, 0, "stopped by the host");
                ulong now = Position, done = now - start;
                ulong chunk = maxInstructions - done;
                ulong next = _checkpoints[^1].Position + _interval;
                if (next > now) chunk = Math.Min(chunk, next - now);
                bool muted = now < _shown;
                if (muted) chunk = Math.Min(chunk, _shown - now);
                _machine.OutputMuted = muted;
                var exit = _machine.Run(chunk);
                if (Position > _shown) _shown = Position;
                if (Position >= next)
                {
                    long ran = System.Diagnostics.Stopwatch.GetTimestamp() - _lastCheckpointTime;
                    long saved = TakeCheckpoint();
                    if (saved * 10 > ran) _interval *= 2;
                }
                if (exit.Reason != StopReason.InstructionLimit || Position - start >= maxInstructions) return exit;
            }
        }
        finally
        {
            _machine.OutputMuted = false;
        }
    }

    /// <summary>Goes back one instruction; false at the beginning of the history.</summary>
    public bool StepBack()
    {
        ulong now = Position;
        if (now <= Begin) return false;
        GoTo(now - 1);
        return true;
    }

    /// <summary>
    /// Goes back to the last point before the current one where a breakpoint or watchpoint stopped the machine (the CPU
    /// then stopped there as when running forward to it); false when none was hit since the beginning of the history,
    /// which is where the machine then is. A <see cref="RequestStop"/> meanwhile leaves the machine where the search was
    /// (true).
    /// </summary>
    public bool ContinueBack()
    {
        ulong end = Position;
        _stopRequested = false;
        for (int k = IndexAtOrBefore(end == 0 ? 0 : end - 1); k >= 0; k--)
        {
            if (_stopRequested) return true;
            var from = _checkpoints[k];
            if (from.Position >= end) continue;
            ulong segmentEnd = k + 1 < _checkpoints.Count ? Math.Min(_checkpoints[k + 1].Position, end) : end;
            ulong? last = null;
            Restore(from);
            RunMuted(() =>
            {
                while (Position < segmentEnd)
                {
                    var exit = _machine.Run(segmentEnd - Position);
                    if (exit.Reason is StopReason.Breakpoint or StopReason.Watchpoint) last = Position; // the next Run resumes past it
                    else break;
                    if (_stopRequested) return;
                }
            });
            if (_stopRequested) return true;
            if (last is not { } hit) continue;
            // Again to the hit, this time stopping there.
            Restore(from);
            RunMuted(() =>
            {
                while (true)
                {
                    var exit = _machine.Run(end - Position);
                    if (exit.Reason is not (StopReason.Breakpoint or StopReason.Watchpoint) || Position >= hit) break;
                }
            });
            return true;
        }
        GoTo(Begin);
        return false;
    }

    // Re-executes from the checkpoint at or before target up to it, through breakpoints and watchpoints, output muted.
    private void GoTo(ulong target)
    {
        Restore(_checkpoints[IndexAtOrBefore(target)]);
        RunMuted(() =>
        {
            while (Position < target)
            {
                var exit = _machine.Run(target - Position);
                if (exit.Reason is not (StopReason.Breakpoint or StopReason.Watchpoint or StopReason.InstructionLimit)) break;
            }
        });
    }

    private void RunMuted(Action run)
    {
        _machine.OutputMuted = true;
        try
        {
            run();
        }
        finally
        {
            _machine.OutputMuted = false;
        }
    }

    private int IndexAtOrBefore(ulong position)
    {
        int i = _checkpoints.Count - 1;
        while (i > 0 && _checkpoints[i].Position > position) i--;
        return i;
    }

    private void Restore(Checkpoint c)
    {
        _machine.RestoreSnapshot(new MemoryStream(c.Snapshot, writable: false));
        _machine.RestoreReplayPosition(c.Replay);
    }

    // Returns how long the save took (Stopwatch ticks; 0 when the point is already held).
    private long TakeCheckpoint()
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        ulong now = Position;
        int at = _checkpoints.FindIndex(c => c.Position >= now);
        if (at >= 0 && _checkpoints[at].Position == now) return 0; // re-executed up to a point already held
        var stream = new MemoryStream();
        _machine.SaveSnapshot(stream);
        var c = new Checkpoint(now, stream.ToArray(), _machine.SaveReplayPosition());
        if (at < 0) _checkpoints.Add(c);
        else _checkpoints.Insert(at, c);
        _bytes += c.Snapshot.Length;
        if (_checkpoints.Count >= MaxCheckpoints || (_bytes > MaxBytes && _checkpoints.Count > 2))
        {
            for (int i = _checkpoints.Count - 1; i >= 1; i -= 2)
            {
                _bytes -= _checkpoints[i].Snapshot.Length;
                _checkpoints.RemoveAt(i);
            }
            _interval *= 2;
        }
        _lastCheckpointTime = System.Diagnostics.Stopwatch.GetTimestamp();
        return _lastCheckpointTime - start;
    }
}
