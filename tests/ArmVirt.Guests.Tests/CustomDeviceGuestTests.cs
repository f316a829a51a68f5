using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;
using CustomDevice;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// doorbell.elf with samples/CustomDevice's doorbell (its Doorbell.cs compiled in here) mapped by
/// <see cref="MachineBuilder.WithDevice"/>: the guest finds it in the generated device tree, takes its level-sensitive
/// SPI through the GICv2 and the GICv3, and is rung by the host while it waits in WFI. QEMU has no such device, so the
/// console is checked line by line here and the two engines against each other (as GuestRunsIdenticallyUnderBothEngines
/// does for the guests QEMU runs).
/// </summary>
[TestClass]
public sealed class CustomDeviceGuestTests
{
    private sealed record DoorbellRun(string Output, MachineExit Exit, ulong Instructions, ulong Cycles, Doorbell Device, long BlocksCompiled);

    // The doorbell guest's machine: the sample's device at 0x0C00_0000 on SPI 112, the console into `serial`.
    private static MachineBuilder DoorbellMachine(int gicVersion, Doorbell doorbell, Stream serial) => new MachineBuilder()
        .WithKernel(Path.Combine(GuestCase.GuestsDirectory, "bin", "doorbell.elf"))
        .WithGicVersion(gicVersion)
        .WithDevice(0x0C00_0000, Doorbell.Size, doorbell, Doorbell.Compatible, doorbell.Interrupt, 112)
        .WithSerial(serial);

    private static DoorbellRun Run(int gicVersion, ExecutionEngine engine)
    {
        var serial = new MemoryStream();
        var doorbell = new Doorbell();
        using var machine = DoorbellMachine(gicVersion, doorbell, serial).WithEngine(engine).Build();
        // As GuestTests.GuestRunsIdenticallyUnderBothEngines: every block compiled on its second entry, tiering up early.
        machine.Cpu.JitThreshold = 1;
        machine.Cpu.JitBaselineMinimumLength = 0;
        machine.Cpu.JitOptimizeThreshold = 200;
        machine.Cpu.JitBackgroundCompilation = false;
        var wait = machine.WaitForSerial("waiting for the host\n", TimeSpan.FromSeconds(1));
        Assert.IsTrue(wait.Found, wait.Output);
        doorbell.Ring(0xC0FFEE);
        var exit = machine.Run(GuestCase.DefaultMaxInstructions);
        return new DoorbellRun(Encoding.ASCII.GetString(serial.ToArray()), exit, machine.InstructionsExecuted, machine.CyclesExecuted, doorbell,
            machine.Cpu.Translations?.BlocksCompiled ?? 0);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void GuestTakesTheDevicesInterruptsAndTheHostsRing(int gicVersion)
    {
        var run = Run(gicVersion, ExecutionEngine.Jit);
        Assert.AreEqual(StopReason.PowerOff, run.Exit.Reason, run.Exit.Message + "\n" + run.Output);
        string gic = gicVersion == 3 ? "GICv3 at 0x8000000, 0x80a0000" : "GICv2 at 0x8000000, 0x8010000";
        Assert.AreEqual($"""
            doorbell guest at EL1
            device tree: acme,doorbell at 0xc000000 size 0x1000, SPI 112 (INTID 144, flags 4); {gic}
            ID=0x4442454c (DBEL) STATUS=0x0 COUNT=0
            ring 0x1234
            IRQ: INTID 144 DATA=0x1234 STATUS=0x1 COUNT=1; acknowledged: STATUS=0x0
            ring 0xcafe
            IRQ: INTID 144 DATA=0xcafe STATUS=0x1 COUNT=2; acknowledged: STATUS=0x0
            ring 0xd00dfeed
            IRQ: INTID 144 DATA=0xd00dfeed STATUS=0x1 COUNT=3; acknowledged: STATUS=0x0
            3 interrupts, last DATA=0xd00dfeed
            masked: rang twice: STATUS=0x3 ISR_EL1.I=1 pending=1
            masked: acknowledged: STATUS=0x0 ISR_EL1.I=0 pending=0
            3 interrupts after unmasking
            waiting for the host
            IRQ: INTID 144 DATA=0xc0ffee STATUS=0x1 COUNT=6; acknowledged: STATUS=0x0
            the host rang: DATA=0xc0ffee, COUNT=6

            """, run.Output);
        CollectionAssert.AreEqual(new uint[] { 0x1234, 0xcafe, 0xd00dfeed, 0x55, 0x66 }, run.Device.GuestRings.ToArray());
        Assert.AreEqual((6u, 5, 5, false), (run.Device.Count, run.Device.InterruptsRaised, run.Device.Acknowledgements, run.Device.Interrupt.IsAsserted));
    }

    /// <summary>
    /// A snapshot taken while the guest waits for the host carries the doorbell (it implements ISnapshotState): a new
    /// machine with a new doorbell, restored from it and rung, prints what the original prints when rung, and the two
    /// devices end with the same view.
    /// </summary>
    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void SnapshotWhileTheGuestWaitsCarriesTheDevice(int gicVersion)
    {
        (ArmVirt.Machine.Machine Machine, Doorbell Device, MemoryStream Serial) Make()
        {
            var serial = new MemoryStream();
            var doorbell = new Doorbell();
            var machine = DoorbellMachine(gicVersion, doorbell, serial).Build();
            return (machine, doorbell, serial);
        }
        var original = Make();
        var restored = Make();
        using (original.Machine)
        using (restored.Machine)
        {
            Assert.IsTrue(original.Machine.WaitForSerial("waiting for the host\n", TimeSpan.FromSeconds(1)).Found);
            var snapshot = new MemoryStream();
            original.Machine.SaveSnapshot(snapshot);
            snapshot.Position = 0;
            restored.Machine.RestoreSnapshot(snapshot);
            original.Serial.SetLength(0);
            foreach (var m in new[] { original, restored })
            {
                m.Device.Ring(0xC0FFEE);
                Assert.AreEqual(StopReason.PowerOff, m.Machine.Run(GuestCase.DefaultMaxInstructions).Reason);
            }
            string after = Encoding.ASCII.GetString(original.Serial.ToArray());
            StringAssert.StartsWith(after, "IRQ: INTID 144 DATA=0xc0ffee STATUS=0x1 COUNT=6; acknowledged: STATUS=0x0\n");
            Assert.AreEqual(after, Encoding.ASCII.GetString(restored.Serial.ToArray()));
            Assert.AreEqual(original.Machine.InstructionsExecuted, restored.Machine.InstructionsExecuted);
            CollectionAssert.AreEqual(original.Device.GuestRings.ToArray(), restored.Device.GuestRings.ToArray());
            Assert.AreEqual((6u, 5, 5), (restored.Device.Count, restored.Device.InterruptsRaised, restored.Device.Acknowledgements));
        }
    }

    /// <summary>
    /// Machine.Reset tells the doorbell (it implements IResettable): reset right after the host rang it, with its line
    /// high and COUNT at 6, the guest boots again and prints exactly what it printed on the first boot (COUNT=0 at the
    /// start, its interrupts taken once each), under both engines. Without the hook the device keeps COUNT 7 and its line
    /// high across the reset (checked: the test fails there).
    /// </summary>
    [TestMethod]
    [DataRow(2, ExecutionEngine.Jit)]
    [DataRow(3, ExecutionEngine.Jit)]
    [DataRow(2, ExecutionEngine.Interpreter)]
    public void ResetPutsTheDeviceBackAndTheGuestBootsAsTheFirstTime(int gicVersion, ExecutionEngine engine)
    {
        var serial = new MemoryStream();
        var doorbell = new Doorbell();
        using var machine = DoorbellMachine(gicVersion, doorbell, serial).WithEngine(engine).Build();
        string Boot()
        {
            serial.SetLength(0);
            Assert.IsTrue(machine.WaitForSerial("waiting for the host\n", TimeSpan.FromSeconds(1)).Found, Encoding.ASCII.GetString(serial.ToArray()));
            doorbell.Ring(0xC0FFEE);
            Assert.AreEqual(StopReason.PowerOff, machine.Run(GuestCase.DefaultMaxInstructions).Reason);
            return Encoding.ASCII.GetString(serial.ToArray());
        }
        string first = Boot();
        doorbell.Ring(0xBAD); // pending, line high, COUNT 7: what a reset must clear
        Assert.IsTrue(doorbell.Interrupt.IsAsserted);
        machine.Reset();
        Assert.AreEqual((0u, false), (doorbell.Count, doorbell.Interrupt.IsAsserted), "the device's reset state");
        string second = Boot();
        StringAssert.Contains(second, "ID=0x4442454c (DBEL) STATUS=0x0 COUNT=0\n");
        Assert.AreEqual(first, second);
        Assert.AreEqual(6u, doorbell.Count);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    public void GuestRunsIdenticallyUnderBothEngines(int gicVersion)
    {
        var interp = Run(gicVersion, ExecutionEngine.Interpreter);
        var jit = Run(gicVersion, ExecutionEngine.Jit);
        Assert.AreEqual(interp.Output, jit.Output);
        Assert.AreEqual((interp.Exit.Reason, interp.Instructions, interp.Cycles), (jit.Exit.Reason, jit.Instructions, jit.Cycles));
        Assert.IsGreaterThan(0L, jit.BlocksCompiled, "the JIT compiled nothing");
    }
}
