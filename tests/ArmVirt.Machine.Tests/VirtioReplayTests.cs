using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;
using ArmVirt.Devices.Virtio.Tests;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Record and replay of virtio input without a guest driver: the test drives a virtio-net and a virtio-console from the
/// host side (queues and receive buffers in the machine's RAM, as VirtioTestDriver builds them) while a spinning guest
/// lets virtual time run; frames reach the NIC from another port of a <see cref="NetworkSwitch"/> and bytes the console
/// from <see cref="VirtioConsoleDevice.Inject"/>, between runs (as live input arrives). A machine with no network
/// (<see cref="DisconnectedNetBackend"/>) and no console input replays the log in one run, under either engine: the
/// same bytes land in the same receive buffers, with the same used rings, instruction and cycle counts.
/// (NetworkReplayLinuxTests does it with Linux's own drivers.)
/// </summary>
[TestClass]
public sealed class VirtioReplayTests
{
    private static readonly byte[] Spin = BitConverter.GetBytes(0x14000000u); // b .

    private sealed record Outcome(byte[] NetBuffers, byte[] ConsoleBuffers, byte[] NetUsed, byte[] ConsoleUsed, long Frames, ulong Instructions, ulong Cycles);

    // Slot 31 holds the first device (the NIC), slot 30 the console; their rings and buffers from RAM + 16 MiB up.
    private static (VirtioTestDriver Net, VirtioTestDriver Console, ulong NetBuffers, ulong ConsoleBuffers) Drive(Machine m)
    {
        var net = new VirtioTestDriver(m.Bus, m.VirtioSlots[31], VirtioMmioLayout.SlotBase(31), 0x4100_0000);
        net.Initialize(size: 8);
        ulong netBuffers = net.Alloc(8 * 2048);
        for (int i = 0; i < 8; i++) net.Add(VirtioNetDevice.ReceiveQueue, (netBuffers + 2048 * (ulong)i, 2048, true));
        net.Notify(VirtioNetDevice.ReceiveQueue);
        var console = new VirtioTestDriver(m.Bus, m.VirtioSlots[30], VirtioMmioLayout.SlotBase(30), 0x4110_0000);
        console.Initialize(size: 8);
        ulong consoleBuffers = console.Alloc(8 * 16);
        for (int i = 0; i < 8; i++) console.Add(VirtioConsoleDevice.ReceiveQueue, (consoleBuffers + 16 * (ulong)i, 16, true));
        console.Notify(VirtioConsoleDevice.ReceiveQueue);
        return (net, console, netBuffers, consoleBuffers);
    }

    private static Outcome Observe(Machine m, (VirtioTestDriver Net, VirtioTestDriver Console, ulong NetBuffers, ulong ConsoleBuffers) d) => new(
        d.Net.Mem(d.NetBuffers, 8 * 2048).ToArray(), d.Console.Mem(d.ConsoleBuffers, 8 * 16).ToArray(),
        d.Net.Mem(d.Net.Queue(0).Used, 4 + 8 * 8).ToArray(), d.Console.Mem(d.Console.Queue(0).Used, 4 + 8 * 8).ToArray(),
        ((VirtioNetDevice)m.VirtioDevices[0]).FramesReceived, m.InstructionsExecuted, m.CyclesExecuted);

    private static MachineBuilder Builder(ExecutionEngine engine) =>
        new MachineBuilder().WithEngine(engine).WithKernel(Spin, "spin.bin").WithMemory(64UL << 20);

    [TestMethod]
    [DataRow(ExecutionEngine.Jit, ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Interpreter, ExecutionEngine.Jit)]
    public void FramesAndConsoleInputReplayWithoutTheNetwork(ExecutionEngine recordOn, ExecutionEngine replayOn)
    {
        var network = new NetworkSwitch();
        var peer = network.CreatePort("peer");
        var log = new MemoryStream();
        Outcome recorded;
        using (var m = Builder(recordOn).WithNetwork(network).WithConsole(Stream.Null).Build())
        {
            var d = Drive(m);
            m.RecordInput(log);
            var console = (VirtioConsoleDevice)m.VirtioDevices[1];
            for (int i = 0; i < 5; i++)
            {
                m.Run(123_457 * (ulong)(i + 1));
                byte[] frame = [.. VirtioNetDevice.DefaultMac, 0x02, 0, 0, 0, 0, (byte)i, 0x88, 0xb5, .. Enumerable.Range(0, 40 + i).Select(b => (byte)(b * i))];
                peer.Send(frame); // queued by the machine's QueuedNetBackend, delivered at its next poll
                if (i % 2 == 0) console.Inject(System.Text.Encoding.ASCII.GetBytes($"input {i}\n"));
            }
            m.Run(400_000);
            recorded = Observe(m, d);
        }
        Assert.AreEqual(5L, recorded.Frames);
        Assert.IsTrue(recorded.ConsoleBuffers.AsSpan().IndexOf("input 4"u8) >= 0, "console input delivered");
        string text = System.Text.Encoding.ASCII.GetString(log.ToArray());
        Assert.AreEqual(5, text.Split('\n').Count(l => l.StartsWith("n0 ", StringComparison.Ordinal)), text);
        Assert.IsTrue(text.Split('\n').Any(l => l.StartsWith("c1 ", StringComparison.Ordinal)), text);

        using var r = Builder(replayOn).WithNetwork(new DisconnectedNetBackend(), VirtioNetDevice.DefaultMac.ToArray()).WithConsole(Stream.Null).Build();
        var rd = Drive(r);
        r.ReplayInput(new MemoryStream(log.ToArray()));
        var exit = r.Run(recorded.Instructions);
        Assert.AreEqual(StopReason.InstructionLimit, exit.Reason, exit.Message);
        var replayed = Observe(r, rd);
        Assert.AreEqual(recorded.Frames, replayed.Frames);
        CollectionAssert.AreEqual(recorded.NetBuffers, replayed.NetBuffers);
        CollectionAssert.AreEqual(recorded.ConsoleBuffers, replayed.ConsoleBuffers);
        CollectionAssert.AreEqual(recorded.NetUsed, replayed.NetUsed);
        CollectionAssert.AreEqual(recorded.ConsoleUsed, replayed.ConsoleUsed);
        Assert.AreEqual(recorded.Cycles, replayed.Cycles);
    }

    [TestMethod]
    public void AReplayedMachineTakesNoConsoleInputStream()
    {
        using var m = Builder(ExecutionEngine.Interpreter).WithConsole(Stream.Null, new MemoryStream()).Build();
        Assert.AreEqual("a replayed machine takes its virtio-console input from the log only",
            Assert.ThrowsExactly<InvalidOperationException>(() => m.ReplayInput(new MemoryStream())).Message);
    }
}
