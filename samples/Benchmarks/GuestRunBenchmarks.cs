using ArmVirt.Cpu;
using ArmVirt.Devices;
using ArmVirt.Machine;
using BenchmarkDotNet.Attributes;

namespace Benchmarks;

/// <summary>
/// Times a whole guest run, from its entry to its PSCI SYSTEM_OFF, on one machine built once: each iteration starts
/// from <see cref="Machine.Reset"/>, as a power cycle does, so the JIT's translations (kept across a reset) are
/// warm after the first. Every iteration must retire the same instructions in the same virtual cycles and print the
/// same console bytes as the first, or the benchmark fails: a reset machine runs its guest identically.
/// </summary>
[Config(typeof(GuestMipsConfig))]
public class GuestRunBenchmarks
{
    /// <summary>The guest, beside the program: tests/guests/cpubench.c with 2 rounds.</summary>
    public const string Guest = "cpubench_quick.elf";

    private sealed class Console : ISerialBackend
    {
        public readonly List<byte> Bytes = [];
        public void Write(byte value) => Bytes.Add(value);
    }

    private readonly Console _console = new();
    private Machine _machine = null!;
    private ulong _instructionsBefore, _cyclesBefore;
    private (ulong Instructions, ulong Cycles, byte[] Output)? _first;
    private int _iterations;
    private string? _difference;

    [Params(ExecutionEngine.Jit, ExecutionEngine.Interpreter)]
    public ExecutionEngine Engine { get; set; }

    public static Machine Build(ExecutionEngine engine, ISerialBackend console) => new MachineBuilder()
        .WithKernel(Path.Combine(AppContext.BaseDirectory, Guest))
        .WithEngine(engine)
        .WithSerial(console)
        .Build();

    [GlobalSetup]
    public void Setup() => _machine = Build(Engine, _console);

    [IterationSetup]
    public void StartAfresh()
    {
        _machine.Reset();
        _console.Bytes.Clear();
        _instructionsBefore = _machine.InstructionsExecuted;
        _cyclesBefore = _machine.CyclesExecuted;
    }

    [Benchmark(Description = "cpubench_quick, entry to power-off")]
    public StopReason WholeGuestRun()
    {
        MachineExit exit = _machine.Run();
        return exit.Reason == StopReason.PowerOff ? exit.Reason : throw new InvalidOperationException($"the guest stopped: {exit.Reason} {exit.Message}");
    }

    [IterationCleanup]
    public void CheckTheRunWasTheSame()
    {
        var run = (_machine.InstructionsExecuted - _instructionsBefore, _machine.CyclesExecuted - _cyclesBefore, _console.Bytes.ToArray());
        _first ??= run;
        _iterations++;
        if (run.Item1 != _first.Value.Instructions || run.Item2 != _first.Value.Cycles || !run.Item3.AsSpan().SequenceEqual(_first.Value.Output))
        {
            _difference ??= $"iteration {_iterations} after Reset: {run.Item1} instructions, {run.Item2} cycles, " +
                            $"{run.Item3.Length} console bytes; the first: {_first.Value.Instructions}, {_first.Value.Cycles}, {_first.Value.Output.Length}";
            throw new InvalidOperationException(_difference);
        }
    }

    [GlobalCleanup]
    public void Report()
    {
        if (_difference != null)
            System.Console.WriteLine($"// {Engine}: runs after Reset differ: {_difference}");
        else if (_first is { } f)
            System.Console.WriteLine($"// {Engine}: runs after Reset: {_iterations}, each {f.Instructions} instructions, {f.Cycles} cycles, " +
                                     $"{f.Output.Length} console bytes: identical");
        _machine.Dispose();
    }
}
