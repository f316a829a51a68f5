namespace ArmVirt.Cpu.Exceptions;

/// <summary>The four exception types, which select the vector offset (Arm ARM D1.10.2 "Exception vectors").</summary>
internal enum ExceptionKind
{
    /// <summary>Synchronous exception, vector offset 0x000.</summary>
    Synchronous = 0,
    /// <summary>IRQ or vIRQ, vector offset 0x080.</summary>
    Irq = 1,
    /// <summary>FIQ or vFIQ, vector offset 0x100.</summary>
    Fiq = 2,
    /// <summary>SError or vSError, vector offset 0x180.</summary>
    SError = 3,
}
