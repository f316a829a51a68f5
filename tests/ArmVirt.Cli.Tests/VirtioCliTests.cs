using System.Net.Sockets;
using ArmVirt.Cli;

namespace ArmVirt.Cli.Tests;

/// <summary>The virtio options: --drive, --netdev, --console, --rng.</summary>
[TestClass]
public sealed class VirtioCliTests
{
    private static CliRun Run(params string[] args) => CliRun.Of(null, args);

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"armvirt-cli-{Guid.NewGuid():N}");

    private static string RawKernel()
    {
        string path = TempPath();
        File.WriteAllBytes(path, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        return path;
    }

    [TestMethod]
    public void ParsesDriveSpecs()
    {
        Assert.AreEqual(new DriveOption("a.img", false, false), VirtioOptions.ParseDrive("file=a.img"));
        Assert.AreEqual(new DriveOption("a.img", true, false), VirtioOptions.ParseDrive("file=a.img,format=raw,readonly=on"));
        Assert.AreEqual(new DriveOption("b.img", false, true), VirtioOptions.ParseDrive("if=virtio,snapshot=on,file=b.img"));
        Assert.AreEqual(new DriveOption("b.img", false, false), VirtioOptions.ParseDrive("file=b.img,snapshot=off,readonly=off"));
        var options = OptionParser.Parse(["--drive", "file=a.img", "--drive=file=b.img,readonly=on", "--rng", "--stats"]);
        Assert.AreEqual(2, options.Drives.Count);
        Assert.AreEqual("b.img", options.Drives[1].File);
        Assert.AreEqual(0UL, options.RngSeed);
        Assert.IsTrue(options.Stats, "--rng without a value leaves the next option alone");
        Assert.AreEqual(42UL, OptionParser.Parse(["--rng", "seed=42"]).RngSeed);
        Assert.AreEqual(0x2aUL, OptionParser.Parse(["--rng=seed=0x2a"]).RngSeed);
    }

    [TestMethod]
    public void ParsesNetdevAndConsoleSpecs()
    {
        var n = VirtioOptions.ParseNetdev("tap,ifname=tap0,pcap=out.pcap,mac=02:00:00:00:00:2a");
        Assert.AreEqual("tap0", n.InterfaceName);
        Assert.AreEqual("out.pcap", n.Pcap);
        CollectionAssert.AreEqual(new byte[] { 2, 0, 0, 0, 0, 0x2a }, n.Mac);
        Assert.IsNull(VirtioOptions.ParseNetdev("tap,ifname=tap1").Pcap);
        Assert.AreEqual("stdio", OptionParser.Parse(["--console", "stdio"]).Console);
        Assert.AreEqual("unix:/tmp/c.sock", OptionParser.Parse(["--console=unix:/tmp/c.sock"]).Console);
    }

    [TestMethod]
    [DataRow("--drive", "format=raw", "armvirt: --drive format=raw: needs file=PATH")]
    [DataRow("--drive", "file=a.img,format=qcow2", "armvirt: --drive format=qcow2: only raw images are supported")]
    [DataRow("--drive", "file=a.img,if=scsi", "armvirt: --drive if=scsi: only virtio is supported")]
    [DataRow("--drive", "file=a.img,readonly=maybe", "armvirt: --drive readonly=maybe: must be on or off")]
    [DataRow("--drive", "file=a.img,cache=none", "armvirt: --drive cache: unknown parameter (file, format, if, readonly, snapshot)")]
    [DataRow("--drive", "file=a.img,file=b.img", "armvirt: --drive file=a.img,file=b.img: 'file' given twice")]
    [DataRow("--drive", "file=", "armvirt: --drive file=: needs a path")]
    [DataRow("--netdev", "user,id=n0", "armvirt: --netdev user: unsupported backend (only tap is implemented)")]
    [DataRow("--netdev", "tap", "armvirt: --netdev tap: needs ifname=NAME")]
    [DataRow("--netdev", "tap,ifname=t0,mac=52:54:00:12:34", "armvirt: --netdev mac=52:54:00:12:34: not a MAC address (six hex pairs separated by ':')")]
    [DataRow("--netdev", "tap,ifname=t0,mac=01:00:5e:00:00:01", "armvirt: --netdev mac=01:00:5e:00:00:01: a multicast address cannot be a NIC's address")]
    [DataRow("--netdev", "tap,ifname=t0,vhost=on", "armvirt: --netdev vhost: unknown parameter (ifname, pcap, mac)")]
    [DataRow("--console", "tcp:localhost:4444", "armvirt: --console tcp:localhost:4444: must be stdio or unix:PATH")]
    [DataRow("--rng", "seed=lots", "armvirt: --rng seed=lots: seed must be a whole number")]
    [DataRow("--rng", "source=/dev/urandom", "armvirt: --rng source=/dev/urandom: unknown parameter (seed=N)")]
    public void BadValuesAreOneLineAndExitCode2(string option, string value, string message)
    {
        var r = Run(option, value);
        Assert.AreEqual(2, r.Code, r.Stderr);
        Assert.AreEqual(message, r.ErrorLines.Single());
        Assert.AreEqual("", r.Stdout);
    }

    [TestMethod]
    public void MissingImagesAreConfigurationErrors()
    {
        string kernel = RawKernel();
        try
        {
            var r = Run("--kernel", kernel, "--drive", "file=/no/such/disk.img");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual("armvirt: drive '/no/such/disk.img': file not found", r.ErrorLines.Single());
            r = Run("--kernel", kernel, "--drive", $"file={Path.GetTempPath()}");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual($"armvirt: drive '{Path.GetTempPath()}': is a directory, not a disk image", r.ErrorLines.Single());
        }
        finally { File.Delete(kernel); }
    }

    [TestMethod]
    public void DevicesAppearInSlotsFromTheTopInCommandLineOrder()
    {
        string kernel = RawKernel(), a = TempPath(), b = TempPath(), dtb = TempPath();
        File.WriteAllBytes(a, new byte[4096]);
        File.WriteAllBytes(b, new byte[8192]);
        try
        {
            var r = Run("--kernel", kernel, "--drive", $"file={a}", "--drive", $"file={b},readonly=on", "--rng", "seed=7",
                "--console", "stdio", "--dump-dtb", dtb);
            Assert.AreEqual(0, r.Code, r.Stderr);
            // The machine was built with the images open; the DTB describes all 32 slots either way.
            var tree = ArmVirt.Machine.DeviceTree.FdtReader.Read(File.ReadAllBytes(dtb));
            Assert.IsNotNull(tree.Find("/virtio_mmio@a003e00"));
            var machine = new ArmVirt.Machine.MachineBuilder().WithKernel(kernel).WithBlockDevice(a).WithBlockDevice(b, readOnly: true).WithRng(7).Build();
            using (machine)
            {
                Assert.AreEqual(8UL, ((ArmVirt.Devices.Virtio.VirtioBlockDevice)machine.VirtioSlots[31].Device!).Capacity);
                Assert.AreEqual(16UL, ((ArmVirt.Devices.Virtio.VirtioBlockDevice)machine.VirtioSlots[30].Device!).Capacity);
            }
        }
        finally
        {
            foreach (var f in new[] { kernel, a, b, dtb }) File.Delete(f);
        }
    }

    [TestMethod]
    public void TapNetdevOpensOrFailsWithOneLine()
    {
        string kernel = RawKernel(), pcap = TempPath();
        try
        {
            var r = Run("--kernel", kernel, "--netdev", $"tap,ifname=avt{Environment.ProcessId % 10000},pcap={pcap}", "--max-insns", "100");
            if (r.Code == 2)
            {
                // No /dev/net/tun or no CAP_NET_ADMIN: the reason on one line, nothing created.
                StringAssert.StartsWith(r.ErrorLines.Single(), "armvirt: netdev tap 'avt");
                Assert.IsFalse(File.Exists(pcap));
                Assert.Inconclusive("TAP not available here: " + r.Stderr.Trim());
            }
            Assert.AreEqual(124, r.Code, r.Stderr);
            // The capture has its pcap global header even with no traffic.
            byte[] header = File.ReadAllBytes(pcap);
            Assert.AreEqual(24, header.Length);
            Assert.AreEqual(0xA1B2C3D4u, BitConverter.ToUInt32(header, 0));
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(pcap);
        }
    }

    [TestMethod]
    public void UnixConsoleWaitsForAClientThenRuns()
    {
        string kernel = RawKernel(), socketPath = TempPath();
        try
        {
            var connected = new ManualResetEventSlim();
            var client = new Thread(() =>
            {
                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                for (int i = 0; i < 500 && !s.Connected; i++)
                {
                    try { s.Connect(new UnixDomainSocketEndPoint(socketPath)); }
                    catch (SocketException) { Thread.Sleep(10); }
                }
                if (s.Connected) connected.Set();
            });
            client.Start();
            var r = Run("--kernel", kernel, "--console", $"unix:{socketPath}", "--max-insns", "1000");
            client.Join();
            Assert.IsTrue(connected.IsSet, "the client connected");
            Assert.AreEqual(124, r.Code, r.Stderr);
            Assert.AreEqual($"armvirt: waiting for a connection on unix:{socketPath}", r.ErrorLines[0]);
            Assert.IsFalse(File.Exists(socketPath), "the socket file is removed at exit");

            File.WriteAllText(socketPath, "not a socket");
            r = Run("--kernel", kernel, "--console", $"unix:{socketPath}");
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual($"armvirt: --console unix:{socketPath}: already exists (remove it first)", r.ErrorLines.Single());
            Assert.AreEqual("not a socket", File.ReadAllText(socketPath), "an existing file is never replaced");
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(socketPath);
        }
    }
}
