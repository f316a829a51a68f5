using System.Text;
using ArmVirt.Core;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Devices.Virtio.Tests;

[TestClass]
public sealed class ConsoleAndRngTests
{
    [TestMethod]
    public void ConsoleOutputGoesToTheStream()
    {
        var output = new MemoryStream();
        using var d = new VirtioTestDriver(new VirtioConsoleDevice(output));
        Assert.AreEqual(3u, d.Read(0x008));
        d.Initialize(size: 8);
        var hello = Encoding.ASCII.GetBytes("Hello, ");
        var world = Encoding.ASCII.GetBytes("virtio!\n");
        d.Add(1, (d.PutNew(hello), (uint)hello.Length, false), (d.PutNew(world), (uint)world.Length, false));
        d.Notify(1);
        Assert.AreEqual((0u, 0u), d.TakeUsed(1).Single() with { Id = 0 });
        Assert.AreEqual("Hello, virtio!\n", Encoding.ASCII.GetString(output.ToArray()));
        Assert.AreEqual(1u, d.Read(0x60));
    }

    [TestMethod]
    public void ConsoleConfigAndEmergencyWrite()
    {
        var output = new MemoryStream();
        var console = new VirtioConsoleDevice(output, columns: 132, rows: 43);
        using var d = new VirtioTestDriver(console);
        ulong f = d.DeviceFeatures();
        Assert.AreNotEqual(0ul, f & (1UL << VirtioConsoleDevice.FeatureSize));
        Assert.AreNotEqual(0ul, f & (1UL << VirtioConsoleDevice.FeatureEmergencyWrite));
        Assert.AreEqual(0ul, f & (1UL << VirtioConsoleDevice.FeatureMultiport));
        Assert.AreEqual(132u, d.Read(0x100, 2));
        Assert.AreEqual(43u, d.Read(0x102, 2));
        Assert.AreEqual(1u, d.Read(0x104));
        d.Initialize(size: 8);
        d.Write(0x108, 'X');
        d.Write(0x108, '!');
        Assert.AreEqual("X!", Encoding.ASCII.GetString(output.ToArray()));
        Assert.AreEqual(0u, d.Read(0x108));
        console.Resize(100, 30);
        Assert.AreEqual(100u, d.Read(0x100, 2));
        Assert.AreEqual(2u, d.Read(0x60));
    }

    [TestMethod]
    public void ConsoleInputWaitsForBuffersAndIsSplitAcrossThem()
    {
        var console = new VirtioConsoleDevice(null);
        using var d = new VirtioTestDriver(console);
        d.Initialize(size: 8);
        console.Inject("abcdefghij"u8);
        console.Poll();
        Assert.AreEqual(10, console.PendingInput);
        ulong b1 = d.Alloc(4), b2 = d.Alloc(4);
        d.Add(0, (b1, 4, true));
        d.Add(0, (b2, 4, true));
        d.Notify(0);
        var used = d.TakeUsed(0);
        Assert.AreEqual(2, used.Count);
        Assert.AreEqual(4u, used[0].Len);
        Assert.AreEqual("abcd", Encoding.ASCII.GetString(d.Mem(b1, 4)));
        Assert.AreEqual("efgh", Encoding.ASCII.GetString(d.Mem(b2, 4)));
        Assert.AreEqual(2, console.PendingInput);
        ulong b3 = d.Alloc(16);
        d.Add(0, (b3, 16, true));
        d.Notify(0);
        Assert.AreEqual(2u, d.TakeUsed(0).Single().Len);
        Assert.AreEqual("ij", Encoding.ASCII.GetString(d.Mem(b3, 2)));
    }

    [TestMethod]
    [Timeout(30_000, CooperativeCancellation = true)]
    public void ConsoleInputStreamIsPolledOnVirtualTime()
    {
        var host = new BlockingInputStream();
        var clock = new VirtualClock();
        var console = new VirtioConsoleDevice(null, host, clock, pollIntervalCycles: 1000);
        using var d = new VirtioTestDriver(console);
        d.Initialize(size: 8);
        ulong b = d.Alloc(64);
        d.Add(0, (b, 64, true));
        d.Notify(0);
        Assert.AreEqual(0, d.TakeUsed(0).Count);
        host.Feed("ls\n"u8.ToArray());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (console.PendingInput < 3 && DateTime.UtcNow < deadline) Thread.Sleep(5);
        Assert.AreEqual(0, d.TakeUsed(0).Count, "nothing reaches the guest outside the emulation thread");
        clock.AdvanceTo(1000);
        Assert.AreEqual(3u, d.TakeUsed(0).Single().Len);
        Assert.AreEqual("ls\n", Encoding.ASCII.GetString(d.Mem(b, 3)));
        console.Dispose();
        host.Feed("after"u8.ToArray());
        clock.AdvanceTo(100_000);
        Assert.AreEqual(0, d.TakeUsed(0).Count, "no input after disposal");
        host.Dispose();
    }

    /// <summary>A host input stream whose reads block until the test feeds bytes or disposes it.</summary>
    private sealed class BlockingInputStream : Stream
    {
        private readonly System.Collections.Concurrent.BlockingCollection<byte[]> _chunks = new();
        public bool Disposed { get; private set; }
        public void Feed(byte[] data) => _chunks.Add(data);
        public override int Read(byte[] buffer, int offset, int count)
        {
            foreach (var chunk in _chunks.GetConsumingEnumerable())
            {
                chunk.CopyTo(buffer, offset);
                return chunk.Length;
            }
            return 0;
        }
        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            _chunks.CompleteAdding();
            base.Dispose(disposing);
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [TestMethod]
    public void ConsoleInputOverflowIsCounted()
    {
        var console = new VirtioConsoleDevice(null);
        console.Inject(new byte[VirtioConsoleDevice.InputCapacity - 10]);
        console.Inject(new byte[30]);
        Assert.AreEqual(20, console.InputDropped);
        Assert.AreEqual(VirtioConsoleDevice.InputCapacity, console.PendingInput);
    }

    [TestMethod]
    public void RngIsDeterministicBySeed()
    {
        byte[] Run(ulong seed)
        {
            using var d = new VirtioTestDriver(new VirtioRngDevice(new DeterministicEntropySource(seed)));
            Assert.AreEqual(4u, d.Read(0x008));
            d.Initialize(size: 8);
            ulong a = d.Alloc(13), b = d.Alloc(40);
            d.Add(0, (a, 13, true), (b, 40, true));
            d.Notify(0);
            Assert.AreEqual(53u, d.TakeUsed(0).Single().Len);
            Assert.AreEqual(1u, d.Read(0x60));
            return d.Mem(a, 13).ToArray().Concat(d.Mem(b, 40).ToArray()).ToArray();
        }
        var x = Run(42);
        CollectionAssert.AreEqual(x, Run(42));
        CollectionAssert.AreNotEqual(x, Run(43));
        Assert.IsTrue(x.Distinct().Count() > 30, "bytes look random");
        // The default device is seeded with 0 and therefore equal to an explicit seed 0.
        var expected = new byte[16];
        new DeterministicEntropySource(0).Fill(expected);
        using var d0 = new VirtioTestDriver(new VirtioRngDevice());
        d0.Initialize(size: 8);
        ulong buf = d0.Alloc(16);
        d0.Add(0, (buf, 16, true));
        d0.Notify(0);
        CollectionAssert.AreEqual(expected, d0.Mem(buf, 16).ToArray());
    }

    [TestMethod]
    [DataRow(0UL, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL)]
    [DataRow(42UL, 0x15780b2e0c2ec716UL, 0x6104d9866d113a7eUL, 0xae17533239e499a1UL)]
    public void Xoshiro256StarStarReferenceValues(ulong seed, ulong first, ulong second, ulong third)
    {
        // Expected values from the reference C xoshiro256** seeded with four SplitMix64 outputs (built with gcc).
        var g = new DeterministicEntropySource(seed);
        Assert.AreEqual(first, g.Next());
        Assert.AreEqual(second, g.Next());
        Assert.AreEqual(third, g.Next());
    }
}
