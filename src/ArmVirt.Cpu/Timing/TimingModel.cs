namespace ArmVirt.Cpu.Timing;

/// <summary>The execution resources a <see cref="TimingModel"/> issues instructions to (at most 8).</summary>
internal enum TimingPipe : byte
{
    /// <summary>Integer ALU (Cortex-A53: two; Cortex-A57: I0/I1).</summary>
    Integer,
    /// <summary>Integer multi-cycle pipe: multiply, divide, shifted-operand ALU on Cortex-A57 (M).</summary>
    Multiply,
    /// <summary>Loads (Cortex-A57: L; Cortex-A53: the one load/store pipe, shared with <see cref="Store"/>).</summary>
    Load,
    /// <summary>Stores (Cortex-A57: S).</summary>
    Store,
    /// <summary>Branches (B).</summary>
    Branch,
    /// <summary>FP/SIMD (Cortex-A57: F0/F1; Cortex-A53: the FP ALU).</summary>
    Fp,
    /// <summary>FP multiply, divide and square root (Cortex-A53's FP MAC/div/sqrt pipe; on Cortex-A57 <see cref="Fp"/>).</summary>
    FpMultiply,
    /// <summary>Issues alone (system register accesses, barriers, exception generation and return).</summary>
    Alone,
}

/// <summary>One class's cost in a <see cref="TimingModel"/>.</summary>
/// <param name="Issue">Cycles the instruction occupies the issue stage (reciprocal throughput; more than 1 for the
/// non-pipelined divide and square root, and for the serializing classes).</param>
/// <param name="Latency">Cycles until its result can be used by the next instruction (in-order models).</param>
/// <param name="Pipe">The resource it issues to.</param>
internal readonly record struct ClassCost(byte Issue, byte Latency, TimingPipe Pipe);

/// <summary>
/// A per-core timing model: what each instruction costs in cycles, by <see cref="TimingClass"/>, with an in-order
/// issue rule over the instruction sequence, plus the dynamic costs (branch mispredictions from its
/// <see cref="BranchPredictor"/>, translation table walks, exception entry). <see cref="Flat"/> is one cycle per
/// instruction; <see cref="CortexA53"/> and <see cref="CortexA57"/> use the cores' published figures, with the source
/// of each number beside it. See src/ArmVirt.Cpu/Timing/README.md for the rules and what they approximate.
/// </summary>
internal sealed class TimingModel
{
    private readonly ClassCost[] _costs;
    private readonly byte[] _capacity;

    private TimingModel(string name, int issueWidth, bool chargesResultUse, uint mispredictPenalty, uint takenBranchCycles,
        uint walkAccessCycles, uint exceptionEntryCycles, int conditionalEntries, int indirectEntries, int returnStackDepth,
        byte[] capacity, Dictionary<TimingClass, ClassCost> costs)
    {
        Name = name;
        IssueWidth = issueWidth;
        ChargesResultUse = chargesResultUse;
        MispredictPenalty = mispredictPenalty;
        TakenBranchCycles = takenBranchCycles;
        WalkAccessCycles = walkAccessCycles;
        ExceptionEntryCycles = exceptionEntryCycles;
        ConditionalEntries = conditionalEntries;
        IndirectEntries = indirectEntries;
        ReturnStackDepth = returnStackDepth;
        _capacity = capacity;
        _costs = new ClassCost[Enum.GetValues<TimingClass>().Length];
        foreach (var c in Enum.GetValues<TimingClass>())
            _costs[(int)c] = costs.TryGetValue(c, out var cost) ? cost : throw new ArgumentException($"{name}: no cost for {c}");
    }

    /// <summary>The name <c>--timing</c> takes.</summary>
    public string Name { get; }

    /// <summary>True for <see cref="Flat"/>: one cycle per instruction (<see cref="Cpu.CyclesPerInstruction"/>), nothing else.</summary>
    public bool IsFlat => ReferenceEquals(this, Flat);

    /// <summary>Instructions that may issue in one cycle (within an issue group: see the README).</summary>
    public int IssueWidth { get; }

    /// <summary>True for the in-order models: an instruction that reads the result of the one before it waits for it.</summary>
    public bool ChargesResultUse { get; }

    /// <summary>Cycles a mispredicted branch costs (the pipeline refill).</summary>
    public uint MispredictPenalty { get; }

    /// <summary>Cycles a taken branch (predicted correctly) costs beyond its issue: the fetch redirect bubble.</summary>
    public uint TakenBranchCycles { get; }

    /// <summary>Cycles each translation table descriptor read of a TLB miss costs.</summary>
    public uint WalkAccessCycles { get; }

    /// <summary>Cycles an exception entry costs (the pipeline flush and refill at the vector).</summary>
    public uint ExceptionEntryCycles { get; }

    /// <summary>2-bit counters of the conditional branch predictor.</summary>
    public int ConditionalEntries { get; }

    /// <summary>Entries of the indirect branch target table.</summary>
    public int IndirectEntries { get; }

    /// <summary>Depth of the return stack.</summary>
    public int ReturnStackDepth { get; }

    /// <summary>
    /// Registers an AArch32 load multiple (LDM, POP) transfers per issue cycle: one of N registers takes
    /// ceil(N / this) cycles on the load/store pipe (<see cref="MultipleCycles"/>).
    /// </summary>
    public int LoadMultipleRegistersPerCycle { get; private init; } = 1;

    /// <summary>Registers an AArch32 store multiple (STM, PUSH) transfers per issue cycle.</summary>
    public int StoreMultipleRegistersPerCycle { get; private init; } = 1;

    /// <summary>
    /// The issue cycles beyond the first that an AArch32 load or store multiple of <paramref name="registers"/>
    /// registers takes (0 for one or two: an LDRD/LDP-like transfer).
    /// </summary>
    public uint MultipleCycles(bool load, int registers)
    {
        int perCycle = load ? LoadMultipleRegistersPerCycle : StoreMultipleRegistersPerCycle;
        return registers <= 1 ? 0 : (uint)((registers + perCycle - 1) / perCycle - 1);
    }

    /// <summary>The cost of class <paramref name="c"/>.</summary>
    public ClassCost CostOf(TimingClass c) => _costs[(int)c];

    /// <summary>How many instructions of <paramref name="pipe"/> may issue in one cycle.</summary>
    public int CapacityOf(TimingPipe pipe) => _capacity[(int)pipe];

    /// <summary>One cycle per instruction: today's behaviour and the default.</summary>
    public static TimingModel Flat { get; } = new("flat", 1, false, 0, 0, 0, 0, 0, 0, 0, [1, 1, 1, 1, 1, 1, 1, 1],
        Enum.GetValues<TimingClass>().ToDictionary(c => c, _ => new ClassCost(1, 1, TimingPipe.Integer)));

    /// <summary>
    /// Cortex-A53: in order, dual issue. There is no public Cortex-A53 Software Optimization Guide; the figures are
    /// those of LLVM's Cortex-A53 scheduling model (llvm/lib/Target/AArch64/AArch64SchedA53.td, "based on the Cortex-A53
    /// Software Optimisation Specification - Instruction Timings"), with its forwarding (ReadAdvance) applied to the
    /// integer latencies, and the Cortex-A53 TRM (ARM DDI 0500) for the pipes.
    /// </summary>
    public static TimingModel CortexA53 { get; } = new("cortex-a53",
        issueWidth: 2,                 // SchedA53: IssueWidth = 2 ("2 micro-ops are dispatched per cycle")
        chargesResultUse: true,        // in order: MicroOpBufferSize = 0
        mispredictPenalty: 9,          // SchedA53: MispredictPenalty = 9
        takenBranchCycles: 1,          // approximation: one fetch bubble per taken branch (not published)
        walkAccessCycles: 12,          // approximation: each descriptor read an L2 hit (not published)
        exceptionEntryCycles: 9,       // approximation: a pipeline refill at the vector, as a mispredict
        conditionalEntries: 4096, indirectEntries: 256, returnStackDepth: 8, // approximation: sizes not published
        // pipes: Integer 2 (SchedA53 A53UnitALU ProcResource<2>), MAC 1, LdSt 1 (shared by Load and Store below:
        // see Capacity), Branch 1, FP ALU 1, FP MDS 1.
        capacity: [2, 1, 1, 1, 1, 1, 1, 1],
        costs: new()
        {
            // ALU latency 3 less ReadAdvance 2 (forwarding) = 1; shifted/extended operand: ReadAdvance 1 => 2.
            [TimingClass.IntAlu] = new(1, 1, TimingPipe.Integer),
            [TimingClass.IntAluShifted] = new(1, 2, TimingPipe.Integer),
            // WriteIM32/64: latency 4, ReadIM advance 1 => 3.
            [TimingClass.IntMul32] = new(1, 3, TimingPipe.Multiply),
            [TimingClass.IntMul64] = new(1, 3, TimingPipe.Multiply),
            // SchedA53 gives 4 without the iterative divider's occupancy; approximation: the Cortex-A57 SWOG's ranges
            // (W 4-20, X 4-36) at their midpoints, not pipelined.
            [TimingClass.IntDiv32] = new(12, 12, TimingPipe.Multiply),
            [TimingClass.IntDiv64] = new(20, 20, TimingPipe.Multiply),
            // LoadLatency = 3 ("assuming bypass"); one load/store pipe.
            [TimingClass.Load] = new(1, 3, TimingPipe.Load),
            [TimingClass.LoadPair] = new(1, 3, TimingPipe.Load),
            [TimingClass.Store] = new(1, 1, TimingPipe.Load),
            [TimingClass.StorePair] = new(1, 1, TimingPipe.Load),
            // approximation: exclusives and atomics take the load/store pipe for two cycles.
            [TimingClass.Atomic] = new(2, 3, TimingPipe.Load),
            // WriteBr, WriteBrReg: the branch pipe, latency 1.
            [TimingClass.Branch] = new(1, 1, TimingPipe.Branch),
            [TimingClass.Call] = new(1, 1, TimingPipe.Branch),
            [TimingClass.ConditionalBranch] = new(1, 1, TimingPipe.Branch),
            [TimingClass.IndirectBranch] = new(1, 1, TimingPipe.Branch),
            [TimingClass.IndirectCall] = new(1, 1, TimingPipe.Branch),
            [TimingClass.Return] = new(1, 1, TimingPipe.Branch),
            // approximation: ERET refills the pipeline at the return address (as a mispredict).
            [TimingClass.ExceptionReturn] = new(9, 1, TimingPipe.Alone),
            [TimingClass.ExceptionGenerating] = new(1, 1, TimingPipe.Alone),
            // WriteSys on the branch pipe, latency 1; approximation: it issues alone (system register accesses serialize).
            [TimingClass.SystemRegister] = new(1, 1, TimingPipe.Alone),
            // approximation: a barrier drains the pipeline: the refill cost.
            [TimingClass.Barrier] = new(9, 1, TimingPipe.Alone),
            [TimingClass.Hint] = new(1, 1, TimingPipe.Branch),            // WriteHint
            [TimingClass.FpAdd] = new(1, 6, TimingPipe.Fp),               // WriteF: latency 6
            [TimingClass.FpMul] = new(1, 6, TimingPipe.FpMultiply),       // WriteFMul: 6
            [TimingClass.FpFma] = new(1, 10, TimingPipe.FpMultiply),      // A53WriteFMAC: 10
            [TimingClass.FpDiv32] = new(14, 18, TimingPipe.FpMultiply),   // A53WriteFDivSP: 18, ReleaseAtCycles 14
            [TimingClass.FpDiv64] = new(29, 33, TimingPipe.FpMultiply),   // A53WriteFDivDP: 33, 29
            [TimingClass.FpSqrt32] = new(13, 17, TimingPipe.FpMultiply),  // A53WriteFSqrtSP: 17, 13
            [TimingClass.FpSqrt64] = new(28, 32, TimingPipe.FpMultiply),  // A53WriteFSqrtDP: 32, 28
            [TimingClass.FpConvert] = new(1, 6, TimingPipe.Fp),           // WriteFCvt: 6
            [TimingClass.SimdPermute] = new(1, 6, TimingPipe.Fp),         // WriteV: 6
            [TimingClass.SimdArithmetic] = new(1, 6, TimingPipe.Fp),      // WriteV: 6
            [TimingClass.Crypto] = new(1, 6, TimingPipe.Fp),              // WriteV: 6 (approximation)
            [TimingClass.Other] = new(1, 1, TimingPipe.Integer),
            // AArch32 SMULL/UMULL/SMLAL...: as the A64 long multiplies (SMADDL, WriteIM64), latency 4 less ReadAdvance 1.
            [TimingClass.IntMulLong] = new(1, 3, TimingPipe.Multiply),
        })
    {
        // GCC's Cortex-A53 pipeline description (gcc/config/arm/cortex-a53.md, contributed by ARM): an LDM/STM of three or
        // four registers holds the load/store pipe for two cycles ("(cortex_a53_single_issue+cortex_a53_ls)*2"): two
        // registers a cycle.
        LoadMultipleRegistersPerCycle = 2,
        StoreMultipleRegistersPerCycle = 2,
    };

    /// <summary>
    /// Cortex-A57: out of order, three-wide decode. Figures from the Cortex-A57 Software Optimization Guide (ARM UAN
    /// 0015B, section 3 "Instruction Characteristics": execution latency and throughput per class, pipes I0/I1, M, L,
    /// S, B, F0/F1), the mispredict penalty from LLVM's AArch64SchedA57.td. The out-of-order core is approximated by
    /// its issue width and each class's throughput, without dependency stalls (README: what that misses).
    /// </summary>
    public static TimingModel CortexA57 { get; } = new("cortex-a57",
        issueWidth: 3,                 // SWOG 2.1: "decode ... up to three instructions per cycle"; SchedA57 IssueWidth = 3
        chargesResultUse: false,       // approximation of out-of-order execution: latencies hidden
        mispredictPenalty: 14,         // SchedA57: MispredictPenalty = 14
        takenBranchCycles: 1,          // approximation: one fetch bubble per taken branch
        walkAccessCycles: 16,          // approximation: each descriptor read an L2 hit (not published)
        exceptionEntryCycles: 14,      // approximation: a pipeline refill at the vector
        conditionalEntries: 4096, indirectEntries: 256, returnStackDepth: 8, // approximation: sizes not published
        // pipes (SWOG 2.1): I0/I1 2, M 1, L 1, S 1, B 1, F0/F1 2 (FpMultiply maps to them too: capacity 2).
        capacity: [2, 1, 1, 1, 1, 2, 2, 1],
        costs: new()
        {
            [TimingClass.IntAlu] = new(1, 1, TimingPipe.Integer),          // ALU: latency 1, throughput 2 (I0/I1)
            [TimingClass.IntAluShifted] = new(1, 2, TimingPipe.Multiply),  // ALU shifted register: 2, throughput 1 (M)
            [TimingClass.IntMul32] = new(1, 3, TimingPipe.Multiply),       // MUL W: 3, throughput 1 (M)
            [TimingClass.IntMul64] = new(3, 5, TimingPipe.Multiply),       // MUL X: 5, throughput 1/3 (M)
            [TimingClass.IntDiv32] = new(12, 12, TimingPipe.Multiply),     // SDIV/UDIV W: 4-20 (midpoint), M
            [TimingClass.IntDiv64] = new(20, 20, TimingPipe.Multiply),     // SDIV/UDIV X: 4-36 (midpoint), M
            [TimingClass.Load] = new(1, 4, TimingPipe.Load),               // load: 4, throughput 1 (L)
            [TimingClass.LoadPair] = new(1, 4, TimingPipe.Load),           // LDP X: 4 (5 for the second), throughput 1 (L)
            [TimingClass.Store] = new(1, 1, TimingPipe.Store),             // store: throughput 1 (S)
            [TimingClass.StorePair] = new(1, 1, TimingPipe.Store),         // STP X: throughput 1 (S)
            [TimingClass.Atomic] = new(2, 4, TimingPipe.Load),             // approximation: L and S, serialized
            [TimingClass.Branch] = new(1, 1, TimingPipe.Branch),           // branch: 1, throughput 1 (B)
            [TimingClass.Call] = new(1, 1, TimingPipe.Branch),             // BL: I0/I1 + B
            [TimingClass.ConditionalBranch] = new(1, 1, TimingPipe.Branch),
            [TimingClass.IndirectBranch] = new(1, 1, TimingPipe.Branch),
            [TimingClass.IndirectCall] = new(1, 1, TimingPipe.Branch),
            [TimingClass.Return] = new(1, 1, TimingPipe.Branch),
            [TimingClass.ExceptionReturn] = new(14, 1, TimingPipe.Alone),  // approximation: a pipeline refill
            [TimingClass.ExceptionGenerating] = new(1, 1, TimingPipe.Alone),
            [TimingClass.SystemRegister] = new(1, 1, TimingPipe.Alone),    // approximation: not in the SWOG; issues alone
            [TimingClass.Barrier] = new(14, 1, TimingPipe.Alone),          // approximation: a pipeline drain and refill
            [TimingClass.Hint] = new(1, 1, TimingPipe.Branch),
            [TimingClass.FpAdd] = new(1, 5, TimingPipe.Fp),                // FP arith: 5, throughput 2 (F0/F1)
            [TimingClass.FpMul] = new(1, 5, TimingPipe.FpMultiply),        // FP multiply: 5, throughput 2
            [TimingClass.FpFma] = new(1, 9, TimingPipe.FpMultiply),        // FP multiply-accumulate: 9, throughput 2
            [TimingClass.FpDiv32] = new(12, 12, TimingPipe.FpMultiply),    // FDIV S: 7-17 (midpoint), not pipelined (F0)
            [TimingClass.FpDiv64] = new(20, 20, TimingPipe.FpMultiply),    // FDIV D: 7-32 (midpoint)
            [TimingClass.FpSqrt32] = new(12, 12, TimingPipe.FpMultiply),   // FSQRT S: 7-17 (midpoint)
            [TimingClass.FpSqrt64] = new(20, 20, TimingPipe.FpMultiply),   // FSQRT D: 7-32 (midpoint)
            [TimingClass.FpConvert] = new(1, 5, TimingPipe.Fp),            // FP convert: 5 (8 to a general register)
            [TimingClass.SimdPermute] = new(1, 3, TimingPipe.Fp),          // ASIMD permute: 3, throughput 2
            [TimingClass.SimdArithmetic] = new(1, 3, TimingPipe.Fp),       // ASIMD integer arith: 3, throughput 2
            [TimingClass.Crypto] = new(1, 3, TimingPipe.Fp),               // AES/SHA: 3 (F0)
            [TimingClass.Other] = new(1, 1, TimingPipe.Integer),
            // AArch32 multiply long, SMULL/UMULL and SMLAL/UMLAL: 4, throughput 1 (M) (SWOG 3.5; ARMScheduleA57.td A57Write_4cyc_1M)
            [TimingClass.IntMulLong] = new(1, 4, TimingPipe.Multiply),
        })
    {
        // SWOG 3.8/3.9 as LLVM's ARMScheduleA57.td gives them: LDM's registers come two a cycle (latencies 3, 3, 4, 4, ...
        // on L), STM's one a cycle (N registers: A57Write_<N>cyc_1S).
        LoadMultipleRegistersPerCycle = 2,
        StoreMultipleRegistersPerCycle = 1,
    };

    /// <summary>The models <see cref="Parse"/> knows.</summary>
    public static IReadOnlyList<TimingModel> All { get; } = [Flat, CortexA53, CortexA57];

    /// <summary>The model called <paramref name="name"/> (flat, cortex-a53, cortex-a57; case-insensitive).</summary>
    /// <exception cref="ArgumentException">No such model.</exception>
    public static TimingModel Parse(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown timing model '{name}' (expected {string.Join(", ", All.Select(m => m.Name))})");

    /// <inheritdoc />
    public override string ToString() => Name;
}
