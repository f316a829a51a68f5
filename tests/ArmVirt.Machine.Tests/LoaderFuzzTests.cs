using System.IO.Compression;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Firmware;
using ArmVirt.Machine.DeviceTree;
using static ArmVirt.Machine.Tests.TestImages;

namespace ArmVirt.Machine.Tests;

/// <summary>
/// Seeded mutation fuzzing of what a user hands the machine (#22): ELF, arm64 Image, gzip and raw kernels, device tree
/// blobs and initrds, each mutated (bit flips, boundary values written over header fields, truncation, insertion) from a
/// small valid seed and fed to <see cref="MachineBuilder"/> and <see cref="FdtReader"/>. The only exception allowed is the
/// documented one (<see cref="MachineConfigurationException"/>; <see cref="FormatException"/> from the FDT reader).
/// Deterministic: ARMVIRT_FUZZ_SEED and ARMVIRT_FUZZ_ITERATIONS pick another seed or more iterations when hunting.
/// </summary>
[TestClass]
public sealed class LoaderFuzzTests
{
    private static readonly int Seed = int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_SEED") ?? "20261207");
    private static readonly int Iterations = int.Parse(Environment.GetEnvironmentVariable("ARMVIRT_FUZZ_ITERATIONS") ?? "1500");
    private const ulong Ram = 16UL << 20;

    private static readonly ulong[] Boundaries =
    [
        0, 1, 0x7F, 0x80, 0xFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF,
        0x8000_0000_0000_0000, ulong.MaxValue, 0x4000_0000, 0x4008_0000, 0x4800_0000, 0x20_0000, 0x1000, 56, 64,
    ];

    // One mutation of data (a copy), chosen by rng.
    private static byte[] Mutate(byte[] data, Random rng)
    {
        var d = new List<byte>(data);
        int edits = 1 + rng.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = d.Count == 0 ? 0 : rng.Next(d.Count);
            switch (rng.Next(6))
            {
                case 0 when d.Count > 0: d[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when d.Count > 0: d[at] = (byte)Boundaries[rng.Next(Boundaries.Length)]; break;
                case 2:
                {
                    // A boundary value over a 4- or 8-byte field (sizes, offsets, counts), little- or big-endian.
                    ulong v = Boundaries[rng.Next(Boundaries.Length)];
                    int width = rng.Next(2) == 0 ? 4 : 8;
                    bool big = rng.Next(2) == 0;
                    for (int i = 0; i < width && at + i < d.Count; i++)
                        d[at + i] = (byte)(v >> (8 * (big ? width - 1 - i : i)));
                    break;
                }
                case 3 when d.Count > 0: d.RemoveRange(at, d.Count - at); break; // truncation
                case 4: d.InsertRange(at, new byte[1 + rng.Next(16)]); break;
                default: if (d.Count > 0) d.RemoveAt(at); break;
            }
        }
        return [.. d];
    }

    private static void Expect<TAllowed>(Action run, string what) where TAllowed : Exception
    {
        try { run(); }
        catch (TAllowed) { }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }

    private static void FuzzKernel(string name, byte[] seed)
    {
        var rng = new Random(Seed ^ name.GetHashCode(StringComparison.Ordinal));
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Mutate(seed, rng);
            Expect<MachineConfigurationException>(() =>
            {
                using var m = new MachineBuilder().WithMemory(Ram).WithKernel(input, name).Build();
            }, $"{name}, iteration {i} (seed {Seed})");
        }
    }

    private static byte[] Gzip(byte[] data)
    {
        var o = new MemoryStream();
        using (var z = new GZipStream(o, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return o.ToArray();
    }

    private static byte[] SeedElf() => Elf(0x4008_0010,
    [
        new(0x4008_0000, 0x4008_0000, Pattern(0x100, 1), 0x100),
        new(0x4009_0000, 0x4009_0000, Pattern(0x40, 9), 0x1000, Flags: 6),
    ]);

    private static byte[] SeedImage() => LinuxImage(0x8_0000, 0x2000, Pattern(0x400, 2));

    [TestMethod]
    public void MutatedElfKernelsAreConfigurationErrorsOrBoot() => FuzzKernel("fuzz.elf", SeedElf());

    [TestMethod]
    public void MutatedImageKernelsAreConfigurationErrorsOrBoot() => FuzzKernel("fuzz.Image", SeedImage());

    [TestMethod]
    public void MutatedGzipKernelsAreConfigurationErrorsOrBoot() => FuzzKernel("fuzz.Image.gz", Gzip(SeedImage()));

    [TestMethod]
    public void MutatedDeviceTreesAreFormatErrorsOrRoundTrip()
    {
        byte[] seed = FdtWriter.Write(VirtDeviceTree.Build(CpuModel.CortexA57, 128UL << 20, FirmwareConduit.Hvc, "console=ttyAMA0", (0x4800_0000, 0x4810_0000)));
        var rng = new Random(Seed);
        using var file = new TempFile([]);
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Mutate(seed, rng);
            Expect<FormatException>(() => FdtWriter.Write(FdtReader.Read(input)), $"FdtReader, iteration {i} (seed {Seed})");
            if (i % 5 != 0) continue; // through the machine builder (a user's --dtb) one in five
            File.WriteAllBytes(file.Path, input);
            Expect<MachineConfigurationException>(() =>
            {
                using var m = new MachineBuilder().WithMemory(Ram).WithDtb(file.Path).WithKernel(Pattern(0x100, 1), "raw.bin").Build();
            }, $"--dtb, iteration {i} (seed {Seed})");
        }
    }
}
