namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A network backend connected to nothing: frames the guest sends are dropped (counted), none arrive. It stands in for
/// the recorded run's backend (a TAP, a switch) when a machine replays its input log (<c>Machine.ReplayInput</c>): the
/// frames come from the log, so no TAP or peer is needed. <see cref="NeedsPolling"/> must be what the recorded
/// backend reported (true for TAP and <see cref="QueuedNetBackend"/>, false for a bare <see cref="NetworkSwitchPort"/>),
/// so that the device's poll events are the same in both runs.
/// </summary>
public sealed class DisconnectedNetBackend(bool polled = true) : INetBackend
{
    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => polled;

    /// <summary>Frames the guest sent, all dropped.</summary>
    public long FramesDropped { get; private set; }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame) => FramesDropped++;

    /// <inheritdoc />
    public void Poll() { }

    /// <inheritdoc />
    public void Dispose() { }
}
