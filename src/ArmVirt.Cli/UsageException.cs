namespace ArmVirt.Cli;

/// <summary>A bad command line; the message reads "&lt;what&gt;: &lt;why&gt;".</summary>
internal sealed class UsageException(string message) : Exception(message);
