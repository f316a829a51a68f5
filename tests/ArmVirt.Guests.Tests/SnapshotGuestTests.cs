using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// Machine.SaveSnapshot / RestoreSnapshot on real guests: a run stopped at instruction N, saved and continued to its end
/// is compared with a fresh machine restored from the snapshot and run to the end, under both engines and across them
/// (a snapshot taken under the JIT restored under the interpreter and the other way round): the same output after the
/// snapshot point, the same final instruction and cycle counts and registers on every CPU. Saving right after a restore
/// gives the snapshot's bytes again.
/// </summary>
[TestClass]
public sealed class SnapshotGuestTests
{
    public TestContext TestContext { get; set; } = null!;

    private sealed record Run(byte[] Output, MachineExit Exit, ulong Instructions, ulong Cycles, ulong[] Registers);

    private static ArmVirt.Machine.Machine Build(GuestCase guest, ExecutionEngine engine, MemoryStream serial, string? disk = null)
    {
        var builder = guest.Builder(engine, serial);
        if (disk != null) builder.WithBlockDevice(disk, snapshot: true);
        var machine = builder.Build();
        foreach (var cpu in machine.Cpus)
        {
            // Compile early and on this thread, so that compiled code runs on both sides of the snapshot point.
            cpu.JitThreshold = 1;
            cpu.JitBaselineMinimumLength = 0;
            cpu.JitOptimizeThreshold = 200;
            cpu.JitBackgroundCompilation = false;
        }
        return machine;
    }

    private static Run Finish(ArmVirt.Machine.Machine machine, MemoryStream serial, ulong budget)
    {
        var exit = machine.Run(budget);
        var registers = new ulong[33 * machine.Cpus.Count];
        for (int c = 0; c < machine.Cpus.Count; c++)
        {
            for (int i = 0; i < 32; i++) registers[33 * c + i] = machine.Cpus[c].State.X[i];
            registers[33 * c + 32] = machine.Cpus[c].State.PC;
        }
        return new Run(serial.ToArray(), exit, machine.InstructionsExecuted, machine.CyclesExecuted, registers);
    }

    private static GuestCase VirtioDma => new("virtio_dma", "virtio_dma.elf", 1, false, StopReason.PowerOff, 0, GuestCase.DefaultMaxInstructions * 4);

    private static string? DiskOf(GuestCase guest) =>
        guest.Name == "virtio_dma" ? Path.Combine(GuestCase.GuestsDirectory, "bin", "virtio_dma.img") : null;

    private static GuestCase Case(string name) => name == "virtio_dma" ? VirtioDma : GuestCase.Named(name);

    // Parallel SMP: Run(n) returns at the end of a turn, every CPU thread parked and joined, the requests still queued
    // between CPUs applied (Machine.Parallel.cs). The four-CPU smp guest saved there continues, in the machine that saved
    // it and in machines restored from the snapshot in parallel and in deterministic mode (the same quantum: it is part
    // of the configuration), to QEMU's transcript. Counts are not compared: a parallel run's interleaving is the host's.
    [TestMethod]
    [DataRow("smp", 0.3)]
    [DataRow("smp-gicv3-max", 0.6)]
    public void ParallelRunSavedContinuesInEitherMode(string name, double at)
    {
        var guest = GuestCase.Named(name);
        string expected = File.ReadAllText(guest.ExpectedPath);
        ulong total;
        using (var serial = new MemoryStream())
        using (var machine = guest.Builder(ExecutionEngine.Jit, serial).Build())
            total = Finish(machine, serial, guest.MaxInstructions).Instructions;
        ulong n = (ulong)(total * at);
        ArmVirt.Machine.Machine Make(SmpMode mode, MemoryStream serial) =>
            guest.Builder(ExecutionEngine.Jit, serial).WithSmpMode(mode).WithQuantum(100_000).Build(); // (the round robin's budget allows this one)

        byte[] snapshot;
        string prefix;
        using (var serial = new MemoryStream())
        using (var machine = Make(SmpMode.Parallel, serial))
        {
            var first = machine.Run(n);
            // (Failed once in ~47 runs beside a build, a power-off where the limit was expected: the run overshot its budget
            // until the CPUs shared one pool, SmpParallelGuestTests.RunsStopAtTheirInstructionLimit; 40 runs in a row pass.)
            Assert.AreEqual(StopReason.InstructionLimit, first.Reason, $"{first.Reason}: {first.Message}\n" + string.Join("\n",
                machine.Cpus.Select((c, i) => $"cpu{i}: {(machine.IsPoweredOn(i) ? "on" : "off")}, PC 0x{c.State.PC:x}, " +
                    $"{(c.IsWaiting ? "waiting" : "running")}, IRQ {(c.Irq.IsAsserted ? "asserted" : "low")}, {c.State.Cycles} cycles")));
            using var s = new MemoryStream();
            machine.SaveSnapshot(s);
            snapshot = s.ToArray();
            prefix = System.Text.Encoding.ASCII.GetString(serial.ToArray());
            Assert.AreNotEqual(expected, prefix, "saved before the end");
            var rest = Finish(machine, serial, guest.MaxInstructions * 4);
            Assert.AreEqual(guest.Reason, rest.Exit.Reason, "the saving machine: " + rest.Exit.Message);
            Assert.AreEqual(expected, System.Text.Encoding.ASCII.GetString(rest.Output), "the saving machine's output");
        }
        foreach (var mode in new[] { SmpMode.Deterministic, SmpMode.Parallel })
        {
            using var serial = new MemoryStream();
            using var machine = Make(mode, serial);
            machine.RestoreSnapshot(new MemoryStream(snapshot));
            var rest = Finish(machine, serial, guest.MaxInstructions * 4);
            Assert.AreEqual(guest.Reason, rest.Exit.Reason, $"restored in {mode} mode: {rest.Exit.Message}");
            Assert.AreEqual(expected, prefix + System.Text.Encoding.ASCII.GetString(rest.Output), $"restored in {mode} mode");
        }
    }

    // demo: EL2 with an EL1 guest; mmu_s2: EL2 running an EL1 guest under stage 2; smp and smp-gicv3-max: four CPUs
    // with PSCI, SGIs and spinlocks; gicv3_hyp: list registers, the maintenance interrupt and a forwarded timer;
    // pmu: PMU counters and their overflow interrupt at EL2; debug-el2: debug exceptions routed to EL2; virtio_dma:
    // a virtio-blk request around the snapshot point; aarch32_thumb: AArch32 EL0 state; aarch32_el1: AArch32 EL1 state
    // (the mode, banked registers and SPSRs); armv7_hyp: an AArch32-only PE in Hyp mode and in its PL1 guest.
    [TestMethod]
    [DataRow("demo", 0.5)]
    [DataRow("mmu_s2", 0.3)]
    [DataRow("mmu_s2", 0.7)]
    [DataRow("smp", 0.4)]
    [DataRow("smp-gicv3-max", 0.6)]
    [DataRow("gicv3_hyp", 0.5)]
    [DataRow("gicv3_el1", 0.5)]
    [DataRow("pmu", 0.5)]
    [DataRow("debug-el2", 0.5)]
    [DataRow("el2", 0.5)]
    [DataRow("virtio_dma", 0.3)]
    [DataRow("virtio_dma", 0.9)]
    [DataRow("aarch32_thumb", 0.5)]
    [DataRow("aarch32_el1", 0.5)]
    [DataRow("armv7_hyp", 0.3)]
    [DataRow("armv7_hyp", 0.8)]
    public void RestoredRunContinuesIdentically(string name, double at)
    {
        var guest = Case(name);
        string? disk = DiskOf(guest);
        ulong total;
        using (var serial = new MemoryStream())
        using (var machine = Build(guest, ExecutionEngine.Interpreter, serial, disk))
        {
            var whole = Finish(machine, serial, guest.MaxInstructions);
            Assert.AreEqual(guest.Reason, whole.Exit.Reason, whole.Exit.Message);
            total = whole.Instructions;
        }
        ulong n = (ulong)(total * at) | 1;
        foreach (var (saveOn, restoreOn) in new[]
        {
            (ExecutionEngine.Jit, ExecutionEngine.Jit), (ExecutionEngine.Interpreter, ExecutionEngine.Interpreter),
            (ExecutionEngine.Jit, ExecutionEngine.Interpreter), (ExecutionEngine.Interpreter, ExecutionEngine.Jit),
        })
        {
            string what = $"{name} at {n} of {total}, saved under {saveOn}, restored under {restoreOn}";
            byte[] snapshot;
            int prefix;
            Run original;
            using (var serial = new MemoryStream())
            using (var machine = Build(guest, saveOn, serial, disk))
            {
                var first = machine.Run(n);
                Assert.AreEqual(StopReason.InstructionLimit, first.Reason, $"{what}: {first.Message}");
                using var s = new MemoryStream();
                machine.SaveSnapshot(s);
                snapshot = s.ToArray();
                prefix = (int)serial.Length;
                original = Finish(machine, serial, guest.MaxInstructions);
            }
            Run restored;
            using (var serial = new MemoryStream())
            using (var machine = Build(guest, restoreOn, serial, disk))
            {
                machine.RestoreSnapshot(new MemoryStream(snapshot));
                using (var again = new MemoryStream())
                {
                    machine.SaveSnapshot(again);
                    CollectionAssert.AreEqual(snapshot, again.ToArray(), $"{what}: save after restore differs from the snapshot");
                }
                restored = Finish(machine, serial, guest.MaxInstructions);
            }
            TestContext.WriteLine($"{what}: {snapshot.Length} bytes; {original.Exit.Reason} after {original.Instructions} instructions, {original.Cycles} cycles");
            Assert.AreEqual(guest.Reason, original.Exit.Reason, $"{what}: {original.Exit.Message}");
            Assert.AreEqual(original.Exit.Reason, restored.Exit.Reason, $"{what}: stop reason ({restored.Exit.Message})");
            CollectionAssert.AreEqual(original.Output[prefix..], restored.Output,
                $"{what}: output after the snapshot\n--- original:\n{System.Text.Encoding.ASCII.GetString(original.Output[prefix..])}\n--- restored:\n{System.Text.Encoding.ASCII.GetString(restored.Output)}");
            Assert.AreEqual(original.Instructions, restored.Instructions, $"{what}: instructions");
            Assert.AreEqual(original.Cycles, restored.Cycles, $"{what}: cycles");
            CollectionAssert.AreEqual(original.Registers, restored.Registers, $"{what}: registers");
        }
    }
}
