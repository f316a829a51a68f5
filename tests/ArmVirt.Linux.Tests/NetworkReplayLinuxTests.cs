using System.IO.Pipes;
using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;
using ArmVirt.Machine;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Record and replay of virtio input on Linux: two machines on one <see cref="NetworkSwitch"/>, each on its own thread
/// (so the frames reach the client whenever the host delivers them), the client recording its input: a line typed into
/// its virtio-console (hvc0), then ARP and ICMP replies from the server to its pings. A fresh client machine with no
/// network (a <see cref="DisconnectedNetBackend"/>) and no console input replays the log under the interpreter: the
/// same PL011 and hvc0 output, the same instruction and cycle counts. Off unless ARMVIRT_LINUX_BOOT=1.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class NetworkReplayLinuxTests
{
    private const string ServerIp = "10.0.2.2", ClientIp = "10.0.2.1";
    private static readonly byte[] ClientMac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x57];

    // The virtio initramfs (with the hvc0-ping scenario) in a file of this process: the shared cache's copy may be
    // rebuilt by another checkout's tests meanwhile.
    private static string Initramfs()
    {
        VirtioInitramfs.RequireModules();
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-replay-initrd-{Environment.ProcessId}.gz");
        File.WriteAllBytes(path, VirtioInitramfs.Build(File.ReadAllBytes(LinuxBootEnvironment.BusyboxPath),
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "init-virtio.sh")), VirtioInitramfs.ModuleDirectory));
        return path;
    }

    private static MachineBuilder Guest(ExecutionEngine engine, string initrd, string test, string ip, string peer) =>
        new MachineBuilder().WithEngine(engine)
            .WithKernel(LinuxBootEnvironment.KernelPath).WithInitrd(initrd)
            .WithAppend($"{VirtioBlockLinuxTests.CommandLine} armvirt.test={test} armvirt.ip={ip} armvirt.peer={peer}")
            .WithMemory(128UL << 20);

    /// <summary>Text written to a stream, readable while a machine writes it on another thread.</summary>
    private sealed class Output : Stream
    {
        private readonly MemoryStream _bytes = new();

        public string Text { get { lock (_bytes) return Encoding.UTF8.GetString(_bytes.ToArray()); } }

        public bool WaitFor(string marker, TimeSpan timeout, Thread running)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!Text.Contains(marker, StringComparison.Ordinal))
            {
                if (DateTime.UtcNow > deadline || !running.IsAlive) return false;
                Thread.Sleep(100);
            }
            return true;
        }

        public override void Write(byte[] buffer, int offset, int count) { lock (_bytes) _bytes.Write(buffer, offset, count); }
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

    [TestMethod]
    public void PingsAndConsoleInputReplayWithoutTheNetwork()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        string initrd = Initramfs();
        try
        {
            var network = new NetworkSwitch();
            Output serverSerial = new(), clientSerial = new(), clientHvc = new();
            // Each pipe's reading end is closed after its writing end: the devices' reader threads then see the end of
            // their input (a stream another thread is blocked reading cannot be closed).
            var serverInput = new AnonymousPipeServerStream(PipeDirection.Out);
            var serverReader = new AnonymousPipeClientStream(PipeDirection.In, serverInput.ClientSafePipeHandle);
            var hvcInput = new AnonymousPipeServerStream(PipeDirection.Out);
            var hvcReader = new AnonymousPipeClientStream(PipeDirection.In, hvcInput.ClientSafePipeHandle);
            var log = new MemoryStream();
            MachineExit? clientExit = null, serverExit = null;
            ulong instructions, cycles;
            string Describe() => $"--- server:\n{serverSerial.Text}\n--- client ({clientExit?.Reason} {clientExit?.Message}):\n{clientSerial.Text}\n--- client hvc0:\n{clientHvc.Text}";
            try
            {
                using (var server = Guest(ExecutionEngine.Jit, initrd, "ping-server", ServerIp, ClientIp).WithNetwork(network).WithSerial(serverSerial, serverReader).Build())
                using (var client = Guest(ExecutionEngine.Jit, initrd, "hvc0-ping", ClientIp, ServerIp).WithNetwork(network).WithConsole(clientHvc, hvcReader).WithSerial(clientSerial).Build())
                {
                    CollectionAssert.AreEqual(ClientMac, ((VirtioNetDevice)client.VirtioDevices[0]).Mac.ToArray());
                    client.RecordInput(log);
                    var serverThread = new Thread(() => serverExit = server.Run()) { IsBackground = true };
                    var clientThread = new Thread(() => clientExit = client.Run()) { IsBackground = true };
                    serverThread.Start();
                    clientThread.Start();
                    try
                    {
                        Assert.IsTrue(serverSerial.WaitFor("ARMVIRT-WAITING", LinuxBootEnvironment.ArmVirtTimeout, serverThread), Describe());
                        Assert.IsTrue(clientSerial.WaitFor("ARMVIRT-WAITING", LinuxBootEnvironment.ArmVirtTimeout, clientThread), Describe());
                        hvcInput.Write("typed on hvc0\n"u8);
                        hvcInput.Flush();
                        Assert.IsTrue(clientThread.Join(LinuxBootEnvironment.ArmVirtTimeout), "the client did not finish\n" + Describe());
                        serverInput.Write("\n"u8);
                        serverInput.Flush();
                        Assert.IsTrue(serverThread.Join(LinuxBootEnvironment.ArmVirtTimeout), "the server did not finish\n" + Describe());
                    }
                    finally
                    {
                        server.RequestStop();
                        client.RequestStop();
                        serverThread.Join(TimeSpan.FromSeconds(30));
                        clientThread.Join(TimeSpan.FromSeconds(30));
                    }
                    instructions = client.InstructionsExecuted;
                    cycles = client.CyclesExecuted;
                }
            }
            finally
            {
                serverInput.Dispose();
                hvcInput.Dispose();
                serverReader.Dispose();
                hvcReader.Dispose();
            }
            Assert.AreEqual(StopReason.PowerOff, clientExit?.Reason, Describe());
            StringAssert.Contains(clientSerial.Text, "ARMVIRT-HVC0-READ typed on hvc0", Describe());
            StringAssert.Contains(clientSerial.Text, "ARMVIRT-PING-OK", Describe());
            string text = Encoding.ASCII.GetString(log.ToArray());
            StringAssert.StartsWith(text, "armvirt-input 2\n");
            StringAssert.Contains(text, "\nn0 ", "frames from the server are in the log");
            StringAssert.Contains(text, "\nc1 ", "the console input is in the log");
            StringAssert.Contains(text, "\nend ");

            // The replay: no switch, no server, no console input.
            Output serial = new(), hvc = new();
            using var replay = Guest(ExecutionEngine.Interpreter, initrd, "hvc0-ping", ClientIp, ServerIp)
                .WithNetwork(new DisconnectedNetBackend(), ClientMac).WithConsole(hvc).WithSerial(serial).Build();
            replay.ReplayInput(new MemoryStream(log.ToArray()));
            var exit = replay.Run();
            Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message + "\n" + serial.Text);
            Assert.AreEqual(clientSerial.Text, serial.Text);
            Assert.AreEqual(clientHvc.Text, hvc.Text);
            Assert.AreEqual(instructions, replay.InstructionsExecuted);
            Assert.AreEqual(cycles, replay.CyclesExecuted);
        }
        finally
        {
            File.Delete(initrd);
        }
    }
}
