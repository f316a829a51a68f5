using System.Reflection;
using System.Reflection.Emit;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The optimized tier: compiles a block's <see cref="Region"/> into one <see cref="DynamicMethod"/> in which branches
/// between the region's instructions are IL branches, general registers and NZCV are IL locals, and the hot families
/// are hand-emitted IL (<see cref="EmitterTable"/>); the other instructions call their interpreter handlers.
/// </summary>
/// <remarks>
/// <para>Exactness. The region runs only while the interpreter would run the same instructions one by one: on entry
/// it takes an instruction budget (<see cref="Cpu.JitRegionEnter"/>: how many instructions start before the clock
/// deadline and fit the instruction limit), and every basic block (at most <see cref="TranslationBlock.MaxInstructions"/>
/// long) is entered only if its whole length fits the budget left, else the region exits to the block's first
/// instruction. A loop head also leaves when a stop was requested. After a load or store that left the RAM fast path
/// or dropped translated code, the region asks <see cref="Cpu.JitMustLeaveBlock"/>, as the block compiler does.</para>
/// <para>State. <see cref="CpuState"/> registers, NZCV, PC and the counters are written back where anything outside
/// the method can look at them: before a handler call (with PC and counters, and <c>_jitEntry*</c> set to that
/// instruction, so that a <see cref="Exceptions.GuestException"/> is made precise by <c>ExecuteChain</c> as for a
/// block), and at every exit. Each exit stores the next PC, which is also <see cref="Cpu.NextPc"/> (as after
/// <c>Step</c>), and sets <see cref="Cpu.JitLeftEarly"/> when the execution loop must not chain (after an early exit,
/// or after an instruction that may change the interrupt state or regime).</para>
/// </remarks>
internal static partial class RegionCompiler
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly FieldInfo RegionEntryField = typeof(Cpu).GetField(nameof(Cpu.JitRegionEntry), Private)!;
    private static readonly MethodInfo RunHandlerMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitRunHandler), Private)!;
    private static readonly MethodInfo BudgetMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitRegionEnter), Private)!;
    /// <summary>
    /// The most IL a region may take: RyuJIT compiles a method of more than 60,000 bytes (or 20,000 IL instructions)
    /// without optimizing it, and such a region runs slower than the baseline tier.
    /// </summary>
    public const int MaxIlBytes = 45_000;

    private static readonly FieldInfo ExitPcField = typeof(Cpu).GetField(nameof(Cpu.JitExitPc), Private)!;
    private static readonly FieldInfo ComputedExitPcField = typeof(Cpu).GetField(nameof(Cpu.JitComputedExitPc), Private)!;
    private static readonly FieldInfo ExitNotRunField = typeof(Cpu).GetField(nameof(Cpu.JitExitNotRun), Private)!;
    private static readonly FieldInfo Budget0Field = typeof(Cpu).GetField(nameof(Cpu.JitRegionBudget0), Private)!;
    private static readonly FieldInfo Instructions0Field = typeof(Cpu).GetField(nameof(Cpu.JitRegionInstructions0), Private)!;
    private static readonly FieldInfo Cycles0Field = typeof(Cpu).GetField(nameof(Cpu.JitRegionCycles0), Private)!;
    private static readonly MethodInfo StopReasonGetter = typeof(Cpu).GetProperty(nameof(Cpu.StopReason))!.GetMethod!;
    private static readonly MethodInfo CallOutMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitCallOut), Private)!;
    private static readonly MethodInfo NextPageHoldsMethod = typeof(Cpu).GetMethod(nameof(Cpu.JitNextPageHolds), Private)!;
    private static readonly MethodInfo BlrMethod = ((A64Handler)Branches.Blr).Method;

    /// <summary>
    /// Compiles the region of <paramref name="block"/> charging <paramref name="cyclesPerInstruction"/>. The code
    /// starts at the basic block whose index <see cref="Cpu.JitRegionEntry"/> holds (the block's own: its index in
    /// the result's entries). Null when <paramref name="limitIl"/> is set and the IL came out larger than
    /// <see cref="MaxIlBytes"/>: the caller forms a smaller region. Under a <paramref name="timing"/> model other than
    /// flat the region charges the model's cycles (RegionCompiler.Timing.cs); under flat its IL is that of before the models.
    /// </summary>
    public static CompiledRegion? Compile(TranslationBlock block, Region region, ulong cyclesPerInstruction, bool limitIl = true,
        Timing.TimingModel? timing = null, Timing.BranchPredictor? predictor = null)
    {
        var pass = new Pass(block, region, cyclesPerInstruction, timing is { IsFlat: false } ? timing : null, predictor);
        if (pass.Emit(limitIl) is not { } code) return null;
        var entries = new Dictionary<ulong, int>();
        for (int i = 0; i < region.Instructions.Length; i++)
            if (pass.IsLeader(i)) entries[region.Instructions[i].Pc] = i;
        return new CompiledRegion(block, code, entries, region);
    }

    private sealed partial class Pass
    {
        private readonly TranslationBlock _block;
        private readonly Region _region;
        private readonly ulong _cpi;
        private readonly List<object> _targets;
        private readonly DynamicMethod _method;
        private readonly ILGenerator _il;
        private readonly LocalBuilder _notifyVa, _notifySize, _leave;
        private readonly Label _notifyStub;
        // A region that continues into the next page (Region.Spans): whether that page's translation was checked since
        // the entry, the shared stub that checks it, and per check site its way back and its exit.
        private LocalBuilder? _nextPageChecked;
        private readonly Label _nextPageStub;
        private readonly List<Label> _nextPageReturns = [], _nextPageExits = [];
        private readonly List<Label> _notifyReturns = [];
        private readonly LocalBuilder _budget, _exitPc, _exitAdjust, _executed, _site;
        private readonly Label _commonExit, _fallbackStub, _indirectStub, _callOutStub;
        private bool _anyIndirect;
        // The return sites of the call-outs, by call-out index (the leaders after their BL or BLR).
        private readonly List<Label> _callOutReturns = [];
        private readonly RegionFallbacks _fallbacks;
        private readonly Label[] _labels;
        private readonly bool[] _leader, _loopHead;
        private readonly int[] _blockLength;
        private readonly Dictionary<(ulong Pc, ulong Adjust, bool LeftEarly, int Group), Label> _exitStubs = new();
        private readonly List<int> _returnSites = [];

        // The return sites an indirect branch compares its target with before leaving the region.
        private const int MaxReturnSites = 8;

        public IlEmitContext Context { get; }

        public bool IsLeader(int i) => _leader[i] || (_continued != null && _continued[i]);

        public Pass(TranslationBlock block, Region region, ulong cpi, Timing.TimingModel? model, Timing.BranchPredictor? predictor)
        {
            _block = block;
            _region = region;
            _cpi = cpi;
            _model = model;
            _predictor = predictor;
            _fallbacks = new RegionFallbacks(block, cpi) { Timing = model != null ? [] : null };
            _targets = [_fallbacks]; // closure slot 0: the fallback sites
            _method = new DynamicMethod($"A64_{block.Pc:x}_EL{block.El}_Region", typeof(void), [typeof(object[]), typeof(Cpu)],
                typeof(Cpu).Module, skipVisibility: true);
            _il = _method.GetILGenerator();
            Context = new IlEmitContext(_il) { NotifyWrite = EmitNotifyWrite };
            _budget = _il.DeclareLocal(typeof(ulong));
            _exitPc = _il.DeclareLocal(typeof(ulong));
            _exitAdjust = _il.DeclareLocal(typeof(ulong));
            _executed = _il.DeclareLocal(typeof(ulong));
            _site = _il.DeclareLocal(typeof(int));
            _notifyVa = _il.DeclareLocal(typeof(ulong));
            _notifySize = _il.DeclareLocal(typeof(int));
            _leave = _il.DeclareLocal(typeof(bool));
            _notifyStub = _il.DefineLabel();
            _fallbackStub = _il.DefineLabel();
            _commonExit = _il.DefineLabel();
            _indirectStub = _il.DefineLabel();
            _callOutStub = _il.DefineLabel();
            _nextPageStub = _il.DefineLabel();
            if (region.Spans) _nextPageChecked = _il.DeclareLocal(typeof(bool));
            int n = region.Instructions.Length;
            _labels = new Label[n];
            for (int i = 0; i < n; i++) _labels[i] = _il.DefineLabel();
            if (model == null) (_leader, _loopHead, _blockLength) = Analyse(block, region);
            else (_leader, _loopHead, _blockLength) = AnalyseTimed(block, region);
            for (int i = 0; i < n && _returnSites.Count < MaxReturnSites; i++)
                if (_loopHead[i] && i > 0 && region.Instructions[i - 1].Branch == BranchKind.Call) _returnSites.Add(i);
        }

        // Basic blocks: a leader starts each (the entry, branch targets, the instruction after a terminator or a gap,
        // and every MaxInstructions-th of a run); the entry's basic block is no longer than the entry block, whose
        // length the execution loop checked against the deadline.
        private static (bool[] Leader, bool[] LoopHead, int[] Length) Analyse(TranslationBlock block, Region region,
            Action<bool[]>? adjustLeaders = null)
        {
            var ins = region.Instructions;
            int n = ins.Length;
            var leader = new bool[n];
            var loopHead = new bool[n];
            int entry = region.IndexOf(region.EntryPc);
            leader[entry] = true;
            int afterEntry = region.IndexOf(region.EntryPc + 4 * (ulong)block.Length);
            if (afterEntry >= 0) leader[afterEntry] = true;
            for (int i = 0; i < n; i++)
            {
                var x = ins[i];
                if (x.Target is { } target)
                {
                    int t = region.IndexOf(target);
                    if (t >= 0)
                    {
                        leader[t] = true;
                        if (t <= i) loopHead[t] = true;
                    }
                }
                // (The first instruction of the next page leads a basic block: its leader checks that page's translation.)
                if (i + 1 < n && (x.Class == InstructionClass.EndsBlock || ins[i + 1].Pc != x.Pc + 4
                    || region.InNextPage(ins[i + 1].Pc) != region.InNextPage(x.Pc))) leader[i + 1] = true;
                // A return site: RET jumps there (and may close a loop).
                if (x.Branch == BranchKind.Call && i + 1 < n && ins[i + 1].Pc == x.Pc + 4) loopHead[i + 1] = true;
            }
            adjustLeaders?.Invoke(leader);
            var length = new int[n];
            int run = 0, cap = TranslationBlock.MaxInstructions;
            for (int i = 0; i < n; i++)
            {
                if (leader[i]) run = 0;
                else if (run == cap) { leader[i] = true; run = 0; }
                // Under a timing model a run is cut where an issue group ends, as BlockBuilder cuts a block.
                if (run == 0 && adjustLeaders != null) cap = TranslationBlock.MaxInstructions - (int)((ins[i].Pc >> 2) & 3);
                run++;
            }
            for (int i = n - 1, next = n; i >= 0; i--)
            {
                if (leader[i])
                {
                    length[i] = next - i;
                    next = i;
                }
            }
            return (leader, loopHead, length);
        }

        public Action<Cpu>? Emit(bool limitIl)
        {
            var il = _il;
            var prologue = il.DefineLabel();
            // Called with a null CPU, the method returns at once (BlockCompiler.Warm).
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Brtrue, prologue);
            il.Emit(OpCodes.Ret);
            var ins = _region.Instructions;
            int leaderIndex = 0, blockLength = 0;
            for (int i = 0; i < ins.Length; i++)
            {
                if (_leader[i])
                {
                    leaderIndex = i;
                    blockLength = _blockLength[i];
                    EmitLeader(i, blockLength);
                }
                EmitInstruction(i, blockLength, i - leaderIndex);
            }
            if (_model != null)
            {
                EmitSegments();
                EmitTakenArms();
            }
            foreach (var ((pc, adjust, leftEarly, group), label) in _exitStubs)
            {
                il.MarkLabel(label);
                if (leftEarly) EmitSetLeftEarly();
                if (group >= 0) EmitExitGroup(group);
                il.Emit(OpCodes.Ldc_I8, (long)pc);
                il.Emit(OpCodes.Stloc, _exitPc);
                il.Emit(OpCodes.Ldc_I8, (long)adjust);
                il.Emit(OpCodes.Stloc, _exitAdjust);
                il.Emit(OpCodes.Br, _commonExit);
            }
            if (_anyIndirect) EmitIndirectStub();
            EmitCommonExit();
            if (_fallbacks.Count > 0) EmitFallbackStub();
            if (_notifyReturns.Count > 0) EmitNotifyStub();
            if (_callOutReturns.Count > 0) EmitCallOutStub();
            if (_nextPageReturns.Count > 0) EmitNextPageStub();
            _fallbacks.CallOutLinks = new TranslationBlock?[_callOutReturns.Count * RegionFallbacks.CallOutWays];
            _fallbacks.CallOutNextWay = new byte[_callOutReturns.Count];
            EmitPrologue(prologue);
            if (limitIl && il.ILOffset > MaxIlBytes) return null;
            return (Action<Cpu>)_method.CreateDelegate(typeof(Action<Cpu>), _targets.ToArray());
        }

        // budget = cpu.JitRegionEnter() (which keeps it and the counters at entry in fields); every register the region
        // uses and the flags into their locals (one copy for all entries: IL size, not the loads, limits a region).
        private void EmitPrologue(Label prologue)
        {
            var il = _il;
            il.MarkLabel(prologue);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, BudgetMethod);
            il.Emit(OpCodes.Stloc, _budget);
            if (_nextPageChecked != null)
            {
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Stloc, _nextPageChecked);
            }
            if (_model != null) EmitLoadCycleBudget();
            Context.EmitReloadFlags();
            Context.EmitReloadRegisters();
            // switch (cpu.JitRegionEntry): the entered basic block's first instruction.
            int entry = _region.IndexOf(_region.EntryPc);
            var targets = new Label[_labels.Length];
            for (int i = 0; i < targets.Length; i++) targets[i] = IsLeader(i) ? _labels[i] : _labels[entry];
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, RegionEntryField);
            il.Emit(OpCodes.Switch, targets);
            il.Emit(OpCodes.Br, _labels[entry]);
        }

        // The shared target of BR, BLR and RET (their target in _exitPc): a basic block of the region starting there is
        // jumped to (through a table over the span of the region's basic blocks, as TCG's lookup_and_goto_ptr finds a
        // translated block without returning to the execution loop), so that jump tables and calls through pointers
        // within the page stay in compiled code; any other target leaves (and is noted in Cpu.JitComputedExitPc, which
        // makes the block there a root of its page's next region). The basic block checks the budget as every
        // branch target does; an indirect branch may close a loop, so a stop request leaves here as at loop heads.
        private void EmitIndirectStub()
        {
            var il = _il;
            var leave = il.DefineLabel();
            var ins = _region.Instructions;
            ulong first = ulong.MaxValue, last = 0;
            for (int i = 0; i < ins.Length; i++)
            {
                if (!IsLeader(i)) continue;
                first = Math.Min(first, ins[i].Pc);
                last = Math.Max(last, ins[i].Pc);
            }
            il.MarkLabel(_indirectStub);
            var table = new Label[(int)((last - first) / 4) + 1];
            Array.Fill(table, leave);
            for (int i = 0; i < ins.Length; i++)
                if (IsLeader(i)) table[(int)((ins[i].Pc - first) / 4)] = _labels[i];
            // offset = target - first: out of the span (unsigned) or misaligned leaves.
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Ldc_I8, (long)first);
            il.Emit(OpCodes.Sub);
            il.Emit(OpCodes.Stloc, _executed); // free here: the exit path sets it again
            il.Emit(OpCodes.Ldloc, _executed);
            il.Emit(OpCodes.Ldc_I8, (long)(last - first));
            il.Emit(OpCodes.Bgt_Un, leave);
            il.Emit(OpCodes.Ldloc, _executed);
            il.Emit(OpCodes.Conv_I4);
            il.Emit(OpCodes.Ldc_I4_3);
            il.Emit(OpCodes.And);
            il.Emit(OpCodes.Brtrue, leave);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, StopReasonGetter);
            il.Emit(OpCodes.Brtrue, leave);
            il.Emit(OpCodes.Ldloc, _executed);
            il.Emit(OpCodes.Conv_I4);
            il.Emit(OpCodes.Ldc_I4_2);
            il.Emit(OpCodes.Shr_Un);
            il.Emit(OpCodes.Switch, table);
            il.MarkLabel(leave);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Stfld, ComputedExitPcField);
            if (_callOutReturns.Count > 0)
            {
                // A BLR with its return site in the region (_site: its call-out index; -1 for BR, RET and other BLRs).
                il.Emit(OpCodes.Ldloc, _site);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Bge, _callOutStub);
            }
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(OpCodes.Stloc, _exitAdjust);
            il.Emit(OpCodes.Br, _commonExit);
        }

        // State.PC = NextPc = exitPc; the counters advanced by the instructions run; registers and flags stored.
        private void EmitCommonExit()
        {
            _il.MarkLabel(_commonExit);
            EmitStoreExitState(() => _il.Emit(OpCodes.Ldloc, _exitAdjust));
            if (_model != null && _fallbacks.ExitGroups.Count > 0) EmitCallExitGroup();
            _il.Emit(OpCodes.Ret);
        }

        // The state as at an exit to _exitPc: PC and NextPc, the counters (pushNotRun: the reserved instructions not run)
        // and the flags (the registers are written through).
        private void EmitStoreExitState(Action pushNotRun)
        {
            var il = _il;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Stfld, CpuMembers.Pc);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Stfld, CpuMembers.NextPc);
            EmitExecuted(pushNotRun);
            il.Emit(OpCodes.Stloc, _executed);
            EmitStoreCounters(_executed);
            Context.EmitFlush();
        }

        // Pushes budget0 - budget - notRun: the instructions retired since entry.
        private void EmitExecuted(Action pushNotRun)
        {
            var il = _il;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Budget0Field);
            il.Emit(OpCodes.Ldloc, _budget);
            il.Emit(OpCodes.Sub);
            pushNotRun();
            il.Emit(OpCodes.Sub);
        }

        // State.Instructions = instructions0 + executed; State.Cycles = cycles0 + executed * cpi.
        private void EmitStoreCounters(LocalBuilder executed)
        {
            var il = _il;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Instructions0Field);
            il.Emit(OpCodes.Ldloc, executed);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stfld, CpuMembers.Instructions);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldflda, CpuMembers.State);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, Cycles0Field);
            if (_model != null)
            {
                EmitCyclesRun();
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stfld, CpuMembers.Cycles);
                return;
            }
            il.Emit(OpCodes.Ldloc, executed);
            if (_cpi != 1)
            {
                il.Emit(OpCodes.Ldc_I8, (long)_cpi);
                il.Emit(OpCodes.Mul);
            }
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stfld, CpuMembers.Cycles);
        }

        private void EmitSetLeftEarly()
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldc_I4_1);
            _il.Emit(OpCodes.Stfld, CpuMembers.LeftEarly);
        }

        private Label ExitStub(ulong pc, ulong adjust, bool leftEarly, int group = -1)
        {
            if (!_exitStubs.TryGetValue((pc, adjust, leftEarly, group), out var label))
                _exitStubs[(pc, adjust, leftEarly, group)] = label = _il.DefineLabel();
            return label;
        }

        // The label of the region's instruction at pc, or an exit to it.
        private Label Target(ulong pc)
        {
            int t = _region.IndexOf(pc);
            return t >= 0 ? _labels[t] : ExitStub(pc, 0, leftEarly: false);
        }

        // if (budget < length) exit to pc; [loop head: if (StopReason != None) exit to pc]; budget -= length.
        private void EmitLeader(int i, int length)
        {
            if (_model != null)
            {
                EmitLeaderTimed(i, length);
                return;
            }
            var il = _il;
            ulong pc = _region.Instructions[i].Pc;
            il.MarkLabel(_labels[i]);
            Context.ForgetFlagKind();
            var leave = ExitStub(pc, 0, leftEarly: false);
            EmitNextPageCheck(pc, leave);
            il.Emit(OpCodes.Ldloc, _budget);
            il.Emit(OpCodes.Ldc_I8, (long)length);
            il.Emit(OpCodes.Blt_Un, leave);
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
        }

        // At a leader in the next page (Region.Spans): that page's translation is checked once per entry, at the first
        // basic block of it that runs (the shared stub); if it fails, the region leaves to `leave` (the leader, not run).
        private void EmitNextPageCheck(ulong pc, Label leave)
        {
            if (_nextPageChecked == null || !_region.InNextPage(pc)) return;
            var il = _il;
            var checkedAlready = il.DefineLabel();
            il.Emit(OpCodes.Ldloc, _nextPageChecked);
            il.Emit(OpCodes.Brtrue, checkedAlready);
            il.Emit(OpCodes.Ldc_I4, _nextPageReturns.Count);
            il.Emit(OpCodes.Stloc, _site);
            il.Emit(OpCodes.Br, _nextPageStub);
            _nextPageReturns.Add(checkedAlready);
            _nextPageExits.Add(leave);
            il.MarkLabel(checkedAlready);
        }

        // Instruction i, the j-th of its basic block of `length` instructions.
        private void EmitInstruction(int i, int length, int j)
        {
            var il = _il;
            var x = _region.Instructions[i];
            var c = Context;
            c.BeginInstruction(x.Pc);
            c.Fallback = () => EmitFallback(x, length, j);
            bool nextIsSequential = i + 1 < _region.Instructions.Length && _region.Instructions[i + 1].Pc == x.Pc + 4;
            switch (x.Branch)
            {
                case BranchKind.Conditional:
                    EmitCondition(x);
                    if (_model != null)
                    {
                        EmitConditionalTimed(x, nextIsSequential);
                        return;
                    }
                    il.Emit(OpCodes.Brtrue, Target(x.Target!.Value));
                    if (!nextIsSequential) il.Emit(OpCodes.Br, ExitStub(x.Pc + 4, 0, leftEarly: false));
                    return;
                case BranchKind.Unconditional:
                    if (_model != null) EmitBranchCharge(x, () => il.Emit(OpCodes.Ldc_I8, (long)x.Target!.Value));
                    il.Emit(OpCodes.Br, Target(x.Target!.Value));
                    return;
                case BranchKind.Call:
                    if (_model != null) EmitBranchCharge(x, () => il.Emit(OpCodes.Ldc_I8, (long)x.Target!.Value));
                    il.Emit(OpCodes.Ldc_I8, (long)(x.Pc + 4));
                    c.StoreX(30);
                    if (_region.IndexOf(x.Target!.Value) < 0 && CallOut(x) is int callOut)
                    {
                        il.Emit(OpCodes.Ldc_I8, (long)x.Target!.Value);
                        il.Emit(OpCodes.Stloc, _exitPc);
                        il.Emit(OpCodes.Ldc_I4, callOut);
                        il.Emit(OpCodes.Stloc, _site);
                        il.Emit(OpCodes.Br, _callOutStub);
                        return;
                    }
                    il.Emit(OpCodes.Br, Target(x.Target!.Value));
                    return;
                case BranchKind.Indirect:
                    // BR, BLR, RET: the target is read before BLR writes X30.
                    c.LoadX(A64Fields.Rn(x.Word));
                    il.Emit(OpCodes.Stloc, _exitPc);
                    if (_model != null) EmitBranchCharge(x, () => il.Emit(OpCodes.Ldloc, _exitPc));
                    bool blr = x.Encoding.Handler.Method == BlrMethod;
                    // The stub calls out for a BLR whose target it does not find in the region.
                    il.Emit(OpCodes.Ldc_I4, blr && CallOut(x) is int blrCallOut ? blrCallOut : -1);
                    il.Emit(OpCodes.Stloc, _site);
                    if (blr)
                    {
                        il.Emit(OpCodes.Ldc_I8, (long)(x.Pc + 4));
                        c.StoreX(30);
                    }
                    else
                    {
                        // RET or BR to the return site of one of the region's BLs: compared first (a RET's usual target).
                        foreach (int site in _returnSites)
                        {
                            il.Emit(OpCodes.Ldloc, _exitPc);
                            il.Emit(OpCodes.Ldc_I8, (long)_region.Instructions[site].Pc);
                            il.Emit(OpCodes.Beq, _labels[site]);
                        }
                    }
                    _anyIndirect = true;
                    il.Emit(OpCodes.Br, _indirectStub);
                    return;
            }
            if (x.Class == InstructionClass.EndsBlock)
            {
                // Another terminator (system instruction, exception generation, ERET): its handler, then leave at NextPc.
                EmitFallback(x, length, j);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldfld, CpuMembers.NextPc);
                il.Emit(OpCodes.Stloc, _exitPc);
                if (_model != null) EmitTerminatorCharge(x);
                il.Emit(OpCodes.Ldc_I8, 0L);
                il.Emit(OpCodes.Stloc, _exitAdjust);
                if (!InstructionClassifier.LeavesInterruptStateUnchanged(x.Encoding)) EmitSetLeftEarly();
                il.Emit(OpCodes.Br, _commonExit);
                return;
            }
            var emitter = EmitterTable.For(x.Encoding.Handler);
            if (emitter == null || !emitter(c, x.Word)) EmitFallback(x, length, j);
            if (!nextIsSequential) il.Emit(OpCodes.Br, _model != null ? FallOutExit(x, j) : ExitStub(x.Pc + 4, 0, leftEarly: false));
        }

        // A call-out index for the BL or BLR x when its return site is in the region (where the region goes on after the
        // callee returned), else null (the call leaves the region).
        private int? CallOut(RegionInstruction x)
        {
            int back = _region.IndexOf(x.Pc + 4);
            if (back < 0 || !_leader[back]) return null;
            _fallbacks.CallOutReturns.Add(x.Pc + 4);
            _callOutReturns.Add(_labels[back]);
            return _callOutReturns.Count - 1;
        }

        // The shared call-out stub (a BL or BLR to a target outside the region; _exitPc: the target, _site: the
        // call-out index): the state is stored as the common exit stores it for an exit to the target, then
        // Cpu.JitCallOut runs the callee's compiled code. Back at the return site, the region reloads the flags and
        // every register, takes a new budget (the callee ran instructions of its own) and goes on at the return site's
        // basic block, whose leader checks that budget; otherwise it returns with the state as the callee left it.
        private void EmitCallOutStub()
        {
            var il = _il;
            var back = il.DefineLabel();
            il.MarkLabel(_callOutStub);
            EmitStoreExitState(() => il.Emit(OpCodes.Ldc_I8, 0L));
            EmitPushCpuSitesAndSite();
            il.Emit(OpCodes.Ldloc, _exitPc);
            il.Emit(OpCodes.Call, CallOutMethod);
            il.Emit(OpCodes.Brtrue, back);
            il.Emit(OpCodes.Ret);
            il.MarkLabel(back);
            Context.EmitReloadFlags();
            Context.EmitReloadRegisters();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Call, BudgetMethod);
            il.Emit(OpCodes.Stloc, _budget);
            if (_model != null) EmitLoadCycleBudget();
            il.Emit(OpCodes.Ldloc, _site);
            il.Emit(OpCodes.Switch, _callOutReturns.ToArray());
            il.Emit(OpCodes.Ret); // not reached: every call-out index has its label
        }

        // The shared stub of the next page's check sites (_site: the site): Cpu.JitNextPageHolds says whether the next
        // virtual page still translates, for execution here, to the physical page the region was formed from; then the
        // site goes on (registers reloaded, as after every call) or the region leaves at it, nothing of it run.
        private void EmitNextPageStub()
        {
            var il = _il;
            var fail = il.DefineLabel();
            il.MarkLabel(_nextPageStub);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I8, (long)_region.NextPageVa);
            il.Emit(OpCodes.Ldc_I8, (long)_region.NextPagePa);
            il.Emit(OpCodes.Call, NextPageHoldsMethod);
            il.Emit(OpCodes.Brfalse, fail);
            il.Emit(OpCodes.Ldc_I4_1);
            il.Emit(OpCodes.Stloc, _nextPageChecked!);
            Context.EmitReloadRegisters();
            il.Emit(OpCodes.Ldloc, _site);
            il.Emit(OpCodes.Switch, _nextPageReturns.ToArray());
            il.Emit(OpCodes.Ret); // not reached: every site index has its label
            il.MarkLabel(fail);
            il.Emit(OpCodes.Ldloc, _site);
            il.Emit(OpCodes.Switch, _nextPageExits.ToArray());
            il.Emit(OpCodes.Ret); // not reached
        }

        // Pushes the branch condition of B.cond, CBZ/CBNZ or TBZ/TBNZ (true: taken).
        private void EmitCondition(RegionInstruction x)
        {
            var il = _il;
            var c = Context;
            uint insn = x.Word;
            var m = x.Encoding.Handler.Method;
            if (m == ((A64Handler)Branches.BCond).Method)
            {
                c.EmitCondition((int)(insn & 0xF));
                return;
            }
            c.LoadX(A64Fields.Rt(insn));
            bool zeroTest;
            if (m == ((A64Handler)Branches.Cbz).Method || m == ((A64Handler)Branches.Cbnz).Method)
            {
                if (!A64Fields.Sf(insn)) AluEmitters.EmitZeroExtend32(il);
                zeroTest = m == ((A64Handler)Branches.Cbz).Method;
            }
            else
            {
                int bit = (int)(((insn >> 26) & 0x20) | A64Fields.Bits(insn, 23, 19));
                il.Emit(OpCodes.Ldc_I8, 1L << bit);
                il.Emit(OpCodes.And);
                zeroTest = m == ((A64Handler)Branches.Tbz).Method;
            }
            il.Emit(OpCodes.Ldc_I8, 0L);
            il.Emit(zeroTest ? OpCodes.Ceq : OpCodes.Cgt_Un);
        }

        // The instruction through its interpreter handler, as a site of the shared fallback stub: the stub stores the
        // flags, Cpu.JitRunHandler brings PC and counters up to date (unless the handler neither reads the PC nor can
        // fault), calls the handler and says whether the region must leave after it; the stub then reloads the flags and
        // every register and jumps back here. A site is three IL instructions: the stub is shared so that the region's
        // IL stays small (RyuJIT compiles a method of more than 60,000 bytes of IL without optimizing it).
        private void EmitFallback(RegionInstruction x, int length, int j)
        {
            var il = _il;
            int site = _fallbacks.Count;
            var back = il.DefineLabel();
            _fallbacks.Add(x, (ulong)(length - j), back);
            if (_model != null) _fallbacks.Timing!.Add(TimingSiteAt(j));
            il.Emit(OpCodes.Ldc_I4, site);
            il.Emit(OpCodes.Stloc, _site);
            il.Emit(OpCodes.Br, _fallbackStub);
            il.MarkLabel(back);
            // A load or store handler leaves NZCV as it was (the lazy operands still hold); any other may change it.
            if (x.Class != InstructionClass.Memory) Context.FlagsReloaded();
            else Context.FlagKindLocalUnknown();
        }

        // Pushes the CPU, the region's sites (closure slot 0) and the site index: the first arguments of the stubs' calls.
        private void EmitPushCpuSitesAndSite()
        {
            var il = _il;
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Ldelem_Ref);
            il.Emit(OpCodes.Castclass, typeof(RegionFallbacks));
            il.Emit(OpCodes.Ldloc, _site);
        }

        // The shared fallback stub. A load or store that left the fast path may have to leave the region after it
        // (Cpu.JitRunHandler asks JitMustLeaveBlock): it exits early to the instruction after it (Cpu.JitExitPc), the
        // instructions reserved after it not run (Cpu.JitExitNotRun).
        private void EmitFallbackStub()
        {
            var il = _il;
            var leave = il.DefineLabel();
            il.MarkLabel(_fallbackStub);
            Context.EmitFlush();
            if (_model != null) EmitStoreCycleBudget();
            EmitPushCpuSitesAndSite();
            EmitExecuted(() => il.Emit(OpCodes.Ldc_I8, 0L));
            il.Emit(OpCodes.Call, _model != null ? RunHandlerTimedMethod : RunHandlerMethod);
            il.Emit(OpCodes.Stloc, _leave);
            if (_model != null) EmitReloadCycleBudget();
            Context.EmitReloadFlags();
            il.Emit(OpCodes.Ldloc, _leave);
            il.Emit(OpCodes.Brtrue, leave);
            Context.EmitReloadRegisters();
            il.Emit(OpCodes.Ldloc, _site);
            il.Emit(OpCodes.Switch, _fallbacks.Returns.ToArray());
            il.Emit(OpCodes.Ret); // not reached: every site index has its label
            il.MarkLabel(leave);
            EmitSetLeftEarly();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, ExitPcField);
            il.Emit(OpCodes.Stloc, _exitPc);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, ExitNotRunField);
            il.Emit(OpCodes.Stloc, _exitAdjust);
            il.Emit(OpCodes.Br, _commonExit);
        }

        // An emitted store's report (IlEmitContext.NotifyWrite): when the CPU's stores are observed (Cpu.NotifyStore),
        // the address (pushed by pushAddress) and size go to the shared notify stub, which calls Cpu.JitNotifyWrite,
        // reloads every register (none is live across the call) and jumps back.
        private void EmitNotifyWrite(Action pushAddress, int bytes)
        {
            var il = _il;
            var none = il.DefineLabel();
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldfld, CpuMembers.StoresObserved);
            il.Emit(OpCodes.Brfalse, none);
            pushAddress();
            il.Emit(OpCodes.Stloc, _notifyVa);
            il.Emit(OpCodes.Ldc_I4, bytes);
            il.Emit(OpCodes.Stloc, _notifySize);
            il.Emit(OpCodes.Ldc_I4, _notifyReturns.Count);
            il.Emit(OpCodes.Stloc, _site);
            il.Emit(OpCodes.Br, _notifyStub);
            _notifyReturns.Add(none);
            il.MarkLabel(none);
        }

        private void EmitNotifyStub()
        {
            var il = _il;
            il.MarkLabel(_notifyStub);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, _notifyVa);
            il.Emit(OpCodes.Ldloc, _notifySize);
            il.Emit(OpCodes.Call, CpuMembers.NotifyWrite);
            Context.EmitReloadRegisters();
            il.Emit(OpCodes.Ldloc, _site);
            il.Emit(OpCodes.Switch, _notifyReturns.ToArray());
            il.Emit(OpCodes.Ret); // not reached
        }
    }
}
