using System.Reflection;
using System.Reflection.Emit;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// What an <see cref="A64Emitter"/> sees while the region compiler emits one instruction: the IL generator, the
/// instruction's address and the guest state as the compiled method keeps it. General registers and NZCV live in
/// IL locals for the whole region (RyuJIT keeps them in host registers); <see cref="CpuState"/> is brought up to
/// date only where something outside the method can look at it (a handler call, a slow path, an exit).
/// </summary>
/// <remarks>
/// The code that loads the registers (at the region's entry and after calls) is emitted after all instructions, for
/// the registers they touched (<see cref="Touched"/>). An emitter must not consume or leave anything on the evaluation
/// stack besides what each call documents.
/// </remarks>
internal sealed class IlEmitContext
{
    private const BindingFlags PublicStatic = BindingFlags.Static | BindingFlags.Public;
    private static readonly MethodInfo MaterializeMethod = typeof(LazyFlags).GetMethod(nameof(LazyFlags.Materialize), PublicStatic)!;
    private static readonly MethodInfo ConditionHoldsMethod = typeof(Cpu).GetMethod(nameof(Cpu.ConditionHolds), BindingFlags.Static | BindingFlags.NonPublic, [typeof(uint), typeof(int)])!;

    private readonly LocalBuilder?[] _x = new LocalBuilder?[32];
    private LocalBuilder? _nzcv;

    internal IlEmitContext(ILGenerator il)
    {
        Il = il;
    }

    private static readonly FieldInfo HostTlbBaseField = typeof(Cpu).GetField(nameof(Cpu.HostTlbBase), BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>Pushes the first slot of the CPU's host TLB (<see cref="Cpu.HostTlbBase"/>).</summary>
    internal void LoadHostTlb()
    {
        Il.Emit(OpCodes.Ldarg_1);
        Il.Emit(OpCodes.Ldfld, HostTlbBaseField);
    }

    /// <summary>The IL generator of the region's method (argument 0: closure array, argument 1: the <see cref="Cpu"/>).</summary>
    public ILGenerator Il { get; }

    /// <summary>Address of the instruction being emitted.</summary>
    public ulong Pc { get; internal set; }

    /// <summary>The registers and flags the region's code has touched so far.</summary>
    internal RegionFootprint Touched;

    /// <summary>Pushes the <see cref="Cpu"/> (argument 1).</summary>
    public void LoadCpu() => Il.Emit(OpCodes.Ldarg_1);

    /// <summary>Pushes X[n] (ulong); 31 is XZR and pushes 0.</summary>
    public void LoadX(int n)
    {
        if (n == 31) Il.Emit(OpCodes.Ldc_I8, 0L);
        else Il.Emit(OpCodes.Ldloc, Register(n));
    }

    /// <summary>Pushes X[n] (ulong) where 31 is the current SP (no alignment check).</summary>
    public void LoadXSp(int n) => Il.Emit(OpCodes.Ldloc, Register(n));

    /// <summary>Pops a ulong into X[n]; 31 is XZR and discards it.</summary>
    public void StoreX(int n)
    {
        if (n == 31) Il.Emit(OpCodes.Pop);
        else StoreXSp(n);
    }

    /// <summary>Pops a ulong into X[n] where 31 is the current SP.</summary>
    /// <remarks>
    /// The value goes to the register's local and, at once, to <see cref="CpuState.X"/> (write-through): exits and
    /// handler calls then store nothing, so the locals are not live at the region's many exits and RyuJIT keeps the
    /// registers of a loop in host registers instead of spilling the region's whole register file around it.
    /// </remarks>
    public void StoreXSp(int n)
    {
        var local = Register(n);
        Il.Emit(OpCodes.Stloc, local);
        EmitStateRegisterAddress(n);
        Il.Emit(OpCodes.Ldloc, local);
        Il.Emit(OpCodes.Stind_I8);
    }

    /// <summary>Pushes PSTATE.NZCV (uint, flags in bits 31..28).</summary>
    public void LoadNzcv()
    {
        MaterializeFlags();
        Il.Emit(OpCodes.Ldloc, _nzcv!);
    }

    /// <summary>Pops a uint into PSTATE.NZCV (bits 31..28; the other bits must be zero).</summary>
    public void StoreNzcv()
    {
        UseFlags();
        Il.Emit(OpCodes.Stloc, _nzcv!);
        // Always stored: an emitter may store NZCV on two paths (CCMP), and what the first path stored says nothing
        // about the second.
        _kindLocal = -1;
        SetKind(LazyFlags.Materialized);
    }

    /// <summary>
    /// Sets NZCV lazily from the operands on the stack: for <see cref="FlagSource.Add"/> and
    /// <see cref="FlagSource.Subtract"/> operand 1 then operand 2 (the flags of AddWithCarry(x, y, 0) or
    /// AddWithCarry(x, NOT(y), 1)), for <see cref="FlagSource.Logical"/> the result (N and Z from it, C = V = 0).
    /// Operands are ulong, or uint when <paramref name="is64"/> is false. The region keeps them with their kind
    /// (<see cref="LazyFlags"/>) and computes the packed flags only where something reads them; a condition tested
    /// in the same basic block compares the operands directly.
    /// </summary>
    public void SetFlagsLazy(FlagSource source, bool is64)
    {
        UseFlags();
        if (source != FlagSource.Logical)
        {
            if (!is64) Il.Emit(OpCodes.Conv_U8);
            Il.Emit(OpCodes.Stloc, _flagB!);
        }
        if (!is64) Il.Emit(OpCodes.Conv_U8);
        Il.Emit(OpCodes.Stloc, _flagA!);
        SetKind(LazyFlags.Kind(source, is64));
    }

    // The flags' kind at this point of the emission: a LazyFlags kind, or -1 when only the runtime kind local knows it
    // (at a label other paths jump to).
    private int _kind = -1;
    private LocalBuilder? _flagKind, _flagA, _flagB;

    private void UseFlags()
    {
        Touched.FlagsUsed = true;
        _nzcv ??= Il.DeclareLocal(typeof(uint));
        _flagKind ??= Il.DeclareLocal(typeof(int));
        _flagA ??= Il.DeclareLocal(typeof(ulong));
        _flagB ??= Il.DeclareLocal(typeof(ulong));
    }

    // What the kind local is known to hold at this point of the emission (-1: not known), so that a flag setter
    // repeating the kind stores nothing. It differs from _kind after a load/store's slow path, whose fallback leaves
    // the local 0 on that path only.
    private int _kindLocal = -1;

    private void SetKind(int kind)
    {
        _kind = kind;
        if (_kindLocal == kind) return;
        Il.Emit(OpCodes.Ldc_I4, kind);
        Il.Emit(OpCodes.Stloc, _flagKind!);
        _kindLocal = kind;
    }

    /// <summary>After a load or store whose slow path ran the fallback stub: the kind local may hold 0 or the kind.</summary>
    internal void FlagKindLocalUnknown() => _kindLocal = -1;

    /// <summary>Brings the packed NZCV local up to date (the lazy operands stay as they are).</summary>
    internal void MaterializeFlags()
    {
        UseFlags();
        if (_kind == LazyFlags.Materialized) return;
        // LazyFlags.Materialize with the kind as a constant where it is known here (RyuJIT then folds the switch),
        // from the kind local otherwise.
        if (_kind < 0) Il.Emit(OpCodes.Ldloc, _flagKind!);
        else Il.Emit(OpCodes.Ldc_I4, _kind);
        Il.Emit(OpCodes.Ldloc, _flagA!);
        Il.Emit(OpCodes.Ldloc, _flagB!);
        Il.Emit(OpCodes.Ldloc, _nzcv!);
        Il.Emit(OpCodes.Call, MaterializeMethod);
        Il.Emit(OpCodes.Stloc, _nzcv!);
        SetKind(LazyFlags.Materialized);
    }

    /// <summary>At a label other paths jump to: the flags' kind is known only at run time.</summary>
    internal void ForgetFlagKind() => _kind = _kindLocal = -1;

    /// <summary>After a handler that may have written NZCV (reloaded into the local, kind reset).</summary>
    internal void FlagsReloaded() => _kind = _kindLocal = LazyFlags.Materialized;

    /// <summary>
    /// Pushes ConditionHolds(<paramref name="cond"/>) (shared/functions/system/ConditionHolds) as a bool, testing
    /// the operands of lazily held flags directly where the condition allows (EQ after CMP is a == b, HI is a &gt; b
    /// unsigned, GE is a &gt;= b signed, ...), else from the NZCV local.
    /// </summary>
    public void EmitCondition(int cond)
    {
        if (cond >= 14)
        {
            Il.Emit(OpCodes.Ldc_I4_1);
            return;
        }
        UseFlags();
        if (_kind > 0 && TryEmitLazyCondition(cond, LazyFlags.Source(_kind), LazyFlags.Is64(_kind))) return;
        LoadNzcv();
        Il.Emit(OpCodes.Ldc_I4, cond);
        Il.Emit(OpCodes.Call, ConditionHoldsMethod);
    }

    private bool TryEmitLazyCondition(int cond, FlagSource source, bool is64)
    {
        var il = Il;
        int baseCond = cond >> 1;
        bool negate = (cond & 1) != 0;
        switch (source)
        {
            case FlagSource.Subtract:
            {
                // a - b: Z = a == b, C = a >= b unsigned, N = sign of the difference, N == V = a >= b signed.
                OpCode? compare = baseCond switch { 0 => OpCodes.Ceq, 1 => OpCodes.Clt_Un, 4 => OpCodes.Cgt_Un, 5 => OpCodes.Clt, 6 => OpCodes.Cgt, _ => null };
                if (compare == null && baseCond != 2) return false;
                // CS is NOT(a < b) and GE is NOT(a < b signed); CC, LT test the compare itself.
                bool invert = baseCond is 1 or 5 ? !negate : negate;
                if (baseCond == 2)
                {
                    // MI/PL: the sign of the difference.
                    LoadOperand(_flagA!, is64, signed: true);
                    LoadOperand(_flagB!, is64, signed: true);
                    il.Emit(OpCodes.Sub);
                    if (is64) il.Emit(OpCodes.Ldc_I8, 0L);
                    else
                    {
                        il.Emit(OpCodes.Conv_I4);
                        il.Emit(OpCodes.Ldc_I4_0);
                    }
                    il.Emit(OpCodes.Clt);
                }
                else
                {
                    bool signed = baseCond is 5 or 6;
                    LoadOperand(_flagA!, is64, signed);
                    LoadOperand(_flagB!, is64, signed);
                    il.Emit(compare!.Value);
                }
                if (invert) EmitNot();
                return true;
            }
            case FlagSource.Add when baseCond == 0:
                LoadOperand(_flagA!, is64, signed: false);
                LoadOperand(_flagB!, is64, signed: false);
                il.Emit(OpCodes.Add);
                if (is64) il.Emit(OpCodes.Ldc_I8, 0L);
                else il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Ceq);
                if (negate) EmitNot();
                return true;
            case FlagSource.Logical:
            {
                // N and Z from the result r, C = V = 0.
                switch (baseCond)
                {
                    case 0: EmitResultCompare(OpCodes.Ceq, is64, signed: false); break;   // EQ: r == 0
                    case 1: il.Emit(OpCodes.Ldc_I4_0); break;                             // CS: C = 0
                    case 2: EmitResultCompare(OpCodes.Clt, is64, signed: true); break;    // MI: r < 0
                    case 3: il.Emit(OpCodes.Ldc_I4_0); break;                             // VS: V = 0
                    case 4: il.Emit(OpCodes.Ldc_I4_0); break;                             // HI: C AND NOT Z
                    case 5: EmitResultCompare(OpCodes.Clt, is64, signed: true); negate = !negate; break; // GE: r >= 0
                    case 6: EmitResultCompare(OpCodes.Cgt, is64, signed: true); break;    // GT: r > 0
                    default: return false;
                }
                if (negate) EmitNot();
                return true;
            }
            default:
                return false;
        }
    }

    // r compared with 0 (r = the lazily held logical result).
    private void EmitResultCompare(OpCode compare, bool is64, bool signed)
    {
        LoadOperand(_flagA!, is64, signed);
        if (is64) Il.Emit(OpCodes.Ldc_I8, 0L);
        else Il.Emit(OpCodes.Ldc_I4_0);
        Il.Emit(compare);
    }

    // A lazily held operand at its size (ulong/long, or uint/int).
    private void LoadOperand(LocalBuilder local, bool is64, bool signed)
    {
        Il.Emit(OpCodes.Ldloc, local);
        if (!is64) Il.Emit(signed ? OpCodes.Conv_I4 : OpCodes.Conv_U4);
    }

    private void EmitNot()
    {
        Il.Emit(OpCodes.Ldc_I4_0);
        Il.Emit(OpCodes.Ceq);
    }

    /// <summary>
    /// A local of <paramref name="type"/> for the current instruction's temporaries: not live across instructions, so
    /// the next instruction's emitter may be handed the same local (RyuJIT optimizes only methods with few enough locals).
    /// </summary>
    public LocalBuilder Temp(Type type)
    {
        if (!_temps.TryGetValue(type, out var list)) _temps[type] = list = [];
        int used = _tempsUsed.GetValueOrDefault(type);
        _tempsUsed[type] = used + 1;
        if (used == list.Count) list.Add(Il.DeclareLocal(type));
        return list[used];
    }

    private readonly Dictionary<Type, List<LocalBuilder>> _temps = new();
    private readonly Dictionary<Type, int> _tempsUsed = new();

    /// <summary>Starts the next instruction: its temporaries may reuse the locals of earlier ones.</summary>
    internal void BeginInstruction(ulong pc)
    {
        Pc = pc;
        _tempsUsed.Clear();
    }

    private LocalBuilder Register(int n)
    {
        Touched.Registers |= 1u << n;
        return _x[n] ??= Il.DeclareLocal(typeof(ulong));
    }


    // ---- for the region compiler ----

    /// <summary>Stores the flags into <see cref="CpuState"/> (registers are written through as they are written).</summary>
    internal void EmitFlush()
    {
        if (Touched.FlagsUsed)
        {
            // NZCV from its kind at run time (the flush is reached from many points).
            int kind = _kind, local = _kindLocal;
            _kind = _kindLocal = -1;
            MaterializeFlags();
            (_kind, _kindLocal) = (kind, local);
            Il.Emit(OpCodes.Ldarg_1);
            Il.Emit(OpCodes.Ldflda, CpuMembers.State);
            Il.Emit(OpCodes.Ldloc, _nzcv!);
            Il.Emit(OpCodes.Stfld, CpuMembers.Nzcv);
        }
    }

    /// <summary>
    /// Loads every register the region's code touched from <see cref="CpuState"/> (emitted after all of it): at the
    /// entry, and after a call, so that no register local is live across a call and RyuJIT can keep the registers of a
    /// loop in caller-saved host registers.
    /// </summary>
    internal void EmitReloadRegisters()
    {
        for (int n = 0; n < 32; n++)
        {
            if ((Touched.Registers & (1u << n)) == 0) continue;
            EmitStateRegisterAddress(n);
            Il.Emit(OpCodes.Ldind_I8);
            Il.Emit(OpCodes.Stloc, _x[n]!);
        }
    }

    /// <summary>Set by the region compiler: emits <see cref="EmitNotifyWrite"/>.</summary>
    internal Action<Action, int>? NotifyWrite { get; set; }

    /// <summary>
    /// After an emitted store of <paramref name="bytes"/> bytes: when the CPU's stores are observed (a
    /// <see cref="Cpu.PhysicalWrite"/> handler, another PE's exclusive reservation), reports it through <see cref="Cpu.JitNotifyWrite"/>, the store's
    /// address pushed by <paramref name="pushAddress"/> (a ulong). Registers are reloaded after the call.
    /// </summary>
    public void EmitNotifyWrite(Action pushAddress, int bytes) => NotifyWrite!(pushAddress, bytes);

    /// <summary>Loads NZCV from <see cref="CpuState"/> (when the region uses it), not lazy.</summary>
    internal void EmitReloadFlags()
    {
        if (Touched.FlagsUsed)
        {
            Il.Emit(OpCodes.Ldarg_1);
            Il.Emit(OpCodes.Ldflda, CpuMembers.State);
            Il.Emit(OpCodes.Ldfld, CpuMembers.Nzcv);
            Il.Emit(OpCodes.Stloc, _nzcv!);
            Il.Emit(OpCodes.Ldc_I4_0);
            Il.Emit(OpCodes.Stloc, _flagKind!);
        }
    }

    // &cpu.State.X[n]
    private void EmitStateRegisterAddress(int n)
    {
        Il.Emit(OpCodes.Ldarg_1);
        Il.Emit(OpCodes.Ldflda, CpuMembers.State);
        Il.Emit(OpCodes.Ldflda, CpuMembers.X);
        if (n != 0)
        {
            Il.Emit(OpCodes.Ldc_I4, 8 * n);
            Il.Emit(OpCodes.Add);
        }
    }

    /// <summary>Set by the region compiler to emit <see cref="EmitHandlerFallback"/> for the current instruction.</summary>
    internal Action? Fallback { get; set; }

    /// <summary>
    /// Emits the current instruction through its interpreter handler: the state the handler may read is stored first
    /// (registers, flags, and the PC and counters when it may read them or fault) and everything is reloaded after
    /// it. Memory emitters use it as their slow path (TLB miss, MMIO, faults, unaligned accesses).
    /// </summary>
    public void EmitHandlerFallback() => Fallback!();
}

/// <summary>What lazily held NZCV was computed from (<see cref="IlEmitContext.SetFlagsLazy"/>).</summary>
internal enum FlagSource
{
    /// <summary>Not lazy: NZCV is in its local.</summary>
    None,
    /// <summary>AddWithCarry(a, b, 0) (ADDS, CMN).</summary>
    Add,
    /// <summary>AddWithCarry(a, NOT(b), 1) (SUBS, CMP).</summary>
    Subtract,
    /// <summary>A logical result r (ANDS, TST): N and Z from r, C = V = 0.</summary>
    Logical,
}

/// <summary>The guest registers and flags a region's code touches.</summary>
internal struct RegionFootprint
{
    /// <summary>Bit n: X[n] (31: SP) is read or written.</summary>
    public uint Registers;

    /// <summary>NZCV is read or written.</summary>
    public bool FlagsUsed;
}

/// <summary>
/// Emits IL for one instruction through <paramref name="context"/>, or returns false before emitting anything when it
/// does not handle this encoding (the region compiler then calls the interpreter's handler).
/// </summary>
internal delegate bool A64Emitter(IlEmitContext context, uint insn);
