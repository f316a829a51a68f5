namespace ArmVirt.Devices.Virtio;

/// <summary>Where virtio-rng gets its bytes.</summary>
public interface IEntropySource
{
    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    void Fill(Span<byte> destination);
}
