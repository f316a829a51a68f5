using ArmVirt.Core;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// Cost of translating a block per guest instruction: forming it (fetch + decode), emitting IL and RyuJIT's compile
/// (forced by <see cref="BlockCompiler.Warm"/>), for each tier.
/// </summary>
[MemoryDiagnoser]
public class JitTranslationBenchmarks
{
    private const ulong RamBase = 0x4000_0000;
    private PhysicalBus _bus = null!;
    private Cpu.Cpu _cpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new PhysicalBus();
        _bus.AddRam(RamBase, 1 << 20);
        Load(RamBase, JitBenchmarks.Loop);
        Load(RamBase + 0x1000, JitBenchmarks.Straight);
        _cpu = new Cpu.Cpu(_bus, new VirtualClock());
    }

    private void Load(ulong at, uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
        _bus.Load(at, bytes);
    }

    [GlobalCleanup]
    public void Cleanup() => _bus.Dispose();

    /// <summary>The tier compiled.</summary>
    [Params(JitTier.Baseline, JitTier.Optimized)]
    public JitTier Tier { get; set; } = JitTier.Optimized;

    /// <summary>A 64-instruction block of mixed data processing.</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public object TranslateBlock64() => Translate(RamBase + 0x1000);

    /// <summary>The 5-instruction loop block.</summary>
    [Benchmark(OperationsPerInvoke = 5)]
    public object TranslateBlock5() => Translate(RamBase);

    private object Translate(ulong at)
    {
        var block = BlockBuilder.Build(_cpu, at);
        var code = BlockCompiler.Compile(block, 1, Tier);
        BlockCompiler.Warm(code);
        return code;
    }
}
