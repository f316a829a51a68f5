using ArmVirt.Core;

namespace ArmVirt.Cpu.Tests;

/// <summary>A CPU with 1 MiB of RAM at 0x4000_0000 and code placed at its base, for instruction tests.</summary>
internal sealed class CpuHarness : IDisposable
{
    public const ulong RamBase = 0x4000_0000;

    public CpuHarness(int highestEl = 1, params uint[] code)
    {
        Bus = new PhysicalBus();
        Ram = Bus.AddRam(RamBase, 1 << 20);
        Clock = new VirtualClock();
        Cpu = new Cpu(Bus, Clock, new CpuConfiguration { HighestEl = highestEl });
        Cpu.State.PC = RamBase;
        Load(RamBase, code);
    }

    public PhysicalBus Bus { get; }
    public RamRegion Ram { get; }
    public VirtualClock Clock { get; }
    public Cpu Cpu { get; }

    public void Load(ulong address, params uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
        Bus.Load(address, bytes);
    }

    /// <summary>Steps <paramref name="count"/> instructions.</summary>
    public void Step(int count = 1)
    {
        for (int i = 0; i < count; i++) Cpu.Step();
    }

    public ulong Read64(ulong pa) => Bus.TryRead(pa, 8, out ulong v) ? v : throw new InvalidOperationException();

    public void Dispose() => Bus.Dispose();
}
