namespace ArmVirt.Cpu.Exceptions;

/// <summary>ESR_ELx.EC values (Arm ARM D17.2.37 "ESR_EL1, Exception Syndrome Register").</summary>
public enum ExceptionClass : uint
{
    /// <summary>Unknown reason (includes UNDEFINED instructions).</summary>
    Unknown = 0x00,
    /// <summary>Trapped WFI or WFE.</summary>
    WfiWfe = 0x01,
    /// <summary>Access to SVE, Advanced SIMD or floating point trapped by CPACR/CPTR.</summary>
    FpAccess = 0x07,
    /// <summary>Trapped VMRS access to FPSID or MVFR0-2 from AArch32 by HCR_EL2.TID0/TID3 (the ID group traps).</summary>
    VmrsIdGroup = 0x08,
    /// <summary>Trapped MCR or MRC access to CP15 from AArch32.</summary>
    McrMrcCp15 = 0x03,
    /// <summary>Trapped MCRR or MRRC access to CP15 from AArch32.</summary>
    McrrMrrcCp15 = 0x04,
    /// <summary>Trapped MCR or MRC access to CP14 from AArch32.</summary>
    McrMrcCp14 = 0x05,
    /// <summary>Trapped LDC or STC access to CP14 from AArch32.</summary>
    LdcStcCp14 = 0x06,
    /// <summary>Trapped MRRC access to CP14 from AArch32.</summary>
    MrrcCp14 = 0x0C,
    /// <summary>SVC executed in AArch32 state.</summary>
    Svc32 = 0x11,
    /// <summary>HVC executed in AArch32 state.</summary>
    Hvc32 = 0x12,
    /// <summary>SMC executed in AArch32 state.</summary>
    Smc32 = 0x13,
    /// <summary>BKPT executed in AArch32 state.</summary>
    Bkpt32 = 0x38,
    /// <summary>Illegal execution state.</summary>
    IllegalState = 0x0E,
    /// <summary>SVC from AArch64.</summary>
    Svc64 = 0x15,
    /// <summary>HVC from AArch64.</summary>
    Hvc64 = 0x16,
    /// <summary>SMC from AArch64.</summary>
    Smc64 = 0x17,
    /// <summary>Trapped MSR, MRS or system instruction.</summary>
    SystemRegister64 = 0x18,
    /// <summary>Instruction abort from a lower exception level.</summary>
    InstructionAbortLower = 0x20,
    /// <summary>Instruction abort taken without a change of exception level.</summary>
    InstructionAbortSame = 0x21,
    /// <summary>PC alignment fault.</summary>
    PcAlignment = 0x22,
    /// <summary>Data abort from a lower exception level.</summary>
    DataAbortLower = 0x24,
    /// <summary>Data abort taken without a change of exception level.</summary>
    DataAbortSame = 0x25,
    /// <summary>SP alignment fault.</summary>
    SpAlignment = 0x26,
    /// <summary>SError interrupt.</summary>
    SError = 0x2F,
    /// <summary>Breakpoint exception from a lower exception level.</summary>
    BreakpointLower = 0x30,
    /// <summary>Breakpoint exception taken without a change of exception level.</summary>
    BreakpointSame = 0x31,
    /// <summary>Software Step exception from a lower exception level.</summary>
    SoftwareStepLower = 0x32,
    /// <summary>Software Step exception taken without a change of exception level.</summary>
    SoftwareStepSame = 0x33,
    /// <summary>Watchpoint exception from a lower exception level.</summary>
    WatchpointLower = 0x34,
    /// <summary>Watchpoint exception taken without a change of exception level.</summary>
    WatchpointSame = 0x35,
    /// <summary>BRK instruction from AArch64.</summary>
    Brk64 = 0x3C,
}
