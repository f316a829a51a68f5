using System.IO.Compression;
using System.Text;

namespace ArmVirt.Linux.Tests;

[TestClass]
public sealed class CpioNewcWriterTests
{
    [TestMethod]
    public void FileEntryHasNewcHeaderAndFourBytePadding()
    {
        using var stream = new MemoryStream();
        var cpio = new CpioNewcWriter(stream, modificationTime: 0x5F5E1000);
        cpio.AddFile("init", "hi\n"u8, permissions: 0x1ED);
        byte[] bytes = stream.ToArray();

        // 6-char magic + 13 fields of 8 hex digits: ino, mode, uid, gid, nlink, mtime, filesize,
        // devmajor, devminor, rdevmajor, rdevminor, namesize (with NUL), check.
        string expectedHeader = "070701" + "00000001" + "000081ed" + "00000000" + "00000000" + "00000001" + "5f5e1000"
            + "00000003" + "00000000" + "00000000" + "00000000" + "00000000" + "00000005" + "00000000";
        Assert.AreEqual(expectedHeader, Encoding.ASCII.GetString(bytes, 0, 110));
        // Name "init\0" ends at 115 -> padded to 116; data "hi\n" ends at 119 -> padded to 120.
        CollectionAssert.AreEqual("init\0\0"u8.ToArray(), bytes[110..116]);
        CollectionAssert.AreEqual("hi\n\0"u8.ToArray(), bytes[116..120]);
        Assert.AreEqual(120, bytes.Length);
    }

    [TestMethod]
    public void DeviceSymlinkAndTrailerEntries()
    {
        using var stream = new MemoryStream();
        var cpio = new CpioNewcWriter(stream);
        cpio.AddCharacterDevice("dev/console", 5, 1);
        cpio.AddSymbolicLink("bin/sh", "busybox");
        cpio.Finish();
        List<(string Name, uint Mode, uint RdevMajor, uint RdevMinor, byte[] Data)> entries = Read(stream.ToArray());

        Assert.AreEqual(3, entries.Count);
        Assert.AreEqual(("dev/console", 0x2180u, 5u, 1u), (entries[0].Name, entries[0].Mode, entries[0].RdevMajor, entries[0].RdevMinor));
        Assert.AreEqual(("bin/sh", 0xA1FFu), (entries[1].Name, entries[1].Mode));
        CollectionAssert.AreEqual("busybox"u8.ToArray(), entries[1].Data);
        Assert.AreEqual("TRAILER!!!", entries[2].Name);
    }

    [TestMethod]
    public void RejectsAbsolutePathsAndEntriesAfterTrailer()
    {
        var cpio = new CpioNewcWriter(new MemoryStream());
        Assert.ThrowsExactly<ArgumentException>(() => cpio.AddDirectory("/bin"));
        cpio.Finish();
        Assert.ThrowsExactly<InvalidOperationException>(() => cpio.AddDirectory("bin"));
    }

    [TestMethod]
    public void BootInitramfsHasInitBusyboxAppletsAndConsole()
    {
        byte[] busybox = [0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3];
        byte[] init = "#!/bin/sh\necho ARMVIRT-BOOT-OK\n"u8.ToArray();
        byte[] gz = BootInitramfs.Build(busybox, init);

        using var gunzip = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
        using var cpio = new MemoryStream();
        gunzip.CopyTo(cpio);
        var entries = Read(cpio.ToArray()).ToDictionary(e => e.Name);

        CollectionAssert.AreEqual(init, entries["init"].Data);
        Assert.AreEqual(0x81EDu, entries["init"].Mode);
        CollectionAssert.AreEqual(busybox, entries["bin/busybox"].Data);
        Assert.AreEqual((0x2180u, 5u, 1u), (entries["dev/console"].Mode, entries["dev/console"].RdevMajor, entries["dev/console"].RdevMinor));
        foreach (string applet in BootInitramfs.Applets)
        {
            CollectionAssert.AreEqual("busybox"u8.ToArray(), entries["bin/" + applet].Data, applet);
        }
        foreach (string dir in new[] { "proc", "sys", "dev", "bin" })
        {
            Assert.AreEqual(0x41EDu, entries[dir].Mode, dir);
        }
        CollectionAssert.AreEqual(gz, BootInitramfs.Build(busybox, init), "same inputs must give the same initramfs");
    }

    [TestMethod]
    public void DefaultInitScriptPrintsMarkersAndPowersOff()
    {
        string script = Encoding.UTF8.GetString(BootInitramfs.DefaultInitScript());
        Assert.IsTrue(script.StartsWith("#!/bin/sh\n", StringComparison.Ordinal));
        StringAssert.Contains(script, "echo \"" + BootInitramfs.BootOkMarker + "\"");
        StringAssert.Contains(script, "echo \"" + BootInitramfs.BootDoneMarker + "\"");
        StringAssert.Contains(script, "poweroff -f");
    }

    [TestMethod]
    public void NestedInitramfsIsAnUncompressedArchiveThenTheBootOne()
    {
        byte[] busybox = [0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 2, 3];
        byte[] init = "#!/bin/sh\necho ARMVIRT-BOOT-OK\n"u8.ToArray();
        byte[] minivmm = [0x7F, (byte)'E', (byte)'L', (byte)'F', 9];
        byte[] kernel = [1, 2, 3, 4, 5, 6];
        byte[] nestedInit = "#!/bin/sh\necho NESTED-GUEST-OK\n"u8.ToArray();
        byte[] aarch32Guest = [0x0d, 0xd0, 0x9f, 0xe5];
        byte[] image = BootInitramfs.BuildNested(busybox, init, minivmm, kernel, nestedInit, aarch32Guest);

        var entries = Read(image, out int end).ToDictionary(e => e.Name);
        Assert.AreEqual(0x41EDu, entries["nested"].Mode);
        CollectionAssert.AreEqual(minivmm, entries["nested/minivmm"].Data);
        Assert.AreEqual(0x81EDu, entries["nested/minivmm"].Mode);
        CollectionAssert.AreEqual(kernel, entries["nested/Image"].Data);
        CollectionAssert.AreEqual(aarch32Guest, entries["nested/aarch32_guest.bin"].Data);
        // The nested guest's own initramfs: uncompressed, busybox with the nested /init.
        var nested = Read(entries["nested/initrd.cpio"].Data).ToDictionary(e => e.Name);
        CollectionAssert.AreEqual(nestedInit, nested["init"].Data);
        CollectionAssert.AreEqual(busybox, nested["bin/busybox"].Data);
        // Then, 4-byte aligned, exactly the plain boot's gzip archive.
        Assert.AreEqual(0, end % 4);
        CollectionAssert.AreEqual(BootInitramfs.Build(busybox, init), image[end..]);
    }

    [TestMethod]
    public void DefaultInitScriptRunsTheNestedGuestOnlyWhenAsked()
    {
        string script = Encoding.UTF8.GetString(BootInitramfs.DefaultInitScript());
        StringAssert.Contains(script, "grep -q \"armvirt.nested=1\" /proc/cmdline");
        StringAssert.Contains(script, "echo \"" + BootInitramfs.NestedExitMarker + "$?\"");
        StringAssert.Contains(script, "--prefix \"" + BootInitramfs.NestedPrefix + "\"");
        string nested = File.ReadAllText(BootInitramfs.NestedInitScriptPath);
        StringAssert.Contains(nested, "echo \"" + BootInitramfs.NestedOkMarker + " ");
        StringAssert.Contains(nested, "echo \"" + BootInitramfs.NestedDoneMarker + "\"");
        StringAssert.Contains(nested, "poweroff -f");
        Assert.IsTrue(File.Exists(BootInitramfs.MinivmmPath), BootInitramfs.MinivmmPath);
        StringAssert.Contains(script, "grep -q \"armvirt.nested-aarch32=1\" /proc/cmdline");
        StringAssert.Contains(script, "--aarch32 /nested/aarch32_guest.bin");
        StringAssert.Contains(script, "echo \"" + BootInitramfs.NestedAarch32ExitMarker + "$?\"");
        Assert.IsTrue(File.Exists(BootInitramfs.Aarch32GuestPath), BootInitramfs.Aarch32GuestPath);
    }

    /// <summary>An independent newc reader for the tests (parses the text headers back); the archive must end at its trailer.</summary>
    private static List<(string Name, uint Mode, uint RdevMajor, uint RdevMinor, byte[] Data)> Read(byte[] archive)
    {
        var entries = Read(archive, out int end);
        Assert.AreEqual(archive.Length, end, "nothing after the trailer");
        return entries;
    }

    /// <summary>Reads the archive at the start of <paramref name="archive"/>; <paramref name="end"/> is the offset after its trailer.</summary>
    private static List<(string Name, uint Mode, uint RdevMajor, uint RdevMinor, byte[] Data)> Read(byte[] archive, out int end)
    {
        var entries = new List<(string, uint, uint, uint, byte[])>();
        int pos = 0;
        while (true)
        {
            Assert.AreEqual("070701", Encoding.ASCII.GetString(archive, pos, 6), $"magic at {pos}");
            uint Field(int index) => Convert.ToUInt32(Encoding.ASCII.GetString(archive, pos + 6 + 8 * index, 8), 16);
            uint mode = Field(1), size = Field(6), rdevMajor = Field(9), rdevMinor = Field(10), nameSize = Field(11);
            string name = Encoding.UTF8.GetString(archive, pos + 110, (int)nameSize - 1);
            Assert.AreEqual(0, archive[pos + 110 + nameSize - 1], "name NUL");
            int data = (pos + 110 + (int)nameSize + 3) & ~3;
            entries.Add((name, mode, rdevMajor, rdevMinor, archive[data..(data + (int)size)]));
            pos = (data + (int)size + 3) & ~3;
            if (name == "TRAILER!!!") break;
        }
        end = pos;
        return entries;
    }
}
