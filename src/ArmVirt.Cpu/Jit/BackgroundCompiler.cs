namespace ArmVirt.Cpu.Jit;

/// <summary>
/// One low-priority background thread shared by every CPU that compiles queued blocks while the CPUs keep
/// interpreting them; the compiled code is published on the block and picked up at its next entry. Which
/// executions run compiled then depends on host timing, but the results do not: both tiers and the interpreter
/// give identical state, cycles and output.
/// </summary>
/// <remarks>
/// The next compile is the waiting request whose block was entered most often since it was queued (ties: the oldest),
/// not the oldest request: a boot moves from one phase to the next faster than the queue drains, so first come first
/// served compiled code after its phase had ended while the code running now waited behind it (measured on the EL1
/// Linux boot, src/ArmVirt.Cpu/Jit/README.md). A request whose block is no longer entered waits until nothing hotter
/// is queued.
/// </remarks>
internal static class BackgroundCompiler
{
    private static readonly object Gate = new();
    private static readonly List<Request> Queue = [];
    private static readonly Lazy<Thread> Worker = new(() =>
    {
        var t = new Thread(Work) { IsBackground = true, Name = "ArmVirt JIT", Priority = ThreadPriority.BelowNormal };
        t.Start();
        return t;
    });

    /// <summary>Requests queued and not yet taken by the compile thread (read without the lock: a hint).</summary>
    public static int Waiting => Volatile.Read(ref _waiting);
    private static int _waiting;

    private readonly record struct Request(Cpu Cpu, TranslationCache Cache, TranslationBlock Block, ulong CyclesPerInstruction,
        JitTier Tier, long EntriesWhenQueued);

    /// <summary>Queues a compile; the block is marked pending until it is done.</summary>
    public static void Enqueue(Cpu cpu, TranslationCache cache, TranslationBlock block, ulong cyclesPerInstruction, JitTier tier)
    {
        block.CompilePending = true;
        _ = Worker.Value;
        lock (Gate)
        {
            Queue.Add(new Request(cpu, cache, block, cyclesPerInstruction, tier, block.ExecutionCount));
            Volatile.Write(ref _waiting, Queue.Count);
            if (Queue.Count == 1) Monitor.Pulse(Gate);
        }
    }

    private static void Work()
    {
        while (true)
        {
            Request r;
            lock (Gate)
            {
                while (Queue.Count == 0) Monitor.Wait(Gate);
                r = TakeHottest();
                Volatile.Write(ref _waiting, Queue.Count);
            }
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

    // The request whose block gained the most entries while it waited (the first of equals: the oldest). The counts are
    // read while the CPUs update them: a stale count only changes the order.
    private static Request TakeHottest()
    {
        int best = 0;
        long bestGain = long.MinValue;
        for (int i = 0; i < Queue.Count; i++)
        {
            var w = Queue[i];
            long gain = w.Block.Invalidated ? long.MaxValue : w.Block.ExecutionCount - w.EntriesWhenQueued;
            if (gain > bestGain)
            {
                bestGain = gain;
                best = i;
            }
        }
        var r = Queue[best];
        Queue.RemoveAt(best);
        return r;
    }
}
