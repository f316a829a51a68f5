using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>The distributor as seen by one fixed CPU (its SGI/PPI bank, its ITARGETSR mask, its SGIR source).</summary>
internal sealed class GicDistributorView : IMmioDevice
{
    private readonly GicDistributor _distributor;

    internal GicDistributorView(GicDistributor distributor, int cpu)
    {
        _distributor = distributor;
        CpuNumber = cpu;
    }

    /// <summary>The CPU whose view this is.</summary>
    public int CpuNumber { get; }

    /// <inheritdoc />
    public bool TryRead(ulong offset, int size, out ulong value) => _distributor.ReadAs(CpuNumber, offset, size, out value);

    /// <inheritdoc />
    public bool TryWrite(ulong offset, int size, ulong value) => _distributor.WriteAs(CpuNumber, offset, size, value);
}
