using System.Collections.Frozen;
using ELFSharp.ELF;
using ELFSharp.ELF.Sections;

namespace ArmVirt.Machine.Loaders;

/// <summary>
/// The symbols of an ELF kernel (its <c>.symtab</c>, read with ELFSharp): functions, data objects and global labels by name, for a
/// harness to break or watch by name. Symbols are a convenience: an image whose symbol table cannot be read (stripped,
/// malformed) has none, and its load (already checked by <see cref="ElfLoader"/>) is not affected.
/// </summary>
internal static class ElfSymbols
{
    public static readonly IReadOnlyDictionary<string, ulong> None = FrozenDictionary<string, ulong>.Empty;

    public static IReadOnlyDictionary<string, ulong> Read(byte[] image)
    {
        if (!SectionsLieInTheFile(image)) return None;
        try
        {
            using var stream = new MemoryStream(image, writable: false);
            if (!ELFReader.TryLoad(stream, false, out IELF elf)) return None;
            using (elf)
            {
                var symbols = new Dictionary<string, ulong>(StringComparer.Ordinal);
                foreach (var table in elf.GetSections<ISymbolTable>())
                {
                    if (table.Name != ".symtab") continue;
                    foreach (var entry in table.Entries)
                    {
                        if (entry is not SymbolEntry<ulong> s || string.IsNullOrEmpty(s.Name)) continue;
                        // Functions and data, and the untyped global labels of assembly (_start); not files, sections or
                        // the local mapping symbols ($x, $d) of the AArch64 ELF ABI.
                        bool label = s.Type == SymbolType.NotSpecified && s.Binding is SymbolBinding.Global or SymbolBinding.Weak
                            && s.PointedSectionIndex != 0 && !s.Name.StartsWith('$');
                        if (s.Type is SymbolType.Function or SymbolType.Object || label) symbols.TryAdd(s.Name, s.Value);
                    }
                }
                return symbols.ToFrozenDictionary(StringComparer.Ordinal);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return None; // a symbol table ELFSharp cannot read: no symbols
        }
    }

    // ELFSharp trusts the section header table: a count of a billion sections (e_shnum 0 with the extended count in
    // section 0's sh_size, ELF gABI "Sections") or a section larger than the file makes it allocate without bound. So
    // the table and every section with contents must lie inside the file (checked in 64 bits) before it is handed over.
    private static bool SectionsLieInTheFile(byte[] image)
    {
        if (image.Length < 64 || image[4] != 2 || image[5] != 1) return false; // ELFCLASS64, little-endian (ElfLoader's)
        var f = image.AsSpan();
        ulong length = (ulong)image.Length, shoff = U64(f, 0x28);
        ulong shentsize = U16(f, 0x3A), shnum = U16(f, 0x3C), shstrndx = U16(f, 0x3E);
        if (shoff == 0) return false; // no section headers: no symbols
        if (shentsize < 64 || shoff > length - 64) return false;
        if (shnum == 0) shnum = U64(f, (int)shoff + 0x20); // SHN_UNDEF's sh_size holds a count of 0xff00 or more
        if (shstrndx == 0xFFFF) shstrndx = U32(f, (int)shoff + 0x28); // SHN_XINDEX: SHN_UNDEF's sh_link
        if (shnum == 0 || shnum > (length - shoff) / shentsize || shstrndx >= shnum) return false;
        for (ulong i = 0; i < shnum; i++)
        {
            var sh = f.Slice((int)(shoff + i * shentsize), 64);
            uint type = U32(sh, 4);
            ulong offset = U64(sh, 0x18), size = U64(sh, 0x20), entsize = U64(sh, 0x38);
            if (type is 0 or 8) continue; // SHT_NULL, SHT_NOBITS: nothing in the file
            if (offset > length || size > length - offset) return false;
            if (type is 2 or 11 && entsize < 24) return false; // SHT_SYMTAB, SHT_DYNSYM: Elf64_Sym is 24 bytes
        }
        return true;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
