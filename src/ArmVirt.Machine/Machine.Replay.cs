using ArmVirt.Cpu;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    private SerialInputLog.Recorder? _recorder;
    private SerialInputLog.Replayer? _replay;

    // The kind of the UART input poll being made (SerialInputLog): 'd' unless the machine's run loop or idle wait polls.
    private char _pollKind = 'd';
    // Deterministic polls made so far (UARTFR reads, the virtual-time poll event): the key of a 'd' poll; in snapshots.
    private ulong _devicePolls;

    /// <summary>
    /// Records the serial input the guest receives to <paramref name="log"/> (a text file, written as the run goes): for
    /// each input poll of the PL011 that delivered bytes, when it happened (the instructions retired, or for the guest's
    /// own UARTFR reads their ordinal) with its virtual time and the bytes, and each start of a <see cref="Run"/> and each
    /// idle wait for host input. Input is the run's only non-determinism, so <see cref="ReplaySerialInput"/> on a machine
    /// built the same way reproduces the run exactly: output, instruction and cycle counts, under either engine. Call
    /// before the first <see cref="Run"/> (or right after <see cref="RestoreSnapshot"/> to record from there).
    /// </summary>
    public void RecordSerialInput(Stream log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_recorder != null || _replay != null) throw new InvalidOperationException("serial input is already recorded or replayed");
        if (SmpMode == SmpMode.Parallel) throw new InvalidOperationException("serial input record and replay need the deterministic SMP mode");
        var recorder = new SerialInputLog.Recorder(log);
        recorder.Start();
        _recorder = recorder;
        Uart.InputPolling = OnInputPolling;
        Uart.InputReceived = recorder.Received;
    }

    /// <summary>
    /// Replays a log written by <see cref="RecordSerialInput"/> on a machine built as the recorded one was, without serial
    /// input of its own (or restored from the same snapshot): each logged poll's bytes enter the UART at the same poll,
    /// and <see cref="Run"/> ends its instruction slices where the recorded run's <c>Run</c> calls began, so one
    /// <c>Run</c> replays a session of many. While logged input remains, an idle machine goes on instead of halting. A
    /// run that passes a logged poll without making it stops with <see cref="StopReason.Error"/> ("replay diverged"). A
    /// malformed log throws <see cref="InvalidDataException"/> with a one-line reason before anything changes.
    /// </summary>
    public void ReplaySerialInput(Stream log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_recorder != null || _replay != null) throw new InvalidOperationException("serial input is already recorded or replayed");
        if (SmpMode == SmpMode.Parallel) throw new InvalidOperationException("serial input record and replay need the deterministic SMP mode");
        if (_input != null) throw new InvalidOperationException("a replayed machine takes its serial input from the log only");
        _replay = new SerialInputLog.Replayer(SerialInputLog.Read(log));
        Uart.InputPolling = OnInputPolling;
    }

    private void OnInputPolling(ulong poll)
    {
        char kind = _pollKind;
        ulong key = kind == 'd' ? _devicePolls++ : InstructionsExecuted;
        if (_recorder != null)
        {
            _recorder.Polling(kind, key, Clock.Now);
            return;
        }
        var bytes = _replay!.Take(kind, key, InstructionsExecuted, out string? diverged);
        if (diverged != null)
        {
            foreach (var c in Cpus) c.RequestStop(StopReason.Error, 0, diverged);
            return;
        }
        if (bytes != null) Uart.EnqueueInput(bytes);
    }

    // A poll of the run loop ('s' at the start of a Run call, 'h' between slices) or of the idle wait ('i').
    private void PollInput(char kind)
    {
        _pollKind = kind;
        try
        {
            Uart.ReceivePendingInput();
        }
        finally
        {
            _pollKind = 'd';
        }
    }

    // While replaying: the instructions this run may retire before the next logged Run start, so that its slice ends
    // there and the next poll is that start's.
    private ulong ReplayBudget(ulong budget)
    {
        if (_replay == null) return budget;
        ulong next = _replay.NextStart, now = InstructionsExecuted;
        return next > now && next - now < budget ? next - now : budget;
    }

    // Whether a replay slice just ended at a logged Run start.
    private bool AtReplayStart => _replay != null && _replay.NextStart == InstructionsExecuted;

    /// <summary>Writes the input poll in progress to the record log (<see cref="Dispose"/> does it too).</summary>
    public void FlushSerialInputRecord() => _recorder?.Complete();
}
