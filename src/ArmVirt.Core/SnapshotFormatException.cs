namespace ArmVirt.Core;

/// <summary>
/// A snapshot that cannot be restored: corrupt, truncated, of another format version or taken on a machine with another
/// configuration. The message is one line saying why.
/// </summary>
public sealed class SnapshotFormatException : Exception
{
    /// <summary>Creates the exception with its one-line reason.</summary>
    public SnapshotFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its one-line reason and the error that revealed it.</summary>
    public SnapshotFormatException(string message, Exception inner) : base(message, inner) { }
}
