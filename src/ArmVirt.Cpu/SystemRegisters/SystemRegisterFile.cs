namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// Storage for the system registers the exception model itself uses. Registers banked by exception level
/// are arrays indexed by EL (index 0 unused where the register has no EL0 instance).
/// Other system registers are declared in <see cref="SystemRegisterTable"/>.
/// </summary>
public sealed partial class SystemRegisterFile
{
    /// <summary>SCTLR_EL1..EL3 (index = EL).</summary>
    public readonly ulong[] Sctlr = new ulong[4];
    /// <summary>VBAR_EL1..EL3.</summary>
    public readonly ulong[] Vbar = new ulong[4];
    /// <summary>ESR_EL1..EL3.</summary>
    public readonly ulong[] Esr = new ulong[4];
    /// <summary>FAR_EL1..EL3.</summary>
    public readonly ulong[] Far = new ulong[4];
    /// <summary>ELR_EL1..EL3.</summary>
    public readonly ulong[] Elr = new ulong[4];
    /// <summary>SPSR_EL1..EL3.</summary>
    public readonly ulong[] Spsr = new ulong[4];
    /// <summary>HCR_EL2.</summary>
    public ulong Hcr;
    /// <summary>SCR_EL3.</summary>
    public ulong Scr;
    /// <summary>HPFAR_EL2.</summary>
    public ulong Hpfar;
}
