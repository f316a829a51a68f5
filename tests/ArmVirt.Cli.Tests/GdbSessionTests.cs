using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ArmVirt.Cli.Tests;

/// <summary>
/// <c>armvirt --gdb tcp::PORT --gdb-wait</c> driven by Debian's gdb-multiarch in batch mode on tests/guests'
/// gdbtarget.elf (built with -g): break at a symbol, continue, info registers, x/4gx, step, stepi, watch a variable and
/// continue to the hit, kill. The same script against <c>qemu-system-aarch64 -S -gdb</c> must print the same stops and
/// register values (the system registers, which QEMU exposes by the hundred, and cpsr's formatting aside).
/// </summary>
[TestClass]
public sealed class GdbSessionTests
{
    private const string Script = """
        set pagination off
        set confirm off
        target remote :PORT
        break step_counter
        continue
        info registers
        p/x $cpsr
        x/4gx &samples
        step
        step
        info registers pc x0 x1 x2
        stepi
        info registers pc
        watch counter
        continue
        info registers pc x0 x1
        print counter
        continue
        print counter
        info registers pc
        kill
        """;

    [TestMethod]
    [Timeout(180_000)]
    [DataRow("jit")]
    [DataRow("interp")]
    public void ScriptedSessionStopsWhereQemuStopsWithTheSameRegisters(string engine)
    {
        string elf = GuestElf("gdbtarget.elf");
        if (!OnPath("gdb-multiarch")) Assert.Inconclusive("gdb-multiarch is not installed (.ci/run installs it)");

        int port = FreePort();
        var stderr = TextWriter.Synchronized(new StringWriter());
        int code = -1;
        var armvirt = new Thread(() => code = Program.Run(["--kernel", elf, "--engine", engine, "--gdb", $"tcp::{port}", "--gdb-wait"],
            new MemoryStream(), stderr, null)) { IsBackground = true };
        armvirt.Start();
        var wait = Stopwatch.StartNew();
        while (!stderr.ToString()!.Contains("waiting for gdb") && wait.ElapsedMilliseconds < 20_000) Thread.Sleep(20);
        string ours = RunGdb(elf, port);
        Assert.IsTrue(armvirt.Join(20_000), "armvirt ends after gdb's kill");
        Assert.AreEqual(ExitCodes.Interrupted, code, stderr.ToString());

        // What the session must show whatever QEMU does.
        StringAssert.Contains(ours, "Breakpoint 1, step_counter (k=k@entry=1) at gdbtarget.c:20");
        StringAssert.Contains(ours, "0x40082820 <samples>:\t0x1111222233334444\t0x5555666677778888");
        StringAssert.Contains(ours, "Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 1");
        StringAssert.Contains(ours, "Breakpoint 1, step_counter (k=k@entry=2)");
        StringAssert.Contains(ours, "$1 = 0x800003c5");
        StringAssert.Contains(ours, "CurrentEL      0x4");

        if (!OnPath("qemu-system-aarch64")) Assert.Inconclusive("qemu-system-aarch64 is not installed: armvirt's session checked, not compared");
        int qport = FreePort();
        using var qemu = Process.Start(new ProcessStartInfo("qemu-system-aarch64",
            ["-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nographic", "-monitor", "none", "-serial", "null",
             "-kernel", elf, "-gdb", $"tcp::{qport}", "-S"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            WaitForListener(qport);
            string theirs = RunGdb(elf, qport);
            Assert.AreEqual(Comparable(theirs), Comparable(ours));
        }
        finally
        {
            if (!qemu.WaitForExit(10_000)) qemu.Kill();
        }
    }

    [TestMethod]
    public void GdbOptionMistakesAreOneLine()
    {
        var r = CliRun.Of(null, "--gdb-wait");
        Assert.AreEqual(ExitCodes.UsageError, r.Code);
        Assert.AreEqual("armvirt: --gdb-wait: needs --gdb tcp::PORT", r.ErrorLines.Single());
        r = CliRun.Of(null, "--gdb", "tcp::nope");
        Assert.AreEqual(ExitCodes.UsageError, r.Code);
        Assert.AreEqual("armvirt: --gdb tcp::nope: expected tcp::PORT or tcp:HOST:PORT", r.ErrorLines.Single());
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        int port = ((IPEndPoint)busy.LocalEndpoint).Port;
        r = CliRun.Of(null, "--gdb", $"tcp::{port}", "--max-insns", "10");
        Assert.AreEqual(ExitCodes.UsageError, r.Code);
        StringAssert.StartsWith(r.ErrorLines.Single(), $"armvirt: --gdb tcp::{port}: ");
    }

    [TestMethod]
    public void WithoutGdbWaitTheGuestRunsUntilGdbAttaches()
    {
        var r = CliRun.Of(null, "--kernel", GuestElf("gdbtarget.elf"), "--gdb", $"tcp::{FreePort()}");
        Assert.AreEqual(ExitCodes.PowerOff, r.Code, r.Stderr);
        StringAssert.Contains(r.Stdout, "gdbtarget: EL1 counter 6 total 7c3319bcf0a3891d");
    }

    // The transcript without the lines that legitimately differ: system registers (QEMU's set is its own), cpsr/fpsr/fpcr
    // (QEMU types them as plain integers, we as GDB's flag types; `p/x $cpsr` compares the value) and the kill message.
    private static string Comparable(string transcript) => string.Join("\n", transcript.Split('\n')
        .Where(l => !Regex.IsMatch(l, @"^(cpsr|fpsr|fpcr|[A-Z][A-Za-z0-9_]*)\s+0x[0-9a-f]+\s") && !l.StartsWith("[Inferior 1", StringComparison.Ordinal)));

    private static string RunGdb(string elf, int port)
    {
        string script = Path.GetTempFileName();
        File.WriteAllText(script, Script.Replace("PORT", port.ToString()) + "\n");
        try
        {
            var psi = new ProcessStartInfo("gdb-multiarch", ["-nx", "-batch", "-x", script, elf])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            using var gdb = Process.Start(psi)!;
            var err = gdb.StandardError.ReadToEndAsync();
            string output = gdb.StandardOutput.ReadToEnd();
            Assert.IsTrue(gdb.WaitForExit(60_000), "gdb finished");
            return output + err.Result;
        }
        finally
        {
            File.Delete(script);
        }
    }

    // QEMU listens a moment after it starts; connecting to probe would take its only client, so watch /proc/net/tcp.
    private static void WaitForListener(int port)
    {
        string hex = $":{port:X4} ";
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 20_000)
        {
            foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
                if (File.Exists(table) && File.ReadLines(table).Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 3 } f
                    && f[1].EndsWith(hex.TrimEnd(), StringComparison.Ordinal) && f[3] == "0A"))
                    return;
            Thread.Sleep(50);
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool)));

    internal static string GuestElf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "guests", "bin", name);
            if (File.Exists(path)) return path;
        }
        Assert.Inconclusive($"tests/guests/bin/{name} is not in this checkout");
        return "";
    }
}
