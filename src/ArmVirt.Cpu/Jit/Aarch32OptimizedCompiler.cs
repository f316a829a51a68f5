using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The optimized tier of AArch32 blocks (src/ArmVirt.Cpu/Jit/README.md, "AArch32 blocks"): one
/// <see cref="DynamicMethod"/> per hot block in which the guest registers the block's inline instructions touch live in
/// IL locals (loaded at the entry, written back at the exits and before every handler call, loaded again after it), NZCV
/// lives in a local and is computed only where a later instruction or an exit may observe it, the hot families are
/// emitted inline (<see cref="A32Emitters"/>: data processing, MOVW/MOVT, single loads and stores through the host TLB,
/// the closing B/BL/B&lt;c&gt;/CBZ), a condition is a branch around its instruction, and a block whose own branch targets
/// its start loops in compiled code (<see cref="Cpu.JitLoopAgainAarch32"/>). The rest calls the row's handler as the
/// baseline tier does (<see cref="Aarch32BlockCompiler"/>).
/// </summary>
/// <remarks>
/// The counters are written as the entry's (<c>_jitEntryInstructions</c>, <c>_jitEntryCycles</c>, which the loop-again
/// call renews) plus the instructions before the one running: before every load, store or system instruction that calls
/// its handler, and at every exit. Exceptions and recorded aborts are made precise by <c>Cpu.RunCompiledAarch32</c> from
/// the PC stored before each handler call, as for the baseline tier. Registers are loaded with <c>Cpu.R</c> (the bank
/// of the mode at the entry: no instruction that stays inside a block changes the mode).
/// </remarks>
internal static class Aarch32OptimizedCompiler
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly MethodInfo ReadR = typeof(Cpu).GetMethod(nameof(Cpu.R), Private, [typeof(int)])!;
    private static readonly MethodInfo WriteR = typeof(Cpu).GetMethod(nameof(Cpu.SetR), Private, [typeof(int), typeof(uint)])!;

    // The registers every mode maps to the same X register (R0-R7: "Mapping of AArch32 registers to AArch64"): read and
    // written as CpuState.X[n] directly, without Cpu.R's lookup of the mode's bank.
    private static readonly uint Unbanked = FindUnbanked();

    private static uint FindUnbanked()
    {
        uint mask = 0;
        for (int r = 0; r < 15; r++)
        {
            bool same = true;
            for (int mode = 0; mode < 16; mode++) same &= Cpu.Aarch32Register(mode, r) == r;
            if (same) mask |= 1u << r;
        }
        return mask;
    }
    private static readonly FieldInfo EntryInstructions = typeof(Cpu).GetField("_jitEntryInstructions", Private)!;
    private static readonly FieldInfo EntryCycles = typeof(Cpu).GetField("_jitEntryCycles", Private)!;
    private static readonly MethodInfo FillAfterMiss = typeof(Cpu).GetMethod(nameof(Cpu.JitAarch32HostTlbFill), Private)!;

    /// <summary>
    /// Compiles AArch32 <paramref name="block"/> for a CPU charging <paramref name="cyclesPerInstruction"/> per
    /// instruction. As <see cref="BlockCompiler.Compile"/>'s, the code does nothing when called with a null CPU.
    /// </summary>
    public static Action<Cpu> Compile(TranslationBlock block, ulong cyclesPerInstruction)
    {
        var rows = block.Aarch32!;
        if (rows.Length == 0) throw new ArgumentException("An empty block cannot be compiled.", nameof(block));
        var method = new DynamicMethod($"{block.InstructionSet}_{block.Pc:x}_EL{block.El}_Optimized", typeof(void), [typeof(object[]), typeof(Cpu)],
            typeof(Cpu).Module, skipVisibility: true);
        new Emitter(method.GetILGenerator(), block, cyclesPerInstruction).Emit();
        return (Action<Cpu>)method.CreateDelegate(typeof(Action<Cpu>), new object[] { block, rows });
    }

    /// <summary>The state of one block's emission: the register and flag locals and what is not yet written back.</summary>
    internal sealed class Emitter
    {
        private readonly TranslationBlock _block;
        private readonly A32PredecodedInstruction[] _rows;
        private readonly ulong _cpi;
        private readonly bool _thumb;
        private readonly A32InlinePlan[] _plans;
        private readonly bool[] _flagsLiveAfter;
        private readonly LocalBuilder?[] _r = new LocalBuilder?[15];
        private readonly uint _used;
        private readonly bool _flagsUsed;
        private LocalBuilder _rowsLocal = null!;
        private uint _dirty;
        private bool _nzcvDirty;
        private uint _pc;

        public Emitter(ILGenerator il, TranslationBlock block, ulong cyclesPerInstruction)
        {
            Il = il;
            Context = new IlEmitContext(il);
            _block = block;
            _rows = block.Aarch32!;
            _cpi = cyclesPerInstruction;
            _thumb = block.InstructionSet == BlockInstructionSet.T32;
            int n = _rows.Length;
            _plans = new A32InlinePlan[n];
            for (int k = 0; k < n; k++)
            {
                _plans[k] = A32Emitters.Plan(_rows[k], k == n - 1);
                _flagsUsed |= _rows[k].Cond != 0xE; // (every condition is tested on the NZCV local)
                if (_plans[k].Kind == A32InlineKind.None) continue;
                _used |= _plans[k].Reads | _plans[k].Writes;
                _flagsUsed |= _plans[k].ReadsFlags || _plans[k].SetsFlags;
            }
            // Backward liveness of NZCV: an exit, a handler call (and the handler behind every inline load and store)
            // and a conditional instruction observe it; an unconditional arithmetic S form overwrites all of it.
            _flagsLiveAfter = new bool[n];
            bool live = true;
            for (int k = n - 1; k >= 0; k--)
            {
                _flagsLiveAfter[k] = live;
                var p = _plans[k];
                if (p.Kind is A32InlineKind.None or A32InlineKind.Load or A32InlineKind.Store || p.ReadsFlags) live = true;
                else if (p.KillsFlags) live = false;
            }
            Nzcv = il.DeclareLocal(typeof(uint));
        }

        public ILGenerator Il { get; }

        /// <summary>The A64 emitters' context over the same IL (temporaries, the host TLB's base).</summary>
        public IlEmitContext Context { get; }

        /// <summary>The NZCV local.</summary>
        public LocalBuilder Nzcv { get; }

        /// <summary>A temporary of the current instruction.</summary>
        public LocalBuilder Temp(Type type) => Context.Temp(type);

        /// <summary>Pushes R[n] (uint): the local, or PC + 8 (A32) / PC + 4 (T32) for R15.</summary>
        public void LoadR(int n)
        {
            if (n == 15) Il.Emit(OpCodes.Ldc_I4, unchecked((int)(_pc + (_thumb ? 4u : 8u))));
            else Il.Emit(OpCodes.Ldloc, _r[n]!);
        }

        /// <summary>Pops a uint into R[n]'s local (n &lt; 15), to be written back.</summary>
        public void StoreR(int n)
        {
            Il.Emit(OpCodes.Stloc, _r[n]!);
            _dirty |= 1u << n;
        }

        /// <summary>Pops the NZCV local's new value.</summary>
        public void StoreNzcv()
        {
            Il.Emit(OpCodes.Stloc, Nzcv);
            _nzcvDirty = true;
        }

        /// <summary>The NZCV local was written through its address.</summary>
        public void NzcvWritten() => _nzcvDirty = true;

        public void Emit()
        {
            var il = Il;
            var body = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Brtrue, body);
            il.Emit(OpCodes.Ret);
            il.MarkLabel(body);
            _rowsLocal = il.DeclareLocal(typeof(A32PredecodedInstruction[]));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Castclass, typeof(A32PredecodedInstruction[]));
            il.Emit(OpCodes.Stloc, _rowsLocal);
            for (int r = 0; r < 15; r++)
                if ((_used & (1u << r)) != 0) _r[r] = il.DeclareLocal(typeof(uint));
            EmitReload();
            var start = il.DefineLabel();
            il.MarkLabel(start);
            int n = _rows.Length;
            for (int k = 0; k < n; k++)
            {
                ref readonly var x = ref _rows[k];
                var plan = _plans[k];
                bool last = k == n - 1;
                _pc = x.Pc;
                Context.BeginInstruction(x.Pc);
                if (last && plan.Kind == A32InlineKind.Branch)
                {
                    EmitBranch(x, plan, start);
                    return;
                }
                if (last && plan.Kind == A32InlineKind.None)
                {
                    EmitLastByHandler(x, k);
                    return;
                }
                var skip = il.DefineLabel();
                uint dirtyBefore = _dirty;
                bool nzcvDirtyBefore = _nzcvDirty;
                if (x.Cond != 0xE)
                {
                    A32Emitters.EmitCondition(this, x.Cond);
                    il.Emit(OpCodes.Brfalse, skip);
                }
                switch (plan.Kind)
                {
                    case A32InlineKind.DataProcessing:
                        A32Emitters.EmitDataProcessing(this, x.Operands, plan.Op, _flagsLiveAfter[k]);
                        break;
                    case A32InlineKind.MoveWide:
                        A32Emitters.EmitMoveWide(this, x.Operands, plan.Op);
                        break;
                    case A32InlineKind.Load:
                    case A32InlineKind.Store:
                    {
                        var slow = il.DefineLabel();
                        var done = il.DefineLabel();
                        A32Emitters.EmitAccess(this, x.Operands, plan.Op, plan.Kind == A32InlineKind.Load, slow);
                        uint dirtyFast = _dirty;
                        il.Emit(OpCodes.Br, done);
                        il.MarkLabel(slow);
                        _dirty = dirtyBefore | dirtyFast; // (the slow path writes back what the fast path would have found dirty)
                        EmitHandlerCall(x, k, fillAfterMiss: true);
                        il.MarkLabel(done);
                        _dirty = dirtyFast;
                        _nzcvDirty = nzcvDirtyBefore; // (neither path writes the flags)
                        break;
                    }
                    default:
                        EmitHandlerCall(x, k, fillAfterMiss: false);
                        break;
                }
                il.MarkLabel(skip);
                if (x.Cond != 0xE)
                {
                    // Either path: what may differ from CpuState is what either left unwritten.
                    _dirty |= dirtyBefore;
                    _nzcvDirty |= nzcvDirtyBefore;
                }
                if (x.InIt)
                {
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Call, CpuMembers.ItAdvance);
                }
                if (last)
                {
                    ulong end = x.Pc + x.Size;
                    EmitExit(end, n);
                    return;
                }
                if (x.Class == InstructionClass.Memory)
                {
                    // After a load or store that left the RAM fast path: JitMustLeaveBlock decides an early exit.
                    var stay = BlockCompiler.EmitLeaveAfterAccessCheck(il);
                    ulong next = _rows[k + 1].Pc;
                    EmitExit(next, k + 1, keepDirty: true);
                    il.MarkLabel(stay);
                }
            }
        }

        // Loads every register and the flags the inline code uses from CpuState (at the entry and after a handler).
        private void EmitReload()
        {
            var il = Il;
            for (int r = 0; r < 15; r++)
            {
                if (_r[r] == null) continue;
                if ((Unbanked & (1u << r)) != 0)
                {
                    EmitX(r);
                    il.Emit(OpCodes.Ldind_I8);
                    il.Emit(OpCodes.Conv_U4);
                }
                else
                {
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldc_I4, r);
                    il.Emit(OpCodes.Call, ReadR);
                }
                il.Emit(OpCodes.Stloc, _r[r]!);
            }
            if (_flagsUsed)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldflda, CpuMembers.State);
                il.Emit(OpCodes.Ldfld, CpuMembers.Nzcv);
                il.Emit(OpCodes.Stloc, Nzcv);
            }
        }

        // Pushes the address of CpuState.X[n] (an inline array of ulong).
        private void EmitX(int n)
        {
            Il.Emit(OpCodes.Ldarg_1);
            Il.Emit(OpCodes.Ldflda, CpuMembers.State);
            Il.Emit(OpCodes.Ldflda, CpuMembers.X);
            if (n == 0) return;
            Il.Emit(OpCodes.Ldc_I4, 8 * n);
            Il.Emit(OpCodes.Add);
        }

        // Writes back the registers and flags that may differ from CpuState.
        private void EmitWriteBack()
        {
            var il = Il;
            for (int r = 0; r < 15; r++)
            {
                if ((_dirty & (1u << r)) == 0) continue;
                if ((Unbanked & (1u << r)) != 0)
                {
                    EmitX(r);
                    il.Emit(OpCodes.Ldloc, _r[r]!);
                    il.Emit(OpCodes.Conv_U8);
                    il.Emit(OpCodes.Stind_I8);
                    continue;
                }
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldc_I4, r);
                il.Emit(OpCodes.Ldloc, _r[r]!);
                il.Emit(OpCodes.Call, WriteR);
            }
            if (_nzcvDirty)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldflda, CpuMembers.State);
                il.Emit(OpCodes.Ldloc, Nzcv);
                il.Emit(OpCodes.Stfld, CpuMembers.Nzcv);
            }
        }

        // State.Instructions/Cycles = the entry's + k instructions.
        private void EmitCounters(int k)
        {
            var il = Il;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, EntryInstructions);
            il.Emit(OpCodes.Ldc_I8, (long)k);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stfld, CpuMembers.Instructions);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, EntryCycles);
            il.Emit(OpCodes.Ldc_I8, (long)Cpu.BlockCycles(_block, 0, k, _cpi)); // (k * cpi, or the timing model's static cycles)
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stfld, CpuMembers.Cycles);
        }

        // Leaves to pc: registers and flags written back, State.PC and NextPc (as the interpreter leaves it after the
        // instruction before pc), the counters after k instructions.
        private void EmitExit(ulong pc, int k, bool keepDirty = false)
        {
            var il = Il;
            uint dirty = _dirty;
            bool nzcvDirty = _nzcvDirty;
            EmitWriteBack();
            BlockCompiler.EmitStoreStateField(il, CpuMembers.Pc, pc);
            BlockCompiler.EmitStoreNextPc(il, pc);
            EmitCounters(k);
            il.Emit(OpCodes.Ret);
            if (keepDirty) (_dirty, _nzcvDirty) = (dirty, nzcvDirty);
        }

        // handler(cpu, in operands) as the baseline tier calls it, with the registers and flags written back before and
        // loaded again after; PC, NextPc, the T32 width and (but for plain data processing) the counters as Step has them.
        private void EmitHandlerCall(in A32PredecodedInstruction x, int k, bool fillAfterMiss)
        {
            var il = Il;
            EmitWriteBack();
            _dirty = 0;
            _nzcvDirty = false;
            EmitSync(x, k);
            Aarch32BlockCompiler.EmitHandlerCall(il, x, k, _rowsLocal);
            if (fillAfterMiss)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, FillAfterMiss);
            }
            EmitReload();
        }

        private void EmitSync(in A32PredecodedInstruction x, int k)
        {
            var il = Il;
            if (x.Class != InstructionClass.Plain) EmitCounters(k);
            Aarch32BlockCompiler.EmitInstructionAddress(il, x, _thumb);
        }

        // The last instruction through its handler: State.PC = NextPc after it (a branch's target), or the next
        // instruction's address when its condition fails.
        private void EmitLastByHandler(in A32PredecodedInstruction x, int k)
        {
            var il = Il;
            int n = k + 1;
            if (x.Cond != 0xE)
            {
                var run = il.DefineLabel();
                A32Emitters.EmitCondition(this, x.Cond);
                il.Emit(OpCodes.Brtrue, run);
                if (x.InIt)
                {
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Call, CpuMembers.ItAdvance);
                }
                ulong next = x.Pc + x.Size;
                EmitExit(next, n, keepDirty: true);
                il.MarkLabel(run);
            }
            EmitWriteBack();
            _dirty = 0;
            _nzcvDirty = false;
            EmitSync(x, k);
            Aarch32BlockCompiler.EmitHandlerCall(il, x, k, _rowsLocal);
            if (x.InIt)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, CpuMembers.ItAdvance);
            }
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, CpuMembers.NextPc);
            il.Emit(OpCodes.Stfld, CpuMembers.Pc);
            EmitCounters(n);
            il.Emit(OpCodes.Ret);
        }

        // The closing B, BL, B<c> or CBZ/CBNZ: the target or the next instruction as the exit; the block's own start
        // loops (JitLoopAgainAarch32) with the registers kept in their locals.
        private void EmitBranch(in A32PredecodedInstruction x, A32InlinePlan plan, Label start)
        {
            var il = Il;
            int n = _rows.Length;
            var (target, link) = A32Emitters.BranchTarget(x, _thumb);
            ulong next = x.Pc + x.Size;
            var notTaken = il.DefineLabel();
            bool conditional = x.Cond != 0xE || plan.Op == 2;
            if (x.Cond != 0xE)
            {
                A32Emitters.EmitCondition(this, x.Cond);
                il.Emit(OpCodes.Brfalse, notTaken);
            }
            if (plan.Op == 2)
            {
                // CBZ (SetFlags clear) branches when R[n] is zero, CBNZ when it is not.
                LoadR(x.Operands.Rn);
                il.Emit(x.Operands.SetFlags ? OpCodes.Brfalse : OpCodes.Brtrue, notTaken);
            }
            uint dirty = _dirty;
            bool nzcvDirty = _nzcvDirty;
            if (plan.Op == 1)
            {
                il.Emit(OpCodes.Ldc_I4, unchecked((int)link));
                StoreR(14);
            }
            if (target == _block.Pc && _block.ChainableExit)
            {
                // if (cpu.JitLoopAgainAarch32(block)) goto start, with CpuState complete for its checks and hook.
                var leave = il.DefineLabel();
                EmitWriteBack();
                BlockCompiler.EmitStoreStateField(il, CpuMembers.Pc, target);
                BlockCompiler.EmitStoreNextPc(il, target);
                EmitCounters(n);
                il.Emit(OpCodes.Ldarg_1);
                BlockCompiler.EmitLoadBlock(il);
                il.Emit(OpCodes.Call, CpuMembers.LoopAgainAarch32);
                il.Emit(OpCodes.Brtrue, start);
                il.MarkLabel(leave);
                il.Emit(OpCodes.Ret);
            }
            else EmitExit(target, n);
            if (!conditional) return;
            (_dirty, _nzcvDirty) = (dirty, nzcvDirty);
            il.MarkLabel(notTaken);
            EmitExit(next, n);
        }
    }
}
