using System.Text;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cli.Tests;

/// <summary>
/// Runs tiny raw guests (assembled with aarch64-linux-gnu-as; sources in the comments) through the runner and checks
/// exit codes and serial I/O against what QEMU -M virt does with the same binaries. Until the instruction set is
/// merged, a guest using instructions the decoder does not know yet is Inconclusive.
/// </summary>
[TestClass]
public sealed class GuestRunTests
{
    // movz x1, #0x0900, lsl #16; mov w2, #0x301; str w2, [x1, #0x30]   (UARTCR = UARTEN | TXE | RXE)
    // mov w2, #'O'; strb w2, [x1]; mov w2, #'K'; strb w2, [x1]; mov w2, #'\n'; strb w2, [x1]
    // movz w0, #0x8400, lsl #16; add w0, w0, #8; hvc #0                (PSCI SYSTEM_OFF)
    // b .
    private static readonly uint[] HelloOff =
        [0xd2a12001, 0x52806022, 0xb9003022, 0x528009e2, 0x39000022, 0x52800962, 0x39000022, 0x52800142, 0x39000022,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    // enable UART; loop: ldr w3, [x1, #0x18]; tbnz w3, #4, loop; ldr w4, [x1]; strb w4, [x1]; cmp w4, #'q'; b.ne loop;
    // PSCI SYSTEM_OFF via HVC
    private static readonly uint[] Echo =
        [0xd2a12001, 0x52806022, 0xb9003022, 0xb9401823, 0x3727ffe3, 0xb9400024, 0x39000024, 0x7101c49f, 0x54ffff61,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    // adr x1, block; mov w0, #0x20; hlt #0xf000; b .; block: .quad 0x20026 (ADP_Stopped_ApplicationExit), 3
    private static readonly uint[] SemihostingExit3 =
        [0x10000081, 0x52800400, 0xd45e0000, 0x14000000, 0x00020026, 0, 3, 0];

    // wfi; b .-4
    private static readonly uint[] WfiForever = [0xd503207f, 0x17ffffff];

    private static (int Code, string Stdout, string Stderr) RunGuest(uint[] code, int executable, byte[]? input, params string[] extra)
    {
        for (int i = 0; i < executable; i++)
            if (ReferenceEquals(A64Decoder.Instance.Decode(code[i]), A64Decoder.Unallocated))
                Assert.Inconclusive($"instruction 0x{code[i]:x8} is not decoded yet");
        var bytes = code.SelectMany(BitConverter.GetBytes).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-guest-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, bytes);
        try
        {
            var stdout = new MemoryStream();
            var stderr = new StringWriter();
            int rc = Program.Run(["--kernel", path, "--max-insns", "100000", .. extra], stdout, stderr,
                input == null ? null : new MemoryStream(input));
            return (rc, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void PsciSystemOffExitsWith0AfterPrinting()
    {
        var r = RunGuest(HelloOff, HelloOff.Length, null);
        Assert.AreEqual(0, r.Code, r.Stderr);
        Assert.AreEqual("OK\n", r.Stdout);
        Assert.AreEqual("", r.Stderr);
    }

    [TestMethod]
    public void StdinFeedsTheUart()
    {
        var r = RunGuest(Echo, Echo.Length, "hello q"u8.ToArray());
        Assert.AreEqual(0, r.Code, r.Stderr);
        Assert.AreEqual("hello q", r.Stdout);
    }

    [TestMethod]
    public void SemihostingExitCodeBecomesTheProcessExitCode()
    {
        var r = RunGuest(SemihostingExit3, 4, null, "--semihosting");
        Assert.AreEqual(3, r.Code, r.Stderr);
    }

    [TestMethod]
    public void WfiWithNoWakeSourceHaltsWithExitCode1()
    {
        var r = RunGuest(WfiForever, WfiForever.Length, null);
        Assert.AreEqual(1, r.Code, r.Stderr);
        StringAssert.StartsWith(r.Stderr, "armvirt: guest halted: ");
    }
}
