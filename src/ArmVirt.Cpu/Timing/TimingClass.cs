namespace ArmVirt.Cpu.Timing;

/// <summary>
/// The instruction classes a <see cref="TimingModel"/> prices, derived from the decode rows
/// (<see cref="TimingClassifier"/>). They follow the groups of the Cortex-A57 Software Optimization Guide's
/// "Instruction Characteristics" tables (ARM UAN 0015B, section 3), which the Cortex-A53 figures also fit.
/// </summary>
internal enum TimingClass : byte
{
    /// <summary>Integer ALU without a shifted or extended operand (add/sub/logical immediate and register, moves, bitfield, conditional select and compare).</summary>
    IntAlu,
    /// <summary>Integer ALU with a non-zero shift or an extend of its second operand, and EXTR.</summary>
    IntAluShifted,
    /// <summary>32-bit multiply and multiply-accumulate (MADD/MSUB W), CRC32.</summary>
    IntMul32,
    /// <summary>64-bit multiply, multiply-accumulate long and high (MADD/MSUB X, SMADDL, UMULH, ...).</summary>
    IntMul64,
    /// <summary>SDIV/UDIV W.</summary>
    IntDiv32,
    /// <summary>SDIV/UDIV X.</summary>
    IntDiv64,
    /// <summary>Loads of one register (integer or SIMD&amp;FP, all addressing modes, literal), prefetches.</summary>
    Load,
    /// <summary>Loads of two registers (LDP, LDNP, LDPSW) and the SIMD structure loads.</summary>
    LoadPair,
    /// <summary>Stores of one register, DC ZVA.</summary>
    Store,
    /// <summary>Stores of two registers (STP, STNP) and the SIMD structure stores.</summary>
    StorePair,
    /// <summary>Exclusives, load-acquire/store-release, atomics and compare-and-swap.</summary>
    Atomic,
    /// <summary>B.</summary>
    Branch,
    /// <summary>BL.</summary>
    Call,
    /// <summary>B.cond, CBZ/CBNZ, TBZ/TBNZ.</summary>
    ConditionalBranch,
    /// <summary>BR.</summary>
    IndirectBranch,
    /// <summary>BLR.</summary>
    IndirectCall,
    /// <summary>RET.</summary>
    Return,
    /// <summary>ERET.</summary>
    ExceptionReturn,
    /// <summary>SVC, HVC, SMC, BRK, HLT (the exception entry itself is priced by <see cref="TimingModel.ExceptionEntryCycles"/>).</summary>
    ExceptionGenerating,
    /// <summary>MRS, MSR (register and immediate), SYS/SYSL (TLBI, AT, IC, DC by set/way).</summary>
    SystemRegister,
    /// <summary>DMB, DSB, ISB, CLREX.</summary>
    Barrier,
    /// <summary>NOP and the other hints, WFI, WFE, SEV, SEVL.</summary>
    Hint,
    /// <summary>FP add/sub, min/max, compare, select, abs/neg, moves, rounding; pairwise and across-vector FP.</summary>
    FpAdd,
    /// <summary>FMUL, FNMUL.</summary>
    FpMul,
    /// <summary>FMADD, FMSUB, FNMADD, FNMSUB.</summary>
    FpFma,
    /// <summary>FDIV single precision.</summary>
    FpDiv32,
    /// <summary>FDIV double precision.</summary>
    FpDiv64,
    /// <summary>FSQRT single precision.</summary>
    FpSqrt32,
    /// <summary>FSQRT double precision.</summary>
    FpSqrt64,
    /// <summary>Conversions: FCVT*, SCVTF/UCVTF, FMOV between the general and SIMD&amp;FP registers.</summary>
    FpConvert,
    /// <summary>SIMD permutes and moves: DUP, INS, UMOV/SMOV, EXT, TBL/TBX, ZIP/UZP/TRN, MOVI.</summary>
    SimdPermute,
    /// <summary>Other Advanced SIMD data processing (integer and FP vector arithmetic, shifts, reductions).</summary>
    SimdArithmetic,
    /// <summary>AES, SHA, PMULL.</summary>
    Crypto,
    /// <summary>Rows the classifiers do not know, fetch aborts and software step: one integer ALU slot.</summary>
    Other,
    /// <summary>AArch32 multiply long and multiply-accumulate long (SMULL, UMULL, SMLAL, UMLAL, UMAAL, SMLALD, SMLSLD).</summary>
    IntMulLong,
}
