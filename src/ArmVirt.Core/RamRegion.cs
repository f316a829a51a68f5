using System.Runtime.InteropServices;

namespace ArmVirt.Core;

/// <summary>
/// Guest RAM: one zero-initialised native allocation mapped at a fixed guest physical base.
/// </summary>
public sealed unsafe class RamRegion : IDisposable
{
    private byte* _pointer;

    /// <summary>Allocates <paramref name="size"/> bytes of zeroed RAM at guest physical <paramref name="baseAddress"/>.</summary>
    public RamRegion(ulong baseAddress, ulong size)
    {
        if (size == 0 || (size & 0xFFF) != 0)
            throw new ArgumentOutOfRangeException(nameof(size), "RAM size must be a non-zero multiple of 4 KiB.");
        Base = baseAddress;
        Size = size;
        // calloc-style allocation: large blocks come straight from the OS already zeroed, so a big guest RAM
        // costs nothing until touched.
        _pointer = (byte*)NativeMemory.AllocZeroed((nuint)size);
    }

    /// <summary>Guest physical base address.</summary>
    public ulong Base { get; }

    /// <summary>Size in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Host pointer to the first byte (valid until disposal).</summary>
    public byte* Pointer => _pointer;

    /// <summary>True when <c>[pa, pa+size)</c> lies entirely inside this region.</summary>
    public bool Contains(ulong pa, ulong size) => pa >= Base && pa - Base <= Size - size && size <= Size;

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
            NativeMemory.Free(_pointer);
            _pointer = null;
        }
    }
}
