using System.IO.Compression;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Builds the gzip-compressed initramfs the Linux boot tests use: /init (tests/linux/init.sh, run by busybox
/// sh), /bin/busybox with the applet links /init needs, the mount points and /dev/console, which the kernel
/// opens as the initial console before it runs /init.
/// </summary>
public static class BootInitramfs
{
    /// <summary>Marker /init prints once userspace runs.</summary>
    public const string BootOkMarker = "ARMVIRT-BOOT-OK";

    /// <summary>Marker /init prints just before <c>poweroff -f</c>.</summary>
    public const string BootDoneMarker = "ARMVIRT-BOOT-DONE";

    /// <summary>busybox applets /init runs, linked into /bin.</summary>
    public static readonly string[] Applets =
        ["sh", "mount", "uname", "echo", "head", "cat", "ls", "dmesg", "grep", "poweroff", "mkdir", "sleep"];

    /// <summary>Reads tests/linux/init.sh as copied beside the test assembly.</summary>
    public static byte[] DefaultInitScript() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "init.sh"));

    /// <summary>The uncompressed newc archive.</summary>
    public static byte[] BuildCpio(ReadOnlySpan<byte> busybox, ReadOnlySpan<byte> initScript)
    {
        using var archive = new MemoryStream();
        var cpio = new CpioNewcWriter(archive);
        foreach (string dir in (ReadOnlySpan<string>)["bin", "dev", "proc", "sys", "tmp"])
        {
            cpio.AddDirectory(dir);
        }
        // Major 5, minor 1: /dev/console (Documentation/admin-guide/devices.txt).
        cpio.AddCharacterDevice("dev/console", 5, 1);
        cpio.AddFile("bin/busybox", busybox, permissions: 0x1ED /* 0755 */);
        foreach (string applet in Applets)
        {
            cpio.AddSymbolicLink("bin/" + applet, "busybox");
        }
        cpio.AddFile("init", initScript, permissions: 0x1ED /* 0755 */);
        cpio.Finish();
        return archive.ToArray();
    }

    /// <summary>The archive gzip-compressed, as <c>-initrd</c> takes it; same inputs give the same bytes.</summary>
    public static byte[] Build(ReadOnlySpan<byte> busybox, ReadOnlySpan<byte> initScript)
    {
        byte[] cpio = BuildCpio(busybox, initScript);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(cpio);
        }
        return compressed.ToArray();
    }

    /// <summary>Builds from the cached busybox and writes <paramref name="path"/> if its contents differ.</summary>
    public static string WriteTo(string path, string busyboxPath)
    {
        byte[] image = Build(File.ReadAllBytes(busyboxPath), DefaultInitScript());
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(image))
        {
            // Write then rename, so a concurrent run (the bench beside the tests) never reads half a file.
            string temporary = $"{path}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, path, overwrite: true);
        }
        return path;
    }
}
