namespace ArmVirt.Linux.Tests;

/// <summary>
/// The reference: Debian's arm64 kernel and the test initramfs on qemu-system-aarch64, at EL1 and at EL2 with
/// KVM initialising on a GICv2. These pin down what the ArmVirt boots must print.
/// </summary>
[TestClass]
[TestCategory("QemuLinuxBoot")]
public sealed class QemuBootTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [TestMethod]
    public void KernelCacheHoldsAnArm64Image()
    {
        LinuxBootEnvironment.RequireKernelCache();
        using var image = File.OpenRead(LinuxBootEnvironment.KernelPath);
        var header = new byte[64];
        image.ReadExactly(header);
        // Documentation/arch/arm64/booting.rst: magic "ARM\x64" at offset 56.
        CollectionAssert.AreEqual("ARM\x64"u8.ToArray(), header[56..60]);
    }

    /// <summary>Also the way bench/linux-boot.sh builds its initramfs (one builder for tests and bench).</summary>
    [TestMethod]
    public void WritesBootInitramfsToCache()
    {
        LinuxBootEnvironment.RequireKernelCache();
        string path = LinuxBootEnvironment.Initramfs;
        byte[] gz = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x1F, 0x8B }, gz[..2], "gzip magic");
        Assert.IsGreaterThan(new FileInfo(LinuxBootEnvironment.BusyboxPath).Length / 4, gz.LongLength, "holds busybox");
        Console.WriteLine(path);
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl1()
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(1, Timeout);
        AssertCleanBoot(run);
        foreach (string line in El1Lines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl2WithKvmAndVgicV2()
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(2, Timeout);
        AssertCleanBoot(run);
        foreach (string line in KvmEl2Lines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    /// <summary>Kernel log lines that show the CPU entered at EL1 and KVM found no EL2 to take.</summary>
    public static readonly string[] El1Lines =
    [
        "CPU: All CPU(s) started at EL1",
        "kvm [1]: HYP mode not available",
    ];

    /// <summary>Kernel log lines that show the CPU entered at EL2 and KVM took it with a vgic-v2 (Linux 6.1 wording; the
    /// vgic-v2 line names the GICH base of the virt memory map and needs the dyndbg of the command line).</summary>
    public static readonly string[] KvmEl2Lines =
    [
        "CPU: All CPU(s) started at EL2",
        "kvm [1]: vgic-v2@8030000",
        "kvm [1]: Hyp mode initialized successfully",
    ];

    /// <summary>The run reached /init's last line, powered off (exit 0, no timeout) and did not panic.</summary>
    public static void AssertCleanBoot(BootRun run)
    {
        Assert.IsFalse(run.TimedOut, "timed out: " + run.Describe());
        Assert.AreEqual(0, run.ExitCode, "exit code: " + run.Describe());
        Assert.IsTrue(run.ReachedUserspace, "no " + BootInitramfs.BootOkMarker + ": " + run.Describe());
        Assert.IsTrue(run.ReachedPoweroff, "no " + BootInitramfs.BootDoneMarker + ": " + run.Describe());
        Assert.IsFalse(run.Output.Contains("Kernel panic", StringComparison.Ordinal), run.Describe());
        // The firmware answered PSCI_VERSION with 1.x (QEMU 7.2: 1.1) over the conduit the DT names.
        StringAssert.Contains(run.Output, "psci: PSCIv1.", run.Describe());
        StringAssert.Contains(run.Output, "psci: Using standard PSCI v0.2 function IDs", run.Describe());
        // busybox poweroff -f -> reboot(LINUX_REBOOT_CMD_POWER_OFF) -> PSCI SYSTEM_OFF.
        StringAssert.Contains(run.Output, "reboot: Power down", run.Describe());
        Console.WriteLine($"{run.Command}\n  {run.Elapsed.TotalSeconds:F2} s");
    }
}
