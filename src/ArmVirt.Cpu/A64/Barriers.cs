namespace ArmVirt.Cpu.A64;

/// <summary>
/// CLREX and the barriers (C6.2.56 CLREX, C6.2.88 DMB, C6.2.90 DSB, C6.2.112 ISB). One in-order PE executing one
/// instruction at a time already gives the ordering DMB/DSB require; ISB's context synchronization is implicit
/// because every instruction sees the system register writes before it (a JIT ends its block at an ISB).
/// </summary>
internal static class Barriers
{
    /// <summary>
    /// Set once a parallel SMP domain exists in the process (<see cref="InnerShareableDomain.Parallel"/>): compiled code
    /// then calls DMB and DSB (which fence only on a parallel CPU) instead of eliding them, as x86 lets a store pass a
    /// later load and a guest's DMB ISH forbids that.
    /// </summary>
    internal static volatile bool HostFences;

    /// <summary>CLREX: ClearExclusiveLocal.</summary>
    public static void Clrex(Cpu cpu, uint insn) => cpu.ClearExclusiveLocal();

    /// <summary>
    /// DSB (including SSBB/PSSBB): completes outstanding accesses, which are always complete here; with CPUs on several
    /// host threads (<see cref="Cpu.Parallel"/>) a host full fence, as the host may let a store pass a later load, and
    /// the completion of the TLB and instruction cache maintenance this PE broadcast (every other PE has applied it).
    /// </summary>
    public static void Dsb(Cpu cpu, uint insn)
    {
        if (!cpu.Parallel) return;
        Interlocked.MemoryBarrier();
        cpu.CompleteBroadcastMaintenance();
    }

    /// <summary>DMB: orders accesses, which an in-order single-access interpreter always does (a host fence as DSB's).</summary>
    public static void Dmb(Cpu cpu, uint insn)
    {
        if (cpu.Parallel) Interlocked.MemoryBarrier();
    }

    /// <summary>ISB: context synchronization.</summary>
    public static void Isb(Cpu cpu, uint insn) { }
}
