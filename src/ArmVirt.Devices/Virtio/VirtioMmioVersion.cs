namespace ArmVirt.Devices.Virtio;

/// <summary>The virtio-mmio register layout a transport presents (the Version register).</summary>
internal enum VirtioMmioVersion
{
    /// <summary>Version 1: the legacy layout with GuestPageSize, QueueAlign and QueuePFN (VIRTIO 1.2 4.2.4).</summary>
    Legacy = 1,
    /// <summary>Version 2: the VIRTIO 1.x layout with QueueReady and 64-bit ring addresses (VIRTIO 1.2 4.2.2).</summary>
    Modern = 2,
}
