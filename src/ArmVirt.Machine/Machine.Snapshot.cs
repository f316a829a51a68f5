using System.IO.Compression;
using System.Text;
using ArmVirt.Core;
using ArmVirt.Cpu;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>The snapshot format's version: a snapshot of another version is refused.</summary>
    public const int SnapshotFormatVersion = 2;

    private static ReadOnlySpan<byte> SnapshotMagic => "ARMVSNAP"u8;

    /// <summary>The user's devices (<see cref="MachineBuilder.WithDevice"/>), saved when they implement <see cref="ISnapshotState"/>.</summary>
    internal IReadOnlyList<IMmioDevice> CustomDevices { get; init; } = [];

    /// <summary>
    /// The configuration a snapshot must be restored into, as <c>key=value</c> items: CPU model and PMU, highest EL, CPU
    /// count and quantum, cycles per instruction, GIC version and list registers, RAM, and each virtio slot's device.
    /// </summary>
    public string SnapshotConfiguration
    {
        get
        {
            var c = Cpu.Configuration;
            var s = new StringBuilder();
            s.Append($"cpu={c.Model.Name} pmu={(c.HasPmu ? "on" : "off")} el={c.HighestEl} smp={Cpus.Count} quantum={Quantum} cpi={Cpu.CyclesPerInstruction}");
            if (!Cpu.Timing.IsFlat) s.Append($" timing={Cpu.Timing.Name}"); // (the predictor's state is not saved: README)
            s.Append($" gic={GicVersion}");
            if (Gicv2 != null) s.Append($" lr={Gicv2.ListRegisterCount}");
            else if (Gicv3Virtual != null) s.Append($" lr={Gicv3Virtual.ListRegisterCount}");
            foreach (var r in Bus.Ram) s.Append($" ram=0x{r.Base:x}+0x{r.Size:x}");
            s.Append(" virtio=").Append(string.Join(',', VirtioSlots.Select(t => t.Device?.DeviceType.ToString() ?? "-")));
            foreach (var d in CustomDevices) s.Append($" device={d.GetType().Name}");
            return s.ToString();
        }
    }

    /// <summary>
    /// Saves the machine's whole state to <paramref name="stream"/>: every CPU (general, SIMD&amp;FP and system registers,
    /// PSTATE, PMU, debug and exclusive-monitor state, WFI/WFE waits), each CPU's PSCI power state, the GIC (distributor,
    /// CPU interfaces, redistributors, virtual interfaces and list registers), the generic timers, the virtual clock and
    /// every pending event on it, the PL011 (registers and FIFOs), the PL031, the virtio-mmio transports with their
    /// queues and devices, and RAM (pages holding only zeros are not stored; the rest is compressed). Not saved: disk
    /// images (the guest's writes are already in them; <see cref="RestoreSnapshot"/> refuses an image whose size
    /// changed), host-side state (breakpoints, hooks, statistics, semihosting's open files) and caches (translated code,
    /// TLBs). Call it between runs: the CPUs are then at an instruction boundary.
    /// </summary>
    /// <exception cref="InvalidOperationException">A custom device does not implement <see cref="ISnapshotState"/>.</exception>
    public void SaveSnapshot(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var d in CustomDevices)
            if (d is not ISnapshotState) throw new InvalidOperationException($"device {d.GetType().Name} does not implement ISnapshotState: the machine cannot be saved");
        stream.Write(SnapshotMagic);
        var header = new SnapshotWriter(stream);
        header.Write(SnapshotFormatVersion);
        header.Write(SnapshotConfiguration);
        using (var body = new ZLibStream(stream, CompressionLevel.Fastest, leaveOpen: true))
        using (var buffered = new BufferedStream(body, 1 << 16))
        {
            var w = new SnapshotWriter(buffered);
            SaveMachineState(w);
            if (w.EventsWritten != Clock.ArmedEventCount)
                throw new InvalidOperationException($"{Clock.ArmedEventCount} clock events are armed but {w.EventsWritten} were saved: a component's event is missing from the snapshot");
            w.Section("end");
        }
        stream.Flush();
    }

    /// <summary>
    /// Restores a snapshot written by <see cref="SaveSnapshot"/> into this machine, which must have the same configuration
    /// (<see cref="SnapshotConfiguration"/>); the next <see cref="Run"/> continues exactly as the saved machine would
    /// have (same output, instruction and cycle counts), under either engine. Translated code and TLBs are dropped.
    /// The stream is untrusted: a bad header, another configuration or format version, corrupt or truncated data throw
    /// <see cref="SnapshotFormatException"/> with a one-line reason. Header and configuration are checked before anything
    /// changes; a snapshot found corrupt later leaves the machine in an undefined state (<see cref="Reset"/> it or
    /// dispose of it).
    /// </summary>
    public void RestoreSnapshot(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new SnapshotReader(stream);
        Span<byte> magic = stackalloc byte[8];
        header.ReadExactly(magic);
        if (!magic.SequenceEqual(SnapshotMagic)) throw new SnapshotFormatException("not an ArmVirt snapshot");
        int version = header.ReadInt32();
        if (version != SnapshotFormatVersion) throw new SnapshotFormatException($"snapshot format version {version}, this ArmVirt reads version {SnapshotFormatVersion}");
        string config = header.ReadString();
        string mine = SnapshotConfiguration;
        if (config != mine) throw new SnapshotFormatException(DescribeMismatch(config, mine));
        foreach (var d in CustomDevices)
            if (d is not ISnapshotState) throw new InvalidOperationException($"device {d.GetType().Name} does not implement ISnapshotState: the machine cannot be restored");
        using var body = new ZLibStream(stream, CompressionMode.Decompress, leaveOpen: true);
        using var buffered = new BufferedStream(body, 1 << 16);
        var r = new SnapshotReader(buffered);
        RestoreMachineState(r);
        r.Section("end");
        // Reading to the end checks the zlib stream's Adler-32 of everything above (a flipped RAM byte included).
        r.ExpectEnd();
    }

    // The first configuration item that differs, in words.
    private static string DescribeMismatch(string saved, string mine)
    {
        var a = saved.Split(' ');
        var b = mine.Split(' ');
        for (int i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            string x = i < a.Length ? a[i] : "(nothing)", y = i < b.Length ? b[i] : "(nothing)";
            if (x != y) return $"snapshot of another machine configuration: it has {x}, this machine {y}";
        }
        return "snapshot of another machine configuration";
    }

    // One order for both directions. The GIC comes last: the devices drive their interrupt lines again as they are
    // restored, then the GIC's restored state (input levels included) drives the CPUs' inputs.
    private void SaveMachineState(SnapshotWriter w)
    {
        w.Section("machine");
        w.Write(_poweredOn);
        w.Write(_retiredBeforeReset);
        w.Write(ResetCount);
        w.Write(CurrentCpuIndex);
        w.Write(_devicePolls);
        Clock.SaveState(w);
        w.Write(_quantumEnd);
        w.Write(_serialInputPoll);
        foreach (var c in Cpus) c.SaveState(w);
        foreach (var t in Timers) t.SaveState(w);
        Uart.SaveState(w);
        Rtc.SaveState(w);
        foreach (var v in VirtioSlots) v.SaveState(w);
        foreach (var d in CustomDevices) ((ISnapshotState)d).SaveState(w);
        foreach (var v in Gicv3VirtualInterfaces) v.SaveState(w);
        if (Gicv2 != null) Gicv2.SaveState(w);
        else Gicv3!.SaveState(w);
        foreach (var ram in Bus.Ram) ram.SaveState(w);
    }

    private void RestoreMachineState(SnapshotReader r)
    {
        r.Section("machine");
        r.Read(_poweredOn, "CPU power states");
        r.Read(_retiredBeforeReset, "instructions retired before reset");
        ResetCount = r.ReadInt32(0, int.MaxValue, "reset count");
        CurrentCpuIndex = r.ReadInt32(0, Cpus.Count - 1, "current CPU");
        _devicePolls = r.ReadUInt64();
        // The clock is restored (its queue emptied) before any owner re-arms an event on it.
        Clock.RestoreState(r);
        r.ReadEvent(Clock, _quantumEnd, static () => { });
        _serialInputPoll = r.ReadEvent(Clock, _serialInputPoll, PollSerialInput);
        foreach (var c in Cpus) c.RestoreState(r);
        foreach (var t in Timers) t.RestoreState(r);
        Uart.RestoreState(r);
        Rtc.RestoreState(r);
        foreach (var v in VirtioSlots) v.RestoreState(r);
        foreach (var d in CustomDevices) ((ISnapshotState)d).RestoreState(r);
        foreach (var v in Gicv3VirtualInterfaces) v.RestoreState(r);
        if (Gicv2 != null) Gicv2.RestoreState(r);
        else Gicv3!.RestoreState(r);
        foreach (var ram in Bus.Ram) ram.RestoreState(r);
    }
}
