using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Translates a <see cref="TranslationBlock"/> into one <see cref="DynamicMethod"/> that calls each instruction's
/// <see cref="A64Handler"/> method with its word as a constant (so RyuJIT can inline the handler and fold the
/// operand fields), and updates PC, cycles and instructions exactly as the interpreter's Step would.
/// </summary>
/// <remarks>
/// Per instruction k at address pc_k the code stores <c>State.PC = pc_k</c> (handlers such as ADR and the
/// branches read it, and the execution loop uses it to find the faulting instruction of a
/// <see cref="Exceptions.GuestException"/>) unless the handler neither reads it nor can throw
/// (<see cref="InstructionClassifier.NeedsNoPc"/>), sets <c>NextPc = pc_k + 4</c> for the block's terminator, and calls
/// the handler. After a load or store that is not the last instruction and that left the soft-TLB RAM fast path
/// (<see cref="Cpu.JitCheckAfterAccess"/>) the block asks the CPU whether it must
/// leave (interrupt asserted, clock deadline moved, stop requested, block invalidated) and, if so, retires the
/// instructions done so far and returns. Cycles and the instruction count are added at the exit and before each
/// instruction that is not plain data processing, so that every handler that can observe them sees the
/// interpreter's values.
/// </remarks>
internal static class BlockCompiler
{
    private static readonly MethodInfo LoopAgainMethod =
        typeof(Cpu).GetMethod(nameof(Cpu.JitLoopAgain), BindingFlags.Instance | BindingFlags.NonPublic)!;
    private static readonly MethodInfo InvokeMethod = typeof(A64Handler).GetMethod(nameof(A64Handler.Invoke))!;

    /// <summary>
    /// Compiles <paramref name="block"/> for a CPU charging <paramref name="cyclesPerInstruction"/> per instruction.
    /// The returned code does nothing when called with a null CPU, which lets a background thread force RyuJIT to
    /// compile it (<see cref="Warm"/>) before the CPU thread first runs it.
    /// </summary>
    public static Action<Cpu> Compile(TranslationBlock block, ulong cyclesPerInstruction, JitTier tier = JitTier.Optimized)
    {
        if (block.Length == 0) throw new ArgumentException("An empty block cannot be compiled.", nameof(block));
        if (tier == JitTier.None) throw new ArgumentOutOfRangeException(nameof(tier));
        if (block.IsAarch32)
            return tier == JitTier.Optimized ? Aarch32OptimizedCompiler.Compile(block, cyclesPerInstruction) : Aarch32BlockCompiler.Compile(block, cyclesPerInstruction);
        // targets[0] is the block itself: the slow-path calls (JitMustLeaveBlock, JitLoopAgain) receive it as an
        // argument, so the CPU need not publish the running block in a field at every entry.
        var targets = new List<object> { block };
        var method = new DynamicMethod($"A64_{block.Pc:x}_EL{block.El}_{tier}", typeof(void), [typeof(object[]), typeof(Cpu)],
            typeof(Cpu).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var body = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Brtrue, body);
        il.Emit(OpCodes.Ret);
        il.MarkLabel(body);
        var start = il.DefineLabel();
        il.MarkLabel(start);
        int n = block.Length;
        int retired = 0; // instructions whose cycles and count are already added to State
        for (int k = 0; k < n; k++)
        {
            ulong pc = block.Pc + 4 * (ulong)k;
            bool last = k == n - 1;
            if (block.Classes[k] != InstructionClass.Plain && k > retired)
            {
                // Handlers other than data processing may read the counters (MRS CNTVCT_EL0 through the generic
                // timer, semihosting SYS_ELAPSED, MMIO devices): bring them to this instruction's value first.
                EmitRetire(il, (ulong)(k - retired), Cycles(block, retired, k, cyclesPerInstruction));
                retired = k;
            }
            if (last || !InstructionClassifier.NeedsNoPc(block.Encodings[k])) EmitStoreStateField(il, CpuMembers.Pc, pc);
            if (last && block.EndsWithTerminator) EmitStoreNextPc(il, pc + 4);
            EmitHandlerCall(il, block.Encodings[k].Handler, block.Words[k], targets, inline: tier == JitTier.Optimized);
            if (!last && block.Classes[k] == InstructionClass.Memory)
            {
                var stay = EmitLeaveAfterAccessCheck(il);
                EmitStoreNextPc(il, pc + 4);
                EmitStoreStateField(il, CpuMembers.Pc, pc + 4);
                EmitRetire(il, (ulong)(k + 1 - retired), Cycles(block, retired, k + 1, cyclesPerInstruction));
                il.Emit(OpCodes.Ret);
                il.MarkLabel(stay);
            }
        }
        if (block.EndsWithTerminator)
        {
            // State.PC = NextPc
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, CpuMembers.NextPc);
            il.Emit(OpCodes.Stfld, CpuMembers.Pc);
        }
        else
        {
            EmitStoreNextPc(il, block.Pc + 4 * (ulong)n);
            EmitStoreStateField(il, CpuMembers.Pc, block.Pc + 4 * (ulong)n);
        }
        EmitRetire(il, (ulong)(n - retired), Cycles(block, retired, n, cyclesPerInstruction));
        if (block.ChainableExit && BranchTarget(block.Pc + 4 * (ulong)(n - 1), block.Words[n - 1]) == block.Pc)
        {
            // A loop closed by the block's own branch: if (State.PC == block.Pc && cpu.JitLoopAgain(block)) goto start.
            var exit = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldfld, CpuMembers.Pc);
            il.Emit(OpCodes.Ldc_I8, (long)block.Pc);
            il.Emit(OpCodes.Bne_Un, exit);
            il.Emit(OpCodes.Ldarg_1);
            EmitLoadBlock(il);
            il.Emit(OpCodes.Call, LoopAgainMethod);
            il.Emit(OpCodes.Brtrue, start);
            il.MarkLabel(exit);
        }
        il.Emit(OpCodes.Ret);
        return (Action<Cpu>)method.CreateDelegate(typeof(Action<Cpu>), targets.ToArray());
    }

    /// <summary>
    /// The target of an immediate branch (B, B.cond, CBZ/CBNZ, TBZ/TBNZ: Arm ARM C4.1.3 "Branches, exception
    /// generating and system instructions") at <paramref name="pc"/>, or null for any other instruction.
    /// </summary>
    public static ulong? BranchTarget(ulong pc, uint insn)
    {
        long offset;
        if ((insn & 0xFC00_0000) == 0x1400_0000) offset = (long)((ulong)insn << 38) >> 36;              // B imm26
        else if ((insn & 0xFF00_0010) == 0x5400_0000 || (insn & 0x7C00_0000) == 0x3400_0000 && (insn & 0x0200_0000) == 0)
            offset = (long)((ulong)(insn >> 5) << 45) >> 43;                                               // B.cond, CBZ/CBNZ imm19
        else if ((insn & 0x7E00_0000) == 0x3600_0000) offset = (long)((ulong)(insn >> 5) << 50) >> 48;    // TBZ/TBNZ imm14
        else return null;
        return pc + (ulong)offset;
    }

    /// <summary>Forces RyuJIT to compile <paramref name="code"/> (from <see cref="Compile"/>) without running guest code.</summary>
    public static void Warm(Action<Cpu> code) => code(null!);

    // After a block's load or store that left the RAM fast path (cpu.JitCheckAfterAccess): when
    // cpu.JitMustLeaveBlock(block) says so, cpu.JitLeftEarly = true and the caller's exit that follows runs; otherwise
    // execution goes on at the returned label, which the caller marks after that exit.
    internal static Label EmitLeaveAfterAccessCheck(ILGenerator il)
    {
        var stay = il.DefineLabel();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, CpuMembers.CheckAfterAccess);
        il.Emit(OpCodes.Brfalse, stay);
        il.Emit(OpCodes.Ldarg_1);
        EmitLoadBlock(il);
        il.Emit(OpCodes.Call, CpuMembers.MustLeaveBlock);
        il.Emit(OpCodes.Brfalse, stay);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Stfld, CpuMembers.LeftEarly);
        return stay;
    }

    // (TranslationBlock)targets[0]: the block being compiled
    internal static void EmitLoadBlock(ILGenerator il)
    {
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldelem_Ref);
        il.Emit(OpCodes.Castclass, typeof(TranslationBlock));
    }

    // cpu.NextPc = value (the interpreter leaves NextPc = PC + 4 of the last instruction it ran)
    internal static void EmitStoreNextPc(ILGenerator il, ulong value)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I8, (long)value);
        il.Emit(OpCodes.Stfld, CpuMembers.NextPc);
    }

    // cpu.State.<field> = value
    internal static void EmitStoreStateField(ILGenerator il, FieldInfo field, ulong value)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldflda, CpuMembers.State);
        il.Emit(OpCodes.Ldc_I8, (long)value);
        il.Emit(OpCodes.Stfld, field);
    }

    // The cycles of instructions [from, to): from the block's timing model cost table, or cpi each (flat).
    private static ulong Cycles(TranslationBlock block, int from, int to, ulong cyclesPerInstruction) =>
        block.TimingPrefix is { } p ? p[to] - p[from] : (ulong)(to - from) * cyclesPerInstruction;

    // cpu.State.Cycles += cycles; cpu.State.Instructions += count
    internal static void EmitRetire(ILGenerator il, ulong count, ulong cycles)
    {
        EmitAddStateField(il, CpuMembers.Cycles, cycles);
        EmitAddStateField(il, CpuMembers.Instructions, count);
    }

    private static void EmitAddStateField(ILGenerator il, FieldInfo field, ulong amount)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldflda, CpuMembers.State);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ldc_I8, (long)amount);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Stfld, field);
    }

    // A method-group handler over a static method is called directly; a lambda (an instance method on the
    // compiler's closure singleton) is called on its target loaded from the closure array; anything else
    // (multicast, virtual, closed static) goes through Invoke.
    // In the baseline tier the static handler is called through its function pointer (calli), which RyuJIT does not
    // inline: compiling the block then costs a small fraction of the inlined version (see bench/JitBenchmarks).
    internal static void EmitHandlerCall(ILGenerator il, A64Handler handler, uint insn, List<object> targets, bool inline)
    {
        var m = handler.Method;
        bool single = handler.HasSingleTarget;
        if (single && m.IsStatic && handler.Target == null)
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4, unchecked((int)insn));
            if (inline)
            {
                il.Emit(OpCodes.Call, m);
            }
            else
            {
                il.Emit(OpCodes.Ldftn, m);
                il.EmitCalli(OpCodes.Calli, CallingConventions.Standard, typeof(void), [typeof(Cpu), typeof(uint)], null);
            }
            return;
        }
        bool closureCall = single && !m.IsStatic && !m.IsVirtual && handler.Target != null && m.DeclaringType != null;
        EmitLoadTarget(il, closureCall ? handler.Target! : handler, targets);
        if (closureCall) il.Emit(OpCodes.Castclass, m.DeclaringType!);
        else il.Emit(OpCodes.Castclass, typeof(A64Handler));
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4, unchecked((int)insn));
        il.Emit(closureCall ? OpCodes.Call : OpCodes.Callvirt, closureCall ? m : InvokeMethod);
    }

    private static void EmitLoadTarget(ILGenerator il, object target, List<object> targets)
    {
        int index = targets.IndexOf(target);
        if (index < 0)
        {
            index = targets.Count;
            targets.Add(target);
        }
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, index);
        il.Emit(OpCodes.Ldelem_Ref);
    }
}
