using ArmVirt.Cpu;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// The machine's thread safety for parallel SMP (<see cref="SmpMode.Parallel"/>) under host threads, without a guest:
/// the GIC's system registers, redistributors and distributor under one lock (four threads, each acting as one CPU,
/// send SGIs round a ring and acknowledge their own through ICC_IAR1_EL1/ICC_EOIR1_EL1 when their IRQ input is asserted:
/// not one may be lost, nor an IRQ output left low with an SGI pending), and the
/// configuration errors of the mode.
/// </summary>
[TestClass]
public sealed class ParallelSmpMachineTests
{
    private const ulong GicdBase = 0x0800_0000, GicrBase = 0x080A_0000;

    private static Machine Build(SmpMode mode, int cpus = 4) =>
        new MachineBuilder().WithCpus(cpus).WithSmpMode(mode).WithGicVersion(3).WithEngine(ExecutionEngine.Interpreter)
            .WithKernel(new byte[16], "raw").Build();

    [TestMethod]
    public void SgisSentRoundARingByFourThreadsAreAllAcknowledged()
    {
        const int Cpus = 4, Rounds = 1_000;
        using var m = Build(SmpMode.Parallel, Cpus);
        Assert.IsTrue(m.Bus.TryWrite(GicdBase, 4, 0x12)); // GICD_CTLR: EnableGrp1NS, ARE_NS
        for (int i = 0; i < Cpus; i++)
        {
            ulong rd = GicrBase + (ulong)i * 0x2_0000;
            Assert.IsTrue(m.Bus.TryWrite(rd + 0x14, 4, 0));                 // GICR_WAKER: awake
            Assert.IsTrue(m.Bus.TryWrite(rd + 0x1_0080, 4, 0xFFFF_FFFF));  // GICR_IGROUPR0: Group 1
            Assert.IsTrue(m.Bus.TryWrite(rd + 0x1_0100, 4, 0x2));          // GICR_ISENABLER0: SGI 1
            Write(m.Cpus[i], "ICC_PMR_EL1", 0xF0);
            Write(m.Cpus[i], "ICC_IGRPEN1_EL1", 1);
        }
        var received = new long[Cpus];
        var failure = new string?[Cpus];
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var threads = Enumerable.Range(0, Cpus).Select(i => new Thread(() =>
        {
            var cpu = m.Cpus[i];
            int next = (i + 1) % Cpus;
            for (long sent = 1; sent <= Rounds; sent++)
            {
                Write(cpu, "ICC_SGI1R_EL1", (1UL << 24) | (1UL << next)); // SGI 1 to the next CPU (Aff0 target list)
                // Wait until the next CPU has taken it (only this CPU sends to it), acknowledging this CPU's own meanwhile.
                while (Volatile.Read(ref received[next]) < sent)
                {
                    Acknowledge(cpu, received, i);
                    if (DateTime.UtcNow > deadline)
                    {
                        failure[i] = $"cpu{i}: SGI {sent} to cpu{next} never arrived (it took {Volatile.Read(ref received[next])})";
                        return;
                    }
                }
            }
            while (Volatile.Read(ref received[i]) < Rounds && DateTime.UtcNow < deadline) Acknowledge(cpu, received, i);
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.AreEqual("", string.Join("; ", failure.Where(f => f != null)));
        CollectionAssert.AreEqual(Enumerable.Repeat((long)Rounds, Cpus).ToArray(), received);
        foreach (var c in m.Cpus)
        {
            Assert.AreEqual(1023UL, c.SystemRegisters.Find("ICC_IAR1_EL1")!.Read!(c), "nothing left pending");
            Assert.IsFalse(c.Irq.IsAsserted);
        }
    }

    private static void Acknowledge(CpuCore cpu, long[] received, int i)
    {
        if (!cpu.Irq.IsAsserted) return; // as a CPU, which takes the interrupt only when its IRQ input is asserted
        ulong iar = cpu.SystemRegisters.Find("ICC_IAR1_EL1")!.Read!(cpu);
        if (iar == 1023) return;
        Write(cpu, "ICC_EOIR1_EL1", iar);
        if (iar == 1) Interlocked.Increment(ref received[i]); // (anything else is counted nowhere, so the test fails)
    }

    private static void Write(CpuCore cpu, string name, ulong value) => cpu.SystemRegisters.Find(name)!.Write!(cpu, value);

    [TestMethod]
    public void ParallelModeIsReportedAndSharedStateIsMadeSafe()
    {
        using var m = Build(SmpMode.Parallel, 2);
        Assert.AreEqual(SmpMode.Parallel, m.SmpMode);
        Assert.IsTrue(m.Clock.Concurrent);
        Assert.IsTrue(m.Bus.ConcurrentMmio);
        Assert.IsTrue(m.Cpus[0].Domain!.Parallel);
        Assert.IsTrue(m.Bus.Mmio.All(r => r.SyncRoot != null));
        Assert.AreSame(m.Gic, m.Bus.Mmio.Single(r => r.Name == "gicd").SyncRoot, "the GIC's windows share its lock");
        using var d = Build(SmpMode.Deterministic, 2);
        Assert.AreEqual(SmpMode.Deterministic, d.SmpMode);
        Assert.IsFalse(d.Clock.Concurrent);
        Assert.IsTrue(d.Bus.Mmio.All(r => r.SyncRoot == null), "no locks in deterministic mode");
        Assert.IsFalse(d.Cpus[0].Domain!.Parallel);
    }

    [TestMethod]
    public void AnUnknownModeIsAConfigurationError()
    {
        Assert.AreEqual("SMP mode 7: must be deterministic or parallel",
            TestImages.Fails(b => b.WithCpus(2).WithSmpMode((SmpMode)7).WithKernel(new byte[16], "raw")));
    }
}
