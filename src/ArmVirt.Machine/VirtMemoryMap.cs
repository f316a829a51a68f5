namespace ArmVirt.Machine;

/// <summary>
/// The guest physical memory map of QEMU's <c>-M virt</c> (hw/arm/virt.c, <c>base_memmap</c>) for the devices
/// ArmVirt models, so that one guest binary runs on both.
/// </summary>
public static class VirtMemoryMap
{
    /// <summary>Base of the PL011 UART.</summary>
    public const ulong Pl011Base = 0x0900_0000;

    /// <summary>Size of the PL011 UART window.</summary>
    public const ulong Pl011Size = 0x1000;

    /// <summary>The PL011's interrupt: SPI 1.</summary>
    public const int Pl011Spi = 1;

    /// <summary>Base of RAM (the <c>loader_start</c> of QEMU's boot code).</summary>
    public const ulong RamBase = 0x4000_0000;

    /// <summary>Largest RAM the low memory window holds: 255 GiB, up to the high MMIO region at 256 GiB.</summary>
    public const ulong MaxRamSize = 255UL << 30;

    /// <summary>Default RAM size: 128 MiB, QEMU's default for <c>-M virt</c>.</summary>
    public const ulong DefaultRamSize = 128UL << 20;
}
