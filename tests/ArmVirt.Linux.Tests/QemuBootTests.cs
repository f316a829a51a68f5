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

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl1WithGicv3()
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(1, Timeout, gicVersion: 3);
        AssertCleanBoot(run);
        foreach (string line in El1Lines.Concat(Gicv3Lines))
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl2WithKvmAndVgicV3()
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(2, Timeout, gicVersion: 3);
        AssertCleanBoot(run);
        foreach (string line in Gicv3Lines.Concat(KvmEl2Gicv3Lines))
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    /// <summary>
    /// The GICv3 driver's probe lines on QEMU's virt GICv3 (its=off): ITLinesNumber 7 (224 SPIs), 16 PPIs, one
    /// redistributor region at 0x080A_0000, and the system-register CPU interface detected from ID_AA64PFR0_EL1.GIC.
    /// </summary>
    public static readonly string[] Gicv3Lines =
    [
        "CPU features: detected: GIC system register CPU interface",
        "GICv3: 224 SPIs implemented",
        "GICv3: 0 Extended SPIs implemented",
        "GICv3: GICv3 features: 16 PPIs",
        "GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000",
    ];

    /// <summary>The kernel log lines that differ between the GICv3 boots of ArmVirt and QEMU and are accepted: QEMU's
    /// TCG GICv3 sets GICD_TYPER.LPIS even with its=off, so Linux looks for an ITS and warns; ArmVirt has no LPIs.</summary>
    public static readonly string[] Gicv3QemuOnlyLines = ["ITS: No ITS available, not enabling LPIs"];

    /// <summary>
    /// The interrupt-controller and warning lines of a kernel log (GIC, ITS, IRQ handler, vgic, WARNING), timestamps
    /// stripped, in order: what must be the same on ArmVirt and QEMU for the GICv3 boots.
    /// </summary>
    public static string[] InterruptControllerLines(string output) =>
        output.Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Replace(l.TrimEnd('\r'), @"^\[\s*\d+\.\d+\] ", ""))
            .Where(l => l.Contains("GIC", StringComparison.Ordinal) || l.Contains("ITS", StringComparison.Ordinal)
                || l.Contains("vgic", StringComparison.Ordinal) || l.Contains("IRQ handler", StringComparison.Ordinal)
                || l.Contains("WARNING", StringComparison.Ordinal) || l.Contains("kvm [1]: ", StringComparison.Ordinal))
            .Where(l => !l.StartsWith("Kernel command line", StringComparison.Ordinal) && !Gicv3QemuOnlyLines.Contains(l))
            .Distinct()
            .ToArray();

    /// <summary>KVM taking EL2 with a vgic-v3 (Linux 6.1 wording); at EL2 the host driver uses split EOI/deactivate.</summary>
    public static readonly string[] KvmEl2Gicv3Lines =
    [
        "CPU: All CPU(s) started at EL2",
        "GICv3: GIC: Using split EOI/Deactivate mode",
        "kvm [1]: GICv3: no GICV resource entry",
        "kvm [1]: disabling GICv2 emulation",
        "kvm [1]: GIC system register CPU interface enabled",
        "kvm [1]: vgic interrupt IRQ9",
        "kvm [1]: Hyp mode initialized successfully",
        PmuLine,
    ];

    /// <summary>The PMUv3 driver probing the DTB's arm,armv8-pmuv3 node: PMCR_EL0.N = 6 event counters plus the cycle counter.</summary>
    public const string PmuLine = "hw perfevents: enabled with armv8_pmuv3 PMU driver, 7 counters available";

    /// <summary>Kernel log lines that show the CPU entered at EL1 and KVM found no EL2 to take.</summary>
    public static readonly string[] El1Lines =
    [
        "CPU: All CPU(s) started at EL1",
        "kvm [1]: HYP mode not available",
        PmuLine,
    ];

    /// <summary>Kernel log lines that show the CPU entered at EL2 and KVM took it with a vgic-v2 (Linux 6.1 wording; the
    /// vgic-v2 line names the GICH base of the virt memory map and needs the dyndbg of the command line).</summary>
    public static readonly string[] KvmEl2Lines =
    [
        "CPU: All CPU(s) started at EL2",
        "kvm [1]: vgic-v2@8030000",
        "kvm [1]: Hyp mode initialized successfully",
        PmuLine,
    ];

    /// <summary>The run reached /init's last line, powered off (exit 0, no timeout) and did not panic.</summary>
    /// <summary>Xen's log lines that show it found dom0's kernel and initramfs where the guest loader put them, and dom0
    /// Linux's that it ran at EL1 under Xen; the last is Xen's answer to dom0's power-off.</summary>
    public static readonly string[] XenLines =
    [
        "(XEN) Xen version 4.17",
        "(XEN) *** LOADING DOMAIN 0 ***",
        "(XEN) Loading d0 kernel from boot module @ 0000000049000000",
        "(XEN) Loading ramdisk from boot module @ 000000004d000000",
        "Xen 4.17 support found",
        "CPU: All CPU(s) started at EL1",
        "(XEN) Hardware Dom0 halted: halting machine",
    ];

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void BootsXenWithALinuxDom0ToPowerOff(int gicVersion)
    {
        BootRun run = LinuxBootEnvironment.BootXenOnQemu(Timeout, gicVersion);
        AssertCleanBoot(run);
        foreach (string line in XenLines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

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
