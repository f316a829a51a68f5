using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>Forms translation blocks by fetching and decoding from guest RAM.</summary>
internal static class BlockBuilder
{
    /// <summary>
    /// Forms the block at <paramref name="pc"/> in the flat regime (PC = physical address). Only instructions that
    /// can be fetched from RAM are included; a block whose first instruction cannot be fetched has length 0 (the
    /// interpreter raises the abort).
    /// </summary>
    public static TranslationBlock Build(Cpu cpu, ulong pc) => Build(cpu, pc, pc);

    /// <summary>
    /// Forms the block whose first instruction is at virtual address <paramref name="pc"/>, which translates to
    /// <paramref name="physicalAddress"/>. The block stays within the 4 KiB page, so one translation covers it. In a
    /// page where an armed breakpoint may match (<see cref="Cpu.InstructionChecksOnPage"/>) the block has length 0, so
    /// that the interpreter runs and checks each instruction there.
    /// </summary>
    public static TranslationBlock Build(Cpu cpu, ulong pc, ulong physicalAddress)
    {
        // Fetched into per-thread scratch arrays and copied out at their final length: a boot builds tens of thousands
        // of blocks, and growing lists cost more than the decode.
        var scratch = _scratch ??= new Scratch();
        int n = 0;
        ulong pageEnd = (pc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;
        // A page where an armed breakpoint may match gets no instructions: the interpreter checks each before it runs.
        if ((pc & 3) == 0 && !cpu.InstructionChecksOnPage(pc) && (physicalAddress >> cpu.PhysicalAddressBits) == 0 && (physicalAddress & 0xFFF) == (pc & 0xFFF))
        {
            // Under a timing model a block cut by the cap ends at a 16-byte boundary, where an issue group ends (Timing/README.md).
            int cap = TranslationBlock.MaxInstructions - (cpu.Timing.IsFlat ? 0 : (int)((pc >> 2) & 3));
            for (ulong a = pc, pa = physicalAddress; a < pageEnd && n < cap; a += 4, pa += 4)
            {
                uint insn;
                unsafe
                {
                    byte* p = cpu.Bus.RamPointer(pa, 4);
                    if (p == null) break;
                    insn = Unsafe.ReadUnaligned<uint>(p);
                }
                var e = cpu.Decode(insn);
                var c = InstructionClassifier.Classify(e, insn);
                scratch.Words[n] = insn;
                scratch.Encodings[n] = e;
                scratch.Classes[n] = c;
                n++;
                if (c == InstructionClass.EndsBlock) break;
            }
        }
        var block = new TranslationBlock(pc, physicalAddress, cpu.State.EL, scratch.Words.AsSpan(0, n).ToArray(),
            scratch.Encodings.AsSpan(0, n).ToArray(), scratch.Classes.AsSpan(0, n).ToArray());
        Array.Clear(scratch.Encodings, 0, n); // no row kept alive by a thread's scratch
        return block;
    }

    [ThreadStatic] private static Scratch? _scratch;

    private sealed class Scratch
    {
        public readonly uint[] Words = new uint[TranslationBlock.MaxInstructions];
        public readonly A64Encoding[] Encodings = new A64Encoding[TranslationBlock.MaxInstructions];
        public readonly InstructionClass[] Classes = new InstructionClass[TranslationBlock.MaxInstructions];
    }
}
