namespace ArmVirt.Devices.Virtio;

/// <summary>
/// The network side of a virtio-net device: frames the guest sends go to <see cref="Send"/>, frames for the guest
/// come through <see cref="Receiver"/>. In-process backends deliver synchronously; backends fed by the host
/// (<see cref="TapNetBackend"/>) queue frames and hand them over in <see cref="Poll"/>, which the device calls on
/// its own thread so that guest memory is only touched by the emulation thread.
/// </summary>
public interface INetBackend : IDisposable
{
    /// <summary>Where frames for the guest go (set by the device).</summary>
    NetFrameReceiver? Receiver { get; set; }

    /// <summary>Sends one frame from the guest to the network.</summary>
    void Send(ReadOnlySpan<byte> frame);

    /// <summary>True when frames arrive from another thread and <see cref="Poll"/> must be called to deliver them.</summary>
    bool NeedsPolling { get; }

    /// <summary>Delivers frames queued by the host to <see cref="Receiver"/> (no-op for in-process backends).</summary>
    void Poll();
}
