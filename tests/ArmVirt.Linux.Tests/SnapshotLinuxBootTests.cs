using System.Text.RegularExpressions;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Snapshots of a Linux boot through the CLI, each step in its own process: an uninterrupted boot, the same boot saved
/// with <c>--snapshot-at</c> once the shell runs (its console must not change), and a new process started with
/// <c>--restore</c>, whose console must be the rest of the uninterrupted one, with the same final instruction and cycle
/// counts (<c>--stats</c>). Off unless ARMVIRT_LINUX_BOOT=1, as the other ArmVirt boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class SnapshotLinuxBootTests
{
    private static readonly Regex Stats = new(@"armvirt: (\d+) instructions, (\d+) cycles");

    [TestMethod]
    [DataRow(2, 2, "jit")]
    [DataRow(1, 3, "interp")]
    public void ARestoredBootPrintsTheRestOfTheConsole(int el, int gicVersion, string restoreEngine)
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        LinuxBootEnvironment.RequireKernelCache();
        string[] guest = LinuxBootEnvironment.GuestArguments(el, gicVersion);
        var timeout = LinuxBootEnvironment.ArmVirtTimeout;
        BootRun whole = LinuxBootEnvironment.RunArmVirt([.. guest, "--stats"], timeout);
        QemuBootTests.AssertCleanBoot(whole);
        var counts = Stats.Match(whole.Output);
        Assert.IsTrue(counts.Success, whole.Describe());
        // 97% of the way: the shell has started (the init script's first marker), the power-off is still to come.
        ulong at = ulong.Parse(counts.Groups[1].Value) / 100 * 97 + 1;
        string file = Path.Combine(Path.GetTempPath(), $"armvirt-linux-{Guid.NewGuid():N}.snap");
        try
        {
            BootRun saved = LinuxBootEnvironment.RunArmVirt([.. guest, "--stats", "--snapshot-at", at.ToString(), "--snapshot-file", file], timeout);
            Assert.AreEqual(whole.StandardOutput, saved.StandardOutput, "saving a snapshot changed the console");
            StringAssert.Contains(saved.Output, $"snapshot at instruction {at}", saved.Describe());
            BootRun restored = LinuxBootEnvironment.RunArmVirt([.. guest, "--stats", "--engine", restoreEngine, "--restore", file], timeout);
            Assert.AreEqual(whole.ExitCode, restored.ExitCode, restored.Describe());
            Assert.IsTrue(restored.ReachedPoweroff, restored.Describe());
            Assert.IsFalse(restored.ReachedUserspace && restored.StandardOutput.Length == whole.StandardOutput.Length, "the restored run started over");
            Assert.IsTrue(whole.StandardOutput.EndsWith(restored.StandardOutput, StringComparison.Ordinal),
                $"the restored console is not the end of the uninterrupted one:\n{restored.Describe()}");
            Assert.IsGreaterThan(0, restored.StandardOutput.Length);
            Assert.AreEqual(counts.Value, Stats.Match(restored.Output).Value, "final instruction and cycle counts");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
