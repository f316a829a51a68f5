using System.Globalization;
using ArmVirt.Machine;

namespace ArmVirt.Cli;

/// <summary>One <c>--drive</c>: a raw image file on virtio-blk.</summary>
internal sealed record DriveOption(string File, bool ReadOnly, bool Snapshot);

/// <summary>One <c>--netdev</c>: a TAP interface on virtio-net, optionally captured to a pcap file.</summary>
internal sealed record NetdevOption(string InterfaceName, string? Pcap, byte[]? Mac);

/// <summary>
/// Parses the virtio options' QEMU-style <c>key=value,key=value</c> values (<c>--drive</c>, <c>--netdev</c>,
/// <c>--console</c>, <c>--rng</c>) and adds the devices to a <see cref="MachineBuilder"/> in command-line order.
/// </summary>
internal static class VirtioOptions
{
    /// <summary><c>file=PATH[,format=raw][,if=virtio][,readonly=on|off][,snapshot=on|off]</c>.</summary>
    public static DriveOption ParseDrive(string text)
    {
        string? file = null;
        bool readOnly = false, snapshot = false;
        foreach (var (key, value) in KeyValueOption.Pairs("--drive", text))
        {
            switch (key)
            {
                case "file": file = value.Length > 0 ? value : throw new UsageException("--drive file=: needs a path"); break;
                case "format":
                    if (value != "raw") throw new UsageException($"--drive format={value}: only raw images are supported");
                    break;
                case "if":
                    if (value != "virtio") throw new UsageException($"--drive if={value}: only virtio is supported");
                    break;
                case "readonly": readOnly = KeyValueOption.OnOff("--drive", key, value); break;
                case "snapshot": snapshot = KeyValueOption.OnOff("--drive", key, value); break;
                default: throw new UsageException($"--drive {key}: unknown parameter (file, format, if, readonly, snapshot)");
            }
        }
        return new DriveOption(file ?? throw new UsageException($"--drive {text}: needs file=PATH"), readOnly, snapshot);
    }

    /// <summary><c>tap,ifname=NAME[,pcap=FILE][,mac=52:54:00:12:34:56]</c>.</summary>
    public static NetdevOption ParseNetdev(string text)
    {
        var pairs = KeyValueOption.Pairs("--netdev", text);
        if (pairs[0].Value.Length > 0 || pairs[0].Key != "tap")
            throw new UsageException($"--netdev {pairs[0].Key}: unsupported backend (only tap is implemented)");
        string? ifname = null, pcap = null;
        byte[]? mac = null;
        foreach (var (key, value) in pairs.Skip(1))
        {
            switch (key)
            {
                case "ifname": ifname = value.Length > 0 ? value : throw new UsageException("--netdev ifname=: needs an interface name"); break;
                case "pcap": pcap = value.Length > 0 ? value : throw new UsageException("--netdev pcap=: needs a file name"); break;
                case "mac": mac = ParseMac(value); break;
                default: throw new UsageException($"--netdev {key}: unknown parameter (ifname, pcap, mac)");
            }
        }
        return new NetdevOption(ifname ?? throw new UsageException($"--netdev {text}: needs ifname=NAME"), pcap, mac);
    }

    private static byte[] ParseMac(string text)
    {
        string[] parts = text.Split(':');
        var mac = new byte[6];
        if (parts.Length != 6 || !parts.Select((p, i) => p.Length == 2 && byte.TryParse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mac[i])).All(ok => ok))
            throw new UsageException($"--netdev mac={text}: not a MAC address (six hex pairs separated by ':')");
        if ((mac[0] & 1) != 0) throw new UsageException($"--netdev mac={text}: a multicast address cannot be a NIC's address");
        return mac;
    }

    /// <summary><c>stdio</c> or <c>unix:PATH</c> (a Unix socket armvirt listens on and waits for one client, as QEMU's server=on).</summary>
    public static string ParseConsole(string text)
    {
        if (text == "stdio") return text;
        if (text.StartsWith("unix:", StringComparison.Ordinal) && text.Length > 5) return text;
        throw new UsageException($"--console {text}: must be stdio or unix:PATH");
    }

    /// <summary>Empty, or <c>seed=N</c> (decimal or 0x hex).</summary>
    public static ulong ParseRng(string text)
    {
        if (text.Length == 0) return 0;
        if (!text.StartsWith("seed=", StringComparison.Ordinal))
            throw new UsageException($"--rng {text}: unknown parameter (seed=N)");
        string n = text[5..];
        bool ok = n.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(n[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v)
            : ulong.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out v);
        return ok ? v : throw new UsageException($"--rng {text}: seed must be a whole number");
    }
}
