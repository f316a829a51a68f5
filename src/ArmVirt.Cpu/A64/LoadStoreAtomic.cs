using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of the FEAT_LSE atomics (Arm ARM C4.1.4 "Atomic memory operations", "Compare and swap"):
/// LD&lt;op&gt; (ADD, CLR, EOR, SET, SMAX, SMIN, UMAX, UMIN) and SWP with their ST&lt;op&gt; aliases (Rt = 31), CAS and
/// CASP, each with acquire/release variants. They raise UNDEFINED on a CPU model without LSE.
/// </summary>
/// <remarks>
/// Accesses must be aligned to their size (the pair size for CASP). Both accesses are checked before anything changes:
/// the read first, so that a fault a read would also take is reported with WnR = 0, then the write (a permission fault
/// only the write takes: WnR = 1), as ESR_ELx.ISS.WnR says for atomics that read and write (D17.2.40) and QEMU does.
/// A fault is recorded, not thrown (Cpu.DataAborts.cs), and the handler then writes no register. With one CPU executing
/// at a time the read-modify-write is trivially single-copy atomic; with CPUs on several host threads
/// (<see cref="Cpu.Parallel"/>) it is a host compare-and-swap (Cpu.HostAtomics.cs).
/// </remarks>
internal static class LoadStoreAtomic
{
    private const MemoryAccessKind AtomicWrite = MemoryAccessKind.Atomic | MemoryAccessKind.Write;

    // The checks of the read-modify-write before it changes anything (see the remarks); false when one faulted.
    private static bool CheckAccess(Cpu cpu, ulong address, int bytes, int alignment = 0)
    {
        cpu.TranslateDataOrAbort(address, bytes, MemoryAccessKind.Atomic, alignment);
        cpu.ProbeStore(address, bytes, AtomicWrite, alignment);
        return !cpu.AbortPending;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RequireLse(Cpu cpu, uint insn)
    {
        if (!cpu.Configuration.Model.HasLse) cpu.Undefined(insn);
    }

    /// <summary>aarch64/instrs/memory/atomicops/ld: MemAtomic with op = opc (o3 = 0) or SWP (o3 = 1); Rt = old value.</summary>
    public static void MemoryOperation(Cpu cpu, uint insn)
    {
        RequireLse(cpu, insn);
        int bits = 8 << (int)(insn >> 30);
        int bytes = bits >> 3;
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        ulong operand = cpu.X(Rs(insn));
        if (!cpu.Parallel || !HostMemoryOperation(cpu, insn, address, bits, operand, out ulong old))
        {
            if (!CheckAccess(cpu, address, bytes)) return; // Rt unchanged, memory not written
            old = cpu.Load(address, bytes, MemoryAccessKind.Atomic);
            cpu.Store(address, bytes, Operate(insn, old, operand, bits), AtomicWrite);
            if (cpu.AbortPending) return; // Rt unchanged, memory not written (Cpu.DataAborts.cs)
        }
        cpu.SetX(Rt(insn), old);
    }

    // The new value of a MemAtomic (or SWP) of old and operand.
    private static ulong Operate(uint insn, ulong old, ulong operand, int bits)
    {
        if ((insn & (1u << 15)) != 0) return operand; // SWP
        return ((insn >> 12) & 7) switch
        {
            0 => old + operand,                                            // MemAtomicOp_ADD
            1 => old & ~operand,                                           // MemAtomicOp_BIC
            2 => old ^ operand,                                            // MemAtomicOp_EOR
            3 => old | operand,                                            // MemAtomicOp_ORR
            4 => SignedGreater(operand, old, bits) ? operand : old,        // MemAtomicOp_SMAX
            5 => SignedGreater(operand, old, bits) ? old : operand,        // MemAtomicOp_SMIN
            6 => Truncate(operand, bits) > old ? operand : old,            // MemAtomicOp_UMAX
            _ => Truncate(operand, bits) > old ? old : operand,            // MemAtomicOp_UMIN
        };
    }

    // Parallel SMP (Cpu.HostAtomics.cs): the operation as a host compare-and-swap loop on RAM; false for MMIO.
    private static unsafe bool HostMemoryOperation(Cpu cpu, uint insn, ulong address, int bits, ulong operand, out ulong old)
    {
        int bytes = bits >> 3;
        byte* p = cpu.HostAtomicPointer(address, bytes, bytes, out ulong pa);
        old = 0;
        if (p == null) return false;
        old = Cpu.LoadHost(p, bytes);
        while (true)
        {
            ulong result = Operate(insn, old, operand, bits);
            ulong seen = Cpu.CompareExchangeHost(p, bytes, result, old);
            if (seen == old)
            {
                cpu.AfterHostAtomicWrite(address, pa, bytes, old, result);
                return true;
            }
            old = seen;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Truncate(ulong value, int bits) => bits == 64 ? value : value & ((1UL << bits) - 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SignedGreater(ulong a, ulong b, int bits) =>
        (long)AddressingModes.SignExtend(a, bits) > (long)AddressingModes.SignExtend(b, bits);

    /// <summary>C6.2 CAS, CASB, CASH (and A/L/AL): store Rt if memory equals Rs; Rs = the old value.</summary>
    public static void CompareAndSwap(Cpu cpu, uint insn)
    {
        RequireLse(cpu, insn);
        int bits = 8 << (int)(insn >> 30);
        int bytes = bits >> 3;
        int s = Rs(insn);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        ulong compare = Truncate(cpu.X(s), bits);
        ulong value = cpu.X(Rt(insn));
        if (!cpu.Parallel || !HostCompareAndSwap(cpu, address, bytes, compare, value, out ulong old))
        {
            if (!CheckAccess(cpu, address, bytes)) return; // Rs unchanged
            old = cpu.Load(address, bytes, MemoryAccessKind.Atomic);
            if (old == compare) cpu.Store(address, bytes, value, AtomicWrite);
            if (cpu.AbortPending) return; // Rs unchanged
        }
        cpu.SetX(s, old);
    }

    // Parallel SMP (Cpu.HostAtomics.cs): one host compare-and-swap of 1 to 8 bytes on RAM; false for MMIO.
    private static unsafe bool HostCompareAndSwap(Cpu cpu, ulong address, int bytes, ulong compare, ulong value, out ulong old)
    {
        byte* p = cpu.HostAtomicPointer(address, bytes, bytes, out ulong pa);
        old = 0;
        if (p == null) return false;
        old = Cpu.CompareExchangeHost(p, bytes, value, compare);
        if (old == compare) cpu.AfterHostAtomicWrite(address, pa, bytes, old, value);
        return true;
    }

    /// <summary>
    /// C6.2 CASP (and A/L/AL): compare the pair Rs:Rs+1 with memory and store Rt:Rt+1 if equal; Rs:Rs+1 = old values.
    /// Rs and Rt must be even (odd is unallocated, rejected by the decode constraint).
    /// </summary>
    public static void CompareAndSwapPair(Cpu cpu, uint insn)
    {
        RequireLse(cpu, insn);
        int s = Rs(insn), t = Rt(insn);
        ulong address = AddressingModes.Base(cpu, Rn(insn));
        if ((insn & (1u << 30)) == 0)
        {
            ulong compare = ((ulong)cpu.W(s + 1) << 32) | cpu.W(s);
            ulong value = ((ulong)cpu.W(t + 1) << 32) | cpu.W(t);
            if (!cpu.Parallel || !HostCompareAndSwap(cpu, address, 8, compare, value, out ulong old))
            {
                if (!CheckAccess(cpu, address, 8)) return;
                old = cpu.Load(address, 8, MemoryAccessKind.Atomic);
                if (old == compare) cpu.Store(address, 8, value, AtomicWrite);
                if (cpu.AbortPending) return;
            }
            cpu.SetX(s, (uint)old);
            cpu.SetX(s + 1, old >> 32);
        }
        else
        {
            ulong compareLow = cpu.X(s), compareHigh = cpu.X(s + 1);
            ulong valueLow = cpu.X(t), valueHigh = cpu.X(t + 1);
            // Parallel SMP: no 16-byte host compare-and-swap; the other PEs are kept out of guest code (Cpu.HostAtomics.cs).
            if (cpu.Parallel)
            {
                cpu.StartExclusive();
                try
                {
                    CompareAndSwapPair128(cpu, address, compareLow, compareHigh, valueLow, valueHigh, s);
                }
                finally
                {
                    cpu.EndExclusive();
                }
                return;
            }
            CompareAndSwapPair128(cpu, address, compareLow, compareHigh, valueLow, valueHigh, s);
        }
    }

    private static void CompareAndSwapPair128(Cpu cpu, ulong address, ulong compareLow, ulong compareHigh, ulong valueLow, ulong valueHigh, int s)
    {
        if (!CheckAccess(cpu, address, 8, 16) || !CheckAccess(cpu, address + 8, 8)) return;
        ulong low = cpu.Load(address, 8, MemoryAccessKind.Atomic, 16);
        ulong high = cpu.Load(address + 8, 8, MemoryAccessKind.Atomic);
        if (cpu.AbortPending) return;
        if (low == compareLow && high == compareHigh)
        {
            cpu.Store(address, 8, valueLow, AtomicWrite, 16);
            cpu.Store(address + 8, 8, valueHigh, AtomicWrite);
        }
        if (cpu.AbortPending) return;
        cpu.SetX(s, low);
        cpu.SetX(s + 1, high);
    }

    /// <summary>Decode constraint of CASP: Rs and Rt must be even.</summary>
    public static bool EvenPairRegisters(uint insn) => (insn & 1) == 0 && (insn & (1u << 16)) == 0;
}
