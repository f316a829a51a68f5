using static ArmVirt.Differential.Tests.A32Assembler;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random A32 instruction groups, one generator per class. Conventions inside a sequence: R11 holds the block address
/// (scratch memory at offset 0) and is never written; R10 is the base register memory groups point into the scratch
/// area first. Many instructions get a random condition. Nothing generated is UNDEFINED, UNPREDICTABLE (no PC
/// destinations, no write-back base in a load list...), or touches memory outside the scratch area, and data accesses
/// are aligned to their size (the ArmVirt side runs with the MMU off, where data accesses are Device memory).
/// </summary>
internal static class A32SequenceGenerator
{
    public const int ScratchSize = 256;
    private const int Base = 10, Block = A32BatchProgram.Block;

    /// <summary>Every class, by name.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] Classes =
    [
        ("dp-imm", DataProcessingImmediate),
        ("dp-reg", DataProcessingRegister),
        ("dp-rsr", DataProcessingRegisterShifted),
        ("movw-movt", MoveWideImmediate),
        ("mul", MultiplyAccumulate),
        ("mul-halfword", HalfwordMultiplyAccumulate),
        ("div", Divide),
        ("bitops", BitOperations),
        ("extend", Extend),
        ("bitfield", Bitfield),
        ("saturate", Saturate),
        ("parallel", ParallelArithmetic),
        ("mul-dual", DualMultiply),
        ("status", StatusRegister),
        ("ldst-imm", LoadStoreImmediate),
        ("ldst-reg", LoadStoreRegister),
        ("ldst-extra", LoadStoreExtra),
        ("ldm-stm", LoadStoreMultiple),
        ("exclusive", Exclusive),
        ("branch", ForwardBranch),
        ("pc-write", PcWrite),
        ("literal", LiteralLoad),
        ("crc32", Crc32),
    ];

    private static readonly Func<Random, InstructionGroup>[] Fillers = [DataProcessingImmediate, DataProcessingRegister];

    /// <summary>A sequence of groups from <paramref name="classes"/> (mixed with simple fillers when <paramref name="fill"/>).</summary>
    public static List<InstructionGroup> Sequence(Random rng, IReadOnlyList<Func<Random, InstructionGroup>> classes, bool fill)
    {
        int count = rng.Next(4, 11);
        var groups = new List<InstructionGroup>(count);
        for (int i = 0; i < count; i++)
        {
            var make = fill && rng.Next(4) == 0 ? Fillers[rng.Next(Fillers.Length)] : classes[rng.Next(classes.Count)];
            groups.Add(make(rng));
        }
        return groups;
    }

    // ---- registers and conditions ----

    /// <summary>A destination: R0-R14 but R11 (and R10 unless allowed).</summary>
    private static int Dst(Random r, params int[] not)
    {
        while (true)
        {
            int n = r.Next(15);
            if (n != Block && n != Base && Array.IndexOf(not, n) < 0) return n;
        }
    }

    /// <summary>A source: R0-R14.</summary>
    private static int Src(Random r) => r.Next(15);

    /// <summary>AL two times in three, else any condition but AL and NV.</summary>
    private static int Cond(Random r) => r.Next(3) == 0 ? r.Next(14) : Al;

    private static InstructionGroup G(string c, params uint[] w) => new(c, w);

    // ---- data processing ----

    private static int Opcode(Random r, out int s)
    {
        int opcode = r.Next(16);
        s = opcode is >= 8 and <= 11 ? 1 : r.Next(2); // TST, TEQ, CMP, CMN exist only with S = 1
        return opcode;
    }

    // Rd of a compare and Rn of MOV/MVN are (0)(0)(0)(0).
    private static int DpRd(Random r, int opcode) => opcode is >= 8 and <= 11 ? 0 : Dst(r);
    private static int DpRn(Random r, int opcode) => opcode is 13 or 15 ? 0 : Src(r);

    // A modified immediate: a byte, rotated by an even amount (often 0).
    private static int ModifiedImmediate(Random r) => (r.Next(3) == 0 ? 0 : r.Next(16)) << 8 | r.Next(256);

    private static InstructionGroup DataProcessingImmediate(Random r)
    {
        int opcode = Opcode(r, out int s);
        // Rn = PC (ADR) sometimes for ADD and SUB: the PC is the same address on both sides.
        int rn = opcode is 2 or 4 && r.Next(8) == 0 ? 15 : DpRn(r, opcode);
        return G("dp-imm", DpImm(Cond(r), opcode, s, rn, DpRd(r, opcode), ModifiedImmediate(r)));
    }

    private static InstructionGroup DataProcessingRegister(Random r)
    {
        int opcode = Opcode(r, out int s);
        int imm5 = r.Next(4) == 0 ? 0 : r.Next(32);
        return G("dp-reg", DpReg(Cond(r), opcode, s, DpRn(r, opcode), DpRd(r, opcode), imm5, r.Next(4), Src(r)));
    }

    // Shift by the bottom byte of Rs: preceded by a MOV that makes the amount interesting (0, 1..31, 32, 33, > 33).
    private static InstructionGroup DataProcessingRegisterShifted(Random r)
    {
        int opcode = Opcode(r, out int s);
        int rs = Dst(r);
        int[] amounts = [0, 1, 7, 31, 32, 33, 40, 255];
        int amount = r.Next(2) == 0 ? amounts[r.Next(amounts.Length)] : r.Next(256);
        uint setup = r.Next(4) == 0
            ? DpReg(Al, 13, 0, 0, rs, 0, 0, Src(r))         // mov rs, rX: whatever its low byte is
            : DpImm(Al, 13, 0, 0, rs, amount);              // mov rs, #amount
        int rd = DpRd(r, opcode);
        return G("dp-rsr", setup, DpRsr(Cond(r), opcode, s, DpRn(r, opcode), rd, rs, r.Next(4), Src(r)));
    }

    private static InstructionGroup MoveWideImmediate(Random r) =>
        G("movw-movt", MovWide(Cond(r), r.Next(2) == 1, Dst(r), r.Next(65536)));

    // MUL, MLA, UMAAL, MLS, UMULL, UMLAL, SMULL, SMLAL: distinct RdHi and RdLo.
    private static InstructionGroup MultiplyAccumulate(Random r)
    {
        int[] ops = [0, 1, 2, 3, 4, 5, 6, 7];
        int op = ops[r.Next(ops.Length)];
        int s = op is 2 or 3 ? 0 : r.Next(2);
        int hi = Dst(r), lo = op is 0 ? 0 : Dst(r, hi);
        return G("mul", A32Assembler.Multiply(Cond(r), op, s, hi, lo, Src(r), Src(r)));
    }

    private static InstructionGroup HalfwordMultiplyAccumulate(Random r)
    {
        int op = r.Next(4);
        int rd = Dst(r);
        int ra = op == 3 ? 0 : op == 2 ? Dst(r, rd) : Src(r);
        int x = r.Next(2);
        if (op == 1) // SMLAWy (x = 0) / SMULWy (x = 1, Ra = 0)
            return G("mul-halfword", A32Assembler.HalfwordMultiply(Cond(r), op, rd, x == 1 ? 0 : ra, Src(r), r.Next(2), x, Src(r)));
        return G("mul-halfword", A32Assembler.HalfwordMultiply(Cond(r), op, rd, ra, Src(r), r.Next(2), x, Src(r)));
    }

    // SDIV/UDIV: cond 0111 0 op 1 Rd 1111 Rm 0001 Rn; divisors of 0 and -1 come from the inputs.
    private static InstructionGroup Divide(Random r)
    {
        uint op = r.Next(2) == 0 ? 0x0710_F010u : 0x0730_F010u;
        return G("div", (uint)Cond(r) << 28 | op | (uint)Dst(r) << 16 | (uint)Src(r) << 8 | (uint)Src(r));
    }

    // CLZ, REV, REV16, RBIT, REVSH.
    private static InstructionGroup BitOperations(Random r)
    {
        uint[] patterns = [0x016F_0F10, 0x06BF_0F30, 0x06BF_0FB0, 0x06FF_0F30, 0x06FF_0FB0];
        return G("bitops", RdRm(Cond(r), patterns[r.Next(patterns.Length)], Dst(r), Src(r)));
    }

    // SXTAB16 ... UXTAH (Rn = 15: the forms without the add), any rotation.
    private static InstructionGroup Extend(Random r)
    {
        int[] ops = [0, 2, 3, 4, 6, 7];
        int rn = r.Next(3) == 0 ? 15 : Src(r);
        uint word = (uint)Cond(r) << 28 | 0x0680_0070u | (uint)ops[r.Next(ops.Length)] << 20 | (uint)rn << 16
            | (uint)Dst(r) << 12 | (uint)r.Next(4) << 10 | (uint)Src(r);
        return G("extend", word);
    }

    // SBFX, UBFX (lsb + width <= 32), BFI (msb >= lsb), BFC.
    private static InstructionGroup Bitfield(Random r)
    {
        int lsb = r.Next(32);
        int kind = r.Next(4);
        uint c = (uint)Cond(r) << 28;
        if (kind < 2)
        {
            int width = r.Next(1, 33 - lsb);
            uint op = kind == 0 ? 0x07A0_0050u : 0x07E0_0050u;
            return G("bitfield", c | op | (uint)(width - 1) << 16 | (uint)Dst(r) << 12 | (uint)lsb << 7 | (uint)Src(r));
        }
        int msb = r.Next(lsb, 32);
        int rn = kind == 3 ? 15 : Src(r);
        return G("bitfield", c | 0x07C0_0010u | (uint)msb << 16 | (uint)Dst(r) << 12 | (uint)lsb << 7 | (uint)rn);
    }

    // SSAT, USAT (shifts LSL #n and ASR #n), QADD, QSUB, QDADD, QDSUB.
    private static InstructionGroup Saturate(Random r)
    {
        uint c = (uint)Cond(r) << 28;
        if (r.Next(2) == 0)
        {
            uint op = r.Next(2) == 0 ? 0x06A0_0010u : 0x06E0_0010u;
            return G("saturate", c | op | (uint)r.Next(32) << 16 | (uint)Dst(r) << 12 | (uint)r.Next(32) << 7 | (uint)r.Next(2) << 6 | (uint)Src(r));
        }
        return G("saturate", c | 0x0100_0050u | (uint)r.Next(4) << 21 | (uint)Src(r) << 16 | (uint)Dst(r) << 12 | (uint)Src(r));
    }

    // Parallel add/subtract (every op1/op2), SEL after GE is set by one, PKHBT/PKHTB, SSAT16/USAT16, USAD8/USADA8.
    private static InstructionGroup ParallelArithmetic(Random r)
    {
        uint c = (uint)Cond(r) << 28;
        int[] op1s = [1, 2, 3, 5, 6, 7], op2s = [0, 1, 2, 3, 4, 7];
        uint Parallel() => 0x0600_0F10u | (uint)op1s[r.Next(op1s.Length)] << 20 | (uint)Src(r) << 16 | (uint)Dst(r) << 12
            | (uint)op2s[r.Next(op2s.Length)] << 5 | (uint)Src(r);
        switch (r.Next(5))
        {
            case 0:
                return G("parallel", c | Parallel());
            case 1: // SEL with the GE of a plain signed or unsigned add/subtract
                {
                    uint setGe = 0xE600_0F10u | (uint)(r.Next(2) == 0 ? 1 : 5) << 20 | (uint)Src(r) << 16 | (uint)Dst(r) << 12
                        | (uint)op2s[r.Next(op2s.Length)] << 5 | (uint)Src(r);
                    return G("parallel", setGe, c | 0x0680_0FB0u | (uint)Src(r) << 16 | (uint)Dst(r) << 12 | (uint)Src(r));
                }
            case 2: // PKHBT / PKHTB
                return G("parallel", c | 0x0680_0010u | (uint)Src(r) << 16 | (uint)Dst(r) << 12 | (uint)r.Next(32) << 7 | (uint)r.Next(2) << 6 | (uint)Src(r));
            case 3: // SSAT16 / USAT16
                return G("parallel", c | (r.Next(2) == 0 ? 0x06A0_0F30u : 0x06E0_0F30u) | (uint)r.Next(16) << 16 | (uint)Dst(r) << 12 | (uint)Src(r));
            default: // USAD8 (Ra = 15) / USADA8
                return G("parallel", c | 0x0780_0010u | (uint)Dst(r) << 16 | (uint)(r.Next(3) == 0 ? 15 : Src(r)) << 12 | (uint)Src(r) << 8 | (uint)Src(r));
        }
    }

    // SMLAD/SMUAD/SMLSD/SMUSD (and X), SMLALD/SMLSLD (and X), SMMLA/SMMUL/SMMLS (and R).
    private static InstructionGroup DualMultiply(Random r)
    {
        uint c = (uint)Cond(r) << 28;
        int rd = Dst(r);
        switch (r.Next(3))
        {
            case 0:
                return G("mul-dual", c | 0x0700_0010u | (uint)rd << 16 | (uint)(r.Next(3) == 0 ? 15 : Src(r)) << 12 | (uint)Src(r) << 8 | (uint)r.Next(4) << 5 | (uint)Src(r));
            case 1:
                return G("mul-dual", c | 0x0740_0010u | (uint)rd << 16 | (uint)Dst(r, rd) << 12 | (uint)Src(r) << 8 | (uint)r.Next(4) << 5 | (uint)Src(r));
            default:
                {
                    bool subtract = r.Next(3) == 0;
                    int ra = subtract ? Src(r) : r.Next(3) == 0 ? 15 : Src(r);
                    return G("mul-dual", c | 0x0750_0010u | (uint)rd << 16 | (uint)ra << 12 | (uint)Src(r) << 8 | (subtract ? 0xC0u : 0) | (uint)r.Next(2) << 5 | (uint)Src(r));
                }
        }
    }

    // MSR APSR (register or immediate, nzcvq and/or g) and MRS.
    private static InstructionGroup StatusRegister(Random r)
    {
        int mask = r.Next(1, 4) << 2;
        return r.Next(3) switch
        {
            0 => G("status", MsrReg(Cond(r), mask, Src(r))),
            1 => G("status", MsrImm(Cond(r), mask, r.Next(4) << 10 | r.Next(16) << 8 | r.Next(256))),
            _ => G("status", Mrs(Cond(r), Dst(r))),
        };
    }

    // ---- loads and stores: R10 = R11 + 128 (the middle of the scratch area), offsets within +-64 ----

    private static uint PointBase(Random r, int size) => DpImm(Al, 4, 0, Block, Base, 128 + size * r.Next(-8, 9) + 0);

    // P, U, W: offset (P = 1, W = 0), pre-indexed (P = 1, W = 1) or post-indexed (P = 0, W = 0).
    private static (int P, int W) Mode(Random r) => r.Next(3) switch { 0 => (1, 0), 1 => (1, 1), _ => (0, 0) };

    private static InstructionGroup LoadStoreImmediate(Random r)
    {
        int b = r.Next(2), l = r.Next(2), size = b == 1 ? 1 : 4;
        var (p, w) = Mode(r);
        int rt = l == 1 ? Dst(r) : Src(r);
        if (rt == Base && (w == 1 || p == 0)) rt = 0;
        int offset = size * r.Next(0, 16);
        return G("ldst-imm", PointBase(r, size), LdStImm(Cond(r), p, r.Next(2), b, w, l, Base, rt, offset));
    }

    private static InstructionGroup LoadStoreRegister(Random r)
    {
        int b = r.Next(2), l = r.Next(2), size = b == 1 ? 1 : 4;
        var (p, w) = Mode(r);
        int rm = Dst(r);
        int rt = l == 1 ? Dst(r, rm) : Src(r);
        if (rt == Base && (w == 1 || p == 0)) rt = 0;
        if (rt == rm && l == 1) rt = rm == 0 ? 1 : 0;
        // rm = k (words or bytes), used as rm LSL #shift with k << shift small and aligned.
        int shift = size == 4 ? 2 : r.Next(3);
        int k = r.Next(0, size == 4 ? 16 : 16 >> shift);
        return G("ldst-reg", PointBase(r, size), DpImm(Al, 13, 0, 0, rm, k),
            LdStReg(Cond(r), p, r.Next(2), b, w, l, Base, rt, shift, 0, rm));
    }

    // STRH, LDRH, LDRSB, LDRSH, LDRD, STRD, immediate or register offset.
    private static InstructionGroup LoadStoreExtra(Random r)
    {
        int kind = r.Next(6);
        (int l, int op2, int size) = kind switch { 0 => (0, 1, 2), 1 => (1, 1, 2), 2 => (1, 2, 1), 3 => (1, 3, 2), 4 => (0, 2, 8), _ => (0, 3, 8) };
        var (p, w) = Mode(r);
        int i = r.Next(2);
        int rm = Dst(r);
        int rt = size == 8 ? 2 * r.Next(5) : l == 1 ? Dst(r, rm) : Src(r);  // LDRD/STRD: even, R0-R8 (R10/R11 excluded)
        if (size == 8 && (rt == rm || rt + 1 == rm)) rm = 12;
        if (rt == Base && (w == 1 || p == 0)) rt = 0;
        int align = size == 8 ? 4 : size;
        int offset = align * r.Next(0, size == 1 ? 32 : 16);
        var words = new List<uint> { PointBase(r, align) };
        if (i == 0) words.Add(DpImm(Al, 13, 0, 0, rm, offset));
        words.Add(LdStExtra(Cond(r), p, r.Next(2), i, w, l, Base, rt, op2, i == 1 ? offset : rm));
        return G("ldst-extra", [.. words]);
    }

    // LDM/STM in the four modes with up to 8 registers, never R10 (the base) or R11 in a load list.
    private static InstructionGroup LoadStoreMultiple(Random r)
    {
        int l = r.Next(2), list = 0, count = r.Next(1, 9);
        for (int i = 0; i < count; i++) list |= 1 << (l == 1 ? Dst(r) : Dst(r));
        return G("ldm-stm", PointBase(r, 4), LdmStm(Cond(r), r.Next(2), r.Next(2), r.Next(2), l, Base, list));
    }

    // LDREX/STREX pairs (word, byte, halfword, doubleword), LDAEX/STLEX, LDA/STL, CLREX + STREX (fails).
    private static InstructionGroup Exclusive(Random r)
    {
        int sz = r.Next(4); // 00 word, 01 doubleword, 10 byte, 11 halfword
        int size = sz switch { 0 => 4, 1 => 8, 2 => 1, _ => 2 };
        uint ex = r.Next(2) == 0 ? 0xF00u : 0xE00u; // exclusive or acquire/release exclusive
        int rt = sz == 1 ? 2 * r.Next(5) : Dst(r);
        int status = Dst(r, rt, rt + 1);
        int rt2 = sz == 1 ? 2 * r.Next(5) : Src(r);
        while (sz == 1 && (status == rt2 || status == rt2 + 1)) status = Dst(r, rt, rt + 1, rt2, rt2 + 1);
        if (sz != 1 && status == rt2) rt2 = status == 0 ? 1 : 0;
        uint baseWord = PointBase(r, 8);
        uint load = 0xE190_0090u | (uint)sz << 21 | (uint)Base << 16 | (uint)rt << 12 | ex | 0xFu;
        uint store = (uint)Cond(r) << 28 | 0x0180_0090u | (uint)sz << 21 | (uint)Base << 16 | (uint)status << 12 | ex | (uint)rt2;
        switch (r.Next(4))
        {
            case 0:
                return G("exclusive", baseWord, 0xF57F_F01Fu, store); // clrex; strex fails
            case 1 when sz != 1:
                {
                    // LDA / STL (bits 9..8 = 00), no status register.
                    uint lda = (uint)Cond(r) << 28 | 0x0190_0C9Fu | (uint)sz << 21 | (uint)Base << 16 | (uint)Dst(r) << 12;
                    uint stl = (uint)Cond(r) << 28 | 0x0180_FC90u | (uint)sz << 21 | (uint)Base << 16 | (uint)Src(r);
                    return G("exclusive", baseWord, r.Next(2) == 0 ? lda : stl);
                }
            default:
                _ = size;
                return G("exclusive", baseWord, load, store);
        }
    }

    // Writes to the PC other than branches, each to a group start (R12 = its address, from ADR): MOV PC, R12 and
    // ADD PC, R12, #0 (ALUWritePC), LDR PC from the scratch area (LoadWritePC), LDM with the PC in the list (a POP {PC}
    // shape), all with random conditions.
    private static InstructionGroup PcWrite(Random r)
    {
        int skip = r.Next(0, 3);
        uint adr = DpImm(Al, 4, 0, 15, 12, 0);
        uint[] words = r.Next(4) switch
        {
            0 => [adr, DpReg(Cond(r), 13, 0, 0, 15, 0, 0, 12)],                      // mov pc, r12
            1 => [adr, DpImm(Cond(r), 4, 0, 12, 15, 0)],                             // add pc, r12, #0
            2 => [adr, PointBase(r, 4), LdStImm(Al, 1, 1, 0, 0, 0, Base, 12, 0),     // str r12, [r10]; ldr pc, [r10]
                  LdStImm(Cond(r), 1, 1, 0, 0, 1, Base, 15, 0)],
            _ => [adr, PointBase(r, 4), LdStImm(Al, 1, 1, 0, 0, 0, Base, 12, 4),     // str r12, [r10, #4]; ldmib r10{!}, {rX, pc}
                  LdmStm(Cond(r), 1, 1, r.Next(2), 1, Base, 1 << 15 | (r.Next(2) == 0 ? 0 : 1 << Dst(r)))],
        };
        // ldmib r10, {rX, pc} loads rX from [r10 + 4] and the PC from [r10 + 8] when rX is present: store the target there.
        if ((words[^1] & 0x0E10_0000u) == 0x0810_0000u && (words[^1] & 0x7FFF) != 0)
            words[2] = LdStImm(Al, 1, 1, 0, 0, 0, Base, 12, 8);
        return new InstructionGroup("pc-write", words) { Fixup = FixupKind.A32Adr, FixupWord = 0, Skip = skip };
    }

    // LDR/LDRB/LDRH/LDRD (literal): loads relative to the PC (Align(PC, 4)), within the sequence's own code.
    private static InstructionGroup LiteralLoad(Random r)
    {
        int u = r.Next(2), offset = 4 * r.Next(0, 16);
        return r.Next(3) switch
        {
            0 => G("literal", LdStImm(Cond(r), 1, u, 0, 0, 1, 15, Dst(r), offset)),
            1 => G("literal", LdStImm(Cond(r), 1, u, 1, 0, 1, 15, Dst(r), offset + r.Next(4))),
            // LDRH, LDRSB, LDRSH (L = 1, op2 = 1, 2, 3) or LDRD (L = 0, op2 = 2, even Rt).
            _ => r.Next(4) is int k && k < 3
                ? G("literal", LdStExtra(Cond(r), 1, u, 1, 0, 1, 15, Dst(r), k + 1, offset))
                : G("literal", LdStExtra(Cond(r), 1, u, 1, 0, 0, 15, 2 * r.Next(5), 2, offset)),
        };
    }

    // B / BL (R14 = the return address) forward with a random condition, or ADR + BX to a group start.
    private static InstructionGroup ForwardBranch(Random r)
    {
        int skip = r.Next(0, 3);
        if (r.Next(3) == 0)
        {
            int rx = Dst(r);
            return new InstructionGroup("branch", DpImm(Al, 4, 0, 15, rx, 0), BranchExchange(Cond(r), r.Next(2) == 0 ? 1 : 3, rx))
            { Fixup = FixupKind.A32Adr, FixupWord = 0, Skip = skip };
        }
        return new InstructionGroup("branch", Branch(Cond(r), r.Next(2))) { Fixup = FixupKind.A32Branch, Skip = skip };
    }

    // CRC32B/H/W and CRC32CB/H/W (unconditional: a condition is CONSTRAINED UNPREDICTABLE).
    private static InstructionGroup Crc32(Random r) =>
        G("crc32", 0xE100_0040u | (uint)r.Next(3) << 21 | (uint)Src(r) << 16 | (uint)Dst(r) << 12 | (uint)r.Next(2) << 9 | (uint)Src(r));
}
