namespace ArmVirt.Cpu.Firmware;

/// <summary>What SYS_HEAPINFO reports: the heap and stack placement a C library start-up uses.</summary>
/// <param name="HeapBase">Lowest address of the heap.</param>
/// <param name="HeapLimit">End of the heap.</param>
/// <param name="StackBase">Initial stack pointer (the stack grows down from here).</param>
/// <param name="StackLimit">Lowest address the stack may reach.</param>
internal readonly record struct SemihostingHeapInfo(ulong HeapBase, ulong HeapLimit, ulong StackBase, ulong StackLimit)
{
    /// <summary>
    /// The layout QEMU's system emulation reports for RAM at <paramref name="ramBase"/> of
    /// <paramref name="ramSize"/> bytes: the heap is the upper half of RAM, the stack starts at the top of RAM and may
    /// reach down to its base. The same guest binary then finds the same heap on ArmVirt and on QEMU.
    /// </summary>
    public static SemihostingHeapInfo FromRam(ulong ramBase, ulong ramSize) =>
        new(ramBase + ramSize / 2, ramBase + ramSize, ramBase + ramSize, ramBase);
}
