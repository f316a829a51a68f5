using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// The JIT (its predecoded first tier and both compiled tiers) against the interpreter on the same integer loop, per
/// guest instruction, all through
/// <see cref="Cpu.Cpu.Run"/>. Translation cost is in <see cref="JitTranslationBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class JitBenchmarks : JitGuestCode
{
    private Cpu.Cpu _interp = null!;
    private Cpu.Cpu _jit = null!;
    private Cpu.Cpu _jitBaseline = null!;
    private Cpu.Cpu _predecoded = null!;

    // loop: add x0, x0, #1; eor x1, x1, x0; lsl x2, x1, #3; subs x3, x3, #1; b.ne loop; (then) b .
    internal static readonly uint[] Loop = [0x91000400, 0xCA000021, 0xD37DF022, 0xF1000463, 0x54FFFF81, 0x14000000];

    // 63 data-processing instructions of mixed kinds and a branch: one maximal block.
    internal static readonly uint[] Straight = Enumerable.Range(0, 63)
        .Select(i => (i % 7) switch
        {
            0 => 0x91000400u,  // add x0, x0, #1
            1 => 0xCA000021u,  // eor x1, x1, x0
            2 => 0xD37DF022u,  // lsl x2, x1, #3
            3 => 0xF1000463u,  // subs x3, x3, #1
            4 => 0x9A89816Cu,  // csel x12, x11, x9, hi
            5 => 0x9B01292Au,  // madd x10, x9, x1, x10
            _ => 0x8B021443u,  // add x3, x2, x2, lsl #5
        })
        .Append(0x14000000u).ToArray();

    /// <summary>Guest instructions per loop benchmark invocation.</summary>
    public const int Instructions = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        LoadCode();
        _interp = new Cpu.Cpu(Bus, new VirtualClock());
        _jit = new Cpu.Cpu(Bus, new VirtualClock()) { Engine = ExecutionEngine.Jit, JitBackgroundCompilation = false };
        _jitBaseline = new Cpu.Cpu(Bus, new VirtualClock())
        {
            Engine = ExecutionEngine.Jit, JitBackgroundCompilation = false, JitOptimizeThreshold = long.MaxValue,
            JitBaselineMinimumLength = 0,
        };
        _predecoded = new Cpu.Cpu(Bus, new VirtualClock())
        {
            Engine = ExecutionEngine.Jit, JitThreshold = int.MaxValue, JitOptimizeThreshold = long.MaxValue,
        };
        RunLoop(_jit); // warm: the loop block is compiled and optimized
        RunLoop(_jitBaseline);
    }


    private static ulong RunLoop(Cpu.Cpu cpu)
    {
        cpu.ClearStop();
        cpu.State.PC = RamBase;
        cpu.State.X[3] = ulong.MaxValue;
        cpu.Run(Instructions);
        return cpu.State.X[1];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Instructions)]
    public ulong InterpreterLoop() => RunLoop(_interp);

    [Benchmark(OperationsPerInvoke = Instructions)]
    public ulong JitLoopOptimized() => RunLoop(_jit);

    [Benchmark(OperationsPerInvoke = Instructions)]
    public ulong JitLoopBaseline() => RunLoop(_jitBaseline);

    /// <summary>The JIT engine's first tier: the loop's block run from its predecoded form, never compiled.</summary>
    [Benchmark(OperationsPerInvoke = Instructions)]
    public ulong PredecodedLoop() => RunLoop(_predecoded);
}
