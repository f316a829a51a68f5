using System.Runtime.InteropServices;

namespace ArmVirt.Core;

/// <summary>
/// Guest RAM: one zero-initialised native allocation mapped at a fixed guest physical base.
/// </summary>
public sealed unsafe class RamRegion : IDisposable
{
    private byte* _pointer;
    private readonly void* _mapping;
    private readonly nuint _mappingLength;

    /// <summary>Allocates <paramref name="size"/> bytes of zeroed RAM at guest physical <paramref name="baseAddress"/>.</summary>
    public RamRegion(ulong baseAddress, ulong size)
    {
        if (size == 0 || (size & 0xFFF) != 0)
            throw new ArgumentOutOfRangeException(nameof(size), "RAM size must be a non-zero multiple of 4 KiB.");
        Base = baseAddress;
        Size = size;
        // Straight from the OS already zeroed, so a big guest RAM costs nothing until touched (HostMemory: huge pages
        // where the host has them).
        _pointer = HostMemory.Allocate((nuint)size, out _mapping, out _mappingLength);
    }

    /// <summary>Guest physical base address.</summary>
    public ulong Base { get; }

    /// <summary>Size in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Host pointer to the first byte (valid until disposal).</summary>
    internal byte* Pointer => _pointer;

    /// <summary>True when <c>[pa, pa+size)</c> lies entirely inside this region.</summary>
    public bool Contains(ulong pa, ulong size) => pa >= Base && pa - Base <= Size - size && size <= Size;

    /// <summary>The page size of <see cref="SaveState"/>: 4 KiB, the smallest translation granule.</summary>
    internal const int SnapshotPageSize = 4096;

    /// <summary>
    /// Writes the pages that hold a non-zero byte, each with its index; a page of zeros (never written, or written with
    /// zeros) is not stored. The caller compresses the stream.
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("ram");
        writer.Write(Base);
        writer.Write(Size);
        ulong pages = Size / SnapshotPageSize;
        for (ulong p = 0; p < pages; p++)
        {
            var page = new ReadOnlySpan<byte>(_pointer + p * SnapshotPageSize, SnapshotPageSize);
            if (!page.ContainsAnyExcept((byte)0)) continue;
            writer.Write(true);
            writer.Write(p);
            writer.WriteRaw(page);
        }
        writer.Write(false);
    }

    /// <summary>
    /// Reads back what <see cref="SaveState"/> wrote: the stored pages, and zeros in every other page (a page that is
    /// zero already is not touched, so untouched host memory stays uncommitted).
    /// </summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("ram");
        ulong baseAddress = reader.ReadUInt64(), size = reader.ReadUInt64();
        if (baseAddress != Base || size != Size)
            throw new SnapshotFormatException($"RAM at 0x{baseAddress:x} of 0x{size:x} bytes in the snapshot, 0x{Base:x} of 0x{Size:x} here");
        ulong pages = Size / SnapshotPageSize, next = 0;
        while (reader.ReadBool())
        {
            ulong p = reader.ReadUInt64();
            if (p >= pages || p < next) throw new SnapshotFormatException($"corrupt (RAM page {p} out of order or beyond {pages})");
            ZeroPages(next, p);
            reader.ReadExactly(new Span<byte>(_pointer + p * SnapshotPageSize, SnapshotPageSize));
            next = p + 1;
        }
        ZeroPages(next, pages);
    }

    private void ZeroPages(ulong from, ulong to)
    {
        for (ulong p = from; p < to; p++)
        {
            var page = new Span<byte>(_pointer + p * SnapshotPageSize, SnapshotPageSize);
            if (page.ContainsAnyExcept((byte)0)) page.Clear();
        }
    }

    /// <summary>A span over guest RAM starting at guest physical <paramref name="pa"/>.</summary>
    public Span<byte> AsSpan(ulong pa, int length)
    {
        if (!Contains(pa, (ulong)length)) throw new ArgumentOutOfRangeException(nameof(pa));
        return new Span<byte>(_pointer + (pa - Base), length);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_pointer != null)
        {
            HostMemory.Free(_pointer, _mapping, _mappingLength);
            _pointer = null;
        }
    }
}
