namespace ArmVirt.Core.Tests;

/// <summary>
/// The virtual clock's part of a snapshot: time, and each event re-armed by its owner with its deadline and its place
/// among events due at the same time, so the restored clock fires them in the order the saved one would have.
/// </summary>
[TestClass]
public sealed class VirtualClockSnapshotTests
{
    [TestMethod]
    public void RestoredEventsFireInTheSavedOrder()
    {
        var fired = new List<string>();
        var clock = new VirtualClock();
        var a = clock.Schedule(100, () => fired.Add("a"));
        var b = clock.Schedule(100, () => fired.Add("b"));
        var c = clock.Schedule(50, () => fired.Add("c"));
        clock.Reschedule(a, 100); // still due first among the two at 100: its earlier queue entry fires it
        clock.Reschedule(c, 100); // now due after a and b
        var cancelled = clock.Schedule(70, () => fired.Add("never"));
        cancelled.Cancel();
        clock.AdvanceTo(10);

        var stream = new MemoryStream();
        var w = new SnapshotWriter(stream);
        clock.SaveState(w);
        foreach (var e in new[] { c, b, a, cancelled }) w.Write(e); // owners save in any order
        Assert.AreEqual(clock.ArmedEventCount, w.EventsWritten);

        var restoredFired = new List<string>();
        var restored = new VirtualClock();
        restored.Schedule(5, () => restoredFired.Add("stale")); // dropped by RestoreState
        stream.Position = 0;
        var r = new SnapshotReader(stream);
        restored.RestoreState(r);
        foreach (string name in new[] { "c", "b", "a", "never" })
            r.ReadEvent(restored, null, () => restoredFired.Add(name));
        Assert.AreEqual(10UL, restored.Now);

        clock.AdvanceTo(200);
        restored.AdvanceTo(200);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, fired);
        CollectionAssert.AreEqual(fired, restoredFired);
    }

    [TestMethod]
    public void AnEventBeyondTheClocksSequenceIsCorrupt()
    {
        var stream = new MemoryStream();
        var w = new SnapshotWriter(stream);
        new VirtualClock().SaveState(w);
        w.Write(true);
        w.Write(5UL);
        w.Write(99UL); // a sequence the clock never handed out
        stream.Position = 0;
        var r = new SnapshotReader(stream);
        var clock = new VirtualClock();
        clock.RestoreState(r);
        Assert.ThrowsExactly<SnapshotFormatException>(() => r.ReadEvent(clock, null, () => { }));
    }
}
