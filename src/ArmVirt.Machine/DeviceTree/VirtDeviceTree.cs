using ArmVirt.Machine.Loaders;
using ArmVirt.Devices.Virtio;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Machine.DeviceTree;

/// <summary>
/// Generates the device tree QEMU's <c>-M virt</c> (hw/arm/virt.c, <c>create_fdt</c> and friends) gives a guest,
/// for the devices ArmVirt models, and amends a user-supplied tree the way QEMU's <c>arm_load_dtb</c> does.
/// </summary>
internal static class VirtDeviceTree
{
    /// <summary>The phandle QEMU gives the apb-pclk fixed clock.</summary>
    public const uint ApbClockPhandle = 0x8000;

    /// <summary>The PL011 node's path, used as <c>/chosen/stdout-path</c>.</summary>
    public const string UartPath = "/pl011@9000000";

    /// <summary>Phandle of the GIC node (QEMU's value).</summary>
    public const uint GicPhandle = 0x8001;

    // Interrupt specifier cells of arm,cortex-a15-gic: type (0 SPI, 1 PPI), number, flags (1 edge rising, 4 level
    // high; for PPIs the mask of the CPUs they reach in bits 15..8).
    private const uint GicSpi = 0, GicPpi = 1, IrqEdgeRising = 1, IrqLevelHigh = 4;


    /// <summary>The <c>compatible</c> string of a CPU node for <paramref name="model"/> (QEMU's <c>dtb_compatible</c>; "max" is A57-based).</summary>
    public static string CpuCompatible(CpuModel model) => model.Name switch
    {
        "cortex-a53" => "arm,cortex-a53",
        "cortex-a15" => "arm,cortex-a15",
        "cortex-a7" => "arm,cortex-a7",
        _ => "arm,cortex-a57",
    };

    /// <summary>Builds the tree for a single-CPU virt machine with <paramref name="ramSize"/> bytes of RAM.</summary>
    /// <param name="model">The CPU model.</param>
    /// <param name="ramSize">RAM in bytes.</param>
    /// <param name="conduit">The PSCI conduit.</param>
    /// <param name="bootargs">/chosen/bootargs, or null.</param>
    /// <param name="initrd">The initrd's range, or null.</param>
    /// <param name="gicVirtualization">EL2 exists: the GIC node names the maintenance interrupt (and GICH/GICV for v2).</param>
    /// <param name="gicVersion">2 (<c>arm,cortex-a15-gic</c>) or 3 (<c>arm,gic-v3</c>, as QEMU with its=off).</param>
    public static DeviceTreeNode Build(CpuModel model, ulong ramSize, FirmwareConduit conduit, string? bootargs,
        (ulong Start, ulong End)? initrd, bool gicVirtualization = false, int gicVersion = 2) =>
        Build(model, ramSize, conduit, bootargs, initrd, gicVirtualization, gicVersion, [], 1);

    // The same, with the guest-loader modules described in /chosen, cpuCount CPUs, and without the PMU node for a CPU
    // without a PMU.
    internal static DeviceTreeNode Build(CpuModel model, ulong ramSize, FirmwareConduit conduit, string? bootargs,
        (ulong Start, ulong End)? initrd, bool gicVirtualization, int gicVersion, IReadOnlyList<LoaderImage> modules, int cpuCount, bool pmu = true,
        IReadOnlyList<CustomDevice>? devices = null, bool secure = false)
    {
        var root = new DeviceTreeNode("");
        root.SetStrings("model", "linux,dummy-virt")
            .SetCells("#size-cells", 2)
            .SetCells("#address-cells", 2)
            .SetStrings("compatible", "linux,dummy-virt")
            .SetCells("interrupt-parent", GicPhandle);

        // PSCI 0.2+ with the PSCI 0.1 function IDs QEMU also lists (fdt_add_psci_node): the SMC64 ones, or the SMC32 ones
        // for an AArch32-only CPU.
        // QEMU's secure=on (7.2, without firmware) has none: the node is left out with an AArch32 EL3.
        uint smc64 = model.Aarch32Only ? 0 : 0x4000_0000u;
        if (!secure)
            root.AddNode("psci")
            .SetCells("migrate", 0x8400_0005 | smc64)
            .SetCells("cpu_on", 0x8400_0003 | smc64)
            .SetCells("cpu_off", 0x8400_0002)
            .SetCells("cpu_suspend", 0x8400_0001 | smc64)
            .SetStrings("method", conduit == FirmwareConduit.Hvc ? "hvc" : "smc")
            .SetStrings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci");

        // secure=on: the Secure RAM, for Secure software only (status "disabled", secure-status "okay": create_secure_ram).
        if (secure)
            root.AddNode($"secram@{VirtMemoryMap.SecureRamBase:x}")
                .SetStrings("secure-status", "okay")
                .SetStrings("status", "disabled")
                .SetU64("reg", VirtMemoryMap.SecureRamBase, VirtMemoryMap.SecureRamSize)
                .SetStrings("device_type", "memory");

        root.AddNode($"memory@{VirtMemoryMap.RamBase:x}")
            .SetU64("reg", VirtMemoryMap.RamBase, ramSize)
            .SetStrings("device_type", "memory");

        root.AddNode($"pl011@{VirtMemoryMap.Pl011Base:x}")
            .SetStrings("clock-names", "uartclk", "apb_pclk")
            .SetCells("clocks", ApbClockPhandle, ApbClockPhandle)
            .SetCells("interrupts", GicSpi, VirtMemoryMap.Pl011Spi, IrqLevelHigh)
            .SetU64("reg", VirtMemoryMap.Pl011Base, VirtMemoryMap.Pl011Size)
            .SetStrings("compatible", "arm,pl011", "arm,primecell");

        root.AddNode($"pl031@{VirtMemoryMap.Pl031Base:x}")
            .SetStrings("clock-names", "apb_pclk")
            .SetCells("clocks", ApbClockPhandle)
            .SetCells("interrupts", GicSpi, VirtMemoryMap.Pl031Spi, IrqLevelHigh)
            .SetU64("reg", VirtMemoryMap.Pl031Base, VirtMemoryMap.Pl031Size)
            .SetStrings("compatible", "arm,pl031", "arm,primecell");

        if (gicVersion == 3) AddGicv3Node(root, gicVirtualization);
        else AddGicv2Node(root, gicVirtualization);

        // fdt_add_timer_nodes: secure physical, non-secure physical, virtual, hypervisor. A GICv3's PPI specifiers
        // carry no CPU mask (arm,gic-v3 binding), so QEMU writes it only for a GICv2: every CPU has the timers.
        uint ppiFlags = gicVersion == 3 ? IrqLevelHigh : (((1u << cpuCount) - 1) << 8) | IrqLevelHigh;
        root.AddNode("timer")
            .SetCells("interrupts",
                GicPpi, VirtMemoryMap.TimerSecurePpi, ppiFlags, GicPpi, VirtMemoryMap.TimerPhysicalPpi, ppiFlags,
                GicPpi, VirtMemoryMap.TimerVirtualPpi, ppiFlags, GicPpi, VirtMemoryMap.TimerHypervisorPpi, ppiFlags)
            .SetEmpty("always-on")
            .SetStrings("compatible", model.Aarch32Only ? ["arm,armv7-timer"] : ["arm,armv8-timer", "arm,armv7-timer"]);

        // fdt_add_pmu_nodes: PMUv3 with its overflow interrupt on PPI 7 (none with pmu=off).
        if (pmu)
        {
            root.AddNode("pmu")
                .SetCells("interrupts", GicPpi, VirtMemoryMap.PmuPpi, ppiFlags)
                .SetStrings("compatible", "arm,armv8-pmuv3");
        }

        // The 32 virtio-mmio transports, written in reverse slot order as QEMU does.
        for (int n = VirtioMmioLayout.SlotCount - 1; n >= 0; n--)
        {
            ulong slotBase = VirtioMmioLayout.SlotBase(n);
            root.AddNode($"virtio_mmio@{slotBase:x}")
                .SetEmpty("dma-coherent")
                .SetCells("interrupts", GicSpi, (uint)VirtioMmioLayout.Spi(n), IrqEdgeRising)
                .SetU64("reg", slotBase, VirtioMmioLayout.Stride)
                .SetStrings("compatible", "virtio,mmio");
        }

        var cpus = root.AddNode("cpus").SetCells("#size-cells", 0).SetCells("#address-cells", 1);
        // fdt_add_cpu_nodes: reg = MPIDR_EL1's affinity (Aff0 = n with up to 8 CPUs), started through PSCI.
        for (int n = 0; n < cpuCount; n++)
        {
            var cpu = cpus.AddNode($"cpu@{n}").SetCells("reg", (uint)n);
            if (!secure) cpu.SetStrings("enable-method", "psci");
            cpu.SetStrings("compatible", CpuCompatible(model))
                .SetStrings("device_type", "cpu");
        }

        // The user's devices (MachineBuilder.WithDevice).
        foreach (var d in devices ?? [])
        {
            var node = root.AddNode(d.NodeName)
                .SetU64("reg", d.Address, d.Size)
                .SetStrings("compatible", d.Compatible);
            if (d.Interrupt != null) node.SetCells("interrupts", GicSpi, (uint)d.Spi, IrqLevelHigh);
        }

        root.AddNode("apb-pclk")
            .SetCells("phandle", ApbClockPhandle)
            .SetStrings("clock-output-names", "clk24mhz")
            .SetCells("clock-frequency", 24_000_000)
            .SetCells("#clock-cells", 0)
            .SetStrings("compatible", "fixed-clock");

        var chosen = root.AddNode("chosen").SetStrings("stdout-path", UartPath);
        SetChosen(chosen, bootargs, initrd, modules, 2, 2);
        return root;
    }

    // fdt_add_gic_node for a GICv2: the distributor and CPU interface, plus GICH/GICV and the maintenance PPI with EL2.
    private static void AddGicv2Node(DeviceTreeNode root, bool gicVirtualization)
    {
        var gic = root.AddNode($"intc@{VirtMemoryMap.GicDistributorBase:x}")
            .SetCells("phandle", GicPhandle);
        var regs = new List<ulong> { VirtMemoryMap.GicDistributorBase, VirtMemoryMap.GicWindowSize, VirtMemoryMap.GicCpuInterfaceBase, VirtMemoryMap.GicWindowSize };
        if (gicVirtualization)
        {
            regs.AddRange([VirtMemoryMap.GicVirtualControlBase, VirtMemoryMap.GicWindowSize, VirtMemoryMap.GicVirtualCpuInterfaceBase, VirtMemoryMap.GicWindowSize]);
            gic.SetCells("interrupts", GicPpi, VirtMemoryMap.GicMaintenancePpi, IrqLevelHigh); // QEMU writes no CPU mask here
        }
        gic.SetU64("reg", regs.ToArray())
            .SetStrings("compatible", "arm,cortex-a15-gic")
            .SetEmpty("ranges")
            .SetCells("#size-cells", 2)
            .SetCells("#address-cells", 2)
            .SetEmpty("interrupt-controller")
            .SetCells("#interrupt-cells", 3);
    }

    // fdt_add_gic_node for a GICv3 without an ITS: the distributor and one redistributor region (QEMU's VIRT_GIC_REDIST
    // size, whatever the CPU count), plus the maintenance PPI with EL2.
    private static void AddGicv3Node(DeviceTreeNode root, bool gicVirtualization)
    {
        var gic = root.AddNode($"intc@{VirtMemoryMap.GicDistributorBase:x}")
            .SetCells("phandle", GicPhandle);
        if (gicVirtualization) gic.SetCells("interrupts", GicPpi, VirtMemoryMap.GicMaintenancePpi, IrqLevelHigh);
        gic.SetU64("reg", VirtMemoryMap.GicDistributorBase, VirtMemoryMap.GicWindowSize,
                VirtMemoryMap.GicRedistributorBase, VirtMemoryMap.GicRedistributorRegionSize)
            .SetCells("#redistributor-regions", 1)
            .SetStrings("compatible", "arm,gic-v3")
            .SetEmpty("ranges")
            .SetCells("#size-cells", 2)
            .SetCells("#address-cells", 2)
            .SetEmpty("interrupt-controller")
            .SetCells("#interrupt-cells", 3);
    }

    /// <summary>
    /// Updates a user-supplied tree as QEMU does for <c>-dtb</c>: the first memory node's <c>reg</c> describes the
    /// machine's RAM (a node is added if there is none), and <c>/chosen</c> gets the bootargs and initrd range.
    /// </summary>
    public static void Amend(DeviceTreeNode root, ulong ramSize, string? bootargs, (ulong Start, ulong End)? initrd) =>
        Amend(root, ramSize, bootargs, initrd, []);

    // The same, with the guest-loader modules described in /chosen.
    internal static void Amend(DeviceTreeNode root, ulong ramSize, string? bootargs, (ulong Start, ulong End)? initrd,
        IReadOnlyList<LoaderImage> modules)
    {
        uint addressCells = (uint)(root.Property("#address-cells")?.AsNumber() ?? 2);
        uint sizeCells = (uint)(root.Property("#size-cells")?.AsNumber() ?? 1);
        var memory = root.Children.FirstOrDefault(c => c.Name == "memory" || c.Name.StartsWith("memory@", StringComparison.Ordinal))
            ?? root.AddNode($"memory@{VirtMemoryMap.RamBase:x}").SetStrings("device_type", "memory");
        var reg = new List<uint>();
        AppendCells(reg, VirtMemoryMap.RamBase, addressCells, "memory base");
        AppendCells(reg, ramSize, sizeCells, "memory size");
        memory.SetCells("reg", reg.ToArray());
        SetChosen(root.AddNode("chosen"), bootargs, initrd, modules, addressCells, sizeCells);
    }

    private static void SetChosen(DeviceTreeNode chosen, string? bootargs, (ulong Start, ulong End)? initrd,
        IReadOnlyList<LoaderImage> modules, uint addressCells, uint sizeCells)
    {
        if (bootargs != null) chosen.SetStrings("bootargs", bootargs);
        if (initrd is { } range)
        {
            // One cell when the address fits, as QEMU writes it; Linux accepts either width.
            SetAddress(chosen, "linux,initrd-start", range.Start);
            SetAddress(chosen, "linux,initrd-end", range.End);
        }
        // QEMU's guest-loader (hw/core/guest-loader.c): one module node per image, its reg in the root's cells, as the
        // multiboot binding Xen reads (docs/misc/arm/device-tree/booting.txt in Xen's tree) describes it.
        foreach (var m in modules)
        {
            var reg = new List<uint>();
            AppendCells(reg, m.Address, addressCells, "module address");
            AppendCells(reg, (ulong)m.Data.Length, sizeCells, "module size");
            var node = chosen.AddNode($"module@{m.Address:x}")
                .SetCells("reg", reg.ToArray())
                .SetStrings("compatible", "multiboot,module", m.Module == GuestModuleKind.Kernel ? "multiboot,kernel" : "multiboot,ramdisk");
            if (m.Bootargs != null) node.SetStrings("bootargs", m.Bootargs);
        }
    }

    private static void SetAddress(DeviceTreeNode node, string name, ulong value)
    {
        if (value <= uint.MaxValue) node.SetCells(name, (uint)value);
        else node.SetU64(name, value);
    }

    private static void AppendCells(List<uint> cells, ulong value, uint count, string what)
    {
        if (count is not (1 or 2)) throw new MachineConfigurationException($"dtb: #address-cells/#size-cells of {count} is not supported");
        if (count == 1 && value > uint.MaxValue) throw new MachineConfigurationException($"dtb: {what} 0x{value:x} does not fit in one cell");
        if (count == 2) cells.Add((uint)(value >> 32));
        cells.Add((uint)value);
    }
}
