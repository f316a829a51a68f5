using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The data accesses of A32 and T32 (MemA, MemU) in the endianness PSTATE.E gives (BigEndian(): AArch32 state reads
/// PSTATE.E only; SETEND, an MSR of CPSR.E, an exception return's SPSR.E and SCTLR.EE/HSCTLR.EE at exception entry set
/// it). An access of 2, 4 or 8 bytes is byte-reversed when E is 1; the doubleword accesses the Arm ARM writes as two
/// words (LDRD/STRD, LDREXD/STREXD, VLDR/VSTR.64, VLDM/VSTM of D registers) keep their word order per its pseudocode
/// (<see cref="LoadWordPair"/>, <see cref="Doubleword"/>). Instruction fetches are always little-endian (Armv8).
/// </summary>
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

    /// <summary>A load of <paramref name="size"/> bytes in the data endianness (0 with the abort recorded on a fault).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Load(Cpu cpu, uint address, int size, MemoryAccessKind kind = MemoryAccessKind.Read, int alignment = 0)
    {
        ulong value = cpu.Load(address, size, kind, alignment);
        return cpu.State.E ? Reverse(value, size) : value;
    }

    /// <summary>A store of the low <paramref name="size"/> bytes of <paramref name="value"/> in the data endianness.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Cpu cpu, uint address, int size, ulong value, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0)
        => cpu.Store(address, size, cpu.State.E ? Reverse(value, size) : value, kind, alignment);

    /// <summary>
    /// Two words at <paramref name="address"/> and + 4 as one 8-byte access (LDRD, LDREXD: MemA[address, 8] whose
    /// first word is R[t] in either endianness): the first word in the low half, each word in the data endianness.
    /// </summary>
    public static ulong LoadWordPair(Cpu cpu, uint address, MemoryAccessKind kind = MemoryAccessKind.Read, int alignment = 0)
        => cpu.State.E ? SwapWithinWords(cpu.Load(address, 8, kind, alignment)) : cpu.Load(address, 8, kind, alignment);

    /// <summary>The inverse of <see cref="LoadWordPair"/>: the low half of <paramref name="value"/> to the lower address.</summary>
    public static void StoreWordPair(Cpu cpu, uint address, ulong value, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0)
        => cpu.Store(address, 8, cpu.State.E ? SwapWithinWords(value) : value, kind, alignment);

    /// <summary>
    /// The memory representation of a pair of words for the parallel-mode store-exclusive (the host compares and stores
    /// bytes): <see cref="StoreWordPair"/>'s, or <see cref="Store"/>'s for the other sizes.
    /// </summary>
    public static ulong InMemoryOrder(Cpu cpu, ulong value, int size) =>
        !cpu.State.E ? value : size == 8 ? SwapWithinWords(value) : Reverse(value, size);

    /// <summary>
    /// A D register from the words at the lower (<paramref name="first"/>) and the higher address: VLDR and VLDM's
    /// "if BigEndian() then word1:word2 else word2:word1".
    /// </summary>
    public static ulong Doubleword(Cpu cpu, uint first, uint second) =>
        cpu.State.E ? (ulong)first << 32 | second : (ulong)second << 32 | first;

    /// <summary>The word of D register <paramref name="value"/> VSTR and VSTM store at the lower address (<paramref name="second"/>: the other).</summary>
    public static uint StoredWord(Cpu cpu, ulong value, bool second) =>
        cpu.State.E != second ? (uint)(value >> 32) : (uint)value;

    /// <summary>The low <paramref name="size"/> bytes of <paramref name="value"/> in the other byte order.</summary>
    public static ulong Reverse(ulong value, int size) => size switch
    {
        2 => BinaryPrimitives.ReverseEndianness((ushort)value),
        4 => BinaryPrimitives.ReverseEndianness((uint)value),
        8 => BinaryPrimitives.ReverseEndianness(value),
        _ => value,
    };

    private static ulong SwapWithinWords(ulong value) => ulong.RotateRight(BinaryPrimitives.ReverseEndianness(value), 32);
}
