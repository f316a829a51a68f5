using ArmVirt.Core;
using ArmVirt.Cpu.A64.SimdFp;
using BenchmarkDotNet.Attributes;

namespace ArmVirt.Bench;

/// <summary>
/// Hot SIMD&amp;FP instructions with the host-accelerated paths (AES-NI, PCLMULQDQ, Vector128, host doubles) against
/// the portable fallbacks: one loop of AESE, AESMC, PMULL (64-bit), ADD (vector) and FADD (double).
/// </summary>
[MemoryDiagnoser]
public class SimdAccelerationBenchmarks
{
    private const ulong RamBase = 0x4000_0000;
    // l: aese v0.16b, v1.16b; aesmc v0.16b, v0.16b; pmull v2.1q, v3.1d, v4.1d; add v5.4s, v5.4s, v6.4s; fadd d7, d7, d8; b l
    private static readonly uint[] Loop = [0x4E284820, 0x4E286800, 0x0EE4E062, 0x4EA684A5, 0x1E6828E7, 0x17FFFFFB];
    private const int Instructions = 60_000;
    private PhysicalBus _bus = null!;
    private Cpu.Cpu _cpu = null!;

    /// <summary>True: host intrinsics; false: the portable code.</summary>
    [Params(true, false)]
    public bool Accelerated { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Crypto.UseHostIntrinsics = Accelerated && System.Runtime.Intrinsics.X86.Aes.IsSupported;
        CarrylessMultiply.UseHostIntrinsics = Accelerated && System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported;
        HostVectorOps.Enabled = Accelerated;
        HostFloatingPoint.Enabled = Accelerated;
        _bus = new PhysicalBus();
        _bus.AddRam(RamBase, 1 << 20);
        var bytes = new byte[Loop.Length * 4];
        Buffer.BlockCopy(Loop, 0, bytes, 0, bytes.Length);
        _bus.Load(RamBase, bytes);
        _cpu = new Cpu.Cpu(_bus, new VirtualClock());
        _cpu.Sys.Cpacr = 3UL << 20; // CPACR_EL1.FPEN: SIMD&FP enabled at EL1
    }

    [GlobalCleanup]
    public void Cleanup() => _bus.Dispose();

    [Benchmark(OperationsPerInvoke = Instructions)]
    public ulong HotSimdLoop()
    {
        _cpu.State.PC = RamBase;
        for (int i = 0; i < Instructions; i++) _cpu.Step();
        return _cpu.State.Instructions;
    }
}
