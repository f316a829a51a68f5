namespace ArmVirt.Devices.Virtio;

/// <summary>
/// Storage behind a virtio-blk device. Offsets and lengths are in bytes and always inside <see cref="Length"/>;
/// the device checks ranges before calling. Failures are reported as <see cref="IOException"/>, which the device
/// turns into VIRTIO_BLK_S_IOERR.
/// </summary>
public interface IBlockBackend : IDisposable
{
    /// <summary>Size of the medium in bytes.</summary>
    long Length { get; }

    /// <summary>True when writes are refused (the device then offers VIRTIO_BLK_F_RO).</summary>
    bool IsReadOnly { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>Writes <paramref name="source"/> at <paramref name="offset"/>, in order with earlier writes.</summary>
    void Write(long offset, ReadOnlySpan<byte> source);

    /// <summary>Makes every completed write durable (VIRTIO_BLK_T_FLUSH).</summary>
    void Flush();

    /// <summary>Sets <paramref name="length"/> bytes from <paramref name="offset"/> to zero.</summary>
    void WriteZeroes(long offset, long length);

    /// <summary>
    /// The range's contents are no longer needed (VIRTIO_BLK_T_DISCARD). The backends here zero it, so that what the
    /// guest reads back stays deterministic.
    /// </summary>
    void Discard(long offset, long length);
}
