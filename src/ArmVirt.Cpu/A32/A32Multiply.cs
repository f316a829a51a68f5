namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Multiply and Accumulate" and "Signed multiply, Divide": MUL, MLA, MLS, UMULL, UMLAL, SMULL, SMLAL, UMAAL, the
/// halfword multiplies SMULxy, SMLAxy, SMULWy, SMLAWy, SMLALxy, and SDIV/UDIV. Operands as <see cref="A32Formats.Multiply"/>:
/// Rd (or RdHi) is bits 19..16, <see cref="A32Operands.Rs"/> is Ra (or RdLo), Rm bits 11..8, Rn bits 3..0. The flag-setting
/// forms set N and Z only (C and V unchanged, Armv6 and later).
/// </summary>
internal static class A32Multiply
{
    private static void SetNz(Cpu cpu, bool negative, bool zero) =>
        cpu.State.Nzcv = (cpu.State.Nzcv & 0x3000_0000u) | (negative ? 0x8000_0000u : 0) | (zero ? 0x4000_0000u : 0);

    /// <summary>F5.1 MUL, MULS.</summary>
    public static void Mul(Cpu cpu, in A32Operands op)
    {
        uint result = cpu.R(op.Rn) * cpu.R(op.Rm);
        cpu.SetR(op.Rd, result);
        if (op.SetFlags) SetNz(cpu, (int)result < 0, result == 0);
    }

    /// <summary>F5.1 MLA, MLAS: Rd = Rn * Rm + Ra.</summary>
    public static void Mla(Cpu cpu, in A32Operands op)
    {
        uint result = cpu.R(op.Rn) * cpu.R(op.Rm) + cpu.R(op.Rs);
        cpu.SetR(op.Rd, result);
        if (op.SetFlags) SetNz(cpu, (int)result < 0, result == 0);
    }

    /// <summary>F5.1 MLS: Rd = Ra - Rn * Rm.</summary>
    public static void Mls(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, cpu.R(op.Rs) - cpu.R(op.Rn) * cpu.R(op.Rm));

    // The 64-bit result of a long multiply to RdHi:RdLo, with the flags of its S form.
    private static void WriteLong(Cpu cpu, in A32Operands op, ulong result)
    {
        cpu.SetR(op.Rs, (uint)result);
        cpu.SetR(op.Rd, (uint)(result >> 32));
        if (op.SetFlags) SetNz(cpu, (long)result < 0, result == 0);
    }

    private static ulong Accumulator(Cpu cpu, in A32Operands op) => ((ulong)cpu.R(op.Rd) << 32) | cpu.R(op.Rs);

    /// <summary>F5.1 UMULL, UMULLS.</summary>
    public static void Umull(Cpu cpu, in A32Operands op) => WriteLong(cpu, op, (ulong)cpu.R(op.Rn) * cpu.R(op.Rm));
    /// <summary>F5.1 UMLAL, UMLALS.</summary>
    public static void Umlal(Cpu cpu, in A32Operands op) => WriteLong(cpu, op, (ulong)cpu.R(op.Rn) * cpu.R(op.Rm) + Accumulator(cpu, op));
    /// <summary>F5.1 SMULL, SMULLS.</summary>
    public static void Smull(Cpu cpu, in A32Operands op) => WriteLong(cpu, op, (ulong)((long)(int)cpu.R(op.Rn) * (int)cpu.R(op.Rm)));
    /// <summary>F5.1 SMLAL, SMLALS.</summary>
    public static void Smlal(Cpu cpu, in A32Operands op) => WriteLong(cpu, op, (ulong)((long)(int)cpu.R(op.Rn) * (int)cpu.R(op.Rm)) + Accumulator(cpu, op));
    /// <summary>F5.1 UMAAL: RdHi:RdLo = Rn * Rm + RdHi + RdLo.</summary>
    public static void Umaal(Cpu cpu, in A32Operands op) =>
        WriteLong(cpu, op, (ulong)cpu.R(op.Rn) * cpu.R(op.Rm) + cpu.R(op.Rd) + cpu.R(op.Rs));

    // The halfword of a source the x/y bit selects (bit 5 for Rn, bit 6 for Rm, in Imm bits 0 and 1), sign-extended.
    private static int Half(uint value, bool top) => top ? (short)(value >> 16) : (short)value;
    private static bool NTop(in A32Operands op) => (op.Imm & 1) != 0;
    private static bool MTop(in A32Operands op) => (op.Imm & 2) != 0;

    /// <summary>F5.1 SMULBB, SMULBT, SMULTB, SMULTT.</summary>
    public static void Smulxy(Cpu cpu, in A32Operands op) =>
        cpu.SetR(op.Rd, (uint)(Half(cpu.R(op.Rn), NTop(op)) * Half(cpu.R(op.Rm), MTop(op))));

    /// <summary>F5.1 SMLABB ... SMLATT: sets Q when the accumulation overflows.</summary>
    public static void Smlaxy(Cpu cpu, in A32Operands op)
    {
        long result = (long)Half(cpu.R(op.Rn), NTop(op)) * Half(cpu.R(op.Rm), MTop(op)) + (int)cpu.R(op.Rs);
        cpu.SetR(op.Rd, (uint)result);
        if (result != (int)result) cpu.State.Saturation = true;
    }

    /// <summary>F5.1 SMULWB, SMULWT: the top 32 bits of the 48-bit product of Rn and a halfword of Rm.</summary>
    public static void Smulwy(Cpu cpu, in A32Operands op) =>
        cpu.SetR(op.Rd, (uint)(((long)(int)cpu.R(op.Rn) * Half(cpu.R(op.Rm), MTop(op))) >> 16));

    /// <summary>F5.1 SMLAWB, SMLAWT: sets Q when the accumulation overflows.</summary>
    public static void Smlawy(Cpu cpu, in A32Operands op)
    {
        long result = (((long)(int)cpu.R(op.Rn) * Half(cpu.R(op.Rm), MTop(op))) >> 16) + (int)cpu.R(op.Rs);
        cpu.SetR(op.Rd, (uint)result);
        if (result != (int)result) cpu.State.Saturation = true;
    }

    /// <summary>F5.1 SMLALBB ... SMLALTT: RdHi:RdLo += halfword product.</summary>
    public static void Smlalxy(Cpu cpu, in A32Operands op)
    {
        ulong result = (ulong)((long)Half(cpu.R(op.Rn), NTop(op)) * Half(cpu.R(op.Rm), MTop(op))) + Accumulator(cpu, op);
        cpu.SetR(op.Rs, (uint)result);
        cpu.SetR(op.Rd, (uint)(result >> 32));
    }

    /// <summary>F5.1 SDIV: rounds towards zero; a zero divisor gives 0 (no trap in the A profile), 0x80000000 / -1 wraps.</summary>
    public static void Sdiv(Cpu cpu, in A32Operands op)
    {
        int n = (int)cpu.R(op.Rn), m = (int)cpu.R(op.Rm);
        cpu.SetR(op.Rd, m == 0 ? 0 : m == -1 ? (uint)-n : (uint)(n / m));
    }

    /// <summary>F5.1 UDIV: a zero divisor gives 0.</summary>
    public static void Udiv(Cpu cpu, in A32Operands op)
    {
        uint m = cpu.R(op.Rm);
        cpu.SetR(op.Rd, m == 0 ? 0 : cpu.R(op.Rn) / m);
    }

    // The two halfword products of the dual multiplies: Rn.lo * Rm'.lo and Rn.hi * Rm'.hi, Rm' = Rm rotated by 16 when
    // M (bit 5, Imm bit 0) is set.
    private static (long Low, long High) DualProducts(Cpu cpu, in A32Operands op)
    {
        uint n = cpu.R(op.Rn), m = cpu.R(op.Rm);
        if ((op.Imm & 1) != 0) m = m >> 16 | m << 16;
        return ((long)(short)n * (short)m, (long)(short)(n >> 16) * (short)(m >> 16));
    }

    /// <summary>F5.1 SMLAD, SMLADX, SMUAD, SMUADX (Ra = 15), and SMLSD, SMLSDX, SMUSD, SMUSDX (bit 6): PSTATE.Q on overflow.</summary>
    public static void Smlad(Cpu cpu, in A32Operands op)
    {
        var (low, high) = DualProducts(cpu, op);
        long result = ((op.Imm & 2) != 0 ? low - high : low + high) + (op.Rs == 15 ? 0 : (int)cpu.R(op.Rs));
        cpu.SetR(op.Rd, (uint)result);
        if (result != (int)result) cpu.State.Saturation = true;
    }

    /// <summary>F5.1 SMLALD, SMLALDX, SMLSLD, SMLSLDX: RdHi:RdLo plus (or minus) the dual products.</summary>
    public static void Smlald(Cpu cpu, in A32Operands op)
    {
        var (low, high) = DualProducts(cpu, op);
        ulong result = (ulong)((op.Imm & 2) != 0 ? low - high : low + high) + Accumulator(cpu, op);
        cpu.SetR(op.Rs, (uint)result);
        cpu.SetR(op.Rd, (uint)(result >> 32));
    }

    /// <summary>F5.1 SMMLA, SMMLAR, SMMUL, SMMULR (Ra = 15): the top word of Ra:0 plus Rn * Rm, rounded when R (bit 5) is set.</summary>
    public static void Smmla(Cpu cpu, in A32Operands op)
    {
        long product = (long)(int)cpu.R(op.Rn) * (int)cpu.R(op.Rm);
        long accumulator = op.Rs == 15 ? 0 : (long)((ulong)cpu.R(op.Rs) << 32);
        long result = accumulator + product + ((op.Imm & 1) != 0 ? 0x8000_0000L : 0);
        cpu.SetR(op.Rd, (uint)(result >> 32));
    }

    /// <summary>F5.1 SMMLS, SMMLSR: the top word of Ra:0 minus Rn * Rm, rounded when R is set.</summary>
    public static void Smmls(Cpu cpu, in A32Operands op)
    {
        long product = (long)(int)cpu.R(op.Rn) * (int)cpu.R(op.Rm);
        long result = (long)((ulong)cpu.R(op.Rs) << 32) - product + ((op.Imm & 1) != 0 ? 0x8000_0000L : 0);
        cpu.SetR(op.Rd, (uint)(result >> 32));
    }
}
