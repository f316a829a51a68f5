namespace ArmVirt.Core;

/// <summary>
/// A component whose state goes into a machine snapshot (<c>Machine.SaveSnapshot</c>): every register, FIFO entry and
/// pending event that the guest can observe, but no cache (translated code, TLBs), which is rebuilt after a restore.
/// <see cref="RestoreState"/> reads exactly what <see cref="SaveState"/> wrote, into a component built with the same
/// configuration, and leaves its outputs (interrupt lines) to be driven again by <c>Machine.RestoreSnapshot</c>.
/// A custom device (<c>MachineBuilder.WithDevice</c>) that implements this interface is saved with the machine; a
/// machine with a custom device that does not cannot be saved.
/// </summary>
public interface ISnapshotState
{
    /// <summary>Writes this component's state.</summary>
    void SaveState(SnapshotWriter writer);

    /// <summary>
    /// Reads back what <see cref="SaveState"/> wrote. Throws <see cref="SnapshotFormatException"/> when the data does
    /// not fit this component (a different configuration, or corrupt data).
    /// </summary>
    void RestoreState(SnapshotReader reader);
}
