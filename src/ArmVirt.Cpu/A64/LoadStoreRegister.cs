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
    internal static bool Transfer(Cpu cpu, uint insn, ulong address, MemoryAccessKind kind) =>
        Transfer(cpu, insn, address, kind, Size(insn), Opc(insn));

    // The transfer for a given size (bits 31..30) and opc (bits 23..22): constants in the shaped entry points below,
    // which RyuJIT folds. False when the access faulted (its abort recorded, Cpu.DataAborts.cs): Rt is not written,
    // and the caller writes no base back.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Transfer(Cpu cpu, uint insn, ulong address, MemoryAccessKind kind, int size, uint opc)
    {
        int bytes = 1 << size;
        int t = Rt(insn);
        if (opc == 0)
        {
            cpu.Store(address, bytes, cpu.X(t), kind | MemoryAccessKind.Write);
            return !cpu.AbortPending;
        }
        ulong value = cpu.Load(address, bytes, kind);
        if (cpu.AbortPending) return false;
        cpu.SetX(t, opc switch
        {
            1 => value,
            2 => AddressingModes.SignExtend(value, 8 * bytes),
            _ => (uint)AddressingModes.SignExtend(value, 8 * bytes),
        });
        return true;
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
        if (Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc)) cpu.SetXSp(n, address);
    }

    /// <summary>C6.2 LDR/STR (immediate), post-index: the access uses base, the writeback base + imm9.</summary>
    public static void PostIndex(Cpu cpu, uint insn) => PostIndex(cpu, insn, Size(insn), Opc(insn));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PostIndex(Cpu cpu, uint insn, int size, uint opc)
    {
        int n = Rn(insn);
        ulong address = AddressingModes.Base(cpu, n);
        if (Transfer(cpu, insn, address, MemoryAccessKind.Read, size, opc)) cpu.SetXSp(n, address + (ulong)SignedBits(insn, 20, 12));
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
    private static readonly Dictionary<System.Reflection.MethodInfo, nint[]> ShapedModes = new()
    {
        [((A64Handler)UnsignedImmediate).Method] = Shapes<UnsignedImmediateMode>(),
        [((A64Handler)Unscaled).Method] = Shapes<UnscaledMode>(),
        [((A64Handler)PreIndex).Method] = Shapes<PreIndexMode>(),
        [((A64Handler)PostIndex).Method] = Shapes<PostIndexMode>(),
        [((A64Handler)RegisterOffset).Method] = Shapes<RegisterOffsetMode>(),
    };

    private static unsafe nint[] Shapes<TMode>() where TMode : struct, IMode =>
    [
        (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, B, Store>, (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, B, Load>,
        (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, H, Store>, (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, H, Load>,
        (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, W, Store>, (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, W, Load>,
        (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, X, Store>, (nint)(delegate*<Cpu, uint, void>)&Shaped<TMode, X, Load>,
    ];

    // One instantiation per addressing mode, size and opc: RyuJIT compiles each with the three as constants.
    private static void Shaped<TMode, TSize, TOpc>(Cpu cpu, uint insn)
        where TMode : struct, IMode where TSize : struct, IShape where TOpc : struct, IShape =>
        TMode.Run(cpu, insn, TSize.Value, (uint)TOpc.Value);

    // An addressing mode's handler with its shape as arguments.
    private interface IMode { static abstract void Run(Cpu cpu, uint insn, int size, uint opc); }
    private struct UnsignedImmediateMode : IMode { public static void Run(Cpu cpu, uint insn, int size, uint opc) => UnsignedImmediate(cpu, insn, size, opc); }
    private struct UnscaledMode : IMode { public static void Run(Cpu cpu, uint insn, int size, uint opc) => Unscaled(cpu, insn, size, opc); }
    private struct PreIndexMode : IMode { public static void Run(Cpu cpu, uint insn, int size, uint opc) => PreIndex(cpu, insn, size, opc); }
    private struct PostIndexMode : IMode { public static void Run(Cpu cpu, uint insn, int size, uint opc) => PostIndex(cpu, insn, size, opc); }
    private struct RegisterOffsetMode : IMode { public static void Run(Cpu cpu, uint insn, int size, uint opc) => RegisterOffset(cpu, insn, size, opc); }

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
