namespace ArmVirt.Cli;

/// <summary>The settings of one <c>armvirt</c> invocation, filled in by <see cref="OptionParser"/>.</summary>
internal sealed class RunnerOptions
{
    public string? Kernel { get; set; }
    public string? Dtb { get; set; }
    public string? DumpDtb { get; set; }
    public string? Append { get; set; }
    public string? Initrd { get; set; }
    public ulong Memory { get; set; } = 128UL << 20;
    public string Cpu { get; set; } = "cortex-a57";
    public int? El { get; set; }
    public int GicVersion { get; set; } = 2;

    /// <summary>--smp: the number of CPUs.</summary>
    public int Cpus { get; set; } = 1;

    /// <summary>--quantum: cycles per CPU turn with several CPUs.</summary>
    public ulong? Quantum { get; set; }

    /// <summary>--smp-mode: deterministic turns on one thread, or one host thread per CPU.</summary>
    public ArmVirt.Machine.SmpMode SmpMode { get; set; }
    public bool Semihosting { get; set; }
    public ArmVirt.Cpu.ExecutionEngine Engine { get; set; } = ArmVirt.Cpu.ExecutionEngine.Jit;
    public ArmVirt.Cpu.Timing.TimingModel Timing { get; set; } = ArmVirt.Cpu.Timing.TimingModel.Flat;
    public ulong MaxInstructions { get; set; } = ulong.MaxValue;
    public bool Stats { get; set; }
    public bool Trace { get; set; }
    public bool Verbose { get; set; }
    public bool Help { get; set; }
    public bool Version { get; set; }
    public List<DriveOption> Drives { get; } = [];
    public List<NetdevOption> Netdevs { get; } = [];
    public List<DeviceOption> Devices { get; } = [];
    public string? Console { get; set; }
    public ulong? RngSeed { get; set; }

    /// <summary>--gdb: the GDB stub's endpoint (tcp::PORT), or null.</summary>
    public string? Gdb { get; set; }

    /// <summary>--gdb-wait: start halted until GDB continues the guest (QEMU's -S).</summary>
    public bool GdbWait { get; set; }

    /// <summary>--snapshot-at: the instruction count at which the machine is saved to <see cref="SnapshotFile"/>.</summary>
    public ulong? SnapshotAt { get; set; }

    /// <summary>--snapshot-file: where --snapshot-at writes.</summary>
    public string? SnapshotFile { get; set; }

    /// <summary>--restore: a snapshot to start from.</summary>
    public string? Restore { get; set; }

    /// <summary>--record: where the serial input log is written.</summary>
    public string? Record { get; set; }

    /// <summary>--replay: a serial input log to feed instead of stdin.</summary>
    public string? Replay { get; set; }
}
