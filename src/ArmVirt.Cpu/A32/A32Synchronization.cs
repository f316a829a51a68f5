namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Synchronization primitives and Load-Acquire/Store-Release": LDREX/STREX (word, byte, halfword, doubleword),
/// LDAEX/STLEX, LDA/STL. Operands from <see cref="A32Formats.Synchronization"/>: Rn the base, Rd (bits 15..12) the
/// loaded register or the store's status, Rm (bits 3..0) the stored register. Every access must be aligned to its
/// size; the T32 word forms add an offset (Imm, imm8 * 4; zero in A32). The monitors are those of the A64 exclusives (AArch32.SetExclusiveMonitors, AArch32.ExclusiveMonitorsPass).
/// </summary>
internal static class A32Synchronization
{
    private static MemoryAccessKind Kind(bool acquireRelease) =>
        acquireRelease ? MemoryAccessKind.Exclusive | MemoryAccessKind.AcquireRelease : MemoryAccessKind.Exclusive;

    /// <summary>Decode constraint of the doubleword exclusives: Rt even and not R14.</summary>
    public static bool DoublewordRegistersValid(uint insn) =>
        (insn & (1u << 20)) != 0 ? ((insn >> 12) & 1) == 0 && ((insn >> 12) & 0xF) != 14 : (insn & 1) == 0 && (insn & 0xF) != 14;

    private static void LoadExclusive(Cpu cpu, in A32Operands op, int size, bool acquire)
    {
        uint address = cpu.R(op.Rn) + op.Imm;
        var kind = Kind(acquire);
        ulong pa = cpu.TranslateDataOrAbort(address, size, kind);
        ulong raw = cpu.Load(address, size, kind);
        if (cpu.AbortPending) return; // neither Rt nor the monitors change (Cpu.DataAborts.cs)
        cpu.SetExclusiveMonitors(pa, size);
        cpu.ExclusiveValue = raw; // (the memory's bytes, compared by a parallel-mode store-exclusive, Cpu.HostAtomics.cs)
        ulong value = A32Memory.InMemoryOrder(cpu, raw, size); // (its own inverse: the registers' view)
        cpu.SetR(op.Rd, (uint)value);
        if (size == 8) cpu.SetR(op.Rs, (uint)(value >> 32));
    }

    private static void StoreExclusive(Cpu cpu, in A32Operands op, int size, bool release)
    {
        uint address = cpu.R(op.Rn) + op.Imm;
        ulong data = size == 8 ? ((ulong)cpu.R(op.Rs) << 32) | cpu.R(op.Rm) : cpu.R(op.Rm);
        var kind = Kind(release) | MemoryAccessKind.Write;
        ulong pa = cpu.TranslateDataOrAbort(address, size, kind);
        if (cpu.AbortPending) return;
        bool passed = cpu.ExclusiveMonitorsPass(pa, size);
        data = A32Memory.InMemoryOrder(cpu, data, size);
        if (passed && cpu.Parallel) passed = cpu.StoreExclusiveOnHost(address, pa, size, data, kind);
        else if (passed) cpu.Store(address, size, data, kind);
        if (cpu.AbortPending) return;
        cpu.SetR(op.Rd, passed ? 0u : 1u);
    }

    /// <summary>F5.1 LDREX.</summary>
    public static void Ldrex(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 4, false);
    /// <summary>F5.1 LDREXB.</summary>
    public static void Ldrexb(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 1, false);
    /// <summary>F5.1 LDREXH.</summary>
    public static void Ldrexh(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 2, false);
    /// <summary>F5.1 LDREXD: Rt and Rt + 1 from one doubleword access.</summary>
    public static void Ldrexd(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 8, false);
    /// <summary>F5.1 LDAEX.</summary>
    public static void Ldaex(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 4, true);
    /// <summary>F5.1 LDAEXB.</summary>
    public static void Ldaexb(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 1, true);
    /// <summary>F5.1 LDAEXH.</summary>
    public static void Ldaexh(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 2, true);
    /// <summary>F5.1 LDAEXD.</summary>
    public static void Ldaexd(Cpu cpu, in A32Operands op) => LoadExclusive(cpu, op, 8, true);

    /// <summary>F5.1 STREX: Rd = 0 when stored, 1 when the monitors failed.</summary>
    public static void Strex(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 4, false);
    /// <summary>F5.1 STREXB.</summary>
    public static void Strexb(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 1, false);
    /// <summary>F5.1 STREXH.</summary>
    public static void Strexh(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 2, false);
    /// <summary>F5.1 STREXD: Rt (low word) and Rt2 (Rt + 1 in A32) as one doubleword.</summary>
    public static void Strexd(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 8, false);
    /// <summary>F5.1 STLEX.</summary>
    public static void Stlex(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 4, true);
    /// <summary>F5.1 STLEXB.</summary>
    public static void Stlexb(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 1, true);
    /// <summary>F5.1 STLEXH.</summary>
    public static void Stlexh(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 2, true);
    /// <summary>F5.1 STLEXD.</summary>
    public static void Stlexd(Cpu cpu, in A32Operands op) => StoreExclusive(cpu, op, 8, true);

    private static void LoadAcquire(Cpu cpu, in A32Operands op, int size)
    {
        uint value = (uint)A32Memory.Load(cpu, cpu.R(op.Rn), size, MemoryAccessKind.AcquireRelease);
        if (!cpu.AbortPending) cpu.SetR(op.Rd, value);
    }

    private static void StoreRelease(Cpu cpu, in A32Operands op, int size)
    {
        A32Memory.Store(cpu, cpu.R(op.Rn), size, cpu.R(op.Rm), MemoryAccessKind.AcquireRelease | MemoryAccessKind.Write);
        cpu.AfterStoreRelease();
    }

    /// <summary>F5.1 LDA.</summary>
    public static void Lda(Cpu cpu, in A32Operands op) => LoadAcquire(cpu, op, 4);
    /// <summary>F5.1 LDAB.</summary>
    public static void Ldab(Cpu cpu, in A32Operands op) => LoadAcquire(cpu, op, 1);
    /// <summary>F5.1 LDAH.</summary>
    public static void Ldah(Cpu cpu, in A32Operands op) => LoadAcquire(cpu, op, 2);
    /// <summary>F5.1 STL.</summary>
    public static void Stl(Cpu cpu, in A32Operands op) => StoreRelease(cpu, op, 4);
    /// <summary>F5.1 STLB.</summary>
    public static void Stlb(Cpu cpu, in A32Operands op) => StoreRelease(cpu, op, 1);
    /// <summary>F5.1 STLH.</summary>
    public static void Stlh(Cpu cpu, in A32Operands op) => StoreRelease(cpu, op, 2);
}
