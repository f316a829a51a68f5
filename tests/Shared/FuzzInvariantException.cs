namespace ArmVirt.Tests.Fuzzing;

/// <summary>A fuzz target found its input handled wrongly without an exception of its own (a broken invariant).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);
