using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>The instruction set a block was decoded for (part of its cache key).</summary>
internal enum BlockInstructionSet : byte
{
    /// <summary>AArch64.</summary>
    A64,
    /// <summary>AArch32 state, PSTATE.T = 0.</summary>
    A32,
    /// <summary>AArch32 state, PSTATE.T = 1.</summary>
    T32,
}

internal sealed partial class TranslationBlock
{
    /// <summary>
    /// An AArch32 block (<see cref="Aarch32BlockBuilder"/>): A32 or T32 instructions decoded for ITSTATE
    /// <paramref name="it"/> at the block's start, run by <c>Cpu.RunAarch32Blocks</c> (and compiled by
    /// <see cref="Aarch32BlockCompiler"/>), never by the A64 paths: its <see cref="CacheKey"/> cannot equal an A64 block's.
    /// </summary>
    internal TranslationBlock(ulong pc, ulong physicalAddress, int el, BlockInstructionSet set, byte it, A32PredecodedInstruction[] rows,
        bool chainableExit)
    {
        Pc = pc;
        PhysicalAddress = physicalAddress;
        El = el;
        InstructionSet = set;
        EntryIt = it;
        Aarch32 = rows;
        Words = WordArray = [];
        Encodings = EncodingArray = [];
        Classes = ClassArray = [];
        Predecoded = [];
        Length = rows.Length;
        EndsWithTerminator = Length > 0 && rows[^1].Class == InstructionClass.EndsBlock;
        ChainableExit = chainableExit;
        EndPc = Length == 0 ? pc : rows[^1].Pc + (ulong)rows[^1].Size;
        CacheKey = Aarch32Key(pc, el, set, it);
    }

    /// <summary>
    /// The block's key in <see cref="TranslationCache"/>: (PC, EL) for A64; for AArch32, (PC, EL, instruction set, ITSTATE
    /// at entry) with bit 61 set and bits 51..32 clear, which no A64 key has (an A64 key's bits 61..46 repeat the sign of
    /// a canonical virtual address, and a PC that is not canonical gets no block).
    /// </summary>
    internal readonly ulong CacheKey;

    /// <summary>The AArch32 key of <see cref="CacheKey"/>.</summary>
    internal static ulong Aarch32Key(ulong pc, int el, BlockInstructionSet set, byte it) =>
        ((ulong)el << 62) | (1UL << 61) | ((ulong)set << 59) | ((ulong)it << 52) | (pc & 0xFFFF_FFFF);

    /// <summary>The instruction set of the block's instructions.</summary>
    internal readonly BlockInstructionSet InstructionSet;

    /// <summary>T32: ITSTATE when the block is entered (the block's decode depends on it).</summary>
    internal readonly byte EntryIt;

    /// <summary>The predecoded AArch32 instructions, or null for an A64 block.</summary>
    internal readonly A32PredecodedInstruction[]? Aarch32;

    /// <summary>
    /// Under a timing model (Cpu.Timing.cs, <c>TimingPrepareAarch32</c>): whether the last instruction's condition is not
    /// AL (the predictor's rule for AArch32 branches), and the issue group in progress after it when the block ends
    /// without ending its group (null when the group ends there).
    /// </summary>
    internal bool TimingLastConditional;

    /// <inheritdoc cref="TimingLastConditional"/>
    internal Timing.IssueGroup? TimingEndGroup;

    /// <summary>True for an A32 or T32 block.</summary>
    internal bool IsAarch32 => Aarch32 != null;

    /// <summary>The AArch32 row that starts at <paramref name="pc"/> (an address of the block), or -1.</summary>
    internal int Aarch32IndexOf(ulong pc)
    {
        var rows = Aarch32!;
        for (int i = 0; i < rows.Length; i++)
            if (rows[i].Pc == pc) return i;
        return -1;
    }

    /// <summary>True when RAM at <paramref name="ram"/> (the block's first byte) still holds the block's instructions.</summary>
    internal unsafe bool Aarch32MatchesRam(byte* ram)
    {
        foreach (ref readonly var x in Aarch32!.AsSpan())
        {
            byte* p = ram + (x.Pc - Pc);
            bool same = x.Narrow ? *(ushort*)p == (ushort)x.Word
                : InstructionSet == BlockInstructionSet.A32 ? *(uint*)p == x.Word
                : ((uint)*(ushort*)p << 16 | *(ushort*)(p + 2)) == x.Word;
            if (!same) return false;
        }
        return true;
    }
}
