using ArmVirt.Core;

namespace ArmVirt.Machine;

/// <summary>
/// A device a user maps into the machine with <see cref="MachineBuilder.WithDevice"/>: its MMIO window, its device-tree
/// <c>compatible</c> string and, optionally, the interrupt line it drives and the SPI that line reaches.
/// </summary>
internal sealed record CustomDevice(ulong Address, ulong Size, IMmioDevice Device, string Compatible, InterruptLine? Interrupt, int Spi)
{
    /// <summary>The device-tree node name: the model part of the compatible string ("acme,widget" gives "widget@ADDR").</summary>
    public string NodeName => $"{Compatible[(Compatible.IndexOf(',') + 1)..]}@{Address:x}";
}
