using ArmVirt.Core;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Machine;

// The virtio devices of the machine. Devices fill the 32 virtio-mmio slots in the order they are added, from the
// highest slot down, as QEMU plugs its -device list into -M virt: the first device lands at 0x0a003e00 (slot 31),
// which Linux probes first, so the first block device is /dev/vda and the first network device eth0.
public sealed partial class MachineBuilder
{
    /// <summary>Creates one virtio device for the machine being built, given its virtual clock.</summary>
    public delegate VirtioDevice VirtioDeviceFactory(VirtualClock clock);

    private readonly List<VirtioDeviceFactory> _virtioDevices = new();

    /// <summary>
    /// Adds any virtio device, created by <paramref name="create"/> when the machine is built. The machine owns it:
    /// a device that is <see cref="IDisposable"/> is disposed with the machine. Devices take slots from 31 down in
    /// the order added.
    /// </summary>
    public MachineBuilder WithVirtioDevice(VirtioDeviceFactory create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _virtioDevices.Add(create);
        return this;
    }

    /// <summary>
    /// Adds a virtio-blk disk backed by the raw image file <paramref name="path"/> (QEMU's
    /// <c>-drive file=PATH,format=raw[,readonly=on][,snapshot=on]</c>). Read-write images are written in place and
    /// flushed when the guest asks and when the machine is disposed; <paramref name="snapshot"/> keeps every write in a
    /// copy-on-write overlay in memory and never writes the file. A missing or unopenable file fails <see cref="Build"/>.
    /// </summary>
    public MachineBuilder WithBlockDevice(string path, bool readOnly = false, bool snapshot = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WithVirtioDevice(_ => new VirtioBlockDevice(OpenImage(path, readOnly, snapshot)));
    }

    /// <summary>Adds a virtio-blk disk over <paramref name="backend"/>; the machine disposes the backend.</summary>
    public MachineBuilder WithBlockDevice(IBlockBackend backend, string serial = "")
    {
        ArgumentNullException.ThrowIfNull(backend);
        return WithVirtioDevice(_ => new VirtioBlockDevice(backend, serial));
    }

    /// <summary>
    /// Adds a virtio-net device on <paramref name="backend"/> (the machine disposes it). A backend that receives on
    /// other threads must report <see cref="INetBackend.NeedsPolling"/>; it is then polled on virtual time.
    /// <paramref name="mac"/> defaults to QEMU's 52:54:00:12:34:56.
    /// </summary>
    public MachineBuilder WithNetwork(INetBackend backend, byte[]? mac = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        CheckMac(mac);
        return WithVirtioDevice(clock => new VirtioNetDevice(backend, mac, clock));
    }

    /// <summary>
    /// Adds a virtio-net device on a new port of <paramref name="network"/>. Machines built on the same switch talk to
    /// each other, each on its own thread if wanted (frames reach a machine through a <see cref="QueuedNetBackend"/>,
    /// on its own thread); set <see cref="NetworkSwitch.Capture"/> to record the traffic. The default MAC is
    /// 52:54:00:12:34:56 plus the port's index on the switch, so machines on one switch get distinct addresses.
    /// </summary>
    public MachineBuilder WithNetwork(NetworkSwitch network, byte[]? mac = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        CheckMac(mac);
        return WithVirtioDevice(clock =>
        {
            var port = network.CreatePort();
            byte[] address = mac ?? VirtioNetDevice.DefaultMac.ToArray();
            if (mac == null) address[5] = (byte)(address[5] + network.Ports.Count - 1);
            return new VirtioNetDevice(new QueuedNetBackend(port), address, clock);
        });
    }

    /// <summary>
    /// Adds a virtio-net device on the Linux TAP interface <paramref name="interfaceName"/> (QEMU's
    /// <c>-netdev tap,ifname=NAME</c>), recording every frame in both directions to the pcap file
    /// <paramref name="pcapPath"/> when given. The interface must exist or the process must be allowed to create it.
    /// </summary>
    public MachineBuilder WithTapNetwork(string interfaceName, string? pcapPath = null, byte[]? mac = null)
    {
        ArgumentNullException.ThrowIfNull(interfaceName);
        CheckMac(mac);
        return WithVirtioDevice(clock =>
        {
            INetBackend backend;
            try { backend = new TapNetBackend(interfaceName); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or DllNotFoundException)
            {
                throw new MachineConfigurationException($"netdev tap '{interfaceName}': {e.Message}", e);
            }
            if (pcapPath != null)
            {
                try { backend = new CapturingNetBackend(backend, new PcapWriter(OpenCapture(pcapPath), clock), ownsCapture: true); }
                catch { backend.Dispose(); throw; }
            }
            return new VirtioNetDevice(backend, mac, clock);
        });
    }

    /// <summary>
    /// Adds a virtio-console (<c>hvc0</c> in Linux): what the guest writes goes to <paramref name="output"/>, bytes read
    /// from <paramref name="input"/> (on a background thread) are offered to the guest on virtual time. The streams
    /// stay the caller's.
    /// </summary>
    public MachineBuilder WithConsole(Stream output, Stream? input = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        return WithVirtioDevice(clock => new VirtioConsoleDevice(output, input, clock));
    }

    /// <summary>Adds a virtio-rng whose bytes come from a generator seeded with <paramref name="seed"/>: repeatable runs.</summary>
    public MachineBuilder WithRng(ulong seed = 0) => WithRng(new DeterministicEntropySource(seed));

    /// <summary>Adds a virtio-rng fed by <paramref name="source"/> (e.g. <see cref="HostEntropySource"/>).</summary>
    public MachineBuilder WithRng(IEntropySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return WithVirtioDevice(_ => new VirtioRngDevice(source));
    }

    private static void CheckMac(byte[]? mac)
    {
        if (mac != null && mac.Length != 6)
            throw new ArgumentException($"A MAC address has 6 bytes, not {mac.Length}.", nameof(mac));
    }

    // Creates the configured devices and the 32 transports, device n in slot 31 - n; the rest stay empty slots.
    private (VirtioMmioTransport[] Transports, VirtioDevice[] Devices) BuildVirtio(PhysicalBus bus, VirtualClock clock)
    {
        if (_virtioDevices.Count > VirtioMmioLayout.SlotCount)
            throw new MachineConfigurationException(
                $"virtio devices: {_virtioDevices.Count} given, the virt machine has {VirtioMmioLayout.SlotCount} virtio-mmio slots");
        var devices = new List<VirtioDevice>(_virtioDevices.Count);
        try
        {
            foreach (var create in _virtioDevices) devices.Add(create(clock));
        }
        catch
        {
            DisposeAll(devices);
            throw;
        }
        var transports = new VirtioMmioTransport[VirtioMmioLayout.SlotCount];
        for (int n = 0; n < transports.Length; n++)
        {
            int index = VirtioMmioLayout.SlotCount - 1 - n;
            var device = index < devices.Count ? devices[index] : null;
            transports[n] = new VirtioMmioTransport(bus, device, VirtioMmioVersion.Modern, $"virtio-mmio@{VirtioMmioLayout.SlotBase(n):x}");
        }
        return (transports, devices.ToArray());
    }

    // Devices with a periodic VirtualClock event (see the virtio README, "Threading and time").
    private static bool KeepsClockBusy(IEnumerable<VirtioDevice> devices) =>
        devices.Any(d => d is VirtioConsoleDevice or VirtioNetDevice { Backend.NeedsPolling: true });

    internal static void DisposeAll(IEnumerable<VirtioDevice> devices)
    {
        foreach (var d in devices) (d as IDisposable)?.Dispose();
    }

    private static IBlockBackend OpenImage(string path, bool readOnly, bool snapshot)
    {
        string what = $"drive '{path}'";
        if (Directory.Exists(path)) throw new MachineConfigurationException($"{what}: is a directory, not a disk image");
        try
        {
            // snapshot=on reads the image and keeps the guest's writes in memory, so the file is opened read-only.
            var file = new RawFileBlockBackend(path, readOnly || snapshot);
            if (file.Length == 0)
            {
                // An empty file, or a character device that seeks but has no size (/dev/zero): no sector to give.
                file.Dispose();
                throw new MachineConfigurationException($"{what}: not a disk image (it has no size: an empty file or a device?)");
            }
            return snapshot && !readOnly ? new CopyOnWriteBlockBackend(file) : file;
        }
        catch (FileNotFoundException e) { throw new MachineConfigurationException($"{what}: file not found", e); }
        catch (DirectoryNotFoundException e) { throw new MachineConfigurationException($"{what}: file not found", e); }
        catch (UnauthorizedAccessException e)
        {
            throw new MachineConfigurationException(readOnly || snapshot
                ? $"{what}: permission denied"
                : $"{what}: cannot open for writing (permission denied); use readonly=on or snapshot=on", e);
        }
        catch (IOException e) { throw new MachineConfigurationException($"{what}: {e.Message}", e); }
        catch (NotSupportedException e)
        {
            // A pipe, socket or character device opens but has no size or offsets.
            throw new MachineConfigurationException($"{what}: not a disk image (it cannot seek: a pipe or a character device?)", e);
        }
    }

    private static FileStream OpenCapture(string path)
    {
        try { return new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MachineConfigurationException($"pcap '{path}': {e.Message}", e);
        }
    }
}
