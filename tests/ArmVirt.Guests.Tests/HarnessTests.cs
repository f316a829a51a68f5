using System.Text;
using System.Text.RegularExpressions;
using ArmVirt.Cpu;
using ArmVirt.Devices;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// What a test harness does with a machine (#21 item 3): wait on virtual time for the console to print something,
/// resume a stopped run, reset and run the guest again, take the console through its own backend.
/// </summary>
[TestClass]
public sealed class HarnessTests
{
    private sealed class Recorder : ISerialBackend
    {
        public readonly List<byte> Bytes = [];
        public void Write(byte value) => Bytes.Add(value);
        public string Text => Encoding.ASCII.GetString(Bytes.ToArray());
    }

    private static ArmVirt.Machine.Machine Demo(Recorder serial) =>
        new MachineBuilder().WithHighestEl(2).WithKernel(GuestCase.Named("demo").ElfPath).WithSerial(serial).Build();

    [TestMethod]
    public void WaitForSerialStopsRightAfterTheTextAndTheRunGoesOn()
    {
        var serial = new Recorder();
        using var machine = Demo(serial);
        var wait = machine.WaitForSerial("running at EL1", TimeSpan.FromSeconds(1));
        Assert.IsTrue(wait.Found, wait.Output);
        Assert.IsFalse(wait.TimedOut);
        Assert.AreEqual(StopReason.HostRequest, wait.Exit.Reason);
        StringAssert.EndsWith(wait.Output, "EL1: running at EL1");
        Assert.AreEqual(wait.Output, serial.Text, "the wait began with the run, so it saw all the output, and nothing after the match ran");
        var line = machine.WaitForSerial(new Regex("^EL2: HVC from EL1: EC=0x16"), TimeSpan.FromSeconds(1));
        Assert.IsTrue(line.Found, line.Output);
        StringAssert.StartsWith(line.Line, "EL2: HVC from EL1: EC=0x16 ISS=0x1234");
        Assert.AreEqual(StopReason.PowerOff, machine.Run().Reason, "the run resumes after a wait without ClearStop");
        StringAssert.Contains(serial.Text, "EL2: HVC from EL1");
    }

    [TestMethod]
    public void WaitForSerialTimesOutOnVirtualTimeAndReportsAGuestStop()
    {
        var serial = new Recorder();
        using var machine = new MachineBuilder().WithKernel(GuestCase.Named("cpubench").ElfPath).WithSerial(serial).Build();
        ulong before = machine.CyclesExecuted;
        var wait = machine.WaitForSerial("never printed", TimeSpan.FromMilliseconds(2));
        Assert.IsFalse(wait.Found);
        Assert.IsTrue(wait.TimedOut);
        // 2 ms of virtual time at the 1 GHz CPU clock, stopped at the first instruction boundary after it.
        Assert.IsTrue(machine.CyclesExecuted - before is >= 2_000_000 and < 2_000_100, $"{machine.CyclesExecuted - before} cycles");
        var end = machine.WaitForSerial("never printed", TimeSpan.FromSeconds(10));
        Assert.IsFalse(end.Found);
        Assert.IsFalse(end.TimedOut);
        Assert.AreEqual(StopReason.PowerOff, end.Exit.Reason, "the guest powered off before the timeout");
        StringAssert.Contains(serial.Text, "total ");
    }

    [TestMethod]
    public void DebugMemoryAccessReadsRamWithoutSideEffectsAndStopsAtWhatIsNotRam()
    {
        var serial = new Recorder();
        using var machine = Demo(serial);
        byte[] elf = File.ReadAllBytes(GuestCase.Named("demo").ElfPath);
        // The demo's first PT_LOAD segment is at 0x4008_0000, its bytes at file offset 0x10000 (its ELF headers say so).
        var text = new byte[64];
        Assert.AreEqual(64, machine.ReadPhysical(0x4008_0000, text));
        CollectionAssert.AreEqual(elf[0x10000..0x10040], text);
        Assert.AreEqual(64, machine.ReadVirtual(0x4008_0000, text), "MMU off: VA = PA");
        CollectionAssert.AreEqual(elf[0x10000..0x10040], text);
        // A read that runs into a device page stops there: nothing of the UART is read.
        var beyond = new byte[0x20];
        Assert.AreEqual(0, machine.ReadPhysical(0x0900_0000, beyond), "the PL011 is not RAM");
        Assert.AreEqual(0x10, machine.ReadPhysical(0x4000_0000 + (128UL << 20) - 0x10, beyond), "up to the end of RAM");
        // A write drops translated code and is seen by the guest's loads.
        Assert.AreEqual(4, machine.WritePhysical(0x4100_0000, [1, 2, 3, 4]));
        var back = new byte[4];
        machine.ReadVirtual(0x4100_0000, back);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 4 }, back);
        Assert.AreEqual(0x4100_0000UL, machine.TranslateVirtual(0x4100_0000));
        Assert.IsNull(machine.TranslateVirtual(1UL << 60), "beyond the PA size with the MMU off");
    }

    [TestMethod]
    public void SymbolsOfTheElfKernelNameItsFunctionsAndData()
    {
        var serial = new Recorder();
        using var machine = new MachineBuilder().WithKernel(GuestCase.Named("gdbtarget").ElfPath).WithSerial(serial).Build();
        ulong main = machine.Symbols["main"];
        Assert.AreEqual(machine.Kernel.Entry, machine.Symbols["_start"]);
        Assert.IsTrue(machine.Symbols.ContainsKey("counter"), "a data object");
        Assert.IsFalse(machine.Symbols.ContainsKey("common/start.S"), "file symbols are left out");
        var exit = machine.RunUntil(main);
        Assert.AreEqual(StopReason.Breakpoint, exit.Reason);
        Assert.AreEqual(main, machine.Cpu.State.PC);
        using var raw = new MachineBuilder().WithKernel(new byte[16], "raw").Build();
        Assert.IsEmpty(raw.Symbols);
    }

    [TestMethod]
    public void ResetRunsTheGuestAgainFromItsEntry()
    {
        var serial = new Recorder();
        using var machine = Demo(serial);
        Assert.AreEqual(StopReason.PowerOff, machine.Run().Reason);
        string first = serial.Text;
        ulong instructions = machine.InstructionsExecuted;
        Assert.AreEqual(StopReason.PowerOff, machine.Run().Reason, "a powered-off guest stays off");
        Assert.AreEqual(instructions, machine.InstructionsExecuted);
        machine.Reset();
        Assert.AreEqual(0, machine.ResetCount, "ResetCount counts the guest's own resets");
        Assert.AreEqual(StopReason.PowerOff, machine.Run().Reason);
        Assert.AreEqual(first + first, serial.Text);
        Assert.AreEqual(2 * instructions, machine.InstructionsExecuted);
    }
}
