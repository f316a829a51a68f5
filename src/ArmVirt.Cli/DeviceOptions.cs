using ArmVirt.Machine;
using ArmVirt.Machine.Loaders;

namespace ArmVirt.Cli;

/// <summary>
/// One <c>--device</c>: QEMU's generic loader (<c>loader,file=F[,addr=A][,force-raw=on][,cpu-num=0]</c>: an ELF file placed by
/// its program headers, any other file raw at A, and the CPU started there with cpu-num; <c>loader,addr=A,data=V,data-len=N
/// [,data-be=on]</c>: a value written; <c>loader,addr=A,cpu-num=0</c>: the CPU started at A) or guest loader
/// (<c>guest-loader,addr=A,kernel=F[,bootargs=S]</c>, <c>guest-loader,addr=A,initrd=F</c>: a hypervisor's guest kernel
/// or ramdisk placed in RAM and described in <c>/chosen</c>).
/// </summary>
internal sealed record DeviceOption(ulong? Address, string? File, GuestModuleKind? Module, string? Bootargs, bool ForceRaw = false,
    bool SetsPc = false, ulong? Data = null, int DataLength = 0, bool DataBigEndian = false)
{
    /// <summary>Adds the device to <paramref name="builder"/>.</summary>
    public void AddTo(MachineBuilder builder)
    {
        if (Module is { } kind) builder.WithGuestModule(kind, File!, Address!.Value, Bootargs);
        else if (File != null) builder.WithLoader(File, Address, ForceRaw, SetsPc);
        else if (Data is { } value) builder.WithLoaderData(Address!.Value, value, DataLength, DataBigEndian);
        else builder.WithEntryPoint(Address!.Value);
    }

    /// <summary>Parses the value of one <c>--device</c>.</summary>
    public static DeviceOption Parse(string text)
    {
        var pairs = KeyValueOption.Pairs("--device", text);
        if (pairs[0].Value.Length > 0) throw new UsageException($"--device {text}: must start with the device type (loader or guest-loader)");
        string type = pairs[0].Key;
        string? file = null, kernel = null, initrd = null, bootargs = null;
        ulong? addr = null, data = null;
        bool forceRaw = false, dataBe = false, cpu = false;
        int dataLength = 0;
        foreach (var (key, value) in pairs.Skip(1))
        {
            switch (type, key)
            {
                case (_, "addr"): addr = KeyValueOption.Address("--device", key, value); break;
                case ("loader", "file"): file = NonEmpty(key, value); break;
                case ("loader", "force-raw"): forceRaw = KeyValueOption.OnOff("--device", key, value); break;
                case ("loader", "data"): data = KeyValueOption.Address("--device", key, value); break;
                case ("loader", "data-len"):
                    dataLength = int.TryParse(value, out int n) && n is >= 1 and <= 8 ? n : throw new UsageException($"--device data-len={value}: must be 1 to 8 (bytes)");
                    break;
                case ("loader", "data-be"): dataBe = KeyValueOption.OnOff("--device", key, value); break;
                case ("loader", "cpu-num"):
                    cpu = value == "0" ? true : throw new UsageException($"--device cpu-num={value}: the machine has one CPU, number 0");
                    break;
                case ("guest-loader", "kernel"): kernel = NonEmpty(key, value); break;
                case ("guest-loader", "initrd"): initrd = NonEmpty(key, value); break;
                case ("guest-loader", "bootargs"): bootargs = value; break;
                case ("loader", _): throw new UsageException($"--device loader: unknown parameter '{key}' (file, addr, force-raw, data, data-len, data-be, cpu-num)");
                case ("guest-loader", _): throw new UsageException($"--device guest-loader: unknown parameter '{key}' (addr, kernel, initrd, bootargs)");
                default: throw new UsageException($"--device {type}: unknown device (loader, guest-loader)");
            }
        }
        if (type is not ("loader" or "guest-loader")) throw new UsageException($"--device {type}: unknown device (loader, guest-loader)");
        if (type == "loader")
        {
            // Without addr the file must be an ELF (placed by its program headers): the machine builder says so if not.
            if (file != null)
            {
                if (data != null) throw new UsageException("--device loader: file= and data= are two different loaders");
                return new DeviceOption(addr, file, null, null, forceRaw, cpu);
            }
            ulong a = addr ?? throw new UsageException("--device loader: needs file=PATH, or addr=ADDRESS with data= or cpu-num=");
            if (data != null)
            {
                if (dataLength == 0) throw new UsageException("--device loader: data= needs data-len=N");
                return new DeviceOption(a, null, null, null, Data: data, DataLength: dataLength, DataBigEndian: dataBe);
            }
            if (!cpu) throw new UsageException("--device loader: needs file=PATH, or addr=ADDRESS with data= or cpu-num=");
            return new DeviceOption(a, null, null, null, SetsPc: true);
        }
        ulong at = addr ?? throw new UsageException($"--device {type}: needs addr=ADDRESS");
        if ((kernel == null) == (initrd == null)) throw new UsageException("--device guest-loader: needs exactly one of kernel=PATH and initrd=PATH");
        if (initrd != null && bootargs != null) throw new UsageException("--device guest-loader: bootargs go with kernel=, not initrd=");
        return kernel != null ? new DeviceOption(at, kernel, GuestModuleKind.Kernel, bootargs) : new DeviceOption(at, initrd!, GuestModuleKind.Ramdisk, null);
    }

    private static string NonEmpty(string key, string value) =>
        value.Length > 0 ? value : throw new UsageException($"--device {key}=: needs a path");
}
