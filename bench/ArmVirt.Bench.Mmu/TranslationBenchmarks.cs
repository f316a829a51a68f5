using ArmVirt.Core;
using ArmVirt.Mmu;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench.Mmu;

/// <summary>
/// TLB hit (fast path and the full TranslateCached path) against a full 4-level 4 KiB walk, with and without
/// stage 2. Run: <c>dotnet run -c Release --project bench/ArmVirt.Bench.Mmu -- --filter '*'</c>. The memory
/// diagnoser must show 0 bytes allocated for every benchmark.
/// </summary>
[MemoryDiagnoser]
public class TranslationBenchmarks
{
    private const ulong RamBase = 0x4000_0000;
    private const ulong Va = 0x0000_7F12_3456_7000;
    private PhysicalBus _bus = null!;
    private AddressTranslator _xlat = null!;
    private TranslationControl _s1;
    private TranslationControl _s12;
    private ulong _context;
    private PermissionCheck _read;
    private ulong _next;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new PhysicalBus();
        _bus.AddRam(RamBase, 64UL << 20);
        var mem = new PhysicalBusMemory(_bus);
        _xlat = new AddressTranslator(mem);
        _next = RamBase + 0x100_0000;

        // Stage 1: 48-bit VA, 4 KiB granule, four levels, one page.
        ulong s1Root = Alloc();
        ulong table = s1Root;
        for (int level = 0; level < 3; level++)
        {
            ulong next = Alloc();
            Write(table + Index(Va, level) * 8, next | 3);
            table = next;
        }
        Write(table + Index(Va, 3) * 8, (RamBase + 0x5000) | (1UL << 10) | (3UL << 8) | (1UL << 2) | 3);

        // Stage 2: identity map of the RAM with 2 MiB blocks, 40-bit IPA, start level 1 (two concatenated tables).
        ulong s2Root = (Alloc() + 0x1FFF) & ~0x1FFFUL;
        Alloc(); Alloc();
        ulong l2 = Alloc();
        Write(s2Root + ((RamBase >> 30) & 1023) * 8, l2 | 3);
        for (ulong i = 0; i < 32; i++)
            Write(l2 + (((RamBase >> 21) + i) & 511) * 8, (RamBase + (i << 21)) | (1UL << 10) | (3UL << 8) | (3UL << 6) | (0xFUL << 2) | 1);

        _s1 = new TranslationControl
        {
            Regime = TranslationRegime.EL10,
            El = 1,
            Sctlr = 1 | 4 | (1 << 12),
            Tcr = 16 | (1UL << 23) | (5UL << 32),
            Ttbr0 = s1Root,
            Mair = 0xFF00,
            IdAa64Mmfr0 = 0x1125,
        };
        _s12 = _s1 with { El2Enabled = true, Hcr = 1, Vtcr = 24 | (1UL << 6) | (5UL << 16), Vttbr = s2Root | (3UL << 48) };
        _context = _s1.TlbContext;
        _read = PermissionCheck.For(in _s1, AccessType.Read);
        if (_xlat.Translate(in _s1, Va, AccessType.Read).IsFault || _xlat.Translate(in _s12, Va, AccessType.Read).IsFault)
            throw new InvalidOperationException("benchmark tables do not translate");
        _xlat.TranslateCached(in _s1, Va, AccessType.Read);
    }

    private ulong Alloc()
    {
        ulong a = _next;
        _next += 0x1000;
        return a;
    }

    private void Write(ulong pa, ulong value) => _bus.TryWrite(pa, 8, value);

    private static ulong Index(ulong va, int level) => (va >> (12 + 9 * (3 - level))) & 511;

    [GlobalCleanup]
    public void Cleanup() => _bus.Dispose();

    [Benchmark(Baseline = true, Description = "TLB hit: TryGetHostAddress")]
    public nint TlbHitFastPath()
    {
        _xlat.Tlb.TryGetHostAddress(Va + 0x18, _context, _read, false, out nint host);
        return host;
    }

    [Benchmark(Description = "TLB hit: TranslateCached")]
    public ulong TlbHitTranslateCached() => _xlat.TranslateCached(in _s1, Va + 0x18, AccessType.Read).PhysicalAddress;

    [Benchmark(Description = "Full 4-level walk, stage 1 only")]
    public ulong Walk4Level() => _xlat.Translate(in _s1, Va + 0x18, AccessType.Read).PhysicalAddress;

    [Benchmark(Description = "Full 4-level walk + stage 2 (2 levels per descriptor)")]
    public ulong Walk4LevelWithStage2() => _xlat.Translate(in _s12, Va + 0x18, AccessType.Read).PhysicalAddress;
}
