using ArmVirt.Cli;
using ArmVirt.Machine.Loaders;

namespace ArmVirt.Cli.Tests;

/// <summary>--device loader and --device guest-loader (QEMU's generic and guest loaders).</summary>
[TestClass]
public sealed class DeviceCliTests
{
    private static CliRun Run(params string[] args) => CliRun.Of(null, args);

    private static string TempFile(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-cli-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestMethod]
    public void ParsesLoaderAndGuestLoaderSpecs()
    {
        Assert.AreEqual(new DeviceOption(0x4900_0000, "xen.img", null, null), DeviceOption.Parse("loader,file=xen.img,addr=0x49000000"));
        Assert.AreEqual(new DeviceOption(1234, "a.bin", null, null, ForceRaw: true), DeviceOption.Parse("loader,addr=1234,file=a.bin,force-raw=on"));
        Assert.AreEqual(new DeviceOption(null, "fw.elf", null, null), DeviceOption.Parse("loader,file=fw.elf"));
        Assert.AreEqual(new DeviceOption(null, "fw.elf", null, null, SetsPc: true), DeviceOption.Parse("loader,file=fw.elf,cpu-num=0"));
        Assert.AreEqual(new DeviceOption(0x4000_0000, null, null, null, Data: 0xdead, DataLength: 2, DataBigEndian: true),
            DeviceOption.Parse("loader,addr=0x40000000,data=0xdead,data-len=2,data-be=on"));
        Assert.AreEqual(new DeviceOption(0x4000_1000, null, null, null, SetsPc: true), DeviceOption.Parse("loader,addr=0x40001000,cpu-num=0"));
        Assert.AreEqual(new DeviceOption(0x4900_0000, "Image", GuestModuleKind.Kernel, "console=hvc0,115200 quiet"),
            DeviceOption.Parse("guest-loader,addr=0x49000000,kernel=Image,bootargs=console=hvc0,,115200 quiet"));
        Assert.AreEqual(new DeviceOption(0x4D00_0000, "rootfs.cpio", GuestModuleKind.Ramdisk, null),
            DeviceOption.Parse("guest-loader,initrd=rootfs.cpio,addr=0x4d000000"));
        var options = OptionParser.Parse(["--device", "loader,file=a,addr=0x40000000", "--device=guest-loader,addr=0x41000000,initrd=b"]);
        Assert.AreEqual(2, options.Devices.Count);
        Assert.AreEqual(GuestModuleKind.Ramdisk, options.Devices[1].Module);
    }

    [TestMethod]
    [DataRow("virtio-blk,file=a", "armvirt: --device virtio-blk: unknown device (loader, guest-loader)")]
    [DataRow("file=a,addr=0", "armvirt: --device file=a,addr=0: must start with the device type (loader or guest-loader)")]
    [DataRow("guest-loader,kernel=a", "armvirt: --device guest-loader: needs addr=ADDRESS")]
    [DataRow("loader,addr=0x40000000", "armvirt: --device loader: needs file=PATH, or addr=ADDRESS with data= or cpu-num=")]
    [DataRow("loader,data=1,data-len=1", "armvirt: --device loader: needs file=PATH, or addr=ADDRESS with data= or cpu-num=")]
    [DataRow("loader,addr=1,data=1", "armvirt: --device loader: data= needs data-len=N")]
    [DataRow("loader,addr=1,data=1,data-len=9", "armvirt: --device data-len=9: must be 1 to 8 (bytes)")]
    [DataRow("loader,addr=1,file=a,data=1,data-len=1", "armvirt: --device loader: file= and data= are two different loaders")]
    [DataRow("loader,addr=1,cpu-num=1", "armvirt: --device cpu-num=1: the machine has one CPU, number 0")]
    [DataRow("loader,file=a,addr=0xZZ", "armvirt: --device addr=0xZZ: not an address (0x hexadecimal or decimal)")]
    [DataRow("loader,file=a,addr=1,id=x", "armvirt: --device loader: unknown parameter 'id' (file, addr, force-raw, data, data-len, data-be, cpu-num)")]
    [DataRow("guest-loader,addr=0x40000000", "armvirt: --device guest-loader: needs exactly one of kernel=PATH and initrd=PATH")]
    [DataRow("guest-loader,addr=1,kernel=a,initrd=b", "armvirt: --device guest-loader: needs exactly one of kernel=PATH and initrd=PATH")]
    [DataRow("guest-loader,addr=1,initrd=b,bootargs=quiet", "armvirt: --device guest-loader: bootargs go with kernel=, not initrd=")]
    [DataRow("guest-loader,addr=1,file=b", "armvirt: --device guest-loader: unknown parameter 'file' (addr, kernel, initrd, bootargs)")]
    [DataRow("guest-loader,addr=1,kernel=", "armvirt: --device kernel=: needs a path")]
    public void BadDeviceSpecsAreOneLineAndExitCode2(string value, string message)
    {
        var r = Run("--device", value);
        Assert.AreEqual(2, r.Code, r.Stderr);
        Assert.AreEqual(message, r.ErrorLines.Single());
    }

    [TestMethod]
    public void AFileWithoutAnAddressMustBeAnElf()
    {
        string blob = TempFile(new byte[16]);
        string kernel = TempFile(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        try
        {
            var r = Run("--kernel", kernel, "--device", $"loader,file={blob}");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual($"armvirt: loader '{blob}': not an ELF file (or force-raw), so it needs an address", r.ErrorLines.Single());
        }
        finally
        {
            File.Delete(blob);
            File.Delete(kernel);
        }
    }

    [TestMethod]
    public void PlacementMistakesAreConfigurationErrors()
    {
        string kernel = TempFile(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        string blob = TempFile(new byte[0x2000]);
        try
        {
            var r = Run("--kernel", kernel, "--device", $"guest-loader,addr=0x80000000,kernel={blob}");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual($"armvirt: guest-loader kernel '{blob}': 8192 bytes at 0x80000000 do not fit in RAM (0x40000000-0x48000000)", r.ErrorLines.Single());
            r = Run("--kernel", kernel, "--device", "loader,file=/no/such/blob,addr=0x41000000");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual("armvirt: loader '/no/such/blob': file not found", r.ErrorLines.Single());
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(blob);
        }
    }
}
