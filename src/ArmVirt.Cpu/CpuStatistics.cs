namespace ArmVirt.Cpu;

/// <summary>
/// Where a CPU's time went (<c>armvirt --stats</c>): instructions retired by each engine tier, exceptions taken,
/// MMIO accesses and translation table walks. Counted on the CPU's own thread; read them after <see cref="Cpu.Run"/>.
/// </summary>
public sealed class CpuStatistics
{
    /// <summary>Instructions retired by compiled code, by <see cref="Jit.JitTier"/> (index 1 baseline blocks, 2 regions).</summary>
    internal readonly ulong[] RetiredByTier = new ulong[3];

    /// <summary>Instructions retired by the interpreter's per-instruction loop (including those of the JIT's cold code).</summary>
    public ulong InstructionsStepped { get; internal set; }

    /// <summary>Instructions retired by the predecoded block interpreter (the JIT engine's first tier).</summary>
    public ulong InstructionsPredecoded { get; internal set; }

    /// <summary>Instructions retired by compiled baseline blocks.</summary>
    public ulong InstructionsBaseline => RetiredByTier[(int)Jit.JitTier.Baseline];

    /// <summary>Instructions retired by compiled regions.</summary>
    public ulong InstructionsRegions => RetiredByTier[(int)Jit.JitTier.Optimized];

    /// <summary>Entries into compiled code (a block or a region) from the execution loop.</summary>
    public ulong CompiledEntries { get; internal set; }

    /// <summary>
    /// Calls from a compiled region to code outside it (a BL or BLR to another page) that ran compiled and came back into
    /// the region without returning to the execution loop.
    /// </summary>
    public ulong CallOutsReturned { get; internal set; }

    /// <summary>Runs of predecoded blocks.</summary>
    public ulong PredecodedRuns { get; internal set; }

    /// <summary>Exceptions taken (synchronous, IRQ, FIQ, SError), by target exception level 0-3.</summary>
    public ulong[] ExceptionsTaken { get; } = new ulong[4];

    /// <summary>Times the compiled regions' host TLB was emptied (a regime change or a TLB invalidation).</summary>
    public ulong HostTlbFlushes { get; internal set; }

    /// <summary>Loads and stores that reached a device (MMIO) rather than RAM.</summary>
    public ulong MmioAccesses { get; internal set; }

    /// <summary>Data and instruction accesses that missed the TLB and walked the translation tables.</summary>
    public long TlbFills => _cpu.Translator.Walks;

    private readonly Cpu _cpu;

    internal CpuStatistics(Cpu cpu) => _cpu = cpu;
}
