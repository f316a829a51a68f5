using ArmVirt.Tests.Shared;
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

    // Reverse execution: reverse-stepi, reverse-continue to a breakpoint, stepping forward again through the history,
    // reverse-next over a call, reverse-continue to the beginning; then (not compared: QEMU reports a reverse
    // watchpoint hit as a plain SIGTRAP after the write, we stop before it with the watchpoint named) a watchpoint.
    private const string ReverseScript = """
        set pagination off
        set confirm off
        target remote :PORT
        break step_counter
        continue
        continue
        continue
        print counter
        info registers pc x0
        reverse-stepi
        info registers pc x0
        reverse-continue
        print counter
        info registers pc x0
        x/2gx &samples
        reverse-stepi
        reverse-stepi
        stepi
        stepi
        info registers pc x0
        delete
        finish
        reverse-next
        info registers pc x0
        print counter
        reverse-continue
        info registers pc
        echo ==watch==\n
        watch counter
        continue
        continue
        reverse-continue
        print counter
        delete
        continue
        """;

    [TestMethod]
    [Timeout(240_000)]
    [DataRow("jit")]
    [DataRow("interp")]
    public void ReverseExecutionStopsWhereQemuRecordReplayStops(string engine)
    {
        string elf = GuestElf("gdbtarget.elf");
        if (!OnPath("gdb-multiarch")) Assert.Inconclusive("gdb-multiarch is not installed (.ci/run installs it)");
        int port = FreePort();
        var stdout = new MemoryStream();
        var stderr = TextWriter.Synchronized(new StringWriter());
        int code = -1;
        var armvirt = new Thread(() => code = Program.Run(["--kernel", elf, "--engine", engine, "--gdb", $"tcp::{port}", "--gdb-wait"],
            stdout, stderr, null)) { IsBackground = true };
        armvirt.Start();
        var wait = Stopwatch.StartNew();
        while (!stderr.ToString()!.Contains("waiting for gdb") && wait.ElapsedMilliseconds < 20_000) Thread.Sleep(20);
        string ours = RunGdb(elf, port, ReverseScript);
        Assert.IsTrue(armvirt.Join(20_000), "armvirt ends when the guest powers off");
        Assert.AreEqual(ExitCodes.PowerOff, code, stderr.ToString() + ours);

        // What the session must show whatever QEMU does.
        StringAssert.Contains(ours, "$1 = 3\npc             0x400826e0          0x400826e0 <step_counter>\nx0             0x3");
        // reverse-stepi: back on the BL in main, before the call
        StringAssert.Contains(ours, "pc             0x40082740          0x40082740 <main+32>\nx0             0x3");
        // reverse-continue: the breakpoint's previous hit, memory as it was then
        StringAssert.Contains(ours, "Breakpoint 1, step_counter (k=k@entry=2) at gdbtarget.c:20\n20\tin gdbtarget.c\n$2 = 1\npc             0x400826e0          0x400826e0 <step_counter>\nx0             0x2");
        // reverse-next from the return address: back over the call to the start of its line
        StringAssert.Contains(ours, "29\tin gdbtarget.c\npc             0x4008273c          0x4008273c <main+28>\nx0             0x7ebbb31f296c480c");
        StringAssert.Contains(ours, "No more reverse-execution history.\n_start () at common/start.S:12");
        // The watchpoint backwards: the last write (1 + 2) undone, stopped before it
        StringAssert.Contains(ours, "Hardware watchpoint 2: counter\n\nOld value = 3\nNew value = 1");
        StringAssert.Contains(ours, "[Inferior 1 (Remote target) exited normally]");
        // The guest's output is printed once, though parts of the run were executed several times.
        Assert.AreEqual("gdbtarget: EL1 counter 6 total 7c3319bcf0a3891d\n", System.Text.Encoding.ASCII.GetString(stdout.ToArray()).Replace("\r", ""));

        if (!OnPath("qemu-system-aarch64")) Assert.Inconclusive("qemu-system-aarch64 is not installed: armvirt's session checked, not compared");
        string dir = Directory.CreateTempSubdirectory("armvirt-rr-").FullName;
        try
        {
            // QEMU's record/replay (docs/system/replay.rst): record the run, then replay it under gdb; reverse execution
            // needs the initial snapshot, kept in a qcow2 image.
            string qcow2 = Path.Combine(dir, "empty.qcow2"), log = Path.Combine(dir, "replay.bin");
            File.WriteAllBytes(qcow2, EmptyQcow2());
            string[] Qemu(string mode) =>
                ["-M", "virt", "-cpu", "cortex-a57", "-m", "128M", "-nographic", "-monitor", "none", "-serial", "null", "-net", "none",
                 "-kernel", elf, "-icount", $"shift=auto,rr={mode},rrfile={log},rrsnapshot=init", "-drive", $"file={qcow2},if=none,id=rr"];
            using (var record = Process.Start(new ProcessStartInfo("qemu-system-aarch64", Qemu("record")) { RedirectStandardOutput = true, RedirectStandardError = true })!)
                Assert.IsTrue(record.WaitForExit(60_000), "QEMU's recording ends when the guest powers off");
            int qport = FreePort();
            using var qemu = Process.Start(new ProcessStartInfo("qemu-system-aarch64", [.. Qemu("replay"), "-gdb", $"tcp::{qport}", "-S"])
                { RedirectStandardOutput = true, RedirectStandardError = true })!;
            try
            {
                WaitForListener(qport);
                string theirs = RunGdb(elf, qport, ReverseScript);
                // QEMU 7.2 answers a reverse-continue that reaches the start of the replay with a plain stop, GDB's
                // "No more reverse-execution history" needs replaylog:begin in it.
                string Compared(string t) => Comparable(t[..t.IndexOf("==watch==", StringComparison.Ordinal)])
                    .Replace("Program received signal SIGTRAP, Trace/breakpoint trap.", "No more reverse-execution history.");
                Assert.AreEqual(Compared(theirs), Compared(ours));
            }
            finally
            {
                if (!qemu.WaitForExit(10_000)) qemu.Kill();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // GuestRunTests.Echo (no symbols: a raw binary at 0x40080000): echo UART input until 'q', then PSCI SYSTEM_OFF. The
    // breakpoint is on its echoing store, strb w4, [x1].
    private static readonly uint[] Echo =
        [0xd2a12001, 0x52806022, 0xb9003022, 0xb9401823, 0x3727ffe3, 0xb9400024, 0x39000024, 0x7101c49f, 0x54ffff61,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    private const string ReplayScript = """
        set pagination off
        set confirm off
        set architecture aarch64
        target remote :PORT
        break *0x40080018
        continue
        continue
        continue
        p/c $x4
        reverse-continue
        p/c $x4
        reverse-stepi
        info registers pc
        reverse-continue
        p/c $x4
        continue
        continue
        p/c $x4
        delete
        continue
        """;

    /// <summary>
    /// Reverse execution of a replayed run (QEMU's way: record, then debug the replay): the serial input the recording
    /// took from stdin comes from the log again each time the history re-executes a stretch of the run.
    /// </summary>
    [TestMethod]
    [Timeout(120_000)]
    [DataRow("jit")]
    [DataRow("interp")]
    public void AReplayedRunRunsBackwardsWithItsInput(string engine)
    {
        if (!OnPath("gdb-multiarch")) Assert.Inconclusive("gdb-multiarch is not installed (.ci/run installs it)");
        string kernel = Path.Combine(Path.GetTempPath(), $"armvirt-echo-{Guid.NewGuid():N}.bin");
        string log = Path.ChangeExtension(kernel, ".log");
        File.WriteAllBytes(kernel, Echo.SelectMany(BitConverter.GetBytes).ToArray());
        try
        {
            var recorded = CliRun.Of("hello q"u8.ToArray(), "--kernel", kernel, "--record", log);
            Assert.AreEqual(ExitCodes.PowerOff, recorded.Code, recorded.Stderr);
            int port = FreePort();
            var stdout = new MemoryStream();
            var stderr = TextWriter.Synchronized(new StringWriter());
            int code = -1;
            var armvirt = new Thread(() => code = Program.Run(["--kernel", kernel, "--engine", engine, "--replay", log, "--gdb", $"tcp::{port}", "--gdb-wait"],
                stdout, stderr, null)) { IsBackground = true };
            armvirt.Start();
            var wait = Stopwatch.StartNew();
            while (!stderr.ToString()!.Contains("waiting for gdb") && wait.ElapsedMilliseconds < 20_000) Thread.Sleep(20);
            string session = RunGdb(null, port, ReplayScript);
            Assert.IsTrue(armvirt.Join(20_000), "armvirt ends when the guest powers off");
            Assert.AreEqual(ExitCodes.PowerOff, code, stderr.ToString() + session);
            string[] chars = Regex.Matches(session, @"\$\d+ = \d+ '(.)'").Select(m => m.Groups[1].Value).ToArray();
            // the third echo (l), back to the second (e), one instruction back (the load from UARTDR), back to the
            // first (h), forwards to the second and third again
            CollectionAssert.AreEqual(new[] { "l", "e", "h", "l" }, chars, session);
            StringAssert.Contains(session, "pc             0x40080014");
            Assert.AreEqual("hello q", System.Text.Encoding.ASCII.GetString(stdout.ToArray()), "each byte echoed once");
        }
        finally
        {
            File.Delete(kernel);
            File.Delete(log);
        }
    }

    // An empty 16 MiB qcow2 (version 2, 64 KiB clusters): header, one L1 entry, the refcount table and block.
    private static byte[] EmptyQcow2()
    {
        const int cluster = 1 << 16;
        var image = new byte[4 * cluster];
        void Be32(int at, uint v) => System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(image.AsSpan(at), v);
        void Be64(int at, ulong v) => System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(image.AsSpan(at), v);
        Be32(0, 0x514649fb); // "QFI\xfb"
        Be32(4, 2);           // version
        Be32(20, 16);         // cluster_bits
        Be64(24, 16 << 20);   // size
        Be32(36, 1);          // l1_size
        Be64(40, 3 * cluster); // l1_table_offset
        Be64(48, cluster);     // refcount_table_offset
        Be32(56, 1);           // refcount_table_clusters
        Be64(cluster, 2 * cluster); // refcount table -> block
        for (int i = 0; i < 4; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(image.AsSpan(2 * cluster + 2 * i), 1);
        return image;
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

    private static string RunGdb(string? elf, int port, string text = Script)
    {
        string script = Path.GetTempFileName();
        File.WriteAllText(script, text.Replace("PORT", port.ToString()) + "\n");
        try
        {
            var psi = new ProcessStartInfo("gdb-multiarch", ["-nx", "-batch", "-x", script, .. elf == null ? Array.Empty<string>() : [elf]])
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

    // QEMU listens a moment after it starts (watched in /proc/net/tcp: GdbTestHost).
    private static void WaitForListener(int port) => GdbTestHost.WaitForListener(port, TimeSpan.FromSeconds(20));

    private static int FreePort() => GdbTestHost.FreePort();

    private static bool OnPath(string tool) => GdbTestHost.OnPath(tool);

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
