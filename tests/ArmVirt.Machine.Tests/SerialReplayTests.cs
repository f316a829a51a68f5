using System.IO.Pipes;
using System.Text;
using ArmVirt.Cpu;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Machine.RecordSerialInput / ReplaySerialInput: an interactive session whose serial input the test feeds (between
/// runs, or through a pipe while an idle guest waits for it) is recorded, then replayed in one run on a fresh machine
/// without any input: the same output, instruction and cycle counts, under both engines and across them.
/// </summary>
[TestClass]
public sealed class SerialReplayTests
{
    // Echo until 'q' polling UARTFR, then PSCI SYSTEM_OFF (tests/ArmVirt.Cli.Tests GuestRunTests.Echo).
    private static readonly uint[] Echo =
        [0xd2a12001, 0x52806022, 0xb9003022, 0xb9401823, 0x3727ffe3, 0xb9400024, 0x39000024, 0x7101c49f, 0x54ffff61,
         0x52b08000, 0x11002000, 0xd4000002, 0x14000000];

    // The same echo waiting in WFI: UARTIMSC.RXIM, the GICv2 distributor and CPU interface on, SPI 1 enabled and
    // targeted at CPU 0, IRQs masked (WFI wakes on the asserted interrupt); loop: ldr w5, [x1, #0x18]; tbz w5, #4, got;
    // wfi; b loop; got: echo, 'q' powers off.
    private static readonly uint[] EchoWfi =
        [0xd2a12001, 0x52806022, 0xb9003022, 0x52800202, 0xb9003822, 0xd2a10003, 0x52800022, 0xb9000062, 0x52800042,
         0xb9010462, 0x52800022, 0x39208462, 0xd2a10024, 0x52800022, 0xb9000082, 0x52801fe2, 0xb9000482, 0xb9401825,
         0x36200065, 0xd503207f, 0x17fffffd, 0xb9400026, 0x39000026, 0x7101c4df, 0x54ffff21, 0x52b08000, 0x11002000,
         0xd4000002, 0x14000000];

    private static byte[] Image(uint[] code) => code.SelectMany(BitConverter.GetBytes).ToArray();

    private sealed record Session(string Output, MachineExit Exit, ulong Instructions, ulong Cycles);

    private static Session Replay(uint[] code, byte[] log, ExecutionEngine engine, int cpus = 1)
    {
        var serial = new MemoryStream();
        using var m = new MachineBuilder().WithEngine(engine).WithCpus(cpus).WithKernel(Image(code), "echo.bin").WithSerial(serial).Build();
        m.ReplaySerialInput(new MemoryStream(log));
        var exit = m.Run(10_000_000);
        return new Session(Encoding.ASCII.GetString(serial.ToArray()), exit, m.InstructionsExecuted, m.CyclesExecuted);
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Jit, ExecutionEngine.Interpreter)]
    [DataRow(ExecutionEngine.Interpreter, ExecutionEngine.Jit)]
    [DataRow(ExecutionEngine.Jit, ExecutionEngine.Jit)]
    [DataRow(ExecutionEngine.Jit, ExecutionEngine.Interpreter, 2)] // the round robin's run loop (CPU 1 stays off)
    public void InputFedBetweenRunsReplaysInOneRun(ExecutionEngine recordOn, ExecutionEngine replayOn, int cpus = 1)
    {
        var serial = new MemoryStream();
        var log = new MemoryStream();
        Session recorded;
        using (var m = new MachineBuilder().WithEngine(recordOn).WithCpus(cpus).WithKernel(Image(Echo), "echo.bin").WithSerial(serial).Build())
        {
            m.RecordSerialInput(log);
            m.Run(1001);
            m.Uart.EnqueueInput("hel"u8);
            m.Run(3000);
            m.Uart.EnqueueInput("lo, "u8);
            m.Run(77);
            m.Run(5);
            m.Uart.EnqueueInput("world q"u8);
            var exit = m.Run(1_000_000);
            recorded = new Session(Encoding.ASCII.GetString(serial.ToArray()), exit, m.InstructionsExecuted, m.CyclesExecuted);
        }
        Assert.AreEqual(StopReason.PowerOff, recorded.Exit.Reason, recorded.Exit.Message);
        Assert.AreEqual("hello, world q", recorded.Output);
        var replayed = Replay(Echo, log.ToArray(), replayOn, cpus);
        Assert.AreEqual(recorded, replayed, Encoding.ASCII.GetString(log.ToArray()));
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Jit)]
    [DataRow(ExecutionEngine.Interpreter)]
    public void PipedInputToAnIdleGuestReplays(ExecutionEngine engine)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var serial = new MemoryStream();
        var log = new MemoryStream();
        Session recorded;
        using (var m = new MachineBuilder().WithEngine(engine).WithKernel(Image(EchoWfi), "echo.bin").WithSerial(serial, reader).Build())
        {
            m.RecordSerialInput(log);
            var run = Task.Run(() => m.Run(10_000_000));
            foreach (string part in new[] { "ab", "c", "de", "q" })
            {
                Thread.Sleep(50); // the guest idles in WFI meanwhile: the machine waits for host input
                pipe.Write(Encoding.ASCII.GetBytes(part));
                pipe.Flush();
            }
            Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(30)), "the recorded run ended");
            pipe.Dispose(); // end of input: the machine's reader thread ends
            recorded = new Session(Encoding.ASCII.GetString(serial.ToArray()), run.Result, m.InstructionsExecuted, m.CyclesExecuted);
        }
        Assert.AreEqual(StopReason.PowerOff, recorded.Exit.Reason, recorded.Exit.Message);
        Assert.AreEqual("abcdeq", recorded.Output);
        string text = Encoding.ASCII.GetString(log.ToArray());
        StringAssert.Contains(text, "\ni ", "idle polls are in the log");
        Assert.AreEqual(recorded, Replay(EchoWfi, log.ToArray(), ExecutionEngine.Interpreter), text);
        Assert.AreEqual(recorded, Replay(EchoWfi, log.ToArray(), ExecutionEngine.Jit), text);
    }

    [TestMethod]
    public void AReplayThatGoesElsewhereStops()
    {
        // The log says the machine idled after 10 instructions, waiting for input; this guest polls UARTFR instead.
        // (A poll between slices, h, is made wherever the log has one: the replay ends a slice there.)
        byte[] log = Encoding.ASCII.GetBytes("armvirt-serial-input 1\ns 0 0 -\ni 10 0 71\n");
        var replayed = Replay(Echo, log, ExecutionEngine.Interpreter);
        Assert.AreEqual(StopReason.Error, replayed.Exit.Reason);
        StringAssert.Contains(replayed.Exit.Message, "replay diverged");
    }

    [TestMethod]
    [DataRow("not a log\n", "not an input log")]
    [DataRow("armvirt-serial-input 1\nx 1 2 -\n", "line 2: expected KIND")]
    [DataRow("armvirt-serial-input 1\nd 5 0 61\nd 4 0 62\n", "line 3: d poll 4 out of order")]
    [DataRow("armvirt-serial-input 1\nh 5 0 6g\n", "line 2: '6g' is not hexadecimal bytes")]
    public void AMalformedLogIsRefused(string log, string why)
    {
        using var m = new MachineBuilder().WithKernel(Image(Echo), "echo.bin").Build();
        var e = Assert.ThrowsExactly<InvalidDataException>(() => m.ReplaySerialInput(new MemoryStream(Encoding.ASCII.GetBytes(log))));
        StringAssert.Contains(e.Message, why);
    }
}
