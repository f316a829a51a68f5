namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// The PSCI platform of a machine with one core: the caller is the only CPU. CPU_ON of any other MPIDR is
/// INVALID_PARAMETERS, CPU_ON of itself ALREADY_ON; CPU_OFF halts it (the system stays powered with no core
/// running, which PSCI allows); SYSTEM_OFF and SYSTEM_RESET stop the run with <see cref="StopReason.PowerOff"/>
/// and <see cref="StopReason.Reset"/>.
/// </summary>
internal sealed class SingleCpuPsciPlatform : IPsciPlatform
{
    /// <inheritdoc />
    public bool CpuExists(Cpu caller, ulong mpidr) => mpidr == PsciFirmware.AffinityOf(caller);

    /// <inheritdoc />
    public PsciReturn CpuOn(Cpu caller, ulong targetMpidr, ulong entryPoint, ulong contextId) =>
        CpuExists(caller, targetMpidr) ? PsciReturn.AlreadyOn : PsciReturn.InvalidParameters;

    /// <inheritdoc />
    public void CpuOff(Cpu caller) =>
        caller.RequestStop(StopReason.Halted, 0, $"PSCI CPU_OFF on the only CPU at PC 0x{caller.State.PC:x}");

    /// <inheritdoc />
    public PsciAffinityState AffinityInfo(Cpu caller, ulong targetMpidr) => PsciAffinityState.On;

    /// <inheritdoc />
    public void SystemOff(Cpu caller) => caller.RequestStop(StopReason.PowerOff, 0, "PSCI SYSTEM_OFF");

    /// <inheritdoc />
    public void SystemReset(Cpu caller, bool warm) =>
        caller.RequestStop(StopReason.Reset, 0, warm ? "PSCI SYSTEM_RESET2 (warm reset)" : "PSCI SYSTEM_RESET");
}
