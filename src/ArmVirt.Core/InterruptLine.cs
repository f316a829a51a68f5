namespace ArmVirt.Core;

/// <summary>
/// A level-sensitive wire between an interrupt source and its sink. Edge-triggered sources pulse it.
/// </summary>
public sealed class InterruptLine
{
    /// <summary>Creates a line with a name for diagnostics.</summary>
    public InterruptLine(string name) => Name = name;

    /// <summary>The line's name.</summary>
    public string Name { get; }

    /// <summary>Whether the line is asserted (high).</summary>
    public bool IsAsserted { get; private set; }

    /// <summary>Raised when the level changes, with the new level.</summary>
    public event Action<bool>? Changed;

    /// <summary>Drives the line to <paramref name="level"/>.</summary>
    public void Set(bool level)
    {
        if (level == IsAsserted) return;
        IsAsserted = level;
        Changed?.Invoke(level);
    }

    /// <summary>Asserts then deasserts the line (an edge for edge-triggered sinks).</summary>
    public void Pulse()
    {
        Set(true);
        Set(false);
    }
}
