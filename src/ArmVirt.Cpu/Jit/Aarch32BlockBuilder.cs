using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A32;

namespace ArmVirt.Cpu.Jit;

/// <summary>
/// Forms AArch32 translation blocks (A32 or T32, by PSTATE.T) from guest RAM: each instruction decoded once, with the
/// condition that applies to it and, in T32, the IT block state it executes in (simulated from ITSTATE at the block's
/// start: the IT instruction sets it and AArch32.ITAdvance follows every instruction of the block), up to and including
/// the first instruction that ends a block (<see cref="InstructionClassifier.ClassifyAarch32"/>), never across a 4 KiB
/// page (a 32-bit T32 instruction whose second halfword is in the next page is left to the interpreter), at most
/// <see cref="TranslationBlock.MaxInstructions"/> instructions.
/// </summary>
internal static class Aarch32BlockBuilder
{
    /// <summary>
    /// Forms the block whose first instruction is at virtual address <paramref name="pc"/> (translating to
    /// <paramref name="physicalAddress"/>) for the CPU's current instruction set and ITSTATE. The block has length 0 where
    /// the first instruction cannot be fetched from RAM or an armed breakpoint may match in the page (the interpreter
    /// steps there).
    /// </summary>
    public static TranslationBlock Build(Cpu cpu, ulong pc, ulong physicalAddress)
    {
        bool thumb = cpu.State.Thumb;
        var set = thumb ? BlockInstructionSet.T32 : BlockInstructionSet.A32;
        byte entryIt = thumb ? cpu.State.It : (byte)0;
        var rows = _scratch ??= new A32PredecodedInstruction[TranslationBlock.MaxInstructions];
        int n = 0;
        byte it = entryIt;
        A32Instruction? last = null;
        ulong pageEnd = (pc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;
        if ((pc & (thumb ? 1UL : 3UL)) == 0 && !cpu.InstructionChecksOnPage(pc) && (physicalAddress >> cpu.PhysicalAddressBits) == 0
            && (physicalAddress & 0xFFF) == (pc & 0xFFF))
        {
            for (ulong a = pc, pa = physicalAddress; a < pageEnd && n < TranslationBlock.MaxInstructions;)
            {
                uint word;
                bool narrow = false;
                if (!thumb)
                {
                    if (!TryRead(cpu, pa, 4, out word)) break;
                }
                else
                {
                    // F3.1: hw1<15:11> of 0b11101, 0b11110 or 0b11111 starts a 32-bit instruction.
                    if (!TryRead(cpu, pa, 2, out uint hw1)) break;
                    if ((hw1 >> 11) < 0b11101)
                    {
                        word = hw1;
                        narrow = true;
                    }
                    else
                    {
                        if (a + 4 > pageEnd || !TryRead(cpu, pa + 2, 2, out uint hw2)) break;
                        word = (hw1 << 16) | hw2;
                    }
                }
                A32Instruction decoded;
                int cond;
                bool inIt = thumb && (it & 0xF) != 0;
                if (!thumb)
                {
                    decoded = cpu.DecodeA32(word);
                    cond = decoded.Operands.Cond;
                }
                else
                {
                    // As ExecuteT32: a 16-bit instruction decodes with bit 16 set inside an IT block; the condition is
                    // ITSTATE's there (but for BKPT), else the encoding's; 0b1111 always executes.
                    word = narrow && inIt ? word | 0x1_0000 : word;
                    decoded = cpu.DecodeT32(word);
                    if (inIt && InstructionClassifier.IsIt(decoded.Encoding)) break; // an IT inside an IT block: the interpreter's
                    cond = inIt && !decoded.Operands.Unconditional ? it >> 4 : decoded.Operands.Cond;
                    if (cond == 0xF) cond = 0xE;
                }
                var c = InstructionClassifier.ClassifyAarch32(decoded, word);
                // An IT whose operands its handler refuses (UNDEFINED) ends the block; a good one starts its IT block.
                if (!inIt && thumb && InstructionClassifier.IsIt(decoded.Encoding))
                {
                    uint firstcond = decoded.Operands.Imm >> 4, mask = decoded.Operands.Imm & 0xF;
                    if (firstcond == 0xF || (firstcond == 0xE && System.Numerics.BitOperations.PopCount(mask) != 1)) c = InstructionClass.EndsBlock;
                    else it = (byte)decoded.Operands.Imm;
                }
                else if (inIt) it = (it & 7) == 0 ? (byte)0 : (byte)((it & 0xE0) | ((it << 1) & 0x1F)); // AArch32.ITAdvance
                var e = decoded.Encoding;
                rows[n++] = new A32PredecodedInstruction(e.FunctionPointer, e.Handler, decoded.Operands, (uint)a, word, (byte)cond, c, inIt, narrow);
                last = decoded;
                ulong size = narrow ? 2UL : 4UL;
                a += size;
                pa += size;
                if (c == InstructionClass.EndsBlock) break;
                // Under a timing model a block cut near the cap ends with an instruction that ends its issue group (one
                // that reaches a 16-byte boundary), as an A64 block (BlockBuilder; src/ArmVirt.Cpu/Timing/README.md).
                if (n >= TranslationBlock.MaxInstructions - 8 && !cpu.Timing.IsFlat && Timing.IssueGroup.EndsAfter(a - size, (uint)size)) break;
            }
        }
        // A chainable exit leaves ITSTATE clear: the successor is then a block decoded for ITSTATE 0.
        bool chainable = n > 0 && it == 0 && InstructionClassifier.Aarch32LeavesInterruptStateUnchanged(last!, rows[n - 1].Class);
        var block = new TranslationBlock(pc, physicalAddress, cpu.State.EL, set, entryIt, rows.AsSpan(0, n).ToArray(), chainable);
        Array.Clear(rows, 0, n); // no row kept alive by a thread's scratch
        return block;
    }

    private static unsafe bool TryRead(Cpu cpu, ulong pa, int size, out uint value)
    {
        byte* p = cpu.Bus.RamPointer(pa, (ulong)size);
        if (p == null)
        {
            value = 0;
            return false;
        }
        value = size == 4 ? Unsafe.ReadUnaligned<uint>(p) : Unsafe.ReadUnaligned<ushort>(p);
        return true;
    }

    [ThreadStatic] private static A32PredecodedInstruction[]? _scratch;
}
