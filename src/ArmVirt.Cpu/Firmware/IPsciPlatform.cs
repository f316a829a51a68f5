namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// The machine-level actions behind PSCI: which cores exist, powering them on and off, and system power.
/// <see cref="PsciFirmware"/> validates arguments and encodes results; the platform only acts.
/// MPIDR values are affinity fields only (Aff3 in bits 39..32, Aff2..Aff0 in bits 23..0), as PSCI passes them.
/// </summary>
internal interface IPsciPlatform
{
    /// <summary>True when a core with affinity <paramref name="mpidr"/> exists in the system.</summary>
    bool CpuExists(Cpu caller, ulong mpidr);

    /// <summary>
    /// CPU_ON for an existing core: starts it at <paramref name="entryPoint"/> in the highest Non-secure EL (EL2 when implemented)
    /// (see <see cref="PsciFirmware.PrepareCpuForEntry"/>) with X0 = <paramref name="contextId"/>, and returns
    /// <see cref="PsciReturn.Success"/>, <see cref="PsciReturn.AlreadyOn"/>, <see cref="PsciReturn.OnPending"/>
    /// or <see cref="PsciReturn.InternalFailure"/>. The entry point was already checked to lie in RAM.
    /// </summary>
    PsciReturn CpuOn(Cpu caller, ulong targetMpidr, ulong entryPoint, ulong contextId);

    /// <summary>CPU_OFF: powers the calling core down. On success the call does not return to the guest.</summary>
    void CpuOff(Cpu caller);

    /// <summary>AFFINITY_INFO at affinity level 0 for an existing core.</summary>
    PsciAffinityState AffinityInfo(Cpu caller, ulong targetMpidr);

    /// <summary>SYSTEM_OFF: powers the whole system off.</summary>
    void SystemOff(Cpu caller);

    /// <summary>SYSTEM_RESET (cold) or SYSTEM_RESET2 SYSTEM_WARM_RESET (<paramref name="warm"/>): resets the system.</summary>
    void SystemReset(Cpu caller, bool warm);
}
