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
