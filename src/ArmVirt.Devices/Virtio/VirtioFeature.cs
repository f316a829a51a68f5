namespace ArmVirt.Devices.Virtio;

/// <summary>Feature bit numbers reserved for the transport and queue layout (VIRTIO 1.2 section 6 "Reserved Feature Bits").</summary>
public static class VirtioFeature
{
    /// <summary>VIRTIO_F_INDIRECT_DESC: the driver may use descriptors with VIRTQ_DESC_F_INDIRECT.</summary>
    public const int RingIndirectDesc = 28;
    /// <summary>VIRTIO_F_EVENT_IDX: the used_event and avail_event fields suppress notifications.</summary>
    public const int RingEventIdx = 29;
    /// <summary>VIRTIO_F_VERSION_1: compliance with VIRTIO 1.x (non-legacy interface).</summary>
    public const int Version1 = 32;
    /// <summary>VIRTIO_F_ACCESS_PLATFORM: the device is behind an IOMMU (never offered here).</summary>
    public const int AccessPlatform = 33;

    /// <summary>The mask of feature bit <paramref name="bit"/>.</summary>
    public static ulong Bit(int bit) => 1UL << bit;
}
