namespace ArmVirt.Core;

/// <summary>
/// A device with a reset state of its own, as a hardware reset signal gives it: <c>Machine.Reset()</c> (the host's power
/// cycle, QEMU's <c>system_reset</c>) and the guest's PSCI <c>SYSTEM_RESET</c> call <see cref="Reset"/> on every custom
/// device (<c>MachineBuilder.WithDevice</c>) that implements this interface, after the machine's own devices are reset
/// and before the CPUs start again. A custom device that does not implement it keeps its state across a reset.
/// </summary>
public interface IResettable
{
    /// <summary>
    /// Puts every register the guest can observe back to its reset value and drives the device's interrupt lines to
    /// match (a line the device raised is lowered). Host-side bookkeeping that is no register need not be cleared.
    /// </summary>
    void Reset();
}
