namespace ArmVirt.Cpu.Firmware;

/// <summary>The instruction a guest uses to call firmware (SMC Calling Convention, Arm DEN 0028).</summary>
internal enum FirmwareConduit
{
    /// <summary>HVC #0, answered by firmware when the CPU has no EL2 to take it (QEMU's choice when booting at EL1).</summary>
    Hvc,
    /// <summary>SMC #0, answered by firmware when the CPU has no EL3 to take it (QEMU's choice when booting at EL2).</summary>
    Smc,
}
