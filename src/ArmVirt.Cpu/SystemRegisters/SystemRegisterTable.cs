namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>The system registers and system instructions one CPU implements, keyed by encoding.</summary>
internal sealed class SystemRegisterTable
{
    // The registers indexed by key (16 bits: op0:op1:CRn:CRm:op2) in 256 pages of 256, a page allocated when a
    // register is added to it: every MRS, MSR and SYS looks its register up here, and a dictionary lookup measured
    // ~1.5% of a nested KVM run (a KVM world switch saves and restores dozens of system registers).
    private readonly SystemRegister?[]?[] _pages = new SystemRegister?[]?[256];

    /// <summary>Adds or replaces a register.</summary>
    public void Add(SystemRegister register) =>
        (_pages[register.Key >> 8] ??= new SystemRegister?[256])[register.Key & 0xFF] = register;

    /// <summary>Finds the register addressed by <paramref name="key"/>.</summary>
    public SystemRegister? Find(int key) =>
        (uint)key <= 0xFFFF && _pages[key >> 8] is { } page ? page[key & 0xFF] : null;

    /// <summary>Finds a register by name (for tests and debuggers).</summary>
    public SystemRegister? Find(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>Every register, in key order.</summary>
    public IEnumerable<SystemRegister> All =>
        _pages.Where(page => page != null).SelectMany(page => page!).Where(r => r != null).Select(r => r!);
}
