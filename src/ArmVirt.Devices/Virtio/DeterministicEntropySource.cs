using System.Buffers.Binary;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// A seeded pseudo-random generator (xoshiro256** seeded through SplitMix64): the same seed gives the same bytes on
/// every run and host, which is what a repeatable guest run needs. Not cryptographically secure.
/// </summary>
public sealed class DeterministicEntropySource : IEntropySource, ArmVirt.Core.ISnapshotState
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates the generator from <paramref name="seed"/>.</summary>
    public DeterministicEntropySource(ulong seed = 0)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>Writes the generator's position (xoshiro256** state).</summary>
    public void SaveState(ArmVirt.Core.SnapshotWriter writer)
    {
        writer.Section("xoshiro256");
        writer.Write(_s0);
        writer.Write(_s1);
        writer.Write(_s2);
        writer.Write(_s3);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote.</summary>
    public void RestoreState(ArmVirt.Core.SnapshotReader reader)
    {
        reader.Section("xoshiro256");
        _s0 = reader.ReadUInt64();
        _s1 = reader.ReadUInt64();
        _s2 = reader.ReadUInt64();
        _s3 = reader.ReadUInt64();
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <inheritdoc />
    public void Fill(Span<byte> destination)
    {
        while (destination.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, Next());
            destination = destination[8..];
        }
        if (destination.Length > 0)
        {
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(last, Next());
            last[..destination.Length].CopyTo(destination);
        }
    }
}
