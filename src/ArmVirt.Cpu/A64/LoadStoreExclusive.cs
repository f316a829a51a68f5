using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of the exclusive and ordered loads and stores (Arm ARM C4.1.4 "Load/store exclusive", B2.9
/// "Synchronization and semaphores"): LDXR/LDAXR, STXR/STLXR (all sizes), LDXP/LDAXP, STXP/STLXP, LDAR and STLR.
/// </summary>
/// <remarks>
/// Every access must be aligned to its total size (an alignment fault otherwise, even when the monitor would fail).
/// CONSTRAINED UNPREDICTABLE register overlaps follow QEMU: STXR with Rs == Rt or Rs == Rn reads Rt and Rn before
/// writing the status; LDXP with Rt == Rt2 leaves the value from the higher address.
/// Address translation faults are reported even when the monitor check would fail (IsExclusiveVA is TRUE);
/// no memory access, and so no external abort, happens when it fails.
/// </remarks>
internal static class LoadStoreExclusive
{
    private static MemoryAccessKind Kind(uint insn) =>
        (insn & (1u << 15)) != 0 ? MemoryAccessKind.Exclusive | MemoryAccessKind.AcquireRelease : MemoryAccessKind.Exclusive;

    /// <summary>C6.2 LDXR, LDXRB, LDXRH, LDAXR, LDAXRB, LDAXRH: load and mark the monitors.</summary>
    public static void LoadExclusive(Cpu cpu, uint insn)
    {
        int bytes = 1 << (int)(insn >> 30);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        var kind = Kind(insn);
        ulong pa = cpu.TranslateDataOrAbort(address, bytes, kind);
        ulong value = cpu.Load(address, bytes, kind);
        if (cpu.AbortPending) return; // neither Rt nor the monitors change (Cpu.DataAborts.cs)
        cpu.SetExclusiveMonitors(pa, bytes);
        cpu.ExclusiveValue = value; // (compared by a parallel-mode store-exclusive)
        cpu.SetX(Rt(insn), value);
    }

    /// <summary>C6.2 STXR, STXRB, STXRH, STLXR, STLXRB, STLXRH: store if the monitors pass; Ws = 0 on success, 1 on failure.</summary>
    public static void StoreExclusive(Cpu cpu, uint insn)
    {
        int bytes = 1 << (int)(insn >> 30);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        ulong data = cpu.X(Rt(insn));
        var kind = Kind(insn) | MemoryAccessKind.Write;
        ulong pa = cpu.TranslateDataOrAbort(address, bytes, kind);
        if (cpu.AbortPending) return; // Ws and the monitors unchanged
        bool passed = cpu.ExclusiveMonitorsPass(pa, bytes);
        if (passed)
        {
            if (cpu.Parallel) passed = cpu.StoreExclusiveOnHost(address, pa, bytes, data, kind);
            else cpu.Store(address, bytes, data, kind);
        }
        if (cpu.AbortPending) return;
        cpu.SetW(Rs(insn), passed ? 0u : 1u);
    }

    /// <summary>C6.2 LDXP, LDAXP: a pair of 32-bit (one 64-bit access) or 64-bit registers, aligned to the pair size.</summary>
    public static void LoadExclusivePair(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        var kind = Kind(insn);
        int t = Rt(insn), t2 = Rt2(insn);
        if ((insn & (1u << 30)) == 0)
        {
            ulong pa = cpu.TranslateDataOrAbort(address, 8, kind);
            ulong value = cpu.Load(address, 8, kind);
            if (cpu.AbortPending) return;
            cpu.SetExclusiveMonitors(pa, 8);
            cpu.ExclusiveValue = value;
            cpu.SetX(t, (uint)value);
            cpu.SetX(t2, value >> 32);
        }
        else
        {
            ulong pa = cpu.TranslateDataOrAbort(address, 16, kind);
            ulong low = cpu.Load(address, 8, kind, 16);
            ulong high = cpu.Load(address + 8, 8, kind);
            if (cpu.AbortPending) return;
            cpu.SetExclusiveMonitors(pa, 16);
            cpu.ExclusiveValue = low;
            cpu.ExclusiveValueHigh = high;
            cpu.SetX(t, low);
            cpu.SetX(t2, high);
        }
    }

    /// <summary>C6.2 STXP, STLXP: store a register pair if the monitors pass; Ws = 0 on success, 1 on failure.</summary>
    public static void StoreExclusivePair(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        ulong first = cpu.X(Rt(insn)), second = cpu.X(Rt2(insn));
        var kind = Kind(insn) | MemoryAccessKind.Write;
        bool passed;
        if ((insn & (1u << 30)) == 0)
        {
            ulong pa = cpu.TranslateDataOrAbort(address, 8, kind);
            if (cpu.AbortPending) return;
            passed = cpu.ExclusiveMonitorsPass(pa, 8);
            if (passed && cpu.Parallel) passed = cpu.StoreExclusiveOnHost(address, pa, 8, (second << 32) | (uint)first, kind);
            else if (passed) cpu.Store(address, 8, (second << 32) | (uint)first, kind);
        }
        else
        {
            ulong pa = cpu.TranslateDataOrAbort(address, 16, kind);
            if (cpu.AbortPending) return;
            passed = cpu.ExclusiveMonitorsPass(pa, 16);
            if (passed && cpu.Parallel)
            {
                // No 16-byte host compare-and-swap: with the other PEs out of guest code, compared with what LDXP read
                // (Cpu.HostAtomics.cs).
                cpu.StartExclusive();
                try
                {
                    cpu.ProbeWrite(address + 8, 8, kind);
                    passed = cpu.ReadMemory(address, 8, kind & ~MemoryAccessKind.Write, 16) == cpu.ExclusiveValue
                        && cpu.ReadMemory(address + 8, 8, kind & ~MemoryAccessKind.Write) == cpu.ExclusiveValueHigh;
                    if (passed)
                    {
                        cpu.WriteMemory(address, 8, first, kind, 16);
                        cpu.WriteMemory(address + 8, 8, second, kind);
                    }
                }
                finally
                {
                    cpu.EndExclusive();
                }
            }
            else if (passed)
            {
                cpu.ProbeStore(address + 8, 8, kind);
                if (cpu.AbortPending) return;
                cpu.Store(address, 8, first, kind, 16);
                cpu.Store(address + 8, 8, second, kind);
            }
        }
        if (cpu.AbortPending) return;
        cpu.SetW(Rs(insn), passed ? 0u : 1u);
    }

    /// <summary>C6.2 LDAR, LDARB, LDARH: load-acquire, which must be aligned.</summary>
    public static void LoadAcquire(Cpu cpu, uint insn)
    {
        int bytes = 1 << (int)(insn >> 30);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        ulong value = cpu.Load(address, bytes, MemoryAccessKind.AcquireRelease);
        if (cpu.AbortPending) return;
        cpu.SetX(Rt(insn), value);
    }

    /// <summary>C6.2 STLR, STLRB, STLRH: store-release, which must be aligned.</summary>
    public static void StoreRelease(Cpu cpu, uint insn)
    {
        int bytes = 1 << (int)(insn >> 30);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        cpu.Store(address, bytes, cpu.X(Rt(insn)), MemoryAccessKind.AcquireRelease | MemoryAccessKind.Write);
        cpu.AfterStoreRelease();
    }
}
