namespace ArmVirt.Cpu.A32;

/// <summary>Helpers of the A32 memory instructions (aarch32/functions/memory).</summary>
internal static class A32Memory
{
    /// <summary>
    /// MemA's alignment check: false, with an Alignment fault (DFSC 0b100001) recorded as the instruction's pending abort
    /// (Cpu.DataAborts.cs), when <paramref name="address"/> is not a multiple of <paramref name="size"/>.
    /// </summary>
    public static bool CheckAligned(Cpu cpu, uint address, int size, MemoryAccessKind kind)
    {
        if ((address & (uint)(size - 1)) == 0) return true;
        cpu.RecordDataAbort(address, kind, Cpu.FscAlignment);
        return false;
    }
}
