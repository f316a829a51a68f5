using ArmVirt.Devices.Virtio;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// What <see cref="Machine.Reset"/> keeps, as QEMU's system_reset keeps it (docs/api.md "Reset"): the PL031 has no reset
/// handler in QEMU, so its match and mask registers, a raised alarm and its count survive; virtio-rng's entropy source
/// is not reset (QEMU's rng back ends are not), so the bytes after a reset continue the stream.
/// </summary>
[TestClass]
public sealed class MachineResetTests
{
    // b . : the guest spins; the test drives the devices from the host side of the bus.
    private static readonly byte[] Spin = [0x00, 0x00, 0x00, 0x14];

    // wfi; b .-4 : the guest sleeps (interrupts masked, the GIC off), so virtual time skips to the next device event.
    private static readonly byte[] Sleep = [0x7f, 0x20, 0x03, 0xd5, 0xff, 0xff, 0xff, 0x17];

    private static uint Rtc(Machine m, ulong offset)
    {
        Assert.IsTrue(m.Bus.TryRead(VirtMemoryMap.Pl031Base + offset, 4, out ulong v));
        return (uint)v;
    }

    [TestMethod]
    public void ResetKeepsThePl031AsQemuDoes()
    {
        using var machine = new MachineBuilder().WithKernel(Sleep, "sleep.bin").Build();
        uint now = Rtc(machine, 0x000);
        Assert.IsTrue(machine.Bus.TryWrite(VirtMemoryMap.Pl031Base + 0x004, 4, now + 1)); // RTCMR: the next second
        Assert.IsTrue(machine.Bus.TryWrite(VirtMemoryMap.Pl031Base + 0x010, 4, 1));       // RTCIMSC: unmasked
        machine.Run(1000); // asleep until the alarm, which nothing takes
        Assert.AreEqual(1u, Rtc(machine, 0x018), "RTCMIS: the alarm is raised");
        machine.Reset();
        Assert.AreEqual((now + 1, 1u, 1u, 1u), (Rtc(machine, 0x004), Rtc(machine, 0x010), Rtc(machine, 0x014), Rtc(machine, 0x018)),
            "RTCMR, RTCIMSC, RTCRIS and RTCMIS survive the reset");
        Assert.IsGreaterThanOrEqualTo(now + 1, Rtc(machine, 0x000), "the count goes on");
    }

    [TestMethod]
    public void ResetLeavesTheEntropyStreamWhereItWas()
    {
        var source = new DeterministicEntropySource(7);
        using var machine = new MachineBuilder().WithKernel(Spin, "spin.bin").WithRng(source).Build();
        var before = new byte[16];
        source.Fill(before);
        machine.Reset();
        var after = new byte[16];
        source.Fill(after);
        var expected = new byte[32];
        new DeterministicEntropySource(7).Fill(expected);
        CollectionAssert.AreEqual(expected[..16], before);
        CollectionAssert.AreEqual(expected[16..], after, "the bytes after the reset continue the stream");
    }
}
