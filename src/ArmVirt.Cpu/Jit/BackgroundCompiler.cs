using System.Collections.Concurrent;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// One low-priority background thread shared by every CPU that compiles queued blocks while the CPUs keep
/// interpreting them; the compiled code is published on the block and picked up at its next entry. Which
/// executions run compiled then depends on host timing, but the results do not: both tiers and the interpreter
/// give identical state, cycles and output.
/// </summary>
internal static class BackgroundCompiler
{
    private static readonly BlockingCollection<Request> Queue = new();
    private static readonly Lazy<Thread> Worker = new(() =>
    {
        var t = new Thread(Work) { IsBackground = true, Name = "ArmVirt JIT", Priority = ThreadPriority.BelowNormal };
        t.Start();
        return t;
    });

    private readonly record struct Request(Cpu Cpu, TranslationCache Cache, TranslationBlock Block, ulong CyclesPerInstruction, JitTier Tier);

    /// <summary>Queues a compile; the block is marked pending until it is done.</summary>
    public static void Enqueue(Cpu cpu, TranslationCache cache, TranslationBlock block, ulong cyclesPerInstruction, JitTier tier)
    {
        block.CompilePending = true;
        _ = Worker.Value;
        Queue.Add(new Request(cpu, cache, block, cyclesPerInstruction, tier));
    }

    private static void Work()
    {
        foreach (var r in Queue.GetConsumingEnumerable())
        {
            try
            {
                if (!r.Block.Invalidated) r.Cache.Compile(r.Block, r.CyclesPerInstruction, r.Tier, r.Cpu);
            }
            finally
            {
                r.Block.CompilePending = false;
            }
        }
    }
}
