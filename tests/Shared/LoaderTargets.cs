using ArmVirt.Machine;
using ArmVirt.Machine.DeviceTree;

namespace ArmVirt.Tests.Fuzzing;

/// <summary>
/// Fuzz targets for what a user hands the machine (#22), each taking the input bytes as libFuzzer's
/// LLVMFuzzerTestOneInput does: true when the input was accepted, false when it was refused with the documented
/// exception (<see cref="MachineConfigurationException"/> from the builder, <see cref="FormatException"/> from the FDT
/// reader); any other exception is a bug. Run in CI by the seeded mutator (LoaderFuzzTests) and coverage-guided by
/// fuzz/ArmVirt.Fuzz (SharpFuzz).
/// </summary>
internal static class LoaderTargets
{
    /// <summary>Guest RAM of the machines the kernels are loaded into.</summary>
    public const ulong Ram = 16UL << 20;

    /// <summary>An ELF kernel through <see cref="MachineBuilder"/>.</summary>
    public static bool Elf(ReadOnlySpan<byte> input) => Kernel(input, "fuzz.elf");

    /// <summary>An arm64 Image (or raw) kernel through <see cref="MachineBuilder"/>.</summary>
    public static bool Image(ReadOnlySpan<byte> input) => Kernel(input, "fuzz.Image");

    /// <summary>A gzip-compressed kernel through <see cref="MachineBuilder"/> (decompressed no further than RAM).</summary>
    public static bool Gzip(ReadOnlySpan<byte> input) => Kernel(input, "fuzz.Image.gz");

    private static bool Kernel(ReadOnlySpan<byte> input, string name)
    {
        try
        {
            using var m = new MachineBuilder().WithMemory(Ram).WithKernel(input.ToArray(), name).Build();
            return true;
        }
        catch (MachineConfigurationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A device tree blob through <see cref="FdtReader"/> and <see cref="FdtWriter"/>; what the reader accepts the
    /// writer writes, and reading that back writes the same bytes (a fixed point).
    /// </summary>
    public static bool Fdt(ReadOnlySpan<byte> input)
    {
        byte[] once;
        try
        {
            once = FdtWriter.Write(FdtReader.Read(input));
        }
        catch (FormatException)
        {
            return false;
        }
        if (!FdtWriter.Write(FdtReader.Read(once)).AsSpan().SequenceEqual(once))
            throw new FuzzInvariantException("write(read(write(read(x)))) differs from write(read(x))");
        return true;
    }
}
