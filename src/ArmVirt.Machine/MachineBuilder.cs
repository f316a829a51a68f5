using ArmVirt.Gic;
using ArmVirt.Devices.Virtio;
using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Devices;
using ArmVirt.Machine.DeviceTree;
using ArmVirt.Machine.Loaders;
using ArmVirt.Timer;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// Configures and builds a <see cref="Machine"/>:
/// <code>
/// using var machine = new MachineBuilder()
///     .WithMemory(512UL &lt;&lt; 20)
///     .WithCpu("cortex-a57")
///     .WithHighestEl(2)
///     .WithKernel("guest.elf")
///     .WithSerial(Console.OpenStandardOutput())
///     .Build();
/// MachineExit exit = machine.Run(100_000_000);
/// </code>
/// Every user mistake surfaces from <see cref="Build"/> as one <see cref="MachineConfigurationException"/>.
/// </summary>
public sealed partial class MachineBuilder
{
    private const ulong TwoMiB = 2UL << 20;

    private ulong _memory = VirtMemoryMap.DefaultRamSize;
    private string _cpu = "cortex-a57";
    private int _highestEl = 1;
    private string? _kernelPath;
    private byte[]? _kernelImage;
    private string? _kernelName;
    private string? _dtbPath;
    private string? _append;
    private string? _initrdPath;
    private readonly List<(string Path, ulong? Address, bool ForceRaw, GuestModuleKind? Module, string? Bootargs, bool SetsPc)> _loaderImages = [];
    private readonly List<LoaderImage> _loaderData = [];
    private ulong? _entryPoint;
    private bool _semihosting;
    private ExecutionEngine _engine = ExecutionEngine.Jit;
    private ArmVirt.Cpu.Timing.TimingModel _timing = ArmVirt.Cpu.Timing.TimingModel.Flat;
    private Stream? _serialOutput;
    private ISerialBackend? _serialBackend;
    private Stream? _serialInput;
    private int _gicVersion = 2;
    private int _listRegisters = 4;
    private int _cpuCount = 1;
    private readonly List<CustomDevice> _devices = [];
    private Microsoft.Extensions.Logging.ILogger? _logger;
    private ulong? _quantum;
    private SmpMode _smpMode = SmpMode.Deterministic;

    /// <summary>Guest RAM in bytes (default 128 MiB): a non-zero multiple of 4 KiB, at most 255 GiB.</summary>
    public MachineBuilder WithMemory(ulong bytes)
    {
        _memory = bytes;
        return this;
    }

    /// <summary>
    /// The CPU model by name: "cortex-a57" (default), "cortex-a53" or "max", optionally followed by QEMU's
    /// <c>,pmu=on</c> (default) or <c>,pmu=off</c> (no PMUv3: PMUVer 0, no <c>arm,armv8-pmuv3</c> node).
    /// </summary>
    public MachineBuilder WithCpu(string model)
    {
        _cpu = model;
        return this;
    }

    /// <summary>
    /// Where guest mistakes the machine notices without an architectural consequence go, as warnings: accesses to
    /// reserved device register offsets or with a wrong width (they read as zero and are ignored, as on the Arm
    /// peripherals) and virtio devices the driver broke (a malformed virtqueue puts the device in DEVICE_NEEDS_RESET).
    /// Without a logger they are not reported (the CLI prints them with --verbose).
    /// </summary>
    public MachineBuilder WithLogger(Microsoft.Extensions.Logging.ILogger logger)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        return this;
    }

    /// <summary>
    /// Maps <paramref name="device"/> at <paramref name="address"/> (<paramref name="size"/> bytes, outside RAM and the
    /// virt machine's devices, for instance in the platform-bus window from 0x0C00_0000 as QEMU's dynamic devices) and
    /// describes it in the generated device tree as <c>NAME@ADDRESS</c> with <paramref name="compatible"/>, its
    /// <c>reg</c> and, with an <paramref name="interrupt"/>, <c>interrupts</c> naming SPI <paramref name="spi"/>
    /// (INTID 32 + spi, level-high), which the line then drives. SPIs the machine uses (the UART's 1, the RTC's 2, the
    /// virtio transports' 16-47) are refused, as are overlapping windows; a user device tree (<see cref="WithDtb"/>) is
    /// not amended.
    /// </summary>
    public MachineBuilder WithDevice(ulong address, ulong size, IMmioDevice device, string compatible, InterruptLine? interrupt = null, int spi = -1)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentException.ThrowIfNullOrWhiteSpace(compatible);
        _devices.Add(new CustomDevice(address, size, device, compatible, interrupt, spi));
        return this;
    }

    /// <summary>
    /// The number of CPUs, 1 (default) to 8, as QEMU's <c>-smp</c>: CPU n has MPIDR_EL1.Aff0 = n and a <c>/cpus/cpu@n</c>
    /// node with <c>enable-method = "psci"</c>. CPU 0 boots; the others stay off until PSCI CPU_ON starts them. With
    /// more than one, <see cref="Machine.Run"/> runs them in turn on one thread (see <see cref="WithQuantum"/>).
    /// </summary>
    public MachineBuilder WithCpus(int count)
    {
        _cpuCount = count;
        return this;
    }

    /// <summary>
    /// With several CPUs: the cycles (with the flat timing model, instructions) each CPU runs before the next one takes
    /// its turn, default <see cref="Machine.DefaultQuantum"/>. Runs are deterministic whatever the value; a smaller
    /// quantum shortens the latency of an interrupt, an event or a store seen by another CPU (at most one quantum) and
    /// costs more switches. In parallel mode (<see cref="WithSmpMode"/>) the most a CPU's time runs ahead of the slowest
    /// CPU still running, default <see cref="Machine.DefaultParallelQuantum"/>; the threads meet at clock events and every
    /// 64 quanta.
    /// </summary>
    public MachineBuilder WithQuantum(ulong cycles)
    {
        _quantum = cycles;
        return this;
    }

    /// <summary>
    /// With several CPUs: <see cref="SmpMode.Deterministic"/> (default) runs them in turn on one host thread;
    /// <see cref="SmpMode.Parallel"/> gives each its own host thread (QEMU's MTTCG), faster on a multi-core host and not
    /// deterministic. Serial input record and replay need the deterministic mode. One CPU runs the same in both.
    /// </summary>
    public MachineBuilder WithSmpMode(SmpMode mode)
    {
        _smpMode = mode;
        return this;
    }

    /// <summary>The highest implemented exception level, where the boot CPU starts: 1 (default), 2 or 3.</summary>
    public MachineBuilder WithHighestEl(int el)
    {
        _highestEl = el;
        return this;
    }

    /// <summary>The kernel file: an AArch64 ELF, a Linux arm64 Image (optionally gzipped) or a raw binary.</summary>
    public MachineBuilder WithKernel(string path)
    {
        _kernelPath = path;
        _kernelImage = null;
        _kernelName = path;
        return this;
    }

    /// <summary>The kernel as bytes already in memory; <paramref name="name"/> identifies it in error messages.</summary>
    public MachineBuilder WithKernel(byte[] image, string name)
    {
        _kernelImage = image ?? throw new ArgumentNullException(nameof(image));
        _kernelPath = null;
        _kernelName = name;
        return this;
    }

    /// <summary>A device tree blob to give the guest instead of the generated one (its memory node and /chosen are updated).</summary>
    public MachineBuilder WithDtb(string path)
    {
        _dtbPath = path;
        return this;
    }

    /// <summary>The kernel command line, placed in <c>/chosen/bootargs</c>.</summary>
    public MachineBuilder WithAppend(string commandLine)
    {
        _append = commandLine;
        return this;
    }

    /// <summary>An initial ramdisk, loaded where QEMU loads it and described in <c>/chosen</c> (Linux Image and raw kernels only).</summary>
    public MachineBuilder WithInitrd(string path)
    {
        _initrdPath = path;
        return this;
    }

    /// <summary>
    /// Places the file at <paramref name="path"/> in RAM before the CPU starts (and again at a reset), as QEMU's
    /// <c>-device loader,file=F[,addr=A][,force-raw=on]</c> does: an AArch64 ELF file by its program headers (each
    /// PT_LOAD segment at its physical address, <paramref name="address"/> ignored) unless <paramref name="forceRaw"/>,
    /// any other file's bytes at <paramref name="address"/> (required). It must lie in RAM and overlap neither the
    /// kernel, the initrd, the device tree nor another loaded file. With <paramref name="setsPc"/> (QEMU's
    /// <c>cpu-num=0</c>) the CPU starts at the file's address, or at the ELF's entry, instead of the kernel's entry.
    /// </summary>
    public MachineBuilder WithLoader(string path, ulong? address, bool forceRaw = false, bool setsPc = false)
    {
        if (setsPc) ForgetStartAddress();
        _loaderImages.Add((path, address, forceRaw, null, null, setsPc));
        return this;
    }

    /// <summary>
    /// Writes the low <paramref name="length"/> bytes (1 to 8) of <paramref name="value"/> at <paramref name="address"/>,
    /// little-endian unless <paramref name="bigEndian"/>, before the CPU starts and at a reset, as QEMU's
    /// <c>-device loader,addr=A,data=V,data-len=N[,data-be=on]</c> does. The same placement rules as <see cref="WithLoader"/>.
    /// </summary>
    public MachineBuilder WithLoaderData(ulong address, ulong value, int length, bool bigEndian = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 8);
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        byte[] data = bytes[..length];
        if (bigEndian) Array.Reverse(data);
        _loaderData.Add(new LoaderImage($"data=0x{value:x}", address, data, null, null));
        return this;
    }

    /// <summary>
    /// Starts the CPU at <paramref name="address"/> instead of the kernel's entry (and again at a reset), as QEMU's
    /// <c>-device loader,addr=A,cpu-num=0</c> does. The last of this and <see cref="WithLoader"/>'s <c>setsPc</c> wins.
    /// </summary>
    public MachineBuilder WithEntryPoint(ulong address)
    {
        ForgetStartAddress();
        _entryPoint = address;
        return this;
    }

    // A later start address replaces every earlier one (WithEntryPoint or a loader's setsPc).
    private void ForgetStartAddress()
    {
        _entryPoint = null;
        for (int i = 0; i < _loaderImages.Count; i++) _loaderImages[i] = _loaderImages[i] with { SetsPc = false };
    }

    /// <summary>
    /// Places a hypervisor's guest kernel or ramdisk in RAM at <paramref name="address"/> and describes it in
    /// <c>/chosen</c> as a <c>module@address</c> node (<c>reg</c>, <c>compatible</c> "multiboot,module" and
    /// "multiboot,kernel" or "multiboot,ramdisk", and the kernel's <paramref name="bootargs"/>), as QEMU's
    /// <c>-device guest-loader,addr=A,kernel=F,bootargs=S</c> and <c>guest-loader,addr=A,initrd=F</c> do: Xen boots its dom0
    /// from these. The same placement rules as <see cref="WithLoader"/>.
    /// </summary>
    public MachineBuilder WithGuestModule(GuestModuleKind kind, string path, ulong address, string? bootargs = null)
    {
        if (bootargs != null && kind != GuestModuleKind.Kernel)
            throw new ArgumentException("only a guest kernel module has bootargs", nameof(bootargs));
        _loaderImages.Add((path, address, false, kind, bootargs, false));
        return this;
    }

    /// <summary>Enables Arm semihosting (HLT #0xF000); its console writes to the serial output stream.</summary>
    public MachineBuilder WithSemihosting(bool enabled = true)
    {
        _semihosting = enabled;
        return this;
    }

    /// <summary>
    /// The execution engine: the recompiler (<see cref="ExecutionEngine.Jit"/>, default) or the interpreter. Both give
    /// identical registers, memory, output and cycle counts; the JIT is faster on anything that loops.
    /// </summary>
    public MachineBuilder WithEngine(ExecutionEngine engine)
    {
        _engine = engine;
        return this;
    }

    /// <summary>
    /// The timing model every CPU charges cycles by (<c>--timing</c>): <see cref="ArmVirt.Cpu.Timing.TimingModel.Flat"/>
    /// (default: one cycle per instruction), <see cref="ArmVirt.Cpu.Timing.TimingModel.CortexA53"/> or
    /// <see cref="ArmVirt.Cpu.Timing.TimingModel.CortexA57"/>. Virtual time (the generic timer, the RTC) follows the cycles,
    /// so under a slower model a guest's timers fire after fewer instructions. Both engines give the same counts.
    /// </summary>
    internal MachineBuilder WithTiming(ArmVirt.Cpu.Timing.TimingModel model)
    {
        _timing = model;
        return this;
    }

    /// <summary>
    /// The timing model every CPU charges cycles by, by name (<c>--timing</c>): "flat" (default: one cycle per
    /// instruction), "cortex-a53" (in order, dual issue) or "cortex-a57" (three-wide). Virtual time (the generic timer,
    /// the RTC) follows the cycles, so under a slower model a guest's timers fire after fewer instructions. Both engines
    /// give the same counts.
    /// </summary>
    public MachineBuilder WithTiming(string model) => WithTiming(ArmVirt.Cpu.Timing.TimingModel.Parse(model));

    /// <summary>
    /// Connects the UART: transmitted bytes go to <paramref name="output"/>; bytes read from <paramref name="input"/>
    /// are received by the guest (a seekable stream is read whole at build time, so runs repeat exactly; other
    /// streams are read by a background thread). Without this call serial output is discarded.
    /// </summary>
    public MachineBuilder WithSerial(Stream output, Stream? input = null)
    {
        _serialOutput = output ?? throw new ArgumentNullException(nameof(output));
        _serialBackend = null;
        _serialInput = input;
        return this;
    }

    /// <summary>
    /// The PL011's output goes to <paramref name="output"/> byte by byte (on the thread running the guest; semihosting
    /// output then goes nowhere); <paramref name="input"/>, optional, is read as with <see cref="WithSerial(Stream, Stream?)"/>.
    /// </summary>
    public MachineBuilder WithSerial(ISerialBackend output, Stream? input = null)
    {
        _serialBackend = output ?? throw new ArgumentNullException(nameof(output));
        _serialOutput = null;
        _serialInput = input;
        return this;
    }

    /// <summary>
    /// The interrupt controller, as QEMU's <c>gic-version</c>: 2 (default; a GICv2 with GICH/GICV when EL2 exists) or 3
    /// (a GICv3: distributor, redistributors from 0x080A_0000 and the ICC_* system-register CPU interface).
    /// </summary>
    public MachineBuilder WithGicVersion(int version)
    {
        _gicVersion = version;
        return this;
    }

    /// <summary>
    /// The number of list registers of the virtual CPU interface (used only with EL2): 1 to 64 for a GICv2 (GICH_LR&lt;n&gt;),
    /// 1 to 16 for a GICv3 (ICH_LR&lt;n&gt;_EL2); GICH_VTR / ICH_VTR_EL2.ListRegs says n - 1. Default 4, as QEMU.
    /// </summary>
    public MachineBuilder WithGicListRegisters(int count)
    {
        _listRegisters = count;
        return this;
    }

    // "NAME[,pmu=on|off]", as QEMU's -cpu takes the pmu property.
    private static (CpuModel Model, bool Pmu) ParseCpu(string spec)
    {
        string[] parts = spec.Split(',');
        var model = CpuModel.Find(parts[0]) ?? throw new MachineConfigurationException(
            $"cpu '{parts[0]}': unknown model (known: {string.Join(", ", CpuModel.All.Select(m => m.Name))})");
        bool pmu = true;
        foreach (string property in parts.Skip(1))
        {
            pmu = property switch
            {
                "pmu=on" => true,
                "pmu=off" => false,
                _ => throw new MachineConfigurationException($"cpu '{spec}': unknown property '{property}' (pmu=on or pmu=off)"),
            };
        }
        return (model, pmu);
    }

    /// <summary>Creates the machine, loads the images and puts the CPU in its boot state.</summary>
    public Machine Build()
    {
        if (_memory == 0 || (_memory & 0xFFF) != 0)
            throw new MachineConfigurationException($"memory size {_memory}: must be a non-zero multiple of 4 KiB");
        if (_memory > VirtMemoryMap.MaxRamSize)
            throw new MachineConfigurationException($"memory size {_memory >> 20} MiB: the virt machine holds at most 255 GiB of RAM");
        var (model, pmu) = ParseCpu(_cpu);
        // The ARMv7 models have no PMU (QEMU gives its cortex-a15 and cortex-a7 none either): no PMUv3, no pmu node.
        if (model.Aarch32Only) pmu = false;
        if (_highestEl is < 1 or > 3)
            throw new MachineConfigurationException($"highest EL {_highestEl}: must be 1, 2 or 3");
        if (_gicVersion is not (2 or 3))
            throw new MachineConfigurationException($"GIC version {_gicVersion}: must be 2 or 3");
        // An AArch32-only CPU with EL3: QEMU's secure=on (with virtualization=on: EL2 is there too).
        bool secureMachine = model.Aarch32Only && _highestEl == 3;
        if (secureMachine && _cpuCount > 1)
            throw new MachineConfigurationException($"cpu '{model.Name}' with --el 3: more than one CPU is not implemented (QEMU's secure=on has no PSCI and starts every CPU at the entry point)");
        if (model.Aarch32Only && _gicVersion == 3)
            throw new MachineConfigurationException($"cpu '{model.Name}': GICv3 (its CP15 CPU interface) is not implemented for an AArch32-only CPU; use GICv2");
        int maxListRegisters = _gicVersion == 3 ? 16 : 64;
        if (_listRegisters < 1 || _listRegisters > maxListRegisters)
            throw new MachineConfigurationException(
                $"GIC list registers {_listRegisters}: a GICv{_gicVersion} has 1 to {maxListRegisters}");
        if (_kernelName == null) throw new MachineConfigurationException("kernel: none given");
        if (_cpuCount is < 1 or > Machine.MaxCpus)
            throw new MachineConfigurationException($"CPU count {_cpuCount}: must be 1 to {Machine.MaxCpus}");
        if (_quantum == 0) throw new MachineConfigurationException("quantum 0: each CPU must run at least one cycle per turn");
        bool parallel = _smpMode == SmpMode.Parallel && _cpuCount > 1;
        ulong quantum = _quantum ?? (parallel ? Machine.DefaultParallelQuantum : Machine.DefaultQuantum);

        byte[] kernel = _kernelImage ?? ReadFile("kernel", _kernelPath!);
        byte[]? userDtb = _dtbPath != null ? ReadFile("dtb", _dtbPath) : null;
        byte[]? initrd = _initrdPath != null ? ReadFile("initrd", _initrdPath) : null;
        var loaderImages = new List<LoaderImage>();
        foreach (var (path, address, forceRaw, module, bootargs, setsPc) in _loaderImages)
        {
            var x = new LoaderImage(path, address ?? 0, [], module, bootargs) { SetsPc = setsPc };
            x = x with { Data = ReadFile(x.What, path) };
            x = x with { ByHeaders = module == null && !forceRaw && ElfLoader.IsElf(x.Data) };
            if (address == null && !x.ByHeaders)
                throw new MachineConfigurationException($"{x.Description}: not an ELF file (or force-raw), so it needs an address");
            loaderImages.Add(x);
        }
        loaderImages.AddRange(_loaderData);
        DeviceTreeNode? userTree = null;
        if (userDtb != null)
        {
            try { userTree = FdtReader.Read(userDtb); }
            catch (FormatException e) { throw new MachineConfigurationException($"dtb '{_dtbPath}': {e.Message}", e); }
        }

        if (!Enum.IsDefined(_smpMode)) throw new MachineConfigurationException($"SMP mode {(int)_smpMode}: must be deterministic or parallel");
        // Parallel SMP (Machine.Parallel.cs): the clock's queue, each MMIO window, the GIC and the CPUs' shared state are
        // made safe for CPUs on several host threads; with one CPU there is nothing to share.
        var bus = new PhysicalBus { ConcurrentMmio = parallel };
        try
        {
            try
            {
                bus.AddRam(VirtMemoryMap.RamBase, _memory);
                // QEMU's secure=on: 16 MiB of Secure RAM (its secram node; not yet refused to Non-secure accesses).
                if (secureMachine) bus.AddRam(VirtMemoryMap.SecureRamBase, VirtMemoryMap.SecureRamSize);
            }
            catch (OutOfMemoryException e)
            {
                throw new MachineConfigurationException($"memory size {_memory >> 20} MiB: cannot allocate that much host memory", e);
            }
            var clock = new VirtualClock { Concurrent = parallel };
            Machine? machine = null; // the devices ask it which CPU is running
            var cpus = new CpuCore[_cpuCount];
            var timers = new GenericTimer[_cpuCount];
            // One system counter; each CPU's generic timer (CNTFRQ, CNTPCT/CNTVCT, CNT*_CTL/CVAL/TVAL) reads it at that
            // CPU's cycle count, 62.5 MHz. The timers' interrupt outputs reach their CPU's PPIs once the GIC exists.
            var counter = new SystemCounter(clock.CpuFrequencyHz);
            for (int i = 0; i < _cpuCount; i++)
            {
                var cpu = new CpuCore(bus, clock, new CpuConfiguration { HighestEl = _highestEl, Model = model, Index = i, HasPmu = pmu }) { Engine = _engine, Timing = _timing };
                var timer = new GenericTimer(counter, clock, () => cpu.State.Cycles);
                GenericTimerSystemRegisters.Install(cpu, timer);
                timer.EventStreamTick = cpu.SignalEvent; // event streams wake WFE
                cpus[i] = cpu;
                timers[i] = timer;
            }
            // Several PEs share a global exclusive monitor and see each other's broadcast maintenance, SEVs and stores to code.
            if (_cpuCount > 1) _ = new InnerShareableDomain(cpus, parallel);

            var serial = new SerialTap(_serialBackend ?? new StreamSerialBackend(_serialOutput ?? Stream.Null));
            var uart = new Pl011(clock, serial);
            bus.AddMmio(VirtMemoryMap.Pl011Base, VirtMemoryMap.Pl011Size, uart, "pl011");
            Gicv3VirtualCpuInterface[]? ich = null;
            IGic gic = _gicVersion == 3 ? BuildGicv3(bus, cpus, timers, _listRegisters, parallel, out ich)
                : BuildGic(bus, cpus, timers, _highestEl >= 2, _listRegisters, () => machine?.CurrentCpuIndex ?? 0, parallel);
            uart.Interrupt.Changed += GicInput(gic, gic.Spi(VirtMemoryMap.Pl011Spi), parallel);
            // The RTC counts virtual seconds from a fixed date, so runs are repeatable (QEMU's -rtc clock=vm, base fixed).
            var rtc = new Pl031(clock, () => cpus[machine?.CurrentCpuIndex ?? 0].State.Cycles, RtcEpoch);
            bus.AddMmio(VirtMemoryMap.Pl031Base, VirtMemoryMap.Pl031Size, rtc, "pl031");
            rtc.Interrupt.Changed += GicInput(gic, gic.Spi(VirtMemoryMap.Pl031Spi), parallel);
            var (virtio, virtioDevices) = BuildVirtio(bus, clock);
            for (int n = 0; n < virtio.Length; n++)
            {
                var t = virtio[n];
                bus.AddMmio(VirtioMmioLayout.SlotBase(n), VirtioMmioLayout.Stride, t, t.Registers.DeviceName);
                t.Interrupt.Changed += GicInput(gic, gic.Spi(VirtioMmioLayout.Spi(n)), parallel);
            }
            AddCustomDevices(bus, gic, parallel);
            if (_logger != null) ReportGuestErrors(bus, _logger);

            BootImage boot;
            try { boot = Layout(bus, model, pmu, kernel, initrd, loaderImages, userTree); }
            catch
            {
                DisposeAll(virtioDevices);
                throw;
            }
            // SYS_GET_CMDLINE returns the image name and the kernel command line, as QEMU's semihosting does.
            string commandLine = _append == null ? _kernelName : $"{_kernelName} {_append}";
            var firmware = new Machine.FirmwareSettings(_semihosting, _serialOutput ?? Stream.Null, _memory, commandLine);
            machine = new Machine(bus, clock, cpus, timers, uart, serial, boot, _serialInput, firmware, quantum, parallel ? SmpMode.Parallel : SmpMode.Deterministic)
            {
                Gicv2 = gic as Gicv2,
                Gicv3 = gic as Gicv3,
                Gicv3Virtual = ich?[0],
                Gicv3VirtualInterfaces = ich ?? [],
                Rtc = rtc,
                VirtioSlots = virtio,
                VirtioDevices = virtioDevices,
                CustomDevices = _devices.Select(d => d.Device).ToArray(),
            };
            if (_serialInput is { CanSeek: false } && KeepsClockBusy(virtioDevices)) machine.PollSerialInputOnVirtualTime();
            return machine;
        }
        catch
        {
            bus.Dispose();
            throw;
        }
    }

    /// <summary>The PL031's counter at virtual time 0: 2026-01-01T00:00:00Z.</summary>
    public const uint RtcEpoch = 1_767_225_600;

    // The GICv2 of the virt machine: GICD and GICC always, GICH and GICV when EL2 exists (virtualization=on), banked by
    // the running CPU, with each CPU interface's outputs driving its CPU's interrupt inputs and each CPU's timer outputs
    // driving that CPU's PPIs.
    private static Gicv2 BuildGic(PhysicalBus bus, CpuCore[] cpus, GenericTimer[] timers, bool virtualization, int listRegisters,
        Func<int> accessingCpu, bool parallel)
    {
        var gic = new Gicv2(cpus.Length, VirtMemoryMap.GicInterrupts, listRegisters) { AccessingCpu = accessingCpu };
        // (Parallel SMP: every window of the GIC holds the one GIC lock, as its inputs and system registers do.)
        bus.AddMmio(VirtMemoryMap.GicDistributorBase, VirtMemoryMap.GicWindowSize, gic.Distributor, "gicd", gic);
        bus.AddMmio(VirtMemoryMap.GicCpuInterfaceBase, VirtMemoryMap.GicWindowSize, gic.CpuInterfaceWindow, "gicc", gic);
        if (virtualization)
        {
            bus.AddMmio(VirtMemoryMap.GicVirtualControlBase, VirtMemoryMap.GicWindowSize, gic.VirtualControlWindow, "gich", gic);
            bus.AddMmio(VirtMemoryMap.GicVirtualCpuInterfaceBase, VirtMemoryMap.GicWindowSize, gic.VirtualCpuInterfaceWindow, "gicv", gic);
        }
        for (int i = 0; i < cpus.Length; i++)
        {
            var cpu = cpus[i];
            if (virtualization)
            {
                gic.VirtualIrqOutput(i).Changed += cpu.VirtualIrq.Set;
                gic.VirtualFiqOutput(i).Changed += cpu.VirtualFiq.Set;
            }
            gic.IrqOutput(i).Changed += cpu.Irq.Set;
            gic.FiqOutput(i).Changed += cpu.Fiq.Set;
            ConnectPpis(gic, i, timers[i], cpu, parallel);
        }
        return gic;
    }

    // A CPU's private peripheral interrupts from its own devices: its four timers and its PMU's overflow interrupt.
    private static void ConnectPpis(IGic gic, int cpu, GenericTimer timer, CpuCore core, bool parallel)
    {
        timer.SecurePhysical.Output.Changed += GicInput(gic, gic.Ppi(cpu, VirtMemoryMap.TimerSecurePpi), parallel);
        timer.Physical.Output.Changed += GicInput(gic, gic.Ppi(cpu, VirtMemoryMap.TimerPhysicalPpi), parallel);
        timer.Virtual.Output.Changed += GicInput(gic, gic.Ppi(cpu, VirtMemoryMap.TimerVirtualPpi), parallel);
        timer.HypervisorPhysical.Output.Changed += GicInput(gic, gic.Ppi(cpu, VirtMemoryMap.TimerHypervisorPpi), parallel);
        core.Pmu.Interrupt.Changed += GicInput(gic, gic.Ppi(cpu, VirtMemoryMap.PmuPpi), parallel);
    }

    // What drives a GIC input: the input's Set, or with parallel SMP the same under the GIC's lock (a device's line may
    // change on any CPU's thread: a UART write, a timer register write, a virtio notification).
    private static Action<bool> GicInput(IGic gic, InterruptLine input, bool parallel) =>
        parallel ? level => { lock (gic) input.Set(level); } : input.Set;

    // Parallel SMP: the GIC's system registers of one CPU (ICC_*, and ICV_* through them; ICH_*) hold the GIC's lock, as
    // its windows and inputs do: a CPU interface acknowledges, completes and sends SGIs through the shared distributor.
    private static void LockGicRegisters(CpuCore cpu, IGic gic)
    {
        foreach (var r in cpu.SystemRegisters.All.Where(r => r.Name.StartsWith("ICC_", StringComparison.Ordinal) || r.Name.StartsWith("ICH_", StringComparison.Ordinal)).ToArray())
        {
            var (read, write) = (r.Read, r.Write);
            cpu.SystemRegisters.Add(r.WithBehaviour(read == null ? null : c => { lock (gic) return read(c); },
                write == null ? null : (c, v) => { lock (gic) write(c, v); }));
        }
    }

    // The GICv3 of the virt machine (gic-version=3, its=off): GICD, one redistributor per CPU from 0x080A_0000, the ICC_*
    // registers in each CPU's system-register table; Group 1 drives IRQ, Group 0 FIQ; each CPU's timers drive its PPIs.
    private static Gicv3 BuildGicv3(PhysicalBus bus, CpuCore[] cpus, GenericTimer[] timers, int listRegisters, bool parallel,
        out Gicv3VirtualCpuInterface[]? ich)
    {
        var gic = new Gicv3(cpus.Length, VirtMemoryMap.Gicv3Interrupts);
        bus.AddMmio(VirtMemoryMap.GicDistributorBase, Gicv3.DistributorSize, gic.Distributor, "gicd", gic);
        for (int c = 0; c < gic.CpuCount; c++)
            bus.AddMmio(VirtMemoryMap.GicRedistributorBase + (ulong)c * Gicv3Redistributor.FrameSize, Gicv3Redistributor.FrameSize,
                gic.Redistributor(c), $"gicr{c}", gic);
        ich = cpus[0].Configuration.HasEl2 ? new Gicv3VirtualCpuInterface[cpus.Length] : null;
        for (int i = 0; i < cpus.Length; i++)
        {
            var cpu = cpus[i];
            gic.IrqOutput(i).Changed += cpu.Irq.Set;
            gic.FiqOutput(i).Changed += cpu.Fiq.Set;
            // With EL2 (virtualization=on): ICH_*_EL2, ICV_* under HCR_EL2.IMO/FMO, the maintenance interrupt on PPI 9.
            Gicv3VirtualCpuInterface? v = null;
            if (ich != null)
            {
                v = new Gicv3VirtualCpuInterface(listRegisters, gic.CpuInterface(i).DeactivatePhysical);
                v.VirtualIrq.Changed += cpu.VirtualIrq.Set;
                v.VirtualFiq.Changed += cpu.VirtualFiq.Set;
                v.Maintenance.Changed += GicInput(gic, gic.Ppi(i, Gicv3VirtualCpuInterface.MaintenancePpi), parallel);
                Gicv3VirtualSystemRegisters.Install(cpu, v);
                ich[i] = v;
            }
            Gicv3SystemRegisters.Install(cpu, gic.CpuInterface(i), _ => v);
            if (parallel) LockGicRegisters(cpu, gic);
            ConnectPpis(gic, i, timers[i], cpu, parallel);
        }
        return gic;
    }

    // Every register-mapped device's reserved-offset and width reports, and virtio transports' device errors, as warnings.
    private static void ReportGuestErrors(PhysicalBus bus, Microsoft.Extensions.Logging.ILogger logger)
    {
        foreach (var region in bus.Mmio)
        {
            if (region.Device is RegisterMappedDevice d) d.Registers.GuestError += message => GuestErrorLog.Warning(logger, message);
            if (region.Device is VirtioMmioTransport t)
                t.DeviceErrorOccurred += reason => GuestErrorLog.Warning(logger, $"{t.Registers.DeviceName}: {reason}");
        }
    }

    // The user's devices (WithDevice): windows that overlap nothing, SPIs the machine does not use, once each.
    private void AddCustomDevices(PhysicalBus bus, IGic gic, bool parallel)
    {
        var taken = new HashSet<int> { VirtMemoryMap.Pl011Spi, VirtMemoryMap.Pl031Spi };
        for (int n = 0; n < VirtioMmioLayout.SlotCount; n++) taken.Add(VirtioMmioLayout.Spi(n));
        foreach (var d in _devices)
        {
            string what = $"device '{d.Compatible}' at 0x{d.Address:x}";
            if (d.Size == 0) throw new MachineConfigurationException($"{what}: size 0");
            try { bus.AddMmio(d.Address, d.Size, d.Device, d.NodeName); }
            catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
            {
                throw new MachineConfigurationException($"{what}: {e.Message}", e);
            }
            if (d.Interrupt == null) continue;
            int spis = gic.InterruptCount - 32;
            if (d.Spi < 0 || d.Spi >= spis)
                throw new MachineConfigurationException($"{what}: SPI {d.Spi} does not exist (this GIC has SPIs 0-{spis - 1})");
            if (!taken.Add(d.Spi))
                throw new MachineConfigurationException($"{what}: SPI {d.Spi} is already used");
            d.Interrupt.Changed += GicInput(gic, gic.Spi(d.Spi), parallel);
        }
    }

    // QEMU hw/arm/boot.c (arm_setup_direct_kernel_boot): an ELF is not Linux; the DTB goes at the base of RAM if the
    // ELF leaves room below its lowest segment. An Image or raw binary is Linux: the initrd goes at
    // RAM base + min(RAM/2, 128 MiB) or after the kernel, page aligned, and the DTB after the initrd, 2 MiB aligned.
    // Files placed with WithLoader/WithGuestModule go where they were asked to, after the kernel, initrd and DTB are
    // placed by these rules; none may overlap another or those (QEMU refuses overlapping ROM regions too).
    private BootImage Layout(PhysicalBus bus, CpuModel model, bool pmu, byte[] kernelFile, byte[]? initrd, List<LoaderImage> loaderImages,
        DeviceTreeNode? userTree)
    {
        string name = _kernelName!;
        ulong ramBase = VirtMemoryMap.RamBase, ramEnd = ramBase + _memory;
        var conduit = Machine.ConduitFor(_highestEl);
        var modules = loaderImages.Where(x => x.Module != null).ToList();
        // ELF files of the generic loader: one image per PT_LOAD segment. The PC a loader sets: the last one's.
        ulong? startPc = _entryPoint;
        var placed = new List<LoaderImage>();
        foreach (var x in loaderImages)
        {
            if (!x.ByHeaders)
            {
                placed.Add(x);
                if (x.SetsPc) startPc = x.Address;
                continue;
            }
            var (segments, elf) = ElfLoader.Parse(x.Data, x.Description, bus, model.Aarch32Only);
            placed.AddRange(segments.Select(s => x with { Address = s.Paddr, Data = x.Data[s.FileOffset..(s.FileOffset + s.FileSize)], ZeroFill = s.ZeroFill }));
            if (x.SetsPc) startPc = elf.Entry;
        }
        loaderImages = placed;
        byte[] MakeDtb((ulong, ulong)? initrdRange)
        {
            if (userTree == null)
                return FdtWriter.Write(VirtDeviceTree.Build(model, _memory, conduit, _append, initrdRange, _highestEl >= 2, _gicVersion, modules, _cpuCount, pmu, _devices,
                    secure: model.Aarch32Only && _highestEl == 3));
            VirtDeviceTree.Amend(userTree, _memory, _append, initrdRange, modules);
            return FdtWriter.Write(userTree);
        }
        BootImage Place(BootImage boot)
        {
            var taken = new List<(string What, ulong Start, ulong End)> { ($"kernel '{name}'", boot.Kernel.LowAddress, boot.Kernel.HighAddress) };
            if (boot.Initrd is { } ir) taken.Add(($"initrd '{_initrdPath}'", ir.Start, ir.End));
            if (boot.DtbAddress is { } dt) taken.Add(("the device tree", dt, dt + (ulong)boot.Dtb.Length));
            foreach (var x in loaderImages)
            {
                if (x.Address < ramBase || x.Address >= ramEnd || x.Size > ramEnd - x.Address)
                    throw new MachineConfigurationException(
                        $"{x.Description}: {x.Size} bytes at 0x{x.Address:x} do not fit in RAM (0x{ramBase:x}-0x{ramEnd:x})");
                foreach (var (what, start, end) in taken)
                    if (x.Address < end && start < x.End && x.Size > 0)
                        throw new MachineConfigurationException(
                            $"{x.Description}: 0x{x.Address:x}-0x{x.End:x} overlaps {what} at 0x{start:x}-0x{end:x}");
                taken.Add((x.Description, x.Address, x.End));
            }
            return boot; // the machine's first boot writes them (BootImage.LoadInto), as at every reset
        }

        if (ElfLoader.IsElf(kernelFile))
        {
            if (initrd != null)
                throw new MachineConfigurationException($"initrd '{_initrdPath}': an ELF kernel takes no initrd (QEMU ignores it); use an Image");
            // Checked and placed here, written by the machine's first boot (BootImage.LoadInto: a large BSS is zeroed once).
            var elf = ElfLoader.Parse(kernelFile, $"kernel '{name}'", bus, model.Aarch32Only).Kernel;
            byte[] dtb = MakeDtb(null);
            ulong? dtbAt = null;
            if (elf.LowAddress > ramBase || elf.HighAddress <= ramBase)
            {
                ulong limit = elf.LowAddress > ramBase ? elf.LowAddress : ramEnd;
                if ((ulong)dtb.Length <= limit - ramBase) dtbAt = ramBase;
            }
            return Place(new BootImage
            {
                Kernel = elf, LoadKernel = b => ElfLoader.Load(kernelFile, name, b, model.Aarch32Only), Dtb = dtb, DtbAddress = dtbAt,
                Symbols = ElfSymbols.Read(kernelFile),
                LoaderImages = loaderImages, StartPc = startPc,
            });
        }

        if (model.Aarch32Only && LinuxImageLoader.HasImageHeader(kernelFile))
            throw new MachineConfigurationException($"kernel '{name}': an arm64 Image cannot run on the AArch32-only {model.Name}; use an AArch64 --cpu");
        // An AArch32-only CPU boots a zImage (or raw binary) at RAM base + 0x10000, not decompressed (the zImage does it).
        byte[] image = model.Aarch32Only ? kernelFile : LinuxImageLoader.Decompress(kernelFile, name, _memory);
        var kernel = model.Aarch32Only ? LinuxImageLoader.LoadAarch32(image, name, bus, ramBase) : LinuxImageLoader.Load(image, name, bus, ramBase);
        ulong initrdStart = AlignUp(Math.Max(ramBase + Math.Min(_memory / 2, 128UL << 20), kernel.HighAddress), 4096);
        (ulong, ulong)? initrdRange = null;
        if (initrd != null)
        {
            if (initrdStart >= ramEnd || (ulong)initrd.Length > ramEnd - initrdStart)
                throw new MachineConfigurationException(
                    $"initrd '{_initrdPath}': {initrd.Length} bytes at 0x{initrdStart:x} do not fit in RAM (ends at 0x{ramEnd:x})");
            initrdRange = (initrdStart, initrdStart + (ulong)initrd.Length);
        }
        byte[] blob = MakeDtb(initrdRange);
        // QEMU aligns the DTB to 2 MiB for an AArch64 kernel and to 4 KiB for a 32-bit one (which may trash the rest of
        // the page its initrd ends in).
        ulong dtbStart = AlignUp(initrdStart + (ulong)(initrd?.Length ?? 0), model.Aarch32Only ? 4096 : TwoMiB);
        if (dtbStart >= ramEnd || (ulong)blob.Length > ramEnd - dtbStart)
            throw new MachineConfigurationException(
                $"kernel '{name}': no room for the device tree at 0x{dtbStart:x} after the kernel and initrd (RAM ends at 0x{ramEnd:x})");
        return Place(new BootImage
        {
            Kernel = kernel,
            LoadKernel = model.Aarch32Only ? b => LinuxImageLoader.LoadAarch32(image, name, b, ramBase) : b => LinuxImageLoader.Load(image, name, b, ramBase),
            InitrdData = initrd, Initrd = initrdRange, Dtb = blob, DtbAddress = dtbStart, LoaderImages = loaderImages,
            StartPc = startPc,
        });
    }

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

    // A file the machine loads, read to its end but never past the guest RAM it must fit in (nor the 2 GiB an array
    // holds): a device such as /dev/zero, a pipe or a huge file is an error rather than a read without end.
    private byte[] ReadFile(string what, string path)
    {
        if (Directory.Exists(path)) throw new MachineConfigurationException($"{what} '{path}': is a directory, not a file");
        long limit = (long)Math.Min(_memory, (ulong)Array.MaxLength);
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            Exception TooLarge() => new MachineConfigurationException(limit == (long)_memory
                ? $"{what} '{path}': larger than the guest's {_memory >> 20} MiB of RAM"
                : $"{what} '{path}': larger than 2 GiB, the most a loaded file may be");
            // A regular file's size is known before reading; a device or pipe (size 0, or no size) is read up to the limit.
            if (f.CanSeek && f.Length > limit) throw TooLarge();
            return BoundedRead.ToEnd(f, limit, TooLarge);
        }
        catch (FileNotFoundException e) { throw new MachineConfigurationException($"{what} '{path}': file not found", e); }
        catch (DirectoryNotFoundException e) { throw new MachineConfigurationException($"{what} '{path}': file not found", e); }
        catch (UnauthorizedAccessException e) { throw new MachineConfigurationException($"{what} '{path}': permission denied", e); }
        catch (IOException e) { throw new MachineConfigurationException($"{what} '{path}': {e.Message}", e); }
    }
}
