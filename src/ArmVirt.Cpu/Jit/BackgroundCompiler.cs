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

    /// <summary>
    /// True while the compile thread has had a core of its own: its recent compiles ran for at least 90% of their wall
    /// time (a busy host preempts it). Unknown (false) where the thread's CPU time cannot be read.
    /// </summary>
    public static bool HasSpareCore => Volatile.Read(ref _spareCore);
    private static bool _spareCore = OperatingSystem.IsLinux();
    private static double _coreShare = 1;

    // The share of a core the compile thread got over its recent compiles (an exponential average of CPU / wall time;
    // compiles shorter than 0.2 ms say too little).
    private static void NoteCoreShare(long wallNs, long cpuNs)
    {
        if (cpuNs < 0 || wallNs < 200_000) return;
        _coreShare = 0.75 * _coreShare + 0.25 * Math.Min(1.0, (double)cpuNs / wallNs);
        Volatile.Write(ref _spareCore, _coreShare >= 0.9);
    }

    // CLOCK_THREAD_CPUTIME_ID (Linux): the calling thread's CPU time in ns, or -1.
    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux()) return -1;
        return ClockGetTime(3, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : -1;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

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
            long wall = System.Diagnostics.Stopwatch.GetTimestamp(), cpu = ThreadCpuNanoseconds();
            try
            {
                if (!r.Block.Invalidated) r.Cache.Compile(r.Block, r.CyclesPerInstruction, r.Tier, r.Cpu);
            }
            finally
            {
                r.Block.CompilePending = false;
            }
            NoteCoreShare(System.Diagnostics.Stopwatch.GetElapsedTime(wall).Ticks * 100, ThreadCpuNanoseconds() - cpu);
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
