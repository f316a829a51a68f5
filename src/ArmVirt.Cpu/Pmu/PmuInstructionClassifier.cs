using System.Reflection;
using ArmVirt.Cpu.A64;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu.Pmu;

/// <summary>What an executed instruction counts as for the instruction-stream events (LD/ST/BR_RETIRED, MEM_ACCESS).</summary>
[Flags]
internal enum PmuInstructionKind : byte
{
    None = 0,
    Load = 1,
    Store = 2,
    Branch = 4,
}

/// <summary>
/// Classifies decode rows and words for the instruction-stream events, from the same family tables the decoder is
/// built from (no second decoder): BranchTable rows are branches; memory rows (<see cref="InstructionClassifier"/>)
/// are loads or stores by their L/opc bits (Arm ARM C4.1.4 "Loads and Stores"), atomics both, prefetches neither.
/// </summary>
internal static class PmuInstructionClassifier
{
    private static readonly HashSet<A64Encoding> Branches = new(BranchTable.Entries, ReferenceEqualityComparer.Instance);
    private static readonly MethodInfo Prefetch = ((A64Handler)LoadStoreRegister.Prefetch).Method;
    private static readonly MethodInfo Sys = ((A64Handler)SystemRegisterMove.Sys).Method;

    /// <summary>The kind of <paramref name="word"/>, decoded as <paramref name="encoding"/>.</summary>
    public static PmuInstructionKind Classify(A64Encoding encoding, uint word)
    {
        if (Branches.Contains(encoding)) return PmuInstructionKind.Branch;
        if (InstructionClassifier.Classify(encoding, word) != InstructionClass.Memory) return PmuInstructionKind.None;
        var method = encoding.Handler.Method;
        if (method == Prefetch) return PmuInstructionKind.None;
        // DC ZVA writes a block (op1 3, CRm 4); the other data cache maintenance by VA accesses no data.
        if (method == Sys) return ((word >> 16) & 7) == 3 && ((word >> 8) & 0xF) == 4 ? PmuInstructionKind.Store : PmuInstructionKind.None;
        if (method.DeclaringType == typeof(LoadStoreAtomic)) return PmuInstructionKind.Load | PmuInstructionKind.Store;
        uint op0 = (word >> 27) & 7;
        // Load register (literal), integer and SIMD&FP: x:011:V:00.
        if (op0 == 3 && ((word >> 24) & 3) == 0) return PmuInstructionKind.Load;
        // Load/store register (all addressing modes): size:111:V:0x:opc. Integer opc 00 stores, 01/10/11 load (LDR,
        // LDRS); SIMD&FP opc<0> is L (opc 10/11 are the 128-bit STR/LDR).
        if (op0 == 7 && ((word >> 25) & 1) == 0)
        {
            uint opc = (word >> 22) & 3;
            bool simd = ((word >> 26) & 1) != 0;
            return (simd ? (opc & 1) != 0 : opc != 0) ? PmuInstructionKind.Load : PmuInstructionKind.Store;
        }
        // Pairs, exclusives, load-acquire/store-release and the SIMD structure loads/stores: L is bit 22.
        return ((word >> 22) & 1) != 0 ? PmuInstructionKind.Load : PmuInstructionKind.Store;
    }
}
