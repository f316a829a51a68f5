using System.Reflection;
using ArmVirt.Cli;
using ArmVirt.Cpu;
using ArmVirt.Machine;
using ArmVirt.Machine.DeviceTree;

namespace ArmVirt.Cli.Tests;

[TestClass]
public sealed class CliTests
{
    private static CliRun Run(params string[] args) => CliRun.Of(null, args);

    private static CliRun RunWithInput(byte[]? input, params string[] args) => CliRun.Of(input, args);

    private sealed class TempFile : IDisposable
    {
        public TempFile(byte[]? contents = null)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"armvirt-cli-{Guid.NewGuid():N}");
            if (contents != null) File.WriteAllBytes(Path, contents);
        }

        public string Path { get; }
        public void Dispose() => File.Delete(Path);
    }

    private static TempFile RawKernel() => new(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());

    [TestMethod]
    public void BadMemorySizeIsOneLineAndExitCode2()
    {
        var r = Run("--memory", "3Q");
        Assert.AreEqual(2, r.Code);
        Assert.AreEqual("armvirt: --memory 3Q: not a size (use a number with K, M or G)" + Environment.NewLine, r.Stderr);
        Assert.AreEqual("", r.Stdout);
    }

    [TestMethod]
    public void UsageErrorsExitWith2()
    {
        Assert.AreEqual("armvirt: --frobnicate: unknown option (see --help)", Run("--frobnicate").ErrorLines.Single());
        Assert.AreEqual("armvirt: --kernel: needs a value (FILE)", Run("--kernel").ErrorLines.Single());
        Assert.AreEqual("armvirt: --el 4: must be 1, 2 or 3", Run("--el", "4").ErrorLines.Single());
        Assert.AreEqual("armvirt: --max-insns ten: not a positive whole number", Run("--max-insns", "ten").ErrorLines.Single());
        Assert.AreEqual("armvirt: vmlinux: unexpected argument (options start with --; see --help)", Run("vmlinux").ErrorLines.Single());
        Assert.AreEqual("armvirt: --stats: takes no value", Run("--stats=yes").ErrorLines.Single());
        foreach (var args in new[] { new[] { "--frobnicate" }, ["--el", "0"], ["--memory", "12X"] })
            Assert.AreEqual(2, Run(args).Code, string.Join(' ', args));
    }

    [TestMethod]
    public void ConfigurationErrorsNameWhatAndWhy()
    {
        var r = Run("--kernel", "/no/such/kernel");
        Assert.AreEqual(2, r.Code);
        Assert.AreEqual("armvirt: kernel '/no/such/kernel': file not found", r.ErrorLines.Single());
        using var k = RawKernel();
        r = Run("--kernel", k.Path, "--cpu", "pentium");
        Assert.AreEqual(2, r.Code);
        StringAssert.StartsWith(r.ErrorLines.Single(), "armvirt: cpu 'pentium': unknown model");
        Assert.IsFalse(r.Stderr.Contains("   at "), "no stack trace");
        r = Run("--kernel", k.Path, "--cpu", "cortex-a57,pmu=maybe");
        Assert.AreEqual(2, r.Code);
        Assert.AreEqual("armvirt: cpu 'cortex-a57,pmu=maybe': unknown property 'pmu=maybe' (pmu=on or pmu=off)", r.ErrorLines.Single());
    }

    [TestMethod]
    public void SizesTakeKMGSuffixesAndPlainNumbersAreMiB()
    {
        Assert.AreEqual(512UL << 20, OptionParser.ParseSize("--memory", "512M"));
        Assert.AreEqual(2UL << 30, OptionParser.ParseSize("--memory", "2G"));
        Assert.AreEqual(2UL << 30, OptionParser.ParseSize("--memory", "2g"));
        Assert.AreEqual(65536UL, OptionParser.ParseSize("--memory", "64K"));
        Assert.AreEqual(256UL << 20, OptionParser.ParseSize("--memory", "256"));
        foreach (var bad in new[] { "", "M", "-1M", "1.5G", "0", "99999999999999G" })
            Assert.ThrowsExactly<UsageException>(() => OptionParser.ParseSize("--memory", bad), bad);
    }

    [TestMethod]
    public void OptionsParseInBothForms()
    {
        var o = OptionParser.Parse(["--kernel=a.elf", "--append", "console=ttyAMA0 quiet", "--el", "2", "--memory=1G",
            "--cpu", "max", "--semihosting", "--max-insns", "1_000_000", "--stats", "--trace", "--dtb", "b.dtb",
            "--dump-dtb", "c.dtb", "--initrd", "d.img", "--verbose"]);
        Assert.AreEqual("a.elf", o.Kernel);
        Assert.AreEqual("console=ttyAMA0 quiet", o.Append);
        Assert.AreEqual(2, o.El);
        Assert.AreEqual(1UL << 30, o.Memory);
        Assert.AreEqual("max", o.Cpu);
        Assert.IsTrue(o.Semihosting && o.Stats && o.Trace && o.Verbose);
        Assert.AreEqual(1_000_000UL, o.MaxInstructions);
        Assert.AreEqual("b.dtb", o.Dtb);
        Assert.AreEqual("c.dtb", o.DumpDtb);
        Assert.AreEqual("d.img", o.Initrd);
    }

    [TestMethod]
    public void HelpListsEveryOption()
    {
        var r = Run("--help");
        Assert.AreEqual(0, r.Code);
        foreach (var option in OptionParser.Table) StringAssert.Contains(r.Stdout, option.Name);
        StringAssert.Contains(r.Stdout, "124");
    }

    [TestMethod]
    public void MaxInsnsStopsWithExitCode124()
    {
        using var k = RawKernel();
        var r = Run("--kernel", k.Path, "--max-insns", "1000");
        Assert.AreEqual(124, r.Code, r.Stderr);
        Assert.AreEqual("armvirt: stopped after 1000 instructions (--max-insns)", r.ErrorLines.Single());
    }

    [TestMethod]
    public void TraceWritesOneLinePerInstructionAndStatsASummary()
    {
        using var k = RawKernel();
        var r = Run("--kernel", k.Path, "--max-insns", "3", "--trace", "--stats", "--el", "2");
        Assert.AreEqual(124, r.Code);
        var lines = r.ErrorLines;
        Assert.AreEqual("0000000040080000: 03020100 EL2  UNALLOCATED", lines[0]);
        // Instruction fetches that abort (the vector table at VBAR = 0 is not RAM) retire without a trace line.
        var trace = new System.Text.RegularExpressions.Regex(@"^[0-9a-f]{16}: [0-9a-f]{8} EL[0-3]  \S.*$");
        // Then the --stats lines: the summary, the translation cache (the JIT engine is the default) and where the
        // instructions retired, and last the stop.
        int stats = Array.FindIndex(lines, l => l.StartsWith("armvirt: ", StringComparison.Ordinal));
        Assert.IsTrue(stats > 0, r.Stderr);
        Assert.IsTrue(lines[..stats].All(trace.IsMatch), r.Stderr);
        StringAssert.Matches(lines[stats], new System.Text.RegularExpressions.Regex(@"^armvirt: 3 instructions, \d+ cycles, [\d.]+ MIPS"));
        StringAssert.Matches(lines[stats + 1], new System.Text.RegularExpressions.Regex(@"^armvirt: jit: \d+ blocks built, \d+ invalidated, \d+ cache flushes, \d+ pages checked after IC IALLU$"));
        StringAssert.Matches(lines[^2], new System.Text.RegularExpressions.Regex(
            @"^armvirt: retired: .* stepped; .* exceptions taken: 0 to EL1, 3 to EL2, 0 to EL3; 0 MMIO accesses, \d+ TLB fills, \d+ host TLB flushes$"));
        Assert.AreEqual("armvirt: stopped after 3 instructions (--max-insns)", lines[^1]);
    }

    // tests/guests/aarch32.elf and aarch32_thumb.elf: an AArch64 EL1 that ERETs to an A32 program at EL0 (0x40400000),
    // which in the second interworks to T32 at once: each line names the instruction in its own instruction set, as the
    // decode tables name the rows (a 16-bit T32 instruction shows as its halfword, a 32-bit one as hw1:hw2).
    [TestMethod]
    public void TraceNamesA64A32AndT32Instructions()
    {
        var a32 = Run("--kernel", GdbSessionTests.GuestElf("aarch32.elf"), "--trace", "--engine", "interp");
        Assert.AreEqual(0, a32.Code, a32.Stderr[..Math.Min(2000, a32.Stderr.Length)]);
        Assert.IsTrue(a32.ErrorLines.Any(l => l.EndsWith(" EL1  ADD (immediate)", StringComparison.Ordinal)), "an A64 line");
        Assert.AreEqual("0000000040400000: eb000033 EL0  BL", a32.ErrorLines.First(l => l.Contains(" EL0 ", StringComparison.Ordinal)));
        Assert.IsFalse(a32.ErrorLines.Any(l => l.EndsWith("  UNDEFINED", StringComparison.Ordinal) || l.EndsWith("  UNALLOCATED", StringComparison.Ordinal)));

        var t32 = Run("--kernel", GdbSessionTests.GuestElf("aarch32_thumb.elf"), "--trace", "--engine", "interp");
        Assert.AreEqual(0, t32.Code, t32.Stderr[..Math.Min(2000, t32.Stderr.Length)]);
        var el0 = t32.ErrorLines.Where(l => l.Contains(" EL0 ", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual("0000000040400000: fa000021 EL0  BLX (immediate)", el0[0]);
        Assert.AreEqual("000000004040008c: f2407010 EL0  MOVW (T32)", el0[1]);
        Assert.IsTrue(el0.Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @": 0000[0-9a-f]{4} EL0  \S")), "a 16-bit T32 line");
        Assert.IsFalse(el0.Any(l => l.EndsWith("  UNDEFINED", StringComparison.Ordinal)), "every EL0 instruction has a row");
    }

    [TestMethod]
    public void DumpDtbWritesTheBlobAndExits()
    {
        using var k = RawKernel();
        using var dtb = new TempFile();
        var r = Run("--kernel", k.Path, "--dump-dtb", dtb.Path, "--append", "console=ttyAMA0", "--el", "2", "--memory", "256M");
        Assert.AreEqual(0, r.Code, r.Stderr);
        var tree = FdtReader.Read(File.ReadAllBytes(dtb.Path));
        Assert.AreEqual("console=ttyAMA0", tree.Find("/chosen")!.Property("bootargs")!.AsString());
        Assert.AreEqual("smc", tree.Find("/psci")!.Property("method")!.AsString());
        CollectionAssert.AreEqual(new uint[] { 0, 0x4000_0000, 0, 0x1000_0000 }, tree.Find("/memory@40000000")!.Property("reg")!.AsCells());
    }

    [TestMethod]
    public void SmpBuildsACpuNodePerCpuAndRejectsBadCounts()
    {
        Assert.AreEqual("armvirt: --smp 9: must be a number of CPUs from 1 to 8", Run("--smp", "9").ErrorLines.Single());
        Assert.AreEqual("armvirt: --smp 0: must be a number of CPUs from 1 to 8", Run("--smp", "0").ErrorLines.Single());
        Assert.AreEqual("armvirt: --quantum 0: not a positive whole number", Run("--quantum", "0").ErrorLines.Single());
        using var k = RawKernel();
        using var dtb = new TempFile();
        var r = Run("--kernel", k.Path, "--dump-dtb", dtb.Path, "--smp", "3");
        Assert.AreEqual(0, r.Code, r.Stderr);
        var tree = FdtReader.Read(File.ReadAllBytes(dtb.Path));
        for (uint n = 0; n < 3; n++)
        {
            var cpu = tree.Find($"/cpus/cpu@{n}")!;
            CollectionAssert.AreEqual(new[] { n }, cpu.Property("reg")!.AsCells());
            Assert.AreEqual("psci", cpu.Property("enable-method")!.AsString());
        }
        Assert.IsNull(tree.Find("/cpus/cpu@3"));
        // GICv2 PPI specifiers name the CPUs they reach: mask 0b111 in bits 15..8.
        CollectionAssert.AreEqual(new uint[] { 1, 13, 0x704, 1, 14, 0x704, 1, 11, 0x704, 1, 10, 0x704 }, tree.Find("/timer")!.Property("interrupts")!.AsCells());
    }

    [TestMethod]
    public void SmpModeParallelRunsTheSmpGuestAndRejectsUnknownModesAndReplay()
    {
        Assert.AreEqual("armvirt: --smp-mode fast: must be deterministic or parallel", Run("--smp-mode", "fast").ErrorLines.Single());
        string elf = GdbSessionTests.GuestElf("smp.elf");
        using var log = new TempFile();
        var replay = Run("--kernel", elf, "--smp", "2", "--smp-mode", "parallel", "--replay", log.Path);
        Assert.AreEqual(2, replay.Code);
        Assert.AreEqual("armvirt: --replay: needs --smp-mode deterministic (a parallel run does not repeat)", replay.ErrorLines.Single());
        var r = Run("--kernel", elf, "--smp", "4", "--smp-mode", "parallel");
        Assert.AreEqual(ExitCodes.PowerOff, r.Code, r.Stderr);
        string expected = File.ReadAllText(Path.Combine(Path.GetDirectoryName(elf)!, "..", "expected", "smp.txt"));
        Assert.AreEqual(expected, r.Stdout);
    }

    [TestMethod]
    public void GicVersionSelectsTheInterruptControllerNode()
    {
        Assert.AreEqual("armvirt: --gic-version 4: must be 2 or 3", Run("--gic-version", "4").ErrorLines.Single());
        Assert.AreEqual(2, Run("--gic-version", "v3").Code);
        using var k = RawKernel();
        using var dtb = new TempFile();
        var r = Run("--kernel", k.Path, "--dump-dtb", dtb.Path, "--gic-version", "3", "--el", "2");
        Assert.AreEqual(0, r.Code, r.Stderr);
        var gic = FdtReader.Read(File.ReadAllBytes(dtb.Path)).Find("/intc@8000000")!;
        Assert.AreEqual("arm,gic-v3", gic.Property("compatible")!.AsString());
        CollectionAssert.AreEqual(new uint[] { 0, 0x0800_0000, 0, 0x1_0000, 0, 0x080A_0000, 0, 0xF6_0000 }, gic.Property("reg")!.AsCells());
        CollectionAssert.AreEqual(new uint[] { 1, 9, 4 }, gic.Property("interrupts")!.AsCells());
    }

    [TestMethod]
    public void InternalErrorsExitWith70AndShowTheStackOnlyWhenVerbose()
    {
        using var k = RawKernel();
        var readOnly = new MemoryStream(new byte[16], writable: false);
        var quiet = new StringWriter();
        Assert.AreEqual(70, Program.Run(["--kernel", k.Path], readOnly, quiet, null));
        Assert.AreEqual(1, quiet.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, quiet.ToString());
        StringAssert.StartsWith(quiet.ToString(), "armvirt: internal error: ");
        var verbose = new StringWriter();
        Assert.AreEqual(70, Program.Run(["--kernel", k.Path, "--verbose"], readOnly, verbose, null));
        StringAssert.Contains(verbose.ToString(), "   at ");
    }

    [TestMethod]
    public void GuestOutcomesMapToExitCodes()
    {
        Assert.AreEqual(0, Program.Outcome(new MachineExit(StopReason.PowerOff, 0, null), 10).Code);
        Assert.AreEqual(3, Program.Outcome(new MachineExit(StopReason.SemihostingExit, 3, null), 10).Code);
        Assert.AreEqual(124, Program.Outcome(new MachineExit(StopReason.InstructionLimit, 0, null), 10).Code);
        var halted = Program.Outcome(new MachineExit(StopReason.Halted, 0, "waiting for an interrupt that can never arrive at PC 0x40080010"), 10);
        Assert.AreEqual(1, halted.Code);
        Assert.AreEqual("guest halted: waiting for an interrupt that can never arrive at PC 0x40080010", halted.Message);
        Assert.AreEqual(70, Program.Outcome(new MachineExit(StopReason.Error, 0, "stage 1 translation"), 10).Code);
    }

    [TestMethod]
    public void WithoutKernelTheEmbeddedDemoBoots()
    {
        bool embedded = typeof(Program).Assembly.GetManifestResourceNames().Contains(Program.DemoResource);
        var r = Run("--max-insns", "1000");
        if (!embedded)
        {
            Assert.AreEqual(2, r.Code);
            Assert.AreEqual("armvirt: demo guest: not embedded in this build (give --kernel FILE)", r.ErrorLines.Single());
            Assert.Inconclusive("tests/guests/bin/demo.elf is not in this checkout");
        }
        Assert.AreNotEqual(2, r.Code, r.Stderr);
        Assert.AreNotEqual(70, r.Code, r.Stderr);
    }

    [TestMethod]
    public void VersionPrintsTheAssemblyVersionAndExitsZero()
    {
        var r = CliRun.Of(null, "--version");
        Assert.AreEqual(0, r.Code, r.Stderr);
        StringAssert.Matches(r.Stdout, new System.Text.RegularExpressions.Regex(@"^armvirt \d+\.\d+\.\d+\S*\n$"));
        Assert.AreEqual("", r.Stderr);
    }
}
