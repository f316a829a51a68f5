using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of STP, LDP, LDPSW, STNP and LDNP (Arm ARM C4.1.4 "Load/store register pair",
/// aarch64/instrs/memory/pair/general). opc (bits 31..30) 00 = 32-bit, 01 = LDPSW, 10 = 64-bit; L = bit 22.
/// </summary>
/// <remarks>
/// CONSTRAINED UNPREDICTABLE cases follow QEMU: a load with Rt == Rt2 leaves the value from the lower address in
/// Rt; with writeback and Rn == Rt or Rt2, a store writes the registers' values before writeback and a load's
/// writeback is applied last. Both halves are checked before either register or memory location changes.
/// </remarks>
internal static class LoadStorePair
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Scale(uint insn) => 2 + (int)(insn >> 31);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Offset(uint insn) => (ulong)(SignedBits(insn, 21, 15) << Scale(insn));

    // False when an access faulted (its abort recorded, Cpu.DataAborts.cs): no register, and no memory, was written.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Transfer(Cpu cpu, uint insn, ulong address)
    {
        int bytes = 1 << Scale(insn);
        int t = Rt(insn), t2 = Rt2(insn);
        ulong address2 = address + (ulong)bytes;
        if ((insn & (1u << 22)) != 0)
        {
            if (!TryLoadFast(cpu, address, bytes, out ulong first, out ulong second))
            {
                first = cpu.Load(address, bytes);
                second = cpu.Load(address2, bytes);
                if (cpu.AbortPending) return false;
            }
            if ((insn >> 30) == 1)
            {
                first = AddressingModes.SignExtend(first, 32);
                second = AddressingModes.SignExtend(second, 32);
            }
            cpu.SetX(t2, second);
            cpu.SetX(t, first);
            return true;
        }
        else
        {
            ulong first = cpu.X(t), second = cpu.X(t2);
            if (TryStoreFast(cpu, address, bytes, first, second)) return true;
            cpu.ProbeStore(address, bytes);
            cpu.ProbeStore(address2, bytes);
            if (cpu.AbortPending) return false; // (a store's fast path does not look at a pending abort)
            cpu.Store(address, bytes, first);
            cpu.Store(address2, bytes, second);
            return !cpu.AbortPending;
        }
    }

    // Both halves in one page that the soft TLB maps readable RAM: one lookup for both, the values those of two
    // ReadMemory calls.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool TryLoadFast(Cpu cpu, ulong address, int bytes, out ulong first, out ulong second)
    {
        byte* h = (address & (ulong)(bytes - 1)) == 0 && (address & 0xFFF) + 2 * (ulong)bytes <= 0x1000
            ? cpu.FastReadPointer(address) : null;
        if (h == null)
        {
            first = second = 0;
            return false;
        }
        first = Cpu.LoadHost(h, bytes);
        second = Cpu.LoadHost(h + bytes, bytes);
        return true;
    }

    // Both halves in one page that the soft TLB maps writable RAM: neither can fault, so no probe is needed. The
    // stores and their notifications are those of two WriteMemory calls.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool TryStoreFast(Cpu cpu, ulong address, int bytes, ulong first, ulong second)
    {
        if ((address & (ulong)(bytes - 1)) != 0 || (address & 0xFFF) + 2 * (ulong)bytes > 0x1000) return false;
        byte* h = cpu.FastWritePointer(address, out ulong pa);
        if (h == null) return false;
        Cpu.StoreHost(h, bytes, first);
        cpu.AfterFastWrite(pa, bytes);
        Cpu.StoreHost(h + bytes, bytes, second);
        cpu.AfterFastWrite(pa + (ulong)bytes, bytes);
        return true;
    }

    /// <summary>Signed offset (and the non-temporal LDNP/STNP): address = base + imm7 &lt;&lt; scale.</summary>
    public static void SignedOffset(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + Offset(insn);
        Transfer(cpu, insn, address);
    }

    /// <summary>Pre-index: the access and writeback use base + imm7 &lt;&lt; scale.</summary>
    public static void PreIndex(Cpu cpu, uint insn)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n) + Offset(insn);
        if (Transfer(cpu, insn, address)) cpu.SetXSp(n, address);
    }

    /// <summary>Post-index: the access uses base, the writeback base + imm7 &lt;&lt; scale.</summary>
    public static void PostIndex(Cpu cpu, uint insn)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n);
        if (Transfer(cpu, insn, address)) cpu.SetXSp(n, address + Offset(insn));
    }
}
