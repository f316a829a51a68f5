namespace ArmVirt.Devices.Virtio;

/// <summary>Where QEMU's <c>-M virt</c> puts its virtio-mmio transports (hw/arm/virt.c memory map).</summary>
internal static class VirtioMmioLayout
{
    /// <summary>Base of slot 0.</summary>
    public const ulong Base = 0x0A00_0000;
    /// <summary>Distance between slots (and the size of each window).</summary>
    public const ulong Stride = VirtioMmioTransport.WindowSize;
    /// <summary>Number of slots.</summary>
    public const int SlotCount = 32;
    /// <summary>SPI number of slot 0 (GIC INTID = 32 + SPI).</summary>
    public const int FirstSpi = 16;

    /// <summary>Guest physical base of slot <paramref name="slot"/>.</summary>
    public static ulong SlotBase(int slot) => (uint)slot < SlotCount ? Base + (ulong)slot * Stride : throw new ArgumentOutOfRangeException(nameof(slot));

    /// <summary>SPI of slot <paramref name="slot"/>.</summary>
    public static int Spi(int slot) => (uint)slot < SlotCount ? FirstSpi + slot : throw new ArgumentOutOfRangeException(nameof(slot));
}
