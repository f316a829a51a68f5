using System.Text;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// The input log's format (<see cref="InputLog"/>, version 2): a recorded log ends with the CRC-32 of its lines; every
/// truncation and every single bit flip of it is refused by <see cref="Machine.ReplayInput"/> with one line, before the
/// machine changes; a version 1 log (serial only) still replays (<see cref="SerialReplayTests"/> replays several); a log
/// naming a virtio device the machine does not have is refused.
/// </summary>
[TestClass]
public sealed class InputLogTests
{
    // SerialReplayTests.Echo: echo UART input until 'q', then PSCI SYSTEM_OFF.
    private static readonly uint[] Echo =
        [0xd2a12001, 0x52806022, 0xb9003022, 0xb9401823, 0x3727ffe3, 0xb9400024, 0x39000024, 0x7101c49f, 0x54ffff61,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    private static Machine Build(Stream? serial = null) =>
        new MachineBuilder().WithKernel(Echo.SelectMany(BitConverter.GetBytes).ToArray(), "echo.bin").WithSerial(serial ?? Stream.Null).Build();

    private static byte[] RecordedLog()
    {
        var log = new MemoryStream();
        using (var m = Build())
        {
            m.RecordInput(log);
            m.Run(500);
            m.Uart.EnqueueInput("ab"u8);
            m.Run(2000);
            m.Uart.EnqueueInput("q"u8);
            m.Run(100_000);
        }
        return log.ToArray();
    }

    private static string Refusal(Machine m, byte[] log, string what = "")
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => m.ReplayInput(new MemoryStream(log)), what);
        Assert.IsFalse(e.Message.Contains('\n'), e.Message);
        Assert.IsGreaterThan(10, e.Message.Length, e.Message);
        return e.Message;
    }

    [TestMethod]
    public void ARecordedLogEndsWithItsChecksumAndReplays()
    {
        byte[] log = RecordedLog();
        string text = Encoding.ASCII.GetString(log);
        StringAssert.StartsWith(text, "armvirt-input 2\ns 0 0 -\n");
        StringAssert.Matches(text, new System.Text.RegularExpressions.Regex("\nend [0-9a-f]{8}\n$"));
        var serial = new MemoryStream();
        using var m = Build(serial);
        m.ReplayInput(new MemoryStream(log));
        Assert.AreEqual(ArmVirt.Cpu.StopReason.PowerOff, m.Run(1_000_000).Reason);
        Assert.AreEqual("abq", Encoding.ASCII.GetString(serial.ToArray()));
    }

    [TestMethod]
    public void EveryTruncationIsRefusedWithOneLine()
    {
        byte[] log = RecordedLog();
        using var m = Build();
        // (All but the last line feed: a log whose end line lost only its line feed is whole.)
        for (int length = 0; length < log.Length - 1; length++) Refusal(m, log[..length]);
        StringAssert.StartsWith(Refusal(m, log[..log.AsSpan().LastIndexOf("end"u8)]), "truncated: no end line");
    }

    [TestMethod]
    public void EveryBitFlipIsRefusedWithOneLine()
    {
        byte[] log = RecordedLog();
        using var m = Build();
        var reasons = new HashSet<string>();
        for (int i = 0; i < log.Length; i++)
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] flipped = (byte[])log.Clone();
                flipped[i] ^= (byte)(1 << bit);
                string why = Refusal(m, flipped, $"byte {i} ('{(char)log[i]}') bit {bit}");
                reasons.Add(why[..Math.Min(why.Length, why.IndexOf(':') is > 0 and var c ? c : why.Length)]);
            }
        Assert.IsTrue(reasons.Any(r => r.StartsWith("line", StringComparison.Ordinal)), string.Join(" | ", reasons));
        // "q" (hex 71) made "a" (61): still a well-formed line, only the checksum finds it.
        int at = log.AsSpan().IndexOf(" 71\n"u8) + 1;
        Assert.IsGreaterThan(0, at, Encoding.ASCII.GetString(log));
        byte[] edited = (byte[])log.Clone();
        edited[at] = (byte)'6';
        StringAssert.Contains(Refusal(m, edited), "checksum mismatch: the log was altered or damaged");
    }

    [TestMethod]
    public void InputForAVirtioDeviceTheMachineLacksIsRefused()
    {
        var log = new MemoryStream();
        var recorder = new InputLog.Recorder(log);
        recorder.Start();
        recorder.Virtio("n0", 3, 1000, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06]);
        recorder.Finish();
        using var m = Build();
        Assert.AreEqual("the log has input for virtio device 0 (n0), a VirtioNetDevice this machine does not have there", Refusal(m, log.ToArray()));
    }

    [TestMethod]
    [DataRow("armvirt-input 2\nn32 0 0 -\nend 00000000\n", "line 2: expected KIND (d, s, h, i, nN or cN) KEY CYCLES HEX, or end CRC")]
    [DataRow("armvirt-input 2\nc01 0 0 -\nend 00000000\n", "line 2: expected KIND")]
    [DataRow("armvirt-input 2\nend 0000000\n", "line 2: expected end CRC (8 hexadecimal digits)")]
    [DataRow("armvirt-input 2\nend 00000000\n", "line 2: checksum mismatch")]
    [DataRow("armvirt-serial-input 1\nn0 0 0 -\n", "line 2: expected KIND (d, s, h or i) KEY CYCLES HEX")]
    [DataRow("armvirt-input 3\n", "not an input log")]
    public void MalformedVersion2LinesAreRefused(string log, string why)
    {
        using var m = Build();
        StringAssert.StartsWith(Refusal(m, Encoding.ASCII.GetBytes(log)), why);
    }
}
