using System.Diagnostics;
using System.Reflection;
using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;
using ArmVirt.Machine;

namespace ArmVirt.Cli;

/// <summary>The <c>armvirt</c> command-line runner.</summary>
public static class Program
{
    internal const string DemoResource = "ArmVirt.Cli.demo.elf";

    /// <summary>Process entry point: serial on stdout, stdin feeds the UART.</summary>
    public static int Main(string[] args)
    {
        using var stdout = Console.OpenStandardOutput();
        using var stdin = Console.OpenStandardInput();
        using var stderr = new StreamWriter(Console.OpenStandardError(), bufferSize: 1 << 16) { AutoFlush = false };
        return Run(args, stdout, stderr, stdin, installCancelHandler: true);
    }

    /// <summary>
    /// <c>armvirt VERSION</c>: the informational version the build stamps into the assembly (Directory.Build.props'
    /// Version, with the commit when Source Link adds it).
    /// </summary>
    internal static string VersionText =>
        "armvirt " + (typeof(Program).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
            ?? typeof(Program).Assembly.GetName().Version?.ToString() ?? "unknown");

    /// <summary>
    /// Runs the runner in-process with the given streams (used by tests) and returns the process exit code.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Receives the guest's serial output (and --help).</param>
    /// <param name="stderr">Receives diagnostics, --trace and --stats.</param>
    /// <param name="stdin">Fed to the UART receiver, or null for no input.</param>
    /// <param name="installCancelHandler">Stop the guest on Ctrl-C (only for the real process).</param>
    public static int Run(string[] args, Stream stdout, TextWriter stderr, Stream? stdin, bool installCancelHandler = false)
    {
        bool verbose = args.Contains("--verbose");
        try
        {
            var options = OptionParser.Parse(args);
            if (options.Help || options.Version)
            {
                var text = System.Text.Encoding.UTF8.GetBytes(options.Help ? OptionParser.HelpText() : VersionText + "\n");
                stdout.Write(text);
                stdout.Flush();
                return ExitCodes.PowerOff;
            }
            return Boot(options, stdout, stderr, stdin, installCancelHandler);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"armvirt: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (MachineConfigurationException e)
        {
            stderr.WriteLine($"armvirt: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"armvirt: internal error: {e.GetType().Name}: {e.Message}");
            if (verbose) stderr.WriteLine(e.ToString());
            return ExitCodes.InternalError;
        }
        finally
        {
            stderr.Flush();
        }
    }

    private static int Boot(RunnerOptions options, Stream stdout, TextWriter stderr, Stream? stdin, bool installCancelHandler)
    {
        var builder = new MachineBuilder()
            .WithMemory(options.Memory)
            .WithCpu(options.Cpu)
            .WithSemihosting(options.Semihosting)
            .WithEngine(options.Engine)
            .WithTiming(options.Timing)
            .WithGicVersion(options.GicVersion)
            .WithCpus(options.Cpus)
            .WithSmpMode(options.SmpMode)
            .WithSerial(stdout, options.DumpDtb == null && options.Console != "stdio" && options.Replay == null ? stdin : null);
        if (options.Quantum is { } quantum) builder.WithQuantum(quantum);
        if (options.Verbose) builder.WithLogger(new StderrLogger(stderr));
        if (options.Kernel != null)
        {
            builder.WithKernel(options.Kernel).WithHighestEl(options.El ?? 1);
        }
        else
        {
            // The demo shows the EL2 -> EL1 path, so it boots at EL2 unless --el says otherwise.
            builder.WithKernel(LoadDemo(), "built-in demo").WithHighestEl(options.El ?? 2);
        }
        if (options.Dtb != null) builder.WithDtb(options.Dtb);
        if (options.Append != null) builder.WithAppend(options.Append);
        if (options.Initrd != null) builder.WithInitrd(options.Initrd);
        foreach (var d in options.Devices) d.AddTo(builder);

        using var socketConsole = AddVirtioDevices(builder, options, stdout, stdin);
        using var inputLog = OpenInputLog(options);
        using var machine = builder.Build();
        if (options.DumpDtb != null)
        {
            try { File.WriteAllBytes(options.DumpDtb, machine.Dtb); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--dump-dtb {options.DumpDtb}: {e.Message}");
            }
            return ExitCodes.PowerOff;
        }
        if (socketConsole != null)
        {
            stderr.WriteLine($"armvirt: waiting for a connection on unix:{socketConsole.Path}");
            stderr.Flush();
            socketConsole.Accept();
        }
        if (options.Restore != null)
        {
            var restoring = Stopwatch.StartNew();
            RestoreSnapshot(machine, options.Restore);
            if (options.Stats) stderr.WriteLine($"armvirt: {options.Restore}: restored in {restoring.ElapsedMilliseconds} ms");
        }
        if (inputLog != null && options.DumpDtb == null) StartInputLog(machine, inputLog, options);
        if (options.Trace)
        {
            // With several CPUs each line names the CPU that ran the instruction.
            bool smp = machine.Cpus.Count > 1;
            foreach (var c in machine.Cpus)
                c.TraceInstruction = (cpu, insn) => stderr.WriteLine(smp
                    ? $"cpu{cpu.Configuration.Index} {cpu.State.PC:x16}: {insn:x8} EL{cpu.State.EL}  {cpu.InstructionName(insn)}"
                    : $"{cpu.State.PC:x16}: {insn:x8} EL{cpu.State.EL}  {cpu.InstructionName(insn)}");
        }

        ConsoleCancelEventHandler? onCancel = null;
        if (installCancelHandler)
        {
            onCancel = (_, e) =>
            {
                e.Cancel = machine.Cpus.All(c => c.StopReason == StopReason.None); // a second Ctrl-C ends the process
                machine.RequestStop();
            };
            Console.CancelKeyPress += onCancel;
        }
        var watch = Stopwatch.StartNew();
        MachineExit exit;
        try
        {
            exit = options.Gdb != null
                ? GdbServer.Run(machine, options.Gdb, options.GdbWait, options.MaxInstructions, stderr)
                : options.SnapshotAt is { } at ? RunWithSnapshot(machine, at, options.SnapshotFile!, options.MaxInstructions, stderr)
                : machine.Run(options.MaxInstructions);
        }
        finally
        {
            if (onCancel != null) Console.CancelKeyPress -= onCancel;
        }
        watch.Stop();
        stdout.Flush();

        if (options.Stats)
        {
            double seconds = Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
            stderr.WriteLine($"armvirt: {machine.InstructionsExecuted} instructions, {machine.CyclesExecuted} cycles, " +
                $"{machine.InstructionsExecuted / seconds / 1e6:F2} MIPS ({watch.Elapsed.TotalSeconds:F3} s)");
            if (!options.Timing.IsFlat)
            {
                // IPC and the predictor's counts, summed over the CPUs (deterministic, like the counts above).
                ulong predicted = 0, mispredicted = 0;
                foreach (var c in machine.Cpus)
                {
                    predicted += c.BranchPredictor!.Predicted;
                    mispredicted += c.BranchPredictor.Mispredicted;
                }
                stderr.WriteLine($"armvirt: timing {options.Timing.Name}: IPC {(double)machine.InstructionsExecuted / Math.Max(1, machine.CyclesExecuted):F3}, " +
                    $"{predicted} branches predicted, {mispredicted} mispredicted");
            }
            // The JIT lines and the retired line are summed over the CPUs (each has its own translation cache).
            var caches = machine.Cpus.Select(c => c.Translations).OfType<ArmVirt.Cpu.Jit.TranslationCache>().ToList();
            if (caches.Count > 0)
                stderr.WriteLine($"armvirt: jit: {caches.Sum(c => c.BlocksBuilt)} blocks built, {caches.Sum(c => c.BlocksInvalidated)} invalidated, " +
                    $"{caches.Sum(c => c.Flushes)} cache flushes, {caches.Sum(c => c.PagesRechecked)} pages checked after IC IALLU");
            long compiles = caches.Sum(c => c.BlocksCompiled), compiled = caches.Sum(c => c.InstructionsCompiled);
            if (compiles > 0)
            {
                var compileTime = TimeSpan.FromTicks(caches.Sum(c => c.CompileTime.Ticks));
                stderr.WriteLine($"armvirt: jit: {compiles} compiles ({caches.Sum(c => c.RegionsCompiled)} of them regions), {compiled} guest instructions, in " +
                    $"{compileTime.TotalSeconds:F3} s, {compileTime.TotalMicroseconds / compiled:F1} us per guest instruction");
            }
            ulong Sum(Func<CpuStatistics, ulong> f) => machine.Cpus.Aggregate(0UL, (n, c) => n + f(c.Statistics));
            double all = Math.Max(1, machine.InstructionsExecuted);
            stderr.WriteLine($"armvirt: retired: {Sum(s => s.InstructionsRegions) / all:P1} in regions, {Sum(s => s.InstructionsBaseline) / all:P1} in baseline blocks, " +
                $"{Sum(s => s.InstructionsPredecoded) / all:P1} predecoded, {Sum(s => s.InstructionsStepped) / all:P1} stepped; " +
                $"{Sum(s => s.CompiledEntries)} compiled entries ({Sum(s => s.CallOutsReturned)} calls returned into regions), {Sum(s => s.PredecodedRuns)} predecoded block runs; " +
                $"exceptions taken: {Sum(s => s.ExceptionsTaken[1])} to EL1, {Sum(s => s.ExceptionsTaken[2])} to EL2, {Sum(s => s.ExceptionsTaken[3])} to EL3; " +
                $"{Sum(s => s.MmioAccesses)} MMIO accesses, {Sum(s => (ulong)s.TlbFills)} TLB fills, {Sum(s => s.HostTlbFlushes)} host TLB flushes");
            if (machine.Cpus.Count > 1)
                stderr.WriteLine("armvirt: per CPU: " + string.Join(", ", machine.Cpus.Select(c => $"cpu{c.Configuration.Index} {c.State.Instructions} instructions")));
            if (machine.ParallelStats is { } parallel) stderr.WriteLine("armvirt: parallel: " + parallel);
        }
        var (code, message) = Outcome(exit, machine.InstructionsExecuted);
        if (message != null) stderr.WriteLine($"armvirt: {message}");
        return code;
    }

    // --record FILE (created) or --replay FILE (read), opened before the machine so that a bad path costs no boot.
    private static FileStream? OpenInputLog(RunnerOptions options)
    {
        string? path = options.Record ?? options.Replay;
        if (path == null) return null;
        if (options.SmpMode == ArmVirt.Machine.SmpMode.Parallel && options.Cpus > 1)
            throw new UsageException($"{(options.Record != null ? "--record" : "--replay")}: needs --smp-mode deterministic (a parallel run does not repeat)");
        try
        {
            return options.Record != null ? File.Create(path) : File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
    }

    private static void StartInputLog(ArmVirt.Machine.Machine machine, FileStream log, RunnerOptions options)
    {
        if (options.Record != null)
        {
            machine.RecordInput(log);
            return;
        }
        try
        {
            machine.ReplayInput(log);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"{options.Replay}: {e.Message}");
        }
    }

    // --restore: a snapshot that cannot be read or does not fit this machine is the user's mistake (one line, exit 2).
    private static void RestoreSnapshot(ArmVirt.Machine.Machine machine, string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            machine.RestoreSnapshot(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArmVirt.Core.SnapshotFormatException)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
    }

    // --snapshot-at N: runs until N instructions have retired (an instruction boundary of every CPU), saves, and runs on
    // within what is left of --max-insns. A guest that stops first leaves no file and says so.
    private static MachineExit RunWithSnapshot(ArmVirt.Machine.Machine machine, ulong at, string path, ulong maxInstructions, TextWriter stderr)
    {
        ulong done = machine.InstructionsExecuted;
        if (at < done) throw new UsageException($"--snapshot-at {at}: the restored machine has already retired {done} instructions");
        ulong first = Math.Min(at - done, maxInstructions);
        var exit = machine.Run(first);
        if (machine.InstructionsExecuted != at)
        {
            if (exit.Reason != StopReason.InstructionLimit)
                stderr.WriteLine($"armvirt: {path}: not written: the guest stopped after {machine.InstructionsExecuted} instructions, before {at}");
            return exit;
        }
        try
        {
            var watch = Stopwatch.StartNew();
            using var file = File.Create(path);
            machine.SaveSnapshot(file);
            stderr.WriteLine($"armvirt: {path}: snapshot at instruction {at} ({file.Length} bytes, {watch.ElapsedMilliseconds} ms)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: {e.Message}");
        }
        ulong left = maxInstructions == ulong.MaxValue ? ulong.MaxValue : maxInstructions - first;
        return left == 0 ? exit : machine.Run(left);
    }

    // Devices in a fixed order: drives, network devices, console, rng (the first --drive is Linux's /dev/vda, the first
    // --netdev its eth0). Returns the socket console, which the caller connects after the machine is built. A replayed
    // run takes its input from the log: no TAP is opened (a disconnected backend stands in, polled as TAP is), and the
    // console gets no input stream.
    private static UnixSocketConsole? AddVirtioDevices(MachineBuilder builder, RunnerOptions options, Stream stdout, Stream? stdin)
    {
        bool replay = options.Replay != null;
        foreach (var d in options.Drives) builder.WithBlockDevice(d.File, d.ReadOnly, d.Snapshot);
        foreach (var n in options.Netdevs)
            if (replay) builder.WithNetwork(new DisconnectedNetBackend(polled: true), n.Mac);
            else builder.WithTapNetwork(n.InterfaceName, n.Pcap, n.Mac);
        UnixSocketConsole? socket = null;
        if (options.Console == "stdio") builder.WithConsole(stdout, options.DumpDtb == null && !replay ? stdin : null);
        else if (options.Console != null)
        {
            socket = new UnixSocketConsole(options.Console["unix:".Length..]);
            builder.WithConsole(socket.Stream, replay ? null : socket.Stream);
        }
        if (options.RngSeed is { } seed) builder.WithRng(seed);
        return socket;
    }

    /// <summary>The process exit code for how the guest stopped, and the line to print on stderr (or null).</summary>
    internal static (int Code, string? Message) Outcome(MachineExit exit, ulong instructions) => exit.Reason switch
    {
        StopReason.PowerOff => (ExitCodes.PowerOff, null),
        StopReason.SemihostingExit => (exit.ExitCode, null),
        StopReason.InstructionLimit => (ExitCodes.InstructionLimit, $"stopped after {instructions} instructions (--max-insns)"),
        StopReason.Halted => (ExitCodes.Halted, $"guest halted: {exit.Message}"),
        StopReason.HostRequest => (ExitCodes.Interrupted, "interrupted"),
        _ => (ExitCodes.InternalError, $"guest stopped ({exit.Reason}): {exit.Message}"),
    };

    private static byte[] LoadDemo()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(DemoResource)
            ?? throw new UsageException("demo guest: not embedded in this build (give --kernel FILE)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
