using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A64;
using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// IL for the integer loads and stores (Arm ARM C4.1.4: LDR/STR and their byte, halfword and signed forms in the
/// immediate, unscaled, pre/post-index and register-offset modes; LDP/STP/LDPSW). The fast path is the host TLB's
/// (<c>Cpu.HostTlb.cs</c>): an access aligned to its size, inside one page, whose page the host TLB maps for the
/// access (a hit; a miss runs the handler, after which <see cref="Cpu.JitHostTlbFill"/> fills the slot from the MMU TLB),
/// with an SP base that is 16-byte aligned. Every other case runs the whole instruction through its
/// interpreter handler, which walks the tables, raises the faults, reaches MMIO and drops translated code.
/// </summary>
internal static class LoadStoreEmitters
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo FillVaField = typeof(Cpu).GetField(nameof(Cpu.JitFillVa), Private)!;

    /// <summary>The handlers this family replaces, with their emitters.</summary>
    public static IEnumerable<(A64Handler Handler, A64Emitter Emitter)> Entries =>
    [
        (LoadStoreRegister.UnsignedImmediate, (c, i) => Single(c, i, Bits(i, 21, 10) << (int)(i >> 30), Writeback.None)),
        (LoadStoreRegister.Unscaled, (c, i) => Single(c, i, (ulong)SignedBits(i, 20, 12), Writeback.None)),
        (LoadStoreRegister.PreIndex, (c, i) => Single(c, i, (ulong)SignedBits(i, 20, 12), Writeback.Pre)),
        (LoadStoreRegister.PostIndex, (c, i) => Single(c, i, (ulong)SignedBits(i, 20, 12), Writeback.Post)),
        (LoadStoreRegister.RegisterOffset, RegisterOffset),
        (LoadStorePair.SignedOffset, (c, i) => Pair(c, i, Writeback.None)),
        (LoadStorePair.PreIndex, (c, i) => Pair(c, i, Writeback.Pre)),
        (LoadStorePair.PostIndex, (c, i) => Pair(c, i, Writeback.Post)),
    ];

    private enum Writeback { None, Pre, Post }

    // Immediate forms: address = base + offset (the access uses base alone for post-index).
    private static bool Single(IlEmitContext c, uint insn, ulong offset, Writeback writeback) =>
        EmitAccess(c, slow => EmitBaseAndOffset(c, Rn(insn), offset, writeback, slow),
            (address, slow) => EmitTransfer(c, insn, address, slow),
            address => EmitWriteback(c, Rn(insn), address, offset, writeback));

    /// <summary>
    /// The shape of every emitted load or store: the address into a local, the transfer's fast path, the base
    /// writeback, and the interpreter's handler for the whole instruction when any fast-path test fails.
    /// </summary>
    private static bool EmitAccess(IlEmitContext c, Action<Label> pushAddress, Action<LocalBuilder, Label> transfer,
        Action<LocalBuilder> writeback)
    {
        var il = c.Il;
        var slow = il.DefineLabel();
        var done = il.DefineLabel();
        var address = c.Temp(typeof(ulong));
        pushAddress(slow);
        il.Emit(OpCodes.Stloc, address);
        transfer(address, slow);
        writeback(address);
        il.Emit(OpCodes.Br, done);
        il.MarkLabel(slow);
        c.EmitHandlerFallback();
        il.MarkLabel(done);
        return true;
    }

    // Pushes base + offset (base alone for post-index).
    private static void EmitBaseAndOffset(IlEmitContext c, int n, ulong offset, Writeback writeback, Label slow)
    {
        EmitBase(c, n, slow);
        if (writeback != Writeback.Post && offset != 0)
        {
            c.Il.Emit(OpCodes.Ldc_I8, (long)offset);
            c.Il.Emit(OpCodes.Add);
        }
    }

    // Rn|SP = address (pre-index) or address + offset (post-index).
    private static void EmitWriteback(IlEmitContext c, int n, LocalBuilder address, ulong offset, Writeback writeback)
    {
        if (writeback == Writeback.None) return;
        c.Il.Emit(OpCodes.Ldloc, address);
        if (writeback == Writeback.Post)
        {
            c.Il.Emit(OpCodes.Ldc_I8, (long)offset);
            c.Il.Emit(OpCodes.Add);
        }
        c.StoreXSp(n);
    }

    // LDR/STR (register): address = base + ExtendReg(Rm, option, S ? size : 0).
    private static bool RegisterOffset(IlEmitContext c, uint insn) =>
        EmitAccess(c, slow =>
        {
            var il = c.Il;
            int shift = (insn & (1u << 12)) != 0 ? (int)(insn >> 30) : 0;
            uint option = Bits(insn, 15, 13);
            EmitBase(c, Rn(insn), slow);
            c.LoadX(Rm(insn));
            if ((option & 1) == 0)
            {
                // UXTW / SXTW
                if ((option & 4) != 0)
                {
                    il.Emit(OpCodes.Conv_I4);
                    il.Emit(OpCodes.Conv_I8);
                }
                else AluEmitters.EmitZeroExtend32(il);
            }
            if (shift != 0)
            {
                il.Emit(OpCodes.Ldc_I4, shift);
                il.Emit(OpCodes.Shl);
            }
            il.Emit(OpCodes.Add);
        }, (address, slow) => EmitTransfer(c, insn, address, slow), _ => { });

    // Pushes the base register; with SP as the base, a misaligned SP takes the slow path (CheckSPAlignment there).
    private static void EmitBase(IlEmitContext c, int n, Label slow)
    {
        var il = c.Il;
        if (n == 31)
        {
            c.LoadXSp(31);
            il.Emit(OpCodes.Ldc_I8, 15L);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Brtrue, slow);
        }
        c.LoadXSp(n);
    }

    // LoadStoreRegister.Transfer's fast path: opc 00 store, 01 load, 10 load signed to 64, 11 load signed to 32.
    private static void EmitTransfer(IlEmitContext c, uint insn, LocalBuilder address, Label slow)
    {
        var il = c.Il;
        int bytes = 1 << (int)(insn >> 30);
        uint opc = (insn >> 22) & 3;
        var host = c.Temp(typeof(nint));
        EmitHostAddress(c, address, bytes, write: opc == 0, host, slow);
        if (opc == 0)
        {
            il.Emit(OpCodes.Ldloc, host);
            c.LoadX(Rt(insn));
            EmitStoreHost(il, bytes);
            EmitNotifyWrite(c, address, 0, bytes);
            return;
        }
        il.Emit(OpCodes.Ldloc, host);
        EmitLoadHost(il, bytes);
        if (opc != 1 && bytes < 8) EmitSignExtend(il, bytes, to32: opc == 3);
        c.StoreX(Rt(insn));
    }

    // LDP/STP/LDPSW: opc (bits 31..30) 00 32-bit, 01 LDPSW, 10 64-bit; L = bit 22. Both halves in one page.
    private static bool Pair(IlEmitContext c, uint insn, Writeback writeback)
    {
        int scale = 2 + (int)(insn >> 31);
        ulong offset = (ulong)(SignedBits(insn, 21, 15) << scale);
        return EmitAccess(c, slow => EmitBaseAndOffset(c, Rn(insn), offset, writeback, slow),
            (address, slow) => EmitPairTransfer(c, insn, 1 << scale, address, slow),
            address => EmitWriteback(c, Rn(insn), address, offset, writeback));
    }

    // LoadStorePair.Transfer's fast path: both halves through one host address.
    private static void EmitPairTransfer(IlEmitContext c, uint insn, int bytes, LocalBuilder address, Label slow)
    {
        var il = c.Il;
        int t = Rt(insn), t2 = Rt2(insn);
        bool load = (insn & (1u << 22)) != 0;
        var host = c.Temp(typeof(nint));
        // Both halves in the page of the first.
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I8, 0xFFFL);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldc_I8, (long)(0x1000 - 2 * bytes));
        il.Emit(OpCodes.Bgt_Un, slow);
        EmitHostAddress(c, address, bytes, write: !load, host, slow);
        if (load)
        {
            var first = c.Temp(typeof(ulong));
            EmitLoadPairHalf(il, host, 0, bytes, signed: (insn >> 30) == 1);
            il.Emit(OpCodes.Stloc, first);
            EmitLoadPairHalf(il, host, bytes, bytes, signed: (insn >> 30) == 1);
            c.StoreX(t2);
            il.Emit(OpCodes.Ldloc, first);
            c.StoreX(t);
            return;
        }
        il.Emit(OpCodes.Ldloc, host);
        c.LoadX(t);
        EmitStoreHost(il, bytes);
        il.Emit(OpCodes.Ldloc, host);
        il.Emit(OpCodes.Ldc_I4, bytes);
        il.Emit(OpCodes.Add);
        c.LoadX(t2);
        EmitStoreHost(il, bytes);
        EmitNotifyWrite(c, address, 0, bytes);
        EmitNotifyWrite(c, address, bytes, bytes);
    }

    private static void EmitLoadPairHalf(ILGenerator il, LocalBuilder host, int at, int bytes, bool signed)
    {
        il.Emit(OpCodes.Ldloc, host);
        if (at != 0)
        {
            il.Emit(OpCodes.Ldc_I4, at);
            il.Emit(OpCodes.Add);
        }
        EmitLoadHost(il, bytes);
        if (signed) EmitSignExtend(il, 4, to32: false);
    }

    // host = the host address of [address, address + bytes) through the host TLB: a hit when the slot's read (or
    // write) tag equals the address's page with its low bits under the access size clear (an unaligned address never
    // hits). A miss goes to the slow path with cpu.JitFillVa set, so that the handler's access fills the slot.
    internal static void EmitHostAddress(IlEmitContext c, LocalBuilder address, int bytes, bool write, LocalBuilder host, Label slow)
    {
        var il = c.Il;
        var entry = c.Temp(typeof(nint));
        var miss = il.DefineLabel();
        var have = il.DefineLabel();
        // ((address >> 12) & (slots - 1)) * sizeof(entry), as one shift and one mask, plus the first slot
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I4, 12 - Cpu.HostTlbEntryShift);
        il.Emit(OpCodes.Shr_Un);
        il.Emit(OpCodes.Ldc_I8, (long)(((1 << Cpu.HostTlbBits) - 1) << Cpu.HostTlbEntryShift));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Conv_I);
        c.LoadHostTlb();
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stloc, entry);
        il.Emit(OpCodes.Ldloc, entry);
        if (write)
        {
            il.Emit(OpCodes.Ldc_I4, Cpu.HostTlbWriteTagOffset);
            il.Emit(OpCodes.Add);
        }
        il.Emit(OpCodes.Ldind_I8);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I8, (long)(~0xFFFUL | (ulong)(bytes - 1)));
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Bne_Un, miss);
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldloc, entry);
        il.Emit(OpCodes.Ldc_I4, Cpu.HostTlbHostOffsetOffset);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ldind_I8);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Conv_I);
        il.Emit(OpCodes.Stloc, host);
        il.Emit(OpCodes.Br, have);
        il.MarkLabel(miss);
        // cpu.JitFillVa = (address & ~0xFFF) | 1 | (write ? 2 : 0)
        c.LoadCpu();
        il.Emit(OpCodes.Ldloc, address);
        il.Emit(OpCodes.Ldc_I8, ~0xFFFL);
        il.Emit(OpCodes.And);
        il.Emit(OpCodes.Ldc_I8, write ? 3L : 1L);
        il.Emit(OpCodes.Or);
        il.Emit(OpCodes.Stfld, FillVaField);
        il.Emit(OpCodes.Br, slow);
        il.MarkLabel(have);
    }

    // The exclusive monitors and the other CPUs' code caches observe stores: address + at, bytes.
    private static void EmitNotifyWrite(IlEmitContext c, LocalBuilder address, int at, int bytes) =>
        c.EmitNotifyWrite(() =>
        {
            c.Il.Emit(OpCodes.Ldloc, address);
            if (at != 0)
            {
                c.Il.Emit(OpCodes.Ldc_I8, (long)at);
                c.Il.Emit(OpCodes.Add);
            }
        }, bytes);

    // Cpu.LoadHost(host, bytes) as one IL load (the fast path's host address is aligned to the access size: the tag
    // compare took only aligned addresses, and guest RAM is page-aligned), zero-extended to ulong; RyuJIT inlines the
    // call to the same load, but each inline costs it compile time.
    internal static void EmitLoadHost(ILGenerator il, int bytes)
    {
        il.Emit(bytes switch { 1 => OpCodes.Ldind_U1, 2 => OpCodes.Ldind_U2, 4 => OpCodes.Ldind_U4, _ => OpCodes.Ldind_I8 });
        if (bytes < 8) il.Emit(OpCodes.Conv_U8);
    }

    // Cpu.StoreHost(host, bytes, value) as one IL store (value: a ulong on the stack above the address).
    internal static void EmitStoreHost(ILGenerator il, int bytes)
    {
        if (bytes < 8) il.Emit(OpCodes.Conv_U4); // the narrow stores take an int32
        il.Emit(bytes switch { 1 => OpCodes.Stind_I1, 2 => OpCodes.Stind_I2, 4 => OpCodes.Stind_I4, _ => OpCodes.Stind_I8 });
    }

    // SignExtend(value<8*bytes-1:0>, 64), truncated to 32 bits (zero-extended) when to32.
    private static void EmitSignExtend(ILGenerator il, int bytes, bool to32)
    {
        il.Emit(bytes switch { 1 => OpCodes.Conv_I1, 2 => OpCodes.Conv_I2, _ => OpCodes.Conv_I4 });
        if (to32)
        {
            il.Emit(OpCodes.Conv_U4);
            il.Emit(OpCodes.Conv_U8);
        }
        else il.Emit(OpCodes.Conv_I8);
    }
}
