namespace ArmVirt.Cpu;

/// <summary>Static properties of one CPU: which ELs exist, which core it models, where it sits in the system.</summary>
public sealed class CpuConfiguration
{
    /// <summary>Highest implemented exception level (1, 2 or 3). The CPU resets into it.</summary>
    public int HighestEl { get; init; } = 1;

    /// <summary>The core model whose ID registers are reported (see <see cref="CpuModel"/>).</summary>
    public CpuModel Model { get; init; } = CpuModel.CortexA57;

    /// <summary>
    /// Whether the PMUv3 is implemented (default; QEMU's <c>pmu=on</c>). Without it ID_AA64DFR0_EL1.PMUVer is 0 and
    /// the PMU registers are UNDEFINED, as with QEMU's <c>-cpu cortex-a57,pmu=off</c>.
    /// </summary>
    public bool HasPmu { get; init; } = true;

    /// <summary>This CPU's index, reported in MPIDR_EL1.Aff0.</summary>
    public int Index { get; init; }

    /// <summary>Whether EL2 is implemented.</summary>
    public bool HasEl2 => HighestEl >= 2;

    /// <summary>Whether EL3 is implemented.</summary>
    public bool HasEl3 => HighestEl >= 3;
}
