namespace ArmVirt.Devices.Virtio;

/// <summary>
/// What a virtio device sees of the transport it is plugged into (virtio-mmio here; a PCI transport would
/// implement the same): negotiated features, the queues, and the two notifications a device can send.
/// </summary>
public interface IVirtioTransport
{
    /// <summary>Features both offered and accepted by the driver.</summary>
    ulong NegotiatedFeatures { get; }

    /// <summary>True once the driver set DRIVER_OK and the device is not waiting for a reset.</summary>
    bool IsLive { get; }

    /// <summary>The queue with index <paramref name="index"/>.</summary>
    Virtqueue GetQueue(int index);

    /// <summary>Sends a used buffer notification (interrupt status bit 0).</summary>
    void NotifyUsedBuffers();

    /// <summary>The device configuration changed: bumps the generation and sends a configuration change notification.</summary>
    void NotifyConfigChanged();

    /// <summary>
    /// The device entered an error state that needs a reset (VIRTIO 1.2 2.1.2): sets DEVICE_NEEDS_RESET, stops queue
    /// processing and, when DRIVER_OK is set, sends a configuration change notification.
    /// </summary>
    void DeviceError(string reason);
}
