using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Miscellaneous", "Media instructions" and "Saturate": CLZ, RBIT, REV, REV16, REVSH, the extend (and add)
/// instructions, SBFX, UBFX, BFI, BFC, SSAT, USAT and QADD, QSUB, QDADD, QDSUB (SignedSatQ/UnsignedSatQ set PSTATE.Q).
/// </summary>
internal static class A32Miscellaneous
{
    /// <summary>F5.1 CLZ.</summary>
    public static void Clz(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, (uint)BitOperations.LeadingZeroCount(cpu.R(op.Rm)));

    /// <summary>F5.1 RBIT.</summary>
    public static void Rbit(Cpu cpu, in A32Operands op)
    {
        uint v = cpu.R(op.Rm), r = 0;
        for (int i = 0; i < 32; i++) r |= ((v >> i) & 1) << (31 - i);
        cpu.SetR(op.Rd, r);
    }

    /// <summary>F5.1 REV.</summary>
    public static void Rev(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(cpu.R(op.Rm)));

    /// <summary>F5.1 REV16: the bytes of each halfword swapped.</summary>
    public static void Rev16(Cpu cpu, in A32Operands op)
    {
        uint v = cpu.R(op.Rm);
        cpu.SetR(op.Rd, ((v & 0x00FF_00FFu) << 8) | ((v >> 8) & 0x00FF_00FFu));
    }

    /// <summary>F5.1 REVSH: the low halfword byte-swapped and sign-extended.</summary>
    public static void Revsh(Cpu cpu, in A32Operands op)
    {
        uint v = cpu.R(op.Rm);
        cpu.SetR(op.Rd, (uint)(short)(((v & 0xFF) << 8) | ((v >> 8) & 0xFF)));
    }

    // ROR(R[m], rotation), the source of every extend instruction; Rn = 15 is the form without the add.
    private static uint Rotated(Cpu cpu, in A32Operands op) => BitOperations.RotateRight(cpu.R(op.Rm), op.ShiftAmount);
    private static uint Addend(Cpu cpu, in A32Operands op) => op.Rn == 15 ? 0 : cpu.R(op.Rn);

    /// <summary>F5.1 SXTB, SXTAB.</summary>
    public static void Sxtab(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, Addend(cpu, op) + (uint)(sbyte)Rotated(cpu, op));
    /// <summary>F5.1 SXTH, SXTAH.</summary>
    public static void Sxtah(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, Addend(cpu, op) + (uint)(short)Rotated(cpu, op));
    /// <summary>F5.1 UXTB, UXTAB.</summary>
    public static void Uxtab(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, Addend(cpu, op) + (byte)Rotated(cpu, op));
    /// <summary>F5.1 UXTH, UXTAH.</summary>
    public static void Uxtah(Cpu cpu, in A32Operands op) => cpu.SetR(op.Rd, Addend(cpu, op) + (ushort)Rotated(cpu, op));

    /// <summary>F5.1 SXTB16, SXTAB16: bytes 0 and 2, sign-extended to halfwords and added halfword-wise.</summary>
    public static void Sxtab16(Cpu cpu, in A32Operands op)
    {
        uint r = Rotated(cpu, op), n = Addend(cpu, op);
        uint low = (uint)(n + (uint)(sbyte)r) & 0xFFFF, high = (uint)((n >> 16) + (uint)(sbyte)(r >> 16)) & 0xFFFF;
        cpu.SetR(op.Rd, (high << 16) | low);
    }

    /// <summary>F5.1 UXTB16, UXTAB16: bytes 0 and 2, zero-extended to halfwords and added halfword-wise.</summary>
    public static void Uxtab16(Cpu cpu, in A32Operands op)
    {
        uint r = Rotated(cpu, op), n = Addend(cpu, op);
        uint low = (n + (r & 0xFF)) & 0xFFFF, high = ((n >> 16) + ((r >> 16) & 0xFF)) & 0xFFFF;
        cpu.SetR(op.Rd, (high << 16) | low);
    }

    /// <summary>Decode constraint of SBFX/UBFX: lsb + width must not pass bit 31 (UNPREDICTABLE otherwise; UNDEFINED as QEMU).</summary>
    public static bool BitfieldExtractFits(uint insn) => ((insn >> 7) & 31) + ((insn >> 16) & 31) <= 31;

    /// <summary>Decode constraint of BFI/BFC: msb &gt;= lsb.</summary>
    public static bool BitfieldInsertFits(uint insn) => ((insn >> 16) & 31) >= ((insn >> 7) & 31);

    /// <summary>F5.1 SBFX.</summary>
    public static void Sbfx(Cpu cpu, in A32Operands op)
    {
        int lsb = (int)op.Imm, width = op.Imm2 + 1;
        cpu.SetR(op.Rd, (uint)(((int)cpu.R(op.Rn) << (32 - lsb - width)) >> (32 - width)));
    }

    /// <summary>F5.1 UBFX.</summary>
    public static void Ubfx(Cpu cpu, in A32Operands op)
    {
        int lsb = (int)op.Imm, width = op.Imm2 + 1;
        cpu.SetR(op.Rd, (uint)((cpu.R(op.Rn) << (32 - lsb - width)) >> (32 - width)));
    }

    /// <summary>F5.1 BFI (and BFC when Rn = 15): bits lsb..msb of Rd replaced by the low bits of Rn (or zeros).</summary>
    public static void Bfi(Cpu cpu, in A32Operands op)
    {
        int lsb = (int)op.Imm, msb = op.Imm2;
        uint mask = (uint)(((1UL << (msb - lsb + 1)) - 1) << lsb);
        uint source = op.Rn == 15 ? 0 : cpu.R(op.Rn) << lsb;
        cpu.SetR(op.Rd, (cpu.R(op.Rd) & ~mask) | (source & mask));
    }

    // SignedSatQ(i, n) and UnsignedSatQ(i, n): the saturated value and whether it saturated.
    private static uint SignedSat(long value, int bits, out bool saturated)
    {
        long max = (1L << (bits - 1)) - 1, min = -(1L << (bits - 1));
        saturated = value > max || value < min;
        return (uint)Math.Clamp(value, min, max);
    }

    private static uint UnsignedSat(long value, int bits, out bool saturated)
    {
        long max = (1L << bits) - 1;
        saturated = value > max || value < 0;
        return (uint)Math.Clamp(value, 0, max);
    }

    /// <summary>F5.1 SSAT: saturate the shifted Rn to sat_imm + 1 signed bits.</summary>
    public static void Ssat(Cpu cpu, in A32Operands op)
    {
        int operand = (int)A32Shift.Shift(cpu.R(op.Rn), op.ShiftType, op.ShiftAmount, (cpu.State.Nzcv >> 29) & 1);
        cpu.SetR(op.Rd, SignedSat(operand, op.Imm2 + 1, out bool sat));
        if (sat) cpu.State.Saturation = true;
    }

    /// <summary>F5.1 USAT: saturate the shifted Rn to sat_imm unsigned bits.</summary>
    public static void Usat(Cpu cpu, in A32Operands op)
    {
        int operand = (int)A32Shift.Shift(cpu.R(op.Rn), op.ShiftType, op.ShiftAmount, (cpu.State.Nzcv >> 29) & 1);
        cpu.SetR(op.Rd, UnsignedSat(operand, op.Imm2, out bool sat));
        if (sat) cpu.State.Saturation = true;
    }

    // QADD family operands (cond 0001 0op0 Rn Rd 0000 0101 Rm, RegisterMisc format): Rd = sat(Rm op sat(2 * Rn)).
    private static void SaturatingResult(Cpu cpu, in A32Operands op, long value)
    {
        cpu.SetR(op.Rd, SignedSat(value, 32, out bool sat));
        if (sat) cpu.State.Saturation = true;
    }

    private static long Doubled(Cpu cpu, int n)
    {
        uint d = SignedSat(2L * (int)cpu.R(n), 32, out bool sat);
        if (sat) cpu.State.Saturation = true;
        return (int)d;
    }

    /// <summary>F5.1 QADD.</summary>
    public static void Qadd(Cpu cpu, in A32Operands op) => SaturatingResult(cpu, op, (long)(int)cpu.R(op.Rm) + (int)cpu.R(op.Rn));
    /// <summary>F5.1 QSUB.</summary>
    public static void Qsub(Cpu cpu, in A32Operands op) => SaturatingResult(cpu, op, (long)(int)cpu.R(op.Rm) - (int)cpu.R(op.Rn));
    /// <summary>F5.1 QDADD.</summary>
    public static void Qdadd(Cpu cpu, in A32Operands op) { long d = Doubled(cpu, op.Rn); SaturatingResult(cpu, op, (int)cpu.R(op.Rm) + d); }
    /// <summary>F5.1 QDSUB.</summary>
    public static void Qdsub(Cpu cpu, in A32Operands op) { long d = Doubled(cpu, op.Rn); SaturatingResult(cpu, op, (int)cpu.R(op.Rm) - d); }

    /// <summary>
    /// F5.1 CRC32B/H/W, CRC32CB/H/W: the 1, 2 or 4 low bytes (Imm2 = sz) of Rm accumulated into Rn, CRC-32C when
    /// <see cref="A32Operands.Unsigned"/> (the C bit), by the A64 value function. UNDEFINED without ID_ISAR5.CRC32
    /// and for sz = 11 or a PC operand (CONSTRAINED UNPREDICTABLE).
    /// </summary>
    public static void Crc32(Cpu cpu, in A32Operands op)
    {
        if (((cpu.Configuration.Model.Aarch32.Isar5 >> 16) & 0xF) == 0 || op.Imm2 == 3 || op.Rd == 15 || op.Rn == 15 || op.Rm == 15) throw cpu.UndefinedException();
        cpu.SetR(op.Rd, A64.DataProcessing2Source.Crc32Update(cpu.R(op.Rn), cpu.R(op.Rm), 1 << op.Imm2, op.Unsigned));
    }
}
