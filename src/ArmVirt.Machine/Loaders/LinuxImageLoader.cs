using System.Buffers.Binary;
using System.IO.Compression;
using ArmVirt.Core;

namespace ArmVirt.Machine.Loaders;

/// <summary>
/// Loads a Linux arm64 <c>Image</c> by its 64-byte header (Documentation/arm64/booting.rst: text_offset at 8,
/// image_size at 16, magic "ARM\x64" at 56) the way QEMU's <c>load_aarch64_image</c> does, and raw binaries at
/// RAM base + 0x80000. A gzip-compressed Image is decompressed first, as the bootloader's job on arm64.
/// </summary>
internal static class LinuxImageLoader
{
    /// <summary>Where images without a usable header are placed, relative to RAM base (QEMU's KERNEL64_LOAD_ADDR).</summary>
    public const ulong RawLoadOffset = 0x80000;

    /// <summary>The header magic "ARM\x64" read as a little-endian word.</summary>
    public const uint Magic = 0x644D_5241;

    // QEMU writes its boot stub in the first 4 KiB of RAM and moves an Image whose text_offset would overlap it up by
    // 2 MiB; the Image protocol only asks for an offset from a 2 MiB-aligned base, so that is allowed.
    private const ulong BootStubSize = 0x1000;
    private const ulong TwoMiB = 2UL << 20;

    /// <summary>Decompresses <paramref name="file"/> if it is gzip data; returns it unchanged otherwise.</summary>
    public static byte[] Decompress(byte[] file, string name) => Decompress(file, name, (ulong)Array.MaxLength);

    /// <summary>
    /// Decompresses <paramref name="file"/> if it is gzip data (at most <paramref name="limit"/> bytes of output: the
    /// guest RAM it must fit in, so that a small file cannot unpack without bound); returns it unchanged otherwise.
    /// Data that is corrupt, truncated or whose size or CRC-32 differs from the gzip trailer (RFC 1952) is an error.
    /// </summary>
    public static byte[] Decompress(byte[] file, string name, ulong limit)
    {
        if (file.Length < 2 || file[0] != 0x1F || file[1] != 0x8B) return file;
        if (file.Length < 18) throw new MachineConfigurationException($"kernel '{name}': truncated gzip data ({file.Length} bytes)");
        limit = Math.Min(limit, (ulong)Array.MaxLength);
        byte[] image;
        try
        {
            using var input = new GZipStream(new MemoryStream(file), CompressionMode.Decompress);
            image = BoundedRead.ToEnd(input, (long)limit, () => new MachineConfigurationException(
                $"kernel '{name}': decompresses to more than {limit >> 20} MiB, the guest RAM it must fit in"));
        }
        catch (InvalidDataException e)
        {
            throw new MachineConfigurationException($"kernel '{name}': corrupt gzip data (its deflate data or its CRC-32 is invalid)", e);
        }
        // The trailer of the (last) member: CRC-32 and size mod 2^32 of the data. A truncated file ends its deflate
        // stream early without an error from GZipStream; these catch it, and a corrupt block that still inflates.
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 8)), size = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(file.Length - 4));
        if (size != (uint)image.Length || crc != GzipCrc32.Of(image))
            throw new MachineConfigurationException(
                $"kernel '{name}': truncated or corrupt gzip data ({image.Length} bytes decompressed; the gzip trailer says {size} bytes with CRC-32 0x{crc:x8})");
        return image;
    }

    /// <summary>True when <paramref name="file"/> carries the arm64 Image header magic.</summary>
    public static bool HasImageHeader(ReadOnlySpan<byte> file) =>
        file.Length >= 64 && BinaryPrimitives.ReadUInt32LittleEndian(file[56..]) == Magic;

    /// <summary>Where an ARM zImage or a raw binary for an AArch32-only CPU is placed, relative to RAM base (QEMU's KERNEL_LOAD_ADDR).</summary>
    public const ulong Aarch32LoadOffset = 0x10000;

    /// <summary>The zImage magic word at offset 0x24 (Linux arch/arm/boot/compressed/head.S).</summary>
    public const uint ZImageMagic = 0x016F_2818;

    /// <summary>True when <paramref name="file"/> is an ARM zImage (its magic at offset 0x24).</summary>
    public static bool IsZImage(ReadOnlySpan<byte> file) =>
        file.Length >= 0x30 && BinaryPrimitives.ReadUInt32LittleEndian(file[0x24..]) == ZImageMagic;

    /// <summary>
    /// Loads a kernel for an AArch32-only CPU that is not an ELF: an ARM zImage or a raw binary, at RAM base + 0x10000 as
    /// QEMU's <c>arm_load_kernel</c> places both (Documentation/arm/booting.rst lets the zImage run from anywhere in the
    /// first 128 MiB; it decompresses itself to RAM base + 0x8000). Both are entered with the ARM Linux boot protocol.
    /// </summary>
    public static LoadedKernel LoadAarch32(ReadOnlySpan<byte> file, string name, PhysicalBus bus, ulong ramBase)
    {
        if (file.Length == 0) throw new MachineConfigurationException($"kernel '{name}': file is empty");
        ulong load = ramBase + Aarch32LoadOffset, size = (ulong)file.Length;
        if (bus.FindRam(load, size) == null)
            throw new MachineConfigurationException(
                $"kernel '{name}': {size} bytes at 0x{load:x} do not fit in RAM ({ElfLoader.RamRange(bus)})");
        bus.Load(load, file);
        return new LoadedKernel(KernelFormat.ArmZImage, load, load, load + size);
    }

    /// <summary>Loads an arm64 Image (by its header) or a raw binary into RAM starting at <paramref name="ramBase"/>.</summary>
    public static LoadedKernel Load(ReadOnlySpan<byte> file, string name, PhysicalBus bus, ulong ramBase)
    {
        ulong offset = RawLoadOffset, size = (ulong)file.Length;
        var format = KernelFormat.Raw;
        if (HasImageHeader(file))
        {
            format = KernelFormat.LinuxImage;
            ulong textOffset = BinaryPrimitives.ReadUInt64LittleEndian(file[8..]);
            ulong imageSize = BinaryPrimitives.ReadUInt64LittleEndian(file[16..]);
            // text_offset is only meaningful when image_size is set (kernels since 3.17).
            if (imageSize != 0)
            {
                offset = textOffset < BootStubSize ? textOffset + TwoMiB : textOffset;
                size = Math.Max(imageSize, size);
            }
        }
        if (file.Length == 0) throw new MachineConfigurationException($"kernel '{name}': file is empty");
        ulong load = ramBase + offset;
        if (bus.FindRam(load, size) == null)
            throw new MachineConfigurationException(
                $"kernel '{name}': {size} bytes at 0x{load:x} do not fit in RAM ({ElfLoader.RamRange(bus)})");
        bus.Load(load, file);
        return new LoadedKernel(format, load, load, load + size);
    }
}
