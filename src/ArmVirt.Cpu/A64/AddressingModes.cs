using System.Runtime.CompilerServices;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// Address generation shared by the load/store family (Arm ARM C1.3.3 "Load/Store addressing modes"): the base
/// register with its SP alignment check, register-offset extension and the unprivileged access kind.
/// </summary>
internal static class AddressingModes
{
    private const ulong SctlrSa = 1UL << 3, SctlrSa0 = 1UL << 4;
    private const ulong HcrTge = 1UL << 27, HcrE2h = 1UL << 34;

    /// <summary>aarch64/functions/memory/CheckSPAlignment: SCTLR_ELx.SA (SA0 at EL0) with a misaligned SP raises EC 0x26.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CheckSpAlignment(Cpu cpu)
    {
        ulong check = cpu.State.EL == 0 ? SctlrSa0 : SctlrSa;
        if ((cpu.State.X[31] & 15) != 0 && (cpu.CurrentSctlr & check) != 0)
            throw new GuestException(ExceptionClass.SpAlignment, 0, cpu.SyncExceptionTargetEl);
    }

    /// <summary>The base address X[n], or SP[] after CheckSPAlignment when n is 31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Base(Cpu cpu, int n)
    {
        if (n == 31) CheckSpAlignment(cpu);
        return cpu.State.X[n];
    }

    /// <summary>
    /// aarch64/instrs/extendreg/ExtendReg for the register-offset forms: option UXTW (010), LSL/UXTX (011),
    /// SXTW (110) or SXTX (111), then shifted left by <paramref name="shift"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ExtendOffset(ulong value, uint option, int shift)
    {
        if ((option & 1) == 0) value = (option & 4) != 0 ? (ulong)(long)(int)value : (uint)value;
        return value << shift;
    }

    /// <summary>SignExtend(value&lt;bits-1:0&gt;, 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong SignExtend(ulong value, int bits) => (ulong)((long)(value << (64 - bits)) >> (64 - bits));

    /// <summary>
    /// The access kind of LDTR/STTR (C6.2 "LDTR"): AccType_UNPRIV at EL1, and at EL2 when HCR_EL2.{E2H,TGE} is
    /// {1,1} with FEAT_VHE, unless PSTATE.UAO overrides it; otherwise a normal access.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static MemoryAccessKind UnprivilegedKind(Cpu cpu)
    {
        if (cpu.State.Uao) return MemoryAccessKind.Read;
        if (cpu.State.EL == 1) return MemoryAccessKind.Unprivileged;
        if (cpu.State.EL == 2 && ((cpu.Configuration.Model.IdAa64Mmfr1 >> 8) & 0xF) != 0
            && (cpu.EffectiveHcr & (HcrE2h | HcrTge)) == (HcrE2h | HcrTge))
            return MemoryAccessKind.Unprivileged;
        return MemoryAccessKind.Read;
    }
}
