using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ArmVirt.Tests.Shared;

/// <summary>
/// What the tests that drive gdb-multiarch against an emulator's gdbstub share (linked into ArmVirt.Cli.Tests and
/// ArmVirt.Linux.Tests): a free TCP port, waiting for the stub to listen, and whether a tool is installed.
/// </summary>
internal static class GdbTestHost
{
    /// <summary>A TCP port on the loopback interface that nothing listens on now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>
    /// True once something listens on <paramref name="port"/> (read from /proc/net/tcp and tcp6: connecting to probe
    /// would take a gdbstub's only client); false after <paramref name="timeout"/> or when <paramref name="ended"/> says
    /// the emulator is gone.
    /// </summary>
    public static bool WaitForListener(int port, TimeSpan timeout, Func<bool>? ended = null)
    {
        string hex = $":{port:X4}";
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < timeout)
        {
            if (ended?.Invoke() == true) return false;
            foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
                if (File.Exists(table) && File.ReadLines(table).Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } f
                    && f[1].EndsWith(hex, StringComparison.Ordinal) && f[3] == "0A"))
                    return true;
            Thread.Sleep(50);
        }
        return false;
    }

    /// <summary>True when <paramref name="tool"/> is an executable file on PATH.</summary>
    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));
}
