using ArmVirt.Core;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// Cost of translating a block per guest instruction: forming it (fetch + decode), emitting IL and RyuJIT's compile
/// (forced by <see cref="BlockCompiler.Warm"/>), for each tier.
/// </summary>
[MemoryDiagnoser]
public class JitTranslationBenchmarks : JitGuestCode
{
    private Cpu.Cpu _cpu = null!;

    [GlobalSetup]
    public void Setup()
    {
        LoadCode();
        _cpu = new Cpu.Cpu(Bus, new VirtualClock());
    }


    /// <summary>The tier compiled (<see cref="JitTier"/>'s name: the enum is internal to ArmVirt.Cpu, and BenchmarkDotNet's
    /// generated project, which sets the parameter, is not a friend assembly).</summary>
    [Params(nameof(JitTier.Baseline), nameof(JitTier.Optimized))]
    public string Tier { get; set; } = nameof(JitTier.Optimized);

    /// <summary>A 64-instruction block of mixed data processing.</summary>
    [Benchmark(OperationsPerInvoke = 64)]
    public object TranslateBlock64() => Translate(RamBase + 0x1000);

    /// <summary>The 5-instruction loop block.</summary>
    [Benchmark(OperationsPerInvoke = 5)]
    public object TranslateBlock5() => Translate(RamBase);

    private object Translate(ulong at)
    {
        var block = BlockBuilder.Build(_cpu, at);
        var code = BlockCompiler.Compile(block, 1, Enum.Parse<JitTier>(Tier));
        BlockCompiler.Warm(code);
        return code;
    }
}
