using ArmVirt.Core;

namespace ArmVirt.Timer.Tests;

[TestClass]
public sealed class GenericTimerTests
{
    private ulong _cycles;
    private VirtualClock _clock = null!;
    private GenericTimer _timer = null!;

    [TestInitialize]
    public void Setup()
    {
        _cycles = 0;
        _clock = new VirtualClock();
        _timer = new GenericTimer(new SystemCounter(), _clock, () => _cycles);
    }

    private void AdvanceTo(ulong cycles)
    {
        _cycles = cycles;
        _clock.AdvanceTo(cycles);
    }

    [TestMethod]
    public void CounterTicksEverySixteenCyclesAtDefaults()
    {
        var c = new SystemCounter();
        Assert.AreEqual(0UL, c.CountAt(15));
        Assert.AreEqual(1UL, c.CountAt(16));
        Assert.AreEqual(62_500_000UL, c.CountAt(1_000_000_000));
        Assert.AreEqual(16UL, c.FirstCycleAtCount(1));
        Assert.AreEqual(17UL, new SystemCounter(1_000_000_000, 60_000_000).FirstCycleAtCount(1));
    }

    [TestMethod]
    public void ResetState()
    {
        Assert.AreEqual(62_500_000UL, _timer.Frequency);
        Assert.AreEqual(0UL, _timer.Physical.Control);
        Assert.AreEqual(0b11UL, _timer.HypervisorControl);
        Assert.IsFalse(_timer.Virtual.Output.IsAsserted);
    }

    [TestMethod]
    public void FiresAtCompareValueExactly()
    {
        _timer.Physical.CompareValue = 100; // count 100 = cycle 1600
        _timer.Physical.Control = 1;
        Assert.AreEqual(1600UL, _clock.NextDeadline);
        AdvanceTo(1599);
        Assert.IsFalse(_timer.Physical.Output.IsAsserted);
        Assert.AreEqual(0UL, _timer.Physical.Control & 4);
        AdvanceTo(1600);
        Assert.IsTrue(_timer.Physical.Output.IsAsserted);
        Assert.AreEqual(5UL, _timer.Physical.Control, "ENABLE and ISTATUS");
    }

    [TestMethod]
    public void ImaskHidesOutputButNotIstatus()
    {
        _timer.Virtual.CompareValue = 0;
        _timer.Virtual.Control = 1 | 2;
        Assert.AreEqual(7UL, _timer.Virtual.Control);
        Assert.IsFalse(_timer.Virtual.Output.IsAsserted);
        _timer.Virtual.Control = 1;
        Assert.IsTrue(_timer.Virtual.Output.IsAsserted);
        _timer.Virtual.Control = 0;
        Assert.IsFalse(_timer.Virtual.Output.IsAsserted);
        Assert.AreEqual(0UL, _timer.Virtual.Control, "ISTATUS reads 0 while disabled");
    }

    [TestMethod]
    public void TvalIsSignedDistanceToCval()
    {
        AdvanceTo(16 * 1000);
        _timer.Physical.TimerValue = 50;
        Assert.AreEqual(1050UL, _timer.Physical.CompareValue);
        AdvanceTo(16 * 1060);
        Assert.AreEqual(unchecked((ulong)(uint)-10), _timer.Physical.TimerValue);
        _timer.Physical.TimerValue = 0xFFFF_FFF6; // -10
        Assert.AreEqual(1050UL, _timer.Physical.CompareValue);
    }

    [TestMethod]
    public void VirtualOffsetShiftsVirtualCountAndDeadline()
    {
        AdvanceTo(16 * 500);
        _timer.VirtualOffset = 200;
        Assert.AreEqual(300UL, _timer.VirtualCount);
        _timer.Virtual.CompareValue = 400;   // physical count 600
        _timer.Virtual.Control = 1;
        Assert.AreEqual(16UL * 600, _clock.NextDeadline);
        _timer.VirtualOffset = 100;            // now physical 500 needed: already met
        Assert.IsTrue(_timer.Virtual.Output.IsAsserted);
        _timer.VirtualOffset = 300;
        Assert.IsFalse(_timer.Virtual.Output.IsAsserted);
        AdvanceTo(16 * 700);
        Assert.IsTrue(_timer.Virtual.Output.IsAsserted);
    }

    [TestMethod]
    public void ReprogrammingCancelsTheOldDeadline()
    {
        _timer.HypervisorPhysical.CompareValue = 10;
        _timer.HypervisorPhysical.Control = 1;
        _timer.HypervisorPhysical.CompareValue = 1000;
        AdvanceTo(16 * 10);
        Assert.IsFalse(_timer.HypervisorPhysical.Output.IsAsserted);
        Assert.AreEqual(16UL * 1000, _clock.NextDeadline);
        _timer.HypervisorPhysical.Control = 0;
        AdvanceTo(16 * 2000);
        Assert.IsFalse(_timer.HypervisorPhysical.Output.IsAsserted);
    }

    [TestMethod]
    public void SameSequenceGivesSameTimeline()
    {
        static List<ulong> Run()
        {
            ulong cycles = 0;
            var clock = new VirtualClock();
            var t = new GenericTimer(new SystemCounter(), clock, () => cycles);
            var fired = new List<ulong>();
            t.Physical.Output.Changed += level => { if (level) fired.Add(cycles); };
            for (int i = 1; i <= 5; i++)
            {
                t.Physical.Control = 0;
                t.Physical.TimerValue = (ulong)(i * 37);
                t.Physical.Control = 1;
                cycles = clock.NextDeadline;
                clock.AdvanceTo(cycles);
            }
            return fired;
        }
        CollectionAssert.AreEqual(Run(), Run());
        Assert.AreEqual(5, Run().Count);
    }

    [TestMethod]
    public void EventStreamFiresOnTheSelectedBitTransition()
    {
        var ticks = new List<ulong>();
        _timer.EventStreamTick = () => ticks.Add(_timer.PhysicalCount);
        _timer.HypervisorControl = 0b11 | 4 | (2UL << 4); // EVNTEN, EVNTI = 2, rising edge: counts 4, 12, 20...
        for (ulong c = 1; c <= 24; c++) AdvanceTo(16 * c);
        CollectionAssert.AreEqual(new ulong[] { 4, 12, 20 }, ticks);
        ticks.Clear();
        _timer.HypervisorControl = 0b11 | 4 | 8 | (2UL << 4); // falling edge: counts 32, 40...
        for (ulong c = 25; c <= 40; c++) AdvanceTo(16 * c);
        CollectionAssert.AreEqual(new ulong[] { 32, 40 }, ticks);
        _timer.HypervisorControl = 0b11;
        ticks.Clear();
        AdvanceTo(16 * 100);
        Assert.AreEqual(0, ticks.Count, "EVNTEN clear stops the stream");
    }

    [TestMethod]
    public void KernelEventStreamFollowsTheVirtualCounter()
    {
        var ticks = new List<ulong>();
        _timer.EventStreamTick = () => ticks.Add(_timer.VirtualCount);
        AdvanceTo(16 * 10);
        _timer.VirtualOffset = 3;              // virtual count 7
        _timer.KernelControl = 4 | (1UL << 4); // EVNTEN, EVNTI = 1, rising: virtual counts 10, 14, 18
        for (ulong c = 11; c <= 22; c++) AdvanceTo(16 * c);
        CollectionAssert.AreEqual(new ulong[] { 10, 14, 18 }, ticks);
    }
}
