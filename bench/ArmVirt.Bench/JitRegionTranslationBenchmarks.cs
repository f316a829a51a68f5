using ArmVirt.Core;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// Cost per guest instruction of the optimized tier as the CPU compiles it: forming the block, forming its region
/// (the reachable code of the page), emitting the region's IL in two passes and RyuJIT's compile.
/// </summary>
[MemoryDiagnoser]
public class JitRegionTranslationBenchmarks
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

    /// <summary>The region of the 64-instruction block (its 63 instructions and the closing branch).</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public object TranslateRegion64() => Translate(RamBase + 0x1000);

    /// <summary>The region of the loop (5 instructions and the closing branch).</summary>
    [Benchmark(OperationsPerInvoke = 6)]
    public object TranslateRegion6() => Translate(RamBase);

    private object Translate(ulong at)
    {
        var block = BlockBuilder.Build(_cpu, at);
        new TranslationCache().Compile(block, 1, JitTier.Optimized, _cpu);
        return block.Code!;
    }
}
