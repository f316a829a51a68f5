using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.Timing;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// A region under a timing model other than flat (src/ArmVirt.Cpu/Timing/README.md, "Regions"): the cycle accounting
/// beside the instruction accounting of <see cref="RegionCompiler"/>. Nothing here is emitted under flat, whose IL is
/// unchanged.
/// </summary>
/// <remarks>
/// <para>Cycle budget. <see cref="Cpu.JitRegionEnter"/> gives the cycles to the clock deadline
/// (<see cref="Cpu.JitRegionCycleBudget0"/>), kept in a local; each basic block is entered only when its last
/// instruction starts before the deadline (its static cycles before the last fit the budget left), and reserves its
/// static cycles; each branch subtracts the predictor's charge (<see cref="BranchPredictor"/>'s per-kind methods, inlined
/// by RyuJIT); a handler's own charges (walks, exception entry) come back through <see cref="Cpu.JitRunHandlerTimed"/>.
/// The cycle count at any point is <c>JitRegionCycles0 + JitRegionCycleBudget0 - left</c>, less the cycles reserved
/// and not run at a fallback site.</para>
/// <para>Issue groups. The interpreter continues a group into the next instruction when it executes it next, it is not
/// at a 16-byte boundary and the instruction before did not end the group; a branch target starts a fresh group. A
/// basic block whose leader is in the middle of a group and is also reached by falling through from an instruction
/// that continues the group ("continued leader") would need both states: it is not a leader of the straight-line
/// code, which runs through it in the group it is in, and the branches to it (and the region entries there) go to a
/// copy of the instructions from it to the end of its group (at most three), compiled in the fresh group, which then
/// jumps to the straight-line code at the group's end. So every instruction's static cost is known where it is
/// emitted. Where the region leaves inside a group (after a load or store that must leave, or to an instruction outside
/// the region that goes on in the group), the group in progress is handed to the interpreter, which goes on in it.</para>
/// </remarks>
internal static partial class RegionCompiler
{
    private const BindingFlags TimingPrivate = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo CycleBudget0Field = typeof(Cpu).GetField(nameof(Cpu.JitRegionCycleBudget0), TimingPrivate)!;
    private static readonly FieldInfo CycleBudgetField = typeof(Cpu).GetField(nameof(Cpu.JitRegionCycleBudget), TimingPrivate)!;
    private static readonly FieldInfo PredictorField = typeof(Cpu).GetField("_predictor", TimingPrivate)!;
    private static readonly MethodInfo RunHandlerTimedMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitRunHandlerTimed), TimingPrivate)!;
    private static readonly MethodInfo ExitInGroupMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitTimingExitInGroup), TimingPrivate)!;
    private static readonly MethodInfo ChargeMethod = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.Charge))!;
    private static readonly MethodInfo ConditionalAtMethod = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ConditionalAt))!;
    private static readonly MethodInfo BranchAtMethod = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.BranchAt))!;

    // The predictor's method for each branch class a region emits (B, BL, BR, BLR, RET).
    private static readonly Dictionary<TimingClass, MethodInfo> ChargeMethods = new()
    {
        [TimingClass.Branch] = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ChargeBranch))!,
        [TimingClass.Call] = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ChargeCall))!,
        [TimingClass.IndirectBranch] = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ChargeIndirect))!,
        [TimingClass.IndirectCall] = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ChargeIndirectCall))!,
        [TimingClass.Return] = typeof(BranchPredictor).GetMethod(nameof(BranchPredictor.ChargeReturn))!,
    };

    private sealed partial class Pass
    {
        private readonly TimingModel? _model;
        private readonly BranchPredictor? _predictor;
        private TimingInstruction[] _describe = [];
        // Continued leaders (see the class remarks): compiled as copies (EmitSegments), not as leaders of the straight line.
        private bool[]? _continued;
        private LocalBuilder? _cycleBudget, _exitGroup;
        // The conditional branches' taken arms, emitted after the main line (EmitConditionalTimed).
        private readonly List<(RegionInstruction X, Label Arm)> _takenArms = [];

        // The basic block being emitted: per instruction, its static cycles, the cycles from it to the block's end, and
        // the issue group before and after it.
        private ulong[] _bbCost = [], _bbNotRun = [];
        private bool[] _bbInBefore = [], _bbInAfter = [];
        private IssueGroup[] _bbBefore = [], _bbAfter = [];

        // Leaders, loop heads and basic block lengths under a model: Analyse's, with the continued leaders taken out (and
        // the instruction where each one's copy ends made a leader), and runs cut at 16-byte boundaries.
        private (bool[] Leader, bool[] LoopHead, int[] Length) AnalyseTimed(TranslationBlock block, Region region)
        {
            var ins = region.Instructions;
            int n = ins.Length;
            _describe = new TimingInstruction[n];
            for (int i = 0; i < n; i++) _describe[i] = TimingClassifier.Describe(ins[i].Encoding, ins[i].Word);
            var continued = _continued = new bool[n];
            _cycleBudget = _il.DeclareLocal(typeof(long));
            _exitGroup = _il.DeclareLocal(typeof(int));
            return Analyse(block, region, leader =>
            {
                // The first instruction starts a basic block even when nothing branches to it (a root that only BR or BLR
                // reaches, its code below the rest): its instructions need the costs of a basic block.
                leader[0] = true;
                for (int i = 1; i < n; i++)
                {
                    if (!leader[i] || (ins[i].Pc & 15) == 0 || ins[i - 1].Pc != ins[i].Pc - 4 || _describe[i - 1].Serial) continue;
                    continued[i] = true;
                    leader[i] = false;
                }
                for (int i = 0; i < n; i++)
                {
                    if (!continued[i]) continue;
                    int end = i + SegmentLength(i);
                    if (end < n && ins[end].Pc == ins[end - 1].Pc + 4 && ins[end - 1].FallsThrough) leader[end] = true;
                }
            });
        }

        // The copy of continued leader i: its instructions up to the end of its issue group (a 16-byte boundary, an
        // instruction that ends the group, a gap).
        private int SegmentLength(int i)
        {
            var ins = _region.Instructions;
            int k = i;
            while (!_describe[k].Serial && k + 1 < ins.Length && ins[k + 1].Pc == ins[k].Pc + 4 && (ins[k + 1].Pc & 15) != 0) k++;
            return k - i + 1;
        }

        // The copies of the continued leaders, each entered by the branches to it in a fresh group; their last
        // instruction falls through to the straight-line code's leader after it.
        private void EmitSegments()
        {
            var ins = _region.Instructions;
            for (int i = 0; i < ins.Length; i++)
            {
                if (!_continued![i]) continue;
                int m = SegmentLength(i);
                EmitLeaderTimed(i, m);
                for (int j = 0; j < m; j++) EmitInstruction(i + j, m, j);
                int last = i + m - 1;
                if (ins[last].FallsThrough && last + 1 < ins.Length && ins[last + 1].Pc == ins[last].Pc + 4)
                    _il.Emit(OpCodes.Br, _labels[last + 1]);
            }
        }

        // The static cycles of the basic block of `length` instructions at i, its group starting fresh there
        // (IssueGroup.Charge, the interpreter's rule: a new group at each 16-byte boundary and after an instruction that
        // ends one).
        private (ulong LastStart, ulong Total) ComputeCosts(int i, int length)
        {
            var ins = _region.Instructions;
            _bbCost = new ulong[length];
            _bbNotRun = new ulong[length];
            _bbInBefore = new bool[length];
            _bbInAfter = new bool[length];
            _bbBefore = new IssueGroup[length];
            _bbAfter = new IssueGroup[length];
            var group = default(IssueGroup);
            bool inGroup = false;
            ulong total = 0;
            for (int j = 0; j < length; j++)
            {
                int k = i + j;
                if ((ins[k].Pc & 15) == 0) inGroup = false;
                if (!inGroup) group = default;
                _bbInBefore[j] = inGroup;
                _bbBefore[j] = group;
                _bbCost[j] = group.Charge(_model!, _describe[k]);
                _bbAfter[j] = group;
                inGroup = _bbInAfter[j] = !_describe[k].Serial && ((ins[k].Pc + 4) & 15) != 0;
                total += _bbCost[j];
            }
            ulong rest = 0;
            for (int j = length - 1; j >= 0; j--) _bbNotRun[j] = rest += _bbCost[j];
            return (total - _bbCost[length - 1], total);
        }

        // if (budget < length || cycleBudget <= cycles before the last instruction) exit to pc; [loop head: if
        // (StopReason != None) exit to pc]; budget -= length; cycleBudget -= the block's cycles.
        private void EmitLeaderTimed(int i, int length)
        {
            var il = _il;
            ulong pc = _region.Instructions[i].Pc;
            il.MarkLabel(_labels[i]);
            Context.ForgetFlagKind();
            var (lastStart, total) = ComputeCosts(i, length);
            var leave = ExitStub(pc, 0, leftEarly: false);
            EmitNextPageCheck(pc, leave);
            il.Emit(OpCodes.Ldloc, _budget);
            il.Emit(OpCodes.Ldc_I8, (long)length);
            il.Emit(OpCodes.Blt_Un, leave);
            il.Emit(OpCodes.Ldloc, _cycleBudget!);
            il.Emit(OpCodes.Ldc_I8, (long)lastStart);
            il.Emit(OpCodes.Ble, leave);
            if (_loopHead[i])
            {
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Call, StopReasonGetter);
                il.Emit(OpCodes.Brtrue, leave);
            }
            il.Emit(OpCodes.Ldloc, _budget);
            il.Emit(OpCodes.Ldc_I8, (long)length);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _budget);
            if (total == 0) return;
            il.Emit(OpCodes.Ldloc, _cycleBudget!);
            il.Emit(OpCodes.Ldc_I8, (long)total);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _cycleBudget!);
        }

        // The fallback site of the j-th instruction of the basic block being emitted.
        private RegionFallbacks.TimingSite TimingSiteAt(int j) =>
            new(_bbCost[j], _bbNotRun[j], _bbInBefore[j], _bbBefore[j], _bbInAfter[j], _bbAfter[j]);

        // The exit after x (the j-th of its basic block) to the next address, outside the region: inside an issue
        // group when x continues it, and the interpreter then goes on in it (the chain ends there: no block starts
        // inside a group).
        private Label FallOutExit(RegionInstruction x, int j)
        {
            if (!_bbInAfter[j]) return ExitStub(x.Pc + 4, 0, leftEarly: false);
            _fallbacks.ExitGroups.Add(_bbAfter[j]);
            return ExitStub(x.Pc + 4, 0, leftEarly: true, group: _fallbacks.ExitGroups.Count - 1);
        }

        // In an exit stub: the exit's issue group (index + 1; 0, the local's initial value, for none).
        private void EmitExitGroup(int group)
        {
            _il.Emit(OpCodes.Ldc_I4, group + 1);
            _il.Emit(OpCodes.Stloc, _exitGroup!);
        }

        // In the common exit, after the counters are stored: Cpu.JitTimingExitInGroup when the exit left inside a group.
        private void EmitCallExitGroup()
        {
            var il = _il;
            var none = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, _exitGroup!);
            il.Emit(OpCodes.Brfalse, none);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Castclass, typeof(RegionFallbacks));
            il.Emit(OpCodes.Ldloc, _exitGroup!);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Call, ExitInGroupMethod);
            il.MarkLabel(none);
        }

        // Pushes the cycles run since the region's entry: JitRegionCycleBudget0 - cycleBudget.
        private void EmitCyclesRun()
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, CycleBudget0Field);
            _il.Emit(OpCodes.Ldloc, _cycleBudget!);
            _il.Emit(OpCodes.Sub);
        }

        // cycleBudget = cpu.JitRegionCycleBudget0 (after JitRegionEnter).
        private void EmitLoadCycleBudget()
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, CycleBudget0Field);
            _il.Emit(OpCodes.Stloc, _cycleBudget!);
        }

        // cpu.JitRegionCycleBudget = cycleBudget (before JitRunHandlerTimed).
        private void EmitStoreCycleBudget()
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldloc, _cycleBudget!);
            _il.Emit(OpCodes.Stfld, CycleBudgetField);
        }

        // cycleBudget = cpu.JitRegionCycleBudget (after JitRunHandlerTimed).
        private void EmitReloadCycleBudget()
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, CycleBudgetField);
            _il.Emit(OpCodes.Stloc, _cycleBudget!);
        }

        // B.cond, CBZ/CBNZ, TBZ/TBNZ with its condition (true: taken) on the stack: the branch to its taken arm (emitted
        // after the main line by EmitTakenArms), then the not-taken arm: the predictor's charge with the outcome a
        // constant in each arm, so the host branches on the guest's condition as under flat (no outcome in a register).
        private void EmitConditionalTimed(RegionInstruction x, bool nextIsSequential)
        {
            var arm = _il.DefineLabel();
            _il.Emit(OpCodes.Brtrue, arm);
            _takenArms.Add((x, arm));
            EmitConditionalCharge(x, taken: false);
            if (!nextIsSequential) _il.Emit(OpCodes.Br, ExitStub(x.Pc + 4, 0, leftEarly: false));
        }

        // The taken arms of the conditional branches: the charge, then the branch to the target.
        private void EmitTakenArms()
        {
            for (int k = 0; k < _takenArms.Count; k++)
            {
                var (x, arm) = _takenArms[k];
                _il.MarkLabel(arm);
                EmitConditionalCharge(x, taken: x.Target!.Value != x.Pc + 4); // to the next instruction either way: not taken
                _il.Emit(OpCodes.Br, Target(x.Target!.Value));
            }
        }

        // cycleBudget -= BranchPredictor.ConditionalAt(its counter, the counts, the model's table, taken).
        private unsafe void EmitConditionalCharge(RegionInstruction x, bool taken)
        {
            var il = _il;
            il.Emit(OpCodes.Ldloc, _cycleBudget!);
            EmitAddress(_predictor!.CounterAddress(x.Pc));
            EmitAddress(_predictor.CountsAddress);
            EmitAddress(_predictor.ConditionalTableAddress);
            il.Emit(taken ? OpCodes.Ldc_I4_1 : OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Call, ConditionalAtMethod);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _cycleBudget!);
        }

        // A pinned address of the CPU's predictor (the region runs only on its CPU, whose predictor lives as long).
        private unsafe void EmitAddress(void* address)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)address);
            _il.Emit(OpCodes.Conv_U);
        }

        // B, BL, BR, BLR, RET (pushNext: its target): cycleBudget -= the predictor's charge for its class.
        private unsafe void EmitBranchCharge(RegionInstruction x, Action pushNext)
        {
            var c = TimingClassifier.Classify(x.Encoding, x.Word);
            if (!ChargeMethods.TryGetValue(c, out var method)) return;
            var il = _il;
            if (c == TimingClass.Branch)
            {
                // B: always predicted, its charge known here.
                il.Emit(OpCodes.Ldloc, _cycleBudget!);
                EmitAddress(_predictor!.CountsAddress);
                il.Emit(OpCodes.Ldc_I8, x.Target!.Value != x.Pc + 4 ? (long)_predictor.TakenCycles : 0L);
                il.Emit(OpCodes.Call, BranchAtMethod);
                il.Emit(OpCodes.Sub);
                il.Emit(OpCodes.Stloc, _cycleBudget!);
                return;
            }
            il.Emit(OpCodes.Ldloc, _cycleBudget!);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, PredictorField);
            il.Emit(OpCodes.Ldc_I8, (long)x.Pc);
            pushNext();
            il.Emit(OpCodes.Call, method);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _cycleBudget!);
        }

        // Another terminator run by its handler (its next PC in _exitPc): the predictor's charge when the model predicts
        // its class (a branch without an emitter of its own).
        private void EmitTerminatorCharge(RegionInstruction x)
        {
            var c = TimingClassifier.Classify(x.Encoding, x.Word);
            if (!BranchPredictor.Predicts(c)) return;
            var il = _il;
            il.Emit(OpCodes.Ldloc, _cycleBudget!);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, PredictorField);
            il.Emit(OpCodes.Ldc_I4, (int)c);
            il.Emit(OpCodes.Ldc_I8, (long)x.Pc);
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Call, ChargeMethod);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _cycleBudget!);
        }
    }
}
