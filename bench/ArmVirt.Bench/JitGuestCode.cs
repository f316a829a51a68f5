using ArmVirt.Core;

namespace ArmVirt.Bench;

/// <summary>
/// The guest code the JIT benchmarks run and translate: 1 MiB of RAM at 0x4000_0000 holding
/// <see cref="JitBenchmarks.Loop"/> at the base, <see cref="JitBenchmarks.Straight"/> one page above, and
/// <see cref="JitDispatchBenchmarks.CallLoop"/> and its <see cref="JitDispatchBenchmarks.Callee"/> in the two pages after.
/// </summary>
public abstract class JitGuestCode
{
    /// <summary>Guest address of the loop; the 64-instruction block is one page above.</summary>
    protected const ulong RamBase = 0x4000_0000;

    /// <summary>The bus holding the code (created by <see cref="LoadCode"/>).</summary>
    protected PhysicalBus Bus { get; private set; } = null!;

    /// <summary>Creates the bus and loads both programs.</summary>
    protected void LoadCode()
    {
        Bus = new PhysicalBus();
        Bus.AddRam(RamBase, 1 << 20);
        Load(RamBase, JitBenchmarks.Loop);
        Load(RamBase + 0x1000, JitBenchmarks.Straight);
        Load(RamBase + 0x2000, JitDispatchBenchmarks.CallLoop);
        Load(RamBase + 0x3000, JitDispatchBenchmarks.Callee);
    }

    private void Load(ulong at, uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
        Bus.Load(at, bytes);
    }

    /// <summary>Releases the guest RAM.</summary>
    [BenchmarkDotNet.Attributes.GlobalCleanup]
    public void Cleanup() => Bus.Dispose();
}
