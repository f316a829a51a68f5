using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

/// <summary>
/// T32 state (PSTATE.T = 1) at AArch32 EL0: the fetch of one or two halfwords, the IT block state (ITSTATE) and the
/// T32 execution step. Decoding is <see cref="T32Decoder"/>'s; the semantics are the A32 handlers wherever they are the
/// same (the PC reads as the instruction's address + 4 through <see cref="R"/>).
/// </summary>
public sealed partial class Cpu
{
    private const int T32DecodeCacheBits = 10;
    private readonly uint[] _t32DecodeCacheKey = new uint[1 << T32DecodeCacheBits];
    private readonly A32Instruction?[] _t32DecodeCacheValue = new A32Instruction?[1 << T32DecodeCacheBits];
    // The instruction being executed is a 16-bit T32 instruction (ESR.IL = 0 for its exceptions).
    private bool _t32Narrow;

    /// <summary>The T32 decoder this CPU uses.</summary>
    internal T32Decoder T32Decoder { get; set; } = T32Decoder.Instance;

    /// <summary>InITBlock(): an IT block is in progress (ITSTATE&lt;3:0&gt; != 0).</summary>
    internal bool InItBlock => (State.It & 0xF) != 0;

    /// <summary>LastInITBlock(): the current instruction is the last of its IT block.</summary>
    internal bool LastInItBlock => (State.It & 0xF) == 0x8;

    /// <summary>AArch32.ITAdvance: the next instruction's ITSTATE (the block ends after the instruction whose mask bits 2..0 are 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ItAdvance()
    {
        byte it = State.It;
        State.It = (it & 7) == 0 ? (byte)0 : (byte)((it & 0xE0) | ((it << 1) & 0x1F));
    }

    /// <summary>
    /// Decodes a T32 instruction: a 16-bit one is the halfword (with bit 16 set when it executes inside an IT block,
    /// which changes the flag setting of the 16-bit data-processing encodings), a 32-bit one is hw1:hw2.
    /// </summary>
    internal A32Instruction DecodeT32(uint key)
    {
        int slot = (int)((key ^ (key >> 11) ^ (key >> 22)) & ((1 << T32DecodeCacheBits) - 1));
        var cached = _t32DecodeCacheValue[slot];
        if (cached is not null && _t32DecodeCacheKey[slot] == key) return cached;
        var decoded = T32Decoder.Decode(key);
        _t32DecodeCacheKey[slot] = key;
        _t32DecodeCacheValue[slot] = decoded;
        return decoded;
    }

    // The T32 fetch: the first halfword decides whether a second follows (F3.1: hw1<15:11> of 0b11101, 0b11110 or
    // 0b11111); each halfword is fetched on its own, so a fault on the second (across a page) reports pc + 2.
    internal GuestException? FetchT32Fault(ulong pc, out uint insn)
    {
        insn = 0;
        if (FetchHalfwordFault(pc, out ushort hw1) is { } fault) return fault;
        if ((hw1 >> 11) < 0b11101)
        {
            insn = hw1;
            return null;
        }
        if (FetchHalfwordFault(pc + 2, out ushort hw2) is { } second) return second;
        insn = ((uint)hw1 << 16) | hw2;
        return null;
    }

    private GuestException? FetchHalfwordFault(ulong pc, out ushort halfword)
    {
        halfword = 0;
        if ((pc & 1) != 0) return new GuestException(ExceptionClass.PcAlignment, 0, SyncExceptionTargetEl, far: pc);
        ulong pa = pc;
        if (RegimeTranslates)
        {
            if (TranslateFetch(pc, out pa) is { } abort) return abort;
        }
        else if ((pc >> PhysicalAddressBits) != 0) return InstructionAbort(pc, FscAddressSizeL0);
        unsafe
        {
            byte* p = Bus.RamPointer(pa, 2);
            if (p != null)
            {
                halfword = Unsafe.ReadUnaligned<ushort>(p);
                return null;
            }
        }
        return InstructionAbort(pc, FscSyncExternal);
    }

    // One T32 instruction already fetched: the condition is ITSTATE's inside an IT block, else the encoding's (B<c>),
    // else AL (aarch32/functions/system/CurrentCond); a failed condition makes the instruction a NOP, UNDEFINED
    // encodings included (as QEMU). ITSTATE advances after every instruction of the block, executed or not, except
    // the IT instruction itself; an exception the instruction takes leaves it as it was (the SPSR saves it).
    private void ExecuteT32(ulong pc, uint insn)
    {
        bool narrow = insn < 0x1_0000;
        bool inIt = InItBlock;
        var decoded = DecodeT32(narrow && inIt ? insn | 0x1_0000 : insn);
        _t32Narrow = narrow;
        NextPc = (uint)pc + (narrow ? 2u : 4u);
        int cond = inIt && !decoded.Operands.Unconditional ? State.It >> 4 : decoded.Operands.Cond;
        if (cond == 0xE || cond == 0xF || ConditionHolds(cond)) Execute(decoded);
        if (inIt) ItAdvance();
    }

    // The syndromes whose IL bit reports a 16-bit T32 instruction (ISS.IL, D17.2.37): the exception-generating
    // instructions, the traps of instructions, and data aborts with a valid instruction syndrome.
    private static bool T32LengthInSyndrome(ExceptionClass ec, uint iss) => ec switch
    {
        ExceptionClass.Svc32 or ExceptionClass.Bkpt32 or ExceptionClass.WfiWfe or ExceptionClass.FpAccess
            or ExceptionClass.McrMrcCp15 or ExceptionClass.McrrMrrcCp15 => true,
        ExceptionClass.DataAbortLower or ExceptionClass.DataAbortSame => (iss & (1u << 24)) != 0,
        _ => false,
    };
}
