using System.Buffers.Binary;
using static ArmVirt.Differential.Tests.A32Assembler;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// One batch of random A32 sequences as a static 32-bit Arm Linux executable (qemu-arm) whose code ArmVirt runs at
/// AArch32 EL0. Memory image, loaded whole at <see cref="LoadAddress"/>:
/// <code>
///   +0x0000  ELF32 header and one PT_LOAD program header
///   +0x1000  code: per sequence a prologue (R11 = the block address; D0-D31 and FPSCR, APSR.NZCVQ and GE, then R0-R10,
///            R12-R14 from the input slots), the sequence, and an epilogue storing R0-R10, R12-R14, the APSR, FPSCR and
///            D0-D31 to the result slots; then write(1, blocks, size) and exit_group(0)
///   blocks   per sequence 2 KiB: scratch [0, 256), results [256, 320) (R0-R14, APSR at 60), inputs [512, 576),
///            FP results [640, 900) (D0-D31, FPSCR at 256), FP inputs [1024, 1284)
/// </code>
/// </summary>
internal sealed class A32BatchProgram
{
    public const uint LoadAddress = 0x4000_0000;
    public const int BlockSize = 2048, ResultOffset = 256, InputOffset = 512, FpResultOffset = 640, FpInputOffset = 1024;
    /// <summary>FPSCR's offset inside the FP result and input areas (after D0-D31).</summary>
    public const int FpscrOffset = 256;
    public const int SlotApsr = 15, Slots = 16;
    /// <summary>The block register: never written by a sequence.</summary>
    public const int Block = 11;
    private const int CodeOffset = 0x1000;

    public A32BatchProgram(ulong seed, IReadOnlyList<List<InstructionGroup>> sequences, Random inputs)
    {
        Seed = seed;
        Sequences = sequences;
        int n = sequences.Count;
        var code = new List<uint>();
        SequenceStarts = new uint[n];
        SequenceWords = new uint[n][];
        uint CodeAddress(int index) => LoadAddress + CodeOffset + (uint)index * 4;

        int words = 0;
        foreach (var s in sequences) words += 2 + 5 + 2 + 15 + s.Sum(g => g.Words.Length) + 14 + 2 + 5 + 16;
        BlocksAddress = (LoadAddress + CodeOffset + (uint)(words + 64) * 4 + 0xFFF) & ~0xFFFu;

        for (int i = 0; i < n; i++)
        {
            uint block = BlockAddress(i);
            SequenceStarts[i] = CodeAddress(code.Count);
            code.Add(MovWide(Al, false, Block, (int)(block & 0xFFFF)));
            code.Add(MovWide(Al, true, Block, (int)(block >> 16)));
            code.Add(DpImm(Al, 4, 0, Block, 0, 0xB01));                    // add r0, r11, #1024 (FP inputs)
            code.Add(0xECB0_0B20u);                                       // vldmia r0!, {d0-d15}
            code.Add(0xECF0_0B20u);                                       // vldmia r0!, {d16-d31}
            code.Add(LdStImm(Al, 1, 1, 0, 0, 1, 0, 0, 0));                 // ldr r0, [r0] (FPSCR)
            code.Add(0xEEE1_0A10u);                                       // vmsr fpscr, r0
            code.Add(LdStImm(Al, 1, 1, 0, 0, 1, Block, 0, InputOffset + SlotApsr * 4));
            code.Add(MsrReg(Al, 0b1100, 0));
            for (int r = 0; r < 15; r++)
                if (r != Block) code.Add(LdStImm(Al, 1, 1, 0, 0, 1, Block, r, InputOffset + r * 4));

            var groups = sequences[i];
            var groupStart = new int[groups.Count + 1];
            int bodyStart = code.Count;
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
                int at = groupStart[g] + (grp.FixupWord >= 0 ? grp.FixupWord : grp.Words.Length - 1);
                int target = groupStart[Math.Min(g + 1 + grp.Skip, groups.Count)];
                int delta = target - at - 2; // words from the instruction + 8
                code[at] |= grp.Fixup switch
                {
                    FixupKind.A32Branch => (uint)delta & 0xFF_FFFF,
                    FixupKind.A32Adr => 0xF00u | (uint)delta, // imm8 = words, ROR 30 = * 4
                    _ => throw new InvalidOperationException(grp.Fixup.ToString()),
                };
            }
            SequenceWords[i] = code.GetRange(bodyStart, code.Count - bodyStart).ToArray();

            for (int r = 0; r < 15; r++)
                if (r != Block) code.Add(LdStImm(Al, 1, 1, 0, 0, 0, Block, r, ResultOffset + r * 4));
            code.Add(Mrs(Al, 0));
            code.Add(LdStImm(Al, 1, 1, 0, 0, 0, Block, 0, ResultOffset + SlotApsr * 4));
            code.Add(0xEEF1_0A10u);                                       // vmrs r0, fpscr
            code.Add(LdStImm(Al, 1, 1, 0, 0, 0, Block, 0, FpResultOffset + FpscrOffset));
            code.Add(DpImm(Al, 4, 0, Block, 0, 0xFA0));                    // add r0, r11, #640 (FP results)
            code.Add(0xECA0_0B20u);                                       // vstmia r0!, {d0-d15}
            code.Add(0xECC0_0B20u);                                       // vstmia r0, {d16-d31}
        }

        EndAddress = CodeAddress(code.Count);
        uint length = (uint)n * BlockSize;
        code.Add(DpImm(Al, 13, 0, 0, 0, 1));                              // mov r0, #1 (stdout)
        code.Add(MovWide(Al, false, 1, (int)(BlocksAddress & 0xFFFF)));   // r1 = blocks
        code.Add(MovWide(Al, true, 1, (int)(BlocksAddress >> 16)));
        code.Add(MovWide(Al, false, 2, (int)(length & 0xFFFF)));          // r2 = length
        code.Add(MovWide(Al, true, 2, (int)(length >> 16)));
        code.Add(DpImm(Al, 13, 0, 0, 7, 4));                              // r7 = 4, write
        code.Add(Svc(0));
        code.Add(DpImm(Al, 13, 0, 0, 0, 0));                              // r0 = 0
        code.Add(DpImm(Al, 13, 0, 0, 7, 248));                            // r7 = 248, exit_group
        code.Add(Svc(0));
        if (CodeAddress(code.Count) > BlocksAddress) throw new InvalidOperationException("code overlaps the data blocks");

        Image = new byte[BlocksAddress - LoadAddress + length];
        for (int i = 0; i < code.Count; i++) BinaryPrimitives.WriteUInt32LittleEndian(Image.AsSpan(CodeOffset + i * 4), code[i]);
        for (int i = 0; i < n; i++)
        {
            var block = Image.AsSpan((int)(BlockAddress(i) - LoadAddress), BlockSize);
            inputs.NextBytes(block[..A32SequenceGenerator.ScratchSize]);
            for (int r = 0; r < Slots; r++)
            {
                uint v = r == SlotApsr ? (uint)inputs.Next(32) << 27 | (uint)inputs.Next(16) << 16 : InterestingValue(inputs);
                BinaryPrimitives.WriteUInt32LittleEndian(block[(InputOffset + r * 4)..], v);
            }
            for (int q = 0; q < 16; q++) SimdFpValues.Vector(inputs, block.Slice(FpInputOffset + 16 * q, 16));
            BinaryPrimitives.WriteUInt32LittleEndian(block[(FpInputOffset + FpscrOffset)..], FpscrInput(inputs));
        }
        WriteElf32Headers(Image, LoadAddress, LoadAddress + CodeOffset);
    }

    public ulong Seed { get; }
    public IReadOnlyList<List<InstructionGroup>> Sequences { get; }
    public uint[] SequenceStarts { get; }
    public uint[][] SequenceWords { get; }
    public uint BlocksAddress { get; }
    /// <summary>Address of the exit code after the last sequence: ArmVirt stops when the PC reaches it.</summary>
    public uint EndAddress { get; }
    public byte[] Image { get; }
    public int Count => Sequences.Count;

    public uint BlockAddress(int index) => BlocksAddress + (uint)index * BlockSize;

    public ReadOnlySpan<byte> InitialBlocks => Image.AsSpan((int)(BlocksAddress - LoadAddress));

    /// <summary>FPSCR: NZCV, the FPCR controls (RMode, FZ, DN, AHP) and FPSR flags of <see cref="SimdFpValues"/>; Len and Stride zero.</summary>
    private static uint FpscrInput(Random r) => (uint)r.Next(16) << 28 | (uint)SimdFpValues.Fpcr(r) | (uint)SimdFpValues.Fpsr(r);

    private static readonly uint[] Interesting =
    [
        0, 1, 2, 3, 31, 32, 33, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0x8000_0001,
        0xFFFF_FFFF, 0xFFFF_FFFE, 0xFFFF_8000, 0x0001_0000,
    ];

    private static uint InterestingValue(Random r) => r.Next(8) switch
    {
        0 or 1 => Interesting[r.Next(Interesting.Length)],
        2 => (uint)r.Next(256),
        _ => (uint)r.NextInt64(),
    };

    // System V gABI ELF32 header and one PT_LOAD program header (ARM ELF ABI: EM_ARM = 40, EABI version 5).
    private static void WriteElf32Headers(byte[] image, uint vaddr, uint entry)
    {
        var s = image.AsSpan();
        s[..52].Clear();
        s[0] = 0x7F; s[1] = (byte)'E'; s[2] = (byte)'L'; s[3] = (byte)'F';
        s[4] = 1; // ELFCLASS32
        s[5] = 1; // ELFDATA2LSB
        s[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2);            // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 40);           // EM_ARM
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);            // e_version
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], entry);        // e_entry
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 52);           // e_phoff
        BinaryPrimitives.WriteUInt32LittleEndian(s[36..], 0x0500_0000);  // e_flags: EABI5
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], 52);           // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[42..], 32);           // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[44..], 1);            // e_phnum
        BinaryPrimitives.WriteUInt16LittleEndian(s[46..], 40);           // e_shentsize
        var ph = s.Slice(52, 32);
        ph.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);                  // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 0);             // p_offset
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], vaddr);         // p_vaddr
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], vaddr);        // p_paddr
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], (uint)image.Length); // p_filesz
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], (uint)image.Length); // p_memsz
        BinaryPrimitives.WriteUInt32LittleEndian(ph[24..], 7);            // PF_R | PF_W | PF_X
        BinaryPrimitives.WriteUInt32LittleEndian(ph[28..], 0x1000);       // p_align
    }
}
