using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// What the optimized AArch32 tier (<see cref="Aarch32OptimizedCompiler"/>) emits inline for a row, found from the
/// row's handler (the op id of the A32 and T32 tables: the rows of both instruction sets share these handlers) and
/// its typed operands. Everything else, and these where the operands leave the common case (a write to the PC, an
/// unprivileged access, big-endian data, a host TLB miss), runs the row's handler.
/// </summary>
internal enum A32InlineKind : byte
{
    /// <summary>The handler is called.</summary>
    None,
    /// <summary>F5.1 AND ... MVN with an immediate, immediate-shifted or register-shifted second operand.</summary>
    DataProcessing,
    /// <summary>MOVW, MOVT.</summary>
    MoveWide,
    /// <summary>LDR, LDRB, LDRH, LDRSB, LDRSH (immediate and register offsets, every index mode).</summary>
    Load,
    /// <summary>STR, STRB, STRH.</summary>
    Store,
    /// <summary>B, B&lt;c&gt;, BL (A32 and T32), CBZ/CBNZ: the block's last instruction.</summary>
    Branch,
}

/// <summary>
/// The inline forms of the hot A32/T32 families for <see cref="Aarch32OptimizedCompiler"/>: thin adapters over the
/// value functions the interpreter's handlers use (<see cref="A32Shift.ShiftC"/>, <see cref="AddWithCarry.Add32"/>,
/// <see cref="A32DataProcessing.LogicalNzcv"/>, <see cref="Cpu.ConditionHolds(uint, int)"/>), which RyuJIT inlines with
/// the row's operands as constants; loads and stores through the host TLB as <see cref="LoadStoreEmitters"/> reach it.
/// </summary>
internal static class A32Emitters
{
    private const int And = 0, Eor = 1, Sub = 2, Rsb = 3, Add = 4, Adc = 5, Sbc = 6, Rsc = 7,
        Tst = 8, Teq = 9, Cmp = 10, Cmn = 11, Orr = 12, Mov = 13, Bic = 14, Mvn = 15, Movw = 16, Movt = 17;

    private static readonly MethodInfo ShiftC = typeof(A32Shift).GetMethod(nameof(A32Shift.ShiftC))!;
    private static readonly MethodInfo Shift = typeof(A32Shift).GetMethod(nameof(A32Shift.Shift))!;
    private static readonly MethodInfo Add32 = typeof(AddWithCarry).GetMethod(nameof(AddWithCarry.Add32))!;
    private static readonly MethodInfo Flags32 = typeof(AddWithCarry).GetMethod(nameof(AddWithCarry.Flags32))!;
    private static readonly MethodInfo LogicalNzcv = typeof(A32DataProcessing).GetMethod(nameof(A32DataProcessing.LogicalNzcv), BindingFlags.Static | BindingFlags.NonPublic)!;
    private static readonly MethodInfo ConditionHolds =
        typeof(Cpu).GetMethod(nameof(Cpu.ConditionHolds), BindingFlags.Static | BindingFlags.NonPublic, [typeof(uint), typeof(int)])!;
    private static readonly FieldInfo EField = typeof(CpuState).GetField(nameof(CpuState.E))!;

    // The op id of each handler this family emits: the data-processing opcodes (bits 24..21), MOVW/MOVT, the access
    // size and signedness of the loads and stores, the branches.
    private static readonly Dictionary<MethodInfo, (A32InlineKind Kind, int Op)> Ops = BuildOps();

    private static Dictionary<MethodInfo, (A32InlineKind, int)> BuildOps()
    {
        var ops = new Dictionary<MethodInfo, (A32InlineKind, int)>();
        for (int i = 0; i < A32DataProcessing.Opcodes.Length; i++) ops[A32DataProcessing.Opcodes[i].Handler.Method] = (A32InlineKind.DataProcessing, i);
        ops[((A32Handler)A32DataProcessing.Movw).Method] = (A32InlineKind.MoveWide, Movw);
        ops[((A32Handler)A32DataProcessing.Movt).Method] = (A32InlineKind.MoveWide, Movt);
        // Loads: size | 8 for the sign-extending ones.
        ops[((A32Handler)A32LoadStore.Ldr).Method] = (A32InlineKind.Load, 4);
        ops[((A32Handler)A32LoadStore.Ldrb).Method] = (A32InlineKind.Load, 1);
        ops[((A32Handler)A32LoadStore.Ldrh).Method] = (A32InlineKind.Load, 2);
        ops[((A32Handler)A32LoadStore.Ldrsb).Method] = (A32InlineKind.Load, 1 | 8);
        ops[((A32Handler)A32LoadStore.Ldrsh).Method] = (A32InlineKind.Load, 2 | 8);
        ops[((A32Handler)A32LoadStore.Str).Method] = (A32InlineKind.Store, 4);
        ops[((A32Handler)A32LoadStore.Strb).Method] = (A32InlineKind.Store, 1);
        ops[((A32Handler)A32LoadStore.Strh).Method] = (A32InlineKind.Store, 2);
        // Branches: 0 B, 1 BL, 2 CBZ/CBNZ (T32 B<c> is B outside an IT block).
        ops[((A32Handler)A32Branches.B).Method] = (A32InlineKind.Branch, 0);
        ops[((A32Handler)A32Branches.Bl).Method] = (A32InlineKind.Branch, 1);
        ops[((A32Handler)T32Branches.B).Method] = (A32InlineKind.Branch, 0);
        ops[((A32Handler)T32Branches.BConditional).Method] = (A32InlineKind.Branch, 0);
        ops[((A32Handler)T32Branches.Bl).Method] = (A32InlineKind.Branch, 1);
        ops[((A32Handler)T32Branches.CompareBranch).Method] = (A32InlineKind.Branch, 2);
        return ops;
    }

    /// <summary>
    /// The plan for <paramref name="x"/>: how it is emitted (<see cref="A32InlineKind.None"/>: its handler is called),
    /// its op id, the registers it reads and writes inline, and how it uses NZCV.
    /// </summary>
    public static A32InlinePlan Plan(in A32PredecodedInstruction x, bool last)
    {
        var none = new A32InlinePlan(A32InlineKind.None, 0, 0, 0, x.Cond != 0xE, false);
        if (x.Handler == 0 || !Ops.TryGetValue(x.Delegate.Method, out var found)) return none;
        var (kind, op) = found;
        var o = x.Operands;
        bool cond = x.Cond != 0xE;
        switch (kind)
        {
            case A32InlineKind.DataProcessing:
            {
                bool compare = op is >= Tst and <= Cmn;
                if (!compare && o.Rd == 15) return none; // ALUWritePC / the exception return
                if (o.Kind == A32OperandKind.RegisterShiftedRegister && (o.Rs == 15 || o.Rm == 15)) return none;
                uint reads = Bit(o.Rn) * (op is Mov or Mvn ? 0u : 1u);
                if (o.Kind != A32OperandKind.Immediate) reads |= Bit(o.Rm);
                if (o.Kind == A32OperandKind.RegisterShiftedRegister) reads |= Bit(o.Rs);
                bool logical = op is And or Eor or Tst or Teq or Orr or Mov or Bic or Mvn;
                bool sets = o.SetFlags || compare; // (the compares set the flags whatever S their encoding has)
                bool readsCarry = op is Adc or Sbc or Rsc || (o.Kind != A32OperandKind.Immediate && o.ShiftType == A32Shift.Rrx)
                    || (logical && sets); // (V is kept, and C may be PSTATE.C)
                // An arithmetic S form writes all four flags from its operands: it ends the liveness of those before it.
                bool kills = sets && !logical && !readsCarry && !cond;
                return new A32InlinePlan(kind, op, reads, compare ? 0 : Bit(o.Rd), cond || readsCarry, sets, kills);
            }
            case A32InlineKind.MoveWide:
                if (o.Rd == 15) return none;
                return new A32InlinePlan(kind, op, op == Movt ? Bit(o.Rd) : 0, Bit(o.Rd), cond, false);
            case A32InlineKind.Load:
            case A32InlineKind.Store:
            {
                if (o.Unprivileged || o.Rd == 15 || o.Kind == A32OperandKind.RegisterShiftedRegister) return none;
                if (o.Rn == 15 && o.WriteBack) return none;
                if (o.Kind == A32OperandKind.Register && (o.Rm == 15 || o.ShiftType == A32Shift.Rrx)) return none;
                uint reads = Bit(o.Rn) | (o.Kind == A32OperandKind.Register ? Bit(o.Rm) : 0) | (kind == A32InlineKind.Store ? Bit(o.Rd) : 0);
                uint writes = (o.WriteBack ? Bit(o.Rn) : 0) | (kind == A32InlineKind.Load ? Bit(o.Rd) : 0);
                return new A32InlinePlan(kind, op, reads, writes, cond, false);
            }
            case A32InlineKind.Branch:
                // Only as the block's last instruction (BranchWritePC ends the block), and not inside an IT block, where
                // B<c> and CBZ are UNDEFINED (their handlers throw) and a B would have to leave ITSTATE advanced.
                if (!last || x.InIt) return none;
                return new A32InlinePlan(kind, op, op == 2 ? Bit(o.Rn) : 0, op == 1 ? Bit(14) : 0, cond, false);
        }
        return none;
    }

    private static uint Bit(int r) => r == 15 ? 0u : 1u << r;

    /// <summary>Pushes ConditionHolds(cond) over the NZCV local.</summary>
    public static void EmitCondition(Aarch32OptimizedCompiler.Emitter e, int cond)
    {
        e.Il.Emit(OpCodes.Ldloc, e.Nzcv);
        e.Il.Emit(OpCodes.Ldc_I4, cond);
        e.Il.Emit(OpCodes.Call, ConditionHolds);
    }

    // PSTATE.C as 0 or 1 from the NZCV local.
    private static void EmitCarry(Aarch32OptimizedCompiler.Emitter e)
    {
        e.Il.Emit(OpCodes.Ldloc, e.Nzcv);
        e.Il.Emit(OpCodes.Ldc_I4, 29);
        e.Il.Emit(OpCodes.Shr_Un);
        e.Il.Emit(OpCodes.Ldc_I4_1);
        e.Il.Emit(OpCodes.And);
    }

    /// <summary>
    /// F5.1 AND ... MVN: Operand2 (A32ExpandImm_C or Shift_C), then the operation; NZCV only where
    /// <paramref name="flagsLive"/> (a later instruction or an exit may observe them).
    /// </summary>
    public static void EmitDataProcessing(Aarch32OptimizedCompiler.Emitter e, in A32Operands o, int op, bool flagsLive)
    {
        var il = e.Il;
        bool logical = op is And or Eor or Tst or Teq or Orr or Mov or Bic or Mvn;
        bool flags = (o.SetFlags || op is >= Tst and <= Cmn) && flagsLive;
        bool carryOut = flags && logical;
        LocalBuilder? carry = carryOut ? e.Temp(typeof(uint)) : null;
        var b = e.Temp(typeof(uint));
        // Operand2 (A32DataProcessing.Operand2).
        if (o.Kind == A32OperandKind.Immediate)
        {
            il.Emit(OpCodes.Ldc_I4, unchecked((int)o.Imm));
            il.Emit(OpCodes.Stloc, b);
            if (carryOut)
            {
                if (o.ImmCarry < 0) EmitCarry(e);
                else il.Emit(OpCodes.Ldc_I4, o.ImmCarry);
                il.Emit(OpCodes.Stloc, carry!);
            }
        }
        else
        {
            bool byRegister = o.Kind == A32OperandKind.RegisterShiftedRegister;
            if (!byRegister && o.ShiftAmount == 0 && o.ShiftType == A32Shift.Lsl)
            {
                e.LoadR(o.Rm);
                il.Emit(OpCodes.Stloc, b);
                if (carryOut)
                {
                    EmitCarry(e);
                    il.Emit(OpCodes.Stloc, carry!);
                }
            }
            else
            {
                e.LoadR(o.Rm);
                il.Emit(OpCodes.Ldc_I4, o.ShiftType);
                if (byRegister)
                {
                    e.LoadR(o.Rs);
                    il.Emit(OpCodes.Ldc_I4, 0xFF);
                    il.Emit(OpCodes.And);
                }
                else il.Emit(OpCodes.Ldc_I4, o.ShiftAmount);
                if (o.ShiftType == A32Shift.Rrx || carryOut) EmitCarry(e);
                else il.Emit(OpCodes.Ldc_I4_0);
                if (carryOut)
                {
                    il.Emit(OpCodes.Ldloca, carry!);
                    il.Emit(OpCodes.Call, ShiftC);
                }
                else il.Emit(OpCodes.Call, Shift);
                il.Emit(OpCodes.Stloc, b);
            }
        }
        if (logical)
        {
            if (op is not (Mov or Mvn)) e.LoadR(o.Rn);
            il.Emit(OpCodes.Ldloc, b);
            switch (op)
            {
                case And or Tst: il.Emit(OpCodes.And); break;
                case Eor or Teq: il.Emit(OpCodes.Xor); break;
                case Orr: il.Emit(OpCodes.Or); break;
                case Bic: il.Emit(OpCodes.Not); il.Emit(OpCodes.And); break;
                case Mvn: il.Emit(OpCodes.Not); break;
            }
            bool compare = op is Tst or Teq;
            if (!flags)
            {
                if (compare) il.Emit(OpCodes.Pop);
                else e.StoreR(o.Rd);
                return;
            }
            var result = e.Temp(typeof(uint));
            il.Emit(OpCodes.Stloc, result);
            il.Emit(OpCodes.Ldloc, result);
            il.Emit(OpCodes.Ldloc, carry!);
            il.Emit(OpCodes.Ldloc, e.Nzcv);
            il.Emit(OpCodes.Call, LogicalNzcv);
            e.StoreNzcv();
            if (!compare)
            {
                il.Emit(OpCodes.Ldloc, result);
                e.StoreR(o.Rd);
            }
            return;
        }
        // AddWithCarry(x, y, carry_in): SUB/CMP x + NOT(y) + 1, RSB NOT(x) + y + 1, ADC/SBC/RSC with PSTATE.C.
        bool isCompare = op is Cmp or Cmn;
        if (isCompare && !flags) return;
        e.LoadR(o.Rn);
        if (op is Rsb or Rsc) il.Emit(OpCodes.Not);
        il.Emit(OpCodes.Ldloc, b);
        if (op is Sub or Sbc or Cmp) il.Emit(OpCodes.Not);
        switch (op)
        {
            case Sub or Rsb or Cmp: il.Emit(OpCodes.Ldc_I4_1); break;
            case Add or Cmn: il.Emit(OpCodes.Ldc_I4_0); break;
            default: EmitCarry(e); break;
        }
        if (!flags)
        {
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Add);
            e.StoreR(o.Rd);
            return;
        }
        if (isCompare)
        {
            il.Emit(OpCodes.Call, Flags32);
            e.StoreNzcv();
            return;
        }
        il.Emit(OpCodes.Ldloca, e.Nzcv);
        il.Emit(OpCodes.Call, Add32);
        e.StoreR(o.Rd);
        e.NzcvWritten();
    }

    /// <summary>MOVW: Rd = imm16; MOVT: Rd&lt;31:16&gt; = imm16.</summary>
    public static void EmitMoveWide(Aarch32OptimizedCompiler.Emitter e, in A32Operands o, int op)
    {
        var il = e.Il;
        if (op == Movw) il.Emit(OpCodes.Ldc_I4, unchecked((int)o.Imm));
        else
        {
            il.Emit(OpCodes.Ldc_I4, unchecked((int)(o.Imm << 16)));
            e.LoadR(o.Rd);
            il.Emit(OpCodes.Ldc_I4, 0xFFFF);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Or);
        }
        e.StoreR(o.Rd);
    }

    /// <summary>
    /// A32LoadStore's single accesses: the address from P, U, W (the offset an immediate or Shift(R[m], type, imm)), the
    /// host TLB's fast path for a little-endian access aligned to its size, the base written back, then the loaded
    /// register. Every other case jumps to <paramref name="slow"/> (the handler, after JitFillVa is set on a miss).
    /// </summary>
    public static void EmitAccess(Aarch32OptimizedCompiler.Emitter e, in A32Operands o, int op, bool load, Label slow)
    {
        var il = e.Il;
        int bytes = op & 7;
        bool signed = (op & 8) != 0;
        // offsetAddress = Rn +/- offset; address = P ? offsetAddress : Rn.
        var offsetAddress = e.Temp(typeof(uint));
        e.LoadR(o.Rn);
        if (o.Kind == A32OperandKind.Immediate) il.Emit(OpCodes.Ldc_I4, unchecked((int)o.Imm));
        else if (o.ShiftAmount == 0 && o.ShiftType == A32Shift.Lsl) e.LoadR(o.Rm);
        else
        {
            e.LoadR(o.Rm);
            il.Emit(OpCodes.Ldc_I4, o.ShiftType);
            il.Emit(OpCodes.Ldc_I4, o.ShiftAmount);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Call, Shift);
        }
        il.Emit(o.Add ? OpCodes.Add : OpCodes.Sub);
        il.Emit(OpCodes.Stloc, offsetAddress);
        var address = e.Temp(typeof(ulong));
        if (o.Index) il.Emit(OpCodes.Ldloc, offsetAddress);
        else e.LoadR(o.Rn);
        il.Emit(OpCodes.Conv_U8);
        il.Emit(OpCodes.Stloc, address);
        // Big-endian data (PSTATE.E) takes the handler.
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldflda, CpuMembers.State);
        il.Emit(OpCodes.Ldfld, EField);
        il.Emit(OpCodes.Brtrue, slow);
        var host = e.Temp(typeof(nint));
        LoadStoreEmitters.EmitHostAddress(e.Context, address, bytes, write: !load, host, slow);
        LocalBuilder? value = null;
        if (load)
        {
            value = e.Temp(typeof(uint));
            il.Emit(OpCodes.Ldloc, host);
            il.Emit(bytes switch
            {
                1 => signed ? OpCodes.Ldind_I1 : OpCodes.Ldind_U1,
                2 => signed ? OpCodes.Ldind_I2 : OpCodes.Ldind_U2,
                _ => OpCodes.Ldind_U4,
            });
            il.Emit(OpCodes.Stloc, value);
        }
        else
        {
            il.Emit(OpCodes.Ldloc, host);
            e.LoadR(o.Rd);
            il.Emit(bytes switch { 1 => OpCodes.Stind_I1, 2 => OpCodes.Stind_I2, _ => OpCodes.Stind_I4 });
            // The exclusive monitors and the other CPUs' code caches observe stores (Cpu.NotifyStore).
            var none = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, CpuMembers.StoresObserved);
            il.Emit(OpCodes.Brfalse, none);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, address);
            il.Emit(OpCodes.Ldc_I4, bytes);
            il.Emit(OpCodes.Call, CpuMembers.NotifyWrite);
            il.MarkLabel(none);
        }
        if (o.WriteBack)
        {
            il.Emit(OpCodes.Ldloc, offsetAddress);
            e.StoreR(o.Rn);
        }
        if (load)
        {
            il.Emit(OpCodes.Ldloc, value!);
            e.StoreR(o.Rd);
        }
    }

    /// <summary>
    /// The target of an inline branch (BranchWritePC: PC + 8 + imm32 in A32, PC + 4 + imm32 in T32, aligned) and, for
    /// BL, the LR it writes.
    /// </summary>
    public static (uint Target, uint Link) BranchTarget(in A32PredecodedInstruction x, bool thumb) => thumb
        ? ((x.Pc + 4 + x.Operands.Imm) & ~1u, (x.Pc + x.Size) | 1)
        : ((x.Pc + 8 + x.Operands.Imm) & ~3u, x.Pc + 4);
}

/// <summary>How <see cref="Aarch32OptimizedCompiler"/> emits one row (see <see cref="A32Emitters.Plan"/>).</summary>
internal readonly record struct A32InlinePlan(
    A32InlineKind Kind, int Op, uint Reads, uint Writes, bool ReadsFlags, bool SetsFlags, bool KillsFlags = false);
