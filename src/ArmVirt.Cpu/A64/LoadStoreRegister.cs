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
    internal static void Transfer(Cpu cpu, uint insn, ulong address, MemoryAccessKind kind) =>
        Transfer(cpu, insn, address, kind, Size(insn), Opc(insn));

    // The transfer for a given size (bits 31..30) and opc (bits 23..22): constants in the shaped entry points below,
    // which RyuJIT folds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transfer(Cpu cpu, uint insn, ulong address, MemoryAccessKind kind, int size, uint opc)
    {
        int bytes = 1 << size;
        int t = Rt(insn);
        switch (opc)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Size(uint insn) => (int)(insn >> 30);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Opc(uint insn) => (insn >> 22) & 3;

    /// <summary>C6.2 LDR/STR (immediate), unsigned offset: address = base + imm12 &lt;&lt; size.</summary>
    public static void UnsignedImmediate(Cpu cpu, uint insn) => UnsignedImmediate(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UnsignedImmediate(Cpu cpu, uint insn, int size, uint opc)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + (Bits(insn, 21, 10) << size);
        Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc);
    }

    /// <summary>C6.2 LDUR/STUR: address = base + SignExtend(imm9).</summary>
    public static void Unscaled(Cpu cpu, uint insn) => Unscaled(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unscaled(Cpu cpu, uint insn, int size, uint opc)
    {
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + (ulong)SignedBits(insn, 20, 12);
        Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc);
    }

    /// <summary>C6.2 LDR/STR (immediate), pre-index: the access and the writeback use base + imm9.</summary>
    public static void PreIndex(Cpu cpu, uint insn) => PreIndex(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PreIndex(Cpu cpu, uint insn, int size, uint opc)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n) + (ulong)SignedBits(insn, 20, 12);
        Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc);
        cpu.SetXSp(n, address);
    }

    /// <summary>C6.2 LDR/STR (immediate), post-index: the access uses base, the writeback base + imm9.</summary>
    public static void PostIndex(Cpu cpu, uint insn) => PostIndex(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PostIndex(Cpu cpu, uint insn, int size, uint opc)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n);
        Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc);
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
    public static void RegisterOffset(Cpu cpu, uint insn) => RegisterOffset(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RegisterOffset(Cpu cpu, uint insn, int size, uint opc)
    {
        int shift = (insn & (1u << 12)) != 0 ? size : 0;
        ulong offset = AddressingModes.ExtendOffset(cpu.X(Rm(insn)), Bits(insn, 15, 13), shift);
        ulong address = AddressingModes.Base(cpu, Rn(insn)) + offset;
        Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc);
    }

    /// <summary>
    /// The entry point of <paramref name="handler"/> (a row handler of this class) for the size and opc of
    /// <paramref name="insn"/>, with that shape fixed so that RyuJIT folds the transfer's choices (the predecoded tier
    /// calls it instead of the row handler: the same semantics without decoding the shape per execution); 0 for the
    /// modes and shapes that have none (LDTR/STTR, the sign-extending loads).
    /// </summary>
    internal static nint ShapedEntry(A64Handler handler, uint insn)
    {
        uint opc = Opc(insn);
        if (opc > 1 || !ShapedModes.TryGetValue(handler.Method, out var entries)) return 0;
        return entries[Size(insn) * 2 + (int)opc];
    }

    // Per addressing mode: the shaped entry points indexed by size * 2 + opc (opc 0 store, 1 load).
    private static readonly Dictionary<System.Reflection.MethodInfo, nint[]> ShapedModes = BuildShapedModes();

    private static unsafe Dictionary<System.Reflection.MethodInfo, nint[]> BuildShapedModes() => new()
    {
        [((A64Handler)UnsignedImmediate).Method] =
        [
            (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<B, Store>, (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<B, Load>,
            (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<H, Store>, (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<H, Load>,
            (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<W, Store>, (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<W, Load>,
            (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<X, Store>, (nint)(delegate*<Cpu, uint, void>)&UnsignedImmediate<X, Load>,
        ],
        [((A64Handler)Unscaled).Method] =
        [
            (nint)(delegate*<Cpu, uint, void>)&Unscaled<B, Store>, (nint)(delegate*<Cpu, uint, void>)&Unscaled<B, Load>,
            (nint)(delegate*<Cpu, uint, void>)&Unscaled<H, Store>, (nint)(delegate*<Cpu, uint, void>)&Unscaled<H, Load>,
            (nint)(delegate*<Cpu, uint, void>)&Unscaled<W, Store>, (nint)(delegate*<Cpu, uint, void>)&Unscaled<W, Load>,
            (nint)(delegate*<Cpu, uint, void>)&Unscaled<X, Store>, (nint)(delegate*<Cpu, uint, void>)&Unscaled<X, Load>,
        ],
        [((A64Handler)PreIndex).Method] =
        [
            (nint)(delegate*<Cpu, uint, void>)&PreIndex<B, Store>, (nint)(delegate*<Cpu, uint, void>)&PreIndex<B, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PreIndex<H, Store>, (nint)(delegate*<Cpu, uint, void>)&PreIndex<H, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PreIndex<W, Store>, (nint)(delegate*<Cpu, uint, void>)&PreIndex<W, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PreIndex<X, Store>, (nint)(delegate*<Cpu, uint, void>)&PreIndex<X, Load>,
        ],
        [((A64Handler)PostIndex).Method] =
        [
            (nint)(delegate*<Cpu, uint, void>)&PostIndex<B, Store>, (nint)(delegate*<Cpu, uint, void>)&PostIndex<B, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PostIndex<H, Store>, (nint)(delegate*<Cpu, uint, void>)&PostIndex<H, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PostIndex<W, Store>, (nint)(delegate*<Cpu, uint, void>)&PostIndex<W, Load>,
            (nint)(delegate*<Cpu, uint, void>)&PostIndex<X, Store>, (nint)(delegate*<Cpu, uint, void>)&PostIndex<X, Load>,
        ],
        [((A64Handler)RegisterOffset).Method] =
        [
            (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<B, Store>, (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<B, Load>,
            (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<H, Store>, (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<H, Load>,
            (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<W, Store>, (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<W, Load>,
            (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<X, Store>, (nint)(delegate*<Cpu, uint, void>)&RegisterOffset<X, Load>,
        ],
    };

    private static void UnsignedImmediate<TSize, TOpc>(Cpu cpu, uint insn) where TSize : struct, IShape where TOpc : struct, IShape =>
        UnsignedImmediate(cpu, insn, TSize.Value, (uint)TOpc.Value);

    private static void Unscaled<TSize, TOpc>(Cpu cpu, uint insn) where TSize : struct, IShape where TOpc : struct, IShape =>
        Unscaled(cpu, insn, TSize.Value, (uint)TOpc.Value);

    private static void PreIndex<TSize, TOpc>(Cpu cpu, uint insn) where TSize : struct, IShape where TOpc : struct, IShape =>
        PreIndex(cpu, insn, TSize.Value, (uint)TOpc.Value);

    private static void PostIndex<TSize, TOpc>(Cpu cpu, uint insn) where TSize : struct, IShape where TOpc : struct, IShape =>
        PostIndex(cpu, insn, TSize.Value, (uint)TOpc.Value);

    private static void RegisterOffset<TSize, TOpc>(Cpu cpu, uint insn) where TSize : struct, IShape where TOpc : struct, IShape =>
        RegisterOffset(cpu, insn, TSize.Value, (uint)TOpc.Value);

    // A field value fixed by a type argument (RyuJIT compiles each struct instantiation on its own, with the constant).
    private interface IShape { static abstract int Value { get; } }
    private struct B : IShape { public static int Value => 0; }
    private struct H : IShape { public static int Value => 1; }
    private struct W : IShape { public static int Value => 2; }
    private struct X : IShape { public static int Value => 3; }
    private struct Store : IShape { public static int Value => 0; }
    private struct Load : IShape { public static int Value => 1; }

    /// <summary>C6.2 PRFM (immediate, register, literal) and PRFUM: a hint with no architectural effect; never faults.</summary>
    public static void Prefetch(Cpu cpu, uint insn)
    {
    }

    /// <summary>Decode constraint of the register-offset forms: option&lt;1&gt; must be 1.</summary>
    public static bool OptionAllocated(uint insn) => (insn & (1u << 14)) != 0;
}
