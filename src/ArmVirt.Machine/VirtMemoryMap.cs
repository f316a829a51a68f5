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

    /// <summary>
    /// Base of the Secure RAM of a machine with an AArch32 EL3 (<c>--el 3</c> with cortex-a15/a7, QEMU's
    /// <c>secure=on</c>: VIRT_SECURE_MEM).
    /// </summary>
    public const ulong SecureRamBase = 0x0E00_0000;

    /// <summary>Size of the Secure RAM: 16 MiB.</summary>
    public const ulong SecureRamSize = 0x0100_0000;

    /// <summary>Base of RAM (the <c>loader_start</c> of QEMU's boot code).</summary>
    public const ulong RamBase = 0x4000_0000;

    /// <summary>GICv2 distributor (GICD).</summary>
    public const ulong GicDistributorBase = 0x0800_0000;

    /// <summary>GICv2 CPU interface (GICC).</summary>
    public const ulong GicCpuInterfaceBase = 0x0801_0000;

    /// <summary>GICv2 virtual interface control (GICH), present when EL2 is implemented.</summary>
    public const ulong GicVirtualControlBase = 0x0803_0000;

    /// <summary>GICv2 virtual CPU interface (GICV), present when EL2 is implemented.</summary>
    public const ulong GicVirtualCpuInterfaceBase = 0x0804_0000;

    /// <summary>GICv3 redistributors (<c>VIRT_GIC_REDIST</c>): one 0x2_0000 frame pair per CPU from here.</summary>
    public const ulong GicRedistributorBase = 0x080A_0000;

    /// <summary>Size of QEMU's GICv3 redistributor region (room for 123 CPUs), as the DTB describes it.</summary>
    public const ulong GicRedistributorRegionSize = 0xF6_0000;

    /// <summary>Size of each GIC window.</summary>
    public const ulong GicWindowSize = 0x1_0000;

    /// <summary>Interrupt IDs the GIC implements (SPIs 0..255), as QEMU's virt machine.</summary>
    public const int GicInterrupts = 288;

    /// <summary>
    /// Interrupt IDs the GICv3 implements: 256 (SPIs 0..223). QEMU's virt GICv3 has 288 lines internally but its
    /// GICD_TYPER.ITLinesNumber is computed from the SPI count ((288 - 32) / 32 - 1 = 7), so a guest sees INTIDs up to
    /// 255 ("GICv3: 224 SPIs implemented"); this model implements exactly what that register promises.
    /// </summary>
    public const int Gicv3Interrupts = 256;

    /// <summary>PL031 real-time clock.</summary>
    public const ulong Pl031Base = 0x0901_0000;

    /// <summary>Size of the PL031 window.</summary>
    public const ulong Pl031Size = 0x1000;

    /// <summary>SPI of the PL031.</summary>
    public const int Pl031Spi = 2;

    /// <summary>PPIs of the generic timer: secure physical, non-secure physical, virtual, hypervisor (INTIDs 29, 30, 27, 26).</summary>
    public const int TimerSecurePpi = 13, TimerPhysicalPpi = 14, TimerVirtualPpi = 11, TimerHypervisorPpi = 10;

    /// <summary>PPI of the PMU overflow interrupt (INTID 23), QEMU's VIRTUAL_PMU_IRQ.</summary>
    public const int PmuPpi = 7;

    /// <summary>PPI of the GIC maintenance interrupt (INTID 25).</summary>
    public const int GicMaintenancePpi = 9;

    /// <summary>Largest RAM the low memory window holds: 255 GiB, up to the high MMIO region at 256 GiB.</summary>
    public const ulong MaxRamSize = 255UL << 30;

    /// <summary>Default RAM size: 128 MiB, QEMU's default for <c>-M virt</c>.</summary>
    public const ulong DefaultRamSize = 128UL << 20;
}
