using ArmVirt.Core;
using ArmVirt.Cpu;
using ArmVirt.Cpu.Jit;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// The cost of leaving one compiled region for another: a loop that calls a function in the next page, so that every
/// iteration leaves its region twice (the BL, and the callee's RET), per loop iteration (5 guest instructions).
/// </summary>
[MemoryDiagnoser]
public class JitDispatchBenchmarks : JitGuestCode
{
    // loop: bl callee; subs x3, x3, #1; b.ne loop; b .
    internal static readonly uint[] CallLoop = [0x94000400, 0xF1000463, 0x54FFFFC1, 0x14000000];

    // callee (one page above the loop): add x0, x0, #1; ret
    internal static readonly uint[] Callee = [0x91000400, 0xD65F03C0];

    /// <summary>Loop iterations per benchmark invocation.</summary>
    public const int Iterations = 200_000;

    private Cpu.Cpu _jit = null!;

    [GlobalSetup]
    public void Setup()
    {
        LoadCode();
        _jit = new Cpu.Cpu(Bus, new VirtualClock()) { Engine = ExecutionEngine.Jit, JitBackgroundCompilation = false };
        CallAcrossPages(); // warm: both regions compiled
        CallAcrossPages();
    }

    /// <summary>One iteration: BL to the next page, ADD, RET back, SUBS, B.NE.</summary>
    [Benchmark(OperationsPerInvoke = Iterations)]
    public ulong CallAcrossPages()
    {
        _jit.ClearStop();
        _jit.State.PC = RamBase + 0x2000;
        _jit.State.X[3] = Iterations;
        _jit.Run(5 * Iterations);
        return _jit.State.X[0];
    }
}
