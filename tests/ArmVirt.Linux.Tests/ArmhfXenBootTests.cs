namespace ArmVirt.Linux.Tests;

/// <summary>
/// Xen on the ARMv7 machine (issue #19): Debian's xen-hypervisor-4.17-armhf (tests/linux/fetch-xen.sh: xen-4.17-armhf, a
/// zImage-format image) in Hyp mode boots Debian's armhf LPAE kernel and the armhf busybox initramfs as dom0, both placed
/// by the guest loader, to the shell and dom0's power-off, after which Xen halts the machine. QEMU (<c>qemu-system-arm -M
/// virt,highmem=off,virtualization=on -cpu cortex-a15 -device guest-loader,...</c>) is the reference; ArmVirt (<c>--cpu
/// cortex-a15 --el 2 --device guest-loader,...</c>) must print the same console apart from times and
/// <see cref="ConsoleExceptions"/>. Gated as the other ArmVirt boots (ARMVIRT_LINUX_BOOT=1); inconclusive without the cache.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class ArmhfXenBootTests
{
    /// <summary>Debian's armhf Xen 4.17, fetched by tests/linux/fetch-xen.sh.</summary>
    public static string XenPath => Path.Combine(LinuxBootEnvironment.CacheDirectory, "xen-4.17-armhf");

    private static void RequireCache()
    {
        ArmhfLinuxBootTests.RequireCache();
        if (!File.Exists(XenPath)) Assert.Inconclusive($"No {XenPath}: run tests/linux/fetch-xen.sh.");
    }

    /// <summary>Dom0's kernel and initramfs, where the arm64 Xen boot puts its own (LinuxBootEnvironment's addresses).</summary>
    private static string[] Dom0Devices =>
    [
        $"guest-loader,addr=0x{LinuxBootEnvironment.Dom0KernelAddress:x},kernel={ArmhfLinuxBootTests.ZImagePath},bootargs={LinuxBootEnvironment.Dom0CommandLine}",
        $"guest-loader,addr=0x{LinuxBootEnvironment.Dom0InitrdAddress:x},initrd={ArmhfLinuxBootTests.Initramfs}",
    ];

    /// <summary>
    /// What Xen and dom0 print that shows the boot went where it should: Xen found the Cortex-A15 with its generic timer
    /// and GICv2 virtual interface, loaded dom0 from the guest loader's modules, dom0 knew it ran on Xen in Supervisor
    /// mode, and Xen halted the machine at dom0's power-off.
    /// </summary>
    public static readonly string[] XenLines =
    [
        "(XEN) Xen version 4.17",
        "(XEN) Processor: 414fc0f0: \"ARM Limited\", variant: 0x4, part 0xc0f,rev 0x0",
        "(XEN) Generic Timer IRQ: phys=30 hyp=26 virt=27 Freq: 62500 KHz",
        "(XEN)         gic_hyp_addr=0000000008030000",
        "(XEN) P2M: 40-bit IPA",
        "(XEN) *** LOADING DOMAIN 0 ***",
        "(XEN) Loading d0 kernel from boot module @ 0000000049000000",
        "(XEN) Loading ramdisk from boot module @ 000000004d000000",
        "(XEN) Loading zImage from 0000000049000000 to ",
        "Xen 4.17 support found",
        "CPU: All CPU(s) started in SVC mode.",
        "(XEN) Hardware Dom0 halted: halting machine",
    ];

    /// <summary>
    /// The console lines that may differ from QEMU's: the armhf boot's (<see cref="ArmhfLinuxBootTests.ConsoleExceptions"/>)
    /// and Xen's view of the same machine differences.
    /// </summary>
    public static readonly ConsoleException[] ConsoleExceptions =
    [
        .. ArmhfLinuxBootTests.ConsoleExceptions,
        new(new(@"^\(XEN\) (GICv2m extension register frame:|\s+gic_v2m_|GICv2: (Mapping|Creating) v2m )"),
            "ArmVirt has no GICv2m MSI frame (QEMU's virt has one at 0x08020000)"),
        new(new(@"^\(XEN\) GICv2: \d+ lines, \d+ cpu \(IID [0-9a-f]+\)\.$"),
            "ArmVirt's GICv2 is a GIC-400 (GICD_IIDR 0x0200143B); QEMU's GICD_IIDR is 0x0000043B"),
        new(new(@"^\(XEN\) Loading d0 DTB to "), "dom0's DTB is made from the machine's, which has fewer nodes on ArmVirt (above)"),
    ];

    private static BootRun BootOnQemu()
    {
        string qemu = ArmhfLinuxBootTests.FindQemuArm() ?? throw new AssertInconclusiveException("qemu-system-arm not found");
        return LinuxBootEnvironment.Run(qemu,
        [
            "-M", "virt,highmem=off,virtualization=on", "-cpu", "cortex-a15", "-m", LinuxBootEnvironment.XenGuestMemory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", XenPath, "-append", LinuxBootEnvironment.XenCommandLine, .. Dom0Devices.SelectMany(d => new[] { "-device", d }),
        ], TimeSpan.FromMinutes(5));
    }

    /// <summary>armvirt's options for the boot of <see cref="BootOnQemu"/>.</summary>
    public static string[] ArmVirtArguments =>
    [
        "--cpu", "cortex-a15", "--el", "2", "--kernel", XenPath, "--append", LinuxBootEnvironment.XenCommandLine,
        "--memory", LinuxBootEnvironment.XenGuestMemory, .. Dom0Devices.SelectMany(d => new[] { "--device", d }),
    ];

    private static void AssertBoot(BootRun run)
    {
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in XenLines) StringAssert.Contains(run.Output, line, run.Describe());
    }

    [TestMethod]
    public void BootsAnArmhfDom0ToPowerOffOnQemu()
    {
        RequireCache();
        AssertBoot(BootOnQemu());
    }

    [TestMethod]
    public void BootsAnArmhfDom0ToPowerOffOnArmVirtWithQemusConsole()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        RequireCache();
        BootRun run = LinuxBootEnvironment.RunArmVirt(ArmVirtArguments, LinuxBootEnvironment.ArmVirtTimeout);
        AssertBoot(run);
        if (ArmhfLinuxBootTests.FindQemuArm() == null) Assert.Inconclusive("booted; no qemu-system-arm to compare the console with");
        ConsoleComparison.AssertSame(BootOnQemu(), run, ConsoleExceptions);
    }
}
