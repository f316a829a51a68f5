using System.Diagnostics;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// The result of one emulator run: exit code, console output (stdout and stderr merged in arrival order, and
/// stdout alone, which is the guest's serial line and so what must repeat exactly) and wall time.
/// </summary>
public sealed record BootRun(string Command, int ExitCode, bool TimedOut, string Output, string StandardOutput, TimeSpan Elapsed)
{
    /// <summary>Whether /init reached its first marker.</summary>
    public bool ReachedUserspace => Output.Contains(BootInitramfs.BootOkMarker, StringComparison.Ordinal);

    /// <summary>Whether /init ran to its last line before <c>poweroff -f</c>.</summary>
    public bool ReachedPoweroff => Output.Contains(BootInitramfs.BootDoneMarker, StringComparison.Ordinal);

    /// <summary>A summary for assertion messages: the command, exit, time and the last lines of output.</summary>
    public string Describe()
    {
        string[] lines = Output.Split('\n');
        string tail = string.Join('\n', lines[Math.Max(0, lines.Length - 40)..]);
        return $"{Command}\nexit {ExitCode}{(TimedOut ? " (timed out, killed)" : "")} after {Elapsed.TotalSeconds:F1} s; last output:\n{tail}";
    }
}

/// <summary>
/// Where the Linux boot inputs live (the cache filled by tests/linux/fetch.sh), how QEMU and ArmVirt are
/// started on them, and the environment switches:
/// ARMVIRT_CACHE (cache root, default ~/.cache/armvirt), ARMVIRT_LINUX_BOOT=1 (enable the ArmVirt boots),
/// ARMVIRT_CLI (a command, with leading arguments split on spaces, that runs armvirt; default: dotnet run of
/// src/ArmVirt.Cli in Release; tests/linux/qemu-as-armvirt.sh stands in for it to check this suite on QEMU),
/// ARMVIRT_LINUX_TIMEOUT (seconds per ArmVirt boot, default 600), QEMU_SYSTEM_AARCH64 (QEMU binary).
/// </summary>
public static class LinuxBootEnvironment
{
    /// <summary>QEMU's reference configurations: EL1 guest, and EL2 with a GICv2 (vgic-v2 for KVM) or, with
    /// <paramref name="gicVersion"/> 3, a GICv3 without an ITS (ArmVirt models no LPIs).</summary>
    public static string QemuMachine(int el, int gicVersion = 2) =>
        (el == 2 ? "virt,virtualization=on" : "virt") + (gicVersion == 3 ? ",gic-version=3,its=off" : ",gic-version=2");

    /// <summary>
    /// Kernel command line for both emulators: earlycon so a boot that stops before the PL011 driver probes still
    /// shows how far it got; panic=-1 so a panic ends the run instead of hanging; dyndbg turns on vgic-v2.c's
    /// pr_debug so dmesg shows KVM's "vgic-v2@&lt;GICH base&gt;" probe line (6.1 logs it at debug level).
    /// </summary>
    public const string KernelCommandLine = "console=ttyAMA0 earlycon=pl011,0x9000000 panic=-1 dyndbg=\"file vgic-v2.c +p\"";

    /// <summary>Guest RAM for both emulators, given explicitly (it is also both defaults); enough for this kernel and initramfs.</summary>
    public const string GuestMemory = "128M";

    /// <summary>The cache directory of fetch.sh.</summary>
    public static string CacheDirectory
    {
        get
        {
            string root = Environment.GetEnvironmentVariable("ARMVIRT_CACHE") is { Length: > 0 } c
                ? c
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "armvirt");
            return Path.Combine(root, "linux");
        }
    }

    /// <summary>The decompressed arm64 Image.</summary>
    public static string KernelPath => Path.Combine(CacheDirectory, "Image");

    /// <summary>The static arm64 busybox.</summary>
    public static string BusyboxPath => Path.Combine(CacheDirectory, "busybox");

    /// <summary>The repository root (the directory holding ArmVirt.slnx).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ArmVirt.slnx"))) return dir.FullName;
            }
            throw new InvalidOperationException("ArmVirt.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Marks the test inconclusive unless the kernel and busybox have been fetched.</summary>
    public static void RequireKernelCache()
    {
        if (!File.Exists(KernelPath) || !File.Exists(BusyboxPath))
        {
            Assert.Inconclusive($"No kernel cache in {CacheDirectory}: run tests/linux/fetch.sh first.");
        }
    }

    /// <summary>Builds (once per process) the initramfs from the cached busybox and returns its path.</summary>
    public static string Initramfs => initramfs.Value;

    private static readonly Lazy<string> initramfs = new(() =>
        BootInitramfs.WriteTo(Path.Combine(CacheDirectory, "initrd.gz"), BusyboxPath));

    /// <summary>Builds (once per process) the nested-virtualization initramfs (<see cref="BootInitramfs.BuildNested"/>:
    /// minivmm, the kernel and the nested guest's initramfs besides the usual contents) and returns its path.</summary>
    public static string NestedInitramfs => nestedInitramfs.Value;

    private static readonly Lazy<string> nestedInitramfs = new(() =>
        BootInitramfs.WriteNestedTo(Path.Combine(CacheDirectory, "initrd-nested.img"), BusyboxPath, KernelPath));

    /// <summary>The nested boot's command line: the usual one plus the flag that makes /init run the nested KVM guest.</summary>
    public const string NestedKernelCommandLine = KernelCommandLine + " armvirt.nested=1 armvirt.nested-aarch32=1";

    /// <summary>Guest RAM of the nested boot: the 34 MiB initramfs (unpacked once more into the root file system) and the
    /// nested guest's 128 MiB do not fit in <see cref="GuestMemory"/>.</summary>
    public const string NestedGuestMemory = "512M";

    /// <summary>The initramfs, command line and RAM of a plain (<paramref name="nested"/> false) or a nested boot.</summary>
    private static (string Initrd, string CommandLine, string Memory) Guest(bool nested, int nestedCpus = 1) =>
        nested ? (NestedInitramfs, NestedKernelCommandLine + (nestedCpus > 1 ? $" armvirt.nested-cpus={nestedCpus}" : ""), NestedGuestMemory)
            : (Initramfs, KernelCommandLine, GuestMemory);

    /// <summary>Debian's Xen 4.17 hypervisor image, fetched by tests/linux/fetch-xen.sh.</summary>
    public static string XenPath => Path.Combine(CacheDirectory, "xen-4.17-arm64");

    /// <summary>Xen's command line: dom0 in 128 MiB (mapped 1:1, so it needs that much contiguous RAM), the PL011 as its console.</summary>
    public const string XenCommandLine = "dom0_mem=128M console=dtuart dtuart=/pl011@9000000";

    /// <summary>Dom0's command line: Xen's console (hvc0) and early console; panic=-1 as in the other boots.</summary>
    public const string Dom0CommandLine = "console=hvc0 earlycon=xen panic=-1";

    /// <summary>Where the guest loader puts dom0's kernel and initramfs (as in QEMU's guest-loader documentation), in 512 MiB of RAM.</summary>
    public const ulong Dom0KernelAddress = 0x4900_0000, Dom0InitrdAddress = 0x4D00_0000;

    /// <summary>RAM of the Xen boot.</summary>
    public const string XenGuestMemory = "512M";

    /// <summary>Marks the test inconclusive unless the kernel, busybox and Xen have been fetched.</summary>
    public static void RequireXenCache()
    {
        RequireKernelCache();
        if (!File.Exists(XenPath)) Assert.Inconclusive($"No Xen in {CacheDirectory}: run tests/linux/fetch-xen.sh first.");
    }

    /// <summary>The two guest-loader devices of the Xen boot (the same value for QEMU's -device and armvirt's --device).</summary>
    public static string[] Dom0Devices =>
    [
        $"guest-loader,addr=0x{Dom0KernelAddress:x},kernel={KernelPath},bootargs={Dom0CommandLine}",
        $"guest-loader,addr=0x{Dom0InitrdAddress:x},initrd={Initramfs}",
    ];

    /// <summary>Boots Xen with the cached kernel and initramfs as dom0 on QEMU (EL2, virtualization=on).</summary>
    public static BootRun BootXenOnQemu(TimeSpan timeout, int gicVersion = 2)
    {
        RequireXenCache();
        string qemu = FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        return Run(qemu,
        [
            "-M", QemuMachine(2, gicVersion), "-cpu", "cortex-a57", "-smp", "1", "-m", XenGuestMemory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", XenPath, "-append", XenCommandLine, .. Dom0Devices.SelectMany(d => new[] { "-device", d }),
        ], timeout);
    }

    /// <summary>armvirt's options for the Xen boot (the machine and images of <see cref="BootXenOnQemu"/>).</summary>
    public static string[] XenArguments(int gicVersion = 2) =>
    [
        "--kernel", XenPath, "--append", XenCommandLine, "--memory", XenGuestMemory, "--el", "2",
        .. (gicVersion == 3 ? new[] { "--gic-version", "3" } : []), .. Dom0Devices.SelectMany(d => new[] { "--device", d }),
    ];

    /// <summary>qemu-system-aarch64 on PATH (or QEMU_SYSTEM_AARCH64), or null.</summary>
    public static string? FindQemu()
    {
        if (Environment.GetEnvironmentVariable("QEMU_SYSTEM_AARCH64") is { Length: > 0 } q) return File.Exists(q) ? q : null;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, "qemu-system-aarch64");
            if (dir.Length > 0 && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Boots the cached kernel and initramfs on QEMU at EL1 or EL2 (inconclusive without QEMU); with
    /// <paramref name="nested"/> (EL2 only) the nested initramfs and command line, so /init runs the nested KVM guest.</summary>
    public static BootRun BootOnQemu(int el, TimeSpan timeout, int gicVersion = 2, bool nested = false, int cpus = 1, int nestedCpus = 1)
    {
        RequireKernelCache();
        string qemu = FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        var (initrd, commandLine, memory) = Guest(nested, nestedCpus);
        return Run(qemu,
        [
            "-M", QemuMachine(el, gicVersion), "-cpu", "cortex-a57", "-smp", cpus.ToString(), "-m", memory,
            "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", KernelPath, "-initrd", initrd, "-append", commandLine,
        ], timeout);
    }

    /// <summary>Whether the ArmVirt Linux boots are switched on (ARMVIRT_LINUX_BOOT=1).</summary>
    public static bool ArmVirtBootEnabled => Environment.GetEnvironmentVariable("ARMVIRT_LINUX_BOOT") == "1";

    /// <summary>Per-boot time limit for ArmVirt.</summary>
    public static TimeSpan ArmVirtTimeout =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("ARMVIRT_LINUX_TIMEOUT"), out int s) ? s : 600);

    /// <summary>Boots the cached kernel and initramfs through the armvirt CLI at EL1 or EL2 (<paramref name="nested"/>:
    /// as <see cref="BootOnQemu"/>).</summary>
    public static BootRun BootOnArmVirt(int el, TimeSpan timeout, int gicVersion = 2, bool nested = false, int cpus = 1, int nestedCpus = 1)
    {
        RequireKernelCache();
        return RunArmVirt(GuestArguments(el, gicVersion, nested, cpus, nestedCpus), timeout);
    }

    /// <summary>armvirt's options for this boot (the same guest and machine as <see cref="BootOnQemu"/>).</summary>
    public static string[] GuestArguments(int el, int gicVersion = 2, bool nested = false, int cpus = 1, int nestedCpus = 1)
    {
        var (initrd, commandLine, memory) = Guest(nested, nestedCpus);
        return
        [
            "--kernel", KernelPath, "--initrd", initrd, "--append", commandLine,
            "--memory", memory, "--el", el.ToString(), .. (gicVersion == 3 ? new[] { "--gic-version", "3" } : []),
            .. (cpus > 1 ? new[] { "--smp", cpus.ToString() } : []),
        ];
    }

    /// <summary>Runs the armvirt CLI (ARMVIRT_CLI, or the Release build of src/ArmVirt.Cli) with <paramref name="arguments"/>.</summary>
    public static BootRun RunArmVirt(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        if (Environment.GetEnvironmentVariable("ARMVIRT_CLI") is { Length: > 0 } cli)
        {
            // A command and its leading arguments, split on spaces as bench/linux-boot.sh splits it.
            string[] words = cli.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return Run(words[0], [.. words[1..], .. arguments], timeout);
        }
        EnsureCliBuilt();
        string project = Path.Combine(RepositoryRoot, "src", "ArmVirt.Cli");
        return Run("dotnet", ["run", "--no-build", "--project", project, "-c", "Release", "--", .. arguments], timeout);
    }

    /// <summary>The device tree QEMU gives this boot (its dumpdtb machine option), parsed.</summary>
    public static FdtNode QemuDeviceTree(int el, int gicVersion = 2, int cpus = 1)
    {
        RequireKernelCache();
        string qemu = FindQemu() ?? throw new AssertInconclusiveException("qemu-system-aarch64 not found");
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-linux-qemu-el{el}-gic{gicVersion}-{Environment.ProcessId}.dtb");
        try
        {
            BootRun run = Run(qemu,
            [
                "-M", QemuMachine(el, gicVersion) + ",dumpdtb=" + path, "-cpu", "cortex-a57", "-smp", cpus.ToString(), "-m", GuestMemory,
                "-nographic", "-monitor", "none", "-kernel", KernelPath, "-initrd", Initramfs, "-append", KernelCommandLine,
            ], TimeSpan.FromMinutes(1));
            Assert.IsTrue(File.Exists(path), "QEMU wrote no device tree: " + run.Describe());
            return FdtReader.Read(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The device tree armvirt generates for this boot (its --dump-dtb option), parsed.</summary>
    public static FdtNode ArmVirtDeviceTree(int el, int gicVersion = 2, int cpus = 1)
    {
        RequireKernelCache();
        string path = Path.Combine(Path.GetTempPath(), $"armvirt-linux-armvirt-el{el}-gic{gicVersion}-{Environment.ProcessId}.dtb");
        try
        {
            BootRun run = RunArmVirt([.. GuestArguments(el, gicVersion, cpus: cpus), "--dump-dtb", path], TimeSpan.FromMinutes(1));
            Assert.IsTrue(run.ExitCode == 0 && File.Exists(path), "armvirt --dump-dtb wrote no device tree: " + run.Describe());
            return FdtReader.Read(File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static readonly Lazy<bool> cliBuilt = new(() =>
    {
        BootRun build = Run("dotnet", ["build", Path.Combine(RepositoryRoot, "src", "ArmVirt.Cli"), "-c", "Release", "-nologo", "-v", "q"],
            TimeSpan.FromMinutes(5));
        if (build.ExitCode != 0) Assert.Fail("Building src/ArmVirt.Cli failed:\n" + build.Describe());
        return true;
    });

    private static void EnsureCliBuilt() => _ = cliBuilt.Value;

    /// <summary>The argument as a POSIX shell word, so a printed command can be pasted into a shell.</summary>
    private static string ShellQuote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=,:+@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";

    /// <summary>Runs a process with closed stdin, merging stdout and stderr, killing it after <paramref name="timeout"/>.</summary>
    public static BootRun Run(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        string command = fileName + " " + string.Join(' ', arguments.Select(ShellQuote));

        var output = new System.Text.StringBuilder();
        var standardOutput = new System.Text.StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                output.Append(e.Data).Append('\n');
                standardOutput.Append(e.Data).Append('\n');
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Append(e.Data).Append('\n'); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        stopwatch.Stop();
        lock (output)
        {
            // Serial output arrives with CRLF line ends; compare on LF.
            return new BootRun(command, exited ? process.ExitCode : -1, !exited, output.ToString().Replace("\r", ""),
                standardOutput.ToString().Replace("\r", ""), stopwatch.Elapsed);
        }
    }
}
