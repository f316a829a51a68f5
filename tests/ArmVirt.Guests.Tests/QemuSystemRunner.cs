using System.Diagnostics;

namespace ArmVirt.Guests.Tests;

/// <summary>Runs a guest on qemu-system-aarch64 -M virt, configured like tests/guests/record-expected.sh.</summary>
internal static class QemuSystemRunner
{
    public static string? Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, "qemu-system-aarch64");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Console bytes (serial, then semihosting output, which QEMU writes to stderr) and the exit code.</summary>
    public static async Task<(byte[] Output, int ExitCode)> RunAsync(string qemu, GuestCase guest)
    {
        var psi = new ProcessStartInfo(qemu)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        string machine = (guest.HighestEl >= 2 ? "virt,virtualization=on" : "virt") + (guest.GicVersion == 2 ? "" : $",gic-version={guest.GicVersion}");
        foreach (var a in new[] { "-M", machine, "-cpu", guest.Cpu, "-smp", guest.Cpus.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "128M",
                     "-nographic", "-monitor", "none", "-serial", "stdio" })
            psi.ArgumentList.Add(a);
        if (guest.Semihosting) psi.ArgumentList.Add("-semihosting");
        psi.ArgumentList.Add("-kernel");
        psi.ArgumentList.Add(guest.ElfPath);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + qemu);
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(true);
            throw new TimeoutException($"qemu-system-aarch64 did not finish {guest.Name} within 60 s");
        }
        await Task.WhenAll(copyOut, copyErr);
        if (guest.Semihosting) stderr.WriteTo(stdout);
        else if (stderr.Length > 0) throw new InvalidOperationException($"qemu-system-aarch64 wrote to stderr for {guest.Name}: " + System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
        return (stdout.ToArray(), process.ExitCode);
    }
}
