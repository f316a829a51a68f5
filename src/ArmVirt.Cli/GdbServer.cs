using System.Net;
using System.Net.Sockets;
using ArmVirt.Cpu;
using ArmVirt.Machine;
using ArmVirt.Machine.Gdb;

namespace ArmVirt.Cli;

/// <summary>
/// <c>--gdb tcp::PORT</c> and <c>--gdb-wait</c> (QEMU's <c>-gdb</c> and <c>-S</c>): listens for one GDB client and
/// serves it with <see cref="GdbStub"/>. Without --gdb-wait the guest runs until the client connects, which stops it.
/// </summary>
internal static class GdbServer
{
    /// <summary>Parses tcp::PORT or tcp:HOST:PORT (QEMU's -gdb device syntax).</summary>
    public static (IPAddress Address, int Port) ParseEndpoint(string text)
    {
        string t = text.StartsWith("tcp:", StringComparison.Ordinal) ? text[4..] : text;
        int colon = t.LastIndexOf(':');
        string host = colon < 0 ? "" : t[..colon];
        string port = colon < 0 ? t : t[(colon + 1)..];
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535)
            throw new UsageException($"--gdb {text}: expected tcp::PORT or tcp:HOST:PORT");
        IPAddress address;
        if (host is "" or "localhost") address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(host, out address!)) throw new UsageException($"--gdb {text}: {host} is not an IP address");
        return (address, p);
    }

    /// <summary>Runs <paramref name="machine"/> under the stub until the guest stops for good or GDB kills it.</summary>
    public static MachineExit Run(Machine.Machine machine, string endpoint, bool wait, ulong maxInstructions, TextWriter stderr)
    {
        var (address, port) = ParseEndpoint(endpoint);
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start(1);
        }
        catch (SocketException e)
        {
            throw new UsageException($"--gdb {endpoint}: {e.Message}");
        }
        try
        {
            stderr.WriteLine(wait
                ? $"armvirt: waiting for gdb on tcp:{address}:{port} (target remote :{port})"
                : $"armvirt: gdb stub listening on tcp:{address}:{port}");
            stderr.Flush();
            var stub = new GdbStub(machine);
            if (wait) return Serve(machine, stub, listener.AcceptTcpClient(), maxInstructions);
            TcpClient? client = null;
            _ = listener.AcceptTcpClientAsync().ContinueWith(t =>
            {
                if (!t.IsCompletedSuccessfully) return;
                client = t.Result;
                machine.RequestStop(); // GDB finds the target stopped when it attaches, as with QEMU
            }, TaskScheduler.Default);
            var exit = machine.Run(maxInstructions);
            if (exit.Reason != StopReason.HostRequest || Volatile.Read(ref client) is not { } c) return exit;
            foreach (var cpu in machine.Cpus)
                if (cpu.StopReason == StopReason.HostRequest) cpu.ClearStop();
            return Serve(machine, stub, c, maxInstructions);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static MachineExit Serve(Machine.Machine machine, GdbStub stub, TcpClient client, ulong maxInstructions)
    {
        using (client)
        {
            client.NoDelay = true;
            switch (stub.Serve(client.GetStream()))
            {
                case GdbSessionEnd.GuestExited:
                    return stub.LastExit ?? new MachineExit(StopReason.PowerOff, 0, null);
                case GdbSessionEnd.Detached:
                    foreach (var cpu in machine.Cpus)
                        if (cpu.StopReason == StopReason.HostRequest) cpu.ClearStop();
                    return machine.Run(maxInstructions); // the guest runs on without a debugger
                default:
                    return new MachineExit(StopReason.HostRequest, 0, "killed by gdb");
            }
        }
    }
}
