namespace ArmVirt.Devices.Virtio;

/// <summary>Device status field bits (VIRTIO 1.2 section 2.1 "Device Status Field").</summary>
[Flags]
internal enum VirtioDeviceStatus : uint
{
    /// <summary>No bit set: the device is reset.</summary>
    Reset = 0,
    /// <summary>The guest has noticed the device.</summary>
    Acknowledge = 1,
    /// <summary>The guest knows how to drive the device.</summary>
    Driver = 2,
    /// <summary>The driver is set up and ready to drive the device.</summary>
    DriverOk = 4,
    /// <summary>The driver has acknowledged the features it understands; feature negotiation is complete.</summary>
    FeaturesOk = 8,
    /// <summary>The device has experienced an error from which it cannot recover.</summary>
    DeviceNeedsReset = 0x40,
    /// <summary>The guest has given up on the device.</summary>
    Failed = 0x80,
}
