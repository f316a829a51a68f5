using ArmVirt.Core;
using ArmVirt.Cpu;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>Decode and interpret cost of a small integer loop (guest instructions per host second).</summary>
[MemoryDiagnoser]
public class InterpreterBenchmarks
{
    private const ulong RamBase = 0x4000_0000;
    private PhysicalBus _bus = null!;
    private Cpu.Cpu _cpu = null!;

    // loop: add x0, x0, #1; eor x1, x1, x0; lsl x2, x1, #3; subs x3, x3, #1; b.ne loop; (then) b .
    private static readonly uint[] Loop = [0x91000400, 0xCA000021, 0xD37DF022, 0xF1000463, 0x54FFFF81, 0x14000000];

    /// <summary>Instructions per benchmark invocation.</summary>
    public const int Instructions = 100_000;

    [GlobalSetup]
    public void Setup()
    {
        _bus = new PhysicalBus();
        _bus.AddRam(RamBase, 1 << 20);
        var bytes = new byte[Loop.Length * 4];
        Buffer.BlockCopy(Loop, 0, bytes, 0, bytes.Length);
        _bus.Load(RamBase, bytes);
        _cpu = new Cpu.Cpu(_bus, new VirtualClock());
    }

    [GlobalCleanup]
    public void Cleanup() => _bus.Dispose();

    [Benchmark(OperationsPerInvoke = Instructions)]
    public ulong InterpretLoop()
    {
        _cpu.State.PC = RamBase;
        _cpu.State.X[3] = ulong.MaxValue;
        for (int i = 0; i < Instructions; i++) _cpu.Step();
        return _cpu.State.X[1];
    }

    [Benchmark(OperationsPerInvoke = 6)]
    public int DecodeSix()
    {
        int n = 0;
        foreach (uint insn in Loop) n += _cpu.Decoder.Decode(insn).Name.Length;
        return n;
    }
}
