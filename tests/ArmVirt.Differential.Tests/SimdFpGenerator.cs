using static ArmVirt.Differential.Tests.A64Assembler;

namespace ArmVirt.Differential.Tests;

/// <summary>
/// Random FP and Advanced SIMD instruction groups (Armv8.0 plus the Cryptographic Extension), one generator per
/// instruction class of the Arm ARM's "Data Processing -- Scalar Floating-Point and Advanced SIMD" and
/// "Loads and Stores" encoding tables. Only allocated, non-UNPREDICTABLE encodings are produced; nothing from
/// later extensions (FP16 arithmetic, FRINT32/64, FHM, dot product, SHA3/SM) because qemu-aarch64 -cpu max
/// implements them and ArmVirt's Armv8.0 models must treat them as UNDEFINED. Register conventions are those of
/// <see cref="SequenceGenerator"/>: X28 holds the block address and is never written, X26 is pointed into the
/// scratch area by memory groups; SIMD&amp;FP accesses are aligned to 16 bytes (Device memory on the ArmVirt side).
/// </summary>
internal static class SimdFpGenerator
{
    private const int Base = 26, Block = 28;

    /// <summary>Every class, by name.</summary>
    public static readonly (string Name, Func<Random, InstructionGroup> Make)[] Classes =
    [
        ("fp-1src", Fp1Source),
        ("fp-2src", Fp2Source),
        ("fp-3src", Fp3Source),
        ("fp-compare", FpCompare),
        ("fp-csel-imm", FpSelectAndImmediate),
        ("fp-int", FpIntegerConversion),
        ("fp-fixed", FpFixedConversion),
        ("fp-recip", FpReciprocal),
        ("simd-3same", SimdThreeSame),
        ("simd-fp3same", SimdFpThreeSame),
        ("simd-scalar3same", SimdScalarThreeSame),
        ("simd-3diff", SimdThreeDifferent),
        ("simd-2misc", SimdTwoRegMisc),
        ("simd-fp2misc", SimdFpTwoRegMisc),
        ("simd-across", SimdAcrossLanes),
        ("simd-shift", SimdShiftImmediate),
        ("simd-scalarshift", SimdScalarShiftImmediate),
        ("simd-elem", SimdByElement),
        ("simd-permute", SimdPermute),
        ("simd-copy", SimdCopy),
        ("simd-movi", SimdModifiedImmediate),
        ("crypto", Crypto),
        ("simd-ldst-multi", SimdLoadStoreMultiple),
        ("simd-ldst-single", SimdLoadStoreSingle),
        ("fp-ldst", FpLoadStoreRegister),
    ];

    private static uint U(int value, int shift) => (uint)value << shift;
    private static int V(Random r) => r.Next(32);
    private static int Q(Random r) => r.Next(2);
    private static InstructionGroup G(string c, params uint[] w) => new(c, w);

    /// <summary>A general-purpose destination: any register but X28 (31 = XZR for these encodings).</summary>
    private static int Xd(Random r)
    {
        int n;
        do n = r.Next(32); while (n == Block);
        return n;
    }

    /// <summary>Vd, Vn, Vm in the usual places.</summary>
    private static uint Regs3(Random r) => U(V(r), 16) | U(V(r), 5) | U(V(r), 0);
    private static uint Regs2(Random r) => U(V(r), 5) | U(V(r), 0);

    // ---- scalar floating point (C4.1.96 "Data processing - scalar FP and SIMD") ----

    // C7.2.70 FABS ... FSQRT, FRINT<N,P,M,Z,A,X,I>, FMOV (register), FCVT (between S, D and H).
    private static InstructionGroup Fp1Source(Random r)
    {
        if (r.Next(3) == 0)
        {
            int[] types = [0, 1, 3];
            int from = types[r.Next(3)], to;
            do to = types[r.Next(3)]; while (to == from);
            return G("fp-1src", 0x1E20_4000u | U(from, 22) | U(4 | to, 15) | Regs2(r));
        }
        int[] ops = [0, 1, 2, 3, 8, 9, 10, 11, 12, 14, 15];
        return G("fp-1src", 0x1E20_4000u | U(r.Next(2), 22) | U(ops[r.Next(ops.Length)], 15) | Regs2(r));
    }

    // C7.2.x FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL (scalar).
    private static InstructionGroup Fp2Source(Random r) =>
        G("fp-2src", 0x1E20_0800u | U(r.Next(2), 22) | U(r.Next(9), 12) | Regs3(r));

    // FMADD, FMSUB, FNMADD, FNMSUB.
    private static InstructionGroup Fp3Source(Random r) =>
        G("fp-3src", 0x1F00_0000u | U(r.Next(2), 22) | U(r.Next(2), 21) | U(r.Next(2), 15) | U(V(r), 10) | Regs3(r));

    // FCMP, FCMPE (register and #0.0, Rm = 0 for the zero forms), FCCMP, FCCMPE.
    private static InstructionGroup FpCompare(Random r)
    {
        int t = r.Next(2);
        if (r.Next(2) == 0)
        {
            int opc = r.Next(4);
            return G("fp-compare", 0x1E20_2000u | U(t, 22) | U((opc & 1) == 1 ? 0 : V(r), 16) | U(V(r), 5) | U(opc, 3));
        }
        return G("fp-compare", 0x1E20_0400u | U(t, 22) | U(V(r), 16) | U(r.Next(16), 12) | U(V(r), 5) | U(r.Next(2), 4) | U(r.Next(16), 0));
    }

    // FCSEL, FMOV (scalar, immediate); a compare first so the condition varies.
    private static InstructionGroup FpSelectAndImmediate(Random r)
    {
        int t = r.Next(2);
        if (r.Next(3) == 0) return G("fp-csel-imm", 0x1E20_1000u | U(t, 22) | U(r.Next(256), 13) | U(V(r), 0));
        return G("fp-csel-imm", 0x1E20_2000u | U(t, 22) | U(V(r), 16) | U(V(r), 5),
            0x1E20_0C00u | U(t, 22) | U(r.Next(16), 12) | Regs3(r));
    }

    // FCVT<N,P,M,Z,A><S,U> (scalar, integer), SCVTF/UCVTF (scalar, integer), FMOV (general) incl. Vd.D[1].
    private static InstructionGroup FpIntegerConversion(Random r)
    {
        int sf = r.Next(2), t = r.Next(2);
        uint head(int rmode, int opcode) => U(sf, 31) | 0x1E20_0000u | U(t, 22) | U(rmode, 19) | U(opcode, 16);
        switch (r.Next(5))
        {
            case 0:
            case 1: return G("fp-int", head(r.Next(4), r.Next(2)) | U(V(r), 5) | U(Xd(r), 0));
            case 2: return G("fp-int", head(0, 4 | r.Next(2)) | U(V(r), 5) | U(Xd(r), 0));
            case 3: return G("fp-int", head(0, 2 | r.Next(2)) | U(r.Next(32), 5) | U(V(r), 0));
            default:
            {
                bool toGeneral = r.Next(2) == 0;
                int opcode = toGeneral ? 6 : 7;
                uint w = r.Next(3) switch
                {
                    0 => 0x1E20_0000u | U(opcode, 16),                              // W <-> S
                    1 => 0x9E60_0000u | U(opcode, 16),                              // X <-> D
                    _ => 0x9EA8_0000u | U(opcode, 16),                              // X <-> V.D[1]
                };
                return G("fp-int", w | (toGeneral ? U(V(r), 5) | U(Xd(r), 0) : U(r.Next(32), 5) | U(V(r), 0)));
            }
        }
    }

    // SCVTF/UCVTF (scalar, fixed-point), FCVTZS/FCVTZU (scalar, fixed-point): scale >= 32 when sf = 0.
    private static InstructionGroup FpFixedConversion(Random r)
    {
        int sf = r.Next(2), t = r.Next(2);
        int scale = sf == 1 ? r.Next(64) : r.Next(32, 64);
        bool toFp = r.Next(2) == 0;
        uint w = U(sf, 31) | 0x1E00_0000u | U(t, 22) | U(scale, 10);
        return toFp
            ? G("fp-fixed", w | U(2 | r.Next(2), 16) | U(r.Next(32), 5) | U(V(r), 0))
            : G("fp-fixed", w | U(3, 19) | U(r.Next(2), 16) | U(V(r), 5) | U(Xd(r), 0));
    }

    // FRECPE, FRSQRTE, FRECPX, FRECPS, FRSQRTS (scalar and vector), URECPE, URSQRTE.
    private static InstructionGroup FpReciprocal(Random r)
    {
        int sz = r.Next(2), q = sz == 1 ? 1 : Q(r);
        return r.Next(7) switch
        {
            0 => G("fp-recip", 0x5EA1_D800u | U(sz, 22) | Regs2(r)),                     // FRECPE (scalar)
            1 => G("fp-recip", 0x7EA1_D800u | U(sz, 22) | Regs2(r)),                     // FRSQRTE (scalar)
            2 => G("fp-recip", 0x5EA1_F800u | U(sz, 22) | Regs2(r)),                     // FRECPX
            3 => G("fp-recip", (r.Next(2) == 0 ? 0x5E20_FC00u : 0x5EA0_FC00u) | U(sz, 22) | Regs3(r)), // FRECPS/FRSQRTS scalar
            4 => G("fp-recip", (r.Next(2) == 0 ? 0x0EA1_D800u : 0x2EA1_D800u) | U(q, 30) | U(sz, 22) | Regs2(r)), // vector
            5 => G("fp-recip", (r.Next(2) == 0 ? 0x0E20_FC00u : 0x0EA0_FC00u) | U(q, 30) | U(sz, 22) | Regs3(r)),
            _ => G("fp-recip", (r.Next(2) == 0 ? 0x0EA1_C800u : 0x2EA1_C800u) | U(Q(r), 30) | Regs2(r)), // URECPE/URSQRTE
        };
    }

    // ---- Advanced SIMD ----

    /// <summary>Element size rules shared by many AdvSIMD encodings.</summary>
    private enum SizeRule { Any, NotD, HOrS, BOnly, BOrH }

    /// <summary>(size, Q) for a vector op: size 3 only with Q = 1 under <see cref="SizeRule.Any"/>.</summary>
    private static (int Size, int Q) VectorSize(Random r, SizeRule rule)
    {
        int size = rule switch
        {
            SizeRule.Any => r.Next(4),
            SizeRule.NotD => r.Next(3),
            SizeRule.HOrS => 1 + r.Next(2),
            SizeRule.BOnly => 0,
            _ => r.Next(2),
        };
        return (size, size == 3 ? 1 : Q(r));
    }

    // C4.1.96.x Advanced SIMD three same (integer part): (U allowed: 0 only, 1 only, 2 both; opcode; size rule).
    private static readonly (int U, int Opcode, SizeRule Rule)[] ThreeSameOps =
    [
        (2, 0b00000, SizeRule.NotD), (2, 0b00001, SizeRule.Any), (2, 0b00010, SizeRule.NotD), (2, 0b00100, SizeRule.NotD),
        (2, 0b00101, SizeRule.Any), (2, 0b00110, SizeRule.Any), (2, 0b00111, SizeRule.Any), (2, 0b01000, SizeRule.Any),
        (2, 0b01001, SizeRule.Any), (2, 0b01010, SizeRule.Any), (2, 0b01011, SizeRule.Any), (2, 0b01100, SizeRule.NotD),
        (2, 0b01101, SizeRule.NotD), (2, 0b01110, SizeRule.NotD), (2, 0b01111, SizeRule.NotD), (2, 0b10000, SizeRule.Any),
        (2, 0b10001, SizeRule.Any), (2, 0b10010, SizeRule.NotD), (0, 0b10011, SizeRule.NotD), (1, 0b10011, SizeRule.BOnly),
        (2, 0b10100, SizeRule.NotD), (2, 0b10101, SizeRule.NotD), (2, 0b10110, SizeRule.HOrS), (0, 0b10111, SizeRule.Any),
    ];

    private static int PickU(Random r, int allowed) => allowed == 2 ? r.Next(2) : allowed;

    // SHADD ... ADDP, and the logical ops (AND/BIC/ORR/ORN/EOR/BSL/BIT/BIF: size selects, any Q).
    private static InstructionGroup SimdThreeSame(Random r)
    {
        if (r.Next(6) == 0) return G("simd-3same", 0x0E20_1C00u | U(Q(r), 30) | U(r.Next(2), 29) | U(r.Next(4), 22) | Regs3(r));
        var (u, opcode, rule) = ThreeSameOps[r.Next(ThreeSameOps.Length)];
        var (size, q) = VectorSize(r, rule);
        return G("simd-3same", 0x0E20_0400u | U(q, 30) | U(PickU(r, u), 29) | U(size, 22) | U(opcode, 11) | Regs3(r));
    }

    // Advanced SIMD three same, FP part (size<1> = a): (U, a, opcode) of every Armv8.0 allocation.
    private static readonly (int U, int A, int Opcode)[] FpThreeSameOps =
    [
        (0, 0, 0b11000), (0, 1, 0b11000), (1, 0, 0b11000), (1, 1, 0b11000), (0, 0, 0b11001), (0, 1, 0b11001),
        (0, 0, 0b11010), (0, 1, 0b11010), (1, 0, 0b11010), (1, 1, 0b11010), (0, 0, 0b11011), (1, 0, 0b11011),
        (0, 0, 0b11100), (1, 0, 0b11100), (1, 1, 0b11100), (1, 0, 0b11101), (1, 1, 0b11101), (0, 0, 0b11110),
        (0, 1, 0b11110), (1, 0, 0b11110), (1, 1, 0b11110), (0, 0, 0b11111), (0, 1, 0b11111), (1, 0, 0b11111),
    ];

    // FMAXNM ... FDIV (vector): sz = 1 only with Q = 1.
    private static InstructionGroup SimdFpThreeSame(Random r)
    {
        var (u, a, opcode) = FpThreeSameOps[r.Next(FpThreeSameOps.Length)];
        int sz = r.Next(2), q = sz == 1 ? 1 : Q(r);
        return G("simd-fp3same", 0x0E20_0400u | U(q, 30) | U(u, 29) | U(a, 23) | U(sz, 22) | U(opcode, 11) | Regs3(r));
    }

    // Advanced SIMD scalar three same: SQADD ... SQRDMULH, and FMULX, FCMEQ, FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT.
    private static InstructionGroup SimdScalarThreeSame(Random r)
    {
        (int U, int Opcode, int Sizes)[] ints =
        [
            (2, 0b00001, 0b1111), (2, 0b00101, 0b1111), (2, 0b00110, 0b1000), (2, 0b00111, 0b1000), (2, 0b01000, 0b1000),
            (2, 0b01001, 0b1111), (2, 0b01010, 0b1000), (2, 0b01011, 0b1111), (2, 0b10000, 0b1000), (2, 0b10001, 0b1000),
            (2, 0b10110, 0b0110),
        ];
        (int U, int A, int Opcode)[] fps =
        [
            (0, 0, 0b11011), (0, 0, 0b11100), (0, 0, 0b11111), (0, 1, 0b11111), (1, 0, 0b11100), (1, 0, 0b11101),
            (1, 1, 0b11010), (1, 1, 0b11100), (1, 1, 0b11101),
        ];
        if (r.Next(2) == 0)
        {
            var (u, a, opcode) = fps[r.Next(fps.Length)];
            return G("simd-scalar3same", 0x5E20_0400u | U(u, 29) | U(a, 23) | U(r.Next(2), 22) | U(opcode, 11) | Regs3(r));
        }
        var (iu, iop, sizes) = ints[r.Next(ints.Length)];
        int size;
        do size = r.Next(4); while ((sizes >> size & 1) == 0);
        return G("simd-scalar3same", 0x5E20_0400u | U(PickU(r, iu), 29) | U(size, 22) | U(iop, 11) | Regs3(r));
    }

    // Advanced SIMD three different: SADDL ... SMULL, SQDMLAL/SQDMLSL/SQDMULL (U = 0, H or S), PMULL (B or D).
    // Scalar forms: SQDMLAL, SQDMLSL, SQDMULL (H and S sources).
    private static InstructionGroup SimdThreeDifferent(Random r)
    {
        if (r.Next(5) == 0)
        {
            int[] sops = [0b1001, 0b1011, 0b1101];
            return G("simd-3diff", 0x5E20_0000u | U(1 + r.Next(2), 22) | U(sops[r.Next(3)], 12) | Regs3(r));
        }
        int opcode = r.Next(15);
        int u = r.Next(2), size;
        switch (opcode)
        {
            case 0b1001 or 0b1011 or 0b1101: u = 0; size = 1 + r.Next(2); break;
            case 0b1110: u = 0; size = r.Next(2) * 3; break;
            default: size = r.Next(3); break;
        }
        return G("simd-3diff", 0x0E20_0000u | U(Q(r), 30) | U(u, 29) | U(size, 22) | U(opcode, 12) | Regs3(r));
    }

    // Advanced SIMD two-register miscellaneous, integer part.
    private static readonly (int U, int Opcode, SizeRule Rule)[] TwoMiscOps =
    [
        (0, 0b00000, SizeRule.NotD), (1, 0b00000, SizeRule.BOrH), (0, 0b00001, SizeRule.BOnly), (2, 0b00010, SizeRule.NotD),
        (2, 0b00011, SizeRule.Any), (2, 0b00100, SizeRule.NotD), (0, 0b00101, SizeRule.BOnly), (1, 0b00101, SizeRule.BOrH),
        (2, 0b00110, SizeRule.NotD), (2, 0b00111, SizeRule.Any), (2, 0b01000, SizeRule.Any), (2, 0b01001, SizeRule.Any),
        (0, 0b01010, SizeRule.Any), (2, 0b01011, SizeRule.Any), (0, 0b10010, SizeRule.NotD), (1, 0b10010, SizeRule.NotD),
        (1, 0b10011, SizeRule.NotD), (2, 0b10100, SizeRule.NotD),
    ];

    // REV64 ... UQXTN (vector), and the scalar forms SUQADD/SQABS/CMxx zero/ABS/NEG/SQXTN (C4.1.96 scalar two-reg misc).
    private static InstructionGroup SimdTwoRegMisc(Random r)
    {
        if (r.Next(5) == 0)
        {
            (int U, int Opcode, int Sizes)[] scalar =
            [
                (2, 0b00011, 0b1111), (2, 0b00111, 0b1111), (2, 0b01000, 0b1000), (2, 0b01001, 0b1000), (0, 0b01010, 0b1000),
                (2, 0b01011, 0b1000), (1, 0b10010, 0b0111), (2, 0b10100, 0b0111),
            ];
            var (su, sop, sizes) = scalar[r.Next(scalar.Length)];
            int ssize;
            do ssize = r.Next(4); while ((sizes >> ssize & 1) == 0);
            return G("simd-2misc", 0x5E20_0800u | U(PickU(r, su), 29) | U(ssize, 22) | U(sop, 12) | Regs2(r));
        }
        var (u, opcode, rule) = TwoMiscOps[r.Next(TwoMiscOps.Length)];
        var (size, q) = VectorSize(r, rule);
        if (opcode >= 0b10010) q = Q(r); // narrowing and SHLL: Q picks the lower or upper half
        return G("simd-2misc", 0x0E20_0800u | U(q, 30) | U(PickU(r, u), 29) | U(size, 22) | U(opcode, 12) | Regs2(r));
    }

    // Advanced SIMD two-register miscellaneous, FP part: (U, a, opcode) of every Armv8.0 allocation (no FRINT32/64).
    private static readonly (int U, int A, int Opcode)[] FpTwoMiscOps =
    [
        (0, 0, 0b11000), (0, 0, 0b11001), (0, 0, 0b11010), (0, 0, 0b11011), (0, 0, 0b11100), (0, 0, 0b11101),
        (0, 1, 0b01100), (0, 1, 0b01101), (0, 1, 0b01110), (0, 1, 0b01111), (0, 1, 0b11000), (0, 1, 0b11001),
        (0, 1, 0b11010), (0, 1, 0b11011), (0, 1, 0b11101), (1, 0, 0b11000), (1, 0, 0b11001), (1, 0, 0b11010),
        (1, 0, 0b11011), (1, 0, 0b11100), (1, 0, 0b11101), (1, 1, 0b01100), (1, 1, 0b01101), (1, 1, 0b01111),
        (1, 1, 0b11001), (1, 1, 0b11010), (1, 1, 0b11011), (1, 1, 0b11101), (1, 1, 0b11111),
    ];

    // FRINT*, FCVT<N,M,A,P,Z><S,U>, SCVTF/UCVTF, FCMxx #0, FABS, FNEG, FRECPE, FRSQRTE, FSQRT (vector), FCVTN/FCVTXN/FCVTL.
    private static InstructionGroup SimdFpTwoRegMisc(Random r)
    {
        if (r.Next(4) == 0)
        {
            if (r.Next(4) == 0) return G("simd-fp2misc", 0x7E61_6800u | Regs2(r)); // FCVTXN (scalar)
            int which = r.Next(3), sz = which == 1 ? 1 : r.Next(2);
            int u = which == 1 ? 1 : 0, opcode = which == 2 ? 0b10111 : 0b10110;
            return G("simd-fp2misc", 0x0E20_0800u | U(Q(r), 30) | U(u, 29) | U(sz, 22) | U(opcode, 12) | Regs2(r));
        }
        var (fu, a, op) = FpTwoMiscOps[r.Next(FpTwoMiscOps.Length)];
        int fsz = r.Next(2), q = fsz == 1 ? 1 : Q(r);
        if (r.Next(5) == 0) // scalar form (01 U 11110 ...): everything but FRINT*, FABS, FNEG and FSQRT
        {
            bool vectorOnly = op is 0b11000 or 0b11001 or 0b01111 or 0b11111;
            if (!vectorOnly) return G("simd-fp2misc", 0x5E20_0800u | U(fu, 29) | U(a, 23) | U(fsz, 22) | U(op, 12) | Regs2(r));
        }
        return G("simd-fp2misc", 0x0E20_0800u | U(q, 30) | U(fu, 29) | U(a, 23) | U(fsz, 22) | U(op, 12) | Regs2(r));
    }

    // SADDLV, UADDLV, SMAXV, UMAXV, SMINV, UMINV, ADDV (size 2 only with Q = 1), FMAXNMV, FMINNMV, FMAXV, FMINV (4S).
    // Also the scalar pairwise forms: ADDP (D), FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (S and D).
    private static InstructionGroup SimdAcrossLanes(Random r)
    {
        if (r.Next(5) == 0)
        {
            if (r.Next(4) == 0) return G("simd-across", 0x5EF1_B800u | Regs2(r));
            int[] pairOps = [0b01100, 0b01101, 0b01111];
            int op = pairOps[r.Next(3)], a = op == 0b01101 ? 0 : r.Next(2);
            return G("simd-across", 0x7E30_0800u | U(a, 23) | U(r.Next(2), 22) | U(op, 12) | Regs2(r));
        }
        if (r.Next(3) == 0)
            return G("simd-across", 0x6E30_0800u | U(r.Next(2) * 2, 22) | U(r.Next(2) == 0 ? 0b01100 : 0b01111, 12) | Regs2(r));
        int[] ops = [0b00011, 0b01010, 0b11010, 0b11011];
        int opcode = ops[r.Next(4)], u = opcode == 0b11011 ? 0 : r.Next(2), size = r.Next(3);
        int q = size == 2 ? 1 : Q(r);
        return G("simd-across", 0x0E30_0800u | U(q, 30) | U(u, 29) | U(size, 22) | U(opcode, 12) | Regs2(r));
    }

    /// <summary>immh:immb for element size 8 &lt;&lt; <paramref name="esz"/>: immh's leading one marks the size.</summary>
    private static int ShiftImm(Random r, int esz) => (1 << (esz + 3)) | r.Next(1 << (esz + 3));

    // SSHR ... UCVTF/FCVTZU (vector, shift by immediate): D elements only with Q = 1; narrowing/long only B/H/S.
    private static InstructionGroup SimdShiftImmediate(Random r)
    {
        int kind = r.Next(4);
        int u = r.Next(2), opcode, esz, q = Q(r);
        switch (kind)
        {
            case 0: // right shifts and inserts
            {
                int[] ops = [0b00000, 0b00010, 0b00100, 0b00110, 0b01000];
                opcode = ops[r.Next(ops.Length)];
                if (opcode == 0b01000) u = 1;
                esz = r.Next(4);
                break;
            }
            case 1: // left shifts
            {
                int[] ops = [0b01010, 0b01100, 0b01110];
                opcode = ops[r.Next(ops.Length)];
                if (opcode == 0b01100) u = 1;
                esz = r.Next(4);
                break;
            }
            case 2: // narrowing and long
                opcode = 0b10000 + r.Next(5);
                esz = r.Next(3);
                break;
            default: // fixed-point conversions
                opcode = r.Next(2) == 0 ? 0b11100 : 0b11111;
                esz = 2 + r.Next(2);
                break;
        }
        if (esz == 3 && kind != 2) q = 1;
        return G("simd-shift", 0x0F00_0400u | U(q, 30) | U(u, 29) | U(ShiftImm(r, esz), 16) | U(opcode, 11) | Regs2(r));
    }

    // Advanced SIMD scalar shift by immediate: SSHR ... SLI (D only), SQSHL(U) (any), SQ(R)SHR(U)N (B/H/S), fixed-point (S/D).
    private static InstructionGroup SimdScalarShiftImmediate(Random r)
    {
        int u = r.Next(2), opcode, esz;
        switch (r.Next(4))
        {
            case 0:
            {
                int[] ops = [0b00000, 0b00010, 0b00100, 0b00110, 0b01000, 0b01010];
                opcode = ops[r.Next(ops.Length)];
                if (opcode == 0b01000) u = 1;
                esz = 3;
                break;
            }
            case 1:
                opcode = r.Next(2) == 0 ? 0b01110 : 0b01100;
                if (opcode == 0b01100) u = 1;
                esz = r.Next(4);
                break;
            case 2:
                opcode = 0b10000 + r.Next(4);
                if (opcode < 0b10010) u = 1;
                esz = r.Next(3);
                break;
            default:
                opcode = r.Next(2) == 0 ? 0b11100 : 0b11111;
                esz = 2 + r.Next(2);
                break;
        }
        return G("simd-scalarshift", 0x5F00_0400u | U(u, 29) | U(ShiftImm(r, esz), 16) | U(opcode, 11) | Regs2(r));
    }

    // Advanced SIMD vector x indexed element: MLA/MLS/MUL, S/U MLAL/MLSL/MULL, SQDMLAL/SQDMLSL/SQDMULL/SQDMULH/SQRDMULH
    // (H: Vm in V0-V15, index H:L:M; S: index H:L), FMLA/FMLS/FMUL/FMULX (S: index H:L; D: index H, L = 0, Q = 1).
    private static InstructionGroup SimdByElement(Random r)
    {
        int q = Q(r);
        if (r.Next(3) == 0)
        {
            (int U, int Opcode)[] fops = [(0, 0b0001), (0, 0b0101), (0, 0b1001), (1, 0b1001)];
            var (fu, fop) = fops[r.Next(fops.Length)];
            int sz = r.Next(2), m = V(r), h = r.Next(2), l = sz == 1 ? 0 : r.Next(2);
            if (sz == 1) q = 1;
            bool scalar = r.Next(4) == 0;
            uint top = scalar ? 0x5F00_0000u : 0x0F00_0000u | U(q, 30);
            return G("simd-elem", top | U(fu, 29) | U(2 | sz, 22) | U(l, 21) | U(m, 16) | U(fop, 12) | U(h, 11) | Regs2(r));
        }
        (int U, int Opcode)[] ops =
        [
            (1, 0b0000), (1, 0b0100), (0, 0b1000), (2, 0b0010), (2, 0b0110), (2, 0b1010), (0, 0b0011), (0, 0b0111),
            (0, 0b1011), (0, 0b1100), (0, 0b1101),
        ];
        var (u, opcode) = ops[r.Next(ops.Length)];
        bool scalarInt = opcode is 0b0011 or 0b0111 or 0b1011 or 0b1100 or 0b1101 && r.Next(4) == 0;
        int size = 1 + r.Next(2);
        int rm = size == 1 ? r.Next(16) : V(r);
        int index = r.Next(size == 1 ? 8 : 4);
        int hbit = size == 1 ? index >> 2 : index >> 1, lbit = size == 1 ? (index >> 1) & 1 : index & 1;
        int mbit = size == 1 ? index & 1 : rm >> 4;
        return G("simd-elem", (scalarInt ? 0x5F00_0000u : 0x0F00_0000u | U(q, 30)) | U(PickU(r, u), 29) | U(size, 22) | U(lbit, 21) | U(mbit, 20) |
            U(rm & 15, 16) | U(opcode, 12) | U(hbit, 11) | Regs2(r));
    }

    // UZP1/TRN1/ZIP1/UZP2/TRN2/ZIP2, EXT (imm4 < 8 when Q = 0), TBL/TBX with 1-4 table registers (wrapping at V31).
    private static InstructionGroup SimdPermute(Random r)
    {
        switch (r.Next(3))
        {
            case 0:
            {
                int[] ops = [1, 2, 3, 5, 6, 7];
                var (size, q) = VectorSize(r, SizeRule.Any);
                return G("simd-permute", 0x0E00_0800u | U(q, 30) | U(size, 22) | U(ops[r.Next(6)], 12) | Regs3(r));
            }
            case 1:
            {
                int q = Q(r);
                return G("simd-permute", 0x2E00_0000u | U(q, 30) | U(r.Next(q == 1 ? 16 : 8), 11) | Regs3(r));
            }
            default:
                return G("simd-permute", 0x0E00_0000u | U(Q(r), 30) | U(r.Next(4), 13) | U(r.Next(2), 12) | Regs3(r));
        }
    }

    /// <summary>imm5 for element size 8 &lt;&lt; <paramref name="esz"/> and lane <paramref name="index"/>.</summary>
    private static int Imm5(int esz, int index) => (1 << esz) | (index << (esz + 1));

    // DUP (element, general), DUP/MOV (scalar element), INS (general, element), UMOV, SMOV.
    private static InstructionGroup SimdCopy(Random r)
    {
        int esz = r.Next(4), index = r.Next(16 >> esz);
        switch (r.Next(7))
        {
            case 0: return G("simd-copy", 0x0E00_0400u | U(esz == 3 ? 1 : Q(r), 30) | U(Imm5(esz, index), 16) | Regs2(r));
            case 1: return G("simd-copy", 0x0E00_0C00u | U(esz == 3 ? 1 : Q(r), 30) | U(1 << esz, 16) | U(r.Next(32), 5) | U(V(r), 0));
            case 2: return G("simd-copy", 0x4E00_1C00u | U(Imm5(esz, index), 16) | U(r.Next(32), 5) | U(V(r), 0));
            case 3: return G("simd-copy", 0x0E00_3C00u | U(esz == 3 ? 1 : 0, 30) | U(Imm5(esz, index), 16) | U(V(r), 5) | U(Xd(r), 0));
            case 4:
            {
                int q = Q(r), s = r.Next(q == 1 ? 3 : 2), i = r.Next(16 >> s);
                return G("simd-copy", 0x0E00_2C00u | U(q, 30) | U(Imm5(s, i), 16) | U(V(r), 5) | U(Xd(r), 0));
            }
            case 5: return G("simd-copy", 0x5E00_0400u | U(Imm5(esz, index), 16) | Regs2(r));
            default:
                return G("simd-copy", 0x6E00_0400u | U(Imm5(esz, index), 16) | U(r.Next(16 >> esz) << esz, 11) | Regs2(r));
        }
    }

    // MOVI, MVNI, ORR, BIC (vector, immediate), FMOV (vector, immediate): op = 1, cmode = 1111 only with Q = 1.
    private static InstructionGroup SimdModifiedImmediate(Random r)
    {
        int q, op, cmode;
        do
        {
            q = Q(r);
            op = r.Next(2);
            cmode = r.Next(16);
        } while (op == 1 && cmode == 15 && q == 0);
        int imm8 = r.Next(256);
        return G("simd-movi", 0x0F00_0400u | U(q, 30) | U(op, 29) | U(imm8 >> 5, 16) | U(cmode, 12) | U(imm8 & 31, 5) | U(V(r), 0));
    }

    // AESE, AESD, AESMC, AESIMC, SHA1C/P/M/SU0, SHA256H/H2/SU1, SHA1H/SU1, SHA256SU0, PMULL/PMULL2 (B and D).
    private static InstructionGroup Crypto(Random r) => r.Next(4) switch
    {
        0 => G("crypto", 0x4E28_4800u | U(4 + r.Next(4), 12) | Regs2(r)),
        1 => G("crypto", 0x5E00_0000u | U(r.Next(7), 12) | Regs3(r)),
        2 => G("crypto", 0x5E28_0800u | U(r.Next(3), 12) | Regs2(r)),
        _ => G("crypto", 0x0E20_E000u | U(Q(r), 30) | U(r.Next(2) * 3, 22) | Regs3(r)),
    };

    // ---- SIMD&FP loads and stores ----

    private static uint PointBase(int offset) => AddSubImm(1, 0, 0, 0, offset, Block, Base);

    /// <summary>No offset, post-index by the transfer size (Rm = 31), or post-index by a register X0-X30.</summary>
    private static uint PostIndex(Random r, uint noOffset) => r.Next(3) switch
    {
        0 => noOffset,
        1 => noOffset | 0x009F_0000u,
        _ => noOffset | 0x0080_0000u | U(r.Next(31), 16),
    };

    // LD1/ST1 (1-4 registers), LD2-LD4/ST2-ST4 (multiple structures), no offset or post-index by the transfer size.
    private static InstructionGroup SimdLoadStoreMultiple(Random r)
    {
        (int Opcode, int Regs, bool Interleaved)[] forms =
            [(0b0000, 4, true), (0b0010, 4, false), (0b0100, 3, true), (0b0110, 3, false), (0b0111, 1, false), (0b1000, 2, true), (0b1010, 2, false)];
        var (opcode, regs, interleaved) = forms[r.Next(forms.Length)];
        int q = Q(r), size = r.Next(4);
        if (interleaved && size == 3) q = 1;
        int bytes = regs * (q == 1 ? 16 : 8);
        int address = r.Next((SequenceGenerator.ScratchSize - bytes) / 16 + 1) * 16;
        uint w = PostIndex(r, 0x0C00_0000u) | U(q, 30) | U(r.Next(2), 22) | U(opcode, 12) | U(size, 10) | U(Base, 5) | U(V(r), 0);
        return G("simd-ldst-multi", PointBase(address), w);
    }

    // LD1-LD4/ST1-ST4 (single structure, one lane), LD1R-LD4R, optionally post-indexed by the transfer size.
    private static InstructionGroup SimdLoadStoreSingle(Random r)
    {
        int selem = 1 + r.Next(4), load = r.Next(2), esz = r.Next(4);
        int q, s, size, opcodeHigh;
        bool replicate = load == 1 && r.Next(3) == 0;
        if (replicate)
        {
            q = Q(r); s = 0; size = esz; opcodeHigh = 0b11;
        }
        else
        {
            int index = r.Next(16 >> esz);
            switch (esz)
            {
                case 0: q = index >> 3; s = (index >> 2) & 1; size = index & 3; opcodeHigh = 0b00; break;
                case 1: q = index >> 2; s = (index >> 1) & 1; size = (index & 1) << 1; opcodeHigh = 0b01; break;
                case 2: q = index >> 1; s = index & 1; size = 0; opcodeHigh = 0b10; break;
                default: q = index; s = 0; size = 1; opcodeHigh = 0b10; break;
            }
        }
        int opcode = opcodeHigh << 1 | ((selem - 1) >> 1), rbit = (selem - 1) & 1;
        int bytes = selem << esz;
        int address = r.Next((SequenceGenerator.ScratchSize - bytes) / 16 + 1) * 16;
        uint w = PostIndex(r, 0x0D00_0000u) | U(q, 30) | U(load, 22) | U(rbit, 21) | U(opcode, 13) | U(s, 12) | U(size, 10) |
                 U(Base, 5) | U(V(r), 0);
        return G("simd-ldst-single", PointBase(address), w);
    }

    // LDR/STR (immediate, SIMD&FP) B/H/S/D/Q from X28, LDP/STP S/D/Q (signed offset, Rt != Rt2 for loads).
    private static InstructionGroup FpLoadStoreRegister(Random r)
    {
        if (r.Next(3) == 0)
        {
            int opc = r.Next(3), bytes = 4 << opc, load = r.Next(2);
            int rt = V(r), rt2 = V(r);
            while (load == 1 && rt2 == rt) rt2 = V(r);
            int address = r.Next((SequenceGenerator.ScratchSize - 2 * bytes) / 16 + 1) * 16;
            int imm = r.Next(-4, 5);
            int baseOffset = address - imm * bytes;
            if (baseOffset < 0) { imm = 0; baseOffset = address; }
            return G("fp-ldst", PointBase(baseOffset), U(opc, 30) | 0x2D00_0000u | U(load, 22) | U(imm & 0x7F, 15) | U(rt2, 10) | U(Base, 5) | U(rt, 0));
        }
        int log2 = r.Next(5), ld = r.Next(2);
        int size = log2 == 4 ? 0 : log2, opcLs = (log2 == 4 ? 2 : 0) | ld;
        int addr = r.Next((SequenceGenerator.ScratchSize >> log2)) << log2;
        return G("fp-ldst", U(size, 30) | 0x3D00_0000u | U(opcLs, 22) | U(addr >> log2, 10) | U(Block, 5) | U(V(r), 0));
    }
}
