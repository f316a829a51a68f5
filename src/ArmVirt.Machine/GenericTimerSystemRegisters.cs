using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Timer;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

/// <summary>
/// Plugs a <see cref="GenericTimer"/> into a CPU's system-register table: the CNT* registers with the access
/// controls of CNTKCTL_EL1 (EL0) and CNTHCTL_EL2 (EL1 physical counter/timer), Arm ARM D11.2 and the
/// per-register "Accessibility" pseudocode of CNTPCT_EL0, CNTP_CTL_EL0 and friends (FEAT_VHE not implemented).
/// </summary>
internal static class GenericTimerSystemRegisters
{
    private const ulong El0PctEn = 1, El0VctEn = 2, El0VtEn = 1 << 8, El0PtEn = 1 << 9;
    private const ulong El1PctEn = 1, El1PcEn = 2;

    /// <summary>Adds the timer's registers to <paramref name="cpu"/>.</summary>
    public static void Install(CpuCore cpu, GenericTimer timer)
    {
        var t = cpu.SystemRegisters;
        int highest = cpu.Configuration.HighestEl;

        t.Add(new SystemRegister("CNTFRQ_EL0", 3, 3, 14, 0, 0, _ => timer.Frequency, (_, v) => timer.Frequency = v & 0xFFFF_FFFF,
            (c, write) => write
                ? (c.State.EL == highest ? SystemRegisterAccess.Allowed : SystemRegisterAccess.Undefined)
                : El0Gate(c, timer, El0PctEn | El0VctEn), minEl: 0));
        t.Add(new SystemRegister("CNTPCT_EL0", 3, 3, 14, 0, 1, _ => timer.PhysicalCount, null,
            (c, _) => Combine(El0Gate(c, timer, El0PctEn), El2Gate(c, timer, El1PctEn)), minEl: 0));
        t.Add(new SystemRegister("CNTVCT_EL0", 3, 3, 14, 0, 2, _ => timer.VirtualCount, null,
            (c, _) => El0Gate(c, timer, El0VctEn), minEl: 0));

        AddChannel(t, "CNTP", 3, 2, timer.Physical, (c, _) => Combine(El0Gate(c, timer, El0PtEn), El2Gate(c, timer, El1PcEn)), 0);
        AddChannel(t, "CNTV", 3, 3, timer.Virtual, (c, _) => El0Gate(c, timer, El0VtEn), 0);

        t.Add(new SystemRegister("CNTKCTL_EL1", 3, 0, 14, 1, 0, _ => timer.KernelControl,
            (_, v) => timer.KernelControl = v & GenericTimer.KernelControlMask));

        if (cpu.Configuration.HasEl2)
        {
            t.Add(new SystemRegister("CNTHCTL_EL2", 3, 4, 14, 1, 0, _ => timer.HypervisorControl,
                (_, v) => timer.HypervisorControl = v & GenericTimer.HypervisorControlMask, minEl: 2));
            t.Add(new SystemRegister("CNTVOFF_EL2", 3, 4, 14, 0, 3, _ => timer.VirtualOffset, (_, v) => timer.VirtualOffset = v, minEl: 2));
            AddChannel(t, "CNTHP", 4, 2, timer.HypervisorPhysical, null, 2, "_EL2");
        }
        if (cpu.Configuration.HasEl3)
        {
            // CNTPS_*_EL1: EL3, or Secure EL1 when SCR_EL3.ST is set; Non-secure EL1 accesses are UNDEFINED.
            AddChannel(t, "CNTPS", 7, 2, timer.SecurePhysical, (c, _) =>
                c.State.EL == 3 ? SystemRegisterAccess.Allowed
                : (c.Sys.Scr & 1) != 0 ? SystemRegisterAccess.Undefined
                : (c.Sys.Scr & (1UL << 11)) != 0 ? SystemRegisterAccess.Allowed : SystemRegisterAccess.TrapToEl3, 1, "_EL1");
        }
    }

    private static void AddChannel(SystemRegisterTable t, string prefix, int op1, int crm, GenericTimerChannel ch,
        Func<CpuCore, bool, SystemRegisterAccess>? check, int minEl, string suffix = "_EL0")
    {
        t.Add(new SystemRegister($"{prefix}_TVAL{suffix}", 3, op1, 14, crm, 0, _ => ch.TimerValue, (_, v) => ch.TimerValue = v, check, minEl));
        t.Add(new SystemRegister($"{prefix}_CTL{suffix}", 3, op1, 14, crm, 1, _ => ch.Control, (_, v) => ch.Control = v, check, minEl));
        t.Add(new SystemRegister($"{prefix}_CVAL{suffix}", 3, op1, 14, crm, 2, _ => ch.CompareValue, (_, v) => ch.CompareValue = v, check, minEl));
    }

    // EL0 accesses are allowed by CNTKCTL_EL1 bits; a disallowed one traps to EL1 (or EL2 under HCR_EL2.TGE).
    private static SystemRegisterAccess El0Gate(CpuCore c, GenericTimer timer, ulong bits) =>
        c.State.EL != 0 || (timer.KernelControl & bits) != 0 ? SystemRegisterAccess.Allowed
        : c.SyncExceptionTargetEl == 2 ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.TrapToEl1;

    // EL0/EL1 accesses to the physical counter/timer need CNTHCTL_EL2 bits when EL2 is enabled.
    private static SystemRegisterAccess El2Gate(CpuCore c, GenericTimer timer, ulong bit) =>
        c.State.EL <= 1 && c.IsEl2Enabled && (timer.HypervisorControl & bit) == 0 ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.Allowed;

    private static SystemRegisterAccess Combine(SystemRegisterAccess first, SystemRegisterAccess second) =>
        first != SystemRegisterAccess.Allowed ? first : second;
}
