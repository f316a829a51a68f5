using ArmVirt.Core;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// virtio-console with a single port and no multiport support (VIRTIO 1.2 section 5.3): receiveq(port0) carries
/// host input to the guest, transmitq(port0) guest output to <see cref="Stream"/>. Offers VIRTIO_CONSOLE_F_SIZE
/// (columns and rows) and VIRTIO_CONSOLE_F_EMERG_WRITE (a byte written to emerg_wr is output at once).
/// Host input is buffered (thread-safe, bounded) by <see cref="Inject"/> or by a reader of the input stream, and
/// moved into guest buffers only on the emulation thread: when the guest adds receive buffers, when
/// <see cref="Poll"/> is called, or on a periodic virtual-time poll when a clock is given.
/// </summary>
public sealed class VirtioConsoleDevice : VirtioDevice, IDisposable
{
    /// <summary>VIRTIO_CONSOLE_F_SIZE.</summary>
    public const int FeatureSize = 0;
    /// <summary>VIRTIO_CONSOLE_F_MULTIPORT (not offered).</summary>
    public const int FeatureMultiport = 1;
    /// <summary>VIRTIO_CONSOLE_F_EMERG_WRITE.</summary>
    public const int FeatureEmergencyWrite = 2;
    /// <summary>receiveq(port0).</summary>
    public const int ReceiveQueue = 0;
    /// <summary>transmitq(port0).</summary>
    public const int TransmitQueue = 1;
    /// <summary>Host input bytes held while the guest has no receive buffers; more are dropped.</summary>
    public const int InputCapacity = 64 * 1024;

    // struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr.
    private const int ConfigCols = 0, ConfigRows = 2, ConfigMaxPorts = 4, ConfigEmergWrite = 8, ConfigLength = 12;

    private readonly Stream? _output;
    private readonly Stream? _input;
    private readonly byte[] _ring = new byte[InputCapacity];
    private readonly object _lock = new();
    private int _head, _count;
    private readonly VirtualClock? _clock;
    private readonly ulong _pollInterval;
    private readonly ScheduledEvent? _pollEvent;
    private readonly Thread? _reader;
    private long _inputDropped;
    private volatile bool _disposed;
    private volatile bool _inputEnded;

    /// <summary>Creates the console.</summary>
    /// <param name="output">Receives what the guest writes (may be null to discard it).</param>
    /// <param name="input">Read on a background thread and offered to the guest (optional; not closed by the device).</param>
    /// <param name="clock">When given, input is polled every <paramref name="pollIntervalCycles"/> of virtual time.</param>
    /// <param name="pollIntervalCycles">Virtual time between input polls.</param>
    /// <param name="columns">Reported terminal width.</param>
    /// <param name="rows">Reported terminal height.</param>
    /// <param name="queueSize">QueueNumMax of both queues.</param>
    public VirtioConsoleDevice(Stream? output, Stream? input = null, VirtualClock? clock = null, ulong pollIntervalCycles = 1_000_000,
        ushort columns = 80, ushort rows = 25, ushort queueSize = 128)
        : base(VirtioDeviceType.Console, ConfigLength, queueSize, queueSize)
    {
        _output = output;
        _input = input;
        SetConfig16(ConfigCols, columns);
        SetConfig16(ConfigRows, rows);
        SetConfig32(ConfigMaxPorts, 1);
        if (clock != null)
        {
            _clock = clock;
            _pollInterval = Math.Max(1, pollIntervalCycles);
            _pollEvent = clock.Schedule(clock.Now + _pollInterval, PollTick);
        }
        if (input != null)
        {
            _reader = new Thread(ReadInput) { IsBackground = true, Name = "virtio-console input" };
            _reader.Start();
        }
    }

    /// <inheritdoc />
    public override ulong DeviceFeatures => (1UL << FeatureSize) | (1UL << FeatureEmergencyWrite);

    /// <summary>Host input bytes dropped because the buffer was full.</summary>
    public long InputDropped => Interlocked.Read(ref _inputDropped);

    /// <summary>Host input bytes waiting for guest buffers.</summary>
    public int PendingInput
    {
        get { lock (_lock) return _count; }
    }

    /// <summary>Whether host input comes from an input stream read on a background thread.</summary>
    internal bool HasInputStream => _input != null;

    /// <summary>Whether more host input can come from the input stream (it has not ended).</summary>
    internal bool HasLiveInput => _input != null && !_inputEnded;

    /// <summary>
    /// Called at the start of each <see cref="Poll"/>: the points where host input can enter the guest, in the same order
    /// in every run with the same inputs (record and replay name input by them: <c>Machine.RecordInput</c>).
    /// </summary>
    internal Action? InputPolling { get; set; }

    /// <summary>Called at the end of a <see cref="Poll"/> that moved host input into the guest, with the bytes moved (record).</summary>
    internal Action<byte[]>? InputReceived { get; set; }

    /// <summary>While set, what the guest writes is discarded (the reverse debugger re-executing output already shown).</summary>
    internal bool OutputMuted { get; set; }

    /// <summary>Changes the reported terminal size (a configuration change).</summary>
    public void Resize(ushort columns, ushort rows)
    {
        SetConfig16(ConfigCols, columns);
        SetConfig16(ConfigRows, rows);
        if (IsAttached) Transport.NotifyConfigChanged();
    }

    /// <summary>Queues host input for the guest. Thread-safe; delivered on the next <see cref="Poll"/> or receive-queue notification.</summary>
    public void Inject(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            int room = InputCapacity - _count;
            if (data.Length > room)
            {
                Interlocked.Add(ref _inputDropped, data.Length - room);
                data = data[..room];
            }
            int tail = (_head + _count) % InputCapacity;
            int first = Math.Min(data.Length, InputCapacity - tail);
            data[..first].CopyTo(_ring.AsSpan(tail));
            data[first..].CopyTo(_ring);
            _count += data.Length;
        }
    }

    /// <summary>Moves buffered host input into guest receive buffers. Call on the emulation thread only.</summary>
    public void Poll()
    {
        InputPolling?.Invoke();
        if (_disposed || !IsAttached || !Transport.IsLive) return;
        var q = Transport.GetQueue(ReceiveQueue);
        if (!q.IsReady) return;
        bool any = false;
        List<byte>? moved = InputReceived != null ? [] : null;
        while (true)
        {
            lock (_lock)
            {
                if (_count == 0) break;
            }
            if (!q.TryPop(out var chain)) break;
            uint written = 0;
            lock (_lock)
            {
                int n = (int)Math.Min(_count, chain.WritableLength);
                int first = Math.Min(n, InputCapacity - _head);
                chain.CopyToWritable(0, _ring.AsSpan(_head, first));
                chain.CopyToWritable(first, _ring.AsSpan(0, n - first));
                if (moved != null)
                {
                    moved.AddRange(_ring.AsSpan(_head, first));
                    moved.AddRange(_ring.AsSpan(0, n - first));
                }
                _head = (_head + n) % InputCapacity;
                _count -= n;
                written = (uint)n;
            }
            q.Push(chain, written);
            any = true;
        }
        if (moved is { Count: > 0 }) InputReceived!(moved.ToArray());
        if (any) q.NotifyIfNeeded();
    }

    /// <inheritdoc />
    protected internal override void QueueNotified(int index)
    {
        if (index == ReceiveQueue)
        {
            Poll();
            return;
        }
        var q = Transport.GetQueue(TransmitQueue);
        while (q.TryPop(out var chain))
        {
            for (int i = 0; i < chain.ReadableSegmentCount; i++) Output(chain.ReadableSegment(i));
            q.Push(chain, 0);
        }
        _output?.Flush();
        q.NotifyIfNeeded();
    }

    /// <inheritdoc />
    public override void WriteConfig(int offset, ReadOnlySpan<byte> source)
    {
        // 5.3.4: a write to emerg_wr outputs its low byte when VIRTIO_CONSOLE_F_EMERG_WRITE is offered.
        if (offset != ConfigEmergWrite || source.Length < 1) return;
        Output(source[..1]);
        _output?.Flush();
    }

    /// <inheritdoc />
    public override void ReadConfig(int offset, Span<byte> destination)
    {
        base.ReadConfig(offset, destination);
        // emerg_wr is write-only.
        for (int i = 0; i < destination.Length; i++)
            if (offset + i >= ConfigEmergWrite) destination[i] = 0;
    }

    /// <summary>Adds the host input not yet delivered to the guest and the next poll of the host side.</summary>
    protected internal override void SaveState(SnapshotWriter writer)
    {
        base.SaveState(writer);
        lock (_lock)
        {
            writer.Write(_count);
            for (int i = 0; i < _count; i++) writer.Write(_ring[(_head + i) % InputCapacity]);
        }
        writer.Write(_pollEvent);
    }

    /// <inheritdoc/>
    protected internal override void RestoreState(SnapshotReader reader)
    {
        base.RestoreState(reader);
        lock (_lock)
        {
            _count = reader.ReadInt32(0, InputCapacity, "console input bytes");
            _head = 0;
            reader.ReadExactly(_ring.AsSpan(0, _count));
        }
        if (!ReferenceEquals(reader.ReadEvent(_clock!, _pollEvent, PollTick), _pollEvent))
            throw new SnapshotFormatException("virtio-console: polled in the snapshot, not in this machine");
    }

    private void Output(ReadOnlySpan<byte> data)
    {
        if (OutputMuted) return;
        try { _output?.Write(data); }
        catch (IOException) { } // a closed host terminal does not stop the guest
    }

    private void PollTick()
    {
        Poll();
        _clock!.Reschedule(_pollEvent!, _clock.Now + _pollInterval);
    }

    private void ReadInput()
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while (!_disposed && (n = _input!.Read(buffer, 0, buffer.Length)) > 0)
                if (!_disposed) Inject(buffer.AsSpan(0, n));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        _inputEnded = true;
    }

    /// <summary>
    /// Stops polling and input reading. The streams stay open: they belong to the caller (closing a stream that another
    /// thread is blocked reading, such as standard input, is not reliably possible). A reader blocked in Read ends at
    /// the stream's end or when the caller closes it.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        _pollEvent?.Cancel();
    }
}
