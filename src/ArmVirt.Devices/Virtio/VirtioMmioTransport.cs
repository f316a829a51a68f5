using ArmVirt.Core;

namespace ArmVirt.Devices.Virtio;

/// <summary>
/// The virtio-mmio transport (VIRTIO 1.2 section 4.2): one 0x200-byte register window per device, as each of the
/// 32 slots at 0x0a00_0000 on QEMU's virt machine. Registers up to 0xFC are declared once in the
/// <see cref="RegisterMap"/>; the device configuration space starts at 0x100. A slot built without a device
/// answers like QEMU's empty slots: MagicValue, Version and VendorID, DeviceID 0, everything else zero.
/// The <see cref="Interrupt"/> output is high while InterruptStatus is non-zero.
/// </summary>
internal sealed class VirtioMmioTransport : RegisterMappedDevice, IVirtioTransport, ISnapshotState
{
    /// <summary>MagicValue: "virt" in little-endian.</summary>
    public const uint Magic = 0x74726976;
    /// <summary>VendorID, "QEMU" in little-endian as QEMU reports it.</summary>
    public const uint QemuVendorId = 0x554D4551;
    /// <summary>Offset of the device configuration space.</summary>
    public const ulong ConfigOffset = 0x100;
    /// <summary>Size of one virtio-mmio window on the virt machine.</summary>
    public const ulong WindowSize = 0x200;
    /// <summary>InterruptStatus bit: used buffer notification.</summary>
    public const uint InterruptUsedBuffer = 1;
    /// <summary>InterruptStatus bit: configuration change notification.</summary>
    public const uint InterruptConfigChange = 2;

    private readonly VirtioDevice? _device;
    private readonly Virtqueue[] _queues;
    private readonly bool _legacy;
    private uint _deviceFeaturesSel, _driverFeaturesSel, _queueSel;
    private ulong _driverFeatures;
    private uint _status;
    private uint _interruptStatus;
    private uint _configGeneration;
    private uint _guestPageSize = 4096;
    private uint _queueAlign = 4096;
    private readonly uint[] _queuePfn;

    /// <summary>Creates a transport for <paramref name="device"/> (null for an empty slot).</summary>
    /// <param name="bus">Guest physical memory the queues live in.</param>
    /// <param name="device">The device behind the transport, or null.</param>
    /// <param name="version">Register layout; VIRTIO 1.x (2) unless a legacy guest needs 1.</param>
    /// <param name="name">Name for diagnostics and the interrupt line.</param>
    public VirtioMmioTransport(PhysicalBus bus, VirtioDevice? device, VirtioMmioVersion version = VirtioMmioVersion.Modern,
        string name = "virtio-mmio") : base(name)
    {
        _device = device;
        _legacy = version == VirtioMmioVersion.Legacy;
        Version = version;
        Interrupt = new InterruptLine(name);
        int count = device?.QueueCount ?? 0;
        _queues = new Virtqueue[count];
        _queuePfn = new uint[count];
        for (int i = 0; i < count; i++) _queues[i] = new Virtqueue(bus, this, i, device!.QueueNumMax(i));
        device?.Attach(this);
        DeclareRegisters();
    }

    /// <summary>The device behind this transport (null for an empty slot).</summary>
    public VirtioDevice? Device => _device;

    /// <summary>The register layout.</summary>
    public VirtioMmioVersion Version { get; }

    /// <summary>The interrupt output (SPI 16 + slot on the virt machine).</summary>
    public InterruptLine Interrupt { get; }

    /// <summary>The device status field.</summary>
    public VirtioDeviceStatus Status => (VirtioDeviceStatus)_status;

    /// <summary>InterruptStatus.</summary>
    public uint InterruptStatus => _interruptStatus;

    /// <summary>ConfigGeneration.</summary>
    public uint ConfigGeneration => _configGeneration;

    /// <summary>Every feature bit offered: the device's plus the transport's.</summary>
    public ulong DeviceFeatures
    {
        get
        {
            if (_device == null) return 0;
            ulong f = _device.DeviceFeatures | VirtioFeature.Bit(VirtioFeature.RingIndirectDesc) | VirtioFeature.Bit(VirtioFeature.RingEventIdx);
            if (!_legacy) f |= VirtioFeature.Bit(VirtioFeature.Version1);
            return f;
        }
    }

    /// <summary>The feature bits the driver wrote.</summary>
    public ulong DriverFeatures => _driverFeatures;

    /// <inheritdoc />
    public ulong NegotiatedFeatures => _driverFeatures & DeviceFeatures;

    /// <inheritdoc />
    public bool IsLive => (_status & (uint)(VirtioDeviceStatus.DriverOk | VirtioDeviceStatus.DeviceNeedsReset)) == (uint)VirtioDeviceStatus.DriverOk;

    /// <summary>The reason given for the last device error since reset, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>Raised with a description when the device enters the DEVICE_NEEDS_RESET state.</summary>
    public event Action<string>? DeviceErrorOccurred;

    /// <inheritdoc />
    public Virtqueue GetQueue(int index) => _queues[index];

    private Virtqueue? Selected => _queueSel < (uint)_queues.Length ? _queues[_queueSel] : null;

    // 4.2.2 MMIO Device Register Layout (version 2) and 4.2.4 Legacy interface (version 1).
    private void DeclareRegisters()
    {
        var r = Registers;
        bool dev = _device != null;
        r.Define("MagicValue", 0x000, reset: Magic, writeMask: 0);
        r.Define("Version", 0x004, reset: (ulong)Version, writeMask: 0);
        r.Define("DeviceID", 0x008, reset: (ulong)(_device?.DeviceType ?? VirtioDeviceType.None), writeMask: 0);
        r.Define("VendorID", 0x00C, reset: QemuVendorId, writeMask: 0);
        r.Define("DeviceFeatures", 0x010, read: () => _deviceFeaturesSel < 2 ? (uint)(DeviceFeatures >> (int)(32 * _deviceFeaturesSel)) : 0, writeMask: 0);
        r.Define("DeviceFeaturesSel", 0x014, read: () => 0, write: v => _deviceFeaturesSel = (uint)v);
        r.Define("DriverFeatures", 0x020, read: () => 0, write: v => WriteDriverFeatures((uint)v));
        r.Define("DriverFeaturesSel", 0x024, read: () => 0, write: v => _driverFeaturesSel = (uint)v);
        r.Define("QueueSel", 0x030, read: () => 0, write: v => _queueSel = (uint)v);
        r.Define("QueueNumMax", 0x034, read: () => Selected?.NumMax ?? 0, writeMask: 0);
        r.Define("QueueNum", 0x038, read: () => 0, write: v => { if (Selected is { } q) q.Num = (uint)v; });
        r.Define("QueueNotify", 0x050, read: () => 0, write: v => Notify((uint)v & 0xFFFF));
        r.Define("InterruptStatus", 0x060, read: () => _interruptStatus, writeMask: 0);
        r.Define("InterruptACK", 0x064, read: () => 0, write: v => Acknowledge((uint)v));
        r.Define("Status", 0x070, read: () => _status, write: v => WriteStatus((uint)v));
        if (_legacy)
        {
            r.Define("GuestPageSize", 0x028, read: () => 0, write: v => _guestPageSize = (uint)v);
            r.Define("QueueAlign", 0x03C, read: () => 0, write: v => _queueAlign = (uint)v);
            r.Define("QueuePFN", 0x040, read: () => Selected != null ? _queuePfn[_queueSel] : 0, write: v => WriteQueuePfn((uint)v));
            return;
        }
        r.Define("QueueReady", 0x044, read: () => Selected is { IsReady: true } ? 1UL : 0, write: v => WriteQueueReady((uint)v));
        DefineAddress("QueueDesc", 0x080, q => q.DescriptorTable, (q, a) => q.DescriptorTable = a);
        DefineAddress("QueueDriver", 0x090, q => q.DriverArea, (q, a) => q.DriverArea = a);
        DefineAddress("QueueDevice", 0x0A0, q => q.DeviceArea, (q, a) => q.DeviceArea = a);
        // Shared memory regions (4.2.2): none exist, so their length and base read as all ones.
        r.Define("SHMSel", 0x0AC, read: () => 0, write: _ => { });
        r.Define("SHMLenLow", 0x0B0, reset: dev ? 0xFFFF_FFFFUL : 0, writeMask: 0);
        r.Define("SHMLenHigh", 0x0B4, reset: dev ? 0xFFFF_FFFFUL : 0, writeMask: 0);
        r.Define("SHMBaseLow", 0x0B8, reset: dev ? 0xFFFF_FFFFUL : 0, writeMask: 0);
        r.Define("SHMBaseHigh", 0x0BC, reset: dev ? 0xFFFF_FFFFUL : 0, writeMask: 0);
        r.Define("ConfigGeneration", 0x0FC, read: () => _configGeneration, writeMask: 0);
    }

    private void DefineAddress(string name, ulong offset, Func<Virtqueue, ulong> get, Action<Virtqueue, ulong> set)
    {
        Registers.Define(name + "Low", offset, read: () => 0, write: v =>
        {
            if (Selected is { IsReady: false } q) set(q, (get(q) & 0xFFFF_FFFF_0000_0000UL) | (uint)v);
        });
        Registers.Define(name + "High", offset + 4, read: () => 0, write: v =>
        {
            if (Selected is { IsReady: false } q) set(q, (get(q) & 0xFFFF_FFFFUL) | (v << 32));
        });
    }

    /// <inheritdoc />
    public override bool TryRead(ulong offset, int size, out ulong value)
    {
        if (offset < ConfigOffset) return base.TryRead(offset, size, out value);
        value = 0;
        if (_device == null) return true;
        ulong at = offset - ConfigOffset;
        if (at + (ulong)size > (ulong)_device.ConfigSize) return true; // beyond the device's fields: RAZ
        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        _device.ReadConfig((int)at, bytes[..size]);
        value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return true;
    }

    /// <inheritdoc />
    public override bool TryWrite(ulong offset, int size, ulong value)
    {
        if (offset < ConfigOffset) return base.TryWrite(offset, size, value);
        if (_device == null) return true;
        ulong at = offset - ConfigOffset;
        if (at + (ulong)size > (ulong)_device.ConfigSize) return true; // WI
        Span<byte> bytes = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        _device.WriteConfig((int)at, bytes[..size]);
        return true;
    }

    private void WriteDriverFeatures(uint value)
    {
        // 3.1.1: features are fixed once FEATURES_OK is set (legacy: once DRIVER_OK is set).
        var frozen = _legacy ? VirtioDeviceStatus.DriverOk : VirtioDeviceStatus.FeaturesOk;
        if (_device == null || (_status & (uint)frozen) != 0 || _driverFeaturesSel > 1) return;
        int shift = (int)(32 * _driverFeaturesSel);
        _driverFeatures = (_driverFeatures & ~(0xFFFF_FFFFUL << shift)) | ((ulong)value << shift);
        if (_legacy) _driverFeatures &= DeviceFeatures;
    }

    // 2.1 Device Status Field; 3.1.1 Driver Requirements: Device Initialization.
    private void WriteStatus(uint value)
    {
        if (_device == null) return;
        if (value == 0)
        {
            DeviceReset();
            return;
        }
        uint old = _status;
        uint s = value & 0xFF & ~(uint)VirtioDeviceStatus.DeviceNeedsReset;
        uint featuresOk = (uint)VirtioDeviceStatus.FeaturesOk;
        if (!_legacy && (s & featuresOk) != 0 && (old & featuresOk) == 0 && !FeaturesAcceptable())
            s &= ~featuresOk; // the driver re-reads Status and sees the features were refused
        if (!_legacy && (old & featuresOk) != 0) s |= featuresOk;
        _status = s | (old & (uint)VirtioDeviceStatus.DeviceNeedsReset);
        uint driverOk = (uint)VirtioDeviceStatus.DriverOk;
        if ((_status & driverOk) != 0 && (old & driverOk) == 0 && IsLive) _device.DriverReady();
    }

    private bool FeaturesAcceptable()
    {
        // Only offered bits may be accepted, and a VIRTIO 1.x transport requires VIRTIO_F_VERSION_1 (6.1).
        if ((_driverFeatures & ~DeviceFeatures) != 0) return false;
        return (_driverFeatures & VirtioFeature.Bit(VirtioFeature.Version1)) != 0;
    }

    private void WriteQueueReady(uint value)
    {
        if (_device == null || Selected is not { } q) return;
        if ((value & 1) == 0) q.Disable();
        else if (!q.IsReady) q.Enable();
    }

    // 4.2.4 Legacy interface: the rings are laid out contiguously from QueuePFN * GuestPageSize (2.7 legacy layout).
    private void WriteQueuePfn(uint pfn)
    {
        if (_device == null || Selected is not { } q) return;
        _queuePfn[_queueSel] = pfn;
        if (pfn == 0)
        {
            q.Disable();
            return;
        }
        ulong align = _queueAlign == 0 ? 1 : _queueAlign;
        ulong num = q.Num;
        ulong desc = (ulong)pfn * _guestPageSize;
        ulong avail = desc + 16 * num;
        ulong used = (avail + 2 * (3 + num) + align - 1) / align * align;
        q.DescriptorTable = desc;
        q.DriverArea = avail;
        q.DeviceArea = used;
        q.Enable();
    }

    private void Notify(uint index)
    {
        if (_device == null || !IsLive || index >= (uint)_queues.Length || !_queues[index].IsReady) return;
        _device.QueueNotified((int)index);
    }

    private void Acknowledge(uint bits)
    {
        _interruptStatus &= ~bits;
        UpdateInterrupt();
    }

    private void UpdateInterrupt() => Interrupt.Set(_interruptStatus != 0);

    /// <summary>
    /// Writes the transport's registers (status, features, selectors, interrupt status, config generation), each queue's
    /// addresses and ring indices, and the device's own state (<see cref="VirtioDevice.SaveState"/>).
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        Registers.SaveState(writer);
        writer.Write((uint)(_device?.DeviceType ?? VirtioDeviceType.None));
        writer.Write(_deviceFeaturesSel);
        writer.Write(_driverFeaturesSel);
        writer.Write(_queueSel);
        writer.Write(_driverFeatures);
        writer.Write(_status);
        writer.Write(_interruptStatus);
        writer.Write(_configGeneration);
        writer.Write(_guestPageSize);
        writer.Write(_queueAlign);
        writer.Write(_queuePfn);
        writer.Write(LastError ?? "");
        writer.Write(_queues.Length);
        foreach (var q in _queues) q.SaveState(writer);
        _device?.SaveState(writer);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote (into a transport with the same device type) and drives its interrupt.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        Registers.RestoreState(reader);
        uint type = reader.ReadUInt32();
        var expected = _device?.DeviceType ?? VirtioDeviceType.None;
        if (type != (uint)expected) throw new SnapshotFormatException($"{Registers.DeviceName}: device type {type} in the snapshot, {(uint)expected} ({expected}) here");
        _deviceFeaturesSel = reader.ReadUInt32();
        _driverFeaturesSel = reader.ReadUInt32();
        _queueSel = reader.ReadUInt32();
        _driverFeatures = reader.ReadUInt64();
        _status = reader.ReadUInt32();
        _interruptStatus = reader.ReadUInt32();
        _configGeneration = reader.ReadUInt32();
        _guestPageSize = reader.ReadUInt32();
        _queueAlign = reader.ReadUInt32();
        reader.Read(_queuePfn, "legacy queue PFNs");
        string error = reader.ReadString();
        LastError = error.Length == 0 ? null : error;
        int queues = reader.ReadInt32();
        if (queues != _queues.Length) throw new SnapshotFormatException($"{Registers.DeviceName}: {queues} queues in the snapshot, {_queues.Length} here");
        foreach (var q in _queues) q.RestoreState(reader);
        _device?.RestoreState(reader);
        UpdateInterrupt();
    }

    /// <summary>Resets the transport and its device as a machine reset does (the same as the driver writing 0 to Status).</summary>
    public void Reset() => DeviceReset();

    private void DeviceReset()
    {
        _status = 0;
        _driverFeatures = 0;
        _deviceFeaturesSel = _driverFeaturesSel = _queueSel = 0;
        _guestPageSize = 4096;
        _queueAlign = 4096;
        Array.Clear(_queuePfn);
        foreach (var q in _queues) q.Reset();
        _interruptStatus = 0;
        UpdateInterrupt();
        LastError = null;
        _device?.Reset();
    }

    /// <inheritdoc />
    public void NotifyUsedBuffers()
    {
        _interruptStatus |= InterruptUsedBuffer;
        UpdateInterrupt();
    }

    /// <inheritdoc />
    public void NotifyConfigChanged()
    {
        _configGeneration++;
        if ((_status & (uint)VirtioDeviceStatus.DriverOk) == 0) return;
        _interruptStatus |= InterruptConfigChange;
        UpdateInterrupt();
    }

    /// <inheritdoc />
    public void DeviceError(string reason)
    {
        if ((_status & (uint)VirtioDeviceStatus.DeviceNeedsReset) != 0) return;
        LastError = reason; // queues stay as the driver set them; IsLive is false until a reset
        _status |= (uint)VirtioDeviceStatus.DeviceNeedsReset;
        DeviceErrorOccurred?.Invoke(reason);
        // 2.1.2: after setting DEVICE_NEEDS_RESET with DRIVER_OK set, send a configuration change notification.
        if ((_status & (uint)VirtioDeviceStatus.DriverOk) != 0)
        {
            _interruptStatus |= InterruptConfigChange;
            UpdateInterrupt();
        }
    }
}
