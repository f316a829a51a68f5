using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using ArmVirt.Cpu;
using ArmVirt.Machine.Gdb;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// The GDB stub at the packet level, over a loopback socket and without gdb: framing, checksums, acknowledgements and
/// no-ack mode, Ctrl-C (0x03) while the guest runs, registers, memory, breakpoints, watchpoints, threads and monitor
/// commands.
/// </summary>
[TestClass]
public sealed class GdbProtocolTests
{
    private const ulong Code = 0x4008_0000, Data = 0x4009_0000;

    // movz x2, #0x4009, lsl #16; movz x1, #0; loop: add x1, x1, #1; str x1, [x2]; b loop
    private static readonly uint[] Loop = [0xd2a80122, 0xd2800001, 0x91000421, 0xf9000041, 0x17fffffe];

    private static Machine Build(ExecutionEngine engine = ExecutionEngine.Jit, int cpus = 1)
    {
        var text = new byte[Loop.Length * 4];
        Buffer.BlockCopy(Loop, 0, text, 0, text.Length);
        return new MachineBuilder().WithEngine(engine).WithCpus(cpus)
            .WithKernel(Elf(Code, [new(Code, Code, text, (ulong)text.Length)]), "loop.elf").Build();
    }

    /// <summary>A raw client on one end of a loopback connection, the stub serving the other on a thread.</summary>
    private sealed class Session : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly Thread _server;
        public GdbSessionEnd? End;
        public bool Acks = true;

        public Session(Machine machine)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            _client = new TcpClient();
            _client.Connect((IPEndPoint)listener.LocalEndpoint);
            var server = listener.AcceptTcpClient();
            listener.Stop();
            var stub = new GdbStub(machine);
            _server = new Thread(() => { using (server) End = stub.Serve(server.GetStream()); }) { IsBackground = true };
            _server.Start();
            _stream = _client.GetStream();
            _stream.ReadTimeout = 20_000;
        }

        public static string Frame(string payload) =>
            $"${payload}#{(byte)Encoding.Latin1.GetBytes(payload).Sum(b => b):x2}";

        public void SendRaw(string text) => _stream.Write(Encoding.Latin1.GetBytes(text));

        public int ReadByte() => _stream.ReadByte();

        /// <summary>Sends a packet, checks the '+' (in ack mode) and returns the reply's payload after checking its checksum.</summary>
        public string Ask(string payload)
        {
            SendRaw(Frame(payload));
            if (Acks) Assert.AreEqual('+', (char)ReadByte(), $"ack of {payload}");
            return ReadPacket();
        }

        public string ReadPacket(bool dollarFirst = false)
        {
            int c;
            if (dollarFirst) Assert.AreEqual('$', (char)ReadByte());
            else while ((c = ReadByte()) != '$') Assert.AreNotEqual(-1, c, "connection closed");
            var b = new StringBuilder();
            byte sum = 0;
            while ((c = ReadByte()) != '#')
            {
                sum += (byte)c;
                b.Append((char)c);
            }
            string cs = $"{(char)ReadByte()}{(char)ReadByte()}";
            Assert.AreEqual(sum.ToString("x2"), cs, $"checksum of {b}");
            // The stub closes the connection after an exit packet (W, X), and the ack may then find it closed.
            if (Acks)
            {
                try { SendRaw("+"); }
                catch (IOException) when (b.Length > 0 && b[0] is 'W' or 'X') { }
            }
            return b.ToString();
        }

        public void Dispose()
        {
            _client.Dispose();
            _server.Join(10_000);
        }
    }

    [TestMethod]
    public void PacketsAreAcknowledgedAndBadChecksumsNacked()
    {
        using var m = Build();
        using var s = new Session(m);
        StringAssert.StartsWith(s.Ask("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=aarch64"), "PacketSize=4000;");
        Assert.IsTrue(s.Ask("qSupported").Contains("qXfer:features:read+"));
        s.SendRaw("$qC#00"); // wrong checksum (qC is 0xb4)
        Assert.AreEqual('-', (char)s.ReadByte());
        Assert.AreEqual("QC1", s.Ask("qC"));
        Assert.AreEqual("", s.Ask("vMustReplyEmpty"), "an unknown packet gets the empty reply");
        Assert.AreEqual("OK", s.Ask("QStartNoAckMode"));
        s.Acks = false;
        s.SendRaw(Session.Frame("?"));
        Assert.AreEqual("T05thread:01;", s.ReadPacket(dollarFirst: true), "no '+' in no-ack mode");
        s.SendRaw("$qC#00"); // a bad checksum is not answered with '-' any more
        Assert.AreEqual("QC1", s.Ask("qC"));
    }

    [TestMethod]
    public void TargetDescriptionHasCoreFpuAndSystemRegistersInChunks()
    {
        using var m = Build();
        using var s = new Session(m);
        var xml = new StringBuilder();
        while (true)
        {
            string r = s.Ask($"qXfer:features:read:target.xml:{xml.Length:x},100");
            xml.Append(r[1..]);
            if (r[0] == 'l') break;
            Assert.AreEqual('m', r[0]);
        }
        var doc = XDocument.Parse(xml.ToString());
        var features = doc.Root!.Elements("feature").Select(f => (string)f.Attribute("name")!).ToArray();
        CollectionAssert.AreEqual(new[] { "org.gnu.gdb.aarch64.core", "org.gnu.gdb.aarch64.fpu", "org.qemu.gdb.aarch64.sysregs" }, features);
        var regs = doc.Descendants("reg").ToDictionary(r => (string)r.Attribute("name")!, r => (int)r.Attribute("regnum")!);
        Assert.AreEqual(32, regs["pc"]);
        Assert.AreEqual(33, regs["cpsr"]);
        Assert.AreEqual(34, regs["v0"]);
        Assert.AreEqual(67, regs["fpcr"]);
        Assert.IsTrue(regs.ContainsKey("CurrentEL") && regs.ContainsKey("VTTBR_EL2") && regs.ContainsKey("SCTLR_EL1"));
        Assert.AreEqual("E00", s.Ask("qXfer:features:read:nosuch.xml:0,100"));
    }

    [TestMethod]
    public void RegistersAndMemoryReadAndWrite()
    {
        using var m = Build();
        m.Cpu.SetX(5, 0x1122334455667788);
        using var s = new Session(m);
        string g = s.Ask("g");
        Assert.AreEqual(31 * 16 + 16 + 16 + 8 + 32 * 32 + 8 + 8, g.Length);
        Assert.AreEqual("8877665544332211", g.Substring(5 * 16, 16), "x5, little-endian");
        Assert.AreEqual("0000084000000000", g.Substring(32 * 16, 16), "pc = 0x40080000");
        Assert.AreEqual("c5030000", s.Ask("p21"), "cpsr: EL1h, DAIF masked");
        Assert.AreEqual("0400000000000000", s.Ask("p44"), "CurrentEL = EL1 << 2");
        Assert.AreEqual("OK", s.Ask("P5=efbeadde00000000"));
        Assert.AreEqual(0xdeadbeefUL, m.Cpu.X(5));
        Assert.AreEqual("E01", s.Ask("P44=0000000000000000"), "CurrentEL is read-only");

        Assert.AreEqual("2201a8d2", s.Ask($"m{Code:x},4"), "the first instruction, movz x2");
        Assert.AreEqual("E14", s.Ask("m9000000,4"), "device memory is not read by the debugger");
        Assert.AreEqual("E14", s.Ask("m1000000000,4"), "nothing there");
        Assert.AreEqual("0000", s.Ask("m47fffffe,4"), "a read that runs off the end of RAM returns the bytes before it");
        Assert.AreEqual("OK", s.Ask($"M{Data:x},4:01020304"));
        Assert.AreEqual("01020304", s.Ask($"m{Data:x},4"));
        Assert.AreEqual("OK", s.Ask($"X{Data + 4:x},2:" + "}\u0003}\u0004")); // escaped '#' and '$' bytes
        Assert.AreEqual("2324", s.Ask($"m{Data + 4:x},2"), "the bytes # and $");
        SendMonitor(s, "memory physical", "memory view: physical\n");
        Assert.AreEqual("01020304", s.Ask($"m{Data:x},4"), "physical = virtual with the MMU off");
        SendMonitor(s, "memory virtual", "memory view: virtual\n");
        SendMonitor(s, "nosuch", "unknown monitor command 'nosuch' (try 'monitor help')\n");
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Jit)]
    public void BreakpointsWatchpointsStepAndCtrlC(ExecutionEngine engine)
    {
        using var m = Build(engine);
        using var s = new Session(m);
        Assert.AreEqual("OK", s.Ask($"Z0,{Code + 12:x},4"));
        Assert.AreEqual("T05thread:01;", s.Ask("c"));
        Assert.AreEqual(Code + 12, m.Cpu.State.PC, "stopped before the STR");
        Assert.AreEqual(3UL, m.InstructionsExecuted);
        Assert.IsTrue(m.Bus.TryRead(Data, 8, out ulong v0));
        Assert.AreEqual(0UL, v0, "the STR has not executed");
        Assert.AreEqual("OK", s.Ask($"z0,{Code + 12:x},4"));

        Assert.AreEqual("T05thread:01;", s.Ask("vCont;s:1"));
        Assert.AreEqual(Code + 16, m.Cpu.State.PC, "one instruction: the STR");
        Assert.AreEqual(4UL, m.InstructionsExecuted);

        Assert.AreEqual("OK", s.Ask($"Z2,{Data:x},8"));
        Assert.AreEqual($"T05watch:{Data:x};thread:01;", s.Ask("vCont;c"));
        Assert.AreEqual(Code + 12, m.Cpu.State.PC, "stopped on the second STR, before it writes");
        Assert.AreEqual(2UL, m.Cpu.X(1));
        Assert.AreEqual("OK", s.Ask($"z2,{Data:x},8"));

        // Ctrl-C stops the running guest; the reply names the thread.
        s.SendRaw(Session.Frame("c"));
        Assert.AreEqual('+', (char)s.ReadByte());
        Thread.Sleep(200);
        s.SendRaw("\u0003");
        Assert.AreEqual("T05thread:01;", s.ReadPacket());
        Assert.IsTrue(m.InstructionsExecuted > 1000, "the guest ran until interrupted");
        Assert.IsTrue(m.Cpu.State.PC >= Code + 8 && m.Cpu.State.PC <= Code + 16, "in the loop");

        SendMonitor(s, $"translate 0x{Code:x}", $"0x{Code:x} (CPU#0 EL1 EL10) -> PA 0x{Code:x} (stage 1 off)\n");
        SendMonitor(s, "stage2 0x40000000", "stage 2 is off (HCR_EL2.VM = 0 or EL2 not enabled)\n");
        Assert.AreEqual("OK", s.Ask("D"));
        Thread.Sleep(100);
        Assert.AreEqual(GdbSessionEnd.Detached, s.End);
        Assert.AreEqual(0, m.Cpu.Breakpoints.Count + m.Cpu.Watchpoints.Count, "detach removes the stub's breakpoints and watchpoints");
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Jit)]
    public void ReverseStepAndContinueGoBackThroughTheHistory(ExecutionEngine engine)
    {
        using var m = Build(engine);
        using var s = new Session(m);
        StringAssert.EndsWith(s.Ask("qSupported:multiprocess+;swbreak+;hwbreak+"), ";ReverseStep+;ReverseContinue+");
        Assert.AreEqual("T05thread:01;replaylog:begin;", s.Ask("bs"), "nothing before the start");
        ulong Stored() => m.Bus.TryRead(Data, 8, out ulong v) ? v : ulong.MaxValue;

        // The loop's STR (add, str, b: three instructions a round) stops before it at 3, 6 and 9 instructions.
        Assert.AreEqual("OK", s.Ask($"Z0,{Code + 12:x},4"));
        for (int i = 0; i < 3; i++) Assert.AreEqual("T05thread:01;", s.Ask("c"));
        Assert.AreEqual((9UL, 3UL, 2UL), (m.InstructionsExecuted, m.Cpu.X(1), Stored()));

        Assert.AreEqual("T05thread:01;", s.Ask("bs"));
        Assert.AreEqual((8UL, Code + 8, 2UL, 2UL), (m.InstructionsExecuted, m.Cpu.State.PC, m.Cpu.X(1), Stored()), "one instruction back: before the third ADD");
        Assert.AreEqual("T05thread:01;", s.Ask("bc"));
        Assert.AreEqual((6UL, Code + 12, 2UL, 1UL), (m.InstructionsExecuted, m.Cpu.State.PC, m.Cpu.X(1), Stored()), "the previous hit, memory as it was");
        Assert.AreEqual("T05thread:01;", s.Ask("bc"));
        Assert.AreEqual((3UL, 1UL, 0UL), (m.InstructionsExecuted, m.Cpu.X(1), Stored()));
        Assert.AreEqual("T05thread:01;replaylog:begin;", s.Ask("bc"));
        Assert.AreEqual((0UL, Code), (m.InstructionsExecuted, m.Cpu.State.PC));

        // Forwards again through the same states; a watchpoint found backwards is named as forwards.
        Assert.AreEqual("T05thread:01;", s.Ask("c"));
        Assert.AreEqual(3UL, m.InstructionsExecuted);
        Assert.AreEqual("OK", s.Ask($"z0,{Code + 12:x},4"));
        Assert.AreEqual("OK", s.Ask($"Z2,{Data:x},8"));
        Assert.AreEqual($"T05watch:{Data:x};thread:01;", s.Ask("c"));
        Assert.AreEqual($"T05watch:{Data:x};thread:01;", s.Ask("c"));
        Assert.AreEqual((6UL, 1UL), (m.InstructionsExecuted, Stored()));
        Assert.AreEqual($"T05watch:{Data:x};thread:01;", s.Ask("bc"));
        Assert.AreEqual((3UL, Code + 12, 0UL), (m.InstructionsExecuted, m.Cpu.State.PC, Stored()));

        SendMonitor(s, "reverse", "reverse execution: on; history from instruction 0 to 9, now at 3; 1 checkpoints, one every 1000000 instructions\n");

        // gdb changing a register starts a new history there.
        Assert.AreEqual("OK", s.Ask("P5=0100000000000000"));
        Assert.AreEqual("T05thread:01;replaylog:begin;", s.Ask("bs"));
        Assert.AreEqual(3UL, m.InstructionsExecuted);
    }

    [TestMethod]
    public void NoReverseExecutionWithLiveInputOrSeveralCpus()
    {
        using (var m = Build(cpus: 2))
        using (var s = new Session(m))
        {
            Assert.IsFalse(s.Ask("qSupported").Contains("Reverse"), "several CPUs");
            Assert.AreEqual("", s.Ask("bs"));
        }
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var reader = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, pipe.ClientSafePipeHandle);
        var text = new byte[Loop.Length * 4];
        Buffer.BlockCopy(Loop, 0, text, 0, text.Length);
        using (var m = new MachineBuilder().WithKernel(Elf(Code, [new(Code, Code, text, (ulong)text.Length)]), "loop.elf").WithSerial(Stream.Null, reader).Build())
        using (var s = new Session(m))
        {
            Assert.IsFalse(s.Ask("qSupported").Contains("Reverse"), "serial input from a pipe that may still deliver");
            Assert.AreEqual("", s.Ask("bc"), "unsupported: the empty reply");
            SendMonitor(s, "reverse", "reverse execution: off (live input: serial, console or network input from the host, or a recording); record the run with --record F and debug --replay F\n");
        }
        pipe.Dispose(); // (the writing end first: the machine's reader thread sees the end)
        reader.Dispose();
    }

    [TestMethod]
    public void MonitorTranslatesThroughStage2OfARealGuest()
    {
        string elf = GuestElf("cpubench_s2_quick.elf");
        using var m = new MachineBuilder().WithHighestEl(2).WithKernel(File.ReadAllBytes(elf), "cpubench_s2_quick.elf").Build();
        m.Run(200_000);
        m.Cpu.ClearStop();
        Assert.AreEqual(1, m.Cpu.State.EL, "bench_mode.c's monitor entered EL1 under stage 2");
        using var s = new Session(m);
        string pc = $"0x{m.Cpu.State.PC:x}";
        string translate = Monitor(s, $"translate {pc}");
        StringAssert.Matches(translate, new System.Text.RegularExpressions.Regex(@$"^{pc} \(CPU#0 EL1 EL10\) -> IPA {pc} -> PA {pc}\n$"), "identity stage 1 and stage 2");
        StringAssert.StartsWith(Monitor(s, "stage2 0x40000000"), "IPA 0x40000000 -> PA 0x40000000 (level 1, 40000000 bytes,");
        StringAssert.StartsWith(Monitor(s, "stage2 0x100000000"), "IPA 0x100000000: ", "beyond VTCR_EL2.T0SZ = 32");
        StringAssert.Contains(Monitor(s, "stage2 0x100000000"), "fault");
        Assert.AreEqual(8, s.Ask($"m{m.Cpu.State.PC:x},4").Length, "code read by VA through both stages");
    }

    private static string GuestElf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "tests", "guests", "bin", name);
            if (File.Exists(path)) return path;
        }
        Assert.Inconclusive($"tests/guests/bin/{name} is not in this checkout");
        return "";
    }

    private static string Monitor(Session s, string command)
    {
        s.SendRaw(Session.Frame("qRcmd," + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(command))));
        if (s.Acks) Assert.AreEqual('+', (char)s.ReadByte());
        string o = s.ReadPacket();
        Assert.AreEqual('O', o[0]);
        Assert.AreEqual("OK", s.ReadPacket());
        return Encoding.UTF8.GetString(Convert.FromHexString(o[1..]));
    }

    private static void SendMonitor(Session s, string command, string expected)
    {
        s.SendRaw(Session.Frame("qRcmd," + Convert.ToHexStringLower(Encoding.ASCII.GetBytes(command))));
        if (s.Acks) Assert.AreEqual('+', (char)s.ReadByte());
        string o = s.ReadPacket();
        Assert.AreEqual('O', o[0]);
        Assert.AreEqual(expected, Encoding.UTF8.GetString(Convert.FromHexString(o[1..])));
        Assert.AreEqual("OK", s.ReadPacket());
    }

    [TestMethod]
    public void SteppingACpuInWfiWithNothingToWakeItReportsTheHalt()
    {
        uint[] wfi = [0xd503207f, 0x14000000]; // wfi; b .  (interrupts masked, nothing scheduled)
        var text = new byte[8];
        Buffer.BlockCopy(wfi, 0, text, 0, 8);
        using var m = new MachineBuilder().WithKernel(Elf(Code, [new(Code, Code, text, 8)]), "wfi.elf").Build();
        using var s = new Session(m);
        Assert.AreEqual("T05thread:01;", s.Ask("s"));
        Assert.AreEqual(Code + 4, m.Cpu.State.PC, "the WFI executed");
        Assert.IsTrue(m.Cpu.IsWaiting);
        s.SendRaw(Session.Frame("s"));
        Assert.AreEqual('+', (char)s.ReadByte());
        StringAssert.Contains(Encoding.UTF8.GetString(Convert.FromHexString(s.ReadPacket()[1..])), "waiting for an interrupt that can never arrive");
        Assert.AreEqual("T05thread:01;", s.ReadPacket());
        Assert.AreEqual(Code + 4, m.Cpu.State.PC, "the B after the WFI has not executed");
    }

    // Parallel SMP (one host thread per CPU) under the stub, QEMU's all-stop mode: a breakpoint hit by any CPU stops every
    // CPU, `s` on one thread moves that CPU only, Ctrl-C stops them all, and the guest, continued, ends with the output of
    // an undisturbed run (QEMU's transcript of the four-CPU smp guest).
    [TestMethod]
    public void ParallelModeStopsEveryCpuAndStepsOne()
    {
        string elf = GuestElf("smp.elf");
        using var serial = new MemoryStream();
        using var m = new MachineBuilder().WithCpus(4).WithSmpMode(SmpMode.Parallel).WithSerial(serial)
            .WithKernel(File.ReadAllBytes(elf), "smp.elf").Build();
        Assert.AreEqual(SmpMode.Parallel, m.SmpMode);
        ulong secondaryMain = m.Symbols["secondary_main"];
        using var s = new Session(m);
        ulong[] Counts() => [.. m.Cpus.Select(c => c.State.Instructions)];

        Assert.AreEqual("OK", s.Ask($"Z0,{secondaryMain:x},4"));
        string stop = s.Ask("c");
        var hit = System.Text.RegularExpressions.Regex.Match(stop, "^T05thread:0([2-4]);$");
        Assert.IsTrue(hit.Success, $"a secondary CPU hit the breakpoint: {stop}");
        int cpu = int.Parse(hit.Groups[1].Value) - 1;
        Assert.AreEqual(secondaryMain, m.Cpus[cpu].State.PC, "stopped on the breakpoint, before the instruction");
        var stopped = Counts();
        Thread.Sleep(200);
        CollectionAssert.AreEqual(stopped, Counts(), "all-stop: no CPU runs while gdb has the machine");
        Assert.AreEqual("OK", s.Ask($"z0,{secondaryMain:x},4"));

        Assert.AreEqual($"T05thread:0{cpu + 1};", s.Ask($"vCont;s:{cpu + 1:x}"));
        var stepped = Counts();
        for (int i = 0; i < m.Cpus.Count; i++)
            Assert.AreEqual(stopped[i] + (i == cpu ? 1UL : 0), stepped[i], $"CPU {i} after a step of CPU {cpu}");
        Assert.AreEqual(secondaryMain + 4, m.Cpus[cpu].State.PC);

        // Ctrl-C while every CPU runs: all stop again (the guest spins on its counters for a while).
        s.SendRaw(Session.Frame("c"));
        Assert.AreEqual('+', (char)s.ReadByte());
        Thread.Sleep(10); // (the parallel mode runs the rest of the guest in well under 50 ms on an idle host)
        s.SendRaw("\u0003");
        string interrupted = s.ReadPacket();
        if (interrupted.StartsWith('W')) Assert.Inconclusive("the guest finished before Ctrl-C arrived (a slow host)");
        StringAssert.StartsWith(interrupted, "T05thread:");
        var afterInterrupt = Counts();
        Thread.Sleep(200);
        CollectionAssert.AreEqual(afterInterrupt, Counts(), "all-stop after Ctrl-C");

        Assert.AreEqual("W00", s.Ask("c"), "the guest powers off");
        Assert.AreEqual(File.ReadAllText(Path.Combine(Path.GetDirectoryName(elf)!, "..", "expected", "smp.txt")),
            Encoding.ASCII.GetString(serial.ToArray()), "the guest's output, stops and a step included, is QEMU's");
    }

    [TestMethod]
    public void OneThreadPerCpu()
    {
        using var m = Build(cpus: 2);
        using var s = new Session(m);
        Assert.AreEqual("m1,2", s.Ask("qfThreadInfo"));
        Assert.AreEqual("l", s.Ask("qsThreadInfo"));
        Assert.AreEqual("OK", s.Ask("T2"));
        Assert.AreEqual("E01", s.Ask("T3"));
        Assert.AreEqual(Convert.ToHexStringLower(Encoding.ASCII.GetBytes("CPU#1 [off]")), s.Ask("qThreadExtraInfo,2"));
        Assert.AreEqual("OK", s.Ask("Hg2"));
        Assert.AreEqual("OK", s.Ask("P1=0200000000000000"));
        Assert.AreEqual(2UL, m.Cpus[1].X(1), "Hg selects the CPU that P writes");
        Assert.AreEqual(0UL, m.Cpus[0].X(1));
        s.SendRaw(Session.Frame("vCont;s:2"));
        Assert.AreEqual('+', (char)s.ReadByte());
        StringAssert.StartsWith(s.ReadPacket(), "O", "stepping a CPU that is off says so");
        Assert.AreEqual("T05thread:01;", s.ReadPacket(), "and reports the last stop again");
        Assert.AreEqual(0UL, m.Cpus[1].State.Instructions, "nothing executed");
        Assert.AreEqual("OK", s.Ask("Hg1"));
        Assert.AreEqual("0000084000000000", s.Ask("p20"));
        Assert.AreEqual("OK", s.Ask($"Z0,{Code + 8:x},4"));
        Assert.AreEqual("T05thread:01;", s.Ask("c"));
        Assert.AreEqual(2, m.Cpus.Count(c => c.Breakpoints.Contains(Code + 8)), "a breakpoint is set on every CPU");
    }
}
