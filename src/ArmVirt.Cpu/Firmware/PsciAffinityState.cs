namespace ArmVirt.Cpu.Firmware;

/// <summary>What AFFINITY_INFO reports for a core (Arm DEN 0022, AFFINITY_INFO return values).</summary>
internal enum PsciAffinityState
{
    /// <summary>At least one core of the affinity instance is on.</summary>
    On = 0,
    /// <summary>Every core of the affinity instance is off.</summary>
    Off = 1,
    /// <summary>A CPU_ON for the core has been accepted but the core has not started yet.</summary>
    OnPending = 2,
}
