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
/// The region is emitted twice: the first pass records which registers and flags its code touches, the second
/// emits the loads at entry and the stores at exits for exactly those. An emitter must therefore emit the same IL
/// in both passes, and must not consume or leave anything on the evaluation stack besides what each call documents.
/// </remarks>
internal sealed class IlEmitContext
{
    private static readonly FieldInfo StateField = typeof(Cpu).GetField(nameof(Cpu.State))!;
    private static readonly FieldInfo XField = typeof(CpuState).GetField(nameof(CpuState.X))!;
    private static readonly FieldInfo NzcvField = typeof(CpuState).GetField(nameof(CpuState.Nzcv))!;

    private readonly LocalBuilder?[] _x = new LocalBuilder?[32];
    private LocalBuilder? _nzcv;

    internal IlEmitContext(ILGenerator il, RegionFootprint known)
    {
        Il = il;
        Known = known;
        // The second pass declares every local the first found, before any code, so that entry loads cover them.
        for (int n = 0; n < 32; n++)
            if ((known.Registers & (1u << n)) != 0) _x[n] = il.DeclareLocal(typeof(ulong));
        if (known.FlagsUsed) _nzcv = il.DeclareLocal(typeof(uint));
    }

    /// <summary>The IL generator of the region's method (argument 0: closure array, argument 1: the <see cref="Cpu"/>).</summary>
    public ILGenerator Il { get; }

    /// <summary>Address of the instruction being emitted.</summary>
    public ulong Pc { get; internal set; }

    /// <summary>What the first pass found (empty during the first pass).</summary>
    internal RegionFootprint Known { get; }

    /// <summary>What this pass has touched so far.</summary>
    internal RegionFootprint Touched;

    /// <summary>Pushes the <see cref="Cpu"/> (argument 1).</summary>
    public void LoadCpu() => Il.Emit(OpCodes.Ldarg_1);

    /// <summary>Pushes X[n] (ulong); 31 is XZR and pushes 0.</summary>
    public void LoadX(int n)
    {
        if (n == 31) Il.Emit(OpCodes.Ldc_I8, 0L);
        else Il.Emit(OpCodes.Ldloc, Register(n, written: false));
    }

    /// <summary>Pushes X[n] (ulong) where 31 is the current SP (no alignment check).</summary>
    public void LoadXSp(int n) => Il.Emit(OpCodes.Ldloc, Register(n, written: false));

    /// <summary>Pops a ulong into X[n]; 31 is XZR and discards it.</summary>
    public void StoreX(int n)
    {
        if (n == 31) Il.Emit(OpCodes.Pop);
        else Il.Emit(OpCodes.Stloc, Register(n, written: true));
    }

    /// <summary>Pops a ulong into X[n] where 31 is the current SP.</summary>
    public void StoreXSp(int n) => Il.Emit(OpCodes.Stloc, Register(n, written: true));

    /// <summary>Pushes PSTATE.NZCV (uint, flags in bits 31..28).</summary>
    public void LoadNzcv()
    {
        Touched.FlagsUsed = true;
        Il.Emit(OpCodes.Ldloc, Flags());
    }

    /// <summary>Pops a uint into PSTATE.NZCV (bits 31..28; the other bits must be zero).</summary>
    public void StoreNzcv()
    {
        Touched.FlagsUsed = true;
        Touched.FlagsWritten = true;
        Il.Emit(OpCodes.Stloc, Flags());
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

    private LocalBuilder Register(int n, bool written)
    {
        Touched.Registers |= 1u << n;
        if (written) Touched.WrittenRegisters |= 1u << n;
        return _x[n] ??= Il.DeclareLocal(typeof(ulong));
    }

    private LocalBuilder Flags() => _nzcv ??= Il.DeclareLocal(typeof(uint));

    // ---- for the region compiler ----

    /// <summary>Stores the registers and flags the region writes into <see cref="CpuState"/>.</summary>
    internal void EmitFlush()
    {
        for (int n = 0; n < 32; n++)
        {
            if ((Known.WrittenRegisters & (1u << n)) == 0) continue;
            EmitStateRegisterAddress(n);
            Il.Emit(OpCodes.Ldloc, _x[n]!);
            Il.Emit(OpCodes.Stind_I8);
        }
        if (Known.FlagsWritten)
        {
            Il.Emit(OpCodes.Ldarg_1);
            Il.Emit(OpCodes.Ldflda, StateField);
            Il.Emit(OpCodes.Ldloc, _nzcv!);
            Il.Emit(OpCodes.Stfld, NzcvField);
        }
    }

    /// <summary>Loads every register and the flags the region uses from <see cref="CpuState"/>.</summary>
    internal void EmitReload()
    {
        for (int n = 0; n < 32; n++)
        {
            if ((Known.Registers & (1u << n)) == 0) continue;
            EmitStateRegisterAddress(n);
            Il.Emit(OpCodes.Ldind_I8);
            Il.Emit(OpCodes.Stloc, _x[n]!);
        }
        if (Known.FlagsUsed)
        {
            Il.Emit(OpCodes.Ldarg_1);
            Il.Emit(OpCodes.Ldflda, StateField);
            Il.Emit(OpCodes.Ldfld, NzcvField);
            Il.Emit(OpCodes.Stloc, _nzcv!);
        }
    }

    // &cpu.State.X[n]
    private void EmitStateRegisterAddress(int n)
    {
        Il.Emit(OpCodes.Ldarg_1);
        Il.Emit(OpCodes.Ldflda, StateField);
        Il.Emit(OpCodes.Ldflda, XField);
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

/// <summary>The guest registers and flags a region's code touches.</summary>
internal struct RegionFootprint
{
    /// <summary>Bit n: X[n] (31: SP) is read or written.</summary>
    public uint Registers;

    /// <summary>Bit n: X[n] (31: SP) is written.</summary>
    public uint WrittenRegisters;

    /// <summary>NZCV is read or written.</summary>
    public bool FlagsUsed;

    /// <summary>NZCV is written.</summary>
    public bool FlagsWritten;
}

/// <summary>
/// Emits IL for one instruction through <paramref name="context"/>, or returns false before emitting anything when it
/// does not handle this encoding (the region compiler then calls the interpreter's handler).
/// </summary>
internal delegate bool A64Emitter(IlEmitContext context, uint insn);
