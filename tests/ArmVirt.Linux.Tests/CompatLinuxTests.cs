using System.IO.Compression;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Linux COMPAT (issue #18): Debian's arm64 kernel runs Debian's armhf busybox-static (a 32-bit EABI5 executable,
/// glibc built for Thumb-2 with VFP and NEON) at AArch32 EL0. /init (tests/linux/init-compat.sh) runs
/// tests/linux/compat.sh once with the arm64 busybox and once with the armhf one; the two outputs must be the same, on
/// QEMU (the reference) and on ArmVirt. The armhf busybox comes from tests/linux/fetch.sh (busybox-armhf in the cache);
/// without it the tests are inconclusive, and the ArmVirt boot runs only with ARMVIRT_LINUX_BOOT=1 as the other boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class CompatLinuxTests
{
    private const string A64Begin = "ARMVIRT-COMPAT-A64-BEGIN", A64End = "ARMVIRT-COMPAT-A64-END";
    private const string A32Begin = "ARMVIRT-COMPAT-A32-BEGIN", A32End = "ARMVIRT-COMPAT-A32-END";

    /// <summary>The applets the scripts run, linked into /bin (arm64) and /bin32 (armhf).</summary>
    public static readonly string[] Applets =
    [
        "sh", "mount", "uname", "echo", "seq", "tr", "awk", "sort", "head", "sed", "md5sum", "sha256sum", "wc", "grep",
        "cut", "od", "date", "dd", "expr", "printf", "cat", "poweroff",
    ];

    /// <summary>The static armhf busybox fetch.sh extracts.</summary>
    public static string ArmhfBusyboxPath => Path.Combine(LinuxBootEnvironment.CacheDirectory, "busybox-armhf");

    private static void RequireArmhfBusybox()
    {
        LinuxBootEnvironment.RequireKernelCache();
        if (!File.Exists(ArmhfBusyboxPath))
            Assert.Inconclusive($"No {ArmhfBusyboxPath}: run tests/linux/fetch.sh (FORCE=1 if the cache predates busybox-armhf).");
    }

    /// <summary>The gzip-compressed initramfs: both busyboxes, their applet links, /compat.sh and /init.</summary>
    public static byte[] Build(ReadOnlySpan<byte> busybox, ReadOnlySpan<byte> armhfBusybox, ReadOnlySpan<byte> compatScript, ReadOnlySpan<byte> initScript)
    {
        using var archive = new MemoryStream();
        var cpio = new CpioNewcWriter(archive);
        foreach (string dir in (ReadOnlySpan<string>)["bin", "bin32", "dev", "proc", "sys", "tmp"]) cpio.AddDirectory(dir);
        cpio.AddCharacterDevice("dev/console", 5, 1);
        cpio.AddFile("bin/busybox", busybox, permissions: 0x1ED /* 0755 */);
        cpio.AddFile("bin32/busybox", armhfBusybox, permissions: 0x1ED);
        foreach (string applet in Applets)
        {
            cpio.AddSymbolicLink("bin/" + applet, "busybox");
            cpio.AddSymbolicLink("bin32/" + applet, "busybox");
        }
        cpio.AddFile("compat.sh", compatScript, permissions: 0x1ED);
        cpio.AddFile("init", initScript, permissions: 0x1ED);
        cpio.Finish();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(archive.ToArray());
        return compressed.ToArray();
    }

    private static readonly Lazy<string> archivePath = new(() =>
    {
        string target = Path.Combine(LinuxBootEnvironment.CacheDirectory, "initrd-compat.gz");
        byte[] image = Build(File.ReadAllBytes(LinuxBootEnvironment.BusyboxPath), File.ReadAllBytes(ArmhfBusyboxPath),
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "compat.sh")), File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "init-compat.sh")));
        if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(image)) File.WriteAllBytes(target, image);
        return target;
    });

    private static string[] Arguments() =>
    [
        "--kernel", LinuxBootEnvironment.KernelPath, "--initrd", archivePath.Value, "--append", LinuxBootEnvironment.KernelCommandLine,
        "--memory", LinuxBootEnvironment.GuestMemory, "--el", "1",
    ];

    // The text between two markers (console lines end in \r\n).
    private static string Between(BootRun run, string begin, string end)
    {
        string output = run.Output.Replace("\r", "");
        int a = output.IndexOf(begin + "\n", StringComparison.Ordinal), b = output.IndexOf(end, StringComparison.Ordinal);
        Assert.IsTrue(a >= 0 && b > a, $"markers {begin}/{end} missing\n{run.Describe()}");
        return output[(a + begin.Length + 1)..b];
    }

    private static void AssertSameOutputs(BootRun run)
    {
        QemuBootTests.AssertCleanBoot(run);
        StringAssert.Contains(run.Output, "arm64 ELF class:  02", run.Describe());
        StringAssert.Contains(run.Output, "armhf ELF class:  01", run.Describe());
        string a64 = Between(run, A64Begin, A64End), a32 = Between(run, A32Begin, A32End);
        Assert.IsGreaterThan(15, a64.Split('\n').Length, "the script ran\n" + a64);
        Assert.AreEqual(a64, a32, "the armhf busybox's output differs from the arm64 one's");
        StringAssert.Contains(run.Output, A32End + " status 0", run.Describe());
    }

    [TestMethod]
    public void ArmhfBusyboxMatchesArm64BusyboxOnQemu()
    {
        RequireArmhfBusybox();
        string qemu = LinuxBootEnvironment.FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        BootRun run = LinuxBootEnvironment.Run(qemu,
        [
            "-M", LinuxBootEnvironment.QemuMachine(1), "-cpu", "cortex-a57", "-m", LinuxBootEnvironment.GuestMemory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", LinuxBootEnvironment.KernelPath, "-initrd", archivePath.Value, "-append", LinuxBootEnvironment.KernelCommandLine,
        ], TimeSpan.FromMinutes(5));
        AssertSameOutputs(run);
    }

    [TestMethod]
    public void ArmhfBusyboxMatchesArm64BusyboxOnArmVirt()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        RequireArmhfBusybox();
        BootRun run = LinuxBootEnvironment.RunArmVirt(Arguments(), LinuxBootEnvironment.ArmVirtTimeout);
        AssertSameOutputs(run);
    }
}
