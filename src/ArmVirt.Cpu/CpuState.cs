using System.Runtime.CompilerServices;

namespace ArmVirt.Cpu;

/// <summary>
/// X0..X30, one slot (index 31) that always holds the current stack pointer, and two (32, 33) for the AArch32 Monitor
/// mode's SP_mon and LR_mon, which an AArch32 EL3 has and no AArch64 register maps.
/// </summary>
[InlineArray(34)]
public struct GeneralRegisterFile
{
    private ulong _element0;
}

/// <summary>
/// The architectural state the instruction semantics read and write: general registers, PC and the
/// PSTATE fields (Arm ARM D1.4 "Process state, PSTATE"). Banked stack pointers live here too; the
/// selected one is mirrored in <see cref="X"/>[31] so that SP accesses need no branch.
/// </summary>
public struct CpuState
{
    /// <summary>X0..X30; X[31] is the current SP (SP_EL0 or SP_ELx per PSTATE.SP).</summary>
    public GeneralRegisterFile X;

    /// <summary>Address of the instruction being executed.</summary>
    public ulong PC;

    /// <summary>Condition flags in bits 31..28 (N, Z, C, V), the layout of the NZCV register.</summary>
    public uint Nzcv;

    /// <summary>PSTATE.EL, the current exception level 0..3.</summary>
    public int EL;

    /// <summary>PSTATE.SP: 0 selects SP_EL0, 1 selects SP_ELx.</summary>
    public int SpSel;

    /// <summary>PSTATE.{D,A,I,F} in bits 9..6, the layout of the DAIF register.</summary>
    public uint Daif;

    /// <summary>PSTATE.PAN.</summary>
    public bool Pan;

    /// <summary>PSTATE.UAO.</summary>
    public bool Uao;

    /// <summary>PSTATE.SS (software step).</summary>
    public bool SoftwareStep;

    /// <summary>PSTATE.IL (illegal execution state).</summary>
    public bool IllegalState;

    /// <summary>Stack pointers SP_EL0..SP_EL3; the selected one is stale while it is mirrored in X[31].</summary>
    public SpBank Sp;

    /// <summary>V0..V31, the 128-bit SIMD and floating-point registers.</summary>
    public VectorRegisterFile V;

    /// <summary>FPCR (rounding mode, FZ, DN, AHP and trap enables).</summary>
    public uint Fpcr;

    /// <summary>FPSR (cumulative exception flags and QC).</summary>
    public uint Fpsr;

    /// <summary>Cycles executed by this CPU since reset.</summary>
    public ulong Cycles;

    /// <summary>Instructions retired since reset.</summary>
    public ulong Instructions;

    /// <summary>
    /// PSTATE.nRW: the PE is in AArch32 state (Arm ARM D1.4 "Process state, PSTATE"): EL0 under an AArch64 EL1, or EL0
    /// and EL1 under an AArch64 EL2 with HCR_EL2.RW = 0. R0-R14 are then X registers chosen by <see cref="Mode"/> and the
    /// PC is 32 bits (<c>Cpu.Aarch32.cs</c>).
    /// </summary>
    public bool Aarch32;

    /// <summary>
    /// PSTATE.M[3:0], the AArch32 mode (M[4] = 1 is implied by <see cref="Aarch32"/>): 0 User, 1 FIQ, 2 IRQ, 3 Supervisor,
    /// 7 Abort, 0xB Undefined, 0xF System. Selects the banked registers (<c>Cpu.Aarch32Modes.cs</c>); 0 in AArch64 state.
    /// </summary>
    public byte Mode;

    /// <summary>PSTATE.T: in AArch32 state, T32 rather than A32.</summary>
    public bool Thumb;

    /// <summary>
    /// PSTATE.IT (ITSTATE), the T32 IT block state: bits 7..4 the base condition, bits 4..0 the mask that ITAdvance
    /// shifts; zero outside an IT block (aarch32/functions/system/InITBlock, ITAdvance).
    /// </summary>
    public byte It;

    /// <summary>PSTATE.Q, the AArch32 cumulative saturation flag (APSR.Q).</summary>
    public bool Saturation;

    /// <summary>PSTATE.GE, the AArch32 greater-than-or-equal flags of the parallel add/subtract instructions, in bits 3..0.</summary>
    public uint Ge;

    /// <summary>
    /// PSTATE.E, the AArch32 data endianness (true: big-endian; CPSR.E, SPSR bit 9): set by SETEND, MSR CPSR, an exception
    /// return and SCTLR.EE at exception entry; false in AArch64 state.
    /// </summary>
    public bool E;
}

/// <summary>The four banked stack pointers.</summary>
[InlineArray(4)]
public struct SpBank
{
    private ulong _element0;
}

/// <summary>V0..V31 as 128-bit values (read and written through <see cref="Cpu.VReg"/>).</summary>
[InlineArray(32)]
public struct VectorRegisterFile
{
    private VectorRegisterBits _element0;
}

/// <summary>
/// One 128-bit register's storage: two 64-bit halves (the low one first) rather than a
/// <see cref="System.Runtime.Intrinsics.Vector128{T}"/>, so that <see cref="CpuState"/>'s layout is fixed when
/// ReadyToRun precompiles the assembly: crossgen2 does not fix the layout of a struct holding a hardware vector type,
/// and then precompiles no method that reaches into the state (every instruction handler was compiled by RyuJIT at
/// start-up). <see cref="Cpu.VReg"/> views it as a vector.
/// </summary>
internal struct VectorRegisterBits
{
    internal ulong Low, High;
}
