using System.IO.Pipes;
using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;
using ArmVirt.Machine;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Two ArmVirt machines in this process, each run on its own thread, joined by one <see cref="NetworkSwitch"/>:
/// Debian's kernel on both, virtio-net up with static addresses, one pings the other with busybox ping, both power
/// off; the switch's capture is a pcap file that tcpdump (or tshark) reads, showing ICMP echo requests and replies.
/// Gated by ARMVIRT_LINUX_BOOT=1 like the other ArmVirt boots. The reference is the same pair of guests on two QEMU
/// processes joined by QEMU's socket netdev.
/// </summary>
[TestClass]
public sealed class VirtioNetLinuxTests
{
    private const string ServerIp = "10.0.2.2", ClientIp = "10.0.2.1";

    /// <summary>A machine's serial output, readable while it runs, with waits for a marker line.</summary>
    private sealed class ConsoleLog : Stream
    {
        private readonly StringBuilder _text = new();
        private readonly object _lock = new();

        public string Text { get { lock (_lock) return _text.ToString(); } }

        public bool WaitFor(string marker, TimeSpan timeout, Func<bool> stillRunning)
        {
            var deadline = DateTime.UtcNow + timeout;
            lock (_lock)
            {
                while (!_text.ToString().Contains(marker, StringComparison.Ordinal))
                {
                    if (DateTime.UtcNow > deadline || !stillRunning()) return false;
                    Monitor.Wait(_lock, 200);
                }
                return true;
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_lock)
            {
                _text.Append(Encoding.UTF8.GetString(buffer, offset, count).Replace("\r", ""));
                Monitor.PulseAll(_lock);
            }
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>What the test does with a guest, on ArmVirt or on QEMU.</summary>
    private interface IGuest : IDisposable
    {
        string Name { get; }
        ConsoleLog Console { get; }
        bool Running { get; }
        bool PoweredOff { get; }
        void Start();
        void SendLine();
        bool Join(TimeSpan timeout);
        string Describe();
    }

    /// <summary>The same guest on qemu-system-aarch64, its console on stdin/stdout.</summary>
    private sealed class QemuGuest : IGuest
    {
        private readonly System.Diagnostics.Process _process;

        public QemuGuest(string qemu, string name, string test, string ip, string peer, string netdev, string mac, string? pcap)
        {
            Name = name;
            var info = new System.Diagnostics.ProcessStartInfo(qemu)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            string[] args =
            [
                "-M", LinuxBootEnvironment.QemuMachine(1), "-cpu", "cortex-a57", "-smp", "1", "-m", LinuxBootEnvironment.GuestMemory,
                "-nographic", "-no-reboot", "-monitor", "none",
                "-kernel", LinuxBootEnvironment.KernelPath, "-initrd", VirtioInitramfs.ArchivePath,
                "-append", $"{VirtioBlockLinuxTests.CommandLine} armvirt.test={test} armvirt.ip={ip} armvirt.peer={peer}",
                "-netdev", netdev, "-device", $"virtio-net-device,netdev=n0,mac={mac}",
                .. pcap == null ? Array.Empty<string>() : ["-object", $"filter-dump,id=f0,netdev=n0,file={pcap}"],
            ];
            foreach (string a in args) info.ArgumentList.Add(a);
            _process = new System.Diagnostics.Process { StartInfo = info };
        }

        public string Name { get; }
        public ConsoleLog Console { get; } = new();
        private bool _started;
        public bool Running => _started && !_process.HasExited;
        public bool PoweredOff => _started && _process.HasExited && _process.ExitCode == 0;

        public void Start()
        {
            _process.Start();
            _started = true;
            _ = _process.StandardOutput.BaseStream.CopyToAsync(Console);
            _ = _process.StandardError.BaseStream.CopyToAsync(Console);
        }

        public void SendLine()
        {
            _process.StandardInput.Write('\n');
            _process.StandardInput.Flush();
        }

        public bool Join(TimeSpan timeout) => _process.WaitForExit(timeout);

        public string Describe()
        {
            string[] lines = Console.Text.Split('\n');
            return $"--- {Name} (QEMU): {(Running ? "still running" : "exit " + _process.ExitCode)}; last output:\n" +
                   string.Join('\n', lines[Math.Max(0, lines.Length - 30)..]);
        }

        public void Dispose()
        {
            if (Running) _process.Kill(entireProcessTree: true);
            if (_started) _process.WaitForExit();
            _process.Dispose();
        }
    }

    /// <summary>One guest: its machine, console, the pipe feeding its UART and the thread running it.</summary>
    private sealed class Guest : IGuest
    {
        private readonly AnonymousPipeServerStream _input = new(PipeDirection.Out);
        private readonly AnonymousPipeClientStream _inputReader;
        private readonly Thread _thread;

        public Guest(string name, string test, string ip, string peer, NetworkSwitch network)
        {
            Name = name;
            _inputReader = new AnonymousPipeClientStream(PipeDirection.In, _input.ClientSafePipeHandle);
            Machine = new MachineBuilder()
                .WithKernel(LinuxBootEnvironment.KernelPath)
                .WithInitrd(VirtioInitramfs.ArchivePath)
                .WithAppend($"{VirtioBlockLinuxTests.CommandLine} armvirt.test={test} armvirt.ip={ip} armvirt.peer={peer}")
                .WithMemory(128UL << 20)
                .WithNetwork(network)
                .WithSerial(Console, _inputReader)
                .Build();
            _thread = new Thread(() => Exit = Machine.Run()) { Name = name, IsBackground = true };
        }

        public string Name { get; }
        public ArmVirt.Machine.Machine Machine { get; }
        public ConsoleLog Console { get; } = new();
        public MachineExit? Exit { get; private set; }
        public bool Running => _thread.IsAlive;
        public bool PoweredOff => !Running && Exit?.Reason == StopReason.PowerOff;

        public void Start() => _thread.Start();

        public void SendLine()
        {
            _input.Write("\n"u8);
            _input.Flush();
        }

        public bool Join(TimeSpan timeout) => _thread.Join(timeout);

        public string Describe()
        {
            string[] lines = Console.Text.Split('\n');
            return $"--- {Name}: {(Running ? "still running" : Exit?.Reason + " " + Exit?.Message)}; last output:\n" +
                   string.Join('\n', lines[Math.Max(0, lines.Length - 30)..]);
        }

        public void Dispose()
        {
            if (Running)
            {
                Machine.RequestStop();
                _thread.Join(TimeSpan.FromSeconds(30));
            }
            Machine.Dispose();
            _input.Dispose();
            _inputReader.Dispose();
        }
    }

    [TestMethod]
    [TestCategory("LinuxBoot")]
    public void TwoMachinesPingEachOtherOverAnInProcessSwitch()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        VirtioInitramfs.RequireModules();
        RequirePcapReader();
        string pcap = Path.Combine(Path.GetTempPath(), $"armvirt-ping-{Environment.ProcessId}.pcap");
        var network = new NetworkSwitch();
        try
        {
            long frames;
            using (var capture = new PcapWriter(File.Create(pcap)))
            {
                network.Capture = capture;
                using var server = new Guest("server", "ping-server", ServerIp, ClientIp, network);
                using var client = new Guest("client", "ping-client", ClientIp, ServerIp, network);
                RunScenario(server, client, LinuxBootEnvironment.ArmVirtTimeout);
                network.Capture = null;
                frames = capture.FrameCount;
            }
            Assert.IsGreaterThanOrEqualTo(6L, frames, "ARP and three echo request/reply pairs at least");
            AssertCaptureShowsPings(pcap);
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    /// <summary>
    /// The reference: the same guests on two qemu-system-aarch64 processes joined by QEMU's socket netdev, the
    /// server's traffic captured by QEMU's filter-dump. Not gated: runs wherever QEMU and the cache are.
    /// </summary>
    [TestMethod]
    [TestCategory("QemuLinuxBoot")]
    public void TwoQemuMachinesPingEachOtherOverASocketNetdev()
    {
        VirtioInitramfs.RequireModules();
        RequirePcapReader();
        string qemu = LinuxBootEnvironment.FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        string pcap = Path.Combine(Path.GetTempPath(), $"armvirt-qemu-ping-{Environment.ProcessId}.pcap");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        try
        {
            using (var server = new QemuGuest(qemu, "server", "ping-server", ServerIp, ClientIp, $"socket,id=n0,listen=127.0.0.1:{port}", "52:54:00:12:34:56", pcap))
            using (var client = new QemuGuest(qemu, "client", "ping-client", ClientIp, ServerIp, $"socket,id=n0,connect=127.0.0.1:{port}", "52:54:00:12:34:57", null))
            {
                server.Start();
                // QEMU's connecting side fails if nobody listens yet: wait until the server's QEMU has started the guest.
                Assert.IsTrue(server.Console.WaitFor("Booting Linux", TimeSpan.FromMinutes(1), () => server.Running), server.Describe());
                RunScenario(server, client, TimeSpan.FromMinutes(3));
            }
            AssertCaptureShowsPings(pcap);
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    private static void RequirePcapReader()
    {
        if (GuestDisk.Find("tcpdump") == null && GuestDisk.Find("tshark") == null) Assert.Inconclusive("neither tcpdump nor tshark is installed");
    }

    // Both up with eth0 configured before the client pings (each waits for a line on its console), then the client
    // pings and powers off, then the server is told to power off.
    private static void RunScenario(IGuest server, IGuest client, TimeSpan timeout)
    {
        string Both() => server.Describe() + "\n" + client.Describe();
        if (!server.Running) server.Start();
        client.Start();
        Assert.IsTrue(server.Console.WaitFor("ARMVIRT-WAITING", timeout, () => server.Running), "server never got ready\n" + Both());
        Assert.IsTrue(client.Console.WaitFor("ARMVIRT-WAITING", timeout, () => client.Running), "client never got ready\n" + Both());
        client.SendLine();
        Assert.IsTrue(client.Join(timeout), "client did not finish\n" + Both());
        server.SendLine();
        Assert.IsTrue(server.Join(timeout), "server did not finish\n" + Both());

        foreach (var (guest, ip) in new[] { (server, ServerIp), (client, ClientIp) })
        {
            Assert.IsTrue(guest.PoweredOff, Both());
            string text = guest.Console.Text;
            Assert.IsFalse(text.Contains("ARMVIRT-INSMOD-FAILED", StringComparison.Ordinal), Both());
            Assert.IsFalse(text.Contains("Kernel panic", StringComparison.Ordinal), Both());
            StringAssert.Contains(text, $"ARMVIRT-NET-OK {ip}", Both());
            StringAssert.Contains(text, BootInitramfs.BootDoneMarker, Both());
        }
        StringAssert.Contains(client.Console.Text, "ARMVIRT-PING-OK", Both());
        // busybox ping exits 0 once any reply came back; each machine keeps its own virtual time, so a reply that
        // took long on the host may land after ping stopped waiting. The capture must hold all three.
        StringAssert.Matches(client.Console.Text, new System.Text.RegularExpressions.Regex(@"3 packets transmitted, [123] packets received"), Both());
        StringAssert.Contains(server.Console.Text, "ARMVIRT-PING-SERVER-OK", Both());
        // Distinct MACs on one network: 52:54:00:12:34:56 and :57 (ArmVirt's defaults on a switch; given to QEMU).
        StringAssert.Contains(server.Console.Text, "52:54:00:12:34:56", Both());
        StringAssert.Contains(client.Console.Text, "52:54:00:12:34:57", Both());
    }

    // The capture, decoded by a real pcap reader: at least three echo requests and three replies.
    private static void AssertCaptureShowsPings(string pcap)
    {
        string? tcpdump = GuestDisk.Find("tcpdump"), tshark = GuestDisk.Find("tshark");
        var (code, output, _) = tcpdump != null
            ? GuestDisk.Tool(tcpdump, ["-n", "-r", pcap, "icmp"])
            : GuestDisk.Tool(tshark!, ["-n", "-r", pcap, "-Y", "icmp"]);
        Assert.AreEqual(0, code, output);
        var lines = output.Split('\n');
        string request = tcpdump != null ? $"IP {ClientIp} > {ServerIp}: ICMP echo request" : "Echo (ping) request";
        string reply = tcpdump != null ? $"IP {ServerIp} > {ClientIp}: ICMP echo reply" : "Echo (ping) reply";
        Assert.IsGreaterThanOrEqualTo(3, lines.Count(l => l.Contains(request, StringComparison.Ordinal)), output);
        Assert.IsGreaterThanOrEqualTo(3, lines.Count(l => l.Contains(reply, StringComparison.Ordinal)), output);
    }
}
