namespace ArmVirt.Core;

/// <summary>
/// The uniform register model of a memory-mapped device: each register is declared once with
/// <see cref="Define"/>, and accesses are dispatched by offset. Offsets with no register are
/// RAZ/WI (as the Arm peripherals' "reserved" locations are) and reported through <see cref="GuestError"/>.
/// </summary>
public sealed class RegisterMap
{
    private readonly Dictionary<ulong, MmioRegister> _byOffset = new();
    private readonly List<MmioRegister> _all = new();

    /// <summary>Name of the device, used in diagnostics.</summary>
    public string DeviceName { get; }

    /// <summary>Creates an empty map for a device called <paramref name="deviceName"/>.</summary>
    public RegisterMap(string deviceName) => DeviceName = deviceName;

    /// <summary>Raised with a description when the guest accesses a reserved offset or uses a wrong width.</summary>
    public event Action<string>? GuestError;

    /// <summary>All declared registers in declaration order.</summary>
    public IReadOnlyList<MmioRegister> Registers => _all;

    /// <summary>Declares one register.</summary>
    /// <param name="name">Register name.</param>
    /// <param name="offset">Byte offset from the device base.</param>
    /// <param name="width">Width in bytes.</param>
    /// <param name="reset">Reset value.</param>
    /// <param name="writeMask">Writable bits when there is no write hook (default: all).</param>
    /// <param name="read">Computes the read value (default: the stored value).</param>
    /// <param name="write">Handles a write (default: store through <paramref name="writeMask"/>).</param>
    /// <param name="narrowAccess">Permit byte/halfword accesses within the register.</param>
    public MmioRegister Define(string name, ulong offset, int width = 4, ulong reset = 0, ulong writeMask = ulong.MaxValue,
        Func<ulong>? read = null, Action<ulong>? write = null, bool narrowAccess = false)
    {
        if (width is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(width));
        if (offset % (ulong)width != 0) throw new ArgumentException($"{name}: offset not aligned to width.");
        if (width < 8 && writeMask == ulong.MaxValue) writeMask = (1UL << (width * 8)) - 1;
        var reg = new MmioRegister(name, offset, width, reset, writeMask, read, write, narrowAccess);
        if (!_byOffset.TryAdd(offset, reg)) throw new InvalidOperationException($"{DeviceName}: two registers at 0x{offset:x}.");
        _all.Add(reg);
        return reg;
    }

    /// <summary>Declares <paramref name="count"/> registers <c>name0..nameN</c> spaced by <paramref name="stride"/> bytes.</summary>
    public void DefineArray(string name, ulong offset, int count, int width, Func<int, ulong> read, Action<int, ulong> write,
        int stride = 0, bool narrowAccess = false)
    {
        if (stride == 0) stride = width;
        for (int i = 0; i < count; i++)
        {
            int n = i;
            Define($"{name}{i}", offset + (ulong)(i * stride), width, 0, ulong.MaxValue, () => read(n), v => write(n, v), narrowAccess);
        }
    }

    /// <summary>Writes every register's stored value (registers computed by a read hook store nothing that matters, but are written too).</summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section(DeviceName);
        writer.Write(_all.Count);
        foreach (var r in _all) writer.Write(r.Value);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, without running write side effects.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section(DeviceName);
        int count = reader.ReadInt32();
        if (count != _all.Count) throw new SnapshotFormatException($"{DeviceName}: {count} registers in the snapshot, {_all.Count} in this machine");
        foreach (var r in _all) r.Value = reader.ReadUInt64();
    }

    /// <summary>Looks up the register declared at exactly <paramref name="offset"/>.</summary>
    public MmioRegister? At(ulong offset) => _byOffset.GetValueOrDefault(offset);

    /// <summary>Resets every register to its reset value.</summary>
    public void Reset()
    {
        foreach (var r in _all) r.Reset();
    }

    /// <summary>Dispatches a guest read. Always succeeds (reserved locations read as zero).</summary>
    public ulong Read(ulong offset, int size)
    {
        if (Find(offset, size, out var reg, out int shift))
            return (reg!.Read() >> shift) & Mask(size);
        GuestError?.Invoke($"{DeviceName}: read of {size} bytes at reserved offset 0x{offset:x}");
        return 0;
    }

    /// <summary>Dispatches a guest write. Writes to reserved locations are ignored.</summary>
    public void Write(ulong offset, int size, ulong value)
    {
        if (Find(offset, size, out var reg, out int shift))
        {
            if (size == reg!.Width) reg.Write(value & Mask(size));
            else
            {
                ulong mask = Mask(size) << shift;
                reg.Write((reg.Read() & ~mask) | ((value << shift) & mask));
            }
            return;
        }
        GuestError?.Invoke($"{DeviceName}: write of {size} bytes at reserved offset 0x{offset:x}");
    }

    private bool Find(ulong offset, int size, out MmioRegister? reg, out int shift)
    {
        shift = 0;
        if (_byOffset.TryGetValue(offset, out reg) && reg.Width == size) return true;
        // A narrower access inside a wider register, or a wider access to a register declared narrow.
        for (int w = 8; w >= 2; w >>= 1)
        {
            ulong start = offset & ~(ulong)(w - 1);
            if (_byOffset.TryGetValue(start, out reg) && reg.Width == w)
            {
                if (size < w && reg.AllowsNarrowAccess)
                {
                    shift = (int)(offset - start) * 8;
                    return true;
                }
                break;
            }
        }
        reg = null;
        return false;
    }

    private static ulong Mask(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
}
