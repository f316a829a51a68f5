namespace ArmVirt.Cli.Tests;

/// <summary>
/// <c>--snapshot-at N --snapshot-file F</c> and <c>--restore F</c> on the built-in demo (EL2, an EL1 guest, HVC and
/// PSCI): the restored run prints what the saved run printed after instruction N, under both engines and across them;
/// a missing, corrupt, truncated or mismatched snapshot is one line and exit code 2.
/// </summary>
[TestClass]
public sealed class SnapshotCliTests
{
    private static CliRun Run(params string[] args) => CliRun.Of(null, args);

    private static string Temp() => Path.Combine(Path.GetTempPath(), $"armvirt-snapshot-{Guid.NewGuid():N}.snap");

    [TestMethod]
    [DataRow("jit", "jit")]
    [DataRow("interp", "interp")]
    [DataRow("jit", "interp")]
    [DataRow("interp", "jit")]
    public void TheRestoredRunPrintsTheRestOfTheOutput(string saveEngine, string restoreEngine)
    {
        string file = Temp();
        try
        {
            var whole = Run("--engine", saveEngine, "--stats");
            Assert.AreEqual(0, whole.Code, whole.Stderr);
            ulong total = ulong.Parse(whole.ErrorLines[0].Split(' ')[1]);
            ulong at = total / 2 + 1;
            var prefix = Run("--engine", saveEngine, "--max-insns", at.ToString());
            Assert.AreEqual(124, prefix.Code, prefix.Stderr);
            var saved = Run("--engine", saveEngine, "--snapshot-at", at.ToString(), "--snapshot-file", file, "--stats");
            Assert.AreEqual(0, saved.Code, saved.Stderr);
            Assert.AreEqual(whole.Stdout, saved.Stdout, "saving does not change the run");
            StringAssert.Contains(saved.Stderr, $"snapshot at instruction {at}");
            var restored = Run("--engine", restoreEngine, "--restore", file, "--stats");
            Assert.AreEqual(0, restored.Code, restored.Stderr);
            Assert.AreEqual(whole.Stdout, prefix.Stdout + restored.Stdout, "the restored run prints the rest");
            // --stats' first line: instructions and cycles since the machine started, across the snapshot.
            string Counts(CliRun r) => string.Join(' ', r.ErrorLines.First(l => l.Contains(" cycles,")).Split(' ')[1..4]);
            Assert.AreEqual(Counts(saved), Counts(restored));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void BadSnapshotsAreOneLineAndExitCode2()
    {
        string file = Temp();
        try
        {
            Assert.AreEqual(0, Run("--snapshot-at", "1001", "--snapshot-file", file).Code);
            byte[] good = File.ReadAllBytes(file);

            var other = Run("--restore", file, "--el", "1");
            Assert.AreEqual(2, other.Code);
            Assert.AreEqual($"armvirt: {file}: snapshot of another machine configuration: it has el=2, this machine el=1", other.ErrorLines.Single());

            File.WriteAllBytes(file, good[..(good.Length / 2)]);
            var truncated = Run("--restore", file);
            Assert.AreEqual(2, truncated.Code);
            StringAssert.StartsWith(truncated.ErrorLines.Single(), $"armvirt: {file}: ");

            byte[] bad = (byte[])good.Clone();
            bad[^5] ^= 0xFF;
            File.WriteAllBytes(file, bad);
            var corrupt = Run("--restore", file);
            Assert.AreEqual(2, corrupt.Code);
            StringAssert.Contains(corrupt.ErrorLines.Single(), "corrupt");

            File.Delete(file);
            var missing = Run("--restore", file);
            Assert.AreEqual(2, missing.Code);
            StringAssert.StartsWith(missing.ErrorLines.Single(), $"armvirt: {file}: ");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void SnapshotOptionsComeTogether()
    {
        Assert.AreEqual("armvirt: --snapshot-at: needs --snapshot-file FILE", Run("--snapshot-at", "5").ErrorLines.Single());
        Assert.AreEqual("armvirt: --snapshot-file: needs --snapshot-at N", Run("--snapshot-file", "x").ErrorLines.Single());
        var late = Run("--snapshot-at", "99999999", "--snapshot-file", Temp());
        Assert.AreEqual(0, late.Code, "the demo powers off first");
        StringAssert.Contains(late.Stderr, "not written: the guest stopped after");
    }
}
