namespace ArmVirt.Cli.Tests;

/// <summary>
/// <c>--record F</c> and <c>--replay F</c>: an echo guest fed from stdin, recorded, then replayed without stdin prints
/// the same and retires the same instructions and cycles; a malformed log is one line and exit code 2.
/// </summary>
[TestClass]
public sealed class RecordReplayCliTests
{
    // GuestRunTests.Echo: echo UART input until 'q', then PSCI SYSTEM_OFF.
    private static readonly uint[] Echo =
        [0xd2a12001, 0x52806022, 0xb9003022, 0xb9401823, 0x3727ffe3, 0xb9400024, 0x39000024, 0x7101c49f, 0x54ffff61,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    [TestMethod]
    [DataRow("jit", "interp")]
    [DataRow("interp", "jit")]
    public void AReplayedRunRepeatsTheRecordedOne(string recordEngine, string replayEngine)
    {
        string kernel = Path.Combine(Path.GetTempPath(), $"armvirt-echo-{Guid.NewGuid():N}.bin");
        string log = Path.ChangeExtension(kernel, ".log");
        File.WriteAllBytes(kernel, Echo.SelectMany(BitConverter.GetBytes).ToArray());
        try
        {
            var recorded = CliRun.Of("typed on a terminal, then q"u8.ToArray(), "--kernel", kernel, "--engine", recordEngine, "--record", log, "--stats");
            Assert.AreEqual(0, recorded.Code, recorded.Stderr);
            Assert.AreEqual("typed on a terminal, then q", recorded.Stdout);
            var replayed = CliRun.Of(null, "--kernel", kernel, "--engine", replayEngine, "--replay", log, "--stats");
            Assert.AreEqual(0, replayed.Code, replayed.Stderr);
            Assert.AreEqual(recorded.Stdout, replayed.Stdout);
            string Counts(CliRun r) => string.Join(' ', r.ErrorLines[0].Split(' ')[1..4]);
            Assert.AreEqual(Counts(recorded), Counts(replayed));

            File.WriteAllText(log, "armvirt-serial-input 1\nd x 0 -\n");
            var bad = CliRun.Of(null, "--kernel", kernel, "--replay", log);
            Assert.AreEqual(2, bad.Code);
            Assert.AreEqual($"armvirt: {log}: line 2: expected KIND (d, s, h or i) KEY CYCLES HEX", bad.ErrorLines.Single());
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(log);
        }
    }

    [TestMethod]
    public void AReplayOpensNoTapAndRefusesADamagedLog()
    {
        string kernel = Path.Combine(Path.GetTempPath(), $"armvirt-echo-{Guid.NewGuid():N}.bin");
        string log = Path.ChangeExtension(kernel, ".log");
        File.WriteAllBytes(kernel, Echo.SelectMany(BitConverter.GetBytes).ToArray());
        try
        {
            var recorded = CliRun.Of("abc q"u8.ToArray(), "--kernel", kernel, "--record", log);
            Assert.AreEqual(0, recorded.Code, recorded.Stderr);
            StringAssert.StartsWith(File.ReadAllText(log), "armvirt-input 2\n");
            // The NIC is there (its slot, its poll events) but no TAP is opened: no interface, no privilege needed.
            var replayed = CliRun.Of(null, "--kernel", kernel, "--replay", log, "--netdev", "tap,ifname=armvirt-none0", "--console", "stdio");
            Assert.AreEqual(0, replayed.Code, replayed.Stderr);
            Assert.AreEqual("abc q", replayed.Stdout);

            string text = File.ReadAllText(log);
            File.WriteAllText(log, text[..text.LastIndexOf("end ", StringComparison.Ordinal)]);
            var bad = CliRun.Of(null, "--kernel", kernel, "--replay", log);
            Assert.AreEqual(2, bad.Code);
            StringAssert.StartsWith(bad.ErrorLines.Single(), $"armvirt: {log}: truncated: no end line");
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(log);
        }
    }

    [TestMethod]
    public void RecordAndReplayExcludeEachOther() =>
        Assert.AreEqual("armvirt: --record: not with --replay", CliRun.Of(null, "--record", "a", "--replay", "b").ErrorLines.Single());
}
