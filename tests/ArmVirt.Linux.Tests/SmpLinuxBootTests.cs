namespace ArmVirt.Linux.Tests;

/// <summary>
/// Debian's kernel on four CPUs (armvirt --smp 4, QEMU -smp 4): secondaries started through PSCI, all four in
/// /proc/cpuinfo, KVM up at EL2 on each, and, in the deterministic round robin, the same console output byte for byte
/// from two runs; in parallel mode (--smp-mode parallel), four CPUs at EL1 and at EL2 with KVM, and two CPUs to a clean
/// power-off run after run.
/// Off (inconclusive) without ARMVIRT_LINUX_BOOT=1, as the other ArmVirt boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class SmpLinuxBootTests
{
    private const int Cpus = 4;

    /// <summary>What every four-CPU boot prints, on QEMU and on ArmVirt.</summary>
    public static readonly string[] SmpLines =
    [
        "CPU1: Booted secondary processor 0x0000000001",
        "CPU2: Booted secondary processor 0x0000000002",
        "CPU3: Booted secondary processor 0x0000000003",
        "SMP: Total of 4 processors activated.",
        "processors: 4",
    ];

    private static void RequireEnabled()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        LinuxBootEnvironment.RequireKernelCache();
    }

    private static void AssertLines(BootRun run, IEnumerable<string> lines)
    {
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in lines) StringAssert.Contains(run.Output, line, run.Describe());
    }

    [TestMethod]
    public void QemuBootsFourCpus()
    {
        LinuxBootEnvironment.RequireKernelCache();
        AssertLines(LinuxBootEnvironment.BootOnQemu(1, TimeSpan.FromMinutes(3), cpus: Cpus), SmpLines.Concat(QemuBootTests.El1Lines));
    }

    [TestMethod]
    public void BootsFourCpusAtEl1AndRepeatsExactly()
    {
        RequireEnabled();
        BootRun first = LinuxBootEnvironment.BootOnArmVirt(1, LinuxBootEnvironment.ArmVirtTimeout, cpus: Cpus);
        AssertLines(first, SmpLines.Concat(QemuBootTests.El1Lines));
        BootRun second = LinuxBootEnvironment.BootOnArmVirt(1, LinuxBootEnvironment.ArmVirtTimeout, cpus: Cpus);
        // The serial output on virtual time: dmesg timestamps, which CPU printed what, BogoMIPS all repeat exactly.
        string[] a = first.StandardOutput.Split('\n'), b = second.StandardOutput.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++) Assert.AreEqual(a[i], b[i], $"output differs first at line {i + 1}");
        Assert.AreEqual(a.Length, b.Length, "outputs differ in length");
    }

    /// <summary>
    /// Parallel boots per configuration: ARMVIRT_PARALLEL_BOOTS, default 3 (CI); the 20 with
    /// ARMVIRT_PARALLEL_BOOTS=20 (about 10 s each here, so 20 of each configuration is kept out of CI's budget).
    /// </summary>
    private static int ParallelBoots =>
        int.TryParse(Environment.GetEnvironmentVariable("ARMVIRT_PARALLEL_BOOTS"), out int n) && n > 0 ? n : 3;

    [TestMethod]
    [DataRow(1, 2)]
    [DataRow(2, 3)]
    public void BootsTwoCpusInParallelModeRepeatedly(int el, int gicVersion)
    {
        RequireEnabled();
        string[] lines =
        [
            "CPU1: Booted secondary processor 0x0000000001",
            "SMP: Total of 2 processors activated.",
            "processors: 2",
            .. el == 1 ? QemuBootTests.El1Lines : QemuBootTests.Gicv3Lines.Concat(QemuBootTests.KvmEl2Gicv3Lines),
        ];
        for (int i = 0; i < ParallelBoots; i++)
        {
            BootRun run = LinuxBootEnvironment.RunArmVirt(
                [.. LinuxBootEnvironment.GuestArguments(el, gicVersion, cpus: 2), "--smp-mode", "parallel"], LinuxBootEnvironment.ArmVirtTimeout);
            Console.WriteLine($"parallel boot {i + 1}:");
            AssertLines(run, lines);
        }
    }

    // Four CPUs on four host threads (two host cores here), at EL1 under GICv2 and at EL2 with KVM under GICv3: every
    // secondary up, four /proc/cpuinfo entries, KVM's init on each CPU, and a clean power-off.
    [TestMethod]
    [DataRow(1, 2)]
    [DataRow(2, 3)]
    public void BootsFourCpusInParallelMode(int el, int gicVersion)
    {
        RequireEnabled();
        BootRun run = LinuxBootEnvironment.RunArmVirt(
            [.. LinuxBootEnvironment.GuestArguments(el, gicVersion, cpus: Cpus), "--smp-mode", "parallel"], LinuxBootEnvironment.ArmVirtTimeout);
        AssertLines(run, SmpLines.Concat(el == 1 ? QemuBootTests.El1Lines : QemuBootTests.Gicv3Lines.Concat(QemuBootTests.KvmEl2Gicv3Lines)));
    }

    [TestMethod]
    public void BootsFourCpusAtEl2WithKvmAndVgicV3()
    {
        RequireEnabled();
        BootRun run = LinuxBootEnvironment.BootOnArmVirt(2, LinuxBootEnvironment.ArmVirtTimeout, gicVersion: 3, cpus: Cpus);
        AssertLines(run, SmpLines.Concat(QemuBootTests.Gicv3Lines).Concat(QemuBootTests.KvmEl2Gicv3Lines)
            .Append("GICv3: CPU3: found redistributor 3 region 0:0x0000000008100000"));
    }
}
