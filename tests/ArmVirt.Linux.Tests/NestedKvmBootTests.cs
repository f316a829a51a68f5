using System.Text.RegularExpressions;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Nested virtualization: the kernel boots at EL2 (KVM takes it), then /init runs tests/linux/kvm/minivmm, a minimal
/// KVM userspace, which boots the same kernel as a KVM guest (one vCPU, in-kernel vGICv2 or vGICv3, a PL011 emulated
/// over MMIO exits) until the nested guest powers off through PSCI; then the outer guest powers off. On QEMU (the
/// reference) and on ArmVirt (gated by ARMVIRT_LINUX_BOOT=1 like the other ArmVirt boots).
/// </summary>
[TestClass]
public sealed class NestedKvmBootTests
{
    /// <summary>The nested initramfs is built into the cache; also how bench/linux-boot.sh --nested builds it.</summary>
    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    public void WritesNestedInitramfsToCache()
    {
        LinuxBootEnvironment.RequireKernelCache();
        string path = LinuxBootEnvironment.NestedInitramfs;
        byte[] image = File.ReadAllBytes(path);
        // An uncompressed newc archive first (minivmm, the kernel, the nested initramfs), then the gzip one.
        CollectionAssert.AreEqual("070701"u8.ToArray(), image[..6], "newc magic");
        Assert.IsGreaterThan(new FileInfo(LinuxBootEnvironment.KernelPath).Length, image.LongLength, "holds the kernel");
        Console.WriteLine(path);
    }

    /// <summary>The committed tests/linux/kvm/bin/minivmm (and aarch32_guest.bin, where arm-linux-gnueabihf-gcc exists) is
    /// what its source builds to (the build is reproducible); inconclusive without aarch64-linux-gnu-gcc and make.</summary>
    [TestMethod]
    public void CommittedMinivmmMatchesItsSource()
    {
        string source = Path.Combine(LinuxBootEnvironment.RepositoryRoot, "tests", "linux", "kvm");
        bool OnPath(string tool) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));
        if (!OnPath("aarch64-linux-gnu-gcc") || !OnPath("make"))
        {
            Assert.Inconclusive("aarch64-linux-gnu-gcc or make not found: cannot rebuild minivmm.");
        }
        string output = Path.Combine(Path.GetTempPath(), $"armvirt-minivmm-{Environment.ProcessId}");
        try
        {
            BootRun build = LinuxBootEnvironment.Run("make", ["-s", "-C", source, "OUT=" + output], TimeSpan.FromMinutes(2));
            Assert.AreEqual(0, build.ExitCode, build.Describe());
            CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(source, "bin", "minivmm")), File.ReadAllBytes(Path.Combine(output, "minivmm")),
                "tests/linux/kvm/bin/minivmm is stale: run make -C tests/linux/kvm and commit bin/minivmm");
            // The 32-bit KVM guest, when the 32-bit Arm cross compiler was there to build it.
            if (File.Exists(Path.Combine(output, "aarch32_guest.bin")))
                CollectionAssert.AreEqual(File.ReadAllBytes(Path.Combine(source, "bin", "aarch32_guest.bin")), File.ReadAllBytes(Path.Combine(output, "aarch32_guest.bin")),
                    "tests/linux/kvm/bin/aarch32_guest.bin is stale: run make -C tests/linux/kvm and commit it");
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    [DataRow(2)]
    [DataRow(3)]
    public void QemuRunsNestedKvmGuestToPowerOff(int gicVersion)
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(2, TimeSpan.FromMinutes(5), gicVersion, nested: true);
        AssertNestedRun(run, gicVersion);
    }

    /// <summary>GICv2 only on ArmVirt: one nested run is the slowest test of the suite (about a minute on 2 cores).</summary>
    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void ArmVirtRunsNestedKvmGuestToPowerOff()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
        {
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        }
        BootRun run = LinuxBootEnvironment.BootOnArmVirt(2, LinuxBootEnvironment.ArmVirtTimeout, 2, nested: true);
        AssertNestedRun(run, 2);
    }

    /// <summary>
    /// Two host CPUs and a nested guest with two vCPUs (minivmm --cpus 2, a thread each; KVM answers the nested guest's
    /// PSCI CPU_ON): the nested kernel brings its second CPU up, and both vCPUs print (each takes MMIO exits to the PL011).
    /// </summary>
    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    public void QemuRunsTwoVcpuNestedGuest()
    {
        BootRun run = LinuxBootEnvironment.BootOnQemu(2, TimeSpan.FromMinutes(5), 3, nested: true, cpus: 2, nestedCpus: 2);
        AssertTwoVcpuNestedRun(run, 3);
    }

    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void ArmVirtRunsTwoVcpuNestedGuest()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
        {
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        }
        BootRun run = LinuxBootEnvironment.BootOnArmVirt(2, LinuxBootEnvironment.ArmVirtTimeout, 3, nested: true, cpus: 2, nestedCpus: 2);
        AssertTwoVcpuNestedRun(run, 3);
    }

    private static void AssertTwoVcpuNestedRun(BootRun run, int gicVersion)
    {
        AssertNestedRun(run, gicVersion);
        StringAssert.Contains(run.Output, "SMP: Total of 2 processors activated.", run.Describe());
        StringAssert.Contains(run.Output, $"minivmm: vGICv{gicVersion}, vPMU, 2 vCPUs, ", run.Describe());
        string p = BootInitramfs.NestedPrefix;
        foreach (string line in new[] { "] CPU1: Booted secondary processor 0x0000000001", "] SMP: Total of 2 processors activated." })
        {
            Assert.IsTrue(run.Output.Split('\n').Any(l => l.StartsWith(p + "[", StringComparison.Ordinal) && l.Contains(line, StringComparison.Ordinal)),
                $"no nested kernel line '{line}': " + run.Describe());
        }
        Match exits = Regex.Match(run.Output, @"MMIO exits by vCPU: (\d+) (\d+)");
        Assert.IsTrue(exits.Success, "minivmm reported no per-vCPU MMIO exits: " + run.Describe());
        Assert.IsGreaterThan(0L, long.Parse(exits.Groups[1].Value), "vCPU 0 printed nothing");
        Assert.IsGreaterThan(0L, long.Parse(exits.Groups[2].Value), "vCPU 1 printed nothing");
    }

    /// <summary>
    /// The outer boot is clean (as <see cref="QemuBootTests.AssertCleanBoot"/>, with KVM at EL2), minivmm reports the
    /// vGIC of the outer GIC's version and the nested guest's PSCI SYSTEM_OFF with exit status 0, and the nested guest
    /// (its lines prefixed by minivmm) booted at EL1, ran /init to its last marker, took virtual timer interrupts
    /// (INTID 27) and powered off. KVM reports PMU support (KVM_CAP_ARM_PMU_V3, from the outer PMUv3), minivmm gives
    /// the vCPU KVM's virtual PMU, and the nested kernel's armv8_pmuv3 driver finds its 7 counters. Then the 32-bit KVM
    /// guest ran (<see cref="AssertAarch32GuestRun"/>).
    /// </summary>
    public static void AssertNestedRun(BootRun run, int gicVersion)
    {
        QemuBootTests.AssertCleanBoot(run);
        StringAssert.Contains(run.Output, "CPU: All CPU(s) started at EL2", run.Describe());
        StringAssert.Contains(run.Output, "kvm [1]: Hyp mode initialized successfully", run.Describe());
        StringAssert.Contains(run.Output, $"minivmm: vGICv{gicVersion}, vPMU, ", run.Describe());
        string p = BootInitramfs.NestedPrefix;
        StringAssert.Contains(run.Output, $"{p}{BootInitramfs.NestedOkMarker} ", run.Describe());
        StringAssert.Contains(run.Output, $"{p}{BootInitramfs.NestedDoneMarker}\n", run.Describe());
        StringAssert.Contains(run.Output, "minivmm: guest powered off (PSCI SYSTEM_OFF)", run.Describe());
        StringAssert.Contains(run.Output, BootInitramfs.NestedExitMarker + "0\n", run.Describe());
        foreach (string line in new[] { "] Machine model: minivmm", "] CPU: All CPU(s) started at EL1", "] psci: PSCIv1.", "] " + QemuBootTests.PmuLine, "] reboot: Power down" })
        {
            Assert.IsTrue(run.Output.Split('\n').Any(l => l.StartsWith(p + "[", StringComparison.Ordinal) && l.Contains(line, StringComparison.Ordinal)),
                $"no nested kernel line '{line}': " + run.Describe());
        }
        // /proc/interrupts of the nested guest: " 11:  <count per CPU>  GIC-0  27 Level  arch_timer" (GICv3: "GICv3  27 Level").
        Match timer = Regex.Match(run.Output, @"^" + Regex.Escape(p) + @"\s*\d+:\s+(\d+)(?:\s+\d+)*\s+\S+\s+27 Level\s+arch_timer", RegexOptions.Multiline);
        Assert.IsTrue(timer.Success && long.Parse(timer.Groups[1].Value) > 0, "no virtual timer interrupts in the nested guest: " + run.Describe());
        AssertAarch32GuestRun(run, gicVersion);
        // The nested guest's markers come before the outer guest's last one.
        Assert.IsLessThan(run.Output.IndexOf(BootInitramfs.BootDoneMarker, StringComparison.Ordinal),
            run.Output.IndexOf(p + BootInitramfs.NestedDoneMarker, StringComparison.Ordinal), run.Describe());
    }

    /// <summary>
    /// The 32-bit KVM guest (issue #18): KVM offers KVM_CAP_ARM_EL1_32BIT (ID_AA64PFR0_EL1.EL1 = 2), minivmm creates the vCPU
    /// with KVM_ARM_VCPU_EL1_32BIT and runs tests/linux/kvm/aarch32_guest.S at AArch32 EL1 in Supervisor mode (CPSR
    /// 0x1d3 as KVM resets it); the guest prints through MMIO exits (AArch32 stores with a valid instruction syndrome),
    /// reads MIDR (VPIDR_EL2) and ID_PFR0 by MRC, takes an SVC to its own vector with its SPSR and returns, and powers
    /// off through PSCI over HVC.
    /// </summary>
    public static void AssertAarch32GuestRun(BootRun run, int gicVersion)
    {
        string p = BootInitramfs.NestedAarch32Prefix;
        StringAssert.Contains(run.Output, $"minivmm: AArch32 EL1 guest, vGICv{gicVersion}, ", run.Describe());
        StringAssert.Contains(run.Output, $"{p}AARCH32-KVM-GUEST-OK cpsr=000001d3 midr=411fd070 id_pfr0=00000131\n", run.Describe());
        Assert.IsTrue(Regex.IsMatch(run.Output, "^" + Regex.Escape(p) + @"AARCH32-KVM-GUEST svc #00000032 spsr=[0-9a-f]{5}1d3$", RegexOptions.Multiline),
            "no SVC taken at the 32-bit guest's EL1: " + run.Describe());
        Assert.IsTrue(Regex.IsMatch(run.Output, "^" + Regex.Escape(p) + @"AARCH32-KVM-GUEST back from SVC cpsr=[0-9a-f]{5}1d3$", RegexOptions.Multiline),
            "the 32-bit guest did not return from its SVC: " + run.Describe());
        StringAssert.Contains(run.Output, $"{p}AARCH32-KVM-GUEST-DONE\n", run.Describe());
        StringAssert.Contains(run.Output, BootInitramfs.NestedAarch32ExitMarker + "0\n", run.Describe());
    }
}
