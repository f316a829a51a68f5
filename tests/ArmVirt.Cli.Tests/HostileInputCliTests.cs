using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace ArmVirt.Cli.Tests;

/// <summary>
/// The eight failures of issue #22 through the command line, each input made by the test: one line
/// <c>armvirt: &lt;what&gt;: &lt;why&gt;</c> and exit 2 (README "Exit codes"), with the managed memory the run allocates
/// bounded by the guest RAM the input had to fit in (RAM itself is native memory, allocated once).
/// </summary>
[TestClass]
public sealed partial class HostileInputCliTests
{
    private const long MiB = 1 << 20;

    private sealed class TempFile : IDisposable
    {
        public TempFile(byte[] contents)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"armvirt-hostile-{Guid.NewGuid():N}");
            File.WriteAllBytes(Path, contents);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }

    // Runs the CLI on this thread and returns the run with the managed bytes it allocated.
    private static (CliRun Run, long Allocated) Run(params string[] args)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var run = CliRun.Of(null, args);
        return (run, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // One error line naming what and why, exit 2, and no more managed memory than the RAM it had to fit in.
    private static string AssertRefused((CliRun Run, long Allocated) r, long ramBytes)
    {
        Assert.AreEqual(2, r.Run.Code, r.Run.Stderr);
        Assert.HasCount(1, r.Run.ErrorLines, r.Run.Stderr);
        StringAssert.StartsWith(r.Run.ErrorLines[0], "armvirt: ");
        Assert.IsLessThan(ramBytes, r.Allocated, $"managed bytes allocated for: {r.Run.Stderr}");
        return r.Run.ErrorLines[0];
    }

    // movz w0, #0x8400, lsl #16; add w0, w0, #8; hvc #0 (PSCI SYSTEM_OFF); b .
    private static readonly byte[] SystemOff = [0x00, 0x80, 0xb0, 0x52, 0x00, 0x20, 0x00, 0x11, 0x02, 0x00, 0x00, 0xd4, 0x00, 0x00, 0x00, 0x14];

    // An ELF64 AArch64 executable with one PT_LOAD segment: code at paddr, p_memsz = code + bss.
    private static byte[] Elf(ulong paddr, byte[] code, ulong bss)
    {
        var e = new byte[64 + 56 + code.Length];
        "\u007fELF"u8.CopyTo(e);
        e[4] = 2; e[5] = 1; e[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(16), 2);     // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(18), 183);   // EM_AARCH64
        BinaryPrimitives.WriteUInt32LittleEndian(e.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(24), paddr); // e_entry
        BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(32), 64);    // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(52), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(54), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(56), 1);
        var ph = e.AsSpan(64);
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);               // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[8..], 120);        // p_offset
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], paddr);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], paddr);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)code.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)code.Length + bss);
        code.CopyTo(e, 120);
        return e;
    }

    // A device tree blob with this structure block (big-endian words) and strings block.
    private static byte[] Dtb(IReadOnlyList<uint> structure, byte[] strings)
    {
        const int header = 40, reserve = 16;
        var b = new byte[header + reserve + 4 * structure.Count + strings.Length];
        void Put(int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        Put(0, 0xd00dfeed);
        Put(4, (uint)b.Length);
        Put(8, header + reserve);
        Put(12, (uint)(header + reserve + 4 * structure.Count));
        Put(16, header);
        Put(20, 17);
        Put(24, 16);
        Put(32, (uint)strings.Length);
        Put(36, (uint)(4 * structure.Count));
        for (int i = 0; i < structure.Count; i++) Put(header + reserve + 4 * i, structure[i]);
        strings.CopyTo(b, header + reserve + 4 * structure.Count);
        return b;
    }

    private static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    [TestMethod]
    public void Case1AnElfWithABssOfTwoAndAHalfGiBLoadsAsInQemu()
    {
        // The loader zeroes the BSS in guest RAM instead of allocating it (was ArgumentOutOfRangeException 'pa').
        using var elf = new TempFile(Elf(0x4008_0000, SystemOff, 0xA000_0000));
        var r = Run("--memory", "4G", "--kernel", elf.Path, "--max-insns", "1000");
        Assert.AreEqual(0, r.Run.Code, r.Run.Stderr);
        Assert.IsLessThan(64 * MiB, r.Allocated, "the BSS is not a managed allocation");
        // The same BSS one byte past the end of RAM is refused before anything is written.
        using var tooBig = new TempFile(Elf(0x4008_0000, SystemOff, (4UL << 30) - 0x8_0000 - (ulong)SystemOff.Length + 1));
        StringAssert.Contains(AssertRefused(Run("--memory", "4G", "--kernel", tooBig.Path), 64 * MiB), $"armvirt: kernel '{tooBig.Path}': ");
    }

    [TestMethod]
    public void Case2ADtbPropertyLengthOrNameOffsetOfTwoToTheThirtyFirstIsAFormatError()
    {
        using var kernel = new TempFile(SystemOff);
        foreach (var (len, nameOff) in new[] { (0x8000_0000u, 0u), (4u, 0x8000_0000u), (0xFFFF_FFFFu, 0u) })
        {
            using var dtb = new TempFile(Dtb([1, 0, 3, len, nameOff, 0, 2, 9], "a\0"u8.ToArray()));
            Assert.AreEqual($"armvirt: dtb '{dtb.Path}': property runs past the structure or strings block",
                AssertRefused(Run("--kernel", kernel.Path, "--dtb", dtb.Path), 128 * MiB));
        }
    }

    [TestMethod]
    public void Case3ADtbNestedOneHundredThousandLevelsIsRefused()
    {
        const int depth = 100_000;
        var words = new List<uint>();
        for (int i = 0; i < depth; i++) words.AddRange([1, 0]);
        for (int i = 0; i < depth; i++) words.Add(2);
        words.Add(9);
        using var kernel = new TempFile(SystemOff);
        using var dtb = new TempFile(Dtb(words, []));
        Assert.AreEqual($"armvirt: dtb '{dtb.Path}': nodes nested deeper than 256 levels",
            AssertRefused(Run("--kernel", kernel.Path, "--dtb", dtb.Path), 128 * MiB));
    }

    [TestMethod]
    public void Case4AGzipBombKernelDecompressesNoFurtherThanRam()
    {
        byte[] bomb = Gzip(new byte[256 * MiB]); // 256 MiB of zeros in about 250 KiB
        Assert.IsLessThan(512 * 1024, bomb.Length);
        using var kernel = new TempFile(bomb);
        Assert.AreEqual($"armvirt: kernel '{kernel.Path}': decompresses to more than 32 MiB, the guest RAM it must fit in",
            AssertRefused(Run("--memory", "32M", "--kernel", kernel.Path), (32 + 4) * MiB));
    }

    [TestMethod]
    public void Case5DevZeroIsReadNoFurtherThanRam()
    {
        using var kernel = new TempFile(SystemOff);
        foreach (var option in new[] { "--kernel", "--dtb", "--initrd" })
        {
            string[] args = option == "--kernel" ? ["--memory", "32M", "--kernel", "/dev/zero"] : ["--memory", "32M", "--kernel", kernel.Path, option, "/dev/zero"];
            Assert.AreEqual($"armvirt: {option[2..]} '/dev/zero': larger than the guest's 32 MiB of RAM", AssertRefused(Run(args), (32 + 4) * MiB));
        }
    }

    [TestMethod]
    public void Case6TruncatedOrBadCrcGzipIsAnErrorNotHalfAKernel()
    {
        var image = new byte[256 * 1024];
        new Random(6).NextBytes(image);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(56), 0x644d5241); // "ARM\x64": an arm64 Image header
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(16), (ulong)image.Length);
        byte[] gz = Gzip(image);
        using var half = new TempFile(gz[..(gz.Length / 2)]);
        StringAssert.StartsWith(AssertRefused(Run("--kernel", half.Path), 128 * MiB), $"armvirt: kernel '{half.Path}': truncated or corrupt gzip data");
        byte[] badCrc = (byte[])gz.Clone();
        badCrc[^8] ^= 0xFF; // the trailer's CRC-32
        using var crc = new TempFile(badCrc);
        Assert.AreEqual($"armvirt: kernel '{crc.Path}': corrupt gzip data (its deflate data or its CRC-32 is invalid)",
            AssertRefused(Run("--kernel", crc.Path), 128 * MiB));
    }

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Case7AFifoAsADriveIsRefused()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"armvirt-fifo-{Guid.NewGuid():N}");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo)) mk.WaitForExit();
        try
        {
            using var kernel = new TempFile(SystemOff);
            Assert.AreEqual($"armvirt: drive '{fifo}': not a disk image (it cannot seek: a pipe or a character device?)",
                AssertRefused(Run("--kernel", kernel.Path, "--drive", $"file={fifo}"), 128 * MiB));
            Assert.AreEqual("armvirt: drive '/dev/zero': not a disk image (it has no size: an empty file or a device?)",
                AssertRefused(Run("--kernel", kernel.Path, "--drive", "file=/dev/zero,readonly=on"), 128 * MiB));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [GeneratedRegex(@"armvirt: (\d+) instructions, (\d+) cycles")]
    private static partial Regex StatsLine();

    [TestMethod]
    public void Case8TheCyclesAfterAHaltAreTheCyclesExecuted()
    {
        // wfi; b .-4 with nothing to wake it: halted after two instructions (was 15412643584000000000 cycles).
        using var kernel = new TempFile([0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17]);
        var r = Run("--kernel", kernel.Path, "--stats");
        Assert.AreEqual(1, r.Run.Code, r.Run.Stderr);
        var m = StatsLine().Match(r.Run.Stderr);
        Assert.IsTrue(m.Success, r.Run.Stderr);
        Assert.AreEqual(1UL, ulong.Parse(m.Groups[1].Value), "the WFI that waits is not retired");
        Assert.AreEqual(1UL, ulong.Parse(m.Groups[2].Value), "one cycle per instruction, none for the endless wait");
    }
}
