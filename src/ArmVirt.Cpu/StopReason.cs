namespace ArmVirt.Cpu;

/// <summary>Why a CPU stopped running.</summary>
public enum StopReason
{
    /// <summary>Still running.</summary>
    None,
    /// <summary>PSCI SYSTEM_OFF.</summary>
    PowerOff,
    /// <summary>PSCI SYSTEM_RESET.</summary>
    Reset,
    /// <summary>Semihosting SYS_EXIT / SYS_EXIT_EXTENDED.</summary>
    SemihostingExit,
    /// <summary>The instruction budget ran out.</summary>
    InstructionLimit,
    /// <summary>WFI with interrupts masked or no source that could ever wake the CPU.</summary>
    Halted,
    /// <summary>A condition the emulator does not model, or a strict-mode error; see <see cref="Cpu.StopMessage"/>.</summary>
    Error,
    /// <summary>The host asked the CPU to stop.</summary>
    HostRequest,
    /// <summary>
    /// A host breakpoint (<see cref="Cpu.Breakpoints"/>) or <see cref="Cpu.RunUntil"/>'s address: the PC is on the
    /// instruction, which has not executed.
    /// </summary>
    Breakpoint,
    /// <summary>
    /// A host watchpoint (<see cref="Cpu.Watchpoints"/>, <see cref="Cpu.LastWatchpointHit"/>): the PC is on the accessing
    /// instruction, which has not retired.
    /// </summary>
    Watchpoint,
    /// <summary>
    /// Parallel SMP only (<see cref="InnerShareableDomain.Parallel"/>): another PE queued work for this one (a broadcast
    /// TLBI or IC, a store to its code, an event) or the machine asked it to look at its state, so it left its
    /// execution loop at the next point where it checks for a stop. The machine applies the work and resumes it.
    /// </summary>
    PeerRequest,
}
