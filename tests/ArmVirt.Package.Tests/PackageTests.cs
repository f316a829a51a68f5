using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace ArmVirt.Package.Tests;

/// <summary>
/// The packages as users get them (README "Packages"): <c>dotnet pack</c> at the root makes exactly the ArmVirt library
/// package (every ArmVirt assembly with its XML docs, ELFSharp and the logging abstractions its only dependencies, the package readme, a symbols package
/// with the PDBs) and the ArmVirt.Cli tool package; a fresh console project fed only from that folder compiles and runs
/// the package readme's example as written; the tool installs from it and runs.
/// </summary>
[TestClass]
public sealed class PackageTests
{
    private static readonly string[] Assemblies = ["Core", "Mmu", "Cpu", "Gic", "Timer", "Devices", "Machine"];

    private static string? feed;
    private static string? work;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static void Pack(TestContext _)
    {
        work = Directory.CreateTempSubdirectory("armvirt-package-").FullName;
        feed = Path.Combine(work, "feed");
        // --no-build: the solution's Release build (which runs before the tests) made every assembly.
        var r = Run("dotnet", ["pack", Path.Combine(RepositoryRoot, "ArmVirt.slnx"), "--no-build", "-c", "Release", "-o", feed, "-nologo"], RepositoryRoot);
        Assert.AreEqual(0, r.ExitCode, r.Output);
    }

    [ClassCleanup]
    public static void Clean()
    {
        if (work != null && Directory.Exists(work)) Directory.Delete(work, recursive: true);
    }

    private static string Version => File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props"))
        is var props && Regex.Match(props, "<Version>([^<]+)</Version>") is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("no <Version> in Directory.Build.props");

    [TestMethod]
    public void PackMakesTheLibraryAndToolPackagesOnly()
    {
        var files = Directory.GetFiles(feed!).Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(new[] { $"ArmVirt.{Version}.nupkg", $"ArmVirt.{Version}.snupkg", $"ArmVirt.Cli.{Version}.nupkg", $"ArmVirt.Cli.{Version}.snupkg" }, files);
        using var package = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed!, $"ArmVirt.{Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        foreach (string a in Assemblies)
        {
            Assert.Contains($"lib/net10.0/ArmVirt.{a}.dll", entries);
            Assert.Contains($"lib/net10.0/ArmVirt.{a}.xml", entries);
        }
        Assert.Contains("PACKAGE.md", entries);
        string nuspec = new StreamReader(package.GetEntry("ArmVirt.nuspec")!.Open()).ReadToEnd();
        StringAssert.Contains(nuspec, "<license type=\"expression\">MIT</license>");
        StringAssert.Contains(nuspec, "<readme>PACKAGE.md</readme>");
        // The ArmVirt assemblies are inside the package; its dependencies are ELFSharp (ELF symbols) and the logging
        // abstractions (MachineBuilder.WithLogger).
        var dependencies = Regex.Matches(nuspec, "<dependency id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Order().ToArray();
        CollectionAssert.AreEqual(new[] { "ELFSharp", "Microsoft.Extensions.Logging.Abstractions" }, dependencies);
        using var symbols = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed!, $"ArmVirt.{Version}.snupkg"));
        foreach (string a in Assemblies)
            Assert.IsTrue(symbols.Entries.Any(e => e.FullName == $"lib/net10.0/ArmVirt.{a}.pdb"), $"ArmVirt.{a}.pdb in the symbols package");
    }

    /// <summary>The package readme's C# block, compiled and run as written in a project that knows only the feed.</summary>
    [TestMethod]
    public void PackageReadmeExampleBuildsAndBootsAGuest()
    {
        string dir = Path.Combine(work!, "consumer");
        Directory.CreateDirectory(dir);
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot, "src", "ArmVirt.Machine", "PACKAGE.md"));
        string example = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.IsNotEmpty(example, "PACKAGE.md has a ```csharp block");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), example);
        WriteConsumerProject(dir, "Consumer");
        // The example boots guest.elf at EL2: the demo guest, which powers off from EL2.
        File.Copy(Path.Combine(RepositoryRoot, "tests", "guests", "bin", "demo.elf"), Path.Combine(dir, "guest.elf"));
        var r = Run("dotnet", ["run", "-c", "Release", "-nologo"], dir, IsolatedPackages(dir));
        TestContext.WriteLine(r.Output);
        Assert.AreEqual(0, r.ExitCode, r.Output);
        StringAssert.Contains(r.Output, "PowerOff: ArmVirt demo guest");
        StringAssert.Contains(r.Output, "EL1: running at EL1 after ERET from EL2");
    }

    /// <summary>
    /// README's C# blocks ("Using the library" and the debugging API), as written, in one program built against the
    /// package: they use the names a reader would supply (an output stream, a network switch, addresses), declared here
    /// and nothing else (no using directive the README does not show).
    /// </summary>
    [TestMethod]
    public void ReadmeCSharpBlocksCompileAgainstThePackage()
    {
        string dir = Path.Combine(work!, "readme");
        Directory.CreateDirectory(dir);
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));
        var blocks = Regex.Matches(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
        Assert.IsGreaterThanOrEqualTo(2, blocks.Length, "README has its C# blocks");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), string.Join("\n", blocks));
        File.WriteAllText(Path.Combine(dir, "ReaderNames.cs"), """
            global using static ReaderNames;
            // What README's blocks leave to the reader.
            internal static class ReaderNames
            {
                public static Stream outputStream = Stream.Null, inputStream = Stream.Null, consoleOut = Stream.Null;
                public static ArmVirt.Devices.Virtio.NetworkSwitch networkSwitch = new();
                public static ulong seed = 1, start = 0x4008_0000, end = 0x4008_1000;
            }
            """);
        WriteConsumerProject(dir, "Readme");
        var r = Run("dotnet", ["build", "-c", "Release", "-nologo"], dir, IsolatedPackages(dir));
        Assert.AreEqual(0, r.ExitCode, r.Output);
    }

    /// <summary>
    /// README's first C# block ("Using the library") is a complete program: alone in a project that knows only the feed,
    /// it builds and boots the demo guest given as its argument to PSCI SYSTEM_OFF.
    /// </summary>
    [TestMethod]
    public void ReadmeFirstCSharpBlockIsACompleteProgram()
    {
        string dir = Path.Combine(work!, "readme-first");
        Directory.CreateDirectory(dir);
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));
        string first = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        File.WriteAllText(Path.Combine(dir, "Program.cs"), first);
        WriteConsumerProject(dir, "ReadmeFirst");
        string demo = Path.Combine(RepositoryRoot, "tests", "guests", "bin", "demo.elf");
        var r = Run("dotnet", ["run", "-c", "Release", "--", demo], dir, IsolatedPackages(dir));
        TestContext.WriteLine(r.Output);
        Assert.AreEqual(0, r.ExitCode, r.Output);
        StringAssert.Contains(r.Output, "EL2: hello from the hypervisor level");
        StringAssert.Matches(r.Output, new Regex(@"PowerOff after \d+ instructions"));
    }

    [TestMethod]
    public void ToolInstallsFromTheFeedAndRunsTheDemo()
    {
        string dir = Path.Combine(work!, "tool");
        Directory.CreateDirectory(dir);
        WriteFeedOnlyConfig(dir);
        string tools = Path.Combine(dir, "tools");
        var install = Run("dotnet", ["tool", "install", "ArmVirt.Cli", "--version", Version, "--tool-path", tools,
            "--configfile", Path.Combine(dir, "nuget.config")], dir, IsolatedPackages(dir));
        Assert.AreEqual(0, install.ExitCode, install.Output);
        string armvirt = Path.Combine(tools, "armvirt");
        var version = Run(armvirt, ["--version"], dir);
        Assert.AreEqual(0, version.ExitCode, version.Output);
        StringAssert.StartsWith(version.Output, $"armvirt {Version}");
        var demo = Run(armvirt, [], dir);
        Assert.AreEqual(0, demo.ExitCode, demo.Output);
        StringAssert.Contains(demo.Output, "EL2: hello from the hypervisor level");
    }

    /// <summary>
    /// samples/UserMode (the CPU alone running a static AArch64 Linux program, its system calls answered by an exception
    /// hook), built against the package: Debian's static busybox (tests/linux/fetch.sh) prints what qemu-aarch64 prints
    /// for echo and for md5sum of a file.
    /// </summary>
    [TestMethod]
    public void UserModeSampleRunsBusyboxAsQemuUserDoes()
    {
        string root = Environment.GetEnvironmentVariable("ARMVIRT_CACHE") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "armvirt");
        string busybox = Path.Combine(root, "linux", "busybox");
        if (!File.Exists(busybox)) Assert.Inconclusive($"no static busybox at {busybox} (tests/linux/fetch.sh)");
        if (!File.Exists("/usr/bin/qemu-aarch64")) Assert.Inconclusive("qemu-aarch64 is not installed (qemu-user)");
        string dir = Path.Combine(work!, "usermode");
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(RepositoryRoot, "samples", "UserMode", "Program.cs"), Path.Combine(dir, "Program.cs"));
        WriteConsumerProject(dir, "UserMode");
        string input = Path.Combine(dir, "input.txt");
        File.WriteAllText(input, string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i} of the input\n")));
        var build = Run("dotnet", ["build", "-c", "Release", "-nologo", "-o", Path.Combine(dir, "out")], dir, IsolatedPackages(dir));
        Assert.AreEqual(0, build.ExitCode, build.Output);
        string sample = Path.Combine(dir, "out", "UserMode.dll");
        foreach (string[] command in new[] { new[] { "echo", "hello", "from", "EL0" }, new[] { "md5sum", input } })
        {
            var qemu = Run("/usr/bin/qemu-aarch64", [busybox, .. command], dir);
            var ours = Run("dotnet", [sample, busybox, .. command], dir);
            Assert.AreEqual(0, qemu.ExitCode, qemu.Output);
            Assert.AreEqual((0, qemu.Output), (ours.ExitCode, ours.Output), string.Join(' ', command));
        }
    }

    /// <summary>
    /// samples/GuestTests (an MSTest project booting a guest: console on virtual time, memory by symbol, a breakpoint,
    /// repeatable runs), built and run against the package with `dotnet test`.
    /// </summary>
    [TestMethod]
    public void GuestTestsSamplePassesAgainstThePackage()
    {
        string dir = Path.Combine(work!, "guesttests");
        Directory.CreateDirectory(dir);
        string sample = Path.Combine(RepositoryRoot, "samples", "GuestTests");
        File.Copy(Path.Combine(sample, "GuestConsoleTests.cs"), Path.Combine(dir, "GuestConsoleTests.cs"));
        File.Copy(Path.Combine(RepositoryRoot, "tests", "guests", "bin", "gdbtarget.elf"), Path.Combine(dir, "gdbtarget.elf"));
        // The sample's project file with the package version and the guest beside it.
        string project = File.ReadAllText(Path.Combine(sample, "GuestTests.csproj"))
            .Replace("$(Version)", Version).Replace("../../tests/guests/bin/gdbtarget.elf", "gdbtarget.elf");
        File.WriteAllText(Path.Combine(dir, "GuestTests.csproj"), project);
        WriteFeedOnlyConfig(dir);
        // Its packages outside the project folder: the test adapter picks up assemblies under it.
        var r = Run("dotnet", ["test", "-c", "Release", "-nologo"], dir,
            new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(work!, "guesttests-packages") });
        TestContext.WriteLine(r.Output);
        Assert.AreEqual(0, r.ExitCode, r.Output);
        StringAssert.Matches(r.Output, new Regex(@"Failed:\s+0, Passed:\s+3\b"));
    }

    /// <summary>
    /// samples/CustomDevice (a doorbell device written against the package's device interfaces, added with
    /// MachineBuilder.WithDevice), built against the package: its guest (tests/guests/doorbell.c) finds the device in the
    /// device tree and takes its interrupts through the GICv2 and the GICv3, and the program checks the device's view.
    /// </summary>
    [TestMethod]
    public void CustomDeviceSampleTakesTheDevicesInterruptsAgainstThePackage()
    {
        string dir = Path.Combine(work!, "customdevice");
        string sample = Path.Combine(RepositoryRoot, "samples", "CustomDevice");
        string output = BuildSample(sample, dir, "CustomDevice", ("../../tests/guests/bin/doorbell.elf", "doorbell.elf"));
        foreach (string gic in new[] { "2", "3" })
        {
            var r = Run("dotnet", [Path.Combine(output, "CustomDevice.dll"), "--gic-version", gic], dir);
            TestContext.WriteLine(r.Output);
            Assert.AreEqual(0, r.ExitCode, r.Output);
            StringAssert.Contains(r.Output, $"acme,doorbell at 0xc000000 size 0x1000, SPI 112 (INTID 144, flags 4); GICv{gic} at 0x8000000");
            StringAssert.Contains(r.Output, "IRQ: INTID 144 DATA=0xd00dfeed STATUS=0x1 COUNT=3; acknowledged: STATUS=0x0");
            StringAssert.Contains(r.Output, "masked: acknowledged: STATUS=0x0 ISR_EL1.I=0 pending=0");
            StringAssert.Contains(r.Output, "the host rang: DATA=0xc0ffee, COUNT=6");
            StringAssert.Contains(r.Output, "[host] doorbell: guest rang 0x1234, 0xcafe, 0xd00dfeed, 0x55, 0x66; 6 rings, 5 interrupts raised, 5 acknowledgements, line low");
            StringAssert.EndsWith(r.Output, "[host] OK\n");
        }
    }

    /// <summary>
    /// samples/Benchmarks (BenchmarkDotNet timing whole runs of cpubench_quick.elf with Machine.Reset between iterations,
    /// guest MIPS in a column), built against the package and run in BenchmarkDotNet's dry mode with three iterations:
    /// both engines ran, each iteration retired the same instructions in the same cycles and printed the same console
    /// bytes as the first, and the summary has the guest MIPS column.
    /// </summary>
    [TestMethod]
    public void BenchmarksSampleRunsInDryModeAgainstThePackage()
    {
        string dir = Path.Combine(work!, "benchmarks");
        string output = BuildSample(Path.Combine(RepositoryRoot, "samples", "Benchmarks"), dir, "Benchmarks",
            ("../../tests/guests/bin/cpubench_quick.elf", "cpubench_quick.elf"));
        // BenchmarkDotNet builds a child project in the output folder: it restores from the feed-only nuget.config above it.
        var r = Run("dotnet", [Path.Combine(output, "Benchmarks.dll"), "--job", "dry", "--iterationCount", "3", "--artifacts", Path.Combine(dir, "artifacts")],
            dir, IsolatedPackages(dir));
        TestContext.WriteLine(r.Output);
        Assert.AreEqual(0, r.ExitCode, r.Output);
        foreach (string engine in new[] { "Jit", "Interpreter" })
        {
            StringAssert.Matches(r.Output, new Regex($@"// {engine}: runs after Reset: 3, each 15547248 instructions, \d+ cycles, 170 console bytes: identical"));
            StringAssert.Matches(r.Output, new Regex($@"\| 'cpubench_quick, entry to power-off' \| {engine,-11} \|[^\n]*\| +\d+\.\d \|\n"));
        }
        StringAssert.Contains(r.Output, "Guest MIPS : Guest instructions retired per run / mean run time, in millions per second");
    }

    // Copies a sample's C# files and project (its $(Version) made the package's, each (link, file) guest copied beside
    // it) into dir, builds it against the feed only and returns its output folder.
    private static string BuildSample(string sample, string dir, string name, params (string Link, string File)[] guests)
    {
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(sample, "*.cs")) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        string project = File.ReadAllText(Path.Combine(sample, name + ".csproj")).Replace("$(Version)", Version);
        foreach (var (link, file) in guests)
        {
            project = project.Replace(link, file);
            File.Copy(Path.Combine(RepositoryRoot, "tests", "guests", "bin", file), Path.Combine(dir, file));
        }
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), project);
        WriteFeedOnlyConfig(dir);
        string output = Path.Combine(dir, "out");
        var build = Run("dotnet", ["build", "-c", "Release", "-nologo", "-o", output], dir, IsolatedPackages(dir));
        Assert.AreEqual(0, build.ExitCode, build.Output);
        return output;
    }

    // A console project referencing the ArmVirt package, restored from the feed only (WriteFeedOnlyConfig).
    private static void WriteConsumerProject(string dir, string name)
    {
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ArmVirt" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        WriteFeedOnlyConfig(dir);
    }

    // A nuget.config naming the feed and, for the package's dependencies (ELFSharp, logging), the packages the solution's own
    // restore put in the global packages folder: nothing comes from the network.
    private static void WriteFeedOnlyConfig(string dir) => File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="armvirt-feed" value="{feed}" />
            <add key="restored-packages" value="{RestoredPackages}" />
          </packageSources>
          <!-- ArmVirt only from the feed: a copy another restore left in the global packages folder is not this build. -->
          <packageSourceMapping>
            <packageSource key="armvirt-feed"><package pattern="ArmVirt*" /></packageSource>
            <packageSource key="restored-packages"><package pattern="*" /></packageSource>
          </packageSourceMapping>
        </configuration>
        """);

    private static string RestoredPackages => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    // A global packages folder of its own: a package of this version extracted by an earlier run is not reused.
    private static Dictionary<string, string> IsolatedPackages(string dir) => new() { ["NUGET_PACKAGES"] = Path.Combine(dir, "packages") };

    private sealed record Result(int ExitCode, string Output);

    private static Result Run(string file, IReadOnlyList<string> args, string directory, Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in environment ?? []) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = new StringBuilder();
        var err = p.StandardError.ReadToEndAsync();
        output.Append(p.StandardOutput.ReadToEnd());
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) p.Kill(entireProcessTree: true);
        p.WaitForExit();
        output.Append(err.Result);
        return new Result(p.ExitCode, output.ToString());
    }

    private static string RepositoryRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "ArmVirt.slnx"))) return d.FullName;
            throw new InvalidOperationException("ArmVirt.slnx not found above " + AppContext.BaseDirectory);
        }
    }
}
