using System.Runtime.CompilerServices;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Semantics of the single-register integer loads and stores (Arm ARM C4.1.4 "Load/store register"): STR, LDR,
/// the byte/halfword forms and the sign-extending loads, in every addressing mode, plus PRFM/PRFUM.
/// One handler per addressing mode; <c>size</c> (bits 31..30) and <c>opc</c> (bits 23..22) select the transfer.
/// </summary>
/// <remarks>
/// Writeback with Rn == Rt (CONSTRAINED UNPREDICTABLE): as QEMU does, a store writes the register's value before
/// writeback and a load's writeback is applied after the load, so Rn ends up holding the written-back address.
/// </remarks>
internal static class LoadStoreRegister
{
    /// <summary>
    /// The transfer of aarch64/instrs/memory/single-general: opc 00 store, 01 load zero-extended, 10 load
    /// sign-extended to 64 bits, 11 load sign-extended to 32 bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transfer(Cpu cpu, uint insn, ulong address, MemoryAccessKind kind)
    {
        int size = (int)(insn >> 30);
        int bytes = 1 << size;
        int t = Rt(insn);
        switch ((insn >> 22) & 3)
        {
            case 0:
                cpu.WriteMemory(address, bytes, cpu.X(t), kind | MemoryAccessKind.Write);
                break;
            case 1:
                cpu.SetX(t, cpu.ReadMemory(address, bytes, kind));
                break;
            case 2:
                cpu.SetX(t, AddressingModes.SignExtend(cpu.ReadMemory(address, bytes, kind), 8 * bytes));
                break;
            default:
                cpu.SetX(t, (uint)AddressingModes.SignExtend(cpu.ReadMemory(address, bytes, kind), 8 * bytes));
                break;
        }
    }

    /// <summary>C6.2 LDR/STR (immediate), unsigned offset: address = base + imm12 &lt;&lt; size.</summary>
    public static void UnsignedImmediate(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + (Bits(insn, 21, 10) << (int)(insn >> 30));
        Transfer(cpu, insn, address, MemoryAccessKind.Read);
    }

    /// <summary>C6.2 LDUR/STUR: address = base + SignExtend(imm9).</summary>
    public static void Unscaled(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + (ulong)SignedBits(insn, 20, 12);
        Transfer(cpu, insn, address, MemoryAccessKind.Read);
    }

    /// <summary>C6.2 LDR/STR (immediate), pre-index: the access and the writeback use base + imm9.</summary>
    public static void PreIndex(Cpu cpu, uint insn)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n) + (ulong)SignedBits(insn, 20, 12);
        Transfer(cpu, insn, address, MemoryAccessKind.Read);
        cpu.SetXSp(n, address);
    }

    /// <summary>C6.2 LDR/STR (immediate), post-index: the access uses base, the writeback base + imm9.</summary>
    public static void PostIndex(Cpu cpu, uint insn)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n);
        Transfer(cpu, insn, address, MemoryAccessKind.Read);
        cpu.SetXSp(n, address + (ulong)SignedBits(insn, 20, 12));
    }

    /// <summary>C6.2 LDTR/STTR and their byte, halfword and signed forms: base + imm9, checked as EL0 from EL1.</summary>
    public static void Unprivileged(Cpu cpu, uint insn)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + (ulong)SignedBits(insn, 20, 12);
        Transfer(cpu, insn, address, AddressingModes.UnprivilegedKind(cpu));
    }

    /// <summary>
    /// C6.2 LDR/STR (register): address = base + ExtendReg(Rm, option, S ? size : 0); option&lt;1&gt; == 0 is
    /// unallocated (rejected by the decode constraint).
    /// </summary>
    public static void RegisterOffset(Cpu cpu, uint insn)
    {
        int shift = (insn & (1u << 12)) != 0 ? (int)(insn >> 30) : 0;
        ulong offset = AddressingModes.ExtendOffset(cpu.X(Rm(insn)), Bits(insn, 15, 13), shift);
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + offset;
        Transfer(cpu, insn, address, MemoryAccessKind.Read);
    }

    /// <summary>C6.2 PRFM (immediate, register, literal) and PRFUM: a hint with no architectural effect; never faults.</summary>
    public static void Prefetch(Cpu cpu, uint insn)
    {
    }

    /// <summary>Decode constraint of the register-offset forms: option&lt;1&gt; must be 1.</summary>
    public static bool OptionAllocated(uint insn) => (insn & (1u << 14)) != 0;
}
