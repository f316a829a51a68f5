namespace ArmVirt.Cpu.A64;

/// <summary>
/// Decode rows of the LoadStore family (Arm ARM C4.1.4 "Loads and Stores"): the Armv8.0 integer loads and stores,
/// exclusives, load-acquire/store-release and the FEAT_LSE atomics. SIMD&amp;FP register forms (V = 1), the LORegion
/// forms (LDLAR/STLLR) and the later-architecture encodings in this space have no row and so are UNDEFINED.
/// </summary>
internal static class LoadStoreTable
{
    private const string Any5 = "xxxxx", Any10 = "xxxxxxxxxx";

    // size:111:V=0:00:opc:0:imm9:mode:Rn:Rt (load/store register, unscaled / post / unprivileged / pre).
    private static string Imm9(string size, string opc, string mode) => size + "111000" + opc + "0" + "xxxxxxxxx" + mode + Any10;

    // size:111:V=0:01:opc:imm12:Rn:Rt (load/store register, unsigned immediate).
    private static string Uimm(string size, string opc) => size + "111001" + opc + "xxxxxxxxxxxx" + Any10;

    // size:111:V=0:00:opc:1:Rm:option:S:10:Rn:Rt (load/store register, register offset).
    private static string Reg(string size, string opc) => size + "111000" + opc + "1" + Any5 + "xxxx" + "10" + Any10;

    // opc:101:V=0:0:mode:L:imm7:Rt2:Rn:Rt (load/store register pair).
    private static string Pair(string opc, string mode, string l) => opc + "1010" + "0" + mode + l + "xxxxxxx" + Any5 + Any10;

    // size:001000:o2:L:o1:Rs:o0:Rt2:Rn:Rt (load/store exclusive, ordered, compare and swap).
    private static string Excl(string size, string o2LO1, string o0, string rt2 = Any5, string rs = Any5) => size + "001000" + o2LO1 + rs + o0 + rt2 + Any10;

    // size:111:V=0:00:A:R:1:Rs:o3:opc:00:Rn:Rt (atomic memory operations).
    private static string Atomic(string o3Opc) => "xx111000" + "xx1" + Any5 + o3Opc + "00" + Any10;

    private static bool SizeNot3(uint insn) => (insn >> 30) != 3;

    private static IEnumerable<A64Encoding> SingleRegister(string mode, string suffix, A64Handler handler, bool prefetch, Func<uint, bool>? constraint = null)
    {
        Func<uint, bool> notPrefetch = constraint == null ? SizeNot3 : insn => SizeNot3(insn) && constraint(insn);
        string Pattern(string size, string opc) => mode switch
        {
            "uimm" => Uimm(size, opc),
            "reg" => Reg(size, opc),
            _ => Imm9(size, opc, mode),
        };
        yield return A64Encoding.Pattern($"STR{suffix}", Pattern("xx", "00"), handler, constraint);
        yield return A64Encoding.Pattern($"LDR{suffix}", Pattern("xx", "01"), handler, constraint);
        yield return A64Encoding.Pattern($"LDRS (64-bit){suffix}", Pattern("xx", "10"), handler, notPrefetch);
        yield return A64Encoding.Pattern($"LDRS (32-bit){suffix}", Pattern("0x", "11"), handler, constraint);
        if (prefetch)
            yield return A64Encoding.Pattern($"PRFM{suffix}", Pattern("11", "10"), LoadStoreRegister.Prefetch, constraint);
    }

    /// <summary>The rows.</summary>
    public static IReadOnlyList<A64Encoding> Entries { get; } =
    [
        // Load/store register: STR/LDR/STRB/LDRB/STRH/LDRH/LDRSB/LDRSH/LDRSW by addressing mode (C6.2).
        .. SingleRegister("uimm", " (unsigned immediate)", LoadStoreRegister.UnsignedImmediate, prefetch: true),
        .. SingleRegister("00", " (unscaled immediate, LDUR/STUR)", LoadStoreRegister.Unscaled, prefetch: true),
        .. SingleRegister("01", " (immediate, post-index)", LoadStoreRegister.PostIndex, prefetch: false),
        .. SingleRegister("11", " (immediate, pre-index)", LoadStoreRegister.PreIndex, prefetch: false),
        .. SingleRegister("10", " (unprivileged, LDTR/STTR)", LoadStoreRegister.Unprivileged, prefetch: false),
        .. SingleRegister("reg", " (register)", LoadStoreRegister.RegisterOffset, prefetch: true, LoadStoreRegister.OptionAllocated),

        // Load register (literal).
        A64Encoding.Pattern("LDR (literal, 32-bit)", "00011000" + "xxxxxxxxxxxxxxxxxxx" + Any5, LoadLiteral.Load),
        A64Encoding.Pattern("LDR (literal, 64-bit)", "01011000" + "xxxxxxxxxxxxxxxxxxx" + Any5, LoadLiteral.Load),
        A64Encoding.Pattern("LDRSW (literal)", "10011000" + "xxxxxxxxxxxxxxxxxxx" + Any5, LoadLiteral.Load),
        A64Encoding.Pattern("PRFM (literal)", "11011000" + "xxxxxxxxxxxxxxxxxxx" + Any5, LoadStoreRegister.Prefetch),

        // Load/store register pair (C6.2 STP, LDP, LDPSW, STNP, LDNP).
        A64Encoding.Pattern("STNP", Pair("x0", "00", "0"), LoadStorePair.SignedOffset),
        A64Encoding.Pattern("LDNP", Pair("x0", "00", "1"), LoadStorePair.SignedOffset),
        A64Encoding.Pattern("STP (post-index)", Pair("x0", "01", "0"), LoadStorePair.PostIndex),
        A64Encoding.Pattern("LDP (post-index)", Pair("x0", "01", "1"), LoadStorePair.PostIndex),
        A64Encoding.Pattern("STP (signed offset)", Pair("x0", "10", "0"), LoadStorePair.SignedOffset),
        A64Encoding.Pattern("LDP (signed offset)", Pair("x0", "10", "1"), LoadStorePair.SignedOffset),
        A64Encoding.Pattern("STP (pre-index)", Pair("x0", "11", "0"), LoadStorePair.PreIndex),
        A64Encoding.Pattern("LDP (pre-index)", Pair("x0", "11", "1"), LoadStorePair.PreIndex),
        A64Encoding.Pattern("LDPSW (post-index)", Pair("01", "01", "1"), LoadStorePair.PostIndex),
        A64Encoding.Pattern("LDPSW (signed offset)", Pair("01", "10", "1"), LoadStorePair.SignedOffset),
        A64Encoding.Pattern("LDPSW (pre-index)", Pair("01", "11", "1"), LoadStorePair.PreIndex),

        // Load/store exclusive and ordered (C6.2 STXR, LDXR, STXP, LDXP, STLR, LDAR); o0 selects release/acquire.
        // As QEMU does, the should-be-one Rs/Rt2 fields are ignored for the exclusives but required for LDAR/STLR.
        A64Encoding.Pattern("STXR/STLXR", Excl("xx", "000", "x"), LoadStoreExclusive.StoreExclusive),
        A64Encoding.Pattern("LDXR/LDAXR", Excl("xx", "010", "x"), LoadStoreExclusive.LoadExclusive),
        A64Encoding.Pattern("STXP/STLXP", Excl("1x", "001", "x"), LoadStoreExclusive.StoreExclusivePair),
        A64Encoding.Pattern("LDXP/LDAXP", Excl("1x", "011", "x"), LoadStoreExclusive.LoadExclusivePair),
        A64Encoding.Pattern("STLR", Excl("xx", "100", "1", "11111", "11111"), LoadStoreExclusive.StoreRelease),
        A64Encoding.Pattern("LDAR", Excl("xx", "110", "1", "11111", "11111"), LoadStoreExclusive.LoadAcquire),

        // FEAT_LSE compare and swap (C6.2 CAS, CASP); L = acquire, o0 = release.
        A64Encoding.Pattern("CAS", Excl("xx", "1x1", "x", "11111"), LoadStoreAtomic.CompareAndSwap),
        A64Encoding.Pattern("CASP", Excl("0x", "0x1", "x", "11111"), LoadStoreAtomic.CompareAndSwapPair, LoadStoreAtomic.EvenPairRegisters),

        // FEAT_LSE atomic memory operations (C6.2 LD<op>, ST<op> = Rt 31 alias, SWP); A = acquire, R = release.
        A64Encoding.Pattern("LDADD", Atomic("0000"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDCLR", Atomic("0001"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDEOR", Atomic("0010"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDSET", Atomic("0011"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDSMAX", Atomic("0100"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDSMIN", Atomic("0101"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDUMAX", Atomic("0110"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("LDUMIN", Atomic("0111"), LoadStoreAtomic.MemoryOperation),
        A64Encoding.Pattern("SWP", Atomic("1000"), LoadStoreAtomic.MemoryOperation),
    ];
}
