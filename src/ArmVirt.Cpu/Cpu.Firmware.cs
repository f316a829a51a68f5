using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>Built-in firmware answering PSCI/SMCCC calls, or null when the guest brings its own.</summary>
    internal IFirmwareCallHandler? Firmware { get; set; }

    /// <summary>Semihosting, or null when disabled (HLT #0xF000 is then UNDEFINED like any HLT).</summary>
    internal ISemihostingHandler? Semihosting { get; set; }
}
