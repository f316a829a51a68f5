namespace ArmVirt.Core;

/// <summary>
/// Base for MMIO devices described by a <see cref="RegisterMap"/>: derived classes declare their
/// registers in the constructor and this class routes bus accesses to them.
/// </summary>
public abstract class RegisterMappedDevice : IMmioDevice
{
    /// <summary>Creates the device with an empty register map named <paramref name="name"/>.</summary>
    protected RegisterMappedDevice(string name) => Registers = new RegisterMap(name);

    /// <summary>The device's registers.</summary>
    public RegisterMap Registers { get; }

    /// <inheritdoc />
    public virtual bool TryRead(ulong offset, int size, out ulong value)
    {
        value = Registers.Read(offset, size);
        return true;
    }

    /// <inheritdoc />
    public virtual bool TryWrite(ulong offset, int size, ulong value)
    {
        Registers.Write(offset, size, value);
        return true;
    }
}
