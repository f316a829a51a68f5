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
    public static string WriteTo(string path, string busyboxPath) =>
        WriteIfChanged(path, Build(File.ReadAllBytes(busyboxPath), DefaultInitScript()));

    /// <summary>Marker the outer /init prints after the nested guest's run, followed by minivmm's exit status.</summary>
    public const string NestedExitMarker = "ARMVIRT-NESTED-EXIT ";

    /// <summary>What minivmm puts before every console line of the nested guest (tests/linux/init.sh passes it).</summary>
    public const string NestedPrefix = "nested| ";

    /// <summary>
    /// Marker the outer /init prints after the 32-bit KVM guest's run (minivmm --aarch32 with tests/linux/kvm's
    /// aarch32_guest.bin, when the command line has armvirt.nested-aarch32=1), followed by minivmm's exit status.
    /// </summary>
    public const string NestedAarch32ExitMarker = "ARMVIRT-NESTED-AARCH32-EXIT ";

    /// <summary>What minivmm puts before every console line of the 32-bit KVM guest.</summary>
    public const string NestedAarch32Prefix = "a32| ";

    /// <summary>Markers the nested guest's /init (tests/linux/kvm/nested-init.sh) prints, first and last.</summary>
    public const string NestedOkMarker = "NESTED-GUEST-OK", NestedDoneMarker = "NESTED-GUEST-DONE";

    /// <summary>
    /// The initramfs of the nested-virtualization boot: an uncompressed newc archive holding /nested/minivmm
    /// (tests/linux/kvm/bin/minivmm), /nested/Image (the same kernel), /nested/initrd.cpio (the nested guest's own
    /// uncompressed initramfs: busybox and tests/linux/kvm/nested-init.sh as /init) and /nested/aarch32_guest.bin (the
    /// 32-bit KVM guest, tests/linux/kvm/bin/aarch32_guest.bin), followed by the gzip-compressed
    /// archive of <see cref="Build"/>. The kernel unpacks concatenated archives, compressed or not
    /// (Documentation/driver-api/early-userspace/buffer-format.rst); leaving the 32 MB kernel uncompressed spares the
    /// emulated outer kernel from inflating it. The outer /init runs the nested guest when the command line has
    /// armvirt.nested=1.
    /// </summary>
    public static byte[] BuildNested(ReadOnlySpan<byte> busybox, ReadOnlySpan<byte> initScript, ReadOnlySpan<byte> minivmm,
        ReadOnlySpan<byte> kernel, ReadOnlySpan<byte> nestedInitScript, ReadOnlySpan<byte> aarch32Guest)
    {
        byte[] nestedInitramfs = BuildCpio(busybox, nestedInitScript);
        using var archive = new MemoryStream();
        var cpio = new CpioNewcWriter(archive);
        cpio.AddDirectory("nested");
        cpio.AddFile("nested/minivmm", minivmm, permissions: 0x1ED /* 0755 */);
        cpio.AddFile("nested/Image", kernel);
        cpio.AddFile("nested/initrd.cpio", nestedInitramfs);
        cpio.AddFile("nested/aarch32_guest.bin", aarch32Guest);
        cpio.Finish();
        // The next archive starts at a multiple of 4 bytes (the kernel skips zero padding between archives).
        archive.Write(new byte[(int)(-archive.Length & 3)]);
        archive.Write(Build(busybox, initScript));
        return archive.ToArray();
    }

    /// <summary>tests/linux/kvm/bin/minivmm and tests/linux/kvm/nested-init.sh as copied beside the test assembly.</summary>
    public static string MinivmmPath => Path.Combine(AppContext.BaseDirectory, "kvm", "minivmm");

    /// <inheritdoc cref="MinivmmPath"/>
    public static string NestedInitScriptPath => Path.Combine(AppContext.BaseDirectory, "kvm", "nested-init.sh");

    /// <summary>tests/linux/kvm/bin/aarch32_guest.bin as copied beside the test assembly.</summary>
    public static string Aarch32GuestPath => Path.Combine(AppContext.BaseDirectory, "kvm", "aarch32_guest.bin");

    /// <summary>Builds the nested initramfs from the cached kernel and busybox and writes <paramref name="path"/> if its contents differ.</summary>
    public static string WriteNestedTo(string path, string busyboxPath, string kernelPath) =>
        WriteIfChanged(path, BuildNested(File.ReadAllBytes(busyboxPath), DefaultInitScript(), File.ReadAllBytes(MinivmmPath),
            File.ReadAllBytes(kernelPath), File.ReadAllBytes(NestedInitScriptPath), File.ReadAllBytes(Aarch32GuestPath)));

    private static string WriteIfChanged(string path, byte[] image)
    {
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
