using ArmVirt.Cpu;
using ArmVirt.Machine.DeviceTree;
using ArmVirt.Machine.Loaders;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// <see cref="MachineBuilder.WithLoader"/> and <see cref="MachineBuilder.WithGuestModule"/>: QEMU's
/// <c>-device loader,file=F,addr=A</c> and <c>-device guest-loader</c> (files in RAM, guest modules in /chosen).
/// </summary>
[TestClass]
public sealed class GuestLoaderTests
{
    [TestMethod]
    public void GuestModulesAreLoadedAndDescribedInChosenAsQemuDoes()
    {
        var kernel = Pattern(0x1234, 3);
        var ramdisk = Pattern(0x800, 5);
        using var k = new TempFile(kernel);
        using var r = new TempFile(ramdisk);
        using var m = new MachineBuilder().WithMemory(512UL << 20).WithHighestEl(2)
            .WithKernel(LinuxImage(0x20_0000, 0x1000, Pattern(0x100, 1)), "xen")
            .WithGuestModule(GuestModuleKind.Kernel, k.Path, 0x4900_0000, "console=hvc0 earlycon=xen")
            .WithGuestModule(GuestModuleKind.Ramdisk, r.Path, 0x4D00_0000)
            .Build();
        CollectionAssert.AreEqual(kernel, ReadRam(m, 0x4900_0000, kernel.Length));
        CollectionAssert.AreEqual(ramdisk, ReadRam(m, 0x4D00_0000, ramdisk.Length));
        var chosen = FdtReader.Read(m.Dtb).Find("/chosen")!;
        var km = chosen.Child("module@49000000")!;
        CollectionAssert.AreEqual(new uint[] { 0, 0x4900_0000, 0, 0x1234 }, km.Property("reg")!.AsCells());
        CollectionAssert.AreEqual(new[] { "multiboot,module", "multiboot,kernel" }, km.Property("compatible")!.AsStrings());
        Assert.AreEqual("console=hvc0 earlycon=xen", km.Property("bootargs")!.AsString());
        var rm = chosen.Child("module@4d000000")!;
        CollectionAssert.AreEqual(new uint[] { 0, 0x4D00_0000, 0, 0x800 }, rm.Property("reg")!.AsCells());
        CollectionAssert.AreEqual(new[] { "multiboot,module", "multiboot,ramdisk" }, rm.Property("compatible")!.AsStrings());
        Assert.IsNull(rm.Property("bootargs"));

        // A guest reset loads them again.
        m.Bus.FindRam(0x4900_0000)!.AsSpan(0x4900_0000, 16).Clear();
        m.Cpu.RequestStop(StopReason.Reset);
        m.Run(1);
        Assert.AreEqual(1, m.ResetCount);
        CollectionAssert.AreEqual(kernel, ReadRam(m, 0x4900_0000, kernel.Length));
    }

    [TestMethod]
    public void ALoaderFileIsPlacedWithoutADeviceTreeNode()
    {
        var blob = Pattern(0x300, 7);
        using var f = new TempFile(blob);
        using var m = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(f.Path, 0x4600_0010).Build();
        CollectionAssert.AreEqual(blob, ReadRam(m, 0x4600_0010, blob.Length));
        Assert.IsFalse(FdtReader.Read(m.Dtb).Find("/chosen")!.Children.Any(c => c.Name.StartsWith("module@", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AnElfFileIsPlacedByItsProgramHeadersUnlessForcedRaw()
    {
        // QEMU's generic loader: an ELF goes where its PT_LOAD segments say (BSS zeroed), the address ignored; with
        // force-raw its bytes go at the address like any other file.
        var text = Pattern(0x80, 4);
        var elf = Elf(0x4500_0000, [new(0x4500_0000, 0x4500_0000, text, 0x100)]);
        using var f = new TempFile(elf);
        using var m = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(f.Path, null).Build();
        m.Bus.FindRam(0x4500_0080)!.AsSpan(0x4500_0080, 0x80).Fill(0xAA);
        m.Cpu.RequestStop(StopReason.Reset);
        m.Run(1);
        CollectionAssert.AreEqual(text, ReadRam(m, 0x4500_0000, 0x80));
        Assert.IsTrue(ReadRam(m, 0x4500_0080, 0x80).All(b => b == 0), "BSS zeroed again at the reset");
        using var raw = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(f.Path, 0x4600_0000, forceRaw: true).Build();
        CollectionAssert.AreEqual(elf, ReadRam(raw, 0x4600_0000, elf.Length));
        Assert.AreEqual($"loader '{f.Path}': segment 0 at 0x1000-0x1100 is not inside RAM (0x40000000-0x48000000)",
            Fails(b => b.WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(WriteTemp(Elf(0x1000, [new(0x1000, 0x1000, text, 0x100)]), f.Path), null)));
    }

    // Overwrites the temporary file at path with bytes and returns the path.
    private static string WriteTemp(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestMethod]
    public void DataWritesAndTheStartAddressAreQemusLoaderOptions()
    {
        // loader,addr=A,data=V,data-len=N[,data-be=on]; loader,addr=A,cpu-num=0; loader,file=F,cpu-num=0.
        var elf = Elf(0x4500_0040, [new(0x4500_0000, 0x4500_0000, Pattern(0x80, 4), 0x80)]);
        using var f = new TempFile(elf);
        using var m = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin")
            .WithLoaderData(0x4600_0000, 0x1122_3344_5566_7788, 4)
            .WithLoaderData(0x4600_0010, 0x1122_3344, 4, bigEndian: true)
            .WithEntryPoint(0x4700_0000)
            .WithLoader(f.Path, null, setsPc: true)
            .Build();
        CollectionAssert.AreEqual(new byte[] { 0x88, 0x77, 0x66, 0x55 }, ReadRam(m, 0x4600_0000, 4));
        CollectionAssert.AreEqual(new byte[] { 0x11, 0x22, 0x33, 0x44 }, ReadRam(m, 0x4600_0010, 4));
        Assert.AreEqual(0x4500_0040UL, m.Cpu.State.PC, "the ELF's entry: the last PC given wins");
        m.Bus.FindRam(0x4600_0000)!.AsSpan(0x4600_0000, 4).Clear();
        m.Cpu.RequestStop(StopReason.Reset);
        m.Run(1);
        CollectionAssert.AreEqual(new byte[] { 0x88, 0x77, 0x66, 0x55 }, ReadRam(m, 0x4600_0000, 4), "written again at the reset");
        using var raw = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(f.Path, 0x4600_0000, forceRaw: true, setsPc: true)
            .WithEntryPoint(0x4700_0000).Build();
        Assert.AreEqual(0x4700_0000UL, raw.Cpu.State.PC);
        using var rawPc = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithEntryPoint(0x4700_0000)
            .WithLoader(f.Path, 0x4600_0000, forceRaw: true, setsPc: true).Build();
        Assert.AreEqual(0x4600_0000UL, rawPc.Cpu.State.PC);
        Assert.AreEqual("loader 'data=0x1': 1 bytes at 0x1000 do not fit in RAM (0x40000000-0x48000000)",
            Fails(b => b.WithKernel(Pattern(0x100, 1), "raw.bin").WithLoaderData(0x1000, 1, 1)));
    }

    [TestMethod]
    public void AUserDtbGetsTheModulesInItsOwnCells()
    {
        var user = new DeviceTreeNode("");
        user.SetCells("#address-cells", 1).SetCells("#size-cells", 1).SetStrings("compatible", "my,board");
        using var dtb = new TempFile(FdtWriter.Write(user));
        using var k = new TempFile(Pattern(0x40, 3));
        using var m = new MachineBuilder().WithDtb(dtb.Path).WithKernel(Pattern(0x100, 1), "raw.bin")
            .WithGuestModule(GuestModuleKind.Kernel, k.Path, 0x4600_0000).Build();
        var km = FdtReader.Read(m.Dtb).Find("/chosen/module@46000000")!;
        CollectionAssert.AreEqual(new uint[] { 0x4600_0000, 0x40 }, km.Property("reg")!.AsCells());
        Assert.IsNull(km.Property("bootargs"));
    }

    [TestMethod]
    public void FilesOutsideRamOrOverlappingAnotherImageAreRejected()
    {
        using var f = new TempFile(Pattern(0x2000, 7));
        byte[] kernel = Pattern(0x100, 1);
        Assert.AreEqual($"loader '{f.Path}': 8192 bytes at 0x1000 do not fit in RAM (0x40000000-0x48000000)",
            Fails(b => b.WithKernel(kernel, "raw.bin").WithLoader(f.Path, 0x1000)));
        StringAssert.Contains(Fails(b => b.WithKernel(kernel, "raw.bin").WithLoader(f.Path, 0x47FF_F000)), "do not fit in RAM");
        // A raw kernel loads at RAM base + 0x80000, as QEMU loads it.
        Assert.AreEqual($"guest-loader kernel '{f.Path}': 0x4007f000-0x40081000 overlaps kernel 'raw.bin' at 0x40080000-0x40080100",
            Fails(b => b.WithKernel(kernel, "raw.bin").WithGuestModule(GuestModuleKind.Kernel, f.Path, 0x4007_F000)));
        // A raw kernel's DTB goes at RAM base + 128 MiB or half the RAM (0x44000000 here).
        StringAssert.Contains(Fails(b => b.WithKernel(kernel, "raw.bin").WithLoader(f.Path, 0x43FF_F000)), "overlaps the device tree at 0x44000000");
        Assert.AreEqual($"guest-loader initrd '{f.Path}': 0x41001000-0x41003000 overlaps loader '{f.Path}' at 0x41000000-0x41002000",
            Fails(b => b.WithKernel(kernel, "raw.bin").WithLoader(f.Path, 0x4100_0000).WithGuestModule(GuestModuleKind.Ramdisk, f.Path, 0x4100_1000)));
        StringAssert.StartsWith(Fails(b => b.WithKernel(kernel, "raw.bin").WithLoader("/nope/blob", 0x4100_0000)), "loader '/nope/blob': file not found");
        Assert.ThrowsExactly<ArgumentException>(() => new MachineBuilder().WithGuestModule(GuestModuleKind.Ramdisk, f.Path, 0x4100_0000, "quiet"));
    }
}
