using System.Buffers.Binary;
using System.Diagnostics;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Firmware;
using ArmVirt.Machine.DeviceTree;

namespace ArmVirt.Machine.Tests;

[TestClass]
public sealed class FdtTests
{
    private static byte[] VirtBlob(FirmwareConduit conduit = FirmwareConduit.Hvc, string? bootargs = "console=ttyAMA0",
        (ulong, ulong)? initrd = null) =>
        FdtWriter.Write(VirtDeviceTree.Build(CpuModel.CortexA57, 128UL << 20, conduit, bootargs, initrd));

    [TestMethod]
    public void HeaderIsVersion17WithAlignedBlocks()
    {
        var blob = FdtWriter.Write(VirtDeviceTree.Build(CpuModel.CortexA57, 128UL << 20, FirmwareConduit.Hvc, null, null),
            [(0x4800_0000UL, 0x1000UL)], bootCpuId: 0);
        uint U(int at) => BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(at));
        Assert.AreEqual(0xD00DFEEDu, U(0));
        Assert.AreEqual((uint)blob.Length, U(4));
        Assert.AreEqual(17u, U(20));
        Assert.AreEqual(16u, U(24));
        Assert.AreEqual(0u, U(16) % 8, "reservation block 8-byte aligned");
        Assert.AreEqual(0u, U(8) % 4, "structure block 4-byte aligned");
        Assert.AreEqual(U(8) + U(36), U(12), "strings follow the structure block");
        Assert.AreEqual(U(12) + U(32), U(4));
        Assert.AreEqual(1u, U((int)U(8)), "structure starts with FDT_BEGIN_NODE");
        Assert.AreEqual(9u, U((int)(U(8) + U(36) - 4)), "structure ends with FDT_END");
        FdtReader.Read(blob, out var reservations);
        CollectionAssert.AreEqual(new[] { (0x4800_0000UL, 0x1000UL) }, reservations);
    }

    [TestMethod]
    public void VirtTreeRoundTripsThroughTheReader()
    {
        var root = FdtReader.Read(VirtBlob(initrd: (0x4400_0000, 0x4400_1234)));
        Assert.AreEqual("linux,dummy-virt", root.Property("compatible")!.AsString());
        Assert.AreEqual(2UL, root.Property("#address-cells")!.AsNumber());
        Assert.AreEqual(2UL, root.Property("#size-cells")!.AsNumber());
        var cpu = root.Find("/cpus/cpu@0")!;
        Assert.AreEqual("arm,cortex-a57", cpu.Property("compatible")!.AsString());
        Assert.AreEqual("cpu", cpu.Property("device_type")!.AsString());
        Assert.AreEqual("psci", cpu.Property("enable-method")!.AsString());
        Assert.AreEqual(0UL, cpu.Property("reg")!.AsNumber());
        CollectionAssert.AreEqual(new uint[] { 0, 0x4000_0000, 0, 0x0800_0000 }, root.Find("/memory@40000000")!.Property("reg")!.AsCells());
        var psci = root.Find("/psci")!;
        CollectionAssert.AreEqual(new[] { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" }, psci.Property("compatible")!.AsStrings());
        Assert.AreEqual("hvc", psci.Property("method")!.AsString());
        var uart = root.Find("/pl011@9000000")!;
        CollectionAssert.AreEqual(new[] { "arm,pl011", "arm,primecell" }, uart.Property("compatible")!.AsStrings());
        CollectionAssert.AreEqual(new[] { "uartclk", "apb_pclk" }, uart.Property("clock-names")!.AsStrings());
        CollectionAssert.AreEqual(new uint[] { 0x8000, 0x8000 }, uart.Property("clocks")!.AsCells());
        var clk = root.Find("/apb-pclk")!;
        Assert.AreEqual(24_000_000UL, clk.Property("clock-frequency")!.AsNumber());
        Assert.AreEqual(0x8000UL, clk.Property("phandle")!.AsNumber());
        var chosen = root.Find("/chosen")!;
        Assert.AreEqual("/pl011@9000000", chosen.Property("stdout-path")!.AsString());
        Assert.AreEqual("console=ttyAMA0", chosen.Property("bootargs")!.AsString());
        Assert.AreEqual(0x4400_0000UL, chosen.Property("linux,initrd-start")!.AsNumber());
        Assert.AreEqual(0x4400_1234UL, chosen.Property("linux,initrd-end")!.AsNumber());
        Assert.IsNull(root.Find("/intc"), "no GIC yet");
    }

    [TestMethod]
    public void PsciMethodFollowsTheConduitAndCpuCompatibleTheModel()
    {
        var root = FdtReader.Read(VirtBlob(FirmwareConduit.Smc));
        Assert.AreEqual("smc", root.Find("/psci")!.Property("method")!.AsString());
        var a53 = FdtReader.Read(FdtWriter.Write(VirtDeviceTree.Build(CpuModel.CortexA53, 1UL << 30, FirmwareConduit.Hvc, null, null)));
        Assert.AreEqual("arm,cortex-a53", a53.Find("/cpus/cpu@0")!.Property("compatible")!.AsString());
        Assert.IsNull(a53.Find("/chosen")!.Property("bootargs"));
    }

    [TestMethod]
    public void ReaderRejectsMalformedBlobs()
    {
        var blob = VirtBlob();
        Assert.ThrowsExactly<FormatException>(() => FdtReader.Read(blob.AsSpan(0, 20)));
        var badMagic = (byte[])blob.Clone();
        badMagic[0] = 0;
        Assert.ThrowsExactly<FormatException>(() => FdtReader.Read(badMagic));
        var truncated = (byte[])blob.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(truncated.AsSpan(4), (uint)blob.Length + 100);
        Assert.ThrowsExactly<FormatException>(() => FdtReader.Read(truncated));
    }

    // A blob with this structure block (big-endian tokens and payload) and strings block, as FdtWriter lays one out.
    private static byte[] Blob(byte[] structure, byte[] strings)
    {
        const int header = 40, reserve = 16;
        var b = new byte[header + reserve + structure.Length + strings.Length];
        void Put(int at, uint v) => BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
        Put(0, FdtWriter.Magic);
        Put(4, (uint)b.Length);
        Put(8, header + reserve);
        Put(12, (uint)(header + reserve + structure.Length));
        Put(16, header);
        Put(20, 17);
        Put(24, 16);
        Put(32, (uint)strings.Length);
        Put(36, (uint)structure.Length);
        structure.CopyTo(b, header + reserve);
        strings.CopyTo(b, header + reserve + structure.Length);
        return b;
    }

    private static byte[] Tokens(params uint[] words)
    {
        var b = new byte[words.Length * 4];
        for (int i = 0; i < words.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 * i), words[i]);
        return b;
    }

    [TestMethod]
    public void PropertyLengthsAndNameOffsetsOfTwoToTheThirtyFirstAreRefused()
    {
        // FDT_BEGIN_NODE "" (one zero word), FDT_PROP len nameoff, FDT_END_NODE, FDT_END.
        foreach (var (len, nameOff) in new[] { (0x8000_0000u, 0u), (0xFFFF_FFFCu, 0u), (4u, 0x8000_0000u), (4u, 0xFFFF_FFFFu) })
        {
            byte[] blob = Blob(Tokens(1, 0, 3, len, nameOff, 0, 2, 9), "a\0"u8.ToArray());
            var e = Assert.ThrowsExactly<FormatException>(() => FdtReader.Read(blob), $"len 0x{len:x}, nameoff 0x{nameOff:x}");
            Assert.AreEqual("property runs past the structure or strings block", e.Message);
        }
        Assert.AreEqual(4, FdtReader.Read(Blob(Tokens(1, 0, 3, 4, 0, 7, 2, 9), "a\0"u8.ToArray())).Property("a")!.Value.Length, "a good one reads");
    }

    [TestMethod]
    public void TreesNestedDeeperThanTheLimitAreRefused()
    {
        // 100,000 nested nodes (600 KB): refused while reading, before anything walks the tree recursively.
        const int depth = 100_000;
        var words = new List<uint>();
        for (int i = 0; i < depth; i++) words.AddRange([1, 0]);
        for (int i = 0; i < depth; i++) words.Add(2);
        words.Add(9);
        byte[] deep = Blob(Tokens([.. words]), []);
        Assert.AreEqual($"nodes nested deeper than {FdtReader.MaxDepth} levels", Assert.ThrowsExactly<FormatException>(() => FdtReader.Read(deep)).Message);
        using var file = new TestImages.TempFile(deep);
        Assert.AreEqual($"dtb '{file.Path}': nodes nested deeper than {FdtReader.MaxDepth} levels",
            TestImages.Fails(b => b.WithKernel(TestImages.Pattern(0x100, 1), "raw.bin").WithDtb(file.Path)));
        // The limit itself reads and writes back.
        words.Clear();
        for (int i = 0; i < FdtReader.MaxDepth; i++) words.AddRange([1, 0]);
        for (int i = 0; i < FdtReader.MaxDepth; i++) words.Add(2);
        words.Add(9);
        var tree = FdtReader.Read(Blob(Tokens([.. words]), []));
        Assert.IsNotEmpty(FdtWriter.Write(tree));
    }

    [TestMethod]
    public void DtcDecompilesTheBlobWithoutWarnings()
    {
        string? dtc = FindOnPath("dtc");
        if (dtc == null) Assert.Inconclusive("dtc is not installed");
        string file = Path.Combine(Path.GetTempPath(), $"armvirt-{Guid.NewGuid():N}.dtb");
        File.WriteAllBytes(file, VirtBlob(initrd: (0x4400_0000, 0x4400_1000)));
        try
        {
            var psi = new ProcessStartInfo(dtc, ["-I", "dtb", "-O", "dts", file])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            string dts = p.StandardOutput.ReadToEnd();
            string errors = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.AreEqual(0, p.ExitCode, errors);
            Assert.AreEqual("", errors.Trim(), "dtc warnings");
            StringAssert.Contains(dts, "compatible = \"linux,dummy-virt\";");
            StringAssert.Contains(dts, "pl011@9000000 {");
            StringAssert.Contains(dts, "compatible = \"arm,pl011\\0arm,primecell\";");
            StringAssert.Contains(dts, "memory@40000000 {");
            StringAssert.Contains(dts, "reg = <0x00 0x40000000 0x00 0x8000000>;");
            StringAssert.Contains(dts, "method = \"hvc\";");
            StringAssert.Contains(dts, "enable-method = \"psci\";");
            StringAssert.Contains(dts, "stdout-path = \"/pl011@9000000\";");
            StringAssert.Contains(dts, "linux,initrd-start = <0x44000000>;");
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
}
