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
}
