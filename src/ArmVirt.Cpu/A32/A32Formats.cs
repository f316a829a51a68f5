namespace ArmVirt.Cpu.A32;

/// <summary>
/// The operand formats of the A32 encodings (Arm ARM F4.1, field names from the encoding diagrams): each builds the
/// typed <see cref="A32Operands"/> of one family from the word.
/// </summary>
internal static class A32Formats
{
    private static int Field(uint insn, int hi, int lo) => (int)((insn >> lo) & ((1u << (hi - lo + 1)) - 1));
    private static bool Bit(uint insn, int n) => ((insn >> n) & 1) != 0;
    private static int Cond(uint insn) => (int)(insn >> 28) == 0xF ? 0xE : (int)(insn >> 28);

    /// <summary>No operands (UNDEFINED, barriers without options).</summary>
    public static A32Operands None(uint insn) => new() { Cond = Cond(insn) };

    /// <summary>Data-processing (immediate): cond 001 opc S Rn Rd imm12, imm12 through A32ExpandImm_C.</summary>
    public static A32Operands DataProcessingImmediate(uint insn)
    {
        uint imm = A32Shift.ExpandImm(insn & 0xFFF, out int carry);
        return new() { Cond = Cond(insn), Kind = A32OperandKind.Immediate, SetFlags = Bit(insn, 20), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Imm = imm, ImmCarry = carry };
    }

    /// <summary>Data-processing (register): cond 000 opc S Rn Rd imm5 type 0 Rm, the shift through DecodeImmShift.</summary>
    public static A32Operands DataProcessingRegister(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 6, 5), Field(insn, 11, 7));
        return new() { Cond = Cond(insn), Kind = A32OperandKind.Register, SetFlags = Bit(insn, 20), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>Data-processing (register-shifted register): cond 000 opc S Rn Rd Rs 0 type 1 Rm.</summary>
    public static A32Operands DataProcessingRegisterShifted(uint insn) =>
        new() { Cond = Cond(insn), Kind = A32OperandKind.RegisterShiftedRegister, SetFlags = Bit(insn, 20), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rs = Field(insn, 11, 8), Rm = Field(insn, 3, 0), ShiftType = Field(insn, 6, 5) };

    /// <summary>MOVW/MOVT: cond 0011 0H00 imm4 Rd imm12, imm16 = imm4:imm12.</summary>
    public static A32Operands MoveWide(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Imm = (uint)((Field(insn, 19, 16) << 12) | Field(insn, 11, 0)) };

    /// <summary>
    /// Multiply and multiply-accumulate: cond 0000 opc S Rd(hi) Ra(lo) Rm 1001 Rn. Rd is bits 19..16 (RdHi for long
    /// forms), <see cref="A32Operands.Rs"/> bits 15..12 (Ra, or RdLo), Rm bits 11..8 and Rn bits 3..0.
    /// </summary>
    public static A32Operands Multiply(uint insn) =>
        new() { Cond = Cond(insn), SetFlags = Bit(insn, 20), Rd = Field(insn, 19, 16), Rs = Field(insn, 15, 12), Rm = Field(insn, 11, 8), Rn = Field(insn, 3, 0), Imm = (uint)Field(insn, 6, 5) };

    /// <summary>Register forms of the miscellaneous and media spaces (CLZ, REV, RBIT, QADD...): Rn 19..16, Rd 15..12, Rs 11..8, Rm 3..0.</summary>
    public static A32Operands RegisterMisc(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), Rn = Field(insn, 19, 16), Rs = Field(insn, 11, 8) };

    /// <summary>
    /// Parallel add/subtract, SEL, PKH, SSAT16/USAT16 (cond 0110 op1 Rn Rd ... op2 1 Rm): Rn 19..16, Rd 15..12, Rm 3..0,
    /// Imm = op1 (bits 22..20) &lt;&lt; 4 | op2 (bits 7..5), Imm2 = bits 19..16 (the SSAT16/USAT16 bound), the PKH shift
    /// through DecodeImmShift(tb:'0', imm5).
    /// </summary>
    public static A32Operands ParallelArithmetic(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 6, 6) << 1, Field(insn, 11, 7));
        return new()
        {
            Cond = Cond(insn), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0),
            Imm = (uint)((Field(insn, 22, 20) << 4) | Field(insn, 7, 5)), Imm2 = Field(insn, 19, 16), ShiftType = type, ShiftAmount = amount,
        };
    }

    /// <summary>SDIV/UDIV (cond 0111 0xx1 Rd 1111 Rm 0001 Rn): Rd 19..16, Rm 11..8, Rn 3..0.</summary>
    public static A32Operands Divide(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 19, 16), Rm = Field(insn, 11, 8), Rn = Field(insn, 3, 0) };

    /// <summary>Extend and add (SXTAB ... UXTH): cond 0110 1 op Rn Rd rotate 00 0111 Rm; the rotation in bits.</summary>
    public static A32Operands Extend(uint insn) =>
        new() { Cond = Cond(insn), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), ShiftAmount = Field(insn, 11, 10) * 8 };

    /// <summary>SBFX/UBFX (cond 0111 1U1 widthm1 Rd lsb 101 Rn): Imm = lsb, Imm2 = width - 1.</summary>
    public static A32Operands BitfieldExtract(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 3, 0), Imm = (uint)Field(insn, 11, 7), Imm2 = Field(insn, 20, 16) };

    /// <summary>BFI/BFC (cond 0111 110 msb Rd lsb 001 Rn): Imm = lsb, Imm2 = msb; Rn = 15 is BFC.</summary>
    public static A32Operands BitfieldInsert(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 3, 0), Imm = (uint)Field(insn, 11, 7), Imm2 = Field(insn, 20, 16) };

    /// <summary>SSAT/USAT (cond 0110 1U1 sat_imm Rd imm5 sh 01 Rn): Imm2 = sat_imm, the shift through DecodeImmShift(sh:0).</summary>
    public static A32Operands Saturate(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 6, 6) << 1, Field(insn, 11, 7));
        return new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 3, 0), Imm2 = Field(insn, 20, 16), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>Load/store word and unsigned byte (immediate): cond 010 P U B W L Rn Rt imm12.</summary>
    public static A32Operands LoadStoreImmediate(uint insn) =>
        new() { Cond = Cond(insn), Kind = A32OperandKind.Immediate, Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = !Bit(insn, 24) || Bit(insn, 21), Unprivileged = !Bit(insn, 24) && Bit(insn, 21), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Imm = insn & 0xFFF };

    /// <summary>Load/store word and unsigned byte (register): cond 011 P U B W L Rn Rt imm5 type 0 Rm.</summary>
    public static A32Operands LoadStoreRegister(uint insn)
    {
        var (type, amount) = A32Shift.DecodeImmShift(Field(insn, 6, 5), Field(insn, 11, 7));
        return new() { Cond = Cond(insn), Kind = A32OperandKind.Register, Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = !Bit(insn, 24) || Bit(insn, 21), Unprivileged = !Bit(insn, 24) && Bit(insn, 21), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), ShiftType = type, ShiftAmount = amount };
    }

    /// <summary>
    /// Extra load/store (LDRH, STRH, LDRSB, LDRSH, LDRD, STRD): cond 000 P U I W L Rn Rt imm4H 1 op2 1 imm4L/Rm;
    /// I = 1 is the immediate imm4H:imm4L, I = 0 the register Rm (no shift).
    /// </summary>
    public static A32Operands LoadStoreExtra(uint insn)
    {
        bool immediate = Bit(insn, 22);
        return new()
        {
            Cond = Cond(insn), Kind = immediate ? A32OperandKind.Immediate : A32OperandKind.Register,
            Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = !Bit(insn, 24) || Bit(insn, 21),
            Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0),
            Imm = immediate ? (uint)((Field(insn, 11, 8) << 4) | Field(insn, 3, 0)) : 0,
        };
    }

    /// <summary>LDM/STM: cond 100 P U 0 W L Rn register_list.</summary>
    public static A32Operands LoadStoreMultiple(uint insn) =>
        new() { Cond = Cond(insn), Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = Bit(insn, 21), Rn = Field(insn, 19, 16), Registers = (ushort)insn };

    /// <summary>
    /// Exclusive and acquire/release loads and stores: cond 0001 1 sz L Rn Rt(d) xx 1001 Rt. Rd is bits 15..12 (the
    /// status register of a store-exclusive, the destination of a load), Rm bits 3..0 (the source of a store); Rs is the
    /// doubleword forms' Rt2 = Rt + 1 (A32 has no Rt2 field; T32's is its own, <see cref="T32Formats.ExclusiveDual32"/>).
    /// </summary>
    public static A32Operands Synchronization(uint insn)
    {
        int rt = Bit(insn, 20) ? Field(insn, 15, 12) : Field(insn, 3, 0);
        return new() { Cond = Cond(insn), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), Rs = (rt + 1) & 15 };
    }

    /// <summary>B, BL: cond 101 L imm24, Imm = SignExtend(imm24:'00').</summary>
    public static A32Operands Branch(uint insn) =>
        new() { Cond = Cond(insn), Imm = (uint)(((int)(insn << 8)) >> 6) };

    /// <summary>BLX (immediate): 1111 101 H imm24, Imm = SignExtend(imm24:H:'0').</summary>
    public static A32Operands BranchExchangeImmediate(uint insn) =>
        new() { Cond = 0xE, Imm = (uint)(((int)(insn << 8)) >> 6) | (uint)(Field(insn, 24, 24) << 1) };

    /// <summary>BX, BLX (register), BXJ: the target register Rm.</summary>
    public static A32Operands BranchRegister(uint insn) => new() { Cond = Cond(insn), Rm = Field(insn, 3, 0) };

    /// <summary>SETEND: 1111 0001 0000 0001 0000 00 E 0 0000 0000, Imm = E.</summary>
    public static A32Operands Setend(uint insn) => new() { Cond = Cond(insn), Imm = (insn >> 9) & 1 };

    /// <summary>SVC, BKPT, UDF, hints, barriers: Imm = imm24 (SVC), imm12:imm4 (BKPT, UDF), the hint or barrier option.</summary>
    public static A32Operands Immediate(uint insn)
    {
        uint imm = (insn & 0x0F00_0000) == 0x0F00_0000 ? insn & 0xFF_FFFF : ((insn >> 4) & 0xFFF0) | (insn & 0xF);
        if ((insn & 0x0FFF_FF00) == 0x0320_F000 || (insn & 0xFFFF_FF00) == 0xF57F_F000) imm = insn & 0xFF;
        return new() { Cond = Cond(insn), Imm = imm };
    }

    /// <summary>MRS (cond 0001 0R00 1111 Rd 0000 0000 0000) and MSR (register / immediate): mask bits 19..16 as Imm2.</summary>
    public static A32Operands StatusRegister(uint insn)
    {
        uint imm = Bit(insn, 25) ? A32Shift.ExpandImm(insn & 0xFFF, out _) : 0;
        return new() { Cond = Cond(insn), Kind = Bit(insn, 25) ? A32OperandKind.Immediate : A32OperandKind.Register, Rd = Field(insn, 15, 12), Rn = Field(insn, 3, 0), Imm = imm, Imm2 = Field(insn, 19, 16) };
    }

    /// <summary>
    /// MRS and MSR of the CPSR or SPSR (cond 0001 0R00 1111 Rd 0000 0000 0000, cond 00x1 0R10 mask 1111 ...): as
    /// <see cref="StatusRegister"/>, with SetFlags = R (the SPSR).
    /// </summary>
    public static A32Operands SavedStatusRegister(uint insn) => StatusRegister(insn) with { SetFlags = Bit(insn, 22) };

    /// <summary>
    /// MRS and MSR (banked register): cond 0001 0R00 M1 Rd 001M 0000 0000 and cond 0001 0R10 M1 1111 001M 0000 Rn;
    /// Imm2 = SYSm (M:M1), SetFlags = R, Rd, Rn.
    /// </summary>
    public static A32Operands BankedRegister(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 3, 0), Imm2 = (Field(insn, 8, 8) << 4) | Field(insn, 19, 16), SetFlags = Bit(insn, 22) };

    /// <summary>
    /// CPS: 1111 0001 0000 imod M 0 0000 000 A I F 0 mode. Imm2 = imod, Imm = the A I F bits at their CPSR positions
    /// (8..6), SetFlags = M (change mode), Rd = mode.
    /// </summary>
    public static A32Operands ChangeProcessorState(uint insn) =>
        new() { Cond = 0xE, Imm2 = Field(insn, 19, 18), Imm = (uint)Field(insn, 8, 6) << 6, SetFlags = Bit(insn, 17), Rd = Field(insn, 4, 0) };

    /// <summary>
    /// LDC/STC (cond 110 P U D W L Rn CRd coproc imm8; T32: 1110 110 P U D W L Rn : CRd coproc imm8): Rd = CRd, Rn, Imm =
    /// imm8 (the offset is imm8 &lt;&lt; 2), Index = P, Add = U, WriteBack = W, SetFlags = L (LDC).
    /// </summary>
    public static A32Operands CoprocessorLoadStore(uint insn) => new()
    {
        Cond = Cond(insn), SetFlags = Bit(insn, 20), Rd = Field(insn, 15, 12), Rn = Field(insn, 19, 16), Imm = (uint)Field(insn, 7, 0),
        Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = Bit(insn, 21),
    };

    /// <summary>
    /// MCR/MRC (cond 1110 opc1 L CRn Rt coproc opc2 1 CRm) and MCRR/MRRC (cond 1100 010 L Rt2 Rt coproc opc1 CRm):
    /// Rd = Rt, Rs = Rt2, Rn = CRn, Rm = CRm, Imm = coproc &lt;&lt; 8 | opc1 &lt;&lt; 4 | opc2, SetFlags = L (a read).
    /// </summary>
    public static A32Operands Coprocessor(uint insn)
    {
        bool pair = (insn & 0x0F00_0000) == 0x0C00_0000;
        int opc1 = pair ? Field(insn, 7, 4) : Field(insn, 23, 21);
        int opc2 = pair ? 0 : Field(insn, 7, 5);
        return new()
        {
            Cond = Cond(insn), SetFlags = Bit(insn, 20), Rd = Field(insn, 15, 12), Rs = pair ? Field(insn, 19, 16) : 0,
            Rn = pair ? 0 : Field(insn, 19, 16), Rm = Field(insn, 3, 0), Imm = (uint)((Field(insn, 11, 8) << 8) | (opc1 << 4) | opc2),
            Kind = pair ? A32OperandKind.RegisterShiftedRegister : A32OperandKind.Register,
        };
    }

    // ---- VFP (F4.1 "Floating-point data-processing", "Advanced SIMD and floating-point 64-bit move", "Advanced SIMD
    // and floating-point load/store", "Floating-point move special register") ----

    // VFP register numbers (F5.1 VFP register encodings): D:Vd for a D register, Vd:D for an S register.
    private static int VfpRegister(uint insn, int vLow, int xBit, int size)
    {
        int v = Field(insn, vLow + 3, vLow), x = Field(insn, xBit, xBit);
        return size == 64 ? x << 4 | v : v << 1 | x;
    }

    private static int VfpD(uint insn, int size) => VfpRegister(insn, 12, 22, size);
    private static int VfpN(uint insn, int size) => VfpRegister(insn, 16, 7, size);
    private static int VfpM(uint insn, int size) => VfpRegister(insn, 0, 5, size);
    private static int VfpSize(uint insn) => Bit(insn, 8) ? 64 : 32;

    /// <summary>
    /// VFP data-processing with three registers (cond 1110 opc1 Vn Vd 101 sz N opc3 M 0 Vm), VSEL and VMAXNM/VMINNM:
    /// d, n, m of size sz; Imm = opc1&lt;3&gt;:opc1&lt;1:0&gt;:opc3&lt;0&gt; (bits 23, 21..20, 6) selecting the operation; Imm2 = the
    /// VSEL condition field (bits 21..20).
    /// </summary>
    public static A32Operands VfpThreeRegister(uint insn)
    {
        int size = VfpSize(insn);
        return new()
        {
            Cond = Cond(insn), Size = size, Rd = VfpD(insn, size), Rn = VfpN(insn, size), Rm = VfpM(insn, size),
            Imm = (uint)(Field(insn, 23, 23) << 3 | Field(insn, 21, 20) << 1 | Field(insn, 6, 6)), Imm2 = Field(insn, 21, 20),
        };
    }

    /// <summary>
    /// VFP data-processing with two registers of size sz (cond 1110 1D11 opc2 Vd 101 sz opc3 M 0 Vm): d and m; Imm2 =
    /// bit 7 (the E bit of VCMP, op of VRINTR/VRINTZ), Imm = bits 17..16 (the rounding mode of VRINTA/N/P/M).
    /// </summary>
    public static A32Operands VfpTwoRegister(uint insn)
    {
        int size = VfpSize(insn);
        return new() { Cond = Cond(insn), Size = size, Rd = VfpD(insn, size), Rm = VfpM(insn, size), Imm2 = Field(insn, 7, 7), Imm = (uint)Field(insn, 17, 16) };
    }

    /// <summary>VMOV (immediate): cond 1110 1D11 imm4H Vd 101 sz 0000 imm4L; Imm = imm8 (VFPExpandImm in the handler).</summary>
    public static A32Operands VfpImmediate(uint insn)
    {
        int size = VfpSize(insn);
        return new() { Cond = Cond(insn), Size = size, Rd = VfpD(insn, size), Imm = (uint)(Field(insn, 19, 16) << 4 | Field(insn, 3, 0)) };
    }

    /// <summary>
    /// VCVT, VCVTR (floating-point to integer) and VCVTA/N/P/M: cond 1110 1D11 1 1 0/RM Vd 101 sz op 1 M 0 Vm. d is an S
    /// register, m has size sz; Unsigned = !bit 16 (VCVT/VCVTR) or !bit 7 (VCVTA...); Imm2 = bit 7 (round towards
    /// zero for VCVT), Imm = bits 17..16 (the rounding mode of VCVTA/N/P/M).
    /// </summary>
    public static A32Operands VfpToInteger(uint insn)
    {
        int size = VfpSize(insn);
        bool directed = (insn >> 28) == 0xF;
        return new()
        {
            Cond = Cond(insn), Size = size, Rd = VfpD(insn, 32), Rm = VfpM(insn, size), Imm2 = Field(insn, 7, 7), Imm = (uint)Field(insn, 17, 16),
            Unsigned = directed ? !Bit(insn, 7) : !Bit(insn, 16),
        };
    }

    /// <summary>VCVT (integer to floating-point): cond 1110 1D11 1000 Vd 101 sz op 1 M 0 Vm; d has size sz, m is an S register, Unsigned = !op.</summary>
    public static A32Operands VfpFromInteger(uint insn)
    {
        int size = VfpSize(insn);
        return new() { Cond = Cond(insn), Size = size, Rd = VfpD(insn, size), Rm = VfpM(insn, 32), Unsigned = !Bit(insn, 7) };
    }

    /// <summary>
    /// VCVT (between floating-point and fixed-point): cond 1110 1D11 1 op 1 U Vd 101 sf sx 1 i 0 imm4. d has size sf;
    /// Imm2 = the fixed-point size (16 when sx = 0, else 32), Imm = the fraction bits (size - imm4:i), Unsigned = U.
    /// </summary>
    public static A32Operands VfpFixed(uint insn)
    {
        int size = VfpSize(insn), fixedSize = Bit(insn, 7) ? 32 : 16;
        int imm5 = Field(insn, 3, 0) << 1 | Field(insn, 5, 5);
        return new() { Cond = Cond(insn), Size = size, Rd = VfpD(insn, size), Imm2 = fixedSize, Imm = (uint)(fixedSize - imm5), Unsigned = Bit(insn, 16) };
    }

    /// <summary>VCVT (between double-precision and single-precision): Size = the source size sz, Imm2 = the destination size.</summary>
    public static A32Operands VfpConvertPrecision(uint insn)
    {
        int size = VfpSize(insn), to = 96 - size;
        return new() { Cond = Cond(insn), Size = size, Imm2 = to, Rd = VfpD(insn, to), Rm = VfpM(insn, size) };
    }

    /// <summary>
    /// VCVTB, VCVTT (cond 1110 1D11 001 op Vd 101 sz T 1 M 0 Vm): Size = the source size, Imm2 = the destination size (16
    /// for op = 1), Imm = 16 for T (the top half of the S register holding the half-precision value), else 0.
    /// </summary>
    public static A32Operands VfpConvertHalf(uint insn)
    {
        int size = VfpSize(insn);
        bool toHalf = Bit(insn, 16);
        return new()
        {
            Cond = Cond(insn), Size = toHalf ? size : 16, Imm2 = toHalf ? 16 : size, Imm = Bit(insn, 7) ? 16u : 0,
            Rd = VfpD(insn, toHalf ? 32 : size), Rm = VfpM(insn, toHalf ? size : 32),
        };
    }

    /// <summary>
    /// VLDR/VSTR (cond 1101 U D 0 L Rn Vd 101 sz imm8) and VLDM/VSTM/VPUSH/VPOP (cond 110 P U D W L Rn Vd 101 sz imm8): Rn,
    /// d of size sz, Imm = imm8 * 4, Imm2 = the register count (imm8, or imm8 / 2 for D registers), P, U, W.
    /// </summary>
    public static A32Operands VfpLoadStore(uint insn)
    {
        int size = VfpSize(insn), imm8 = Field(insn, 7, 0);
        return new()
        {
            Cond = Cond(insn), Size = size, Rn = Field(insn, 19, 16), Rd = VfpD(insn, size), Imm = (uint)imm8 * 4,
            Imm2 = size == 64 ? imm8 / 2 : imm8, Index = Bit(insn, 24), Add = Bit(insn, 23), WriteBack = Bit(insn, 21),
        };
    }

    /// <summary>VMOV (between general-purpose register and single-precision register): Rd = Rt, Rn = Vn:N, SetFlags = op (to Rt).</summary>
    public static A32Operands VfpMoveSingle(uint insn) =>
        new() { Cond = Cond(insn), Size = 32, Rd = Field(insn, 15, 12), Rn = VfpN(insn, 32), SetFlags = Bit(insn, 20) };

    /// <summary>
    /// VMOV (between two general-purpose registers and a doubleword / two single-precision registers): cond 1100 010 op
    /// Rt2 Rt 101 sz 00 M 1 Vm; Rd = Rt, Rs = Rt2, Rm = M:Vm (D) or Vm:M (the first S), SetFlags = op (to Rt, Rt2).
    /// </summary>
    public static A32Operands VfpMovePair(uint insn)
    {
        int size = VfpSize(insn);
        return new() { Cond = Cond(insn), Size = size, Rd = Field(insn, 15, 12), Rs = Field(insn, 19, 16), Rm = VfpM(insn, size), SetFlags = Bit(insn, 20) };
    }

    /// <summary>VMRS/VMSR: cond 1110 111 L reg Rt 1010 0001 0000; Rd = Rt, Imm2 = reg, SetFlags = L (VMRS).</summary>
    public static A32Operands VfpSystem(uint insn) =>
        new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Imm2 = Field(insn, 19, 16), SetFlags = Bit(insn, 20) };

    /// <summary>
    /// VMOV (general-purpose register to scalar: cond 1110 0 opc1 0 Vd Rt 1011 D opc2 1 0000; scalar to general-purpose
    /// register: cond 1110 U opc1 1 Vn Rt 1011 N opc2 1 0000): Rd = Rt, Rn = the D register, Size = the element size
    /// and Imm = the index from opc1:opc2, Unsigned = U, SetFlags = to Rt. opc1:opc2 = 0x10 is UNDEFINED (Size = 0).
    /// </summary>
    public static A32Operands VfpScalarMove(uint insn)
    {
        int opc = Field(insn, 22, 21) << 2 | Field(insn, 6, 5);
        var (size, index) = (opc & 8) != 0 ? (8, opc & 7) : (opc & 1) != 0 ? (16, opc >> 1 & 3) : (opc & 2) == 0 ? (32, opc >> 2 & 1) : (0, 0);
        return new()
        {
            Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 7, 7) << 4 | Field(insn, 19, 16), Size = size, Imm = (uint)index,
            Unsigned = Bit(insn, 23), SetFlags = Bit(insn, 20),
        };
    }

    /// <summary>VDUP (general-purpose register): cond 1110 1 B Q 0 Vd Rt 1011 D 0 E 1 0000; Rd = Rt, Rn = D:Vd, Size from B:E, Imm2 = Q.</summary>
    public static A32Operands VfpDuplicate(uint insn)
    {
        int be = Field(insn, 22, 22) << 1 | Field(insn, 5, 5);
        return new() { Cond = Cond(insn), Rd = Field(insn, 15, 12), Rn = Field(insn, 7, 7) << 4 | Field(insn, 19, 16), Size = be switch { 0 => 32, 1 => 16, 2 => 8, _ => 0 }, Imm2 = Field(insn, 21, 21) };
    }

    /// <summary>CRC32, CRC32C (cond 0001 0 sz 0 Rn Rd (0)(0) C (0) 0100 Rm): Imm2 = sz, Unsigned = C.</summary>
    public static A32Operands Crc32(uint insn) =>
        new() { Cond = Cond(insn), Rn = Field(insn, 19, 16), Rd = Field(insn, 15, 12), Rm = Field(insn, 3, 0), Imm2 = Field(insn, 22, 21), Unsigned = Bit(insn, 9) };

    /// <summary>T32 CRC32, CRC32C (1111 1010 110 C Rn 1111 Rd 10 sz Rm): Imm2 = sz, Unsigned = C.</summary>
    public static A32Operands Crc32T32(uint insn) =>
        new() { Cond = 0xE, Rn = Field(insn, 19, 16), Rd = Field(insn, 11, 8), Rm = Field(insn, 3, 0), Imm2 = Field(insn, 5, 4), Unsigned = Bit(insn, 20) };
}
