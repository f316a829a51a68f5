namespace ArmVirt.Cpu.A32;

/// <summary>
/// The decoded operands of one A32 instruction, filled once by its row's operand format (<see cref="A32Formats"/>)
/// so that handlers never extract fields from the word (as ARMeilleure's OpCode32 classes): registers, immediates
/// already expanded (A32ExpandImm_C, DecodeImmShift, the branch offset), shift type and amount, the addressing-mode
/// flags P, U and W, and the register list of LDM/STM. Fields an instruction does not use are zero.
/// </summary>
internal readonly record struct A32Operands
{
    /// <summary>The condition field cond (bits 31..28); 0xE for the unconditional space too.</summary>
    public int Cond { get; init; }
    /// <summary>Rd (or Rt, the transfer register; RdLo of long multiplies).</summary>
    public int Rd { get; init; }
    /// <summary>Rn (the base register of loads and stores).</summary>
    public int Rn { get; init; }
    /// <summary>Rm (the offset or second source register).</summary>
    public int Rm { get; init; }
    /// <summary>Rs (the shift register of register-shifted forms), Ra of MLA/MLS, RdHi of long multiplies, Rt2 of STREXD.</summary>
    public int Rs { get; init; }
    /// <summary>The immediate, expanded: A32ExpandImm, imm12/imm8 offsets, imm16, imm24, the branch offset, the bitfield lsb.</summary>
    public uint Imm { get; init; }
    /// <summary>A second immediate: the bitfield width or msb, the saturation bound, the MRC/MCR opc2.</summary>
    public int Imm2 { get; init; }
    /// <summary>
    /// The carry out of A32ExpandImm_C: 0 or 1 when the rotation is non-zero (bit 31 of the result), -1 when it is
    /// zero (the carry is PSTATE.C).
    /// </summary>
    public int ImmCarry { get; init; }
    /// <summary>Shift type: <see cref="A32Shift.Lsl"/>, Lsr, Asr, Ror or <see cref="A32Shift.Rrx"/> (DecodeImmShift).</summary>
    public int ShiftType { get; init; }
    /// <summary>Shift amount after DecodeImmShift (LSR #0 and ASR #0 mean 32, RRX is 1).</summary>
    public int ShiftAmount { get; init; }
    /// <summary>How the second operand is formed (immediate, shifted register, register-shifted register).</summary>
    public A32OperandKind Kind { get; init; }
    /// <summary>S: the instruction sets the flags.</summary>
    public bool SetFlags { get; init; }
    /// <summary>P: index (offset applied before the access).</summary>
    public bool Index { get; init; }
    /// <summary>U: add the offset (else subtract).</summary>
    public bool Add { get; init; }
    /// <summary>W (or P = 0): write the address back to Rn.</summary>
    public bool WriteBack { get; init; }
    /// <summary>P = 0 and W = 1 on a single load or store: the unprivileged (T) form.</summary>
    public bool Unprivileged { get; init; }
    /// <summary>The register list of LDM/STM (bit n = Rn).</summary>
    public ushort Registers { get; init; }
    /// <summary>T32: the instruction executes whatever the condition of its IT block (BKPT).</summary>
    public bool Unconditional { get; init; }
    /// <summary>
    /// VFP and Advanced SIMD: the operand size in bits (VFP: 32 for S, 64 for D registers; Advanced SIMD: the element
    /// size). <see cref="Rd"/>, <see cref="Rn"/> and <see cref="Rm"/> then hold the SIMD&amp;FP register numbers d, n, m
    /// as the encoding's Vd:D / D:Vd rules give them.
    /// </summary>
    public int Size { get; init; }
    /// <summary>VFP and Advanced SIMD: the operation is unsigned (the U bit, or the op bit of an integer conversion).</summary>
    public bool Unsigned { get; init; }
}

/// <summary>The forms of a data-processing second operand (Arm ARM F4.1.2 "Data-processing and miscellaneous instructions").</summary>
internal enum A32OperandKind : byte
{
    /// <summary>A modified immediate constant (A32ExpandImm_C) or a plain immediate offset.</summary>
    Immediate,
    /// <summary>Rm shifted by an immediate (DecodeImmShift).</summary>
    Register,
    /// <summary>Rm shifted by the bottom byte of Rs.</summary>
    RegisterShiftedRegister,
}
