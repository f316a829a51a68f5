// A test harness on ArmVirt: boot a bare-metal guest, wait for its console on virtual time, inspect its memory by
// symbol, stop it at a function, and check that a run is the same every time (samples/README.md).
using System.Text.RegularExpressions;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace GuestTests;

[TestClass]
public sealed class GuestConsoleTests
{
    private static Machine Boot() => new MachineBuilder()
        .WithKernel(Path.Combine(AppContext.BaseDirectory, "gdbtarget.elf"))
        .WithEngine(ExecutionEngine.Jit)
        .Build();

    [TestMethod]
    public void GuestPrintsItsResultAndPowersOff()
    {
        using var machine = Boot();
        // Virtual time: the same on every host, however loaded.
        SerialWait wait = machine.WaitForSerial(new Regex(@"^gdbtarget: EL\d counter \d+"), TimeSpan.FromSeconds(1));
        Assert.IsTrue(wait.Found, wait.Output);
        StringAssert.StartsWith(wait.Line, "gdbtarget: EL1 counter 6 total ");
        MachineExit exit = machine.Run(100_000_000);
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message);
        // The guest's variable `counter`, read through the symbol table and the CPU's current translation.
        var counter = new byte[8];
        Assert.AreEqual(8, machine.ReadVirtual(machine.Symbols["counter"], counter));
        Assert.AreEqual(6UL, BitConverter.ToUInt64(counter));
    }

    [TestMethod]
    public void StopsAtAFunctionWithItsArgument()
    {
        using var machine = Boot();
        ulong function = machine.Symbols["step_counter"];
        machine.Breakpoints.Add(function);
        for (ulong k = 1; k <= 3; k++)
        {
            MachineExit exit = machine.Run(10_000_000);
            Assert.AreEqual(StopReason.Breakpoint, exit.Reason);
            Assert.AreEqual(function, machine.Cpu.State.PC);
            Assert.AreEqual(k, machine.Cpu.X(0), "the first argument, in x0");
        }
    }

    [TestMethod]
    public void EveryRunRetiresTheSameInstructions()
    {
        ulong? first = null;
        for (int run = 0; run < 2; run++)
        {
            using var machine = Boot();
            Assert.AreEqual(StopReason.PowerOff, machine.Run(100_000_000).Reason);
            first ??= machine.InstructionsExecuted;
            Assert.AreEqual(first, machine.InstructionsExecuted);
        }
    }
}
