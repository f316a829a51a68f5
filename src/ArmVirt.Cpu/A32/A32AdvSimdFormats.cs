namespace ArmVirt.Cpu.A32;

/// <summary>
/// Operand formats of the A32 Advanced SIMD data-processing encodings (Arm ARM F4.1 "Advanced SIMD data-processing"):
/// d, n, m are D register numbers (D:Vd, N:Vn, M:Vm), <see cref="A32Operands.SetFlags"/> is Q (a quadword operation),
/// <see cref="A32Operands.Unsigned"/> is U, <see cref="A32Operands.Size"/> the element size in bits.
/// </summary>
internal static class A32AdvSimdFormats
{
    private static int Field(uint insn, int hi, int lo) => (int)((insn >> lo) & ((1u << (hi - lo + 1)) - 1));
    private static bool Bit(uint insn, int n) => ((insn >> n) & 1) != 0;
    private static int D(uint insn) => Field(insn, 22, 22) << 4 | Field(insn, 15, 12);
    private static int N(uint insn) => Field(insn, 7, 7) << 4 | Field(insn, 19, 16);
    private static int M(uint insn) => Field(insn, 5, 5) << 4 | Field(insn, 3, 0);

    /// <summary>
    /// Three registers of the same length (1111 001U 0 D size Vn Vd opc N Q M o1 Vm): Imm = opc:o1, Imm2 = size (raw;
    /// the floating-point forms' op is size&lt;1&gt;).
    /// </summary>
    public static A32Operands ThreeSame(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Rn = N(insn), Rm = M(insn), Size = 8 << Field(insn, 21, 20), Imm2 = Field(insn, 21, 20),
        Unsigned = Bit(insn, 24), SetFlags = Bit(insn, 6), Imm = (uint)(Field(insn, 11, 8) << 1 | Field(insn, 4, 4)),
    };

    /// <summary>Three registers of different lengths (1111 001U 1 D size Vn Vd opc N 0 M 0 Vm): Imm = opc.</summary>
    public static A32Operands ThreeDifferent(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Rn = N(insn), Rm = M(insn), Size = 8 << Field(insn, 21, 20), Unsigned = Bit(insn, 24), Imm = (uint)Field(insn, 11, 8),
    };

    /// <summary>
    /// Two registers and a scalar (1111 001Q 1 D size Vn Vd opc N 1 M 0 Vm): Imm = opc, Rm the scalar's D register,
    /// Imm2 its index (16-bit: Vm&lt;2:0&gt; and M:Vm&lt;3&gt;; 32-bit: Vm and M); bit 24 is Q for the same-length forms and U
    /// for the long ones, so both <see cref="A32Operands.SetFlags"/> and <see cref="A32Operands.Unsigned"/> hold it.
    /// </summary>
    public static A32Operands TwoRegisterScalar(uint insn)
    {
        int size = Field(insn, 21, 20);
        int vm = Field(insn, 3, 0), mBit = Field(insn, 5, 5);
        var (m, index) = size == 1 ? (vm & 7, mBit << 1 | vm >> 3) : (vm, mBit);
        return new()
        {
            Cond = 0xE, Rd = D(insn), Rn = N(insn), Rm = m, Imm2 = index, Size = 8 << size, Imm = (uint)Field(insn, 11, 8),
            SetFlags = Bit(insn, 24), Unsigned = Bit(insn, 24),
        };
    }

    /// <summary>
    /// Two registers and a shift amount (1111 001U 1 D imm6 Vd opc L Q M 1 Vm): Size from L:imm6, Imm = opc, Imm2 = the
    /// right shift (2 * esize - imm6) and <see cref="A32Operands.ShiftAmount"/> the left shift (imm6 - esize), Index = bit 6
    /// (the B/op bit of the narrowing forms).
    /// </summary>
    public static A32Operands Shift(uint insn)
    {
        int imm6 = Field(insn, 21, 16);
        int esize = Bit(insn, 7) ? 64 : imm6 >= 32 ? 32 : imm6 >= 16 ? 16 : 8;
        int imm = Bit(insn, 7) ? imm6 : imm6 & (esize - 1);
        return new()
        {
            Cond = 0xE, Rd = D(insn), Rm = M(insn), Size = esize, Imm = (uint)Field(insn, 11, 8), Imm2 = esize - imm, ShiftAmount = imm,
            Unsigned = Bit(insn, 24), SetFlags = Bit(insn, 6), Index = Bit(insn, 6),
        };
    }

    /// <summary>
    /// Two registers, miscellaneous (1111 0011 1 D 11 size opc1 Vd 0 opc2 Q M 0 Vm): Imm = opc1:opc2 (bits 17..16 and
    /// 10..7), Size = the element size.
    /// </summary>
    public static A32Operands TwoRegisterMisc(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Rm = M(insn), Size = 8 << Field(insn, 19, 18), Imm = (uint)(Field(insn, 17, 16) << 4 | Field(insn, 10, 7)), SetFlags = Bit(insn, 6),
    };

    /// <summary>One register and a modified immediate (1111 001i 1 D 000 imm3 Vd cmode 0 Q op 1 imm4): Imm = imm8, Imm2 = cmode, Unsigned = op.</summary>
    public static A32Operands ModifiedImmediate(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Imm = (uint)(Field(insn, 24, 24) << 7 | Field(insn, 18, 16) << 4 | Field(insn, 3, 0)), Imm2 = Field(insn, 11, 8),
        Unsigned = Bit(insn, 5), SetFlags = Bit(insn, 6),
    };

    /// <summary>VEXT (1111 0010 1 D 11 Vn Vd imm4 N Q M 0 Vm): Imm = imm4 (the first byte).</summary>
    public static A32Operands Extract(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Rn = N(insn), Rm = M(insn), Imm = (uint)Field(insn, 11, 8), SetFlags = Bit(insn, 6),
    };

    /// <summary>VTBL, VTBX (1111 0011 1 D 11 Vn Vd 10 len N op M 0 Vm): Imm2 = len + 1 registers, Unsigned = op (VTBX).</summary>
    public static A32Operands Table(uint insn) => new()
    {
        Cond = 0xE, Rd = D(insn), Rn = N(insn), Rm = M(insn), Imm2 = Field(insn, 9, 8) + 1, Unsigned = Bit(insn, 6),
    };

    /// <summary>VDUP (scalar) (1111 0011 1 D 11 imm4 Vd 11000 Q M 0 Vm): Size and Imm2 = the index from imm4 (Size 0 when unallocated).</summary>
    public static A32Operands DuplicateScalar(uint insn)
    {
        int imm4 = Field(insn, 19, 16);
        var (size, index) = (imm4 & 1) != 0 ? (8, imm4 >> 1) : (imm4 & 2) != 0 ? (16, imm4 >> 2) : (imm4 & 4) != 0 ? (32, imm4 >> 3) : (0, 0);
        return new() { Cond = 0xE, Rd = D(insn), Rm = M(insn), Size = size, Imm2 = index, SetFlags = Bit(insn, 6) };
    }

    /// <summary>
    /// Element and structure loads and stores (1111 0100 A D L 0 Rn Vd type/size... Rm): Rd = the first D register, Rn
    /// the base, Rm the post-index register (15: none, 13: by the transfer size), Size = the element size in bits (0 for
    /// an UNDEFINED combination), Imm = the alignment in bytes, Imm2 = the structure size N (VLDn), ShiftAmount = the
    /// register count (VLD1) or structure repeats (VLD2 with type 0011), ShiftType = the register increment,
    /// Registers = the lane index, SetFlags = L (a load), Kind = Immediate (multiple structures), Register (one lane) or
    /// RegisterShiftedRegister (all lanes).
    /// </summary>
    public static A32Operands ElementOrStructure(uint insn)
    {
        int size = Field(insn, 7, 6), esize = 8 << size, rd = D(insn), align = 1, n, regs = 1, inc = 1, index = 0;
        var kind = A32OperandKind.Immediate;
        bool valid = true;
        if (!Bit(insn, 23))
        {
            int type = Field(insn, 11, 8), a = Field(insn, 5, 4);
            (n, regs, inc) = type switch
            {
                0b0111 => (1, 1, 1), 0b1010 => (1, 2, 1), 0b0110 => (1, 3, 1), 0b0010 => (1, 4, 1),
                0b1000 => (2, 1, 1), 0b1001 => (2, 1, 2), 0b0011 => (2, 2, 2),
                0b0100 => (3, 1, 1), 0b0101 => (3, 1, 2), 0b0000 => (4, 1, 1), 0b0001 => (4, 1, 2),
                _ => (0, 0, 0),
            };
            align = a == 0 ? 1 : 4 << a;
            valid = n != 0 && (n == 1 || size != 3)
                && !(n == 1 && ((regs is 1 or 3 && (a & 2) != 0) || (regs == 2 && a == 3)))
                && !(n == 2 && regs == 1 && a == 3) && !(n == 3 && (a & 2) != 0)
                && (n == 1 ? rd + regs - 1 : n == 2 && regs == 2 ? rd + 3 : rd + (n - 1) * inc) <= 31;
        }
        else if (Field(insn, 11, 10) != 3)
        {
            kind = A32OperandKind.Register;
            size = Field(insn, 11, 10);
            esize = 8 << size;
            n = Field(insn, 9, 8) + 1;
            int ia = Field(insn, 7, 4);
            index = ia >> (size + 1);
            inc = n > 1 && size > 0 && (ia & (1 << size)) != 0 ? 2 : 1;
            int low = ia & ((1 << (size + 1)) - 1) & ~(n > 1 && size > 0 ? 1 << size : 0); // the alignment bits
            (valid, align) = (n, size) switch
            {
                (1, 0) => (low == 0, 1),
                (1, 1) => (true, low != 0 ? 2 : 1),
                (1, _) => (low is 0 or 3, low != 0 ? 4 : 1),
                (2, 0) => (true, low != 0 ? 2 : 1),
                (2, 1) => (true, low != 0 ? 4 : 1),
                (2, _) => ((low & 2) == 0, low != 0 ? 8 : 1),
                (3, _) => (low == 0, 1),
                (_, 0) => (true, low != 0 ? 4 : 1),
                (_, 1) => (true, low != 0 ? 8 : 1),
                _ => (low != 3, low == 0 ? 1 : 4 << low),
            };
            valid &= rd + (n - 1) * inc <= 31;
        }
        else
        {
            kind = A32OperandKind.RegisterShiftedRegister;
            n = Field(insn, 9, 8) + 1;
            bool t = Bit(insn, 5), a = Bit(insn, 4);
            if (n == 4 && size == 3) { size = 2; esize = 32; align = a ? 16 : 1; valid = a; }
            else
            {
                valid = size != 3 && !(n == 1 && size == 0 && a) && !(n == 3 && a);
                int ebytes = 1 << size;
                align = !a ? 1 : n switch { 1 => ebytes, 2 => 2 * ebytes, _ => size == 2 ? 8 : 4 * ebytes };
            }
            regs = n == 1 && t ? 2 : 1;
            inc = n > 1 && t ? 2 : 1;
            valid &= rd + (n == 1 ? regs - 1 : (n - 1) * inc) <= 31;
            valid &= Bit(insn, 21); // all-lanes forms are loads
        }
        return new()
        {
            Cond = 0xE, Rd = rd, Rn = Field(insn, 19, 16), Rm = Field(insn, 3, 0), Size = valid ? esize : 0, Imm = (uint)align,
            Imm2 = n, ShiftAmount = regs, ShiftType = inc, Registers = (ushort)index, SetFlags = Bit(insn, 21), Kind = kind,
        };
    }
}
