using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A64;

namespace ArmVirt.Cpu.Jit;

/// <summary>Forms translation blocks by fetching and decoding from guest RAM.</summary>
public static class BlockBuilder
{
    /// <summary>
    /// Forms the block at physical address <paramref name="pc"/>. Only instructions that can be fetched from RAM
    /// are included; a block whose first instruction cannot be fetched has length 0 (the interpreter raises the
    /// abort).
    /// </summary>
    public static TranslationBlock Build(Cpu cpu, ulong pc)
    {
        var words = new List<uint>();
        var encodings = new List<A64Encoding>();
        var classes = new List<InstructionClass>();
        ulong pageEnd = (pc & ~(TranslationBlock.PageSize - 1)) + TranslationBlock.PageSize;
        if ((pc & 3) == 0 && (pc >> cpu.PhysicalAddressBits) == 0)
        {
            for (ulong a = pc; a < pageEnd && words.Count < TranslationBlock.MaxInstructions; a += 4)
            {
                uint insn;
                unsafe
                {
                    byte* p = cpu.Bus.RamPointer(a, 4);
                    if (p == null) break;
                    insn = Unsafe.ReadUnaligned<uint>(p);
                }
                var e = cpu.Decode(insn);
                var c = InstructionClassifier.Classify(e);
                words.Add(insn);
                encodings.Add(e);
                classes.Add(c);
                if (c == InstructionClass.EndsBlock) break;
            }
        }
        return new TranslationBlock(pc, cpu.State.EL, [.. words], [.. encodings], [.. classes]);
    }
}
