using ArmVirt.Cpu;
using ArmVirt.Cpu.Firmware;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// The PSCI platform of a machine with several CPUs (DEN 0022 1.1, one power level: the core). CPU_ON of an off core
/// resets it and starts it at the entry point at once, so a core is never ON_PENDING; CPU_OFF powers the caller down;
/// AFFINITY_INFO reports ON or OFF; SYSTEM_OFF and SYSTEM_RESET stop the machine's run.
/// </summary>
internal sealed class SmpPsciPlatform(Machine machine) : IPsciPlatform
{
    private int IndexOf(ulong mpidr)
    {
        for (int i = 0; i < machine.Cpus.Count; i++)
            if (PsciFirmware.AffinityOf(machine.Cpus[i]) == mpidr) return i;
        return -1;
    }

    public bool CpuExists(CpuCore caller, ulong mpidr) => IndexOf(mpidr) >= 0;

    public PsciReturn CpuOn(CpuCore caller, ulong targetMpidr, ulong entryPoint, ulong contextId)
    {
        int index = IndexOf(targetMpidr);
        if (machine.SmpMode != SmpMode.Parallel) return On(caller, index, entryPoint, contextId);
        lock (this) return On(caller, index, entryPoint, contextId); // two CPUs starting the same one: one gets ALREADY_ON
    }

    private PsciReturn On(CpuCore caller, int index, ulong entryPoint, ulong contextId)
    {
        if (machine.IsPoweredOn(index)) return PsciReturn.AlreadyOn;
        machine.PowerOn(caller, index, entryPoint, contextId);
        return PsciReturn.Success;
    }

    public void CpuOff(CpuCore caller) => machine.PowerOff(caller);

    public PsciAffinityState AffinityInfo(CpuCore caller, ulong targetMpidr) =>
        machine.IsPoweredOn(IndexOf(targetMpidr)) ? PsciAffinityState.On : PsciAffinityState.Off;

    public void SystemOff(CpuCore caller) => caller.RequestStop(StopReason.PowerOff, 0, "PSCI SYSTEM_OFF");

    public void SystemReset(CpuCore caller, bool warm) =>
        caller.RequestStop(StopReason.Reset, 0, warm ? "PSCI SYSTEM_RESET2 (warm reset)" : "PSCI SYSTEM_RESET");
}
