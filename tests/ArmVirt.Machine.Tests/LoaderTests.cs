using System.IO.Compression;
using ArmVirt.Cpu;
using ArmVirt.Machine.DeviceTree;
using ArmVirt.Machine.Loaders;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class LoaderTests
{
    private const ulong Ram = 0x4000_0000;

    [TestMethod]
    public void ElfSegmentsLoadAtTheirPhysicalAddressesWithBssZeroed()
    {
        var text = Pattern(0x100, 1);
        var data = Pattern(0x40, 9);
        var elf = Elf(0x4008_0010,
        [
            new(0x4008_0000, 0x4008_0000, text, 0x100),
            new(0x4009_0000, 0x4009_0000, data, 0x1000, Flags: 6), // 0x40 bytes of data then BSS
        ]);
        using var m = new MachineBuilder().WithKernel(elf, "test.elf").Build();
        Assert.AreEqual(KernelFormat.Elf, m.Kernel.Format);
        CollectionAssert.AreEqual(text, ReadRam(m, 0x4008_0000, 0x100));
        CollectionAssert.AreEqual(data, ReadRam(m, 0x4009_0000, 0x40));
        Assert.IsTrue(ReadRam(m, 0x4009_0040, 0x1000 - 0x40).All(b => b == 0));
        Assert.AreEqual(0x4008_0010UL, m.Cpu.State.PC);
        Assert.AreEqual(0x4008_0000UL, m.Kernel.LowAddress);
        Assert.AreEqual(0x4009_1000UL, m.Kernel.HighAddress);
        // QEMU: the DTB goes at the base of RAM when the ELF leaves room below itself; X0 stays 0 for non-Linux images.
        Assert.AreEqual(Ram, m.DtbAddress);
        CollectionAssert.AreEqual(m.Dtb, ReadRam(m, Ram, m.Dtb.Length));
        Assert.AreEqual(0UL, m.Cpu.X(0));
    }

    [TestMethod]
    public void BssIsZeroedEvenOverOldRamContents()
    {
        var elf = Elf(0x4008_0000, [new(0x4008_0000, 0x4008_0000, [1, 2, 3, 4], 0x2000)]);
        using var m = new MachineBuilder().WithKernel(elf, "bss.elf").Build();
        m.Bus.FindRam(0x4008_1000)!.AsSpan(0x4008_1000, 16).Fill(0xAA);
        m.Cpu.RequestStop(StopReason.Reset);
        // A guest reset reloads the images, so the BSS is zero again.
        var exit = m.Run(1);
        Assert.AreEqual(1, m.ResetCount);
        Assert.IsTrue(ReadRam(m, 0x4008_1000, 16).All(b => b == 0));
        Assert.AreEqual(StopReason.InstructionLimit, exit.Reason);
    }

    [TestMethod]
    public void ElfEntryMovesWithAnExecutableSegmentWhosePhysicalAddressDiffers()
    {
        // Linked high (virtual 0xffff0000_00080000) but loaded at 0x40080000, as QEMU's load_elf translates it.
        var elf = Elf(0xFFFF_0000_0008_0040, [new(0xFFFF_0000_0008_0000, 0x4008_0000, Pattern(0x80, 3), 0x80)]);
        using var m = new MachineBuilder().WithKernel(elf, "high.elf").Build();
        Assert.AreEqual(0x4008_0040UL, m.Cpu.State.PC);
    }

    [TestMethod]
    public void ElfAtTheBaseOfRamLeavesNoRoomForTheDtb()
    {
        var elf = Elf(Ram, [new(Ram, Ram, Pattern(0x40, 5), 0x40)]);
        using var m = new MachineBuilder().WithKernel(elf, "base.elf").Build();
        Assert.IsNull(m.DtbAddress);
        CollectionAssert.AreEqual(Pattern(0x40, 5), ReadRam(m, Ram, 0x40));
    }

    [TestMethod]
    public void LinuxImageLoadsByItsHeaderWithX0PointingAtTheDtb()
    {
        var body = Pattern(0x1000, 2);
        var image = LinuxImage(textOffset: 0x80000, imageSize: 0x20000, body);
        using var m = new MachineBuilder().WithKernel(image, "Image").Build();
        Assert.AreEqual(KernelFormat.LinuxImage, m.Kernel.Format);
        Assert.AreEqual(0x4008_0000UL, m.Cpu.State.PC);
        CollectionAssert.AreEqual(image, ReadRam(m, 0x4008_0000, image.Length));
        // 128 MiB of RAM: initrd slot at RAM + 64 MiB; DTB after it, 2 MiB aligned.
        Assert.AreEqual(0x4400_0000UL, m.DtbAddress);
        Assert.AreEqual(m.DtbAddress, m.Cpu.X(0));
        Assert.AreEqual(0UL, m.Cpu.X(1) | m.Cpu.X(2) | m.Cpu.X(3));
        CollectionAssert.AreEqual(m.Dtb, ReadRam(m, 0x4400_0000, m.Dtb.Length));
    }

    [TestMethod]
    public void ImageWithZeroTextOffsetIsMovedPastTheFirst2MiB()
    {
        var image = LinuxImage(textOffset: 0, imageSize: 0x10000, Pattern(0x100, 4));
        using var m = new MachineBuilder().WithKernel(image, "Image").Build();
        Assert.AreEqual(0x4020_0000UL, m.Cpu.State.PC);
    }

    [TestMethod]
    public void ImageWithoutImageSizeUsesTheDefaultOffset()
    {
        var image = LinuxImage(textOffset: 0x12345, imageSize: 0, Pattern(0x100, 4));
        using var m = new MachineBuilder().WithKernel(image, "old-Image").Build();
        Assert.AreEqual(0x4008_0000UL, m.Cpu.State.PC);
    }

    [TestMethod]
    public void GzippedImageIsDecompressed()
    {
        var image = LinuxImage(textOffset: 0x80000, imageSize: 0x10000, Pattern(0x800, 6));
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(image);
        using var m = new MachineBuilder().WithKernel(gz.ToArray(), "Image.gz").Build();
        Assert.AreEqual(KernelFormat.LinuxImage, m.Kernel.Format);
        CollectionAssert.AreEqual(image, ReadRam(m, 0x4008_0000, image.Length));
    }

    [TestMethod]
    public void RawBinaryGoesToRamBasePlus0x80000()
    {
        var raw = Pattern(0x300, 8);
        using var m = new MachineBuilder().WithMemory(512UL << 20).WithKernel(raw, "raw.bin").Build();
        Assert.AreEqual(KernelFormat.Raw, m.Kernel.Format);
        Assert.AreEqual(0x4008_0000UL, m.Cpu.State.PC);
        CollectionAssert.AreEqual(raw, ReadRam(m, 0x4008_0000, raw.Length));
        // 512 MiB: initrd slot at RAM + 128 MiB.
        Assert.AreEqual(0x4800_0000UL, m.Cpu.X(0));
    }

    [TestMethod]
    public void InitrdIsPlacedAsQemuDoesAndDescribedInChosen()
    {
        var initrd = Pattern(0x3_0000, 11);
        using var file = new TempFile(initrd);
        using var m = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").WithInitrd(file.Path)
            .WithAppend("root=/dev/ram").Build();
        Assert.AreEqual((0x4400_0000UL, 0x4403_0000UL), m.Initrd);
        CollectionAssert.AreEqual(initrd, ReadRam(m, 0x4400_0000, initrd.Length));
        Assert.AreEqual(0x4420_0000UL, m.DtbAddress); // after the initrd, 2 MiB aligned
        var chosen = FdtReader.Read(m.Dtb).Find("/chosen")!;
        Assert.AreEqual(0x4400_0000UL, chosen.Property("linux,initrd-start")!.AsNumber());
        Assert.AreEqual(0x4403_0000UL, chosen.Property("linux,initrd-end")!.AsNumber());
        Assert.AreEqual("root=/dev/ram", chosen.Property("bootargs")!.AsString());
    }

    [TestMethod]
    public void InitrdFollowsAKernelThatReachesPastTheDefaultSlot()
    {
        // image_size of 100 MiB at RAM + 2 MiB ends past RAM + 64 MiB.
        var image = LinuxImage(textOffset: 0, imageSize: 100UL << 20, Pattern(0x100, 1));
        using var file = new TempFile(Pattern(0x1000, 2));
        using var m = new MachineBuilder().WithKernel(image, "big-Image").WithInitrd(file.Path).Build();
        Assert.AreEqual(0x4020_0000UL + (100UL << 20), m.Initrd!.Value.Start);
    }

    [TestMethod]
    public void BootStateIsTheHighestElWithSpElxAndInterruptsMasked()
    {
        foreach (int el in new[] { 1, 2, 3 })
        {
            using var m = new MachineBuilder().WithHighestEl(el).WithKernel(Pattern(0x10, 1), "raw.bin").Build();
            Assert.AreEqual(el, m.Cpu.State.EL);
            Assert.AreEqual(1, m.Cpu.State.SpSel);
            Assert.AreEqual(0x3C0u, m.Cpu.State.Daif);
            Assert.AreEqual(0UL, m.Cpu.Sys.Sctlr[el] & 1, "MMU off");
            var psci = FdtReader.Read(m.Dtb).Find("/psci")!;
            Assert.AreEqual(el == 1 ? "hvc" : "smc", psci.Property("method")!.AsString());
        }
    }

    [TestMethod]
    public void UserDtbGetsTheMachinesMemoryAndChosen()
    {
        var user = new DeviceTreeNode("");
        user.SetCells("#address-cells", 2).SetCells("#size-cells", 2).SetStrings("compatible", "my,board");
        user.AddNode("memory@80000000").SetStrings("device_type", "memory").SetU64("reg", 0x8000_0000, 0x1000);
        using var file = new TempFile(FdtWriter.Write(user));
        using var m = new MachineBuilder().WithMemory(256UL << 20).WithDtb(file.Path).WithAppend("quiet")
            .WithKernel(Pattern(0x10, 1), "raw.bin").Build();
        var tree = FdtReader.Read(m.Dtb);
        Assert.AreEqual("my,board", tree.Property("compatible")!.AsString());
        CollectionAssert.AreEqual(new uint[] { 0, 0x4000_0000, 0, 0x1000_0000 }, tree.Find("/memory@80000000")!.Property("reg")!.AsCells());
        Assert.AreEqual("quiet", tree.Find("/chosen")!.Property("bootargs")!.AsString());
    }

    [TestMethod]
    public void RunStopsAtTheInstructionBudget()
    {
        using var m = new MachineBuilder().WithKernel(Pattern(0x100, 1), "raw.bin").Build();
        var exit = m.Run(1000);
        Assert.AreEqual(StopReason.InstructionLimit, exit.Reason);
        Assert.AreEqual(1000UL, m.InstructionsExecuted);
        exit = m.Run(500);
        Assert.AreEqual(StopReason.InstructionLimit, exit.Reason);
        Assert.AreEqual(1500UL, m.InstructionsExecuted);
    }
}
