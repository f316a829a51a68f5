using ArmVirt.Core;
using ArmVirt.Cpu;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// What a KVM host pays per exit (issue #15, item 4): an exception taken and returned, and an MMIO access, in ns per
/// round trip (or per access), under the interpreter and under the JIT with the code hot (regions compiled during
/// <see cref="Setup"/>). Each benchmark runs a guest loop of <see cref="Trips"/> round trips through
/// <see cref="Cpu.Cpu.Run"/>; the guest code is <see cref="ExceptionGuestCode"/>.
/// </summary>
[MemoryDiagnoser]
public class ExceptionBenchmarks
{
    /// <summary>Round trips (or MMIO loop iterations) per benchmark invocation.</summary>
    public const int Trips = 20_000;

    /// <summary>The engine every benchmark runs under.</summary>
    [Params(ExecutionEngine.Interpreter, ExecutionEngine.Jit)]
    public ExecutionEngine Engine { get; set; }

    private ExceptionGuestCode _code = null!;
    private ExceptionGuestCode.Scenario _hvc = null!, _svc = null!, _stage2 = null!, _mmio = null!, _irq = null!, _undefined = null!;

    [GlobalSetup]
    public void Setup()
    {
        _code = new ExceptionGuestCode();
        _hvc = _code.Create(ExceptionGuestCode.Kind.Hvc, Engine);
        _svc = _code.Create(ExceptionGuestCode.Kind.Svc, Engine);
        _stage2 = _code.Create(ExceptionGuestCode.Kind.Stage2Abort, Engine);
        _mmio = _code.Create(ExceptionGuestCode.Kind.Mmio, Engine);
        _irq = _code.Create(ExceptionGuestCode.Kind.Irq, Engine);
        _undefined = _code.Create(ExceptionGuestCode.Kind.Undefined, Engine);
        // Warm: under the JIT, enough trips that every block of the loop and of the handler passes the optimize
        // threshold and runs as a compiled region; each run is checked (exceptions taken, device accesses, PC).
        foreach (var s in new[] { _hvc, _svc, _stage2, _mmio, _irq, _undefined })
            for (int i = 0; i < 3; i++) s.RunChecked(Trips);
    }

    [GlobalCleanup]
    public void Cleanup() => _code.Dispose();

    /// <summary>HVC from EL1 to an EL2 handler that is only an ERET.</summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public ulong HvcEretRoundTrip() => _hvc.Run(Trips);

    /// <summary>
    /// An unallocated instruction at EL1 taken to EL1's synchronous vector, whose handler steps ELR_EL1 past it and
    /// ERETs (#22: a guest whose vector holds garbage takes one per instruction).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public ulong UndefinedRoundTrip() => _undefined.Run(Trips);

    /// <summary>SVC from EL0 to an EL1 handler that is only an ERET.</summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public ulong SvcEretRoundTrip() => _svc.Run(Trips);

    /// <summary>
    /// KVM's MMIO exit: an EL1 store to an IPA stage 2 does not map, taken to EL2 (ISV syndrome, HPFAR); the handler
    /// reads ESR_EL2, HPFAR_EL2 and ELR_EL2, advances ELR_EL2 past the store and ERETs.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public ulong Stage2DataAbortRoundTrip() => _stage2.Run(Trips);

    /// <summary>One MMIO access (a 32-bit store or load of a device register) from a loop of STR; LDR at EL1.</summary>
    [Benchmark(OperationsPerInvoke = 2 * Trips)]
    public ulong MmioAccess() => _mmio.Run(Trips);

    /// <summary>
    /// An IRQ taken and returned: a store to a device raises the CPU's IRQ line, the EL1 handler acknowledges it
    /// (a store that lowers the line) and ERETs.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Trips)]
    public ulong IrqRoundTrip() => _irq.Run(Trips);
}
