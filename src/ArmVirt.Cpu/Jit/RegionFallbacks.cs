using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// The places where a compiled region runs an instruction through its interpreter handler (rows without an emitter,
/// and the slow paths of emitted loads and stores), indexed by site: what <see cref="Cpu.JitRunHandler"/> needs to
/// run the handler as the interpreter's Step would.
/// </summary>
internal sealed class RegionFallbacks(TranslationBlock block, ulong cyclesPerInstruction)
{
    private readonly List<Site> _sites = [];

    /// <summary>The block the region was compiled for (asked about by <see cref="Cpu.JitMustLeaveBlock"/>).</summary>
    public TranslationBlock Block { get; } = block;

    /// <summary>The cycles per instruction the region was compiled for.</summary>
    public ulong CyclesPerInstruction { get; } = cyclesPerInstruction;

    /// <summary>Sites added so far.</summary>
    public int Count => _sites.Count;

    /// <summary>The label each site returns to, by site index.</summary>
    public List<System.Reflection.Emit.Label> Returns { get; } = [];

    /// <summary>The site at <paramref name="index"/>.</summary>
    public Site this[int index] => _sites[index];

    /// <summary>
    /// Adds a site for <paramref name="instruction"/>, <paramref name="notRun"/> being the instructions of its basic
    /// block from it to the end (reserved from the budget, not yet run).
    /// </summary>
    public void Add(RegionInstruction instruction, ulong notRun, System.Reflection.Emit.Label back)
    {
        bool sync = !(instruction.Class == InstructionClass.Plain && InstructionClassifier.NeedsNoPc(instruction.Encoding));
        _sites.Add(new Site(instruction.Pc, instruction.Word, instruction.Encoding.Handler, notRun, sync,
            instruction.Class == InstructionClass.EndsBlock, instruction.Class == InstructionClass.Memory));
        Returns.Add(back);
    }

    /// <summary>
    /// The return address of each call-out site (a BL or BLR whose target is outside the region: the region calls
    /// <see cref="Cpu.JitCallOut"/> there), by call-out index.
    /// </summary>
    public List<ulong> CallOutReturns { get; } = [];

    /// <summary>
    /// The blocks each call-out site last ran its callees from: <see cref="CallOutWays"/> links per site (at
    /// <c>site * CallOutWays</c>), each checked as <see cref="TranslationBlock.LinkTaken"/> is a block's, so that a BLR
    /// calling a few functions in turn (a pipeline of function pointers, a method table) finds each callee without a
    /// lookup; made once the region is emitted.
    /// </summary>
    public TranslationBlock?[] CallOutLinks { get; set; } = [];

    /// <summary>Links kept per call-out site in <see cref="CallOutLinks"/>, replaced in turn.</summary>
    public const int CallOutWays = 8;

    /// <summary>Per call-out site: the way of <see cref="CallOutLinks"/> the next new callee replaces.</summary>
    public byte[] CallOutNextWay { get; set; } = [];

    /// <summary>
    /// Under a timing model other than flat (null under flat): each site's static cycles, by site index
    /// (<see cref="Cpu"/>'s JitRunHandler sets the PC's cycles and the issue group from them).
    /// </summary>
    public List<TimingSite>? Timing { get; init; }

    /// <summary>Under a timing model: the issue group in progress at each exit that leaves inside one, by index.</summary>
    public List<Timing.IssueGroup> ExitGroups { get; } = [];

    /// <summary>
    /// A site's static cycles under a timing model: its own cost in its issue group, the cycles of the instructions of
    /// its basic block from it to the end (reserved at the basic block's start, not yet run), and the issue group in
    /// progress before it and after it (when it does not end the group: the next instruction goes on in it).
    /// </summary>
    public readonly record struct TimingSite(ulong Cost, ulong NotRunCycles, bool InGroupBefore, Timing.IssueGroup Before,
        bool InGroupAfter, Timing.IssueGroup After);

    /// <summary>
    /// One site: the instruction, how many reserved instructions had not run before it, whether the PC and counters
    /// must be current for its handler (it reads them or may fault), whether it ends blocks (NextPc preset) and
    /// whether it is a load or store (after which the region may have to leave).
    /// </summary>
    public readonly record struct Site(ulong Pc, uint Word, A64Handler Handler, ulong NotRun, bool Sync, bool EndsBlock, bool Memory);
}
