namespace ArmVirt.Linux.Tests;

/// <summary>
/// Debian's arm64 kernel on virtio-blk: mounts an ext4 image the test made with mkfs.ext4, writes files, syncs,
/// unmounts and powers off; the host reads the files back with debugfs and e2fsck finds the file system clean. The
/// same guest on QEMU (-drive if=none + -device virtio-blk-device) is the reference; the ArmVirt runs go through the
/// armvirt CLI's --drive and are gated by ARMVIRT_LINUX_BOOT=1 like the other ArmVirt boots.
/// </summary>
[TestClass]
public sealed class VirtioBlockLinuxTests
{
    /// <summary>The kernel command line of the virtio tests (no dyndbg: nothing here is about the vgic).</summary>
    public const string CommandLine = "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1";

    private static readonly TimeSpan QemuTimeout = TimeSpan.FromMinutes(3);

    /// <summary>armvirt options (and qemu-as-armvirt.sh's) for scenario <paramref name="test"/> with <paramref name="drive"/>.</summary>
    public static string[] ArmVirtArguments(string test, string drive) =>
    [
        "--kernel", LinuxBootEnvironment.KernelPath, "--initrd", VirtioInitramfs.ArchivePath,
        "--append", $"{CommandLine} armvirt.test={test}", "--memory", LinuxBootEnvironment.GuestMemory, "--el", "1",
        "--drive", drive,
    ];

    /// <summary>The same run on QEMU, the drive as QEMU's -drive parameters.</summary>
    public static BootRun RunOnQemu(string test, string driveParameters)
    {
        VirtioInitramfs.RequireModules();
        string qemu = LinuxBootEnvironment.FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        return LinuxBootEnvironment.Run(qemu,
        [
            "-M", LinuxBootEnvironment.QemuMachine(1), "-cpu", "cortex-a57", "-smp", "1", "-m", LinuxBootEnvironment.GuestMemory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", LinuxBootEnvironment.KernelPath, "-initrd", VirtioInitramfs.ArchivePath,
            "-append", $"{CommandLine} armvirt.test={test}",
            "-drive", $"if=none,id=disk0,format=raw,{driveParameters}", "-device", "virtio-blk-device,drive=disk0",
        ], QemuTimeout);
    }

    private static BootRun RunOnArmVirt(string test, string drive)
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        VirtioInitramfs.RequireModules();
        return LinuxBootEnvironment.RunArmVirt(ArmVirtArguments(test, drive), LinuxBootEnvironment.ArmVirtTimeout);
    }

    /// <summary>Exit 0, every module loaded, the markers in order, a clean power-down.</summary>
    public static void AssertScenario(BootRun run, params string[] markers)
    {
        Assert.AreEqual(0, run.ExitCode, run.Describe());
        Assert.IsFalse(run.Output.Contains("ARMVIRT-INSMOD-FAILED", StringComparison.Ordinal), run.Describe());
        Assert.IsFalse(run.Output.Contains("Kernel panic", StringComparison.Ordinal), run.Describe());
        int at = 0;
        foreach (string marker in markers.Prepend(BootInitramfs.BootOkMarker).Append(BootInitramfs.BootDoneMarker).Append("reboot: Power down"))
        {
            int i = run.Output.IndexOf(marker, at, StringComparison.Ordinal);
            Assert.IsGreaterThanOrEqualTo(0, i, $"'{marker}' missing (or out of order)\n{run.Describe()}");
            at = i + marker.Length;
        }
    }

    private static void AssertWrittenAndClean(GuestDisk disk, BootRun run)
    {
        AssertScenario(run, "ARMVIRT-MOUNT-OK", "host.txt: " + GuestDisk.HostText, "ARMVIRT-SYNC-OK", "guest.txt: written by the guest on",
            "ARMVIRT-UMOUNT-OK");
        // The host reads what the guest wrote, and the file system is consistent.
        string kernelRelease = File.ReadAllText(Path.Combine(LinuxBootEnvironment.CacheDirectory, "kernel-version")).Split(' ')[0];
        Assert.AreEqual($"written by the guest on {kernelRelease}\n", disk.ReadFile("/guest.txt"));
        string expectedLines = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}\n"));
        Assert.AreEqual(expectedLines, disk.ReadFile("/dir/lines.txt"));
        Assert.AreEqual(GuestDisk.HostText + "\n", disk.ReadFile("/host.txt"));
        var (code, output) = disk.Check();
        Assert.AreEqual(0, code, "e2fsck -fn: " + output);
    }

    private static void AssertSnapshotLeftImageAlone(GuestDisk disk, string hashBefore, BootRun run)
    {
        AssertScenario(run, "ARMVIRT-MOUNT-OK", "host.txt: " + GuestDisk.HostText, "ARMVIRT-SYNC-OK", "guest.txt: written by the guest on",
            "ARMVIRT-UMOUNT-OK");
        Assert.AreEqual(hashBefore, disk.Hash(), "snapshot=on must leave the image byte-identical");
        Assert.IsNull(disk.ReadFile("/guest.txt"));
    }

    /// <summary>Also the way bench/virtio-blk-dd.sh builds its initramfs.</summary>
    [TestMethod]
    public void WritesVirtioInitramfsToCache()
    {
        VirtioInitramfs.RequireModules();
        byte[] gz = File.ReadAllBytes(VirtioInitramfs.ArchivePath);
        CollectionAssert.AreEqual(new byte[] { 0x1F, 0x8B }, gz[..2], "gzip magic");
        long modules = Directory.GetFiles(VirtioInitramfs.ModuleDirectory, "*.ko").Sum(f => new FileInfo(f).Length);
        Assert.IsGreaterThan((new FileInfo(LinuxBootEnvironment.BusyboxPath).Length + modules) / 4, gz.LongLength, "holds busybox and the modules");
    }

    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    public void QemuMountsExt4WritesAndPowersOff()
    {
        VirtioInitramfs.RequireModules();
        using var disk = GuestDisk.CreateExt4(32);
        AssertWrittenAndClean(disk, RunOnQemu("ext4", $"file={disk.Path}"));
    }

    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    public void QemuSnapshotLeavesTheImageUntouched()
    {
        VirtioInitramfs.RequireModules();
        using var disk = GuestDisk.CreateExt4(32);
        string before = disk.Hash();
        AssertSnapshotLeftImageAlone(disk, before, RunOnQemu("ext4", $"file={disk.Path},snapshot=on"));
    }

    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void ArmVirtMountsExt4WritesAndPowersOff()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        VirtioInitramfs.RequireModules();
        using var disk = GuestDisk.CreateExt4(32);
        AssertWrittenAndClean(disk, RunOnArmVirt("ext4", $"file={disk.Path},format=raw"));
    }

    /// <summary>virtio-console and virtio-rng through the CLI: Linux's hvc0 writes to armvirt's stdout, /dev/hwrng reads.</summary>
    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void ArmVirtConsoleAndRngReachLinux()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        VirtioInitramfs.RequireModules();
        BootRun run = LinuxBootEnvironment.RunArmVirt(
        [
            "--kernel", LinuxBootEnvironment.KernelPath, "--initrd", VirtioInitramfs.ArchivePath,
            "--append", $"{CommandLine} armvirt.test=devices", "--memory", LinuxBootEnvironment.GuestMemory, "--el", "1",
            "--console", "stdio", "--rng", "seed=42",
        ], LinuxBootEnvironment.ArmVirtTimeout);
        AssertScenario(run, "hwrng: virtio_rng.0", "ARMVIRT-DEVICES-OK");
        // Written by the guest to /dev/hvc0, so it reached stdout through the virtio-console, not the PL011.
        StringAssert.Contains(run.StandardOutput, "ARMVIRT-HVC0 hello from hvc0", run.Describe());
        StringAssert.Matches(run.Output, new System.Text.RegularExpressions.Regex(@"00000000  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){8}"), run.Describe());
    }

    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void ArmVirtSnapshotLeavesTheImageUntouched()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        VirtioInitramfs.RequireModules();
        using var disk = GuestDisk.CreateExt4(32);
        string before = disk.Hash();
        AssertSnapshotLeftImageAlone(disk, before, RunOnArmVirt("ext4", $"file={disk.Path},snapshot=on"));
    }
}
