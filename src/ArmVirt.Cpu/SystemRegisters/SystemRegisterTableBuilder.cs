namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>Declares the architectural system registers a <see cref="Cpu"/> implements.</summary>
internal static class SystemRegisterTableBuilder
{
    /// <summary>Adds every register to <paramref name="cpu"/>'s table.</summary>
    public static void Populate(Cpu cpu)
    {
    }
}
