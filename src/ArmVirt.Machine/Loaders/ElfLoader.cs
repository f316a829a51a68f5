using System.Buffers.Binary;
using ArmVirt.Core;

namespace ArmVirt.Machine.Loaders;

/// <summary>
/// Loads ELF64 little-endian AArch64 executables by their PT_LOAD program headers, the way QEMU's <c>load_elf</c>
/// does for <c>-kernel</c>: each segment goes to its physical address (p_paddr), the bytes past p_filesz up to
/// p_memsz are zeroed, and the entry point is e_entry, moved by (p_paddr - p_vaddr) when it lies in an executable
/// segment whose physical and virtual addresses differ.
/// </summary>
internal static class ElfLoader
{
    private const uint PtLoad = 1;
    private const uint PfX = 1;
    private const ushort EmAarch64 = 183;

    /// <summary>True when <paramref name="file"/> starts with the ELF magic.</summary>
    public static bool IsElf(ReadOnlySpan<byte> file) =>
        file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    /// <summary>Loads <paramref name="file"/> into RAM on <paramref name="bus"/>; <paramref name="name"/> names it in errors.</summary>
    public static LoadedKernel Load(ReadOnlySpan<byte> file, string name, PhysicalBus bus)
    {
        var (segments, kernel) = Parse(file, $"kernel '{name}'", bus);
        foreach (var s in segments)
        {
            bus.Load(s.Paddr, file.Slice(s.FileOffset, s.FileSize));
            ZeroRam(bus, s.Paddr + (ulong)s.FileSize, s.ZeroFill);
        }
        return kernel;
    }

    /// <summary>Zeroes <paramref name="length"/> bytes of RAM from <paramref name="pa"/> (a BSS: may exceed 2 GiB).</summary>
    internal static void ZeroRam(PhysicalBus bus, ulong pa, ulong length)
    {
        for (ulong done = 0; done < length;)
        {
            int n = (int)Math.Min(length - done, 1UL << 30);
            bus.FindRam(pa + done, (ulong)n)!.AsSpan(pa + done, n).Clear();
            done += (ulong)n;
        }
    }

    /// <summary>
    /// Checks <paramref name="file"/> and returns its loadable segments (where the file's bytes go, and how many zero
    /// bytes follow them up to p_memsz) and what <see cref="Load"/> would report, without writing RAM or allocating the
    /// segments; <paramref name="what"/> names the file in errors (<c>kernel 'F'</c>, <c>loader 'F'</c>).
    /// </summary>
    internal static (List<ElfSegment> Segments, LoadedKernel Kernel) Parse(ReadOnlySpan<byte> file, string what, PhysicalBus bus)
    {
        MachineConfigurationException Bad(string why) => new($"{what}: {why}");
        if (!IsElf(file)) throw Bad("not an ELF file");
        if (file.Length < 64) throw Bad("truncated ELF header");
        if (file[4] != 2) throw Bad("not a 64-bit ELF (EI_CLASS is not ELFCLASS64)");
        if (file[5] != 1) throw Bad("not a little-endian ELF (EI_DATA is not ELFDATA2LSB)");
        ushort type = U16(file, 16), machine = U16(file, 18);
        if (machine != EmAarch64) throw Bad($"ELF machine is {machine}, not AArch64 (183)");
        if (type is not (2 or 3)) throw Bad($"ELF type {type} is not an executable (ET_EXEC or ET_DYN)");
        ulong entry = U64(file, 24), phoff = U64(file, 32);
        ushort phentsize = U16(file, 54), phnum = U16(file, 56);
        if (phnum == 0) throw Bad("ELF has no program headers");
        if (phentsize < 56) throw Bad($"ELF program header size {phentsize} is too small");
        if (phoff > (ulong)file.Length || (ulong)phnum * phentsize > (ulong)file.Length - phoff)
            throw Bad("ELF program headers lie outside the file");

        // Check every segment before any of them is written.
        var segments = new List<ElfSegment>();
        ulong low = ulong.MaxValue, high = 0, physEntry = entry;
        for (int i = 0; i < phnum; i++)
        {
            var ph = file.Slice((int)(phoff + (ulong)(i * phentsize)), 56);
            if (U32(ph, 0) != PtLoad) continue;
            uint flags = U32(ph, 4);
            ulong offset = U64(ph, 8), vaddr = U64(ph, 16), paddr = U64(ph, 24), filesz = U64(ph, 32), memsz = U64(ph, 40);
            if (memsz == 0) continue;
            if (filesz > memsz) throw Bad($"segment {i} has p_filesz 0x{filesz:x} larger than p_memsz 0x{memsz:x}");
            if (offset > (ulong)file.Length || filesz > (ulong)file.Length - offset)
                throw Bad($"segment {i} (offset 0x{offset:x}, size 0x{filesz:x}) runs past the end of the file");
            if (paddr + memsz < paddr || bus.FindRam(paddr, memsz) == null)
                throw Bad($"segment {i} at 0x{paddr:x}-0x{paddr + memsz:x} is not inside RAM ({RamRange(bus)})");
            segments.Add(new ElfSegment(paddr, (int)offset, (int)filesz, memsz - filesz));
            low = Math.Min(low, paddr);
            high = Math.Max(high, paddr + memsz);
            if (vaddr != paddr && (flags & PfX) != 0 && entry >= vaddr && entry - vaddr < filesz)
                physEntry = entry - vaddr + paddr;
        }
        if (segments.Count == 0) throw Bad("ELF has no loadable (PT_LOAD) segments");
        return (segments, new LoadedKernel(KernelFormat.Elf, physEntry, low, high));
    }

    internal static string RamRange(PhysicalBus bus) =>
        string.Join(", ", bus.Ram.Select(r => $"0x{r.Base:x}-0x{r.Base + r.Size:x}"));

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}

/// <summary>One PT_LOAD segment: <paramref name="FileSize"/> bytes of the file from <paramref name="FileOffset"/> go to
/// <paramref name="Paddr"/>, followed by <paramref name="ZeroFill"/> zero bytes (to p_memsz).</summary>
internal readonly record struct ElfSegment(ulong Paddr, int FileOffset, int FileSize, ulong ZeroFill);
