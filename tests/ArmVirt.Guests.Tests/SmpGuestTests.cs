using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// The four-CPU guest (tests/guests/smp.c) beyond its comparison with QEMU in <see cref="GuestTests"/>: its output does
/// not depend on how long each CPU's turn is (the guest waits for every result it prints), each quantum gives the same
/// instruction counts per CPU run after run, and the machine's PSCI answers and CPU power states are what DEN 0022 says.
/// </summary>
[TestClass]
public sealed class SmpGuestTests
{
    private static (string Output, MachineExit Exit, ulong[] PerCpu, ulong Cycles) Run(ulong quantum, ExecutionEngine engine = ExecutionEngine.Jit)
    {
        var guest = GuestCase.Named("smp");
        using var serial = new MemoryStream();
        using var machine = new MachineBuilder()
            .WithEngine(engine)
            .WithCpus(guest.Cpus)
            .WithQuantum(quantum)
            .WithKernel(guest.ElfPath)
            .WithSerial(serial)
            .Build();
        var exit = machine.Run(50_000_000);
        return (Encoding.ASCII.GetString(serial.ToArray()), exit, machine.Cpus.Select(c => c.State.Instructions).ToArray(), machine.CyclesExecuted);
    }

    [TestMethod]
    [DataRow(1UL)]
    [DataRow(97UL)]
    [DataRow(1_000UL)]
    [DataRow(250_000UL)]
    public void OutputIsTheSameWhateverTheQuantum(ulong quantum)
    {
        var run = Run(quantum);
        Assert.AreEqual(StopReason.PowerOff, run.Exit.Reason, run.Exit.Message + "\n" + run.Output);
        Assert.AreEqual(File.ReadAllText(GuestCase.Named("smp").ExpectedPath), run.Output, $"quantum {quantum}");
    }

    [TestMethod]
    public void RunsRepeatExactly()
    {
        var a = Run(3_000);
        var b = Run(3_000);
        CollectionAssert.AreEqual(a.PerCpu, b.PerCpu, "instructions per CPU");
        Assert.AreEqual(a.Cycles, b.Cycles);
        var interp = Run(3_000, ExecutionEngine.Interpreter);
        CollectionAssert.AreEqual(a.PerCpu, interp.PerCpu, "instructions per CPU, JIT vs interpreter");
        Assert.AreEqual(a.Cycles, interp.Cycles);
    }

    [TestMethod]
    public void SecondaryCpusStartOffAndCpuOnStartsThemInTheHighestNonSecureEl()
    {
        using var machine = new MachineBuilder().WithCpus(2).WithHighestEl(2).WithKernel(GuestCase.Named("smp").ElfPath).Build();
        Assert.IsTrue(machine.IsPoweredOn(0));
        Assert.IsFalse(machine.IsPoweredOn(1));
        Assert.AreEqual(1UL, machine.Cpus[1].Sys.Mpidr & 0xFF, "MPIDR_EL1.Aff0 = CPU index");
        var firmware = (ArmVirt.Cpu.Firmware.PsciFirmware)machine.Cpu.Firmware!;
        machine.Cpu.SetElAndSpSel(1, 1); // CPU 0 calls from EL1, as a kernel below its hypervisor stub does
        Assert.AreEqual(ArmVirt.Cpu.Firmware.PsciReturn.Success, firmware.Platform.CpuOn(machine.Cpu, 1, 0x4008_0000, 42));
        Assert.IsTrue(machine.IsPoweredOn(1));
        Assert.AreEqual(2, machine.Cpus[1].State.EL, "EL2 is the highest Non-secure EL");
        Assert.AreEqual(42UL, machine.Cpus[1].State.X[0], "X0 = context_id");
        Assert.AreEqual(0x4008_0000UL, machine.Cpus[1].State.PC);
        Assert.AreEqual(ArmVirt.Cpu.Firmware.PsciReturn.AlreadyOn, firmware.Platform.CpuOn(machine.Cpu, 1, 0x4008_0000, 0));
        Assert.AreEqual(ArmVirt.Cpu.Firmware.PsciAffinityState.On, firmware.Platform.AffinityInfo(machine.Cpu, 1));
        firmware.Platform.CpuOff(machine.Cpus[1]);
        Assert.IsFalse(machine.IsPoweredOn(1));
        Assert.AreEqual(ArmVirt.Cpu.Firmware.PsciAffinityState.Off, firmware.Platform.AffinityInfo(machine.Cpu, 1));
        Assert.IsFalse(firmware.Platform.CpuExists(machine.Cpu, 2));
    }

    [TestMethod]
    public void BadCpuCountsAndQuantaAreConfigurationErrors()
    {
        var kernel = GuestCase.Named("smp").ElfPath;
        Assert.AreEqual("CPU count 9: must be 1 to 8",
            Assert.ThrowsExactly<MachineConfigurationException>(() => new MachineBuilder().WithCpus(9).WithKernel(kernel).Build()).Message);
        Assert.AreEqual("quantum 0: each CPU must run at least one cycle per turn",
            Assert.ThrowsExactly<MachineConfigurationException>(() => new MachineBuilder().WithCpus(2).WithQuantum(0).WithKernel(kernel).Build()).Message);
    }
}
