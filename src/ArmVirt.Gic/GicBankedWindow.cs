using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One MMIO window shared by all CPUs that forwards each access to the accessing CPU's banked device,
/// chosen by <see cref="Gicv2.AccessingCpu"/> (the way one GICC/GICH/GICV address range is banked in hardware).
/// </summary>
internal sealed class GicBankedWindow : IMmioDevice
{
    private readonly Gicv2 _gic;
    private readonly IMmioDevice[] _banks;

    internal GicBankedWindow(Gicv2 gic, IMmioDevice[] banks)
    {
        _gic = gic;
        _banks = banks;
    }

    private IMmioDevice Bank
    {
        get
        {
            int cpu = _gic.AccessingCpu();
            return (uint)cpu < (uint)_banks.Length ? _banks[cpu]
                : throw new InvalidOperationException($"GIC: accessing CPU {cpu} is not connected.");
        }
    }

    /// <inheritdoc />
    public bool TryRead(ulong offset, int size, out ulong value) => Bank.TryRead(offset, size, out value);

    /// <inheritdoc />
    public bool TryWrite(ulong offset, int size, ulong value) => Bank.TryWrite(offset, size, value);
}
