using static ArmVirt.Differential.Tests.A64Assembler;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// One batch of random sequences as a static AArch64 Linux executable. Memory image (loaded at <see cref="LoadAddress"/>):
/// <code>
///   +0x0000  ELF header and one PT_LOAD program header
///   +0x1000  code: per sequence a prologue that loads NZCV, SP, X0-X27, X29, X30 from the sequence's input
///            slots (X28 = the block address), the sequence, and an epilogue storing X0-X30, SP and NZCV
///            to the result slots; then write(1, blocks, size) and exit_group(0)
///   blocks   per sequence 2 KiB: scratch [0, 256), results [256, 528) (X0-X30, SP, NZCV, FPSR),
///            inputs [576, 856) (X0-X30, SP, NZCV, FPCR, FPSR), V0-V31 inputs [1024, 1536), V0-V31 results [1536, 2048)
/// </code>
/// The prologue also sets FPCR and FPSR and loads Q0-Q31; the epilogue stores Q0-Q31 and FPSR.
/// The same image runs on ArmVirt (flat physical map, MMU off) and under qemu-aarch64.
/// </summary>
internal sealed class BatchProgram
{
    public const ulong LoadAddress = 0x4000_0000;
    public const int BlockSize = 2048, ResultOffset = 256, InputOffset = 576;
    public const int SlotSp = 31, SlotNzcv = 32, Slots = 33;
    /// <summary>FPSR is result slot 33; FPCR and FPSR are input slots 33 and 34.</summary>
    public const int SlotFpsrResult = 33, SlotFpcrInput = 33, SlotFpsrInput = 34;
    /// <summary>Q0-Q31, 16 bytes each.</summary>
    public const int VectorInputOffset = 1024, VectorResultOffset = 1536;
    private const int CodeOffset = 0x1000;

    public BatchProgram(ulong seed, IReadOnlyList<List<InstructionGroup>> sequences, Random inputs)
    {
        Seed = seed;
        Sequences = sequences;
        int n = sequences.Count;
        var code = new List<uint>();
        SequenceStarts = new ulong[n];
        SequenceWords = new uint[n][];
        SequenceBodyStarts = new ulong[n];
        ulong CodeAddress(int index) => LoadAddress + CodeOffset + (ulong)index * 4;

        // Code size is only known after emitting; blocks start at a fixed generous offset checked below.
        int words = 0;
        foreach (var s in sequences) words += 4 + 2 + 2 + 4 + 32 + 30 + s.Sum(g => g.Words.Length) + 30 + 4 + 32 + 2;
        BlocksAddress = (LoadAddress + CodeOffset + (ulong)(words + 64) * 4 + 0xFFF) & ~0xFFFUL;

        for (int i = 0; i < n; i++)
        {
            ulong block = BlockAddress(i);
            SequenceStarts[i] = CodeAddress(code.Count);
            // Prologue.
            code.Add(MoveWide(1, 2, 0, (int)(block & 0xFFFF), 28));
            code.Add(MoveWide(1, 3, 1, (int)((block >> 16) & 0xFFFF), 28));
            code.Add(LdStUnsignedImm(3, 1, (InputOffset + SlotNzcv * 8) / 8, 28, 0));
            code.Add(MsrNzcv(0));
            code.Add(LdStUnsignedImm(3, 1, (InputOffset + SlotSp * 8) / 8, 28, 0));
            code.Add(AddSubImm(1, 0, 0, 0, 0, 0, 31)); // mov sp, x0
            code.Add(LdStUnsignedImm(3, 1, (InputOffset + SlotFpcrInput * 8) / 8, 28, 0));
            code.Add(MsrFpcr(0));
            code.Add(LdStUnsignedImm(3, 1, (InputOffset + SlotFpsrInput * 8) / 8, 28, 0));
            code.Add(MsrFpsr(0));
            for (int v = 0; v < 32; v++) code.Add(LdStQ(1, (VectorInputOffset + v * 16) / 16, 28, v));
            for (int r = 0; r <= 30; r++)
                if (r != 28) code.Add(LdStUnsignedImm(3, 1, (InputOffset + r * 8) / 8, 28, r));

            // The sequence, with branch and literal fixups resolved against group addresses.
            var groups = sequences[i];
            var groupStart = new int[groups.Count + 1];
            int bodyStart = code.Count;
            SequenceBodyStarts[i] = CodeAddress(bodyStart);
            for (int g = 0; g < groups.Count; g++)
            {
                groupStart[g] = code.Count;
                code.AddRange(groups[g].Words);
            }
            groupStart[groups.Count] = code.Count;
            for (int g = 0; g < groups.Count; g++)
            {
                var grp = groups[g];
                if (grp.Fixup == FixupKind.None) continue;
                int at = groupStart[g] + grp.Words.Length - 1;
                if (grp.Fixup == FixupKind.LiteralLoad)
                {
                    int back = grp.LiteralBack;
                    while ((CodeAddress(at - back) & (ulong)(grp.LiteralAlignment - 1)) != 0) back++;
                    code[at] |= (uint)((-back & 0x7FFFF) << 5);
                    continue;
                }
                int target = groupStart[Math.Min(g + 1 + grp.Skip, groups.Count)];
                int delta = target - at;
                code[at] |= grp.Fixup switch
                {
                    FixupKind.Imm19Branch => (uint)((delta & 0x7FFFF) << 5),
                    FixupKind.Imm14Branch => (uint)((delta & 0x3FFF) << 5),
                    _ => (uint)(delta & 0x3FF_FFFF),
                };
            }
            SequenceWords[i] = code.GetRange(bodyStart, code.Count - bodyStart).ToArray();

            // Epilogue.
            for (int r = 0; r <= 30; r++) code.Add(LdStUnsignedImm(3, 0, (ResultOffset + r * 8) / 8, 28, r));
            code.Add(AddSubImm(1, 0, 0, 0, 0, 31, 0)); // mov x0, sp
            code.Add(LdStUnsignedImm(3, 0, (ResultOffset + SlotSp * 8) / 8, 28, 0));
            code.Add(MrsNzcv(0));
            code.Add(LdStUnsignedImm(3, 0, (ResultOffset + SlotNzcv * 8) / 8, 28, 0));
            for (int v = 0; v < 32; v++) code.Add(LdStQ(0, (VectorResultOffset + v * 16) / 16, 28, v));
            code.Add(MrsFpsr(0));
            code.Add(LdStUnsignedImm(3, 0, (ResultOffset + SlotFpsrResult * 8) / 8, 28, 0));
        }

        EndAddress = CodeAddress(code.Count);
        ulong length = (ulong)n * BlockSize;
        code.Add(MoveWide(1, 2, 0, 1, 0));                                   // x0 = stdout
        code.Add(MoveWide(1, 2, 0, (int)(BlocksAddress & 0xFFFF), 1));       // x1 = blocks
        code.Add(MoveWide(1, 3, 1, (int)((BlocksAddress >> 16) & 0xFFFF), 1));
        code.Add(MoveWide(1, 2, 0, (int)(length & 0xFFFF), 2));              // x2 = length
        code.Add(MoveWide(1, 3, 1, (int)((length >> 16) & 0xFFFF), 2));
        code.Add(MoveWide(1, 2, 0, 64, 8));                                  // write
        code.Add(Svc(0));
        code.Add(MoveWide(1, 2, 0, 0, 0));
        code.Add(MoveWide(1, 2, 0, 94, 8));                                  // exit_group
        code.Add(Svc(0));
        if (CodeAddress(code.Count) > BlocksAddress) throw new InvalidOperationException("code overlaps the data blocks");

        // Data: random scratch contents and register inputs.
        Image = new byte[BlocksAddress - LoadAddress + length];
        for (int i = 0; i < code.Count; i++) BitConverter.TryWriteBytes(Image.AsSpan(CodeOffset + i * 4), code[i]);
        for (int i = 0; i < n; i++)
        {
            var block = Image.AsSpan((int)(BlockAddress(i) - LoadAddress), BlockSize);
            inputs.NextBytes(block[..SequenceGenerator.ScratchSize]);
            for (int r = 0; r < Slots; r++)
            {
                ulong v = r == SlotNzcv ? (ulong)inputs.Next(16) << 28 : InterestingValue(inputs);
                BitConverter.TryWriteBytes(block[(InputOffset + r * 8)..], v);
            }
            BitConverter.TryWriteBytes(block[(InputOffset + SlotFpcrInput * 8)..], SimdFpValues.Fpcr(inputs));
            BitConverter.TryWriteBytes(block[(InputOffset + SlotFpsrInput * 8)..], SimdFpValues.Fpsr(inputs));
            for (int v = 0; v < 32; v++) SimdFpValues.Vector(inputs, block.Slice(VectorInputOffset + v * 16, 16));
        }
        ElfWriter.WriteHeaders(Image, LoadAddress, LoadAddress + CodeOffset);
    }

    public ulong Seed { get; }
    public IReadOnlyList<List<InstructionGroup>> Sequences { get; }
    public ulong[] SequenceStarts { get; }
    public uint[][] SequenceWords { get; }
    /// <summary>Address of each sequence's first generated instruction (after its prologue).</summary>
    public ulong[] SequenceBodyStarts { get; }
    public ulong BlocksAddress { get; }
    /// <summary>Address of the exit code after the last sequence: ArmVirt stops when PC reaches it.</summary>
    public ulong EndAddress { get; }
    /// <summary>The whole file, which is also the memory image at <see cref="LoadAddress"/>.</summary>
    public byte[] Image { get; }
    public int Count => Sequences.Count;

    public ulong BlockAddress(int index) => BlocksAddress + (ulong)index * BlockSize;

    /// <summary>The blocks as this program wrote them (the part of <see cref="Image"/> a run must reproduce).</summary>
    public ReadOnlySpan<byte> InitialBlocks => Image.AsSpan((int)(BlocksAddress - LoadAddress));

    private static readonly ulong[] Interesting =
    [
        0, 1, 2, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF,
        0x8000_0000, 0xFFFF_FFFF_8000_0000, 0x1_0000_0000, 0xFFFF_FFFF_FFFF_FFFE, 63, 64, 32, 31,
    ];

    private static ulong InterestingValue(Random r) => r.Next(8) switch
    {
        0 or 1 => Interesting[r.Next(Interesting.Length)],
        2 => (ulong)r.Next(256),
        3 => (ulong)(uint)r.Next() | (r.Next(2) == 0 ? 0 : 0xFFFF_FFFF_0000_0000UL),
        _ => (ulong)r.NextInt64() ^ ((ulong)r.Next(4) << 62),
    };
}
