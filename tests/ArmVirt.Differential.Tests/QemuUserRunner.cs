using System.Diagnostics;

namespace ArmVirt.Differential.Tests;

/// <summary>Runs a batch under Debian's qemu-aarch64 or qemu-arm (user mode, <c>-cpu max</c>) and returns what it wrote to stdout.</summary>
internal static class QemuUserRunner
{
    public const string Executable = "qemu-aarch64";

    /// <summary>The full path of qemu-aarch64 on PATH, or null.</summary>
    public static string? Find() => Find(Executable);

    /// <summary>The full path of <paramref name="executable"/> on PATH, or null.</summary>
    public static string? Find(string executable)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Writes the program to a temporary file and starts QEMU on it; the task yields the stdout bytes.</summary>
    public static Task<byte[]> RunAsync(string qemu, BatchProgram program, TimeSpan timeout) =>
        RunAsync(qemu, program.Image, program.Seed, timeout);

    /// <summary>Writes an executable image to a temporary file and starts QEMU on it; the task yields the stdout bytes.</summary>
    public static async Task<byte[]> RunAsync(string qemu, byte[] image, ulong seed, TimeSpan timeout)
    {
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-diff-{Environment.ProcessId}-{Path.GetFileName(qemu)}-{seed:x}.elf");
        await File.WriteAllBytesAsync(path, image);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var psi = new ProcessStartInfo(qemu)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add("-cpu");
            psi.ArgumentList.Add("max");
            psi.ArgumentList.Add(path);
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + qemu);
            process.StandardInput.Close();
            using var output = new MemoryStream();
            var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
            var errors = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(true);
                throw new TimeoutException($"{Path.GetFileName(qemu)} did not finish batch seed 0x{seed:x} within {timeout}");
            }
            await copy;
            string stderr = await errors;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{Path.GetFileName(qemu)} exited with {process.ExitCode} on batch seed 0x{seed:x}: {stderr.Trim()}");
            return output.ToArray();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
