using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The baseline tier of AArch32 blocks: one <see cref="DynamicMethod"/> per block that does what
/// <c>Cpu.ExecuteAarch32</c> does for each of its predecoded instructions, with the PC, NextPc, the T32 width and the
/// condition as constants: <c>State.PC = pc; NextPc = pc + size; if (ConditionHolds(cond)) handler(cpu, in operands);
/// ItAdvance()</c> (the condition test only for a conditional instruction, the advance only inside an IT block), the
/// handler called through its function pointer (<c>calli</c>, as <see cref="BlockCompiler"/>'s baseline tier: no
/// inlining, so the compile stays cheap) with the operands by reference into the block's rows.
/// </summary>
/// <remarks>
/// Counters as <see cref="BlockCompiler"/> keeps them: added before every instruction that is not plain data processing
/// and at the exit; after a load or store that is not last and left the RAM fast path (<see cref="Cpu.JitCheckAfterAccess"/>)
/// <see cref="Cpu.JitMustLeaveBlock"/> decides an early exit (<see cref="Cpu.JitLeftEarly"/>). A
/// <see cref="Exceptions.GuestException"/> leaves with State.PC at the faulting instruction, and a recorded data abort
/// with its address: <c>Cpu.RunCompiledAarch32</c> brings the counters back to that instruction (T32 widths vary, so the
/// instruction is found among the rows, not computed from the PC). A block whose own branch targets its start loops back
/// through <see cref="Cpu.JitLoopAgainAarch32"/>. No regions (not yet for AArch32).
/// </remarks>
internal static class Aarch32BlockCompiler
{
    private static readonly MethodInfo ConditionHolds =
        typeof(Cpu).GetMethod(nameof(Cpu.ConditionHolds), BindingFlags.Instance | BindingFlags.NonPublic, [typeof(int)])!;
    private static readonly FieldInfo T32Narrow = typeof(Cpu).GetField("_t32Narrow", BindingFlags.Instance | BindingFlags.NonPublic)!;

    // State.PC and NextPc as the interpreter sets them before instruction x runs, and in T32 its width (16 or 32 bits).
    internal static void EmitInstructionAddress(ILGenerator il, in A32PredecodedInstruction x, bool thumb)
    {
        BlockCompiler.EmitStoreStateField(il, CpuMembers.Pc, x.Pc);
        BlockCompiler.EmitStoreNextPc(il, x.Pc + x.Size);
        if (!thumb) return;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(x.Narrow ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Stfld, T32Narrow);
    }
    private static readonly FieldInfo RowOperands = typeof(A32PredecodedInstruction).GetField(nameof(A32PredecodedInstruction.Operands))!;
    private static readonly FieldInfo RowDelegate = typeof(A32PredecodedInstruction).GetField(nameof(A32PredecodedInstruction.Delegate))!;
    private static readonly MethodInfo InvokeMethod = typeof(A32Handler).GetMethod(nameof(A32Handler.Invoke))!;

    /// <summary>
    /// Compiles AArch32 <paramref name="block"/> for a CPU charging <paramref name="cyclesPerInstruction"/> per instruction.
    /// As <see cref="BlockCompiler.Compile"/>'s, the code does nothing when called with a null CPU (<see cref="BlockCompiler.Warm"/>).
    /// </summary>
    public static Action<Cpu> Compile(TranslationBlock block, ulong cyclesPerInstruction)
    {
        var rows = block.Aarch32!;
        if (rows.Length == 0) throw new ArgumentException("An empty block cannot be compiled.", nameof(block));
        object[] targets = [block, rows];
        var method = new DynamicMethod($"{block.InstructionSet}_{block.Pc:x}_EL{block.El}_Baseline", typeof(void), [typeof(object[]), typeof(Cpu)],
            typeof(Cpu).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var body = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Brtrue, body);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(body);
        var rowsLocal = il.DeclareLocal(typeof(A32PredecodedInstruction[]));
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Ldelem_Ref);
        il.Emit(OpCodes.Castclass, typeof(A32PredecodedInstruction[]));
        il.Emit(OpCodes.Stloc, rowsLocal);
        var start = il.DefineLabel();
        il.MarkLabel(start);
        bool thumb = block.InstructionSet == BlockInstructionSet.T32;
        int n = rows.Length, retired = 0;
        for (int k = 0; k < n; k++)
        {
            ref readonly var x = ref rows[k];
            bool last = k == n - 1;
            if (x.Class != InstructionClass.Plain && k > retired)
            {
                // Loads, stores and system instructions may read the counters (MMIO devices, CP15 timer registers).
                BlockCompiler.EmitRetire(il, (ulong)(k - retired), Cpu.BlockCycles(block, retired, k, cyclesPerInstruction));
                retired = k;
            }
            EmitInstructionAddress(il, x, thumb);
            var skip = il.DefineLabel();
            if (x.Cond != 0xE)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldc_I4, (int)x.Cond);
                il.Emit(OpCodes.Call, ConditionHolds);
                il.Emit(OpCodes.Brfalse, skip);
            }
            EmitHandlerCall(il, x, k, rowsLocal);
            il.MarkLabel(skip);
            if (x.InIt)
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, CpuMembers.ItAdvance);
            }
            if (!last && x.Class == InstructionClass.Memory)
            {
                var stay = BlockCompiler.EmitLeaveAfterAccessCheck(il);
                BlockCompiler.EmitStoreStateField(il, CpuMembers.Pc, rows[k + 1].Pc);
                BlockCompiler.EmitRetire(il, (ulong)(k + 1 - retired), Cpu.BlockCycles(block, retired, k + 1, cyclesPerInstruction));
                il.Emit(OpCodes.Ret);
                il.MarkLabel(stay);
            }
        }
        // State.PC = NextPc (only the last instruction can branch)
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldflda, CpuMembers.State);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, CpuMembers.NextPc);
        il.Emit(OpCodes.Stfld, CpuMembers.Pc);
        BlockCompiler.EmitRetire(il, (ulong)(n - retired), Cpu.BlockCycles(block, retired, n, cyclesPerInstruction));
        if (block.ChainableExit && InstructionClassifier.IsAarch32ImmediateBranch(rows[^1].Delegate))
        {
            // A loop closed by the block's own branch: if (State.PC == block.Pc && cpu.JitLoopAgainAarch32(block)) goto start.
            var exit = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldfld, CpuMembers.Pc);
            il.Emit(OpCodes.Ldc_I8, (long)block.Pc);
            il.Emit(OpCodes.Bne_Un, exit);
            il.Emit(OpCodes.Ldarg_1);
            BlockCompiler.EmitLoadBlock(il);
            il.Emit(OpCodes.Call, CpuMembers.LoopAgainAarch32);
            il.Emit(OpCodes.Brtrue, start);
            il.MarkLabel(exit);
        }
        il.Emit(OpCodes.Ret);
        return (Action<Cpu>)method.CreateDelegate(typeof(Action<Cpu>), targets);
    }

    // handler(cpu, in rows[k].Operands): through the static method's function pointer, or the row's delegate (a lambda).
    internal static void EmitHandlerCall(ILGenerator il, in A32PredecodedInstruction x, int k, LocalBuilder rows)
    {
        if (x.Handler != 0)
        {
            il.Emit(OpCodes.Ldarg_1);
            EmitLoadRow(il, k, rows);
            il.Emit(OpCodes.Ldflda, RowOperands);
            il.Emit(OpCodes.Ldftn, x.Delegate.Method);
            il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(void), [typeof(Cpu), typeof(A32Operands).MakeByRefType()], null);
            return;
        }
        EmitLoadRow(il, k, rows);
        il.Emit(OpCodes.Ldfld, RowDelegate);
        il.Emit(OpCodes.Ldarg_1);
        EmitLoadRow(il, k, rows);
        il.Emit(OpCodes.Ldflda, RowOperands);
        il.Emit(OpCodes.Callvirt, InvokeMethod);
    }

    private static void EmitLoadRow(ILGenerator il, int k, LocalBuilder rows)
    {
        il.Emit(OpCodes.Ldloc, rows);
        il.Emit(OpCodes.Ldc_I4, k);
        il.Emit(OpCodes.Ldelema, typeof(A32PredecodedInstruction));
    }
}
