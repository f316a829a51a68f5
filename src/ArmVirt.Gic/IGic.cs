using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// What a machine wires to either GIC generation (GICv2 or GICv3, whose implementations are internal to the package):
/// the interrupt inputs of the devices and the CPUs' outputs, and reset. Each generation's registers are the guest's.
/// </summary>
public interface IGic
{
    /// <summary>Number of connected CPUs.</summary>
    int CpuCount { get; }

    /// <summary>Number of implemented interrupt IDs, SGIs and PPIs included.</summary>
    int InterruptCount { get; }

    /// <summary>Input of shared peripheral interrupt <paramref name="n"/> (INTID 32 + n).</summary>
    InterruptLine Spi(int n);

    /// <summary>Input of private peripheral interrupt <paramref name="n"/> (0..15, INTID 16 + n) of CPU <paramref name="cpu"/>.</summary>
    InterruptLine Ppi(int cpu, int n);

    /// <summary>CPU <paramref name="cpu"/>'s physical IRQ output.</summary>
    InterruptLine IrqOutput(int cpu);

    /// <summary>CPU <paramref name="cpu"/>'s physical FIQ output.</summary>
    InterruptLine FiqOutput(int cpu);

    /// <summary>Resets every register to its reset value; input line levels are kept.</summary>
    void Reset();
}
