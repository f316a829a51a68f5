using System.Text;
using ArmVirt.Core;
using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Cpu.Tests;

[TestClass]
internal sealed class SemihostingTests
{
    private const ulong Ram = CpuHarness.RamBase;
    private const ulong RamEnd = Ram + (1 << 20);
    private const ulong Block = Ram + 0x1000;  // parameter blocks
    private const ulong Data = Ram + 0x2000;   // strings and buffers
    private const ulong Minus1 = ulong.MaxValue;

    private sealed class Env : IDisposable
    {
        public readonly CpuHarness H = new();
        public readonly MemoryStream Out = new();
        public readonly MemoryStream Err = new();
        public readonly Semihosting Host;

        public Env(string input = "", SemihostingHeapInfo? heap = null, string commandLine = "", bool separateErr = false)
        {
            Host = new Semihosting(Out, new MemoryStream(Encoding.UTF8.GetBytes(input)), heap, commandLine, separateErr ? Err : null);
            H.Cpu.Semihosting = Host;
        }

        public Cpu Cpu => H.Cpu;
        public string Output => Encoding.UTF8.GetString(Out.ToArray());
        public string ErrorOutput => Encoding.UTF8.GetString(Err.ToArray());

        public void Bytes(ulong address, byte[] bytes) => H.Bus.Load(address, bytes);
        public void Text(ulong address, string s) => Bytes(address, Encoding.UTF8.GetBytes(s));
        public void Fields(ulong address, params ulong[] fields) => Bytes(address, fields.SelectMany(BitConverter.GetBytes).ToArray());
        public ulong Field(ulong address) => H.Read64(address);

        /// <summary>Calls operation <paramref name="op"/> with X1 = <paramref name="x1"/>; X0's top half is garbage.</summary>
        public ulong Call(SemihostingOperation op, ulong x1) => Call((uint)op, x1);

        public ulong Call(uint op, ulong x1)
        {
            Cpu.SetX(0, 0xABCD_0000_0000_0000UL | op);
            Cpu.SetX(1, x1);
            Cpu.Semihosting!.Handle(Cpu);
            return Cpu.X(0);
        }

        public ulong Open(string name, ulong mode)
        {
            Text(Data + 0x800, name + "\0");
            Fields(Block + 0x100, Data + 0x800, mode, (ulong)name.Length);
            return Call(SemihostingOperation.Open, Block + 0x100);
        }

        public void Dispose() => H.Dispose();
    }

    [TestMethod]
    public void WriteCWritesOneByte()
    {
        using var e = new Env();
        e.Text(Data, "A");
        e.Cpu.SetX(0, 3);
        e.Call(SemihostingOperation.WriteC, Data);
        e.Text(Data, "\n");
        e.Call(SemihostingOperation.WriteC, Data);
        CollectionAssert.AreEqual(new byte[] { (byte)'A', (byte)'\n' }, e.Out.ToArray());
        Assert.AreEqual(StopReason.None, e.Cpu.StopReason);
    }

    [TestMethod]
    public void Write0WritesUpToTheNul()
    {
        using var e = new Env();
        string text = string.Concat(Enumerable.Range(0, 40).Select(i => $"line {i:D2}!\n")); // 400 bytes: several chunks
        e.Text(Data, text + "\0garbage");
        e.Call(SemihostingOperation.Write0, Data);
        Assert.AreEqual(text, e.Output);
    }

    [TestMethod]
    public void Write0RunningOffRamWritesWhatItReadAndFails()
    {
        using var e = new Env();
        e.Text(RamEnd - 3, "xyz");
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Write0, RamEnd - 3));
        Assert.AreEqual("xyz", e.Output);
        Assert.AreEqual((ulong)Semihosting.EFault, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    public void WriteToStdoutAndStderr()
    {
        using var e = new Env(separateErr: true);
        e.Text(Data, "out!err!");
        e.Fields(Block, 1, Data, 4);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block));
        e.Fields(Block, 2, Data + 4, 4);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block));
        Assert.AreEqual("out!", e.Output);
        Assert.AreEqual("err!", e.ErrorOutput);
    }

    [TestMethod]
    public void StderrDefaultsToTheConsoleOutput()
    {
        using var e = new Env();
        e.Text(Data, "E");
        e.Fields(Block, 2, Data, 1);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block));
        Assert.AreEqual("E", e.Output);
    }

    [TestMethod]
    [DataRow(0UL)] // console input is not writable
    [DataRow(3UL)]
    [DataRow(0xFFFF_FFFF_0000_0001UL)]
    public void WriteToABadHandleFails(ulong handle)
    {
        using var e = new Env();
        e.Fields(Block, handle, Data, 4);
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Write, Block));
        Assert.AreEqual((ulong)Semihosting.EBadF, e.Call(SemihostingOperation.Errno, 0));
        Assert.AreEqual(0, e.Out.Length);
    }

    [TestMethod]
    public void WriteOffTheEndOfRamReportsBytesNotWritten()
    {
        using var e = new Env();
        e.Text(RamEnd - 2, "ok");
        e.Fields(Block, 1, RamEnd - 2, 10);
        Assert.AreEqual(8UL, e.Call(SemihostingOperation.Write, Block));
        Assert.AreEqual("ok", e.Output);
    }

    [TestMethod]
    public void AnUnreadableParameterBlockFails()
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Write, 0x10));
        Assert.AreEqual((ulong)Semihosting.EFault, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    public void UnalignedParameterBlocksWorkWithTheMmuOff()
    {
        using var e = new Env();
        e.Text(Data, "hi");
        e.Fields(Block + 3, 1, Data, 2);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block + 3));
        Assert.AreEqual("hi", e.Output);
    }

    [TestMethod]
    public void OpenTtyGivesConsoleHandles()
    {
        using var e = new Env(input: "in", separateErr: true);
        ulong stdin = e.Open(":tt", 0), stdout = e.Open(":tt", 4), stderr = e.Open(":tt", 8);
        Assert.IsTrue(stdin is >= 3 and < 100 && stdout != stdin && stderr != stdout && stderr != stdin);
        e.Text(Data, "ab");
        e.Fields(Block, stdout, Data, 1);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block));
        e.Fields(Block, stderr, Data + 1, 1);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Write, Block));
        Assert.AreEqual("a", e.Output);
        Assert.AreEqual("b", e.ErrorOutput);
        e.Fields(Block, stdin, Data + 0x100, 8);
        Assert.AreEqual(6UL, e.Call(SemihostingOperation.Read, Block));
        Assert.AreEqual((ushort)('i' | 'n' << 8), (ushort)e.Field(Data + 0x100));
        e.Fields(Block, stdin);
        Assert.AreEqual(1UL, e.Call(SemihostingOperation.IsTty, Block));
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Close, Block));
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Close, Block));
    }

    [TestMethod]
    public void OpeningHostFilesFails()
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Open("/etc/passwd", 0));
        Assert.AreEqual((ulong)Semihosting.ENoEnt, e.Call(SemihostingOperation.Errno, 0));
        Assert.AreEqual(Minus1, e.Open(":tt", 12));
        Assert.AreEqual((ulong)Semihosting.EInval, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    public void SemihostingFeaturesFile()
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Open(":semihosting-features", 4));
        ulong fh = e.Open(":semihosting-features", 0);
        Assert.AreNotEqual(Minus1, fh);
        Assert.AreNotEqual(0UL, fh);
        e.Fields(Block, fh);
        Assert.AreEqual(5UL, e.Call(SemihostingOperation.FLen, Block));
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.IsTty, Block));
        e.Fields(Block, fh, Data, 5);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Read, Block));
        CollectionAssert.AreEqual(new byte[] { 0x53, 0x48, 0x46, 0x42, 0x03 }, e.H.Ram.AsSpan(Data, 5).ToArray());
        Assert.AreEqual(5UL, e.Call(SemihostingOperation.Read, Block), "end of file");
        e.Fields(Block, fh, 4);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Seek, Block));
        e.Fields(Block, fh, Data + 0x10, 3);
        Assert.AreEqual(2UL, e.Call(SemihostingOperation.Read, Block));
        Assert.AreEqual(0x03, e.H.Ram.AsSpan(Data + 0x10, 1)[0]);
        e.Fields(Block, fh);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Close, Block));
    }

    [TestMethod]
    public void SeekOnTheConsoleFails()
    {
        using var e = new Env();
        e.Fields(Block, 1, 0);
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Seek, Block));
        Assert.AreEqual((ulong)Semihosting.ESPipe, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    public void ReadCReadsConsoleInputThenEndOfFile()
    {
        using var e = new Env(input: "xy");
        Assert.AreEqual((ulong)'x', e.Call(SemihostingOperation.ReadC, 0));
        Assert.AreEqual((ulong)'y', e.Call(SemihostingOperation.ReadC, 0));
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.ReadC, 0));
    }

    [TestMethod]
    public void ReadFromHandle0ReadsConsoleInput()
    {
        using var e = new Env(input: "hello");
        e.Fields(Block, 0, Data, 10);
        Assert.AreEqual(5UL, e.Call(SemihostingOperation.Read, Block));
        Assert.AreEqual("hello", Encoding.UTF8.GetString(e.H.Ram.AsSpan(Data, 5)));
        Assert.AreEqual(10UL, e.Call(SemihostingOperation.Read, Block), "end of input: nothing read");
    }

    [TestMethod]
    public void IsErrorAndErrno()
    {
        using var e = new Env();
        e.Fields(Block, Minus1);
        Assert.AreNotEqual(0UL, e.Call(SemihostingOperation.IsError, Block));
        e.Fields(Block, 5);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.IsError, Block));
        e.Fields(Block, 0x8000_0000_0000_0000);
        Assert.AreNotEqual(0UL, e.Call(SemihostingOperation.IsError, Block));
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    public void ClockTimeAndElapsedFollowVirtualCycles()
    {
        using var e = new Env();
        e.Cpu.State.Cycles = 2_345_678_901; // 2.345678901 s at the default 1 GHz
        Assert.AreEqual(234UL, e.Call(SemihostingOperation.Clock, 0));
        Assert.AreEqual(234UL, e.Call(SemihostingOperation.Clock, 0), "no host time leaks in");
        Assert.AreEqual(2UL, e.Call(SemihostingOperation.Time, 0));
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.Elapsed, Block));
        Assert.AreEqual(2_345_678_901UL, e.Field(Block));
        Assert.AreEqual(Block, e.Cpu.X(1));
        Assert.AreEqual(1_000_000_000UL, e.Call(SemihostingOperation.TickFreq, 0));
        e.Cpu.State.Cycles += 10_000_000;
        Assert.AreEqual(235UL, e.Call(SemihostingOperation.Clock, 0));
    }

    [TestMethod]
    public void ClockUsesTheClockFrequency()
    {
        using var bus = new PhysicalBus();
        var cpu = new Cpu(bus, new VirtualClock(62_500_000)) { Semihosting = new Semihosting(Stream.Null) };
        cpu.State.Cycles = 125_000_000;
        cpu.SetX(0, (uint)SemihostingOperation.Clock);
        cpu.Semihosting!.Handle(cpu);
        Assert.AreEqual(200UL, cpu.X(0));
        cpu.SetX(0, (uint)SemihostingOperation.TickFreq);
        cpu.Semihosting!.Handle(cpu);
        Assert.AreEqual(62_500_000UL, cpu.X(0));
    }

    [TestMethod]
    public void ElapsedToAnUnwritableBlockFailsInX0AndX1()
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Elapsed, 0x20));
        Assert.AreEqual(Minus1, e.Cpu.X(1));
    }

    [TestMethod]
    public void HeapInfoDefaultsToZeros()
    {
        using var e = new Env();
        e.Fields(Block, Data);
        e.Fields(Data, 1, 2, 3, 4);
        e.Call(SemihostingOperation.HeapInfo, Block);
        for (int i = 0; i < 4; i++) Assert.AreEqual(0UL, e.Field(Data + (ulong)i * 8));
        Assert.AreEqual(Block, e.Cpu.X(1));
    }

    [TestMethod]
    public void HeapInfoReportsTheGivenLayout()
    {
        using var e = new Env(heap: SemihostingHeapInfo.FromRam(Ram, 1 << 20));
        e.Fields(Block, Data);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.HeapInfo, Block));
        Assert.AreEqual(Ram + 0x8_0000, e.Field(Data));
        Assert.AreEqual(RamEnd, e.Field(Data + 8));
        Assert.AreEqual(RamEnd, e.Field(Data + 16));
        Assert.AreEqual(Ram, e.Field(Data + 24));
    }

    [TestMethod]
    public void GetCmdline()
    {
        using var e = new Env(commandLine: "prog --flag");
        e.Fields(Block, Data, 64);
        Assert.AreEqual(0UL, e.Call(SemihostingOperation.GetCmdline, Block));
        Assert.AreEqual("prog --flag\0", Encoding.UTF8.GetString(e.H.Ram.AsSpan(Data, 12)));
        Assert.AreEqual(11UL, e.Field(Block + 8));
        e.Fields(Block, Data, 11); // no room for the terminator
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.GetCmdline, Block));
        Assert.AreEqual((ulong)Semihosting.E2Big, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    [DataRow(SemihostingOperation.Exit, 0x20026UL, 0UL, 0)]
    [DataRow(SemihostingOperation.Exit, 0x20026UL, 42UL, 42)]
    [DataRow(SemihostingOperation.Exit, 0x20026UL, ulong.MaxValue, -1)]
    [DataRow(SemihostingOperation.Exit, 0x20023UL, 5UL, 1)] // ADP_Stopped_RunTimeErrorUnknown
    [DataRow(SemihostingOperation.Exit, 0x20024UL, 0UL, 1)] // ADP_Stopped_InternalError
    [DataRow(SemihostingOperation.ExitExtended, 0x20026UL, 3UL, 3)]
    [DataRow(SemihostingOperation.ExitExtended, 0x20026UL, 0UL, 0)]
    [DataRow(SemihostingOperation.ExitExtended, 0x20000UL, 7UL, 1)]
    public void ExitStopsWithTheStatus(SemihostingOperation op, ulong reason, ulong subcode, int expected)
    {
        using var e = new Env();
        e.Fields(Block, reason, subcode);
        e.Call(op, Block);
        Assert.AreEqual(StopReason.SemihostingExit, e.Cpu.StopReason);
        Assert.AreEqual(expected, e.Cpu.ExitCode);
    }

    [TestMethod]
    public void ExitWithAnUnreadableBlockFailsWithoutStopping()
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Call(SemihostingOperation.Exit, 0x40));
        Assert.AreEqual(StopReason.None, e.Cpu.StopReason);
    }

    [TestMethod]
    [DataRow(0x00u)]
    [DataRow(0x17u)] // angel_SWIreason_EnterSVC: reserved
    [DataRow(0x19u)] // angelSWI_Reason_SyncCacheRange: reserved
    [DataRow(0x32u)]
    [DataRow(0x100u)]
    [DataRow(0xFFFF_FFFFu)]
    public void UnknownOperationsReturnMinusOne(uint op)
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Call(op, Block));
        Assert.AreEqual((ulong)Semihosting.ENoSys, e.Call(SemihostingOperation.Errno, 0));
    }

    [TestMethod]
    [DataRow(SemihostingOperation.Remove)]
    [DataRow(SemihostingOperation.Rename)]
    [DataRow(SemihostingOperation.System)]
    [DataRow(SemihostingOperation.TmpNam)]
    public void HostFileSystemAndShellAreUnreachable(SemihostingOperation op)
    {
        using var e = new Env();
        Assert.AreEqual(Minus1, e.Call(op, Block));
    }

    [TestMethod]
    public void OutputIsIdenticalAcrossRuns()
    {
        string Run()
        {
            using var e = new Env();
            e.Cpu.State.Cycles = 123_456_789;
            e.Text(Data, "t=\0");
            e.Call(SemihostingOperation.Write0, Data);
            ulong cs = e.Call(SemihostingOperation.Clock, 0);
            e.Text(Data, $"{cs}\n\0");
            e.Call(SemihostingOperation.Write0, Data);
            return e.Output;
        }
        Assert.AreEqual("t=12\n", Run());
        Assert.AreEqual(Run(), Run());
    }
}
