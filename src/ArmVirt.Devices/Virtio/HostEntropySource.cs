using System.Security.Cryptography;

namespace ArmVirt.Devices.Virtio;

/// <summary>The host's cryptographic random number generator (runs are then not repeatable).</summary>
public sealed class HostEntropySource : IEntropySource
{
    /// <inheritdoc />
    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
