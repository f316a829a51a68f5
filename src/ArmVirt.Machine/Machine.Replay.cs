using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    private InputLog.Recorder? _recorder;
    private InputLog.Replayer? _replay;
    // Per virtio device (VirtioDevices' order): its logged inputs while replaying, and its input points since record or
    // replay began (the keys of its inputs in the log).
    private InputLog.VirtioReplayer?[] _virtioReplay = [];
    private ulong[] _virtioInputPoints = [];

    // The kind of the UART input poll being made (InputLog): 'd' unless the machine's run loop or idle wait polls.
    private char _pollKind = 'd';
    // Deterministic polls made so far (UARTFR reads, the virtual-time poll event): the key of a 'd' poll; in snapshots.
    private ulong _devicePolls;

    /// <summary>
    /// Records every external input the guest receives to <paramref name="log"/> (a text file, written as the run goes):
    /// the PL011's serial input (for each input poll that delivered bytes, when it happened: the instructions retired,
    /// or for the guest's own UARTFR reads their ordinal, with its virtual time and the bytes; each start of a
    /// <see cref="Run"/> and each idle wait for host input), each frame a virtio-net device receives from its backend
    /// (TAP, switch) and each byte of host input a virtio-console moves into the guest, named by the device's input
    /// point. Input is the run's only non-determinism, so <see cref="ReplayInput"/> on a machine built the same way
    /// reproduces the run exactly: output, instruction and cycle counts, under either engine. Call before the first
    /// <see cref="Run"/> (or right after <see cref="RestoreSnapshot"/> to record from there). The log is complete once
    /// <see cref="EndInputRecord"/> or <see cref="Dispose"/> wrote its end line (its checksum).
    /// </summary>
    public void RecordInput(Stream log)
    {
        ArgumentNullException.ThrowIfNull(log);
        CheckInputLogUnused();
        var recorder = new InputLog.Recorder(log);
        recorder.Start();
        _recorder = recorder;
        Uart.InputPolling = OnInputPolling;
        Uart.InputReceived = recorder.Received;
        HookVirtioInput();
    }

    /// <summary>
    /// Replays a log written by <see cref="RecordInput"/> on a machine built as the recorded one was, without input of
    /// its own: no serial input stream, no virtio-console input stream, and for each virtio-net device a backend whose
    /// frames are ignored (a <see cref="DisconnectedNetBackend"/> stands in for a TAP or a switch: no network is needed).
    /// Each logged poll's bytes enter the UART at the same poll, each frame and console input at the same input point
    /// of its device, and <see cref="Run"/> ends its instruction slices where the recorded run polled between slices
    /// (its <c>Run</c> calls' starts included), so one <c>Run</c> replays a session of many, and <c>Run</c> calls in other
    /// steps (the GDB stub's) replay it too. While logged serial input remains, an idle machine goes on instead
    /// of halting. A run that passes a logged input point without making it stops with <see cref="StopReason.Error"/>
    /// ("replay diverged"). A malformed, truncated or altered log, or one naming a device this machine lacks, throws
    /// <see cref="InvalidDataException"/> with a one-line reason before anything changes.
    /// </summary>
    public void ReplayInput(Stream log)
    {
        ArgumentNullException.ThrowIfNull(log);
        CheckInputLogUnused();
        if (_input != null) throw new InvalidOperationException("a replayed machine takes its serial input from the log only");
        foreach (var d in VirtioDevices)
            if (d is VirtioConsoleDevice { HasInputStream: true })
                throw new InvalidOperationException("a replayed machine takes its virtio-console input from the log only");
        var entries = InputLog.Read(log);
        var perDevice = new List<InputLog.Entry>?[VirtioDevices.Count];
        foreach (var e in entries.Where(e => !e.IsSerial))
        {
            int n = int.Parse(e.Kind.AsSpan(1), provider: System.Globalization.CultureInfo.InvariantCulture);
            var want = e.Kind[0] == 'n' ? typeof(VirtioNetDevice) : typeof(VirtioConsoleDevice);
            if (n >= VirtioDevices.Count || VirtioDevices[n].GetType() != want)
                throw new InvalidDataException($"the log has input for virtio device {n} ({e.Kind}), a {want.Name} this machine does not have there");
            (perDevice[n] ??= []).Add(e);
        }
        _replay = new InputLog.Replayer(entries.Where(e => e.IsSerial).ToList());
        _virtioReplay = perDevice.Select((list, i) => list == null ? null : new InputLog.VirtioReplayer(list[0].Kind, list)).ToArray();
        Uart.InputPolling = OnInputPolling;
        HookVirtioInput();
    }

    /// <summary>The same as <see cref="RecordInput"/> (the name from when serial input was the only input recorded).</summary>
    public void RecordSerialInput(Stream log) => RecordInput(log);

    /// <summary>The same as <see cref="ReplayInput"/> (the name from when serial input was the only input replayed).</summary>
    public void ReplaySerialInput(Stream log) => ReplayInput(log);

    /// <summary>
    /// Completes the log of <see cref="RecordInput"/>: the serial poll in progress and the end line with the log's
    /// checksum (<see cref="Dispose"/> does it too). Input after it is not recorded.
    /// </summary>
    public void EndInputRecord() => _recorder?.Finish();

    private void CheckInputLogUnused()
    {
        if (_recorder != null || _replay != null) throw new InvalidOperationException("input is already recorded or replayed");
        if (SmpMode == SmpMode.Parallel) throw new InvalidOperationException("input record and replay need the deterministic SMP mode");
    }

    // Each virtio-net and virtio-console device's input points: counted, and while recording their input logged, while
    // replaying the logged input fed at them.
    private void HookVirtioInput()
    {
        _virtioInputPoints = new ulong[VirtioDevices.Count];
        if (_virtioReplay.Length == 0) _virtioReplay = new InputLog.VirtioReplayer?[VirtioDevices.Count];
        for (int i = 0; i < VirtioDevices.Count; i++)
        {
            int index = i;
            switch (VirtioDevices[i])
            {
                case VirtioNetDevice net:
                {
                    string kind = InputLog.VirtioKind('n', i);
                    net.InputPolling = () => VirtioInputPoint(index, frame => net.ReceiveFrame(frame));
                    if (_recorder != null) net.FrameReceived = frame => _recorder.Virtio(kind, _virtioInputPoints[index] - 1, Clock.Now, frame);
                    else net.BackendInputMuted = true;
                    break;
                }
                case VirtioConsoleDevice console:
                {
                    string kind = InputLog.VirtioKind('c', i);
                    console.InputPolling = () => VirtioInputPoint(index, bytes => console.Inject(bytes));
                    if (_recorder != null) console.InputReceived = bytes => _recorder.Virtio(kind, _virtioInputPoints[index] - 1, Clock.Now, bytes);
                    break;
                }
            }
        }
    }

    private void VirtioInputPoint(int device, Action<byte[]> feed)
    {
        ulong key = _virtioInputPoints[device]++;
        if (_virtioReplay[device]?.Take(key, feed) is { } diverged)
            foreach (var c in Cpus) c.RequestStop(StopReason.Error, 0, diverged);
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

    // While replaying: the instructions this run may retire before the next logged poll between slices, so that its
    // slice ends there and the next poll is that one.
    private ulong ReplayBudget(ulong budget)
    {
        if (_replay == null) return budget;
        ulong next = _replay.NextHostPoll, now = InstructionsExecuted;
        return next > now && next - now < budget ? next - now : budget;
    }

    // Whether a replay slice just ended at a logged poll between slices.
    private bool AtReplayStart => _replay != null && _replay.NextHostPoll == InstructionsExecuted;

    // ---- For the reverse debugger (Gdb/ReverseHistory) ----

    /// <summary>
    /// Whether a run from a snapshot repeats exactly without a log: no live input can reach the guest (no serial input
    /// stream, or one that has ended, such as /dev/null; nor a virtio-console one; every virtio-net backend disconnected), or the input
    /// comes from a replayed log. Recording is live input.
    /// </summary>
    internal bool InputIsDeterministic
    {
        get
        {
            if (_recorder != null) return false;
            if (_replay != null) return true;
            if (_input is { Completed: false }) return false; // (bytes already queued are in snapshots: no more can come)
            foreach (var d in VirtioDevices)
                if (d is VirtioConsoleDevice { HasLiveInput: true }
                    || d is VirtioNetDevice { Backend: not DisconnectedNetBackend })
                    return false;
            return true;
        }
    }

    /// <summary>Whether <see cref="SaveSnapshot"/> can save this machine (every user device implements <see cref="Core.ISnapshotState"/>).</summary>
    internal bool CanSaveSnapshot => CustomDevices.All(d => d is Core.ISnapshotState);

    /// <summary>Where a replay stands in its log, saved beside a snapshot (snapshots do not hold host-side state).</summary>
    internal sealed record ReplayPosition(int Serial, int[] Virtio, ulong[] InputPoints);

    internal ReplayPosition SaveReplayPosition() =>
        new(_replay?.Position ?? 0, _virtioReplay.Select(r => r?.Position ?? 0).ToArray(), (ulong[])_virtioInputPoints.Clone());

    internal void RestoreReplayPosition(ReplayPosition p)
    {
        if (_replay != null) _replay.Position = p.Serial;
        for (int i = 0; i < _virtioReplay.Length; i++)
            if (_virtioReplay[i] is { } r) r.Position = p.Virtio[i];
        _virtioInputPoints = (ulong[])p.InputPoints.Clone();
    }

    /// <summary>While set, the guest's PL011 and virtio-console output is discarded (re-executing what was already shown).</summary>
    internal bool OutputMuted
    {
        set
        {
            _serial.Muted = value;
            foreach (var d in VirtioDevices)
                if (d is VirtioConsoleDevice c) c.OutputMuted = value;
        }
    }
}
