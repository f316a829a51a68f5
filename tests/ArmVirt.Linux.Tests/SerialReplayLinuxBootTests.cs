using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Linux.Tests;

/// <summary>
/// Record and replay on a Linux boot, in-process: the test types into the PL011 between runs while the kernel boots and
/// its shell runs (the kernel's pl011 driver takes the bytes on its receive interrupt), recording; a fresh machine
/// replays the log in one run under the other engine: the same console, instruction and cycle counts. Off unless
/// ARMVIRT_LINUX_BOOT=1, as the other ArmVirt boots.
/// </summary>
[TestClass]
[TestCategory("LinuxBoot")]
public sealed class SerialReplayLinuxBootTests
{
    private static Machine.Machine Build(ExecutionEngine engine, Stream serial)
    {
        string[] a = LinuxBootEnvironment.GuestArguments(2);
        string Arg(string name) => a[Array.IndexOf(a, name) + 1];
        return new MachineBuilder().WithEngine(engine).WithHighestEl(2)
            .WithMemory(ulong.Parse(Arg("--memory").TrimEnd('M')) << 20)
            .WithKernel(LinuxBootEnvironment.KernelPath).WithInitrd(Arg("--initrd")).WithAppend(Arg("--append"))
            .WithSerial(serial).Build();
    }

    [TestMethod]
    public void TypedInputReplaysIdentically()
    {
        if (!LinuxBootEnvironment.ArmVirtBootEnabled) Assert.Inconclusive("ArmVirt Linux boots are off: set ARMVIRT_LINUX_BOOT=1 to run them.");
        LinuxBootEnvironment.RequireKernelCache();
        var log = new MemoryStream();
        var serial = new MemoryStream();
        MachineExit exit;
        ulong instructions, cycles;
        using (var m = Build(ExecutionEngine.Jit, serial))
        {
            m.RecordSerialInput(log);
            foreach (string typed in new[] { "echo typed\n", "x", "yz\n", "ls\n" })
            {
                m.Run(150_000_001);
                m.Uart.EnqueueInput(Encoding.ASCII.GetBytes(typed));
            }
            exit = m.Run(3_000_000_000);
            instructions = m.InstructionsExecuted;
            cycles = m.CyclesExecuted;
        }
        string text = Encoding.ASCII.GetString(log.ToArray());
        Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message);
        StringAssert.Contains(text, "6563686F2074797065640A", "'echo typed' entered the receive FIFO (Linux enables the 32-byte FIFOs)");

        var replayed = new MemoryStream();
        using var r = Build(ExecutionEngine.Interpreter, replayed);
        r.ReplaySerialInput(new MemoryStream(log.ToArray()));
        var again = r.Run(3_000_000_000 + 4 * 150_000_001UL);
        Assert.AreEqual(exit.Reason, again.Reason, again.Message);
        Assert.AreEqual(Encoding.ASCII.GetString(serial.ToArray()), Encoding.ASCII.GetString(replayed.ToArray()));
        Assert.AreEqual(instructions, r.InstructionsExecuted);
        Assert.AreEqual(cycles, r.CyclesExecuted);
    }
}
