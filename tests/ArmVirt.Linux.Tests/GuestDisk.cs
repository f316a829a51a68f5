using System.Diagnostics;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// An ext4 disk image made by the test with Debian's e2fsprogs (mkfs.ext4 -d populates it from a directory), read
/// back with debugfs and checked with e2fsck; inconclusive where e2fsprogs is missing. Deletes itself.
/// </summary>
public sealed class GuestDisk : IDisposable
{
    /// <summary>Contents of /host.txt, put there by the host before the guest mounts the image.</summary>
    public const string HostText = "hello from the host";

    private GuestDisk(string path) => Path = path;

    /// <summary>The raw image file.</summary>
    public string Path { get; }

    /// <summary>Creates an ext4 image of <paramref name="megabytes"/> MiB holding /host.txt.</summary>
    public static GuestDisk CreateExt4(int megabytes)
    {
        string tool = Find("mkfs.ext4") ?? throw new AssertInconclusiveException("mkfs.ext4 not found (apt-get install e2fsprogs)");
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"armvirt-disk-{Guid.NewGuid():N}");
        string source = root + ".d";
        Directory.CreateDirectory(source);
        try
        {
            File.WriteAllText(System.IO.Path.Combine(source, "host.txt"), HostText + "\n");
            var disk = new GuestDisk(root + ".img");
            var r = Tool(tool, ["-q", "-F", "-L", "armvirt", "-d", source, disk.Path, $"{megabytes}M"]);
            Assert.AreEqual(0, r.Code, "mkfs.ext4 failed: " + r.Output);
            return disk;
        }
        finally { Directory.Delete(source, recursive: true); }
    }

    /// <summary>Creates a raw image of <paramref name="megabytes"/> MiB filled with a byte pattern.</summary>
    public static GuestDisk CreatePattern(int megabytes)
    {
        var disk = new GuestDisk(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"armvirt-disk-{Guid.NewGuid():N}.img"));
        var block = new byte[1 << 20];
        using var f = File.Create(disk.Path);
        for (int m = 0; m < megabytes; m++)
        {
            for (int i = 0; i < block.Length; i++) block[i] = (byte)(i * 31 + m);
            f.Write(block);
        }
        return disk;
    }

    /// <summary>The contents of <paramref name="file"/> inside the image (debugfs -R "cat FILE"), or null if it is not there.</summary>
    public string? ReadFile(string file)
    {
        string tool = Find("debugfs") ?? throw new AssertInconclusiveException("debugfs not found (apt-get install e2fsprogs)");
        var r = Tool(tool, ["-R", $"cat {file}", Path], mergeError: false);
        Assert.AreEqual(0, r.Code, "debugfs failed: " + r.Output + r.Error);
        return r.Error.Contains("File not found", StringComparison.Ordinal) ? null : r.Output;
    }

    /// <summary>Runs e2fsck -fn (forced check, answer no to everything) and returns its exit code and output.</summary>
    public (int Code, string Output) Check()
    {
        string tool = Find("e2fsck") ?? throw new AssertInconclusiveException("e2fsck not found (apt-get install e2fsprogs)");
        var r = Tool(tool, ["-fn", Path]);
        return (r.Code, r.Output);
    }

    /// <summary>SHA-256 of the whole image.</summary>
    public string Hash()
    {
        using var f = File.OpenRead(Path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f));
    }

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);

    /// <summary>An executable on PATH or in /sbin, /usr/sbin (where e2fsprogs lives), or null.</summary>
    public static string? Find(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator).Concat(["/usr/sbin", "/sbin"]);
        return dirs.Where(d => d.Length > 0).Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs a host tool to completion (one minute at most).</summary>
    public static (int Code, string Output, string Error) Tool(string file, IReadOnlyList<string> arguments, bool mergeError = true)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within a minute");
        }
        return (p.ExitCode, mergeError ? output + error.Result : output, error.Result);
    }
}
