using System.Text;
using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// virtio_dma.elf: virtio-blk reads a sector over a function the guest has called 100,000 times, with no
/// instruction-cache maintenance afterwards; the next calls must run the new code. Under the JIT this holds only
/// because the virtqueue reports the device's writes (PhysicalBus.NotifyRamWritten) and the translation cache drops
/// the overwritten page. Expected output recorded from QEMU (tests/guests/record-expected.sh, same disk image).
/// </summary>
[TestClass]
public sealed class VirtioDmaGuestTests
{
    private static string Bin(string file) => Path.Combine(GuestCase.GuestsDirectory, "bin", file);

    private static (string Output, MachineExit Exit, ArmVirt.Machine.Machine Machine) Run(ExecutionEngine engine)
    {
        var serial = new MemoryStream();
        var machine = new MachineBuilder()
            .WithKernel(Bin("virtio_dma.elf"))
            .WithEngine(engine)
            .WithBlockDevice(Bin("virtio_dma.img"), snapshot: true)
            .WithSerial(serial)
            .Build();
        // Compile every block on first entry, on this thread: the function is translated before the DMA, every run.
        machine.Cpu.JitThreshold = 0;
        machine.Cpu.JitBackgroundCompilation = false;
        var exit = machine.Run(GuestCase.DefaultMaxInstructions * 4);
        return (Encoding.ASCII.GetString(serial.ToArray()), exit, machine);
    }

    [TestMethod]
    [DataRow(ExecutionEngine.Jit)]
    [DataRow(ExecutionEngine.Interpreter)]
    public void DeviceWritesReplaceTranslatedCode(ExecutionEngine engine)
    {
        string expected = File.ReadAllText(Path.Combine(GuestCase.GuestsDirectory, "expected", "virtio_dma.txt"));
        var (output, exit, machine) = Run(engine);
        using (machine)
        {
            Assert.AreEqual(StopReason.PowerOff, exit.Reason, exit.Message + "\n" + output);
            Assert.AreEqual(expected, output);
            if (engine == ExecutionEngine.Jit)
            {
                var cache = machine.Cpu.Translations;
                Assert.IsNotNull(cache);
                Assert.IsGreaterThan(0L, cache.BlocksCompiled, "the loop was translated");
                Assert.IsGreaterThan(0L, cache.BlocksInvalidated, "the DMA dropped translated code");
            }
        }
    }
}
