namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Parallel Arithmetic" and the other SIMD-within-a-register media instructions: the signed, unsigned,
/// saturating and halving add/subtract of halfword and byte lanes (SADD16 ... UHSUB8, with PSTATE.GE from the plain
/// forms), SEL, PKHBT/PKHTB, SSAT16/USAT16 and USAD8/USADA8. Operands from <see cref="A32Formats.RegisterMisc"/>
/// and <see cref="A32Formats.ParallelArithmetic"/> (Rn 19..16, Rd 15..12, Rm 3..0, op1/op2 in <see cref="A32Operands.Imm"/>);
/// USAD8/USADA8 use <see cref="A32Formats.Multiply"/> (Rd 19..16, Ra 15..12, Rm 11..8, Rn 3..0).
/// </summary>
internal static class A32ParallelArithmetic
{
    // op1 (bits 22..20): 001 S, 010 Q, 011 SH, 101 U, 110 UQ, 111 UH. op2 (bits 7..5): 000 ADD16, 001 ASX, 010 SAX,
    // 011 SUB16, 100 ADD8, 111 SUB8. Each result lane i is Rn lane nLane[i] +/- Rm lane mLane[i].
    private static readonly (int Width, int[] NLane, int[] MLane, bool[] Add)[] Shapes =
    [
        (16, [0, 1], [0, 1], [true, true]),    // ADD16
        (16, [0, 1], [1, 0], [false, true]),   // ASX: lo = n.lo - m.hi, hi = n.hi + m.lo
        (16, [0, 1], [1, 0], [true, false]),   // SAX: lo = n.lo + m.hi, hi = n.hi - m.lo
        (16, [0, 1], [0, 1], [false, false]),  // SUB16
        (8, [0, 1, 2, 3], [0, 1, 2, 3], [true, true, true, true]),     // ADD8
        (0, [], [], []), (0, [], [], []),
        (8, [0, 1, 2, 3], [0, 1, 2, 3], [false, false, false, false]), // SUB8
    ];

    /// <summary>Decode constraint: op2 = 101 and 110 are unallocated, as is op1 = x00.</summary>
    public static bool IsAllocated(uint insn) => ((insn >> 5) & 7) is not (5 or 6) && ((insn >> 20) & 3) != 0;

    private static long Lane(uint value, int lane, int width, bool signed)
    {
        uint bits = (value >> (lane * width)) & (uint)((1 << width) - 1);
        return signed ? (long)bits << (64 - width) >> (64 - width) : bits;
    }

    /// <summary>The parallel add/subtract of <paramref name="n"/> and <paramref name="m"/>; GE bits (3..0) for the plain forms.</summary>
    public static uint Compute(uint n, uint m, int op1, int op2, out uint ge, out bool setsGe)
    {
        var (width, nLane, mLane, add) = Shapes[op2];
        bool signed = op1 < 4;
        int kind = op1 & 3; // 1 plain, 2 saturating, 3 halving
        setsGe = kind == 1;
        uint result = 0;
        ge = 0;
        long max = signed ? (1L << (width - 1)) - 1 : (1L << width) - 1, min = signed ? -(1L << (width - 1)) : 0;
        for (int i = 0; i < nLane.Length; i++)
        {
            long x = Lane(n, nLane[i], width, signed), y = Lane(m, mLane[i], width, signed);
            long r = add[i] ? x + y : x - y;
            long lane = kind switch { 2 => Math.Clamp(r, min, max), 3 => r >> 1, _ => r };
            result |= (uint)(lane & ((1L << width) - 1)) << (i * width);
            // GE: signed results >= 0; unsigned sums that carry out (>= 2^width), unsigned differences >= 0.
            bool geLane = signed || !add[i] ? r >= 0 : r >= 1L << width;
            if (geLane) ge |= (width == 16 ? 3u : 1u) << (i * width / 8);
        }
        return result;
    }

    /// <summary>F5.1 SADD16, SASX, SSAX, SSUB16, SADD8, SSUB8 and their Q, SH, U, UQ, UH forms.</summary>
    public static void AddSubtract(Cpu cpu, in A32Operands op)
    {
        uint result = Compute(cpu.R(op.Rn), cpu.R(op.Rm), (int)(op.Imm >> 4), (int)(op.Imm & 7), out uint ge, out bool setsGe);
        cpu.SetR(op.Rd, result);
        if (setsGe) cpu.State.Ge = ge;
    }

    /// <summary>F5.1 SEL: each byte from Rn where its GE bit is set, else from Rm.</summary>
    public static void Sel(Cpu cpu, in A32Operands op)
    {
        uint mask = 0, ge = cpu.State.Ge;
        for (int i = 0; i < 4; i++) if ((ge & (1u << i)) != 0) mask |= 0xFFu << (8 * i);
        cpu.SetR(op.Rd, (cpu.R(op.Rn) & mask) | (cpu.R(op.Rm) & ~mask));
    }

    /// <summary>F5.1 PKHBT (tb = 0: Rn's bottom half, the top of Rm LSL imm) and PKHTB (tb = 1: Rn's top half, the bottom of Rm ASR imm).</summary>
    public static void Pkh(Cpu cpu, in A32Operands op)
    {
        uint operand2 = A32Shift.Shift(cpu.R(op.Rm), op.ShiftType, op.ShiftAmount, 0);
        uint n = cpu.R(op.Rn);
        cpu.SetR(op.Rd, op.ShiftType == A32Shift.Asr ? (n & 0xFFFF_0000u) | (operand2 & 0xFFFF) : (operand2 & 0xFFFF_0000u) | (n & 0xFFFF));
    }

    /// <summary>F5.1 SSAT16: each halfword saturated to sat_imm + 1 signed bits; PSTATE.Q when one saturates.</summary>
    public static void Ssat16(Cpu cpu, in A32Operands op)
    {
        uint n = cpu.R(op.Rm), result = 0; // the source is bits 3..0 (the Arm ARM's Rn)
        int bits = (op.Imm2 & 0xF) + 1;
        long max = (1L << (bits - 1)) - 1, min = -(1L << (bits - 1));
        for (int i = 0; i < 2; i++)
        {
            long v = (short)(n >> (16 * i));
            long s = Math.Clamp(v, min, max);
            if (s != v) cpu.State.Saturation = true;
            result |= (uint)(s & 0xFFFF) << (16 * i);
        }
        cpu.SetR(op.Rd, result);
    }

    /// <summary>F5.1 USAT16: each signed halfword saturated to sat_imm unsigned bits; PSTATE.Q when one saturates.</summary>
    public static void Usat16(Cpu cpu, in A32Operands op)
    {
        uint n = cpu.R(op.Rm), result = 0; // the source is bits 3..0 (the Arm ARM's Rn)
        long max = (1L << (op.Imm2 & 0xF)) - 1;
        for (int i = 0; i < 2; i++)
        {
            long v = (short)(n >> (16 * i));
            long s = Math.Clamp(v, 0, max);
            if (s != v) cpu.State.Saturation = true;
            result |= (uint)s << (16 * i);
        }
        cpu.SetR(op.Rd, result);
    }

    /// <summary>F5.1 USAD8 (Ra = 15) and USADA8: the sum of the absolute differences of the four bytes (plus Ra).</summary>
    public static void Usad8(Cpu cpu, in A32Operands op)
    {
        uint n = cpu.R(op.Rn), m = cpu.R(op.Rm), sum = op.Rs == 15 ? 0 : cpu.R(op.Rs);
        for (int i = 0; i < 32; i += 8) sum += (uint)Math.Abs((int)((n >> i) & 0xFF) - (int)((m >> i) & 0xFF));
        cpu.SetR(op.Rd, sum);
    }
}
