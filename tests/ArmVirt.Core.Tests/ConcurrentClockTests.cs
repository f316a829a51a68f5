namespace ArmVirt.Core.Tests;

/// <summary>
/// A clock made for parallel SMP (<see cref="VirtualClock.Concurrent"/>): CPUs on several host threads schedule and move
/// events at once (timer register writes, device accesses); no event may be lost or fire twice, and they fire in
/// deadline order when the machine advances the clock between turns. Also a bus with
/// <see cref="PhysicalBus.ConcurrentMmio"/>: a device's accesses from several threads never overlap.
/// </summary>
[TestClass]
public sealed class ConcurrentClockTests
{
    [TestMethod]
    public void EventsScheduledFromFourThreadsAllFireOnceInDeadlineOrder()
    {
        const int Threads = 4, PerThread = 20_000;
        var clock = new VirtualClock { Concurrent = true };
        var fired = new List<ulong>();
        var moved = new ScheduledEvent[Threads];
        int firedMoved = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var random = new Random(t);
            // Each thread also keeps moving one event of its own, as a CPU re-arms its timer.
            moved[t] = clock.Schedule(ulong.MaxValue - 1, () => Interlocked.Increment(ref firedMoved));
            for (int i = 0; i < PerThread; i++)
            {
                ulong deadline = (ulong)random.Next(1, 1_000_000);
                clock.Schedule(deadline, () => fired.Add(deadline)); // (callbacks run on the advancing thread only)
                if (i % 7 == 0) clock.Reschedule(moved[t], (ulong)random.Next(1_000_000, 2_000_000));
                _ = clock.NextDeadline;
            }
        });
        Assert.IsTrue(clock.NextDeadline >= 1 && clock.NextDeadline < 1_000_000);
        clock.AdvanceTo(3_000_000);
        Assert.AreEqual(Threads * PerThread, fired.Count, "every event fired once");
        for (int i = 1; i < fired.Count; i++) Assert.IsTrue(fired[i - 1] <= fired[i], $"out of order at {i}");
        Assert.AreEqual(Threads, firedMoved, "each moved event fired once, at its last deadline");
        Assert.AreEqual(ulong.MaxValue, clock.PendingDeadline);
    }

    private sealed class OverlapDetector : IMmioDevice
    {
        private int _inside;
        public int Overlaps;
        public long Accesses;

        private void Access()
        {
            if (Interlocked.Increment(ref _inside) != 1) Interlocked.Increment(ref Overlaps);
            Thread.SpinWait(20);
            Accesses++; // not atomic: counts right only if accesses never overlap
            Interlocked.Decrement(ref _inside);
        }

        public bool TryRead(ulong offset, int size, out ulong value)
        {
            Access();
            value = 0;
            return true;
        }

        public bool TryWrite(ulong offset, int size, ulong value)
        {
            Access();
            return true;
        }
    }

    [TestMethod]
    public void AConcurrentBusSerializesEachDevicesAccesses()
    {
        const int Threads = 4, PerThread = 5_000;
        using var bus = new PhysicalBus { ConcurrentMmio = true };
        var device = new OverlapDetector();
        bus.AddMmio(0x0900_0000, 0x1000, device, "probe");
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                if ((i & 1) == 0) bus.TryWrite(0x0900_0000, 4, 1);
                else bus.TryRead(0x0900_0004, 4, out _);
            }
        });
        Assert.AreEqual(0, device.Overlaps);
        Assert.AreEqual(Threads * PerThread, device.Accesses);
    }
}
