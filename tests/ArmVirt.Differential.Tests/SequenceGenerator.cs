using static ArmVirt.Differential.Tests.A64Assembler;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random instruction groups, one generator per integer instruction class. Register conventions inside a
/// sequence: X28 holds the sequence's block address (scratch memory at offset 0) and is never written;
/// X26 is the base register that memory groups point into the scratch area just before using it. Nothing
/// generated is UNDEFINED, UNPREDICTABLE or touches memory outside the scratch area, and every data access
/// is aligned to its size (the ArmVirt side runs with the MMU off, where data accesses are Device memory).
/// </summary>
internal static class SequenceGenerator
{
    public const int ScratchSize = 256;
    private const int Base = 26, Block = 28;

    /// <summary>Every class, by name.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] Classes =
    [
        ("addsub-imm", AddSubImmediate),
        ("addsub-shifted", AddSubShiftedRegister),
        ("addsub-extended", AddSubExtendedRegister),
        ("logical-imm", LogicalImmediate),
        ("logical-shifted", LogicalShiftedRegister),
        ("movewide", MoveWideImmediate),
        ("bitfield", BitfieldMove),
        ("extr", ExtractRegister),
        ("adc-sbc", AddSubWithCarry),
        ("ccmp-ccmn", ConditionalCompare),
        ("csel", ConditionalSelect),
        ("mul", DataProcessing3Source),
        ("div-shift", DivideAndVariableShift),
        ("bitops", DataProcessing1Source),
        ("crc32", Crc32),
        ("adr", PcRelativeAddress),
        ("ldst-imm", LoadStoreImmediate),
        ("ldst-reg", LoadStoreRegisterOffset),
        ("ldst-literal", LoadLiteral),
        ("ldst-pair", LoadStorePair),
        ("exclusive", ExclusiveAndAcquireRelease),
        ("lse-atomic", LseAtomic),
        ("branch", ForwardBranch),
    ];

    private static readonly Func<Random, InstructionGroup>[] Fillers = [AddSubImmediate, LogicalShiftedRegister, MoveWideImmediate, AddSubShiftedRegister];

    /// <summary>A sequence of groups: from <paramref name="classes"/> (mixed with simple fillers when <paramref name="fill"/>).</summary>
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

    // ---- registers ----

    /// <summary>A destination: any register but X28 (and, when asked, 31 = SP/ZR per encoding).</summary>
    private static int Dst(Random r, bool allow31 = true)
    {
        while (true)
        {
            int n = r.Next(32);
            if (n == Block || (n == 31 && (!allow31 || r.Next(3) != 0))) continue;
            return n;
        }
    }

    /// <summary>A destination other than X26 and the given registers.</summary>
    private static int DstExcept(Random r, params int[] not)
    {
        while (true)
        {
            int n = Dst(r);
            if (n != Base && Array.IndexOf(not, n) < 0) return n;
        }
    }

    /// <summary>A source: any register, 31 (SP/ZR) less often.</summary>
    private static int Src(Random r)
    {
        int n = r.Next(32);
        return n == 31 && r.Next(3) != 0 ? r.Next(31) : n;
    }

    private static int Sf(Random r) => r.Next(2);

    private static InstructionGroup G(string c, params uint[] w) => new(c, w);

    // ---- data processing ----

    // C6.2.4 ADD (immediate), C6.2.8 ADDS (immediate), SUB/SUBS (immediate): Rd/Rn 31 = SP (Rd = ZR for S).
    private static InstructionGroup AddSubImmediate(Random r) =>
        G("addsub-imm", AddSubImm(Sf(r), r.Next(2), r.Next(2), r.Next(2), r.Next(4096), Src(r), Dst(r)));

    // C6.2.5 ADD (shifted register): shift 3 (ROR) reserved, imm6 < 32 when sf = 0.
    private static InstructionGroup AddSubShiftedRegister(Random r)
    {
        int sf = Sf(r);
        return G("addsub-shifted", AddSubShifted(sf, r.Next(2), r.Next(2), r.Next(3), Src(r), r.Next(sf == 1 ? 64 : 32), Src(r), Dst(r)));
    }

    // C6.2.3 ADD (extended register): imm3 <= 4.
    private static InstructionGroup AddSubExtendedRegister(Random r) =>
        G("addsub-extended", AddSubExtended(Sf(r), r.Next(2), r.Next(2), Src(r), r.Next(8), r.Next(5), Src(r), Dst(r)));

    // C6.2.12 AND (immediate) ...: a valid bitmask (DecodeBitMasks); Rd 31 = SP except ANDS.
    private static InstructionGroup LogicalImmediate(Random r)
    {
        int sf = Sf(r);
        int log2 = r.Next(1, sf == 1 ? 7 : 6);
        int esize = 1 << log2;
        var (n, immr, imms) = BitmaskImmediate(log2, r.Next(1, esize), r.Next(esize));
        return G("logical-imm", LogicalImm(sf, r.Next(4), n, immr, imms, Src(r), Dst(r)));
    }

    // C6.2.13 AND (shifted register) and BIC/ORR/ORN/EOR/EON/ANDS/BICS: imm6 < 32 when sf = 0.
    private static InstructionGroup LogicalShiftedRegister(Random r)
    {
        int sf = Sf(r);
        return G("logical-shifted", LogicalShifted(sf, r.Next(4), r.Next(4), r.Next(2), Src(r), r.Next(sf == 1 ? 64 : 32), Src(r), Dst(r)));
    }

    // C6.2.190 MOVZ, MOVN, MOVK: opc 01 unallocated, hw < 2 when sf = 0.
    private static InstructionGroup MoveWideImmediate(Random r)
    {
        int sf = Sf(r);
        int[] opcs = [0, 2, 3];
        int imm = r.Next(4) == 0 ? r.Next(4) : r.Next(65536);
        return G("movewide", MoveWide(sf, opcs[r.Next(3)], r.Next(sf == 1 ? 4 : 2), imm, Dst(r)));
    }

    // C6.2.30 BFM, SBFM, UBFM: N == sf, immr/imms < 32 when sf = 0, opc 11 unallocated.
    private static InstructionGroup BitfieldMove(Random r)
    {
        int sf = Sf(r), width = sf == 1 ? 64 : 32;
        return G("bitfield", Bitfield(sf, r.Next(3), sf, r.Next(width), r.Next(width), Src(r), Dst(r, false)));
    }

    // C6.2.88 EXTR: N == sf, imms < 32 when sf = 0.
    private static InstructionGroup ExtractRegister(Random r)
    {
        int sf = Sf(r);
        return G("extr", Extr(sf, Src(r), r.Next(sf == 1 ? 64 : 32), Src(r), Dst(r, false)));
    }

    // C6.2.1 ADC, ADCS, SBC, SBCS.
    private static InstructionGroup AddSubWithCarry(Random r) =>
        G("adc-sbc", AddSubCarry(Sf(r), r.Next(2), r.Next(2), Src(r), Src(r), Dst(r)));

    // C6.2.50 CCMN/CCMP (immediate and register).
    private static InstructionGroup ConditionalCompare(Random r)
    {
        bool imm = r.Next(2) == 0;
        return G("ccmp-ccmn", CondCompare(Sf(r), r.Next(2), imm, imm ? r.Next(32) : Src(r), r.Next(16), Src(r), r.Next(16)));
    }

    // C6.2.69 CSEL, CSINC, CSINV, CSNEG.
    private static InstructionGroup ConditionalSelect(Random r) =>
        G("csel", CondSelect(Sf(r), r.Next(2), r.Next(2), Src(r), r.Next(16), Src(r), Dst(r)));

    // C6.2.181 MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH.
    private static InstructionGroup DataProcessing3Source(Random r)
    {
        switch (r.Next(4))
        {
            case 0: return G("mul", DataProc3(Sf(r), 0, r.Next(2), Src(r), Src(r), Src(r), Dst(r)));
            case 1: return G("mul", DataProc3(1, r.Next(2) == 0 ? 0b001 : 0b101, r.Next(2), Src(r), Src(r), Src(r), Dst(r)));
            default: return G("mul", DataProc3(1, r.Next(2) == 0 ? 0b010 : 0b110, 0, Src(r), 31, Src(r), Dst(r)));
        }
    }

    // C6.2.363 UDIV, SDIV, LSLV, LSRV, ASRV, RORV.
    private static InstructionGroup DivideAndVariableShift(Random r)
    {
        int[] ops = [0b000010, 0b000011, 0b001000, 0b001001, 0b001010, 0b001011];
        return G("div-shift", DataProc2(Sf(r), ops[r.Next(ops.Length)], Src(r), Src(r), Dst(r)));
    }

    // C6.2.68 CRC32B/H/W/X, CRC32CB/H/W/X: X only with sf = 1, the others only with sf = 0.
    private static InstructionGroup Crc32(Random r)
    {
        int sz = r.Next(4), c = r.Next(2);
        return G("crc32", DataProc2(sz == 3 ? 1 : 0, 0b010000 | (c << 2) | sz, Src(r), Src(r), Dst(r)));
    }

    // C6.2.247 RBIT, REV16, REV32, REV, CLZ, CLS: opcode 3 (REV) only with sf = 1.
    private static InstructionGroup DataProcessing1Source(Random r)
    {
        int sf = Sf(r);
        int op = r.Next(sf == 1 ? 6 : 5);
        if (sf == 0 && op >= 3) op++;
        return G("bitops", DataProc1(sf, op, Src(r), Dst(r)));
    }

    // C6.2.10 ADR, C6.2.11 ADRP.
    private static InstructionGroup PcRelativeAddress(Random r) =>
        G("adr", Adr(r.Next(2), r.Next(-(1 << 20), 1 << 20), Dst(r)));

    // ---- loads and stores ----

    private static uint PointBase(int offset) => AddSubImm(1, 0, 0, 0, offset, Block, Base);

    private static int AlignedAddress(Random r, int size, int span) => r.Next((ScratchSize - span) / size + 1) * size;

    /// <summary>(size, opc, isLoad) for LDR/STR/LDRS*: opc 0 store, 1 load, 2 signed to X, 3 signed to W.</summary>
    private static (int Size, int Opc, bool Load) SingleAccess(Random r)
    {
        while (true)
        {
            int size = r.Next(4), opc = r.Next(4);
            if (opc == 3 && size >= 2) continue; // LDRSW to W and PRFM-space are not loads we want
            if (opc == 2 && size == 3) continue; // PRFM
            return (size, opc, opc != 0);
        }
    }

    // C6.2.131 LDR (immediate), LDUR, STR, STUR, LDRB/LDRH/LDRSB/LDRSH/LDRSW in every immediate mode.
    private static InstructionGroup LoadStoreImmediate(Random r)
    {
        var (size, opc, load) = SingleAccess(r);
        int bytes = 1 << size;
        int a = AlignedAddress(r, bytes, bytes);
        int rt = load ? Dst(r) : Src(r);
        switch (r.Next(5))
        {
            case 0: // unsigned offset from X28
                return G("ldst-imm", LdStUnsignedImm(size, opc, a >> size, Block, rt));
            case 1: // unsigned offset from X26
            {
                int b = r.Next(a / bytes + 1) * bytes;
                return G("ldst-imm", PointBase(a - b), LdStUnsignedImm(size, opc, b >> size, Base, rt));
            }
            case 2: // unscaled (LDUR/STUR) or unprivileged (LDTR/STTR), possibly negative offset
            {
                int off = r.Next(-Math.Min(256, ScratchSize - a) / bytes, Math.Min(255, a) / bytes + 1) * bytes;
                return G("ldst-imm", PointBase(a - off), LdStImm9(size, opc, off, r.Next(2) * 2, Base, rt));
            }
            default: // pre-index (base moves to the address) or post-index (base moves after the access)
            {
                bool pre = r.Next(2) == 0;
                int imm = r.Next(-16, 17) * bytes;
                if (pre && a - imm < 0) imm = -imm;
                if (rt == Base) rt = load ? DstExcept(r) : 0;
                return G("ldst-imm", PointBase(pre ? a - imm : a), LdStImm9(size, opc, imm, pre ? 3 : 1, Base, rt));
            }
        }
    }

    // C6.2.132 LDR (register) and friends: option UXTW, LSL, SXTW, SXTX; S scales the index by the size.
    private static InstructionGroup LoadStoreRegisterOffset(Random r)
    {
        var (size, opc, load) = SingleAccess(r);
        int bytes = 1 << size;
        int a = AlignedAddress(r, bytes, bytes);
        int[] options = [2, 3, 6, 7];
        int option = options[r.Next(4)], s = r.Next(2), scale = s == 1 ? size : 0;
        bool signed = option >= 6;
        long k = signed && r.Next(2) == 0 ? -r.Next(1, 200 >> scale) : r.Next((a >> scale) + 1);
        int offset = (int)(a - (k << scale));
        int index = DstExcept(r, 31);
        int rt = load ? Dst(r) : Src(r);
        var words = new List<uint> { PointBase(offset) };
        bool word32 = option is 2 or 6;
        if (k >= 0) words.Add(MoveWide(1, 2, 0, (int)k, index));
        else words.Add(MoveWide(word32 ? 0 : 1, 0, 0, (int)(~k & 0xFFFF), index));
        if (word32 && r.Next(2) == 0) words.Add(MoveWide(1, 3, 2 + r.Next(2), r.Next(65536), index)); // junk in the ignored top half
        words.Add(LdStRegister(size, opc, index, option, s, Base, rt));
        return G("ldst-reg", [.. words]);
    }

    // C6.2.133 LDR (literal), LDRSW (literal): loads instruction words from earlier in the sequence.
    private static InstructionGroup LoadLiteral(Random r)
    {
        int opc = r.Next(3);
        return new InstructionGroup("ldst-literal", LdLiteral(opc, 0, Dst(r)))
        {
            Fixup = FixupKind.LiteralLoad, LiteralBack = r.Next(1, 30), LiteralAlignment = opc == 1 ? 8 : 4,
        };
    }

    // C6.2.129 LDP, STP, LDPSW, LDNP, STNP: post-index, signed offset, pre-index, no-allocate.
    private static InstructionGroup LoadStorePair(Random r)
    {
        int opc = r.Next(3);                 // 0 W, 1 LDPSW, 2 X
        bool load = opc == 1 || r.Next(2) == 0;
        int idx = r.Next(4);
        if (opc == 1 && idx == 0) idx = 2;   // there is no LDNPSW
        int bytes = opc == 2 ? 8 : 4;
        int a = AlignedAddress(r, bytes, 2 * bytes);
        bool writeback = idx is 1 or 3;
        int rt, rt2;
        if (load)
        {
            rt = writeback ? DstExcept(r) : Dst(r);
            rt2 = writeback ? DstExcept(r, rt) : DstExcept(r, rt);
        }
        else
        {
            rt = Src(r);
            rt2 = Src(r);
            if (writeback && rt == Base) rt = 0;
            if (writeback && rt2 == Base) rt2 = 1;
        }
        int imm = r.Next(-8, 9);
        int baseOffset = idx == 1 ? a : a - imm * bytes;
        if (baseOffset < 0) { imm = -imm; baseOffset = idx == 1 ? a : a - imm * bytes; }
        return G("ldst-pair", PointBase(baseOffset), LdStPair(opc, idx, load ? 1 : 0, imm, rt2, Base, rt));
    }

    // C6.2.157 LDXR, STXR, LDAXR, STLXR, LDXP, STXP, LDAR, STLR, CLREX: pairs at one address, one size.
    private static InstructionGroup ExclusiveAndAcquireRelease(Random r)
    {
        const uint Clrex = 0xD503_305F;
        switch (r.Next(4))
        {
            case 0: // LD(A)XR then ST(L)XR to the same address
            {
                int size = r.Next(4);
                int a = AlignedAddress(r, 1 << size, 1 << size);
                int rt = DstExcept(r), rt2 = Src(r), ws = DstExcept(r, rt2);
                return G("exclusive", PointBase(a), LdStExclusive(size, 0, 1, 0, 31, r.Next(2), 31, Base, rt),
                    LdStExclusive(size, 0, 0, 0, ws, r.Next(2), 31, Base, rt2));
            }
            case 1: // LD(A)XP then ST(L)XP, aligned to the pair's size
            {
                int size = 2 + r.Next(2), bytes = 2 << size;
                int a = AlignedAddress(r, bytes, bytes);
                int rt = DstExcept(r), rt2 = DstExcept(r, rt);
                int st = Src(r), st2 = Src(r), ws = DstExcept(r, st, st2);
                return G("exclusive", PointBase(a), LdStExclusive(size, 0, 1, 1, 31, r.Next(2), rt2, Base, rt),
                    LdStExclusive(size, 0, 0, 1, ws, r.Next(2), st2, Base, st));
            }
            case 2: // CLREX then a store-exclusive that must fail
            {
                int size = r.Next(4);
                int a = AlignedAddress(r, 1 << size, 1 << size);
                int rt = Src(r), ws = DstExcept(r, rt);
                return G("exclusive", PointBase(a), Clrex, LdStExclusive(size, 0, 0, 0, ws, r.Next(2), 31, Base, rt));
            }
            default: // LDAR / STLR
            {
                int size = r.Next(4);
                int a = AlignedAddress(r, 1 << size, 1 << size);
                bool load = r.Next(2) == 0;
                int rt = load ? Dst(r) : Src(r);
                return G("exclusive", PointBase(a), LdStExclusive(size, 1, load ? 1 : 0, 0, 31, 1, 31, Base, rt));
            }
        }
    }

    // C6.2.116 LDADD ... LDUMIN, SWP, CAS, CASP (FEAT_LSE).
    private static InstructionGroup LseAtomic(Random r)
    {
        switch (r.Next(4))
        {
            case 0:
            case 1: // LD<op> / SWP
            {
                int size = r.Next(4);
                int a = AlignedAddress(r, 1 << size, 1 << size);
                bool swp = r.Next(8) == 0;
                int rt = r.Next(8) == 0 ? 31 : DstExcept(r);
                return G("lse-atomic", PointBase(a), Atomic(size, r.Next(2), r.Next(2), Src(r), swp ? 1 : 0, swp ? 0 : r.Next(8), Base, rt));
            }
            case 2: // CAS, sometimes with Rs loaded from memory so that it succeeds
            {
                int size = r.Next(4);
                int a = AlignedAddress(r, 1 << size, 1 << size);
                int rs = DstExcept(r), rt = Src(r);
                uint cas = LdStExclusive(size, 1, r.Next(2), 1, rs, r.Next(2), 31, Base, rt);
                return r.Next(2) == 0
                    ? G("lse-atomic", PointBase(a), LdStUnsignedImm(size, 1, 0, Base, rs), cas)
                    : G("lse-atomic", PointBase(a), cas);
            }
            default: // CASP on an even register pair, aligned to the pair
            {
                int sz = r.Next(2), bytes = 8 << sz;
                int a = AlignedAddress(r, bytes, bytes);
                int rs = 2 * r.Next(13);   // X0..X24: the pair never includes X26/X28
                int rt = 2 * r.Next(15);   // X0..X28, read only
                uint casp = LdStExclusive(sz, 0, r.Next(2), 1, rs, r.Next(2), 31, Base, rt);
                return r.Next(2) == 0
                    ? G("lse-atomic", PointBase(a), LdStPair(sz == 1 ? 2 : 0, 2, 1, 0, rs + 1, Base, rs), casp)
                    : G("lse-atomic", PointBase(a), casp);
            }
        }
    }

    // ---- branches ----

    // C6.2.27 B.cond, C6.2.48 CBZ/CBNZ, C6.2.327 TBZ/TBNZ, C6.2.26 B, C6.2.34 BL: forward within the sequence.
    private static InstructionGroup ForwardBranch(Random r)
    {
        int skip = r.Next(1, 4);
        return r.Next(5) switch
        {
            0 => new InstructionGroup("branch", BCond(0, r.Next(16))) { Fixup = FixupKind.Imm19Branch, Skip = skip },
            1 => new InstructionGroup("branch", CompareBranch(Sf(r), r.Next(2), 0, Src(r))) { Fixup = FixupKind.Imm19Branch, Skip = skip },
            2 => new InstructionGroup("branch", TestBranch(r.Next(64), r.Next(2), 0, Src(r))) { Fixup = FixupKind.Imm14Branch, Skip = skip },
            3 => new InstructionGroup("branch", TestBranch(r.Next(32), r.Next(2), 0, Src(r))) { Fixup = FixupKind.Imm14Branch, Skip = skip },
            _ => new InstructionGroup("branch", B(r.Next(2), 0)) { Fixup = FixupKind.Imm26Branch, Skip = skip },
        };
    }
}
