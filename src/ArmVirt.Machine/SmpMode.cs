namespace ArmVirt.Machine;

/// <summary>How a machine with several CPUs runs them (<see cref="MachineBuilder.WithSmpMode"/>, <c>--smp-mode</c>).</summary>
public enum SmpMode
{
    /// <summary>
    /// One host thread runs the CPUs round-robin in fixed quanta of virtual time: two runs give identical output and
    /// instruction and cycle counts, under both engines (the default).
    /// </summary>
    Deterministic,

    /// <summary>
    /// One host thread per CPU, as QEMU's MTTCG: the CPUs of a turn run at the same time, so the interleaving of their
    /// memory accesses, and with it output order and counts, depends on the host. Not deterministic. Virtual time still
    /// advances in turns (see Machine.Parallel.cs), so timers fire at the same virtual times as in deterministic mode.
    /// </summary>
    Parallel,
}
