using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Devices.Virtio;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Machine.SaveSnapshot / RestoreSnapshot as an interface: the header and configuration checks, the disk-size check,
/// and a snapshot treated as hostile input (every truncation and many corruptions end in one SnapshotFormatException,
/// never another exception). Restored runs of real guests are compared in ArmVirt.Guests.Tests SnapshotGuestTests.
/// </summary>
[TestClass]
public sealed class SnapshotTests
{
    // A loop that stores an incrementing counter to RAM and reads CNTVCT_EL0: x1 = 0x4010_0000; loop: add x0, x0, #1;
    // str x0, [x1]; mrs x2, cntvct_el0; b loop.
    private static readonly uint[] Loop = [0xD2A80201, 0x91000400, 0xF9000020, 0xD53BE042, 0x17FFFFFD];

    private static byte[] Image()
    {
        var image = new byte[4 * Loop.Length];
        Buffer.BlockCopy(Loop, 0, image, 0, image.Length);
        return image;
    }

    private static Machine Build(int cpus = 1, ulong memory = 64UL << 20, long disk = 1 << 20) =>
        new MachineBuilder().WithMemory(memory).WithCpus(cpus).WithHighestEl(2).WithKernel(Image(), "loop.bin")
            .WithBlockDevice(new MemoryBlockBackend(disk)).WithRng(7).Build();

    private static byte[] Snapshot(Machine m)
    {
        using var s = new MemoryStream();
        m.SaveSnapshot(s);
        return s.ToArray();
    }

    private static byte[] SavedAfter(ulong instructions)
    {
        using var m = Build();
        m.Run(instructions);
        return Snapshot(m);
    }

    private static string Refused(byte[] snapshot, Func<Machine>? build = null)
    {
        using var m = (build ?? (() => Build()))();
        var e = Assert.ThrowsExactly<SnapshotFormatException>(() => m.RestoreSnapshot(new MemoryStream(snapshot)));
        StringAssert.DoesNotMatch(e.Message, new System.Text.RegularExpressions.Regex("\n"), "one line");
        return e.Message;
    }

    [TestMethod]
    public void ARestoredMachineHasTheSavedStateAndRamIsSparse()
    {
        byte[] snapshot = SavedAfter(100_001);
        Assert.IsLessThan(16 * 1024, snapshot.Length, "64 MiB of RAM, almost all zero, compresses to a few KiB");
        using var m = Build();
        m.RestoreSnapshot(new MemoryStream(snapshot));
        Assert.AreEqual(100_001UL, m.InstructionsExecuted);
        Assert.AreEqual(m.Cpu.State.X[0], BitConverter.ToUInt64(TestImages.ReadRam(m, 0x4010_0000, 8)), "the stored counter");
        Assert.AreNotEqual(0UL, m.Cpu.State.X[0]);
        CollectionAssert.AreEqual(snapshot, Snapshot(m));
    }

    [TestMethod]
    public void RestoringIntoAMachineThatRanZeroesThePagesTheSnapshotDoesNotHold()
    {
        byte[] early = SavedAfter(11);
        using var m = Build();
        m.Run(1000);
        m.WritePhysical(0x4100_0000, [1, 2, 3]);
        m.RestoreSnapshot(new MemoryStream(early));
        CollectionAssert.AreEqual(new byte[3], TestImages.ReadRam(m, 0x4100_0000, 3));
        CollectionAssert.AreEqual(early, Snapshot(m));
    }

    [TestMethod]
    public void AnotherConfigurationIsRefusedNamingTheDifference()
    {
        byte[] snapshot = SavedAfter(1000);
        StringAssert.Contains(Refused(snapshot, () => Build(cpus: 2)), "smp=1");
        StringAssert.Contains(Refused(snapshot, () => Build(memory: 128UL << 20)), "ram=0x40000000+0x4000000");
        StringAssert.Contains(Refused(snapshot, () => new MachineBuilder().WithKernel(Image(), "loop.bin").Build()), "el=2");
    }

    [TestMethod]
    public void ADiskThatChangedSizeIsRefused()
    {
        byte[] snapshot = SavedAfter(1000);
        StringAssert.Contains(Refused(snapshot, () => Build(disk: 2 << 20)), "the disk changed size");
    }

    [TestMethod]
    public void NotASnapshotOrAnotherVersionIsRefused()
    {
        StringAssert.Contains(Refused("not a snapshot at all"u8.ToArray()), "not an ArmVirt snapshot");
        byte[] snapshot = SavedAfter(1000);
        snapshot[8] = 99;
        StringAssert.Contains(Refused(snapshot), "format version 99");
    }

    [TestMethod]
    public void EveryTruncationIsRefused()
    {
        byte[] snapshot = SavedAfter(5000);
        for (int length = 0; length < snapshot.Length; length += Math.Max(1, length / 16))
        {
            string why = Refused(snapshot[..length]);
            Assert.IsTrue(why.Contains("truncated") || why.Contains("corrupt") || why.Contains("not an ArmVirt"), $"{length}: {why}");
        }
    }

    [TestMethod]
    public void CorruptBytesAreRefusedOrChangeNothing()
    {
        byte[] snapshot = SavedAfter(5000);
        var random = new Random(17);
        for (int i = 0; i < 300; i++)
        {
            byte[] bad = (byte[])snapshot.Clone();
            int at = random.Next(bad.Length);
            bad[at] ^= (byte)(1 << random.Next(8));
            using var m = Build();
            try
            {
                m.RestoreSnapshot(new MemoryStream(bad));
                // Accepted only when the flipped bit did not change what was stored (a deflate encoding detail, such
                // as the code length of a symbol never used): the state read back is the state saved.
                CollectionAssert.AreEqual(snapshot, Snapshot(m), $"byte {at} (0x{snapshot[at]:x2} -> 0x{bad[at]:x2}) changed the state undetected");
            }
            catch (SnapshotFormatException)
            {
                // whatever the reason, one SnapshotFormatException
            }
        }
    }

    [TestMethod]
    public void ACustomDeviceWithoutSnapshotStateCannotBeSaved()
    {
        using var m = new MachineBuilder().WithKernel(Image(), "loop.bin")
            .WithDevice(0x0c00_0000, 0x1000, new NoState(), "acme,widget").Build();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => m.SaveSnapshot(new MemoryStream()));
        StringAssert.Contains(e.Message, "NoState");
    }

    private sealed class NoState : IMmioDevice
    {
        public bool TryRead(ulong offset, int size, out ulong value)
        {
            value = 0;
            return true;
        }

        public bool TryWrite(ulong offset, int size, ulong value) => true;
    }
}
