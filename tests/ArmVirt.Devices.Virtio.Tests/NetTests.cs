using System.Buffers.Binary;
using ArmVirt.Core;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

[TestClass]
public sealed class NetTests
{
    private static readonly byte[] MacA = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0A];
    private static readonly byte[] MacB = [0x52, 0x54, 0x00, 0x00, 0x00, 0x0B];
    private static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    private static byte[] Frame(byte[] dst, byte[] src, int payload, byte seed)
    {
        var f = new byte[14 + payload];
        dst.CopyTo(f, 0);
        src.CopyTo(f, 6);
        f[12] = 0x88; f[13] = 0xB5; // local experimental EtherType
        for (int i = 0; i < payload; i++) f[14 + i] = (byte)(seed + i);
        return f;
    }

    private static List<ulong> PostReceiveBuffers(VirtioTestDriver d, int count, int size = 1526)
    {
        var list = new List<ulong>();
        for (int i = 0; i < count; i++)
        {
            ulong b = d.Alloc(size);
            d.Add(VirtioNetDevice.ReceiveQueue, (b, (uint)size, true));
            list.Add(b);
        }
        d.Notify(VirtioNetDevice.ReceiveQueue);
        return list;
    }

    private static void SendFrame(VirtioTestDriver d, byte[] frame, int headerLength = 12, bool split = true)
    {
        var header = new byte[headerLength];
        if (split) d.Add(VirtioNetDevice.TransmitQueue, (d.PutNew(header), (uint)headerLength, false), (d.PutNew(frame), (uint)frame.Length, false));
        else d.Add(VirtioNetDevice.TransmitQueue, (d.PutNew(header.Concat(frame).ToArray()), (uint)(headerLength + frame.Length), false));
        d.Notify(VirtioNetDevice.TransmitQueue);
        var used = d.TakeUsed(VirtioNetDevice.TransmitQueue);
        Assert.AreEqual(1, used.Count);
        Assert.AreEqual(0u, used[0].Len, "transmit buffers are only read");
    }

    [TestMethod]
    public void ConfigurationHasMacAndLinkStatus()
    {
        using var d = new VirtioTestDriver(new VirtioNetDevice(new NetworkSwitch().CreatePort(), MacA));
        Assert.AreEqual(1u, d.Read(0x008));
        ulong f = d.DeviceFeatures();
        Assert.AreNotEqual(0ul, f & (1UL << VirtioNetDevice.FeatureMac));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioNetDevice.FeatureStatus));
        Assert.AreEqual(0ul, f & 0x7F87UL, "no checksum, guest-offload or GSO features offered");
        for (int i = 0; i < 6; i++) Assert.AreEqual(MacA[i], (byte)d.Read(0x100 + (ulong)i, 1));
        Assert.AreEqual(1u, d.Read(0x106, 2));
        d.Initialize();
        var net = (VirtioNetDevice)d.Transport.Device!;
        uint gen = d.Read(0xFC);
        net.LinkUp = false;
        Assert.AreEqual(0u, d.Read(0x106, 2));
        Assert.AreEqual(gen + 1, d.Read(0xFC));
        Assert.AreEqual(2u, d.Read(0x60));
    }

    [TestMethod]
    public void TwoDevicesThroughTheSwitchWithPcap()
    {
        var sw = new NetworkSwitch();
        var pcap = new MemoryStream();
        var clock = new VirtualClock();
        sw.Capture = new PcapWriter(pcap, clock, leaveOpen: true);
        var netA = new VirtioNetDevice(sw.CreatePort("a"), MacA);
        var netB = new VirtioNetDevice(sw.CreatePort("b"), MacB);
        var watcher = sw.CreatePort("watcher");
        var seenByWatcher = new List<byte[]>();
        watcher.Receiver = f => seenByWatcher.Add(f.ToArray());
        using var a = new VirtioTestDriver(netA);
        using var b = new VirtioTestDriver(netB);
        a.Initialize(size: 8);
        b.Initialize(size: 8);
        var rxA = PostReceiveBuffers(a, 4);
        var rxB = PostReceiveBuffers(b, 4);

        // A -> B: B's MAC is unknown yet, so the frame is flooded (B and the watcher get it).
        var f1 = Frame(MacB, MacA, 100, 1);
        SendFrame(a, f1);
        var usedB = b.TakeUsed(VirtioNetDevice.ReceiveQueue);
        Assert.AreEqual(1, usedB.Count);
        Assert.AreEqual((uint)(12 + f1.Length), usedB[0].Len);
        var hdr = b.Mem(rxB[0], 12).ToArray();
        Assert.AreEqual(1, BinaryPrimitives.ReadUInt16LittleEndian(hdr.AsSpan(10)), "num_buffers = 1");
        Assert.IsTrue(hdr.Take(10).All(x => x == 0));
        CollectionAssert.AreEqual(f1, b.Mem(rxB[0] + 12, f1.Length).ToArray());
        Assert.AreEqual(1, seenByWatcher.Count);
        Assert.AreEqual(1u, b.Read(0x60) & 1);

        // B -> A: A was learned, so only A gets it.
        clock.AdvanceTo(2_500_000_000); // 2.5 s
        var f2 = Frame(MacA, MacB, 60, 9);
        SendFrame(b, f2, split: false);
        var usedA = a.TakeUsed(VirtioNetDevice.ReceiveQueue);
        Assert.AreEqual(1, usedA.Count);
        CollectionAssert.AreEqual(f2, a.Mem(rxA[0] + 12, f2.Length).ToArray());
        Assert.AreEqual(1, seenByWatcher.Count, "unicast to a learned address is not flooded");
        Assert.AreSame(sw.Ports[0], sw.Lookup(MacA));

        // Broadcast reaches everybody but the sender.
        var f3 = Frame(Broadcast, MacA, 46, 3);
        SendFrame(a, f3);
        Assert.AreEqual(1, b.TakeUsed(0).Count);
        Assert.AreEqual(0, a.TakeUsed(0).Count);
        Assert.AreEqual(2, seenByWatcher.Count);
        Assert.AreEqual(2, netA.FramesSent);
        Assert.AreEqual(2, netB.FramesReceived);

        // Parse the capture back.
        var bytes = pcap.ToArray();
        Assert.AreEqual(0xA1B2C3D4u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.AreEqual(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)));
        Assert.AreEqual(4, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)));
        Assert.AreEqual(65535u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.AreEqual(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(20)));
        var frames = new List<(uint Sec, uint Usec, byte[] Data)>();
        int p = 24;
        while (p < bytes.Length)
        {
            uint sec = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p));
            uint usec = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 4));
            int incl = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 8));
            Assert.AreEqual((uint)incl, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(p + 12)));
            frames.Add((sec, usec, bytes.AsSpan(p + 16, incl).ToArray()));
            p += 16 + incl;
        }
        Assert.AreEqual(p, bytes.Length);
        Assert.AreEqual(3, frames.Count);
        CollectionAssert.AreEqual(f1, frames[0].Data);
        CollectionAssert.AreEqual(f2, frames[1].Data);
        CollectionAssert.AreEqual(f3, frames[2].Data);
        Assert.AreEqual((0u, 0u), (frames[0].Sec, frames[0].Usec));
        Assert.AreEqual((2u, 500_000u), (frames[1].Sec, frames[1].Usec));
    }

    [TestMethod]
    public void FramesWaitForReceiveBuffers()
    {
        var sw = new NetworkSwitch();
        var host = sw.CreatePort("host");
        var net = new VirtioNetDevice(sw.CreatePort("guest"), MacA);
        using var d = new VirtioTestDriver(net);
        host.Send(Frame(MacA, MacB, 20, 0));
        Assert.AreEqual(1, net.ReceiveDropped, "dropped before DRIVER_OK");
        d.Initialize(size: 8);
        for (byte i = 1; i <= 3; i++) host.Send(Frame(MacA, MacB, 20, i));
        Assert.AreEqual(0, d.TakeUsed(0).Count);
        var rx = PostReceiveBuffers(d, 2);
        var used = d.TakeUsed(0);
        Assert.AreEqual(2, used.Count);
        Assert.AreEqual((byte)1, d.Mem(rx[0] + 12 + 14, 1)[0]);
        Assert.AreEqual((byte)2, d.Mem(rx[1] + 12 + 14, 1)[0]);
        rx = PostReceiveBuffers(d, 2);
        Assert.AreEqual(1, d.TakeUsed(0).Count);
        Assert.AreEqual((byte)3, d.Mem(rx[0] + 12 + 14, 1)[0], "order kept");
        host.Send(Frame(MacA, MacB, 20, 4));
        Assert.AreEqual(1, d.TakeUsed(0).Count, "a buffer was left over: immediate delivery");
        Assert.AreEqual((byte)4, d.Mem(rx[1] + 12 + 14, 1)[0]);
    }

    [TestMethod]
    public void TooSmallReceiveBufferIsReturnedEmpty()
    {
        var sw = new NetworkSwitch();
        var host = sw.CreatePort("host");
        var net = new VirtioNetDevice(sw.CreatePort("guest"), MacA);
        using var d = new VirtioTestDriver(net);
        d.Initialize(size: 8);
        PostReceiveBuffers(d, 1, size: 64);
        host.Send(Frame(MacA, MacB, 100, 0));
        var used = d.TakeUsed(0);
        Assert.AreEqual(1, used.Count);
        Assert.AreEqual(0u, used[0].Len);
        Assert.AreEqual(1, net.ReceiveDropped);
        Assert.AreEqual(0u, d.Status & 0x40);
    }

    [TestMethod]
    public void LegacyTransportUsesTenByteHeader()
    {
        var sw = new NetworkSwitch();
        var host = sw.CreatePort("host");
        var got = new List<byte[]>();
        host.Receiver = f => got.Add(f.ToArray());
        var net = new VirtioNetDevice(sw.CreatePort("guest"), MacA);
        using var d = new VirtioTestDriver(net, VirtioMmioVersion.Legacy);
        d.Write(0x70, 3);
        d.WriteDriverFeatures(d.DeviceFeatures());
        d.Write(0x28, 4096);
        for (int q = 0; q < 2; q++)
        {
            d.Write(0x30, (uint)q);
            d.Write(0x38, 8);
            ulong ring = d.Alloc(0x2000, 4096);
            d.Write(0x40, (uint)(ring / 4096));
            d.SetQueueState(q, new VirtioTestDriver.QueueState { Size = 8, Desc = ring, Avail = ring + 128, Used = ring + 4096 });
        }
        d.Write(0x70, 7);
        var f = Frame(MacB, MacA, 50, 7);
        SendFrame(d, f, headerLength: 10);
        Assert.AreEqual(1, got.Count);
        CollectionAssert.AreEqual(f, got[0]);
        var rx = PostReceiveBuffers(d, 1);
        host.Send(Frame(MacA, MacB, 30, 5));
        Assert.AreEqual((uint)(10 + 44), d.TakeUsed(0)[0].Len);
        Assert.AreEqual((byte)5, d.Mem(rx[0] + 10 + 14, 1)[0]);
    }

    [TestMethod]
    public void GsoRequestWithoutOffloadIsDropped()
    {
        var sw = new NetworkSwitch();
        var host = sw.CreatePort("host");
        int got = 0;
        host.Receiver = _ => got++;
        var net = new VirtioNetDevice(sw.CreatePort("guest"), MacA);
        using var d = new VirtioTestDriver(net);
        d.Initialize(size: 8);
        var header = new byte[12];
        header[1] = 1; // VIRTIO_NET_HDR_GSO_TCPV4
        var f = Frame(MacB, MacA, 50, 0);
        d.Add(1, (d.PutNew(header.Concat(f).ToArray()), (uint)(12 + f.Length), false));
        d.Notify(1);
        Assert.AreEqual(1, d.TakeUsed(1).Count);
        Assert.AreEqual(0, got);
        Assert.AreEqual(1, net.SendDropped);
    }

    [TestMethod]
    public void CapturingBackendRecordsBothDirections()
    {
        var sw = new NetworkSwitch();
        var host = sw.CreatePort("host");
        var pcap = new MemoryStream();
        var writer = new PcapWriter(pcap, leaveOpen: true);
        var net = new VirtioNetDevice(new CapturingNetBackend(sw.CreatePort("guest"), writer), MacA);
        using var d = new VirtioTestDriver(net);
        d.Initialize(size: 8);
        PostReceiveBuffers(d, 1);
        SendFrame(d, Frame(MacB, MacA, 10, 0));
        host.Send(Frame(MacA, MacB, 10, 0));
        Assert.AreEqual(2, writer.FrameCount);
        Assert.AreEqual(24 + 2 * (16 + 24), pcap.Length);
    }

    [TestMethod]
    public void TapBackendOpensOrFailsClearly()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new TapNetBackend("this-name-is-far-too-long"));
        TapNetBackend tap;
        try { tap = new TapNetBackend("armvirt%d"); }
        catch (IOException e)
        {
            StringAssert.StartsWith(e.Message, "TAP: ");
            Assert.Inconclusive($"no TAP here: {e.Message}");
            return;
        }
        using (tap)
        {
            StringAssert.StartsWith(tap.Name, "armvirt");
            Assert.IsTrue(Directory.Exists($"/sys/class/net/{tap.Name}"));
            var clock = new VirtualClock();
            var net = new VirtioNetDevice(tap, MacA, clock, pollIntervalCycles: 1000);
            using var d = new VirtioTestDriver(net);
            d.Initialize(size: 8);
            // The interface is down: the kernel refuses the frame, which is counted, not thrown.
            SendFrame(d, Frame(Broadcast, MacA, 46, 0));
            Assert.AreEqual(1, net.FramesSent);
            clock.AdvanceTo(5000); // polls run on virtual time without touching the guest when nothing arrived
            Assert.AreEqual(0, d.TakeUsed(0).Count);
            net.Dispose();
        }
        Assert.IsFalse(Directory.Exists($"/sys/class/net/{tap.Name}"), "the interface goes away with its file descriptor");
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void TapBackendDeliversHostFramesToTheGuestOnVirtualTime()
    {
        TapNetBackend tap;
        try { tap = new TapNetBackend("armvirt%d"); }
        catch (IOException e)
        {
            Assert.Inconclusive($"no TAP here: {e.Message}");
            return;
        }
        var clock = new VirtualClock();
        var net = new VirtioNetDevice(tap, MacA, clock, pollIntervalCycles: 1000);
        try
        {
            using var d = new VirtioTestDriver(net);
            d.Initialize(size: 8);
            var rx = PostReceiveBuffers(d, 8);
            // An interface that is up with IPv6 sends MLD reports and router solicitations by itself; no address is
            // configured, so nothing leaves this host: the frames only reach our file descriptor.
            System.Diagnostics.Process ip;
            try { ip = System.Diagnostics.Process.Start("ip", ["link", "set", "dev", tap.Name, "up"]); }
            catch (System.ComponentModel.Win32Exception) { Assert.Inconclusive("no 'ip' command"); return; }
            ip.WaitForExit();
            if (ip.ExitCode != 0) Assert.Inconclusive("cannot bring the TAP interface up");
            ulong now = 0;
            var deadline = DateTime.UtcNow.AddSeconds(20);
            List<(uint Id, uint Len)> used = [];
            while (used.Count == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
                clock.AdvanceTo(now += 1000);
                used = d.TakeUsed(0);
            }
            if (used.Count == 0) Assert.Inconclusive("the kernel sent nothing on the TAP interface (IPv6 disabled?)");
            var first = used[0];
            Assert.IsTrue(first.Len > 12 + 14);
            ulong buffer = rx[(int)first.Id];
            var frame = d.Mem(buffer + 12, (int)first.Len - 12).ToArray();
            Assert.AreEqual(0x86DD, frame[12] << 8 | frame[13], "an IPv6 frame from the host kernel");
            Assert.AreEqual(0x33, frame[0], "to an IPv6 multicast MAC (33:33:...)");
        }
        finally { net.Dispose(); }
    }
}
