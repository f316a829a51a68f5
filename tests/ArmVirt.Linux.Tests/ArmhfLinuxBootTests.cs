namespace ArmVirt.Linux.Tests;

/// <summary>
/// The ARMv7 machine (issue #19): Debian's armhf LPAE kernel (tests/linux/fetch.sh: zImage-armhf, 6.1 armmp-lpae) with an
/// initramfs of Debian's armhf busybox-static and tests/linux/init.sh, on <c>--cpu cortex-a15</c> in Supervisor mode
/// (EL1) and in Hyp mode (<c>--el 2</c>, as QEMU's <c>virtualization=on</c>), to the shell and PSCI power-off; QEMU
/// (<c>qemu-system-arm -M virt,highmem=off -cpu cortex-a15</c>) is the reference, and the lines that show what the
/// kernel found (CPU, debug, HYP mode, the shell) must be the same, and then the ArmVirt boot's whole console must be
/// QEMU's apart from times and <see cref="ConsoleExceptions"/>. Without the cache the tests are inconclusive; the
/// ArmVirt boots run only with ARMVIRT_LINUX_BOOT=1, as the other boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class ArmhfLinuxBootTests
{
    /// <summary>The armhf kernel fetch.sh extracts.</summary>
    public static string ZImagePath => Path.Combine(LinuxBootEnvironment.CacheDirectory, "zImage-armhf");

    private const string Memory = "256M";

    /// <summary>Marks the test inconclusive unless the armhf kernel and busybox have been fetched.</summary>
    public static void RequireCache()
    {
        if (!File.Exists(ZImagePath) || !File.Exists(CompatLinuxTests.ArmhfBusyboxPath))
            Assert.Inconclusive($"No {ZImagePath} or busybox-armhf: run tests/linux/fetch.sh.");
    }

    /// <summary>Builds (once per process) the armhf initramfs from the cached busybox-armhf and returns its path.</summary>
    public static string Initramfs => initramfs.Value;

    private static readonly Lazy<string> initramfs = new(() =>
        BootInitramfs.WriteTo(Path.Combine(LinuxBootEnvironment.CacheDirectory, "initrd-armhf.gz"), CompatLinuxTests.ArmhfBusyboxPath));

    // The kernel's report of what it found, which must not depend on the emulator: the CPU, the debug registers, the
    // mode the CPUs started in, the architected timer and the shell's first line.
    private static readonly string[] Findings =
    [
        "CPU: ARMv7 Processor [414fc0f0] revision 0 (ARMv7)", "CPU: div instructions available: patching division code",
        "hw-breakpoint: found 5 (+1 reserved) breakpoint and 4 watchpoint registers.",
        "VFP support v0.3: implementor 41 architecture 4 part 30 variant f rev 0", "uname: Linux (none) 6.1.0",
    ];

    private static void AssertBoot(BootRun run, int el)
    {
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in Findings) StringAssert.Contains(run.Output, line, run.Describe());
        // In Hyp mode the kernel keeps the physical timer (the virtual one is for its guests).
        StringAssert.Contains(run.Output, $"arch_timer: cp15 timer(s) running at 62.50MHz ({(el == 2 ? "phys" : "virt")}).", run.Describe());
        StringAssert.Contains(run.Output, $"CPU: All CPU(s) started in {(el == 2 ? "HYP" : "SVC")} mode.", run.Describe());
    }

    /// <summary>
    /// The console lines of the armhf boot that may differ from QEMU's (<see cref="ConsoleComparison"/>), each with why:
    /// devices QEMU's virt has and ArmVirt's does not, values that depend on the host, and the firmware's SMCCC version.
    /// </summary>
    public static readonly ConsoleException[] ConsoleExceptions =
    [
        new(new(@"^random: crng init done$"), "QEMU puts a random /chosen/rng-seed in its DTB; ArmVirt's has none, so runs repeat exactly"),
        new(new(@"^psci: SMC Calling Convention v1\.[01]$"),
            "ArmVirt's firmware implements SMCCC 1.1 (SMCCC_VERSION, SMCCC_ARCH_FEATURES) as TF-A does; QEMU 7.2's PSCI answers "
            + "PSCI_FEATURES(SMCCC_VERSION) with NOT_SUPPORTED, so Linux assumes 1.0"),
        new(new(@"^Memory: \d+K/\d+K available "), "QEMU's DTB is an unpacked 1 MiB blob, which Linux reserves whole; ArmVirt's is packed"),
        new(new(@"^GICv2m: "), "ArmVirt has no GICv2m MSI frame (QEMU's virt has one at 0x08020000)"),
        new(new(@"^(pci-host-generic |pci_bus |pci |PCI: bus0)"), "ArmVirt has no PCIe host bridge (QEMU's virt has one, with a virtio-net NIC)"),
        new(new(@"^(pl061_gpio |input: gpio-keys )"), "ArmVirt has no PL061 GPIO and so no gpio-keys power button"),
        new(new(@"is a PL011 rev[13]$"), "ArmVirt's PL011 is r1p5 (UARTPeriphID2 0x34, revision 3, per its TRM); QEMU's reports revision 1"),
        new(new(@"^rtc-pl031 9010000\.pl031: setting system clock to "), "QEMU's RTC starts at the host's time, ArmVirt's at a fixed one (deterministic runs)"),
        new(new(@"^audit: type=2000 audit\(\d+\.\d+:1\)"), "the time since boot, printed when kauditd runs (its place depends on speed)", Unordered: true),
        new(new(@"^Trying to unpack rootfs image as initramfs\.\.\.$"),
            "printed when the asynchronous initramfs unpacking starts (do_populate_rootfs), whose place among the initcalls depends "
            + "on speed: on a loaded host QEMU printed it after other initcalls' lines", Unordered: true),
        new(new(@"^Freeing initrd memory: "), "printed by the asynchronous initramfs unpacking, whose place among the initcalls depends on speed", Unordered: true),
    ];

    /// <summary>qemu-system-arm on PATH, or null.</summary>
    public static string? FindQemuArm() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "qemu-system-arm")).FirstOrDefault(p => p.Length > 15 && File.Exists(p));

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void BootsToTheShellOnQemu(int el)
    {
        RequireCache();
        AssertBoot(BootOnQemu(el), el);
    }

    private static BootRun BootOnQemu(int el)
    {
        string qemu = FindQemuArm() ?? throw new AssertInconclusiveException("qemu-system-arm not found");
        return LinuxBootEnvironment.Run(qemu,
        [
            "-M", el == 2 ? "virt,highmem=off,virtualization=on" : "virt,highmem=off", "-cpu", "cortex-a15", "-m", Memory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", ZImagePath, "-initrd", Initramfs, "-append", LinuxBootEnvironment.KernelCommandLine,
        ], TimeSpan.FromMinutes(5));
    }

    /// <summary>Also the way bench/linux-boot.sh --arch armhf builds its initramfs (one builder for tests and bench).</summary>
    [TestMethod]
    public void WritesArmhfInitramfsToCache()
    {
        RequireCache();
        byte[] gz = File.ReadAllBytes(Initramfs);
        CollectionAssert.AreEqual(new byte[] { 0x1F, 0x8B }, gz[..2], "gzip magic");
        Console.WriteLine(Initramfs);
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void BootsToTheShellOnArmVirt(int el)
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        RequireCache();
        BootRun run = LinuxBootEnvironment.RunArmVirt(
        [
            "--cpu", "cortex-a15", "--kernel", ZImagePath, "--initrd", Initramfs, "--append", LinuxBootEnvironment.KernelCommandLine,
            "--memory", Memory, "--el", el.ToString(),
        ], LinuxBootEnvironment.ArmVirtTimeout);
        AssertBoot(run, el);
        // The whole console against QEMU's, apart from times and ConsoleExceptions.
        if (FindQemuArm() == null) Assert.Inconclusive("booted; no qemu-system-arm to compare the console with");
        ConsoleComparison.AssertSame(BootOnQemu(el), run, ConsoleExceptions);
    }
}
