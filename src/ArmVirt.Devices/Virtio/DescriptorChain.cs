namespace ArmVirt.Devices.Virtio;

/// <summary>
/// One available buffer: a descriptor chain already walked and checked against guest RAM (VIRTIO 1.2 2.7.5
/// "The Virtqueue Descriptor Table"). Device-readable segments come first, then device-writable ones, and every
/// segment is inside guest RAM, so a device reaches the buffer only through these segments and cannot write
/// outside it. The object is owned by its <see cref="Virtqueue"/> and reused for every pop (no allocation).
/// </summary>
public sealed unsafe class DescriptorChain
{
    // A single segment is at most 1 GiB so that it fits a Span; longer descriptors are split.
    private const uint MaxSegment = 1u << 30;

    private nint[] _pointer;
    private int[] _length;
    private ulong[] _address;
    private int _count;
    private int _readableCount;

    internal DescriptorChain(int capacity)
    {
        _pointer = new nint[capacity];
        _length = new int[capacity];
        _address = new ulong[capacity];
    }

    /// <summary>Index of the head descriptor (the id written to the used ring).</summary>
    public ushort Head { get; internal set; }

    /// <summary>Total bytes the device may read.</summary>
    public long ReadableLength { get; private set; }

    /// <summary>Total bytes the device may write.</summary>
    public long WritableLength { get; private set; }

    /// <summary>Number of device-readable segments.</summary>
    public int ReadableSegmentCount => _readableCount;

    /// <summary>Number of device-writable segments.</summary>
    public int WritableSegmentCount => _count - _readableCount;

    /// <summary>Device-readable segment <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> ReadableSegment(int index)
    {
        if ((uint)index >= (uint)_readableCount) throw new ArgumentOutOfRangeException(nameof(index));
        return new ReadOnlySpan<byte>((void*)_pointer[index], _length[index]);
    }

    /// <summary>Device-writable segment <paramref name="index"/>.</summary>
    public Span<byte> WritableSegment(int index)
    {
        if ((uint)index >= (uint)(_count - _readableCount)) throw new ArgumentOutOfRangeException(nameof(index));
        int i = _readableCount + index;
        return new Span<byte>((void*)_pointer[i], _length[i]);
    }

    /// <summary>Length in bytes of device-writable segment <paramref name="index"/>.</summary>
    public int WritableSegmentLength(int index) => _length[_readableCount + index];

    /// <summary>Guest physical address of device-writable segment <paramref name="index"/>.</summary>
    public ulong WritableSegmentAddress(int index) => _address[_readableCount + index];

    /// <summary>Copies readable bytes starting at <paramref name="offset"/> into <paramref name="destination"/>; returns the count copied.</summary>
    public int CopyFromReadable(long offset, Span<byte> destination)
    {
        int done = 0;
        for (int i = 0; i < _readableCount && done < destination.Length; i++)
        {
            int len = _length[i];
            if (offset >= len) { offset -= len; continue; }
            int n = (int)Math.Min(len - offset, destination.Length - done);
            new ReadOnlySpan<byte>((byte*)_pointer[i] + offset, n).CopyTo(destination.Slice(done));
            done += n;
            offset = 0;
        }
        return done;
    }

    /// <summary>Copies <paramref name="source"/> into the writable bytes starting at <paramref name="offset"/>; returns the count copied.</summary>
    public int CopyToWritable(long offset, ReadOnlySpan<byte> source)
    {
        int done = 0;
        for (int i = _readableCount; i < _count && done < source.Length; i++)
        {
            int len = _length[i];
            if (offset >= len) { offset -= len; continue; }
            int n = (int)Math.Min(len - offset, source.Length - done);
            source.Slice(done, n).CopyTo(new Span<byte>((byte*)_pointer[i] + offset, n));
            done += n;
            offset = 0;
        }
        return done;
    }

    /// <summary>Sets <paramref name="length"/> writable bytes starting at <paramref name="offset"/> to zero.</summary>
    public void ClearWritable(long offset, long length)
    {
        for (int i = _readableCount; i < _count && length > 0; i++)
        {
            int len = _length[i];
            if (offset >= len) { offset -= len; continue; }
            int n = (int)Math.Min(len - offset, length);
            new Span<byte>((byte*)_pointer[i] + offset, n).Clear();
            length -= n;
            offset = 0;
        }
    }

    internal void Clear()
    {
        _count = 0;
        _readableCount = 0;
        ReadableLength = 0;
        WritableLength = 0;
    }

    internal void Add(byte* pointer, ulong address, uint length, bool writable)
    {
        while (length > 0)
        {
            uint n = Math.Min(length, MaxSegment);
            if (_count == _pointer.Length) Grow();
            _pointer[_count] = (nint)pointer;
            _address[_count] = address;
            _length[_count] = (int)n;
            _count++;
            if (writable) WritableLength += n;
            else
            {
                _readableCount++;
                ReadableLength += n;
            }
            pointer += n;
            address += n;
            length -= n;
        }
    }

    private void Grow()
    {
        int size = _pointer.Length * 2;
        Array.Resize(ref _pointer, size);
        Array.Resize(ref _length, size);
        Array.Resize(ref _address, size);
    }
}
