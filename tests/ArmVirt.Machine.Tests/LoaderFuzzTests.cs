using System.IO.Compression;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Firmware;
using ArmVirt.Machine.DeviceTree;
using ArmVirt.Tests.Fuzzing;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Seeded mutation fuzzing of what a user hands the machine (#22): ELF, arm64 Image and gzip kernels and device tree
/// blobs, from the committed seed corpus in corpus/ (<see cref="SeededFuzzer"/>), through the <see cref="LoaderTargets"/>
/// (<see cref="MachineBuilder"/>, <see cref="FdtReader"/>/<see cref="FdtWriter"/>) and a user's --dtb file. The only
/// exception allowed is the documented one (<see cref="MachineConfigurationException"/>; <see cref="FormatException"/>
/// from the FDT reader), which the targets count as a refusal.
/// </summary>
[TestClass]
public sealed class LoaderFuzzTests
{
    private static readonly int Iterations = SeededFuzzer.Iterations(3000);

    [TestMethod]
    public void MutatedElfKernelsAreConfigurationErrorsOrBoot() => SeededFuzzer.Run("elf", Iterations, input => LoaderTargets.Elf(input));

    [TestMethod]
    public void MutatedImageKernelsAreConfigurationErrorsOrBoot() => SeededFuzzer.Run("image", Iterations, input => LoaderTargets.Image(input));

    [TestMethod]
    public void MutatedGzipKernelsAreConfigurationErrorsOrBoot() => SeededFuzzer.Run("gzip", Iterations, input => LoaderTargets.Gzip(input));

    [TestMethod]
    public void MutatedDeviceTreesAreFormatErrorsOrRoundTrip() => SeededFuzzer.Run("fdt", Iterations * 15, input => LoaderTargets.Fdt(input));

    [TestMethod]
    public void MutatedDeviceTreesAsDtbOptionAreConfigurationErrorsOrBoot()
    {
        using var file = new TempFile([]);
        SeededFuzzer.Run("fdt", Iterations / 5, input =>
        {
            File.WriteAllBytes(file.Path, input);
            try
            {
                using var m = new MachineBuilder().WithMemory(LoaderTargets.Ram).WithDtb(file.Path).WithKernel(Pattern(0x100, 1), "raw.bin").Build();
                return true;
            }
            catch (MachineConfigurationException)
            {
                return false;
            }
        });
    }

    private static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    // The committed seeds, as generated; ARMVIRT_FUZZ_WRITE_CORPUS=<tests/ArmVirt.Machine.Tests/corpus> rewrites them.
    private static IEnumerable<(string Target, string Name, byte[] Data)> GeneratedSeeds()
    {
        yield return ("elf", "two-segments-bss.elf", Elf(0x4008_0010,
        [
            new(0x4008_0000, 0x4008_0000, Pattern(0x100, 1), 0x100),
            new(0x4009_0000, 0x4009_0000, Pattern(0x40, 9), 0x1000, Flags: 6),
        ]));
        yield return ("elf", "virtual-at-physical-elsewhere.elf", Elf(0xFFFF_0000_0008_0000,
            [new(0xFFFF_0000_0008_0000, 0x4010_0000, Pattern(0x80, 5), 0x2000)]));
        byte[] image = LinuxImage(0x8_0000, 0x2000, Pattern(0x400, 2));
        yield return ("image", "text-offset-80000.Image", image);
        yield return ("image", "text-offset-0.Image", LinuxImage(0, 0x1000, Pattern(0x200, 4)));
        yield return ("gzip", "Image.gz", Gzip(image));
        yield return ("fdt", "virt.dtb", FdtWriter.Write(VirtDeviceTree.Build(CpuModel.CortexA57, 128UL << 20, FirmwareConduit.Hvc,
            "console=ttyAMA0", (0x4800_0000, 0x4810_0000))));
    }

    [TestMethod]
    public void TheCommittedSeedsAreValidInputs()
    {
        string? write = Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_WRITE_CORPUS");
        foreach (var (target, name, data) in write == null ? [] : GeneratedSeeds())
        {
            Directory.CreateDirectory(Path.Combine(write!, target));
            File.WriteAllBytes(Path.Combine(write!, target, name), data);
        }
        foreach (var (target, name, data) in GeneratedSeeds())
        {
            CollectionAssert.AreEqual(data, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "corpus", target, name)), $"{target}/{name}");
        }
        // Each seed is accepted as it is: mutations start from inputs that load.
        foreach (var seed in SeededFuzzer.Corpus("elf")) Assert.IsTrue(LoaderTargets.Elf(seed));
        foreach (var seed in SeededFuzzer.Corpus("image")) Assert.IsTrue(LoaderTargets.Image(seed));
        foreach (var seed in SeededFuzzer.Corpus("gzip")) Assert.IsTrue(LoaderTargets.Gzip(seed));
        foreach (var seed in SeededFuzzer.Corpus("fdt")) Assert.IsTrue(LoaderTargets.Fdt(seed));
    }
}
