namespace ArmVirt.Devices.Virtio;

/// <summary>Virtio device IDs (VIRTIO 1.2 section 5 "Device Types").</summary>
public enum VirtioDeviceType : uint
{
    /// <summary>An empty transport slot: no device behind it (DeviceID 0).</summary>
    None = 0,
    /// <summary>Network card.</summary>
    Network = 1,
    /// <summary>Block device.</summary>
    Block = 2,
    /// <summary>Console.</summary>
    Console = 3,
    /// <summary>Entropy source.</summary>
    EntropySource = 4,
}
