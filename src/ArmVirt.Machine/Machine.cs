using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Devices;
using ArmVirt.Devices.Virtio;
using ArmVirt.Gic;
using ArmVirt.Timer;
using ArmVirt.Machine.Loaders;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// A QEMU <c>-M virt</c>-compatible machine: one to eight AArch64 CPUs, RAM at 0x4000_0000, a PL011 UART at 0x0900_0000,
/// a generated device tree and a loaded kernel. Build it with <see cref="MachineBuilder"/>, then <see cref="Run"/> it.
/// </summary>
public sealed partial class Machine : IDisposable
{
    /// <summary>Instructions between checks for host serial input while the guest runs.</summary>
    private const ulong SliceInstructions = 1 << 16;

    private readonly BootImage _boot;
    private readonly SerialInputReader? _input;
    private readonly SerialTap _serial;
    private readonly FirmwareSettings _firmware;

    internal Machine(PhysicalBus bus, VirtualClock clock, CpuCore[] cpus, GenericTimer[] timers, Pl011 uart, SerialTap serial,
        BootImage boot, Stream? serialInput, FirmwareSettings firmware, ulong quantum, SmpMode smpMode)
    {
        SmpMode = smpMode;
        Bus = bus;
        Clock = clock;
        Cpus = cpus;
        Cpu = cpus[0];
        Timers = timers;
        Timer = timers[0];
        Uart = uart;
        Quantum = quantum;
        _serial = serial;
        _boot = boot;
        _firmware = firmware;
        _poweredOn = new bool[cpus.Length];
        _retiredBeforeReset = new ulong[cpus.Length];
        _quantumEnd = clock.Schedule(ulong.MaxValue, static () => { });
        _quantumEnd.Cancel();
        InstallFirmware(firmware);
        if (serialInput != null) _input = new SerialInputReader(serialInput, uart);
        Cpu.IdleWait = IdleWait;
        Boot();
    }

    /// <summary>The boot CPU (CPU 0).</summary>
    public CpuCore Cpu { get; }

    /// <summary>Every CPU, by index (MPIDR_EL1.Aff0); CPU 0 boots, the others wait for PSCI CPU_ON.</summary>
    public IReadOnlyList<CpuCore> Cpus { get; }

    /// <summary>Each CPU's generic timer, by CPU index.</summary>
    internal IReadOnlyList<GenericTimer> Timers { get; }

    /// <summary>The guest physical address space.</summary>
    public PhysicalBus Bus { get; }

    /// <summary>Virtual time and its event queue.</summary>
    public VirtualClock Clock { get; }

    /// <summary>The boot CPU's generic timer (its system registers are installed in <see cref="Cpu"/>).</summary>
    internal GenericTimer Timer { get; }

    /// <summary>The PL011 UART at 0x0900_0000.</summary>
    public Pl011 Uart { get; }

    /// <summary>
    /// The interrupt controller, either version (<see cref="GicVersion"/>): the interrupt lines of the devices and the
    /// CPUs' outputs, the same <see cref="IGic"/> for GICv2 and GICv3. Its registers are the guest's (or the GDB stub's)
    /// to read.
    /// </summary>
    public IGic Gic => (IGic?)Gicv2 ?? Gicv3!;

    /// <summary>The GICv2 (distributor at 0x0800_0000; GICH/GICV when EL2 is implemented), or null when the machine has a GICv3.</summary>
    internal Gicv2? Gicv2 { get; init; }

    /// <summary>The GICv3 (distributor at 0x0800_0000, redistributors from 0x080A_0000) or null when the machine has a GICv2.</summary>
    internal Gicv3? Gicv3 { get; init; }

    /// <summary>The GICv3 virtualization of the boot CPU (ICH_*_EL2, ICV_*), or null without a GICv3 or without EL2.</summary>
    internal Gicv3VirtualCpuInterface? Gicv3Virtual { get; init; }

    /// <summary>Each CPU's GICv3 virtualization, by CPU index (empty without a GICv3 or without EL2).</summary>
    internal IReadOnlyList<Gicv3VirtualCpuInterface> Gicv3VirtualInterfaces { get; init; } = [];

    /// <summary>The GIC generation: 2 or 3.</summary>
    public int GicVersion => Gicv3 != null ? 3 : 2;

    /// <summary>The PL031 real-time clock at 0x0901_0000.</summary>
    internal Pl031 Rtc { get; init; } = null!;

    /// <summary>The 32 virtio-mmio transports at 0x0a00_0000, slot n at 0x0a00_0000 + n * 0x200 (empty slots have no device).</summary>
    internal IReadOnlyList<VirtioMmioTransport> VirtioSlots { get; init; } = [];

    /// <summary>
    /// The virtio devices in the order they were configured; device n sits in slot 31 - n (as QEMU fills its slots).
    /// They are disposed with the machine (block images flushed).
    /// </summary>
    public IReadOnlyList<VirtioDevice> VirtioDevices { get; internal init; } = [];

    /// <summary>The device tree blob given to the guest (generated, or the user's amended one).</summary>
    public byte[] Dtb => _boot.Dtb;

    /// <summary>Where the DTB was placed in RAM, or null when an ELF kernel left no room for it below its lowest segment.</summary>
    public ulong? DtbAddress => _boot.DtbAddress;

    /// <summary>
    /// The function and object symbols of an ELF kernel's symbol table by name (<c>machine.Symbols["main"]</c>, for
    /// <see cref="RunUntil"/> or <see cref="Breakpoints"/>); empty for a Linux Image, a raw binary or a stripped ELF.
    /// </summary>
    public IReadOnlyDictionary<string, ulong> Symbols => _boot.Symbols;

    /// <summary>Where the kernel was loaded and how it is entered.</summary>
    public LoadedKernel Kernel => _boot.Kernel;

    /// <summary>The initrd's physical range [start, end), or null without one.</summary>
    public (ulong Start, ulong End)? Initrd => _boot.Initrd;

    /// <summary>Instructions retired by all CPUs since the machine was built (across resets and CPU power cycles).</summary>
    public ulong InstructionsExecuted
    {
        get
        {
            ulong n = 0;
            for (int i = 0; i < Cpus.Count; i++) n += _retiredBeforeReset[i] + Cpus[i].State.Instructions;
            return n;
        }
    }

    /// <summary>
    /// Virtual time in CPU cycles since the machine was built; after a one-CPU guest halted for good, up to the halt
    /// (<see cref="Cpu.Cpu.HaltedAtCycles"/>: not the virtual time skipped afterwards to events that woke nothing).
    /// </summary>
    public ulong CyclesExecuted
    {
        get
        {
            if (Cpus.Count == 1) return Cpu.StopReason == StopReason.Halted ? Cpu.HaltedAtCycles : Math.Max(Clock.Now, Cpu.State.Cycles);
            ulong t = Clock.Now;
            foreach (var c in Cpus) t = Math.Max(t, c.State.Cycles);
            return t;
        }
    }

    /// <summary>How many times the guest reset the machine with PSCI SYSTEM_RESET.</summary>
    public int ResetCount { get; private set; }

    // Per CPU: instructions retired before its last reset (a machine reset, or PSCI CPU_ON after CPU_OFF).
    private readonly ulong[] _retiredBeforeReset;

    /// <summary>
    /// Runs the guest until it powers off, exits through semihosting, halts with no way to wake up, hits an
    /// unsupported condition or has retired <paramref name="maxInstructions"/> more instructions. PSCI SYSTEM_RESET
    /// reboots the machine (reloading the images, as QEMU does) and keeps running. A run that ended at the instruction
    /// limit, at <see cref="RequestStop"/> or at a host breakpoint resumes where it stopped; one that ended with the
    /// guest (power-off, semihosting exit, halt, error) ends again at once until <see cref="Reset"/>.
    /// </summary>
    public MachineExit Run(ulong maxInstructions = ulong.MaxValue)
    {
        foreach (var c in Cpus)
            if (c.StopReason is StopReason.InstructionLimit or StopReason.HostRequest or StopReason.PeerRequest) c.ClearStop();
        if (Cpus.Count > 1) return SmpMode == SmpMode.Parallel ? RunParallel(maxInstructions) : RunRoundRobin(maxInstructions);
        ulong start = InstructionsExecuted;
        bool first = true;
        try
        {
            while (true)
            {
                ulong done = InstructionsExecuted - start;
                if (done >= maxInstructions)
                {
                    Cpu.RequestStop(StopReason.InstructionLimit);
                    break;
                }
                PollInput(first || AtReplayStart ? 's' : 'h');
                first = false;
                if (Cpu.StopReason == StopReason.Error) break; // a replay that diverged
                var reason = Cpu.Run(ReplayBudget(Math.Min(maxInstructions - done, SliceInstructions)));
                if (reason == StopReason.InstructionLimit)
                {
                    Cpu.ClearStop();
                    continue;
                }
                if (reason == StopReason.Reset)
                {
                    Reboot();
                    continue;
                }
                break;
            }
        }
        finally
        {
            _serial.Flush();
        }
        return new MachineExit(Cpu.StopReason, Cpu.ExitCode, Cpu.StopMessage ?? DescribeStop(Cpu.StopReason));
    }

    private static string? DescribeStop(StopReason reason) => reason switch
    {
        StopReason.PowerOff => "guest powered off (PSCI SYSTEM_OFF)",
        StopReason.InstructionLimit => "instruction limit reached",
        StopReason.HostRequest => "stopped by the host",
        StopReason.Breakpoint or StopReason.Watchpoint => "stopped by a host breakpoint or watchpoint",
        _ => null,
    };

    /// <summary>
    /// Runs as <see cref="Run"/> does until the boot CPU is about to execute the instruction at virtual address
    /// <paramref name="pc"/>: the run then ends with <see cref="StopReason.Breakpoint"/> and the PC on it (or ends for
    /// another reason first). Pages holding <paramref name="pc"/> are interpreted meanwhile; translated code is dropped
    /// when the run starts and ends (as when <see cref="Breakpoints"/> change).
    /// </summary>
    public MachineExit RunUntil(ulong pc, ulong maxInstructions = ulong.MaxValue)
    {
        Cpu.SetRunUntil(pc);
        try
        {
            return Run(maxInstructions);
        }
        finally
        {
            Cpu.SetRunUntil(null);
        }
    }

    /// <summary>
    /// The boot CPU's host breakpoints (<see cref="CpuCore.Breakpoints"/>): <see cref="Run"/> ends with
    /// <see cref="StopReason.Breakpoint"/> before the instruction at one of them executes; the next run executes it.
    /// </summary>
    public BreakpointSet Breakpoints => Cpu.Breakpoints;

    /// <summary>
    /// The boot CPU's host data watchpoints (<see cref="CpuCore.Watchpoints"/>): <see cref="Run"/> ends with
    /// <see cref="StopReason.Watchpoint"/> before a watched access is made (<see cref="CpuCore.LastWatchpointHit"/>).
    /// </summary>
    public WatchpointSet Watchpoints => Cpu.Watchpoints;

    /// <summary>The boot CPU's code and memory hooks (<see cref="CpuCore.Hooks"/>).</summary>
    public HookSet Hooks => Cpu.Hooks;

    /// <summary>
    /// Runs until the PL011 has printed <paramref name="text"/> since the call began, the guest stops by itself, or
    /// <paramref name="virtualTimeout"/> of virtual time passes (not host time: the same on every host and run, as
    /// Renode's "Wait For Line On Uart" on its virtual clock). The run stops right after the byte that completes the
    /// match; the next <see cref="Run"/> or wait continues from there.
    /// </summary>
    public SerialWait WaitForSerial(string text, TimeSpan virtualTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return Wait(w => w.Length >= text.Length && EndsWith(w, text) ? text : null, virtualTimeout);
    }

    /// <summary>
    /// As <see cref="WaitForSerial(string, TimeSpan)"/>, for a line matching <paramref name="pattern"/>: each line is
    /// tested when its line end (LF) is printed, without the line end (and a CR before it).
    /// </summary>
    public SerialWait WaitForSerial(System.Text.RegularExpressions.Regex pattern, TimeSpan virtualTimeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        int lineStart = 0;
        return Wait(w =>
        {
            if (w[^1] != '\n') return null;
            string line = w.ToString(lineStart, w.Length - 1 - lineStart).TrimEnd('\r');
            lineStart = w.Length;
            return pattern.IsMatch(line) ? line : null;
        }, virtualTimeout);
    }

    private static bool EndsWith(System.Text.StringBuilder w, string text)
    {
        for (int i = 1; i <= text.Length; i++)
            if (w[^i] != text[^i]) return false;
        return true;
    }

    // Runs with the serial tap testing the output after each byte (found returns the matched text or null) and a clock
    // event at the timeout; either ends the run with a host stop, which is cleared again before returning.
    private SerialWait Wait(Func<System.Text.StringBuilder, string?> found, TimeSpan virtualTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(virtualTimeout, TimeSpan.Zero);
        string? matched = null;
        bool timedOut = false;
        _serial.Watch(w => (matched = found(w)) != null);
        _serial.Matched = () => StopAll("serial output matched");
        ulong cycles = Clock.NanosecondsToCycles((ulong)(virtualTimeout.Ticks * 100));
        var timeout = Clock.Schedule(ulong.MaxValue - Clock.Now < cycles ? ulong.MaxValue : Clock.Now + cycles, () =>
        {
            timedOut = true;
            StopAll("virtual time out");
        });
        MachineExit exit;
        try
        {
            exit = Run();
        }
        finally
        {
            timeout.Cancel();
            _serial.Matched = null;
        }
        string output = _serial.EndWatch();
        return new SerialWait(matched != null, output, matched, exit, timedOut && matched == null);
    }

    private void StopAll(string why)
    {
        if (SmpMode == SmpMode.Parallel)
        {
            RequestParallelStop(why);
            return;
        }
        foreach (var c in Cpus) c.RequestStop(StopReason.HostRequest, 0, why);
    }

    /// <summary>Asks a running <see cref="Run"/> to return after the current instruction (safe from another thread).</summary>
    public void RequestStop() => StopAll("stopped by the host");

    private bool IdleWait()
    {
        _serial.Flush();
        if (_replay != null)
        {
            // Replay: the logged input stands in for the host's; the recorded run's idle polls are in the log.
            if (!_replay.HasMore) return false;
            PollInput('i');
            return true;
        }
        if (_input == null) return false;
        bool more = _input.WaitForInput();
        PollInput('i');
        return more;
    }

    // Puts the images in RAM and the boot CPU in its boot state (DESIGN.md "Memory map and boot"); the other CPUs are
    // reset and off until PSCI CPU_ON.
    private void Boot()
    {
        _boot.LoadInto(Bus);
        ulong now = Clock.Now;
        for (int i = 0; i < Cpus.Count; i++)
        {
            Cpus[i].Reset(); // highest EL, SP_ELx selected, DAIF masked, MMU off
            Cpus[i].State.Cycles = now;
            _poweredOn[i] = i == 0;
        }
        Cpu.State.PC = _boot.StartPc ?? _boot.Kernel.Entry;
        if (Cpu.Configuration.Model.Aarch32Only && (Cpu.State.PC & 1) != 0)
        {
            Cpu.State.Thumb = true; // an AArch32 entry point with bit 0 set is T32 code (as QEMU's arm_load_kernel)
            Cpu.State.PC &= ~1UL;
        }
        // QEMU boots a Linux image (not an ELF) on a CPU with EL3 in Non-secure state (do_cpu_reset: "Linux expects
        // non-secure state"); an ELF starts in the reset state, Secure Supervisor mode.
        if (_boot.Kernel.IsLinux && Cpu.El3UsingAarch32) Cpu.BootLinuxNonSecure();
        if (_boot.Kernel.Format == KernelFormat.ArmZImage)
        {
            // Documentation/arm/booting.rst: r0 = 0, r1 = the machine type (~0: described by the device tree), r2 = DTB.
            Cpu.SetR(0, 0);
            Cpu.SetR(1, 0xFFFF_FFFF);
            Cpu.SetR(2, (uint)(_boot.DtbAddress ?? 0));
        }
        else if (_boot.Kernel.IsLinux) Cpu.SetX(0, _boot.DtbAddress ?? 0); // booting.rst: x0 = DTB, x1..x3 = 0
    }

    /// <summary>
    /// Resets the machine as a power cycle does (QEMU's <c>system_reset</c>): every CPU, the GIC, timers, UART, virtio
    /// transports and the custom devices that implement <see cref="IResettable"/> to their reset state, the kernel, initrd, device tree and loader images written to RAM again, CPU 0
    /// at the kernel's entry and the others off. The rest of RAM keeps its contents and virtual time goes on, as in
    /// QEMU; <see cref="InstructionsExecuted"/> keeps counting. The next <see cref="Run"/> starts the guest afresh.
    /// </summary>
    public void Reset() => Reboot(byGuest: false);

    private void Reboot(bool byGuest = true)
    {
        for (int i = 0; i < Cpus.Count; i++) _retiredBeforeReset[i] += Cpus[i].State.Instructions;
        if (byGuest) ResetCount++;
        Uart.Reset();
        foreach (var t in Timers) t.Reset();
        Gic.Reset();
        foreach (var v in Gicv3VirtualInterfaces) v.Reset();
        foreach (var slot in VirtioSlots) slot.Reset(); // as a power cycle: status 0, queues disabled
        // The user's devices that have a reset state (IResettable); the PL031 has none, as QEMU's: its time, match and
        // mask registers and a raised alarm survive a reset, and virtio-rng's entropy stream goes on (QEMU's backends
        // are not reset) while its queues are.
        foreach (var d in CustomDevices) (d as IResettable)?.Reset();
        InstallFirmware(_firmware); // fresh PSCI state, as after a power cycle
        Boot();
    }

    /// <summary>Flushes serial output, disposes the virtio devices (flushing disk images) and frees guest RAM.</summary>
    public void Dispose()
    {
        _serial.Flush();
        if (_disposed) return;
        _disposed = true;
        _recorder?.Finish();
        foreach (var w in _wake) w.Dispose(); // (parallel SMP's sleeping CPU threads)
        MachineBuilder.DisposeAll(VirtioDevices);
        Bus.Dispose();
    }

    private bool _disposed;
}
