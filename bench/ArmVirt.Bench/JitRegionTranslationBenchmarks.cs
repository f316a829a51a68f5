using ArmVirt.Core;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// Cost per guest instruction of the optimized tier as the CPU compiles it: forming the block, forming its region
/// (the reachable code of the page), emitting the region's IL and RyuJIT's compile.
/// </summary>
[MemoryDiagnoser]
public class JitRegionTranslationBenchmarks : JitGuestCode
{
    private Cpu.Cpu _cpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        LoadCode();
        _cpu = new Cpu.Cpu(Bus, new VirtualClock());
    }


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
