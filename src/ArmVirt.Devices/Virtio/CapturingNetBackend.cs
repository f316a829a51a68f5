namespace ArmVirt.Devices.Virtio;

/// <summary>Wraps any <see cref="INetBackend"/> and records every frame in both directions to a <see cref="PcapWriter"/>.</summary>
public sealed class CapturingNetBackend : INetBackend
{
    private readonly INetBackend _inner;
    private readonly PcapWriter _capture;
    private readonly bool _ownsCapture;

    /// <summary>Captures the traffic of <paramref name="inner"/> into <paramref name="capture"/>, disposing it with this backend when <paramref name="ownsCapture"/>.</summary>
    public CapturingNetBackend(INetBackend inner, PcapWriter capture, bool ownsCapture = false)
    {
        _inner = inner;
        _capture = capture;
        _ownsCapture = ownsCapture;
        _inner.Receiver = FromNetwork;
    }

    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => _inner.NeedsPolling;

    private void FromNetwork(ReadOnlySpan<byte> frame)
    {
        _capture.WriteFrame(frame);
        Receiver?.Invoke(frame);
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame)
    {
        _capture.WriteFrame(frame);
        _inner.Send(frame);
    }

    /// <inheritdoc />
    public void Poll() => _inner.Poll();

    /// <summary>Disposes the inner backend, and the capture when this backend owns it.</summary>
    public void Dispose()
    {
        _inner.Dispose();
        if (_ownsCapture) _capture.Dispose();
    }
}
