using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>Forms translation blocks by fetching and decoding from guest RAM.</summary>
public static class BlockBuilder
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
        var words = new List<uint>();
        var encodings = new List<A64Encoding>();
        var classes = new List<InstructionClass>();
        ulong pageEnd = (pc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;
        // A page where an armed breakpoint may match gets no instructions: the interpreter checks each before it runs.
        if ((pc & 3) == 0 && !cpu.InstructionChecksOnPage(pc) && (physicalAddress >> cpu.PhysicalAddressBits) == 0 && (physicalAddress & 0xFFF) == (pc & 0xFFF))
        {
            // Under a timing model a block cut by the cap ends at a 16-byte boundary, where an issue group ends (Timing/README.md).
            int cap = TranslationBlock.MaxInstructions - (cpu.Timing.IsFlat ? 0 : (int)((pc >> 2) & 3));
            for (ulong a = pc, pa = physicalAddress; a < pageEnd && words.Count < cap; a += 4, pa += 4)
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
                words.Add(insn);
                encodings.Add(e);
                classes.Add(c);
                if (c == InstructionClass.EndsBlock) break;
            }
        }
        return new TranslationBlock(pc, physicalAddress, cpu.State.EL, [.. words], [.. encodings], [.. classes]);
    }
}
