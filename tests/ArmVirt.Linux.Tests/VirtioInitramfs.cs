using System.IO.Compression;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// The initramfs of the virtio Linux tests: /init is tests/linux/init-virtio.sh, /lib/modules holds the virtio and
/// ext4 modules that tests/linux/fetch.sh extracted from Debian's kernel package (with their insmod order), and
/// /bin the busybox applets the scenarios use.
/// </summary>
public static class VirtioInitramfs
{
    /// <summary>busybox applets /init runs, linked into /bin.</summary>
    public static readonly string[] Applets =
    [
        "sh", "mount", "umount", "insmod", "cat", "echo", "mkdir", "sync", "sleep", "uname", "poweroff", "dd",
        "ifconfig", "ping", "ip", "ls", "dmesg", "grep", "hexdump", "head",
    ];

    /// <summary>Where fetch.sh put the modules.</summary>
    public static string ModuleDirectory => Path.Combine(LinuxBootEnvironment.CacheDirectory, "modules");

    /// <summary>Marks the test inconclusive unless the kernel, busybox and the modules have been fetched.</summary>
    public static void RequireModules()
    {
        LinuxBootEnvironment.RequireKernelCache();
        if (!File.Exists(Path.Combine(ModuleDirectory, "order")))
            Assert.Inconclusive($"No modules in {ModuleDirectory}: run tests/linux/fetch.sh (FORCE=1 if the cache predates them).");
    }

    /// <summary>The gzip-compressed archive; the same inputs give the same bytes.</summary>
    public static byte[] Build(ReadOnlySpan<byte> busybox, ReadOnlySpan<byte> initScript, string moduleDirectory)
    {
        using var archive = new MemoryStream();
        var cpio = new CpioNewcWriter(archive);
        foreach (string dir in (ReadOnlySpan<string>)["bin", "dev", "proc", "sys", "tmp", "mnt", "lib", "lib/modules"])
        {
            cpio.AddDirectory(dir);
        }
        cpio.AddCharacterDevice("dev/console", 5, 1);
        cpio.AddFile("bin/busybox", busybox, permissions: 0x1ED /* 0755 */);
        foreach (string applet in Applets) cpio.AddSymbolicLink("bin/" + applet, "busybox");
        string[] order = File.ReadAllLines(Path.Combine(moduleDirectory, "order")).Where(l => l.Length > 0).ToArray();
        cpio.AddFile("lib/modules/order", File.ReadAllBytes(Path.Combine(moduleDirectory, "order")));
        foreach (string module in order) cpio.AddFile($"lib/modules/{module}.ko", File.ReadAllBytes(Path.Combine(moduleDirectory, module + ".ko")));
        cpio.AddFile("init", initScript, permissions: 0x1ED /* 0755 */);
        cpio.Finish();
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(archive.ToArray());
        return compressed.ToArray();
    }

    /// <summary>Builds (once per process) the initramfs into the cache as initrd-virtio.gz and returns its path.</summary>
    public static string ArchivePath => path.Value;

    private static readonly Lazy<string> path = new(() =>
    {
        RequireModules();
        string target = Path.Combine(LinuxBootEnvironment.CacheDirectory, "initrd-virtio.gz");
        byte[] image = Build(File.ReadAllBytes(LinuxBootEnvironment.BusyboxPath),
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "init-virtio.sh")), ModuleDirectory);
        if (!File.Exists(target) || !File.ReadAllBytes(target).AsSpan().SequenceEqual(image))
        {
            string temporary = $"{target}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, target, overwrite: true);
        }
        return target;
    });
}
