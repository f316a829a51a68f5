namespace ArmVirt.Machine;

/// <summary>How a <see cref="Machine.WaitForSerial(string, TimeSpan)"/> ended.</summary>
/// <param name="Found">The text (or a line matching the pattern) was printed.</param>
/// <param name="Output">What the PL011 printed during the wait, up to and including the match.</param>
/// <param name="Line">With a pattern: the matching line, without its line end; with a text: the text; null when not found.</param>
/// <param name="Exit">
/// Why the run stopped: <see cref="Cpu.StopReason.HostRequest"/> after a match or a timeout (the machine can run on), or
/// the guest's own stop (power-off, halt, an instruction limit) before either.
/// </param>
/// <param name="TimedOut">The virtual time allowed passed without a match.</param>
public sealed record SerialWait(bool Found, string Output, string? Line, MachineExit Exit, bool TimedOut);
