using ArmVirt.Core;

namespace ArmVirt.Cpu.Tests;

/// <summary>
/// Two identical machines (1 MiB RAM at 0x4000_0000), one interpreting and one using the JIT, for lockstep
/// comparison: <see cref="RunLockstep"/> brings the interpreter to the JIT's instruction count after every
/// compiled block and compares the complete architectural state.
/// </summary>
internal sealed class LockstepPair : IDisposable
{
    public const ulong RamBase = 0x4000_0000;
    public const ulong RamSize = 1 << 20;

    /// <summary>
    /// Both machines; the JIT side compiles synchronously (so tests know what ran compiled) at
    /// <paramref name="jitThreshold"/> and optimizes at <paramref name="optimizeThreshold"/> (0: straight to the
    /// optimized tier), unless <paramref name="background"/> is set. Both CPUs charge
    /// <paramref name="cyclesPerInstruction"/>, or the costs of <paramref name="timing"/>.
    /// </summary>
    public LockstepPair(int jitThreshold = 0, CpuConfiguration? configuration = null, long optimizeThreshold = 0, bool background = false,
        ulong cyclesPerInstruction = 1, Timing.TimingModel? timing = null)
    {
        Interp = new Side(configuration, cyclesPerInstruction, timing);
        Jit = new Side(configuration, cyclesPerInstruction, timing);
        Jit.Cpu.Engine = ExecutionEngine.Jit;
        Jit.Cpu.JitThreshold = jitThreshold;
        Jit.Cpu.JitBaselineMinimumLength = 0; // every block compiles at jitThreshold, whatever its length
        Jit.Cpu.JitOptimizeThreshold = optimizeThreshold;
        Jit.Cpu.JitBackgroundCompilation = background;
    }

    public Side Interp { get; }
    public Side Jit { get; }

    public IEnumerable<Side> Both => [Interp, Jit];

    /// <summary>Blocks compared by <see cref="RunLockstep"/>.</summary>
    public int BlocksCompared { get; private set; }

    /// <summary>Runs of predecoded (not compiled) blocks compared by <see cref="RunLockstep"/>.</summary>
    public int PredecodedCompared { get; private set; }

    public void Load(ulong address, params uint[] words)
    {
        foreach (var s in Both) s.Load(address, words);
    }

    public void Setup(Action<Cpu> setup)
    {
        foreach (var s in Both) setup(s.Cpu);
    }

    /// <summary>Runs the JIT side for <paramref name="limit"/> instructions, comparing after every block.</summary>
    public void RunLockstep(ulong limit)
    {
        ulong end = Interp.Cpu.State.Instructions + limit;
        Jit.Cpu.JitBlockExecuted = (cpu, block) =>
        {
            RunInterpreterTo(cpu.State.Instructions);
            AssertSameState($"after block 0x{block.Pc:x} (length {block.Length})", memory: false);
            BlocksCompared++;
        };
        Jit.Cpu.PredecodedBlockExecuted = (cpu, block) =>
        {
            RunInterpreterTo(cpu.State.Instructions);
            AssertSameState($"after predecoded block 0x{block.Pc:x} (length {block.Length})", memory: false);
            PredecodedCompared++;
        };
        try
        {
            if (Jit.Cpu.StopReason == StopReason.InstructionLimit) Jit.Cpu.ClearStop();
            var jitStop = Jit.Cpu.Run(limit);
            var interpStop = RunInterpreterTo(end);
            Assert.AreEqual(interpStop, jitStop, "stop reason");
            AssertSameState("at the end", memory: true);
        }
        finally
        {
            Jit.Cpu.JitBlockExecuted = null;
            Jit.Cpu.PredecodedBlockExecuted = null;
        }
    }

    // Runs the interpreter until it has retired `target` instructions in total (or stops for another reason).
    private StopReason RunInterpreterTo(ulong target)
    {
        var cpu = Interp.Cpu;
        if (cpu.StopReason == StopReason.InstructionLimit) cpu.ClearStop();
        return cpu.Run(target > cpu.State.Instructions ? target - cpu.State.Instructions : 0);
    }

    public void AssertSameState(string context, bool memory)
    {
        AssertSameState(Interp.Cpu, Jit.Cpu, context);
        if (memory)
        {
            Assert.AreEqual(Interp.Clock.Now, Jit.Clock.Now, $"{context}: clock"); // advanced when Run returns
            var a = Interp.Ram.AsSpan(RamBase, (int)RamSize);
            var b = Jit.Ram.AsSpan(RamBase, (int)RamSize);
            if (!a.SequenceEqual(b))
            {
                int i = 0;
                while (a[i] == b[i]) i++;
                Assert.Fail($"{context}: RAM differs at 0x{RamBase + (ulong)i:x}: interp {a[i]:x2}, jit {b[i]:x2}");
            }
        }
    }

    public static void AssertSameState(Cpu interp, Cpu jit, string context)
    {
        ref var a = ref interp.State;
        ref var b = ref jit.State;
        for (int i = 0; i < 32; i++)
            if (a.X[i] != b.X[i]) Assert.Fail($"{context}: X{i} interp 0x{a.X[i]:x} jit 0x{b.X[i]:x}");
        for (int i = 0; i < 4; i++)
            if (a.Sp[i] != b.Sp[i]) Assert.Fail($"{context}: SP bank {i} interp 0x{a.Sp[i]:x} jit 0x{b.Sp[i]:x}");
        Assert.AreEqual(a.PC, b.PC, $"{context}: PC");
        Assert.AreEqual(a.Nzcv, b.Nzcv, $"{context}: NZCV");
        Assert.AreEqual(a.Aarch32, b.Aarch32, $"{context}: AArch32");
        if (a.Aarch32)
        {
            Assert.AreEqual(a.Mode, b.Mode, $"{context}: mode");
            Assert.AreEqual(a.Thumb, b.Thumb, $"{context}: T");
            Assert.AreEqual(a.It, b.It, $"{context}: ITSTATE");
            Assert.AreEqual(a.Ge, b.Ge, $"{context}: GE");
            Assert.AreEqual(a.Saturation, b.Saturation, $"{context}: Q");
        }
        Assert.AreEqual(a.EL, b.EL, $"{context}: EL");
        Assert.AreEqual(a.SpSel, b.SpSel, $"{context}: SPSel");
        Assert.AreEqual(a.Daif, b.Daif, $"{context}: DAIF");
        Assert.AreEqual(a.Pan, b.Pan, $"{context}: PAN");
        Assert.AreEqual(a.IllegalState, b.IllegalState, $"{context}: IL");
        Assert.AreEqual(a.Fpcr, b.Fpcr, $"{context}: FPCR");
        Assert.AreEqual(a.Fpsr, b.Fpsr, $"{context}: FPSR");
        for (int i = 0; i < 32; i++)
            Assert.AreEqual((a.V[i].High, a.V[i].Low), (b.V[i].High, b.V[i].Low), $"{context}: V{i} (high, low)");
        Assert.AreEqual(a.Cycles, b.Cycles, $"{context}: cycles");
        Assert.AreEqual(a.Instructions, b.Instructions, $"{context}: instructions");
        if (interp.BranchPredictor is { } pa && jit.BranchPredictor is { } pb)
        {
            // Under a timing model: the predictor's counts (BR_PRED, BR_MIS_PRED) at every comparison.
            Assert.AreEqual(pa.Predicted, pb.Predicted, $"{context}: branches predicted");
            Assert.AreEqual(pa.Mispredicted, pb.Mispredicted, $"{context}: branches mispredicted");
        }
        Assert.AreEqual(interp.NextPc, jit.NextPc, $"{context}: NextPc");
        Assert.AreEqual(interp.IsWaiting, jit.IsWaiting, $"{context}: waiting");
        for (int el = 1; el < 4; el++)
        {
            Assert.AreEqual(interp.Sys.Esr[el], jit.Sys.Esr[el], $"{context}: ESR_EL{el}");
            Assert.AreEqual(interp.Sys.Elr[el], jit.Sys.Elr[el], $"{context}: ELR_EL{el}");
            Assert.AreEqual(interp.Sys.Spsr[el], jit.Sys.Spsr[el], $"{context}: SPSR_EL{el}");
            Assert.AreEqual(interp.Sys.Far[el], jit.Sys.Far[el], $"{context}: FAR_EL{el}");
        }
    }

    public void Dispose()
    {
        Interp.Dispose();
        Jit.Dispose();
    }

    /// <summary>One machine of the pair.</summary>
    internal sealed class Side : IDisposable
    {
        public Side(CpuConfiguration? configuration, ulong cyclesPerInstruction = 1, Timing.TimingModel? timing = null)
        {
            Bus = new PhysicalBus();
            Ram = Bus.AddRam(RamBase, RamSize);
            Clock = new VirtualClock();
            Cpu = new Cpu(Bus, Clock, configuration) { CyclesPerInstruction = cyclesPerInstruction, Timing = timing ?? Timing.TimingModel.Flat };
            Cpu.State.PC = RamBase;
        }

        public PhysicalBus Bus { get; }
        public RamRegion Ram { get; }
        public VirtualClock Clock { get; }
        public Cpu Cpu { get; }

        public void Load(ulong address, params uint[] words)
        {
            var bytes = new byte[words.Length * 4];
            Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
            Bus.Load(address, bytes);
            Cpu.FlushTranslatedCode(); // Bus.Load bypasses the write notifications
        }

        public void Dispose() => Bus.Dispose();
    }
}
