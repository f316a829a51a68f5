namespace ArmVirt.Devices.Virtio;

/// <summary>One port of a <see cref="NetworkSwitch"/>; usable as the backend of a virtio-net device.</summary>
public sealed class NetworkSwitchPort : INetBackend
{
    private NetworkSwitch? _switch;

    internal NetworkSwitchPort(NetworkSwitch owner, string name)
    {
        _switch = owner;
        Name = name;
    }

    /// <summary>The port name.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public NetFrameReceiver? Receiver { get; set; }

    /// <inheritdoc />
    public bool NeedsPolling => false;

    /// <summary>Frames delivered out of this port.</summary>
    public long FramesDelivered { get; private set; }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<byte> frame) => _switch?.Forward(this, frame);

    internal void Deliver(ReadOnlySpan<byte> frame)
    {
        FramesDelivered++;
        Receiver?.Invoke(frame);
    }

    /// <inheritdoc />
    public void Poll() { }

    /// <summary>Disconnects the port from its switch.</summary>
    public void Dispose()
    {
        _switch?.Remove(this);
        _switch = null;
    }
}
