namespace ArmVirt.Mmu;

/// <summary>
/// Resulting memory attributes of a translation: the MAIR_ELx-format attribute byte (the encoding PAR_EL1.ATTR
/// reports) and the shareability (SH encoding: 0 non-shareable, 2 outer, 3 inner).
/// </summary>
internal readonly struct MemoryAttributes : IEquatable<MemoryAttributes>
{
    /// <summary>Device-nGnRnE, outer shareable: the data side of a disabled stage 1 (AArch64.S1DisabledOutput).</summary>
    public static MemoryAttributes DeviceNGnRnE => new(0x00, Shareability.Outer);

    /// <summary>Normal inner/outer Write-Back read/write-allocate non-transient, non-shareable (HCR_EL2.DC = 1 default).</summary>
    public static MemoryAttributes NormalWriteBack => new(0xFF, Shareability.NonShareable);

    /// <summary>Normal inner/outer Non-cacheable, outer shareable (instruction fetch with stage 1 and SCTLR.I off).</summary>
    public static MemoryAttributes NormalNonCacheable => new(0x44, Shareability.Outer);

    /// <summary>Normal inner/outer Write-Through read-allocate, outer shareable (instruction fetch, stage 1 off, SCTLR.I on).</summary>
    public static MemoryAttributes NormalWriteThrough => new(0xAA, Shareability.Outer);

    /// <summary>Creates attributes from a MAIR attribute byte and a shareability.</summary>
    public MemoryAttributes(byte attr, Shareability shareability)
    {
        Attr = attr;
        // Device and Normal Non-cacheable (inner and outer) memory is always Outer Shareable.
        Sh = (attr & 0xF0) == 0 || attr == 0x44 ? Shareability.Outer : shareability;
    }

    /// <summary>The MAIR_ELx-format attribute byte.</summary>
    public byte Attr { get; }

    /// <summary>The shareability domain.</summary>
    public Shareability Sh { get; }

    /// <summary>True for any Device memory type (alignment faults on unaligned data accesses).</summary>
    public bool IsDevice => (Attr & 0xF0) == 0;

    /// <summary>For Device memory: the type (0 nGnRnE, 1 nGnRE, 2 nGRE, 3 GRE).</summary>
    public int DeviceType => (Attr >> 2) & 3;

    /// <summary>Inner cacheability of Normal memory (ignored for Device).</summary>
    public Cacheability Inner => Decode((byte)(Attr & 0xF));

    /// <summary>Outer cacheability of Normal memory (ignored for Device).</summary>
    public Cacheability Outer => Decode((byte)(Attr >> 4));

    /// <summary>Decodes one MAIR nibble of a Normal memory type (shared/translation/attrs/AArch64.MAIRAttr).</summary>
    internal static Cacheability Decode(byte nibble)
    {
        if (nibble == 0b0100) return Cacheability.NonCacheable;
        // 00RW WT transient, 01RW WB transient, 10RW WT, 11RW WB; 0000 with a Normal outer nibble and
        // 0100 already handled: treat the UNPREDICTABLE remaining encodings as Non-cacheable.
        if ((nibble & 3) == 0 && (nibble & 0b1000) == 0) return Cacheability.NonCacheable;
        return (nibble & 0b0100) != 0 ? Cacheability.WriteBack : Cacheability.WriteThrough;
    }

    /// <summary>
    /// Normalises a MAIR attribute byte: reserved Device encodings (attr[1:0] != 0) become the Device type, and a
    /// reserved Normal inner nibble 0000 becomes Non-cacheable (CONSTRAINED UNPREDICTABLE choices).
    /// </summary>
    internal static byte NormaliseMair(byte attr)
    {
        if ((attr & 0xF0) == 0) return (byte)(attr & 0x0C);
        if ((attr & 0x0F) == 0) return (byte)((attr & 0xF0) | 0x4);
        return attr;
    }

    /// <summary>
    /// Combines stage 1 and stage 2 attributes (shared/translation/attrs/S2CombineS1MemAttrs without FEAT_S2FWB):
    /// Device wins with the more restrictive Device type; otherwise each cacheability is the weaker of the two,
    /// shareability the wider.
    /// </summary>
    public static MemoryAttributes CombineS1S2(MemoryAttributes s1, MemoryAttributes s2)
    {
        if (s1.IsDevice || s2.IsDevice)
        {
            int t = s1.IsDevice && s2.IsDevice ? Math.Min(s1.DeviceType, s2.DeviceType)
                : s1.IsDevice ? s1.DeviceType : s2.DeviceType;
            return new MemoryAttributes((byte)(t << 2), Shareability.Outer);
        }
        byte inner = CombineNibble((byte)(s1.Attr & 0xF), s1.Inner, s2.Inner);
        byte outer = CombineNibble((byte)(s1.Attr >> 4), s1.Outer, s2.Outer);
        var sh = Math.Max(ShRank(s1.Sh), ShRank(s2.Sh)) switch
        {
            2 => Shareability.Outer,
            1 => Shareability.Inner,
            _ => Shareability.NonShareable,
        };
        return new MemoryAttributes((byte)((outer << 4) | inner), sh);
    }

    private static int ShRank(Shareability s) => s switch { Shareability.Outer => 2, Shareability.Inner => 1, _ => 0 };

    private static byte CombineNibble(byte s1Nibble, Cacheability c1, Cacheability c2)
    {
        var c = (Cacheability)Math.Min((int)c1, (int)c2);
        if (c == Cacheability.NonCacheable) return 0b0100;
        // Keep stage 1's allocation hints; report non-transient.
        int rw = c1 == Cacheability.NonCacheable ? 0b11 : s1Nibble & 3;
        return (byte)((c == Cacheability.WriteBack ? 0b1100 : 0b1000) | rw);
    }

    /// <summary>
    /// Decodes stage 2 MemAttr[3:0] (descriptor bits [5:2]) into MAIR form (shared/translation/attrs/S2AttrDecode).
    /// </summary>
    public static MemoryAttributes FromStage2(uint memAttr, Shareability sh)
    {
        memAttr &= 0xF;
        if ((memAttr & 0b1100) == 0) return new MemoryAttributes((byte)((memAttr & 3) << 2), Shareability.Outer);
        static byte Nib(uint v) => v switch { 1 => 0b0100, 2 => 0b1011, 3 => 0b1111, _ => 0b0100 };
        return new MemoryAttributes((byte)((Nib(memAttr >> 2) << 4) | Nib(memAttr & 3)), sh);
    }

    /// <inheritdoc />
    public bool Equals(MemoryAttributes other) => Attr == other.Attr && Sh == other.Sh;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemoryAttributes m && Equals(m);

    /// <inheritdoc />
    public override int GetHashCode() => Attr | ((int)Sh << 8);

    /// <summary>Equality.</summary>
    public static bool operator ==(MemoryAttributes a, MemoryAttributes b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(MemoryAttributes a, MemoryAttributes b) => !a.Equals(b);

    /// <inheritdoc />
    public override string ToString() => $"Attr=0x{Attr:x2} SH={Sh}";
}

/// <summary>Shareability, in the SH[1:0] descriptor encoding.</summary>
internal enum Shareability : byte
{
    /// <summary>Non-shareable (0b00).</summary>
    NonShareable = 0,
    /// <summary>Outer Shareable (0b10).</summary>
    Outer = 2,
    /// <summary>Inner Shareable (0b11).</summary>
    Inner = 3,
}

/// <summary>Cacheability of Normal memory, ordered weakest first.</summary>
internal enum Cacheability : byte
{
    /// <summary>Non-cacheable.</summary>
    NonCacheable = 0,
    /// <summary>Write-Through.</summary>
    WriteThrough = 1,
    /// <summary>Write-Back.</summary>
    WriteBack = 2,
}
