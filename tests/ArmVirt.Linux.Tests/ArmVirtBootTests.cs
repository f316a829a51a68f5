namespace ArmVirt.Linux.Tests;

/// <summary>
/// The same boots as <see cref="QemuBootTests"/> through the armvirt CLI. Off (inconclusive) until ArmVirt can
/// boot Linux: set ARMVIRT_LINUX_BOOT=1 to run them.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class ArmVirtBootTests
{
    // One boot per (EL, GIC version) per test run: the determinism test compares a fresh boot with the one the EL test made.
    private static readonly Dictionary<(int, int), BootRun> firstBoots = [];
    private static readonly object gate = new();

    private static BootRun FirstBoot(int el, int gicVersion = 2)
    {
        lock (gate)
        {
            if (!firstBoots.TryGetValue((el, gicVersion), out BootRun? run))
            {
                run = LinuxBootEnvironment.BootOnArmVirt(el, LinuxBootEnvironment.ArmVirtTimeout, gicVersion);
                firstBoots[(el, gicVersion)] = run;
            }
            return run;
        }
    }

    private static void RequireEnabled()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled)
        {
            Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        }
        LinuxBootEnvironment.RequireKernelCache();
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void BootsXenWithALinuxDom0ToPowerOff(int gicVersion)
    {
        // Xen 4.17 from Debian at EL2, dom0 (the same kernel and initramfs) placed by --device guest-loader.
        RequireEnabled();
        LinuxBootEnvironment.RequireXenCache();
        BootRun run = LinuxBootEnvironment.RunArmVirt(LinuxBootEnvironment.XenArguments(gicVersion), LinuxBootEnvironment.ArmVirtTimeout);
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in QemuBootTests.XenLines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsUnderTheCortexA53TimingModelWithTheSameCountsUnderBothEngines()
    {
        // --timing cortex-a53 at EL1: the kernel's timers, its delay calibration and the PMU driver run on the model's
        // cycles (TLB walks, exceptions, WFI, MMIO all on the way); the interpreter and the JIT print the same console
        // output (timestamps included) and retire the same instructions in the same cycles with the same predictions.
        RequireEnabled();
        string[] arguments = [.. LinuxBootEnvironment.GuestArguments(1), "--timing", "cortex-a53", "--stats"];
        BootRun jit = LinuxBootEnvironment.RunArmVirt(arguments, LinuxBootEnvironment.ArmVirtTimeout);
        BootRun interp = LinuxBootEnvironment.RunArmVirt([.. arguments, "--engine", "interp"], LinuxBootEnvironment.ArmVirtTimeout);
        QemuBootTests.AssertCleanBoot(jit);
        QemuBootTests.AssertCleanBoot(interp);
        StringAssert.Contains(jit.Output, "hw perfevents: enabled with armv8_pmuv3 PMU driver, 7 counters available", jit.Describe());
        string counts = TimingCounts(jit);
        Assert.AreEqual(TimingCounts(interp), counts);
        // The JIT compiled regions under the model (their cycle accounting: RegionCompiler.Timing.cs).
        var regions = System.Text.RegularExpressions.Regex.Match(jit.Output, @"\((\d+) of them regions\)");
        Assert.IsTrue(regions.Success && long.Parse(regions.Groups[1].Value) > 0, "no regions compiled: " + jit.Describe());
        Assert.AreEqual(interp.StandardOutput, jit.StandardOutput, "console output");
        Console.WriteLine(counts);
    }

    // --stats' instruction, cycle and branch prediction counts (not its MIPS and seconds).
    private static string TimingCounts(BootRun run)
    {
        var counts = System.Text.RegularExpressions.Regex.Match(run.Output, @"armvirt: \d+ instructions, \d+ cycles");
        var predictor = System.Text.RegularExpressions.Regex.Match(run.Output, @"IPC [0-9.]+, \d+ branches predicted, \d+ mispredicted");
        Assert.IsTrue(counts.Success && predictor.Success, "no --stats counts: " + run.Describe());
        return counts.Value + "; " + predictor.Value;
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl1()
    {
        RequireEnabled();
        BootRun run = FirstBoot(1);
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in QemuBootTests.El1Lines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl2WithKvmAndVgicV2()
    {
        RequireEnabled();
        BootRun run = FirstBoot(2);
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in QemuBootTests.KvmEl2Lines)
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl1WithGicv3()
    {
        RequireEnabled();
        BootRun run = FirstBoot(1, 3);
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in QemuBootTests.El1Lines.Concat(QemuBootTests.Gicv3Lines))
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    [TestMethod]
    public void BootsToShellAndPowersOffAtEl2WithKvmAndVgicV3()
    {
        RequireEnabled();
        BootRun run = FirstBoot(2, 3);
        QemuBootTests.AssertCleanBoot(run);
        foreach (string line in QemuBootTests.Gicv3Lines.Concat(QemuBootTests.KvmEl2Gicv3Lines))
        {
            StringAssert.Contains(run.Output, line, run.Describe());
        }
    }

    /// <summary>The GICv3 boots print the same interrupt-controller lines and no warning QEMU's do not.</summary>
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    public void Gicv3KernelLogMatchesQemu(int el)
    {
        RequireEnabled();
        BootRun qemu = LinuxBootEnvironment.BootOnQemu(el, TimeSpan.FromMinutes(3), gicVersion: 3);
        BootRun armvirt = FirstBoot(el, 3);
        string[] q = QemuBootTests.InterruptControllerLines(qemu.Output), a = QemuBootTests.InterruptControllerLines(armvirt.Output);
        CollectionAssert.AreEqual(q, a, $"QEMU:\n{string.Join('\n', q)}\nArmVirt:\n{string.Join('\n', a)}");
    }

    [TestMethod]
    public void SameInputsPrintIdenticalOutput() => AssertRepeats(2, 2);

    [TestMethod]
    public void SameInputsPrintIdenticalOutputWithGicv3() => AssertRepeats(1, 3);

    private static void AssertRepeats(int el, int gicVersion)
    {
        RequireEnabled();
        BootRun first = FirstBoot(el, gicVersion);
        // Only a boot that got somewhere is worth a second (up to ARMVIRT_LINUX_TIMEOUT long) run.
        Assert.IsTrue(first.ReachedUserspace, first.Describe());
        BootRun second = LinuxBootEnvironment.BootOnArmVirt(el, LinuxBootEnvironment.ArmVirtTimeout, gicVersion);
        Assert.AreEqual(first.ExitCode, second.ExitCode, second.Describe());
        // The guest's serial output (stdout) on virtual time only: the dmesg timestamps, BogoMIPS and the RTC line
        // must all repeat exactly.
        string[] a = first.StandardOutput.Split('\n'), b = second.StandardOutput.Split('\n');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            Assert.AreEqual(a[i], b[i], $"output differs first at line {i + 1}");
        }
        Assert.AreEqual(a.Length, b.Length, "outputs differ in length");
    }
}
