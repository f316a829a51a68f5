using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class MachineBuilderTests
{
    [TestMethod]
    public void MissingFilesNameTheFile()
    {
        StringAssert.StartsWith(Fails(b => b.WithKernel("/nonexistent/vmlinux")), "kernel '/nonexistent/vmlinux': file not found");
        StringAssert.StartsWith(Fails(b => b.WithKernel(Pattern(16, 1), "raw").WithInitrd("/nope/initrd")), "initrd '/nope/initrd': file not found");
        StringAssert.StartsWith(Fails(b => b.WithKernel(Pattern(16, 1), "raw").WithDtb("/nope/x.dtb")), "dtb '/nope/x.dtb': file not found");
        string dir = Path.GetTempPath();
        Assert.AreEqual($"kernel '{dir}': is a directory, not a file", Fails(b => b.WithKernel(dir)));
    }

    [TestMethod]
    public void BadMemorySizesAreRejected()
    {
        StringAssert.Contains(Fails(b => b.WithMemory(0).WithKernel(Pattern(16, 1), "raw")), "non-zero multiple of 4 KiB");
        StringAssert.Contains(Fails(b => b.WithMemory(4097).WithKernel(Pattern(16, 1), "raw")), "non-zero multiple of 4 KiB");
        StringAssert.Contains(Fails(b => b.WithMemory(256UL << 30).WithKernel(Pattern(16, 1), "raw")), "at most 255 GiB");
    }

    [TestMethod]
    public void UnknownCpuAndBadElAreRejected()
    {
        StringAssert.StartsWith(Fails(b => b.WithCpu("cortex-x9").WithKernel(Pattern(16, 1), "raw")), "cpu 'cortex-x9': unknown model (known: cortex-a57, cortex-a53, max, cortex-a15, cortex-a7)");
        StringAssert.StartsWith(Fails(b => b.WithHighestEl(4).WithKernel(Pattern(16, 1), "raw")), "highest EL 4: must be 1, 2 or 3");
        StringAssert.StartsWith(Fails(b => b), "kernel: none given");
    }

    [TestMethod]
    public void MalformedElfFilesAreRejected()
    {
        var seg = new Segment[] { new(0x4008_0000, 0x4008_0000, Pattern(16, 1), 16) };
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x4008_0000, seg, machine: 62), "x86.elf")), "not AArch64");
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x4008_0000, seg, elfClass: 1), "32.elf")), "not a 64-bit ELF");
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x4008_0000, seg, data: 2), "be.elf")), "not a little-endian ELF");
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x4008_0000, seg)[..40], "short.elf")), "truncated ELF header");
        var full = Elf(0x4008_0000, seg);
        StringAssert.Contains(Fails(b => b.WithKernel(full[..(full.Length - 8)], "cut.elf")), "runs past the end of the file");
        var noLoad = new Segment[] { new(0x4008_0000, 0x4008_0000, Pattern(16, 1), 16, Type: 4) };
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x4008_0000, noLoad), "note.elf")), "no loadable (PT_LOAD) segments");
    }

    [TestMethod]
    public void ImagesThatDoNotFitInRamAreRejected()
    {
        var outside = new Segment[] { new(0x1000, 0x1000, Pattern(16, 1), 16) };
        StringAssert.Contains(Fails(b => b.WithKernel(Elf(0x1000, outside), "low.elf")), "segment 0 at 0x1000-0x1010 is not inside RAM (0x40000000-0x48000000)");
        StringAssert.Contains(Fails(b => b.WithMemory(1UL << 20).WithKernel(Pattern(0x10_0000, 1), "big.bin")), "do not fit in RAM");
        using var initrd = new TempFile(Pattern(0x10_1000, 1));
        StringAssert.Contains(Fails(b => b.WithMemory(2UL << 20).WithKernel(Pattern(16, 1), "raw").WithInitrd(initrd.Path)), "do not fit in RAM");
        var elf = Elf(0x4008_0000, [new(0x4008_0000, 0x4008_0000, Pattern(16, 1), 16)]);
        StringAssert.Contains(Fails(b => b.WithKernel(elf, "k.elf").WithInitrd(initrd.Path)), "an ELF kernel takes no initrd");
    }

    [TestMethod]
    public void MalformedDtbIsRejected()
    {
        using var dtb = new TempFile(Pattern(64, 3));
        StringAssert.Contains(Fails(b => b.WithKernel(Pattern(16, 1), "raw").WithDtb(dtb.Path)), "not a flattened device tree");
    }

    [TestMethod]
    public void SerialOutputReachesTheStream()
    {
        var output = new MemoryStream();
        using var m = new MachineBuilder().WithKernel(Pattern(16, 1), "raw").WithSerial(output, new MemoryStream("hi"u8.ToArray())).Build();
        Assert.AreEqual(0x0900_0000UL, m.Bus.FindMmio(0x0900_0000)!.Base);
        // Drive the UART from the bus as a guest would: enable, transmit, and receive the queued input.
        Assert.IsTrue(m.Bus.TryWrite(0x0900_0030, 4, 0x301));
        Assert.IsTrue(m.Bus.TryWrite(0x0900_0000, 1, 'Z'));
        Assert.IsTrue(m.Bus.TryRead(0x0900_0000, 4, out ulong c));
        Assert.AreEqual((ulong)'h', c);
        m.Dispose();
        CollectionAssert.AreEqual("Z"u8.ToArray(), output.ToArray());
    }
}
