namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>The system registers and system instructions one CPU implements, keyed by encoding.</summary>
public sealed class SystemRegisterTable
{
    private readonly Dictionary<int, SystemRegister> _byKey = new();

    /// <summary>Adds or replaces a register.</summary>
    public void Add(SystemRegister register) => _byKey[register.Key] = register;

    /// <summary>Finds the register addressed by <paramref name="key"/>.</summary>
    public SystemRegister? Find(int key) => _byKey.GetValueOrDefault(key);

    /// <summary>Finds a register by name (for tests and debuggers).</summary>
    public SystemRegister? Find(string name) => _byKey.Values.FirstOrDefault(r => r.Name == name);

    /// <summary>Every register.</summary>
    public IEnumerable<SystemRegister> All => _byKey.Values;
}
