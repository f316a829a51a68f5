using System.Runtime.CompilerServices;
using ArmVirt.Cpu.A32;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

/// <summary>
/// AArch32 state (Arm ARM "Interprocessing" and the AArch32 programmers' model): the register mapping, the A32 execution
/// step, the writes to the PC with interworking, and PSTATE to and from an AArch32-format SPSR. The PL1 modes, their
/// exceptions and returns are in <c>Cpu.Aarch32Modes.cs</c>.
/// </summary>
/// <remarks>
/// "Mapping of AArch32 registers to AArch64": R[n] of the current mode is X[<see cref="Aarch32Register"/>(mode, n)]
/// (bits 31..0): User and System mode's R0-R14 are X0-X14, R13_irq is X17, R14_svc X18 ... R8_fiq-R14_fiq X24-X30. A
/// write of an AArch32 register zero-extends into the X register, as QEMU does (the Arm ARM makes the upper half
/// UNKNOWN). The PC is the low 32 bits of <see cref="CpuState.PC"/>; reading R15 gives the instruction's address + 8.
/// </remarks>
public sealed partial class Cpu
{
    private const int A32DecodeCacheBits = 10;
    private readonly uint[] _a32DecodeCacheKey = new uint[1 << A32DecodeCacheBits];
    private readonly A32Instruction?[] _a32DecodeCacheValue = new A32Instruction?[1 << A32DecodeCacheBits];

    /// <summary>The A32 decoder this CPU uses.</summary>
    internal A32Decoder A32Decoder { get; set; } = A32Decoder.Instance;

    /// <summary>
    /// R[n] in AArch32 state: the mapped X register's bits 31..0 for the current mode, and for n = 15 the instruction's
    /// address + 8 (A32) or + 4 (T32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint R(int n) => n == 15 ? (uint)State.PC + (State.Thumb ? 4u : 8u) : (uint)State.X[BankedRegisterMap[(State.Mode << 4) | n]];

    /// <summary>Writes R[n] (n &lt; 15) of the current mode in AArch32 state, zero-extending into its X register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetR(int n, uint value) => State.X[BankedRegisterMap[(State.Mode << 4) | n]] = value;

    /// <summary>BranchWritePC: the target with bits 1..0 cleared (A32) or bit 0 cleared (T32). ALUWritePC is this in T32 state.</summary>
    internal void BranchWritePc(uint address) => NextPc = address & (State.Thumb ? ~1u : ~3u);

    /// <summary>
    /// BXWritePC: bit 0 selects T32 (and is cleared), else A32; an A32 target with bit 1 set is taken as is and faults on
    /// fetch (PC alignment, Armv8's choice for this once-UNPREDICTABLE case). LoadWritePC is this in both instruction sets,
    /// ALUWritePC in A32 state.
    /// </summary>
    internal void BxWritePc(uint address)
    {
        if ((address & 1) != 0)
        {
            State.Thumb = true;
            NextPc = address & ~1u;
        }
        else
        {
            State.Thumb = false;
            NextPc = address;
        }
    }

    /// <summary>Writes a loaded value to R[n]; n = 15 is LoadWritePC.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetRLoaded(int n, uint value)
    {
        if (n == 15) BxWritePc(value);
        else SetR(n, value);
    }

    /// <summary>The UNDEFINED exception for the current instruction (EC 0x00), to throw.</summary>
    internal GuestException UndefinedException() => new(ExceptionClass.Unknown, 0, SyncExceptionTargetEl);

    /// <summary>Decodes an A32 word through a small direct-mapped cache in front of the table decoder.</summary>
    internal A32Instruction DecodeA32(uint insn)
    {
        int slot = (int)((insn ^ (insn >> 11) ^ (insn >> 22)) & ((1 << A32DecodeCacheBits) - 1));
        var cached = _a32DecodeCacheValue[slot];
        if (cached is not null && _a32DecodeCacheKey[slot] == insn) return cached;
        var decoded = A32Decoder.Decode(insn);
        _a32DecodeCacheKey[slot] = insn;
        _a32DecodeCacheValue[slot] = decoded;
        return decoded;
    }

    // One A32 instruction already fetched: ConditionPassed (aarch32/functions/system/ConditionPassed, with
    // conditional UNDEFINED encodings that fail their condition executing as NOPs, as QEMU does), then the handler.
    private void ExecuteA32(ulong pc, uint insn)
    {
        var decoded = DecodeA32(insn);
        NextPc = (uint)pc + 4;
        int cond = decoded.Operands.Cond;
        if (cond == 0xE || ConditionHolds(cond)) Execute(decoded);
    }

    // The row's handler through its static method's function pointer (a lambda or closure through its delegate).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private unsafe void Execute(A32Instruction decoded)
    {
        nint handler = decoded.Encoding.FunctionPointer;
        if (handler != 0) ((delegate*<Cpu, in A32Operands, void>)handler)(this, decoded.Operands);
        else decoded.Encoding.Handler(this, decoded.Operands);
    }

    /// <summary>
    /// GetPSRFromPSTATE for AArch32 state (the SPSR format for exceptions taken from AArch32, and the CPSR): N Z C V Q,
    /// IT (IT[1:0] in bits 26..25, IT[7:2] in bits 15..10), PAN, SS, IL, GE, E, A I F, T, M[4] = 1 and M[3:0] the mode.
    /// </summary>
    internal uint GetAarch32Spsr() =>
        (State.Nzcv & 0xF000_0000u)
        | (State.Saturation ? 1u << 27 : 0)
        | (State.Pan ? 1u << 22 : 0)
        | (State.SoftwareStep ? 1u << 21 : 0)
        | (State.IllegalState ? 1u << 20 : 0)
        | ((State.Ge & 0xF) << 16)
        | (State.E ? 1u << 9 : 0)
        | (State.Daif & 0x1C0u)
        | (State.Thumb ? 1u << 5 : 0)
        | ItToSpsr(State.It)
        | 0x10u | State.Mode;

    // The AArch32 part of AArch64.ExceptionReturn when SPSR.M[4] = 1, after the legality checks: PSTATE from the
    // SPSR (SetPSTATEFromPSR, AArch32 branch: the mode, which the caller's EL already follows) and the PC from
    // ELR<31:0> aligned for the instruction set. Every register an AArch32 EL1 can reach (X0-X30) has its upper half
    // cleared; a return to EL0 clears X0-X14 only (X15-X30 are EL1's, which EL0 never sees).
    private void ReturnToAarch32(ulong spsr, ulong target)
    {
        State.Aarch32 = true;
        State.Mode = (byte)(spsr & 0xF);
        State.Thumb = (spsr & (1UL << 5)) != 0;
        State.Saturation = (spsr & (1UL << 27)) != 0;
        State.Ge = (uint)(spsr >> 16) & 0xF;
        State.E = (spsr & (1UL << 9)) != 0;
        State.It = State.Thumb ? ItFromSpsr(spsr) : (byte)0;
        State.Daif = (uint)spsr & 0x1C0u; // A, I, F; AArch32 has no D (bit 9 is E)
        int mapped = State.EL == 0 ? 15 : 31;
        for (int i = 0; i < mapped; i++) State.X[i] = (uint)State.X[i];
        NextPc = (uint)target & (State.Thumb ? ~1u : ~3u);
    }

    // The SPSR's split IT field: IT[7:2] in bits 15..10, IT[1:0] in bits 26..25.
    private static uint ItToSpsr(byte it) => ((uint)(it >> 2) << 10) | ((uint)(it & 3) << 25);
    private static byte ItFromSpsr(ulong spsr) => (byte)((((spsr >> 10) & 0x3F) << 2) | ((spsr >> 25) & 3));
}
