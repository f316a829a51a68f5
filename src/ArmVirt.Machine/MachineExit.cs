using ArmVirt.Cpu;

namespace ArmVirt.Machine;

/// <summary>How a <see cref="Machine.Run"/> call ended.</summary>
/// <param name="Reason">Why the CPU stopped.</param>
/// <param name="ExitCode">The guest's exit status (semihosting SYS_EXIT); 0 for PSCI SYSTEM_OFF.</param>
/// <param name="Message">An explanation for halts and errors, or null.</param>
public readonly record struct MachineExit(StopReason Reason, int ExitCode, string? Message);
