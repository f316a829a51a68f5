namespace ArmVirt.Core.Tests;

[TestClass]
public sealed class VirtualClockTests
{
    [TestMethod]
    public void EventsRunInDeadlineThenSchedulingOrder()
    {
        var clock = new VirtualClock();
        var order = new List<string>();
        clock.Schedule(20, () => order.Add("b"));
        clock.Schedule(10, () => order.Add("a"));
        clock.Schedule(20, () => order.Add("c"));
        Assert.AreEqual(10UL, clock.NextDeadline);
        clock.AdvanceTo(15);
        CollectionAssert.AreEqual(new[] { "a" }, order);
        clock.AdvanceTo(20);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, order);
        Assert.AreEqual(ulong.MaxValue, clock.NextDeadline);
    }

    [TestMethod]
    public void CancelledAndRescheduledEventsFireOnceAtTheirLatestDeadline()
    {
        var clock = new VirtualClock();
        int fired = 0;
        var e = clock.Schedule(10, () => fired++);
        clock.Reschedule(e, 30);
        clock.AdvanceTo(20);
        Assert.AreEqual(0, fired);
        Assert.AreEqual(30UL, clock.NextDeadline);
        clock.AdvanceTo(30);
        Assert.AreEqual(1, fired);
        var f = clock.Schedule(40, () => fired++);
        f.Cancel();
        clock.AdvanceTo(50);
        Assert.AreEqual(1, fired);
    }

    [TestMethod]
    public void TimeNeverGoesBackwards()
    {
        var clock = new VirtualClock();
        clock.AdvanceTo(100);
        clock.AdvanceTo(50);
        Assert.AreEqual(100UL, clock.Now);
        Assert.AreEqual(1_000UL, new VirtualClock(1_000_000_000).NanosecondsToCycles(1_000));
    }

    [TestMethod]
    public void InterruptLineReportsOnlyChanges()
    {
        var line = new InterruptLine("x");
        var seen = new List<bool>();
        line.Changed += seen.Add;
        line.Set(true);
        line.Set(true);
        line.Set(false);
        line.Pulse();
        CollectionAssert.AreEqual(new[] { true, false, true, false }, seen);
    }
}
