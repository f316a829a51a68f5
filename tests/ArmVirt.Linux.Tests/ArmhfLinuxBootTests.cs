namespace ArmVirt.Linux.Tests;

/// <summary>
/// The ARMv7 machine (issue #19): Debian's armhf LPAE kernel (tests/linux/fetch.sh: zImage-armhf, 6.1 armmp-lpae) with an
/// initramfs of Debian's armhf busybox-static and tests/linux/init.sh, on <c>--cpu cortex-a15</c> in Supervisor mode
/// (EL1) and in Hyp mode (<c>--el 2</c>, as QEMU's <c>virtualization=on</c>), to the shell and PSCI power-off; QEMU
/// (<c>qemu-system-arm -M virt,highmem=off -cpu cortex-a15</c>) is the reference, and the lines that show what the
/// kernel found (CPU, debug, HYP mode, the shell) must be the same. Without the cache the tests are inconclusive; the
/// ArmVirt boots run only with ARMVIRT_LINUX_BOOT=1, as the other boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class ArmhfLinuxBootTests
{
    /// <summary>The armhf kernel fetch.sh extracts.</summary>
    public static string ZImagePath => Path.Combine(LinuxBootEnvironment.CacheDirectory, "zImage-armhf");

    private const string Memory = "256M";

    private static void RequireCache()
    {
        if (!File.Exists(ZImagePath) || !File.Exists(CompatLinuxTests.ArmhfBusyboxPath))
            Assert.Inconclusive($"No {ZImagePath} or busybox-armhf: run tests/linux/fetch.sh.");
    }

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

    /// <summary>qemu-system-arm on PATH, or null.</summary>
    private static string? FindQemuArm() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "qemu-system-arm")).FirstOrDefault(p => p.Length > 15 && File.Exists(p));

    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void BootsToTheShellOnQemu(int el)
    {
        RequireCache();
        string qemu = FindQemuArm() ?? throw new AssertInconclusiveException("qemu-system-arm not found");
        BootRun run = LinuxBootEnvironment.Run(qemu,
        [
            "-M", el == 2 ? "virt,highmem=off,virtualization=on" : "virt,highmem=off", "-cpu", "cortex-a15", "-m", Memory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", ZImagePath, "-initrd", initramfs.Value, "-append", LinuxBootEnvironment.KernelCommandLine,
        ], TimeSpan.FromMinutes(5));
        AssertBoot(run, el);
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
            "--cpu", "cortex-a15", "--kernel", ZImagePath, "--initrd", initramfs.Value, "--append", LinuxBootEnvironment.KernelCommandLine,
            "--memory", Memory, "--el", el.ToString(),
        ], LinuxBootEnvironment.ArmVirtTimeout);
        AssertBoot(run, el);
    }
}
