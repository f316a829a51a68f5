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
        // --el 3 is an AArch32 EL3 (the ARMv7 CPUs only): QEMU's secure=on.
        string machine = (guest.HighestEl == 3 ? "virt,secure=on,virtualization=on" : guest.HighestEl >= 2 ? "virt,virtualization=on" : "virt")
            + (guest.GicVersion == 2 ? "" : $",gic-version={guest.GicVersion}");
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
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // A guest that ends halted (WFI with everything masked; QEMU's secure=on has no PSCI to power off) is stopped
        // once its last line is out: QEMU would wait for ever.
        var copyOut = guest.HaltMarker is { } marker ? CopyUntil(process, stdout, marker, cts.Token) : process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr);
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
        return (stdout.ToArray(), guest.HaltMarker != null ? 0 : process.ExitCode);
    }

    // Copies the console until it ends with marker, then kills QEMU.
    private static async Task CopyUntil(Process process, MemoryStream into, string marker, CancellationToken token)
    {
        var buffer = new byte[4096];
        byte[] end = System.Text.Encoding.ASCII.GetBytes(marker);
        int n;
        while ((n = await process.StandardOutput.BaseStream.ReadAsync(buffer, token)) > 0)
        {
            into.Write(buffer, 0, n);
            if (into.Length >= end.Length && into.GetBuffer().AsSpan((int)into.Length - end.Length, end.Length).SequenceEqual(end))
            {
                process.Kill(true);
                break;
            }
        }
    }
}
