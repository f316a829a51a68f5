namespace ArmVirt.Cpu;

/// <summary>The PE-local exclusive monitor (Arm ARM B2.9.2): the address range marked by the last load-exclusive.</summary>
internal sealed class LocalExclusiveMonitor
{
    /// <summary>Whether an address is marked (Exclusive Access state).</summary>
    public bool Valid { get; private set; }

    /// <summary>Physical address of the marked range.</summary>
    public ulong Address { get; private set; }

    /// <summary>Size in bytes of the marked range.</summary>
    public int Size { get; private set; }

    /// <summary>Marks <c>[address, address+size)</c> (AArch64.SetExclusiveMonitors).</summary>
    public void Mark(ulong address, int size)
    {
        Valid = true;
        Address = address;
        Size = size;
    }

    /// <summary>True when <c>[address, address+size)</c> is exactly the marked range (AArch64.ExclusiveMonitorsPass).</summary>
    public bool Matches(ulong address, int size) => Valid && Address == address && Size == size;

    /// <summary>Returns to the Open Access state (ClearExclusiveLocal, CLREX).</summary>
    public void Clear() => Valid = false;

    /// <summary>Sets the monitor as a snapshot recorded it.</summary>
    public void Restore(bool valid, ulong address, int size)
    {
        Valid = valid;
        Address = address;
        Size = size;
    }
}
