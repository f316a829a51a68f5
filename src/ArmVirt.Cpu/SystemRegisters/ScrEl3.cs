namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>SCR_EL3 bits (Arm ARM D17.2.117 "SCR_EL3, Secure Configuration Register"), Armv8.0 set.</summary>
internal static class ScrEl3
{
    /// <summary>NS: EL0 and EL1 (and EL2) are in Non-secure state.</summary>
    public const ulong Ns = 1UL << 0;
    /// <summary>IRQ: physical IRQs are taken to EL3.</summary>
    public const ulong Irq = 1UL << 1;
    /// <summary>FIQ: physical FIQs are taken to EL3.</summary>
    public const ulong Fiq = 1UL << 2;
    /// <summary>EA: external aborts and SErrors are taken to EL3.</summary>
    public const ulong Ea = 1UL << 3;
    /// <summary>SMD: SMC disable.</summary>
    public const ulong Smd = 1UL << 7;
    /// <summary>HCE: HVC enable.</summary>
    public const ulong Hce = 1UL << 8;
    /// <summary>SIF: secure instruction fetch.</summary>
    public const ulong Sif = 1UL << 9;
    /// <summary>RW: lower levels are AArch64 (RAO/WI: no AArch32 on the models here).</summary>
    public const ulong Rw = 1UL << 10;
    /// <summary>ST: Secure EL1 access to CNTPS_*.</summary>
    public const ulong St = 1UL << 11;
    /// <summary>TWI: trap WFI to EL3.</summary>
    public const ulong Twi = 1UL << 12;
    /// <summary>TWE: trap WFE to EL3.</summary>
    public const ulong Twe = 1UL << 13;
}
