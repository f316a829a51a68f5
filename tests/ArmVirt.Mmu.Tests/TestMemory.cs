using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

/// <summary>Sparse 64-bit-word physical memory; reads of absent words return 0 unless inside an abort window.</summary>
internal sealed class TestMemory : IPhysicalMemory
{
    private readonly Dictionary<ulong, ulong> _words = new();

    public int Reads { get; private set; }
    public ulong AbortBase { get; set; } = ulong.MaxValue;
    public ulong AbortSize { get; set; }
    /// <summary>PAs in [RamBase, RamBase + RamSize) report a (fake, never dereferenced) host address.</summary>
    public ulong RamBase { get; set; } = 0x4000_0000;
    public ulong RamSize { get; set; } = 0x4000_0000;
    public const long FakeHostBase = 0x7700_0000_0000;

    public ulong this[ulong pa]
    {
        get => _words.GetValueOrDefault(pa);
        set => _words[pa] = value;
    }

    public bool TryReadDescriptor(ulong pa, out ulong value)
    {
        Reads++;
        Assert.AreEqual(0UL, pa & 7, "descriptor reads are 8-byte aligned");
        if (pa - AbortBase < AbortSize) { value = 0; return false; }
        value = this[pa];
        return true;
    }

    public bool TryWriteDescriptor(ulong pa, ulong value)
    {
        Assert.Fail("no CPU model advertises FEAT_HAFDBS: descriptors must not be written");
        return false;
    }

    public nint HostAddress(ulong pa, ulong size)
        => pa >= RamBase && pa - RamBase + size <= RamSize ? (nint)(FakeHostBase + (long)(pa - RamBase)) : 0;
}

/// <summary>Builds translation tables for one granule and input size in a <see cref="TestMemory"/>.</summary>
internal sealed class TableBuilder
{
    private readonly TestMemory _mem;
    private ulong _next;

    public TableBuilder(TestMemory mem, int granuleBits, int inputSize, ulong tableArea, int? startLevel = null)
    {
        _mem = mem;
        GranuleBits = granuleBits;
        InputSize = inputSize;
        int stride = granuleBits - 3;
        StartLevel = startLevel ?? 4 - (inputSize - granuleBits + stride - 1) / stride;
        _next = tableArea;
        ulong rootBytes = 8UL << (inputSize - Shift(StartLevel));
        Root = Alloc(rootBytes);
    }

    public int GranuleBits { get; }
    public int InputSize { get; }
    public int StartLevel { get; }
    public ulong Root { get; }

    public int Shift(int level) => GranuleBits + (3 - level) * (GranuleBits - 3);

    private ulong Alloc(ulong bytes)
    {
        ulong align = Math.Max(bytes, 1UL << GranuleBits);
        _next = (_next + align - 1) & ~(align - 1);
        ulong a = _next;
        _next += Math.Max(bytes, 1UL << GranuleBits);
        return a;
    }

    private ulong Index(ulong ia, int level)
    {
        int shift = Shift(level);
        int top = level == StartLevel ? InputSize : shift + GranuleBits - 3;
        return (ia >> shift) & ((1UL << (top - shift)) - 1);
    }

    /// <summary>PA of the descriptor for <paramref name="ia"/> at <paramref name="level"/>, creating tables above it.</summary>
    public ulong DescriptorAddress(ulong ia, int level)
    {
        ulong table = Root;
        for (int l = StartLevel; l < level; l++)
        {
            ulong da = table + Index(ia, l) * 8;
            ulong d = _mem[da];
            if ((d & 3) != 3)
            {
                ulong t = Alloc(1UL << GranuleBits);
                d = t | 3;
                _mem[da] = d;
            }
            table = d & 0x0000_FFFF_FFFF_F000UL & ~((1UL << GranuleBits) - 1);
        }
        return table + Index(ia, level) * 8;
    }

    /// <summary>Maps <paramref name="ia"/>'s block/page at <paramref name="level"/> to <paramref name="oa"/> with extra descriptor bits (AF is added unless noAf).</summary>
    public ulong Map(ulong ia, ulong oa, int level, ulong bits = 0, bool noAf = false)
    {
        ulong da = DescriptorAddress(ia, level);
        ulong desc = (oa & ~((1UL << Shift(level)) - 1)) | bits | (noAf ? 0 : 1UL << 10) | (level == 3 ? 3UL : 1UL);
        _mem[da] = desc;
        return da;
    }

    /// <summary>ORs bits into the table descriptor at <paramref name="level"/> on the path to <paramref name="ia"/>.</summary>
    public void SetTableBits(ulong ia, int level, ulong bits) => _mem[DescriptorAddress(ia, level)] |= bits;
}

internal static class Controls
{
    /// <summary>PARange 48 bits, 16-bit ASIDs, 4K/16K/64K granules implemented.</summary>
    public const ulong Mmfr0All = 0x0010_0025;

    public static uint Tg0(int g) => g switch { 12 => 0u, 16 => 1u, _ => 2u };
    public static uint Tg1(int g) => g switch { 12 => 2u, 16 => 3u, _ => 1u };

    /// <summary>EL1&amp;0 regime with TTBR0 only (EPD1), IPS 48 bits, MAIR: 0 Device-nGnRnE, 1 Normal WB, 2 Normal NC.</summary>
    public static TranslationControl El1(int granuleBits, int inputSize, ulong ttbr0, int el = 1, ulong sctlrExtra = 0,
        ulong tcrExtra = 0, bool pan = false)
        => new()
        {
            Regime = TranslationRegime.EL10,
            El = el,
            Sctlr = 1UL | (1UL << 2) | (1UL << 12) | sctlrExtra,
            Tcr = (ulong)(uint)(64 - inputSize) | ((ulong)Tg0(granuleBits) << 14) | (1UL << 23) | (5UL << 32) | tcrExtra,
            Ttbr0 = ttbr0,
            Mair = 0x00_44_FF_00,
            IdAa64Mmfr0 = Mmfr0All,
            Pan = pan,
        };

    public static TranslationControl El2(int granuleBits, int inputSize, ulong ttbr0, ulong sctlrExtra = 0, ulong tcrExtra = 0)
        => new()
        {
            Regime = TranslationRegime.EL2,
            El = 2,
            Sctlr = 1UL | (1UL << 2) | (1UL << 12) | sctlrExtra,
            Tcr = (ulong)(uint)(64 - inputSize) | ((ulong)Tg0(granuleBits) << 14) | (5UL << 16) | tcrExtra,
            Ttbr0 = ttbr0,
            Mair = 0x00_44_FF_00,
            IdAa64Mmfr0 = Mmfr0All,
        };

    /// <summary>VTCR_EL2 value.</summary>
    public static ulong Vtcr(int granuleBits, int inputSize, uint sl0, uint ps = 5)
        => (ulong)(uint)(64 - inputSize) | ((ulong)sl0 << 6) | ((ulong)Tg0(granuleBits) << 14) | ((ulong)ps << 16);

    /// <summary>Stage 2 attributes for a leaf: MemAttr Normal WB (0b1111), S2AP RW, inner shareable.</summary>
    public const ulong S2NormalRw = (0xFUL << 2) | (3UL << 6) | (3UL << 8);
}
