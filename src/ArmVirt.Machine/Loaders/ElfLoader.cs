using System.Buffers.Binary;
using ArmVirt.Core;

namespace ArmVirt.Machine.Loaders;

/// <summary>
/// Loads ELF64 little-endian AArch64 executables (and, for an AArch32-only CPU, ELF32 little-endian Arm ones) by their
/// PT_LOAD program headers, the way QEMU's <c>load_elf</c> does for <c>-kernel</c>: each segment goes to its physical address (p_paddr), the bytes past p_filesz up to
/// p_memsz are zeroed, and the entry point is e_entry, moved by (p_paddr - p_vaddr) when it lies in an executable
/// segment whose physical and virtual addresses differ.
/// </summary>
internal static class ElfLoader
{
    private const uint PtLoad = 1;
    private const uint PfX = 1;
    private const ushort EmAarch64 = 183;
    private const ushort EmArm = 40;

    /// <summary>True when <paramref name="file"/> starts with the ELF magic.</summary>
    public static bool IsElf(ReadOnlySpan<byte> file) =>
        file.Length >= 4 && file[0] == 0x7F && file[1] == (byte)'E' && file[2] == (byte)'L' && file[3] == (byte)'F';

    /// <summary>
    /// Loads <paramref name="file"/> into RAM on <paramref name="bus"/>; <paramref name="name"/> names it in errors. With
    /// <paramref name="aarch32"/> (an AArch32-only CPU) the file must be a 32-bit Arm ELF, else an AArch64 one.
    /// </summary>
    public static LoadedKernel Load(ReadOnlySpan<byte> file, string name, PhysicalBus bus, bool aarch32 = false)
    {
        var (segments, kernel) = Parse(file, $"kernel '{name}'", bus, aarch32);
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
    internal static (List<ElfSegment> Segments, LoadedKernel Kernel) Parse(ReadOnlySpan<byte> file, string what, PhysicalBus bus, bool aarch32 = false)
    {
        MachineConfigurationException Bad(string why) => new($"{what}: {why}");
        if (!IsElf(file)) throw Bad("not an ELF file");
        if (file.Length < 52) throw Bad("truncated ELF header");
        // ELF32 (EI_CLASS 1) and ELF64 (2) differ in the header's and program headers' field sizes and offsets.
        bool elf32 = file[4] == 1;
        if (aarch32)
        {
            if (file[4] == 2 && file.Length >= 20 && U16(file, 18) == EmAarch64)
                throw Bad("an AArch64 ELF cannot run on an AArch32-only CPU (build it for 32-bit Arm, or use an AArch64 --cpu)");
            if (!elf32) throw Bad("not a 32-bit ELF (EI_CLASS is not ELFCLASS32), as an AArch32-only CPU needs");
        }
        else if (file[4] != 2)
        {
            throw Bad(elf32 && file.Length >= 20 && U16(file, 18) == EmArm
                ? "a 32-bit Arm ELF needs an AArch32-only CPU (--cpu cortex-a15 or cortex-a7)"
                : "not a 64-bit ELF (EI_CLASS is not ELFCLASS64)");
        }
        if (!elf32 && file.Length < 64) throw Bad("truncated ELF header");
        if (file[5] != 1) throw Bad("not a little-endian ELF (EI_DATA is not ELFDATA2LSB)");
        ushort type = U16(file, 16), machine = U16(file, 18);
        if (elf32 && machine != EmArm) throw Bad($"ELF machine is {machine}, not Arm (40)");
        if (!elf32 && machine != EmAarch64) throw Bad($"ELF machine is {machine}, not AArch64 (183)");
        if (type is not (2 or 3)) throw Bad($"ELF type {type} is not an executable (ET_EXEC or ET_DYN)");
        ulong entry = elf32 ? U32(file, 24) : U64(file, 24), phoff = elf32 ? U32(file, 28) : U64(file, 32);
        ushort phentsize = U16(file, elf32 ? 42 : 54), phnum = U16(file, elf32 ? 44 : 56);
        int phsize = elf32 ? 32 : 56;
        if (phnum == 0) throw Bad("ELF has no program headers");
        if (phentsize < phsize) throw Bad($"ELF program header size {phentsize} is too small");
        if (phoff > (ulong)file.Length || (ulong)phnum * phentsize > (ulong)file.Length - phoff)
            throw Bad("ELF program headers lie outside the file");

        // Check every segment before any of them is written.
        var segments = new List<ElfSegment>();
        ulong low = ulong.MaxValue, high = 0, physEntry = entry;
        for (int i = 0; i < phnum; i++)
        {
            var ph = file.Slice((int)(phoff + (ulong)(i * phentsize)), phsize);
            if (U32(ph, 0) != PtLoad) continue;
            uint flags = U32(ph, elf32 ? 24 : 4);
            ulong offset = elf32 ? U32(ph, 4) : U64(ph, 8), vaddr = elf32 ? U32(ph, 8) : U64(ph, 16),
                paddr = elf32 ? U32(ph, 12) : U64(ph, 24), filesz = elf32 ? U32(ph, 16) : U64(ph, 32),
                memsz = elf32 ? U32(ph, 20) : U64(ph, 40);
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
