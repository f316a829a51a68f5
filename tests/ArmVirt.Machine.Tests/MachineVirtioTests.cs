using ArmVirt.Devices.Virtio;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>Virtio devices attached through <see cref="MachineBuilder"/>: slots, ownership, errors.</summary>
[TestClass]
public sealed class MachineVirtioTests
{
    private static MachineBuilder Raw() => new MachineBuilder().WithKernel(Pattern(16, 1), "raw");

    private static uint ReadSlot(Machine m, int slot, ulong offset)
    {
        Assert.IsTrue(m.Bus.TryRead(VirtioMmioLayout.SlotBase(slot) + offset, 4, out ulong v));
        return (uint)v;
    }

    private sealed class RecordingBackend(long length) : IBlockBackend
    {
        public int Flushes, Disposals;
        public long Length => length;
        public bool IsReadOnly => false;
        public void Read(long offset, Span<byte> destination) => destination.Clear();
        public void Write(long offset, ReadOnlySpan<byte> source) { }
        public void Flush() => Flushes++;
        public void WriteZeroes(long offset, long length) { }
        public void Discard(long offset, long length) { }
        public void Dispose() => Disposals++;
    }

    [TestMethod]
    public void DevicesFillSlotsFromTheHighestDownAsQemuDoes()
    {
        using var machine = Raw()
            .WithBlockDevice(new MemoryBlockBackend(1 << 20), "disk0")
            .WithNetwork(new NetworkSwitch())
            .WithRng(42)
            .WithConsole(Stream.Null)
            .Build();
        // QEMU's first -device lands at 0x0a003e00 (slot 31), which Linux probes first.
        Assert.AreEqual((uint)VirtioDeviceType.Block, ReadSlot(machine, 31, 0x008));
        Assert.AreEqual((uint)VirtioDeviceType.Network, ReadSlot(machine, 30, 0x008));
        Assert.AreEqual((uint)VirtioDeviceType.EntropySource, ReadSlot(machine, 29, 0x008));
        Assert.AreEqual((uint)VirtioDeviceType.Console, ReadSlot(machine, 28, 0x008));
        for (int slot = 0; slot < 28; slot++)
        {
            Assert.AreEqual(VirtioMmioTransport.Magic, ReadSlot(machine, slot, 0x000));
            Assert.AreEqual(0u, ReadSlot(machine, slot, 0x008), $"slot {slot} is empty");
        }
        Assert.AreEqual(4, machine.VirtioDevices.Count);
        Assert.AreSame(machine.VirtioDevices[0], machine.VirtioSlots[31].Device);
        Assert.AreSame(machine.VirtioDevices[3], machine.VirtioSlots[28].Device);
        // 1 MiB in sectors, in the config space at 0x100.
        Assert.AreEqual(2048u, ReadSlot(machine, 31, 0x100));
    }

    [TestMethod]
    public void MachinesOnOneSwitchGetDistinctMacsAndTheMachineDisposesItsDevices()
    {
        var network = new NetworkSwitch();
        var backend = new RecordingBackend(4096);
        var a = Raw().WithNetwork(network).WithBlockDevice(backend).Build();
        using var b = Raw().WithNetwork(network).Build();
        using var c = Raw().WithNetwork(network, [2, 0, 0, 0, 0, 9]).Build();
        CollectionAssert.AreEqual(new byte[] { 0x52, 0x54, 0, 0x12, 0x34, 0x56 }, ((VirtioNetDevice)a.VirtioDevices[0]).Mac.ToArray());
        CollectionAssert.AreEqual(new byte[] { 0x52, 0x54, 0, 0x12, 0x34, 0x57 }, ((VirtioNetDevice)b.VirtioDevices[0]).Mac.ToArray());
        CollectionAssert.AreEqual(new byte[] { 2, 0, 0, 0, 0, 9 }, ((VirtioNetDevice)c.VirtioDevices[0]).Mac.ToArray());
        Assert.AreEqual(3, network.Ports.Count);
        a.Dispose();
        Assert.AreEqual(1, backend.Disposals, "the block backend is disposed with the machine");
        Assert.AreEqual(2, network.Ports.Count, "the switch port is disconnected with the machine");
        a.Dispose();
        Assert.AreEqual(1, backend.Disposals, "a second Dispose does nothing");
    }

    [TestMethod]
    public void ImageFilesAreWrittenInPlaceOrNeverWithSnapshot()
    {
        byte[] original = Pattern(64 * 1024, 3);
        using var image = new TempFile(original);
        using (var machine = Raw().WithBlockDevice(image.Path, snapshot: true).Build())
        {
            var disk = (VirtioBlockDevice)machine.VirtioDevices[0];
            Assert.AreEqual(128UL, disk.Capacity);
            Assert.IsFalse(disk.Backend.IsReadOnly, "snapshot=on is writable for the guest");
            disk.Backend.Write(512, new byte[512]);
            var back = new byte[512];
            disk.Backend.Read(512, back);
            Assert.IsTrue(back.All(x => x == 0));
        }
        CollectionAssert.AreEqual(original, File.ReadAllBytes(image.Path), "snapshot=on never writes the image");

        using (var machine = Raw().WithBlockDevice(image.Path, readOnly: true).Build())
        {
            var disk = (VirtioBlockDevice)machine.VirtioDevices[0];
            Assert.IsTrue(disk.Backend.IsReadOnly);
            Assert.AreNotEqual(0UL, disk.DeviceFeatures & (1UL << VirtioBlockDevice.FeatureReadOnly));
        }

        using (var machine = Raw().WithBlockDevice(image.Path).Build())
            ((VirtioBlockDevice)machine.VirtioDevices[0]).Backend.Write(0, Pattern(512, 9));
        CollectionAssert.AreEqual(Pattern(512, 9), File.ReadAllBytes(image.Path)[..512]);
    }

    [TestMethod]
    public void SystemResetResetsTheVirtioTransports()
    {
        // mov w0, #9; movk w0, #0x8400, lsl #16; hvc #0: PSCI SYSTEM_RESET (0x84000009) through HVC at EL1.
        byte[] reset = [0x20, 0x01, 0x80, 0x52, 0x00, 0x80, 0xb0, 0x72, 0x02, 0x00, 0x00, 0xd4];
        using var machine = new MachineBuilder().WithKernel(reset, "reset.bin").WithRng().Build();
        ulong status = VirtioMmioLayout.SlotBase(31) + 0x070;
        Assert.IsTrue(machine.Bus.TryWrite(status, 4, 3)); // ACKNOWLEDGE | DRIVER, as a driver starting up
        Assert.AreEqual(3u, ReadSlot(machine, 31, 0x070));
        machine.Run(10);
        Assert.IsGreaterThanOrEqualTo(1, machine.ResetCount);
        Assert.AreEqual(0u, ReadSlot(machine, 31, 0x070), "a machine reset resets the device, as a power cycle");
    }

    [TestMethod]
    public void LiveSerialInputReachesTheUartWhileAPolledDeviceKeepsTheClockBusy()
    {
        // UARTCR = UARTEN | TXE | RXE, then wfi forever: interrupts masked, no more instructions retire.
        uint[] code = [0xd2a12001, 0x52806022, 0xb9003022, 0xd503207f, 0x17ffffff];
        byte[] image = code.SelectMany(BitConverter.GetBytes).ToArray();
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var input = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        try
        {
            // The switch port's queue is polled on virtual time: the clock always has a next event, so the CPU never
            // blocks waiting for host input.
            using var machine = new MachineBuilder().WithKernel(image, "idle.bin").WithNetwork(new NetworkSwitch())
                .WithSerial(Stream.Null, input).Build();
            var run = new Thread(() => machine.Run()) { IsBackground = true };
            int received;
            run.Start();
            try
            {
                Thread.Sleep(300); // asleep in WFI by now, skipping from poll event to poll event
                pipe.Write("x"u8);
                pipe.Flush();
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (machine.Uart.ReceiveFifoCount == 0 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            }
            finally
            {
                machine.RequestStop();
                Assert.IsTrue(run.Join(TimeSpan.FromSeconds(30)), "the machine stops");
                received = machine.Uart.ReceiveFifoCount;
            }
            Assert.IsLessThanOrEqualTo(4UL, machine.Cpu.State.Instructions, "the CPU slept in WFI throughout");
            Assert.AreEqual(1, received, "the byte reached the receive FIFO while the CPU slept");
        }
        finally
        {
            // The write end first: the input reader's blocked read then ends, and closing the read end cannot hang.
            pipe.Dispose();
            input.Dispose();
        }
    }

    private static string Fails(Func<MachineBuilder, MachineBuilder> configure)
    {
        var e = Assert.ThrowsExactly<MachineConfigurationException>(() => configure(Raw()).Build().Dispose());
        Assert.IsFalse(e.Message.Contains('\n'), "one line");
        return e.Message;
    }

    [TestMethod]
    public void BadDrivesAreOneLineErrors()
    {
        Assert.AreEqual("drive '/nonexistent/disk.img': file not found", Fails(b => b.WithBlockDevice("/nonexistent/disk.img")));
        string dir = Path.GetTempPath();
        Assert.AreEqual($"drive '{dir}': is a directory, not a disk image", Fails(b => b.WithBlockDevice(dir)));
        Assert.AreEqual("virtio devices: 33 given, the virt machine has 32 virtio-mmio slots",
            Fails(b => { for (int i = 0; i < 33; i++) b.WithRng(); return b; }));
    }

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void APipeIsNotADiskImage()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"armvirt-fifo-{Guid.NewGuid():N}");
        using (var mk = System.Diagnostics.Process.Start("mkfifo", fifo)) mk.WaitForExit();
        try
        {
            // Opened read-write (a pipe then needs no other end), it has no size: one line, not NotSupportedException.
            Assert.AreEqual($"drive '{fifo}': not a disk image (it cannot seek: a pipe or a character device?)", Fails(b => b.WithBlockDevice(fifo)));
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    private const string RootReadOnlyFile = "/sys/kernel/uevent_seqnum";

    [TestMethod]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void ReadOnlyFileForReadWriteDriveIsRejected()
    {
        using var image = new TempFile(new byte[4096]);
        File.SetUnixFileMode(image.Path, UnixFileMode.UserRead);
        try
        {
            // Root opens a mode-0400 file for writing anyway; a read-only sysfs attribute refuses everyone.
            string readOnly = image.Path;
            try { using (File.OpenWrite(image.Path)) { } readOnly = RootReadOnlyFile; }
            catch (UnauthorizedAccessException) { }
            if (!File.Exists(readOnly)) Assert.Inconclusive($"running as root and {RootReadOnlyFile} is missing");
            Assert.AreEqual($"drive '{readOnly}': cannot open for writing (permission denied); use readonly=on or snapshot=on",
                Fails(b => b.WithBlockDevice(readOnly)));
            using var machine = Raw().WithBlockDevice(image.Path, snapshot: true).Build();
            Assert.AreEqual(8UL, ((VirtioBlockDevice)machine.VirtioDevices[0]).Capacity);
        }
        finally { File.SetUnixFileMode(image.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite); }
    }

    [TestMethod]
    public void FailedBuildDisposesTheDevicesItCreated()
    {
        var backend = new RecordingBackend(4096);
        StringAssert.Contains(Fails(b => b.WithBlockDevice(backend).WithInitrd("/nope/initrd")), "initrd '/nope/initrd'");
        // The initrd is read before anything is created, so the backend was never wrapped in a device...
        Assert.AreEqual(0, backend.Disposals);
        // ... but an error while creating later devices disposes the earlier ones.
        var first = new RecordingBackend(4096);
        StringAssert.Contains(Fails(b => b.WithBlockDevice(first).WithBlockDevice("/nonexistent/x.img")), "file not found");
        Assert.AreEqual(1, first.Disposals);
    }
}
