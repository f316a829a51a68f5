namespace ArmVirt.Devices.Virtio;

/// <summary>Takes one Ethernet frame (destination MAC first, no FCS). The span is only valid during the call.</summary>
public delegate void NetFrameReceiver(ReadOnlySpan<byte> frame);
