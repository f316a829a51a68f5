namespace ArmVirt.Machine;

/// <summary>
/// A mistake in the machine's configuration that the user can fix (a missing or malformed image, an image that
/// does not fit in RAM, a bad memory size or CPU name). The message is one line naming what and why.
/// </summary>
public sealed class MachineConfigurationException : Exception
{
    /// <summary>Creates the exception with a one-line message such as <c>kernel 'x.elf': file not found</c>.</summary>
    public MachineConfigurationException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the exception that revealed the problem.</summary>
    public MachineConfigurationException(string message, Exception inner) : base(message, inner) { }
}
