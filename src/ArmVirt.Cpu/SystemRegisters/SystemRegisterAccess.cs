namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>The outcome of the access checks for one MRS/MSR/SYS (Arm ARM pseudocode AArch64.CheckSystemAccess).</summary>
internal enum SystemRegisterAccess
{
    /// <summary>The access proceeds.</summary>
    Allowed,
    /// <summary>UNDEFINED at the current EL.</summary>
    Undefined,
    /// <summary>Trapped to EL1 with EC 0x18.</summary>
    TrapToEl1,
    /// <summary>Trapped to EL2 with EC 0x18.</summary>
    TrapToEl2,
    /// <summary>Trapped to EL3 with EC 0x18.</summary>
    TrapToEl3,
}
