namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// Arm semihosting (Arm IHI 0056, "Semihosting for AArch32 and AArch64"): on AArch64 the call is HLT #0xF000 with
/// the operation in W0 and the parameter in X1; the result goes to X0.
/// </summary>
internal interface ISemihostingHandler
{
    /// <summary>Performs the operation. It may stop the CPU (SYS_EXIT) through <see cref="Cpu.RequestStop"/>.</summary>
    void Handle(Cpu cpu);
}
