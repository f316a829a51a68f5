using ArmVirt.Machine;
using ArmVirt.Machine.Loaders;

namespace ArmVirt.Cli;

/// <summary>
/// One <c>--device</c>: QEMU's generic loader (<c>loader,file=F[,addr=A][,force-raw=on]</c>: an ELF file placed by its
/// program headers, any other file raw at A) or guest loader
/// (<c>guest-loader,addr=A,kernel=F[,bootargs=S]</c>, <c>guest-loader,addr=A,initrd=F</c>: a hypervisor's guest kernel
/// or ramdisk placed in RAM and described in <c>/chosen</c>).
/// </summary>
internal sealed record DeviceOption(ulong? Address, string File, GuestModuleKind? Module, string? Bootargs, bool ForceRaw = false)
{
    /// <summary>Adds the device to <paramref name="builder"/>.</summary>
    public void AddTo(MachineBuilder builder)
    {
        if (Module is { } kind) builder.WithGuestModule(kind, File, Address!.Value, Bootargs);
        else builder.WithLoader(File, Address, ForceRaw);
    }

    /// <summary>Parses the value of one <c>--device</c>.</summary>
    public static DeviceOption Parse(string text)
    {
        var pairs = KeyValueOption.Pairs("--device", text);
        if (pairs[0].Value.Length > 0) throw new UsageException($"--device {text}: must start with the device type (loader or guest-loader)");
        string type = pairs[0].Key;
        string? file = null, kernel = null, initrd = null, bootargs = null;
        ulong? addr = null;
        bool forceRaw = false;
        foreach (var (key, value) in pairs.Skip(1))
        {
            switch (type, key)
            {
                case (_, "addr"): addr = KeyValueOption.Address("--device", key, value); break;
                case ("loader", "file"): file = NonEmpty(key, value); break;
                case ("loader", "force-raw"): forceRaw = KeyValueOption.OnOff("--device", key, value); break;
                case ("guest-loader", "kernel"): kernel = NonEmpty(key, value); break;
                case ("guest-loader", "initrd"): initrd = NonEmpty(key, value); break;
                case ("guest-loader", "bootargs"): bootargs = value; break;
                case ("loader", _): throw new UsageException($"--device loader: unknown parameter '{key}' (file, addr, force-raw)");
                case ("guest-loader", _): throw new UsageException($"--device guest-loader: unknown parameter '{key}' (addr, kernel, initrd, bootargs)");
                default: throw new UsageException($"--device {type}: unknown device (loader, guest-loader)");
            }
        }
        if (type is not ("loader" or "guest-loader")) throw new UsageException($"--device {type}: unknown device (loader, guest-loader)");
        if (type == "loader")
        {
            // Without addr the file must be an ELF (placed by its program headers): the machine builder says so if not.
            string path = file ?? throw new UsageException("--device loader: needs file=PATH");
            return new DeviceOption(addr, path, null, null, forceRaw);
        }
        ulong at = addr ?? throw new UsageException($"--device {type}: needs addr=ADDRESS");
        if ((kernel == null) == (initrd == null)) throw new UsageException("--device guest-loader: needs exactly one of kernel=PATH and initrd=PATH");
        if (initrd != null && bootargs != null) throw new UsageException("--device guest-loader: bootargs go with kernel=, not initrd=");
        return kernel != null ? new DeviceOption(at, kernel, GuestModuleKind.Kernel, bootargs) : new DeviceOption(at, initrd!, GuestModuleKind.Ramdisk, null);
    }

    private static string NonEmpty(string key, string value) =>
        value.Length > 0 ? value : throw new UsageException($"--device {key}=: needs a path");
}
