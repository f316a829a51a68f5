using System.IO.Compression;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Files given to the machine treated as untrusted (#22): a device or huge file is read only up to the guest RAM it must
/// fit in, a gzip kernel decompresses only that far, and truncated or corrupt gzip data is an error, not half an image.
/// </summary>
[TestClass]
public sealed class HostileFileTests
{
    private static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    [TestMethod]
    public void ADeviceOrAFileLargerThanRamIsRefusedAfterReadingThatMuch()
    {
        const ulong ram = 16UL << 20;
        Assert.AreEqual("kernel '/dev/zero': larger than the guest's 16 MiB of RAM",
            Fails(b => b.WithMemory(ram).WithKernel("/dev/zero")));
        Assert.AreEqual("initrd '/dev/zero': larger than the guest's 16 MiB of RAM",
            Fails(b => b.WithMemory(ram).WithKernel(Pattern(0x100, 1), "raw.bin").WithInitrd("/dev/zero")));
        Assert.AreEqual("dtb '/dev/zero': larger than the guest's 16 MiB of RAM",
            Fails(b => b.WithMemory(ram).WithKernel(Pattern(0x100, 1), "raw.bin").WithDtb("/dev/zero")));
        using var big = new TempFile(new byte[ram + 1]);
        Assert.AreEqual($"loader '{big.Path}': larger than the guest's 16 MiB of RAM",
            Fails(b => b.WithMemory(ram).WithKernel(Pattern(0x100, 1), "raw.bin").WithLoader(big.Path, 0x4000_0000)));
    }

    [TestMethod]
    public void AGzipKernelDecompressesNoFurtherThanRam()
    {
        byte[] bomb = Gzip(new byte[32 << 20]); // 32 MiB of zeros in a few tens of KiB
        Assert.IsLessThan(100_000, bomb.Length);
        Assert.AreEqual("kernel 'bomb.gz': decompresses to more than 16 MiB, the guest RAM it must fit in",
            Fails(b => b.WithMemory(16UL << 20).WithKernel(bomb, "bomb.gz")));
    }

    [TestMethod]
    public void TruncatedOrCorruptGzipKernelsAreErrors()
    {
        byte[] image = LinuxImage(0, 0x4_0000, Pattern(0x4_0000 - 64, 3));
        byte[] gz = Gzip(image);
        using (var ok = new MachineBuilder().WithKernel(gz, "Image.gz").Build())
            CollectionAssert.AreEqual(image[..256], ReadRam(ok, ok.Kernel.LowAddress, 256), "a valid gzip Image loads");
        StringAssert.StartsWith(Fails(b => b.WithKernel(gz[..(gz.Length / 2)], "half.gz")), "kernel 'half.gz': truncated or corrupt gzip data");
        StringAssert.StartsWith(Fails(b => b.WithKernel(gz[..(gz.Length - 4)], "cut.gz")), "kernel 'cut.gz': truncated or corrupt gzip data");
        byte[] badCrc = (byte[])gz.Clone();
        badCrc[^8] ^= 0xFF;
        StringAssert.StartsWith(Fails(b => b.WithKernel(badCrc, "crc.gz")), "kernel 'crc.gz': corrupt gzip data (its deflate data or its CRC-32 is invalid)");
        byte[] badSize = (byte[])gz.Clone();
        badSize[^1] ^= 0x01;
        StringAssert.StartsWith(Fails(b => b.WithKernel(badSize, "size.gz")), "kernel 'size.gz': ");
        StringAssert.Contains(Fails(b => b.WithKernel(badSize, "size.gz")), "gzip data");
        byte[] badDeflate = (byte[])gz.Clone();
        badDeflate[10] = 0xFF; // the first deflate block's header: a reserved block type
        Assert.AreEqual("kernel 'bad.gz': corrupt gzip data (its deflate data or its CRC-32 is invalid)", Fails(b => b.WithKernel(badDeflate, "bad.gz")));
        Assert.AreEqual("kernel 'tiny.gz': truncated gzip data (10 bytes)", Fails(b => b.WithKernel(gz[..10], "tiny.gz")));
    }

    [TestMethod]
    public void AnElfClaimingABillionSectionsLoadsWithoutSymbolsOrAllocatingThem()
    {
        // Found by AFL (fuzz/README.md): e_shoff pointing at the program headers, e_shnum 0, so the extended count is
        // "section 0's" sh_size, a segment's p_paddr (0x40080000): ELFSharp allocated until the host ran out of memory.
        byte[] elf = Elf(0x4008_0010, [new(0x4008_0000, 0x4008_0000, Pattern(0x100, 1), 0x100)]);
        elf[0x28] = 0x38;
        long before = GC.GetAllocatedBytesForCurrentThread();
        using (var m = new MachineBuilder().WithMemory(16UL << 20).WithKernel(elf, "sections.elf").Build())
            Assert.IsEmpty(m.Symbols, "a section table that does not fit in the file gives no symbols");
        Assert.IsLessThan(16L << 20, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
