using System.Numerics;
using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// Advanced SIMD copy (DUP, INS, UMOV, SMOV), modified immediate (MOVI, MVNI, ORR, BIC, FMOV), permute
/// (UZP, TRN, ZIP), EXT, table lookup (TBL, TBX) and across lanes (ADDV, SADDLV, SMAXV, FMAXV, ...).
/// </summary>
internal static class AdvSimdPermute
{
    // imm5 encodes the element size as its lowest set bit and the index above it.
    private static int CopySize(uint insn) => BitOperations.TrailingZeroCount(Bits(insn, 20, 16));

    /// <summary>Constraint for the copy group: imm5 has a set bit in 3..0 (or bit 4 where 128-bit is allowed, never in v8.0).</summary>
    public static bool CopySizeValid(uint insn) => (Bits(insn, 19, 16)) != 0;

    /// <summary>DUP (element), vector and scalar (MOV Vd, Vn.T[i]).</summary>
    public static void DupElement(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int size = CopySize(insn), esize = 8 << size, index = (int)(Bits(insn, 20, 16) >> (size + 1));
        bool scalar = IsScalar(insn), q = Q(insn) && !scalar;
        ulong e = Elem(Get(cpu, Rn(insn)), index, esize);
        int elements = scalar ? 1 : (q ? 128 : 64) / esize;
        UInt128 r = 0;
        for (int i = 0; i < elements; i++) r = With(r, i, esize, e);
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>DUP (general).</summary>
    public static void DupGeneral(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int esize = 8 << CopySize(insn);
        bool q = Q(insn);
        ulong e = cpu.X(Rn(insn));
        UInt128 r = 0;
        for (int i = 0; i < (q ? 128 : 64) / esize; i++) r = With(r, i, esize, e);
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Constraint for DUP: a 64-bit element needs Q = 1.</summary>
    public static bool DupValid(uint insn) => CopySizeValid(insn) && (CopySize(insn) < 3 || Q(insn));

    /// <summary>INS (general): Vd.Ts[index] = Rn.</summary>
    public static void InsGeneral(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int size = CopySize(insn), esize = 8 << size, index = (int)(Bits(insn, 20, 16) >> (size + 1));
        Set(cpu, Rd(insn), With(Get(cpu, Rd(insn)), index, esize, cpu.X(Rn(insn))), true);
    }

    /// <summary>INS (element): Vd.Ts[index1] = Vn.Ts[index2].</summary>
    public static void InsElement(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int size = CopySize(insn), esize = 8 << size;
        int dst = (int)(Bits(insn, 20, 16) >> (size + 1)), src = (int)(Bits(insn, 14, 11) >> size);
        ulong e = Elem(Get(cpu, Rn(insn)), src, esize);
        Set(cpu, Rd(insn), With(Get(cpu, Rd(insn)), dst, esize, e), true);
    }

    /// <summary>UMOV / SMOV: bit 12 clear for SMOV; Q selects a 64-bit destination.</summary>
    public static void MoveToGeneral(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int size = CopySize(insn), esize = 8 << size, index = (int)(Bits(insn, 20, 16) >> (size + 1));
        ulong e = Elem(Get(cpu, Rn(insn)), index, esize);
        bool signed = (insn & (1u << 12)) == 0;
        if (signed) e = (ulong)SignExtend(e, esize);
        cpu.SetX(Rd(insn), Q(insn) ? e : (uint)e);
    }

    /// <summary>Constraint for UMOV: Q=0 with B/H/S, Q=1 with D.</summary>
    public static bool UmovValid(uint insn) => CopySizeValid(insn) && (Q(insn) ? CopySize(insn) == 3 : CopySize(insn) < 3);

    /// <summary>Constraint for SMOV: Q=0 with B/H, Q=1 with B/H/S.</summary>
    public static bool SmovValid(uint insn) => CopySizeValid(insn) && CopySize(insn) < (Q(insn) ? 3 : 2);

    /// <summary>AdvSIMDExpandImm.</summary>
    public static ulong ExpandImm(bool op, int cmode, ulong imm8)
    {
        static ulong Rep32(ulong x) => x | (x << 32);
        static ulong Rep16(ulong x) => x * 0x0001_0001_0001_0001UL;
        switch (cmode >> 1)
        {
            case 0: return Rep32(imm8);
            case 1: return Rep32(imm8 << 8);
            case 2: return Rep32(imm8 << 16);
            case 3: return Rep32(imm8 << 24);
            case 4: return Rep16(imm8);
            case 5: return Rep16(imm8 << 8);
            case 6: return (cmode & 1) == 0 ? Rep32((imm8 << 8) | 0xFF) : Rep32((imm8 << 16) | 0xFFFF);
        }
        if ((cmode & 1) == 0)
        {
            if (!op) return imm8 * 0x0101_0101_0101_0101UL;
            ulong r = 0;
            for (int i = 0; i < 8; i++) if (((imm8 >> i) & 1) != 0) r |= 0xFFUL << (i * 8);
            return r;
        }
        ulong b6 = (imm8 >> 6) & 1, sign = imm8 >> 7;
        if (!op)
        {
            ulong s = (sign << 31) | ((b6 ^ 1) << 30) | ((b6 != 0 ? 0x1FUL : 0) << 25) | ((imm8 & 0x3F) << 19);
            return Rep32(s);
        }
        return (sign << 63) | ((b6 ^ 1) << 62) | ((b6 != 0 ? 0xFFUL : 0) << 54) | ((imm8 & 0x3F) << 48);
    }

    /// <summary>MOVI, MVNI, ORR (vector, immediate), BIC (vector, immediate), FMOV (vector, immediate).</summary>
    public static void ModifiedImmediate(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), op = U(insn);
        int cmode = (int)Bits(insn, 15, 12);
        ulong imm8 = (Bits(insn, 18, 16) << 5) | Bits(insn, 9, 5);
        ulong imm64 = ExpandImm(op, cmode, imm8);
        UInt128 imm = new(q ? imm64 : 0, imm64);
        bool orrBic = (cmode & 1) != 0 && cmode < 12;
        UInt128 r;
        if (orrBic)
        {
            UInt128 d = Get(cpu, Rd(insn));
            r = op ? d & ~imm : d | imm;
        }
        else r = op && cmode != 14 && cmode != 15 ? ~imm : imm;
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>Constraint: FMOV (vector, immediate) double precision needs Q = 1.</summary>
    public static bool ModifiedImmediateValid(uint insn) => !(U(insn) && Bits(insn, 15, 12) == 15 && !Q(insn));

    /// <summary>UZP1, TRN1, ZIP1, UZP2, TRN2, ZIP2 (opcode bits 14..12).</summary>
    public static void Permute(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn);
        int esize = Esize(insn), elements = (q ? 128 : 64) / esize;
        int opc = (int)Bits(insn, 14, 12), part = opc >> 2;
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn)), r = 0;
        for (int i = 0; i < elements; i++)
        {
            ulong e;
            switch (opc & 3)
            {
                case 1: // UZP
                {
                    int j = 2 * i + part;
                    e = j < elements ? Elem(n, j, esize) : Elem(m, j - elements, esize);
                    break;
                }
                case 2: // TRN
                    e = (i & 1) == 0 ? Elem(n, i + part, esize) : Elem(m, i - 1 + part, esize);
                    break;
                default: // ZIP
                {
                    int j = part * elements / 2 + i / 2;
                    e = (i & 1) == 0 ? Elem(n, j, esize) : Elem(m, j, esize);
                    break;
                }
            }
            r = With(r, i, esize, e);
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>EXT: bytes imm4.. of Vm:Vn.</summary>
    public static void Ext(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn);
        int pos = (int)Bits(insn, 14, 11) * 8;
        UInt128 n = Get(cpu, Rn(insn)), m = Get(cpu, Rm(insn));
        UInt128 r;
        if (q) r = pos == 0 ? n : (n >> pos) | (m << (128 - pos));
        else
        {
            UInt128 concat = ((UInt128)(ulong)m << 64) | (ulong)n;
            r = (ulong)(concat >> pos);
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>TBL / TBX (bit 12 = TBX keeps out-of-range destination bytes), with 1..4 table registers.</summary>
    public static void Table(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), tbx = (insn & (1u << 12)) != 0;
        int regs = (int)Bits(insn, 14, 13) + 1, first = Rn(insn);
        UInt128 t0 = Get(cpu, first), t1 = Get(cpu, (first + 1) % 32), t2 = Get(cpu, (first + 2) % 32), t3 = Get(cpu, (first + 3) % 32);
        UInt128 indices = Get(cpu, Rm(insn)), d = Get(cpu, Rd(insn)), r = 0;
        for (int i = 0; i < (q ? 16 : 8); i++)
        {
            int idx = (int)Elem(indices, i, 8);
            ulong e;
            if (idx < 16 * regs)
            {
                UInt128 t = (idx >> 4) switch { 0 => t0, 1 => t1, 2 => t2, _ => t3 };
                e = Elem(t, idx & 15, 8);
            }
            else e = tbx ? Elem(d, i, 8) : 0;
            r = With(r, i, 8, e);
        }
        Set(cpu, Rd(insn), r, q);
    }

    /// <summary>SADDLV/UADDLV, SMAXV/UMAXV, SMINV/UMINV, ADDV (opcode bits 16..12).</summary>
    public static void AcrossLanesInteger(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool q = Q(insn), u = U(insn);
        int esize = Esize(insn), elements = (q ? 128 : 64) / esize, opc = (int)Bits(insn, 16, 12);
        UInt128 n = Get(cpu, Rn(insn));
        Int128 acc = Int(Elem(n, 0, esize), esize, u);
        for (int i = 1; i < elements; i++)
        {
            Int128 e = Int(Elem(n, i, esize), esize, u);
            acc = opc switch
            {
                0b01010 => e > acc ? e : acc,
                0b11010 => e < acc ? e : acc,
                _ => acc + e,
            };
        }
        int outSize = opc == 0b00011 ? 2 * esize : esize;
        Set(cpu, Rd(insn), (ulong)acc & Mask(outSize), false);
    }

    /// <summary>FMAXNMV, FMINNMV, FMAXV, FMINV (4S only in Armv8.0): Reduce() pairs lower then upper halves.</summary>
    public static void AcrossLanesFp(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        UInt128 n = Get(cpu, Rn(insn));
        bool min = (insn & (1u << 23)) != 0, num = Bits(insn, 16, 12) == 0b01100;
        uint fpcr = cpu.State.Fpcr;
        ref uint fpsr = ref cpu.State.Fpsr;
        ulong Op(ulong a, ulong b, ref uint s) => num ? FloatingPoint.MaxMinNum(a, b, 32, fpcr, ref s, !min) : FloatingPoint.MaxMin(a, b, 32, fpcr, ref s, !min);
        ulong lo = Op(Elem(n, 0, 32), Elem(n, 1, 32), ref fpsr);
        ulong hi = Op(Elem(n, 2, 32), Elem(n, 3, 32), ref fpsr);
        Set(cpu, Rd(insn), Op(lo, hi, ref fpsr), false);
    }
}
