using System.Globalization;

namespace ArmVirt.Cli;

/// <summary>
/// The runner's options, one table row each (name, value placeholder, help text, how to apply the value), and the
/// parser that walks the command line against the table. Values follow the option as the next argument or after '='.
/// </summary>
internal static class OptionParser
{
    /// <summary>One option: its name, the placeholder of its value (null for a flag), its help and its setter.</summary>
    internal sealed record Option(string Name, string? Value, string Help, Action<RunnerOptions, string> Apply);

    internal static readonly Option[] Table =
    [
        new("--kernel", "FILE", "kernel to boot: AArch64 ELF, Linux arm64 Image (gzip ok) or raw binary (default: the built-in demo at EL2)", (o, v) => o.Kernel = v),
        new("--dtb", "FILE", "device tree blob to use instead of the generated one", (o, v) => o.Dtb = v),
        new("--dump-dtb", "FILE", "write the guest's device tree blob to FILE and exit", (o, v) => o.DumpDtb = v),
        new("--append", "STR", "kernel command line (/chosen/bootargs)", (o, v) => o.Append = v),
        new("--initrd", "FILE", "initial ramdisk (Image and raw kernels)", (o, v) => o.Initrd = v),
        new("--memory", "SIZE", "guest RAM, e.g. 512M or 2G (K, M, G suffixes; a plain number means MiB; default 128M)", (o, v) => o.Memory = ParseSize("--memory", v)),
        new("--cpu", "NAME", "CPU model: cortex-a57 (default), cortex-a53, max; ,pmu=off removes its PMUv3 (as QEMU's -cpu NAME,pmu=off)", (o, v) => o.Cpu = v),
        new("--el", "N", "highest exception level the CPU starts in: 1 (default), 2 or 3 (with cortex-a15/a7: Monitor mode and the Security Extensions, as QEMU's secure=on)", (o, v) => o.El = ParseEl(v)),
        new("--smp", "N", "number of CPUs, 1 (default) to 8; CPU 0 boots, the others start through PSCI CPU_ON", (o, v) => o.Cpus = ParseSmp(v)),
        new("--quantum", "N", "with --smp: cycles each CPU runs before the next takes its turn (default 10000; deterministic whatever N); with --smp-mode parallel the most a CPU runs ahead of the slowest (default 1000000)", (o, v) => o.Quantum = ParseCount("--quantum", v)),
        new("--smp-mode", "MODE", "with --smp: deterministic (default: the CPUs take turns on one host thread, runs repeat exactly) or parallel (one host thread per CPU, as QEMU's MTTCG: faster, not deterministic)", (o, v) => o.SmpMode = ParseSmpMode(v)),
        new("--gic-version", "N", "interrupt controller: 2 (default, GICv2 with GICH/GICV at EL2) or 3 (GICv3, ICC_* system registers)", (o, v) => o.GicVersion = ParseGicVersion(v)),
        new("--timing", "MODEL", "timing model: flat (default, one cycle per instruction), cortex-a53 (in order, dual issue) or cortex-a57 (out of order, approximated); a branch predictor feeds the PMU's BR_PRED and BR_MIS_PRED", (o, v) => o.Timing = ParseTiming(v)),
        new("--engine", "NAME", "execution engine: jit (default, recompiles hot code to .NET IL) or interp", (o, v) => o.Engine = ParseEngine(v)),
        new("--device", "SPEC", "place a file in RAM (repeatable): loader,file=F[,addr=A][,force-raw=on][,cpu-num=0] (an ELF by its program headers, else raw at A; cpu-num: start there), loader,addr=A,data=V,data-len=N[,data-be=on], loader,addr=A,cpu-num=0 or, for a hypervisor's guest, guest-loader,addr=A,kernel=F[,bootargs=S] / guest-loader,addr=A,initrd=F (described in /chosen as QEMU does)", (o, v) => o.Devices.Add(DeviceOption.Parse(v))),
        new("--drive", "SPEC", "virtio-blk disk (repeatable): file=IMG[,format=raw][,readonly=on][,snapshot=on]; snapshot=on keeps writes in memory", (o, v) => o.Drives.Add(VirtioOptions.ParseDrive(v))),
        new("--netdev", "SPEC", "virtio-net (repeatable): tap,ifname=NAME[,pcap=FILE][,mac=52:54:00:12:34:56]; pcap records every frame", (o, v) => o.Netdevs.Add(VirtioOptions.ParseNetdev(v))),
        new("--console", "WHERE", "virtio-console (hvc0): stdio, or unix:PATH (listens there and waits for one client)", (o, v) => o.Console = VirtioOptions.ParseConsole(v)),
        new("--rng", "[seed=N]", "virtio-rng, deterministic bytes from seed N (default 0)", (o, v) => o.RngSeed = VirtioOptions.ParseRng(v)),
        new("--gdb", "tcp::PORT", "GDB remote stub on PORT (QEMU's -gdb): one thread per CPU, breakpoints and watchpoints that leave the guest's debug registers alone; gdb's attach stops the guest", (o, v) => { GdbServer.ParseEndpoint(v); o.Gdb = v; }),
        new("--gdb-wait", null, "with --gdb: start halted and wait for gdb to connect and continue (QEMU's -S)", (o, _) => o.GdbWait = true),
        new("--snapshot-at", "N", "with --snapshot-file: save the machine when N instructions have retired (counted from its start, across a --restore), then run on", (o, v) => o.SnapshotAt = ParseCount("--snapshot-at", v)),
        new("--snapshot-file", "FILE", "where --snapshot-at writes the snapshot (CPUs, GIC, timers, devices, RAM; not disk images)", (o, v) => o.SnapshotFile = v),
        new("--restore", "FILE", "start from a snapshot written by --snapshot-at, on a machine given the same options", (o, v) => o.Restore = v),
        new("--record", "FILE", "log every input the guest receives (serial, --netdev frames, --console input), with when it arrived, for --replay", (o, v) => o.Record = v),
        new("--replay", "FILE", "feed the input logged by --record instead of stdin, TAP and console input: the run repeats exactly (output, instruction and cycle counts)", (o, v) => o.Replay = v),
        new("--semihosting", null, "enable Arm semihosting (HLT #0xF000)", (o, _) => o.Semihosting = true),
        new("--max-insns", "N", "stop after N instructions (exit code 124)", (o, v) => o.MaxInstructions = ParseCount("--max-insns", v)),
        new("--stats", null, "print instructions, cycles and MIPS to stderr at exit", (o, _) => o.Stats = true),
        new("--trace", null, "print one line per instruction to stderr: PC, encoding, EL and the instruction's name (A64, A32 or T32)", (o, _) => o.Trace = true),
        new("--verbose", null, "show stack traces for internal errors, and the guest's mistakes that have no architectural effect (reserved device registers, broken virtqueues)", (o, _) => o.Verbose = true),
        new("--help", null, "show this help", (o, _) => o.Help = true),
        new("--version", null, "print armvirt's version and exit", (o, _) => o.Version = true),
    ];

    /// <summary>Parses <paramref name="args"/>; throws <see cref="UsageException"/> on the first mistake.</summary>
    public static RunnerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new RunnerOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "-?") arg = "--help";
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"{arg}: unexpected argument (options start with --; see --help)");
            string name = arg;
            string? value = null;
            int eq = arg.IndexOf('=');
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            var option = Table.FirstOrDefault(o => o.Name == name)
                ?? throw new UsageException($"{name}: unknown option (see --help)");
            if (option.Value == null)
            {
                if (value != null) throw new UsageException($"{name}: takes no value");
            }
            else if (value == null && option.Value.StartsWith('['))
            {
                // An optional value ("[seed=N]") is taken from the next argument unless that is another option.
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            }
            else if (value == null)
            {
                if (i + 1 >= args.Count) throw new UsageException($"{name}: needs a value ({option.Value})");
                value = args[++i];
            }
            option.Apply(options, value ?? "");
        }
        if (options.GdbWait && options.Gdb == null) throw new UsageException("--gdb-wait: needs --gdb tcp::PORT");
        if ((options.SnapshotAt == null) != (options.SnapshotFile == null))
            throw new UsageException(options.SnapshotAt == null ? "--snapshot-file: needs --snapshot-at N" : "--snapshot-at: needs --snapshot-file FILE");
        if (options.SnapshotAt != null && options.Gdb != null) throw new UsageException("--snapshot-at: not with --gdb");
        if (options.Record != null && options.Replay != null) throw new UsageException("--record: not with --replay");
        return options;
    }

    /// <summary>The help text: usage line and the option table.</summary>
    public static string HelpText()
    {
        var lines = new List<string>
        {
            "Usage: armvirt [options]",
            "Runs an AArch64 guest on an emulated QEMU -M virt machine; serial on stdout, stdin feeds the UART.",
            "",
            "Options:",
        };
        foreach (var o in Table)
        {
            string left = o.Value == null ? o.Name : $"{o.Name} {o.Value}";
            lines.Add($"  {left,-20} {o.Help}");
        }
        lines.Add("");
        lines.Add("Exit codes: 0 power off (PSCI SYSTEM_OFF), N semihosting exit code, 124 --max-insns reached,");
        lines.Add("            1 guest halted forever, 2 usage or configuration error, 70 internal error.");
        return string.Join(Environment.NewLine, lines) + Environment.NewLine;
    }

    /// <summary>Parses a size with an optional K, M or G suffix (powers of 1024); a plain number is in MiB, as QEMU's -m.</summary>
    public static ulong ParseSize(string option, string text)
    {
        string t = text.Trim();
        int shift = 20;
        if (t.Length > 0)
        {
            switch (char.ToUpperInvariant(t[^1]))
            {
                case 'K': shift = 10; t = t[..^1]; break;
                case 'M': shift = 20; t = t[..^1]; break;
                case 'G': shift = 30; t = t[..^1]; break;
            }
        }
        if (!ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n == 0
            || n > (ulong.MaxValue >> shift))
            throw new UsageException($"{option} {text}: not a size (use a number with K, M or G)");
        return n << shift;
    }

    private static ulong ParseCount(string option, string text)
    {
        if (!ulong.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) || n == 0)
            throw new UsageException($"{option} {text}: not a positive whole number");
        return n;
    }

    private static ArmVirt.Cpu.Timing.TimingModel ParseTiming(string text) =>
        ArmVirt.Cpu.Timing.TimingModel.All.FirstOrDefault(m => m.Name == text)
        ?? throw new UsageException($"--timing {text}: must be {string.Join(", ", ArmVirt.Cpu.Timing.TimingModel.All.Select(m => m.Name))}");

    private static ArmVirt.Cpu.ExecutionEngine ParseEngine(string text) => text switch
    {
        "jit" => ArmVirt.Cpu.ExecutionEngine.Jit,
        "interp" => ArmVirt.Cpu.ExecutionEngine.Interpreter,
        _ => throw new UsageException($"--engine {text}: must be jit or interp"),
    };

    private static ArmVirt.Machine.SmpMode ParseSmpMode(string text) => text switch
    {
        "deterministic" => ArmVirt.Machine.SmpMode.Deterministic,
        "parallel" => ArmVirt.Machine.SmpMode.Parallel,
        _ => throw new UsageException($"--smp-mode {text}: must be deterministic or parallel"),
    };

    private static int ParseSmp(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= ArmVirt.Machine.Machine.MaxCpus
            ? n : throw new UsageException($"--smp {text}: must be a number of CPUs from 1 to {ArmVirt.Machine.Machine.MaxCpus}");

    private static int ParseGicVersion(string text) => text switch
    {
        "2" => 2,
        "3" => 3,
        _ => throw new UsageException($"--gic-version {text}: must be 2 or 3"),
    };

    private static int ParseEl(string text) => text switch
    {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        _ => throw new UsageException($"--el {text}: must be 1, 2 or 3"),
    };
}
