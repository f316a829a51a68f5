using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private const ulong HcrVm = 1UL << 0, HcrFmo = 1UL << 3, HcrImo = 1UL << 4, HcrAmo = 1UL << 5;
    private const ulong HcrVf = 1UL << 6, HcrVi = 1UL << 7, HcrVse = 1UL << 8, HcrTge = 1UL << 27;
    private const ulong ScrNs = 1UL << 0, ScrIrq = 1UL << 1, ScrFiq = 1UL << 2, ScrEa = 1UL << 3;

    /// <summary>EL2 is implemented and enabled in the current security state (EL2Enabled()).</summary>
    internal bool IsEl2Enabled => Configuration.HasEl2 && (!Configuration.HasEl3 || (Sys.Scr & ScrNs) != 0);

    /// <summary>HCR_EL2 as it applies now: treated as zero when EL2 is disabled.</summary>
    internal ulong EffectiveHcr => IsEl2Enabled ? Sys.Hcr : 0;

    /// <summary>
    /// The EL a synchronous exception taken from the current EL goes to when no trap decides otherwise:
    /// EL0 exceptions go to EL1, or to EL2 when HCR_EL2.TGE is set; others stay at the current EL.
    /// </summary>
    /// With an AArch32 EL3, Secure User mode's go to EL3 (the Secure PL1 modes).
    internal int SyncExceptionTargetEl =>
        State.EL != 0 ? State.EL : (EffectiveHcr & HcrTge) != 0 ? 2 : IsSecureAarch32 ? 3 : 1;

    /// <summary>Raises UNDEFINED for the current instruction (EC 0x00, AArch64.UndefinedFault).</summary>
    internal void Undefined(uint insn) => throw new GuestException(ExceptionClass.Unknown, 0, SyncExceptionTargetEl);

    /// <summary>
    /// An unallocated encoding's handler: takes the UNDEFINED exception (EC 0x00, the instruction's address as the
    /// preferred return) at once and returns, as SVC takes its exception, instead of throwing a
    /// <see cref="GuestException"/> for the execution loop to catch: a guest whose vector holds garbage takes one per
    /// instruction, and a .NET throw costs microseconds. The same state and counters either way (the instruction is
    /// counted; execution goes on at the vector).
    /// </summary>
    internal void TakeUndefined() => TakeException(ExceptionKind.Synchronous, SyncExceptionTargetEl, State.PC);

    /// <summary>
    /// AArch64.TakeException: enters <paramref name="targetEl"/> through its vector table. Writes SPSR, ELR
    /// and, for synchronous exceptions and SErrors, ESR (and FAR when <paramref name="far"/> is given).
    /// Execution continues at the vector: <see cref="NextPc"/> and <see cref="CpuState.PC"/> are both set.
    /// </summary>
    internal void TakeException(ExceptionKind kind, int targetEl, ulong preferredReturn,
        ExceptionClass ec = ExceptionClass.Unknown, uint iss = 0, bool il = true, ulong? far = null, ulong? ipa = null)
    {
        if (_exceptionHooks.Length != 0 && kind == ExceptionKind.Synchronous
            && ExceptionHandledByHook(ec, iss, targetEl, preferredReturn, far))
            return;
        // The cached regime stays: an exception entry changes PSTATE.EL and PSTATE.PAN, which every use of the cache
        // compares, and no register the regime reads (taking a virtual SError clears HCR_EL2.VSE, and drops it there).
        Statistics.ExceptionsTaken[targetEl]++;
        // EXC_TAKEN, and the counters brought up to date at the EL being left (a synchronous exception's instruction
        // counts there: its cycles, and itself for SVC, HVC and SMC, the instructions whose execution the exception is).
        bool pmu = Pmu.Active;
        if (pmu)
            Pmu.ExceptionTaking(inProgress: kind == ExceptionKind.Synchronous,
                retires: ec is ExceptionClass.Svc64 or ExceptionClass.Hvc64 or ExceptionClass.Smc64);
        // An AArch32 EL3 takes SMC and what SCR routes to Monitor mode, and exceptions in Secure state to the Secure PL1 modes.
        if (State.Aarch32 && El3UsingAarch32 && TryTakeAarch32El3Exception(kind, targetEl, preferredReturn, ec, iss, far))
        {
            if (pmu) Pmu.ElChanged();
            ExceptionEntered?.Invoke(kind, targetEl);
            return;
        }
        // An exception to EL1 while EL1 is AArch32 (only reachable from AArch32 state) is AArch32.TakeException.
        if (State.Aarch32 && targetEl == 1 && El1UsingAarch32)
        {
            TakeAarch32Exception(kind, preferredReturn, ec, iss, far);
            if (pmu) Pmu.ElChanged();
            ExceptionEntered?.Invoke(kind, targetEl);
            return;
        }
        // From a lower EL the vector group says whether that EL was AArch64 (0x400) or AArch32 (0x600).
        ulong vectorOffset = targetEl > State.EL ? (State.Aarch32 ? 0x600UL : 0x400UL) : State.SpSel == 1 ? 0x200UL : 0x000UL;
        // ESR.IL = 0 for a 16-bit T32 instruction (the syndromes that report the length; Unknown and aborts without a
        // valid instruction syndrome keep IL = 1).
        if (State.Thumb && _t32Narrow && kind == ExceptionKind.Synchronous && T32LengthInSyndrome(ec, iss)) il = false;
        // An AArch32-only PE takes exceptions to EL2 in Hyp mode (AArch32.EnterHypMode).
        if (targetEl == 2 && Configuration.Model.Aarch32Only)
        {
            TakeHypException(kind, preferredReturn, ec, iss, il, far, ipa);
            if (pmu) Pmu.ElChanged();
            ExceptionEntered?.Invoke(kind, targetEl);
            return;
        }
        if ((Sys.Sctlr[targetEl] & SctlrEl1.Ee) != 0) StopAarch64BigEndian(targetEl, "an exception taken to");
        ulong spsr = GetSpsrFromPstate();
        State.Aarch32 = false; // an exception taken here goes to an AArch64 EL (AArch32 EL1 returned above)
        State.Mode = 0;
        State.Thumb = false;
        State.It = 0;
        State.E = false; // PSTATE.E is AArch32's; AArch64 data endianness is SCTLR_ELx.EE/E0E
        if (kind is ExceptionKind.Synchronous or ExceptionKind.SError)
        {
            Sys.Esr[targetEl] = ((ulong)ec << 26) | (il ? 1UL << 25 : 0) | (iss & 0x1FF_FFFF);
            if (far.HasValue) Sys.Far[targetEl] = far.Value;
            if (ipa.HasValue && targetEl == 2) Sys.Hpfar = (ipa.Value >> 12) << 4;
        }
        Sys.Spsr[targetEl] = spsr;
        Sys.Elr[targetEl] = preferredReturn;
        SetElAndSpSel(targetEl, 1);
        State.Daif = 0xFu << 6;
        State.SoftwareStep = false;
        State.IllegalState = false;
        State.Uao = false;
        // SCTLR_ELx.SPAN == 0 sets PSTATE.PAN on entry to EL1 (and EL2 when E2H and TGE are set, v8.1 VHE).
        if (targetEl == 1 && (Sys.Sctlr[1] & (1UL << 23)) == 0 && HasPan) State.Pan = true;
        if (pmu) Pmu.ElChanged();
        ExceptionEntered?.Invoke(kind, targetEl);
        // A timing model's exception entry: the issue group ends, the entry costs its cycles (counted at the target EL).
        if (_timing != null)
        {
            _issuePc = ulong.MaxValue;
            State.Cycles += _timing.ExceptionEntryCycles;
            _jitEntryCycles += _timing.ExceptionEntryCycles;
        }
        ulong target = (Sys.Vbar[targetEl] & ~0x7FFUL) + vectorOffset + (ulong)kind * 0x80;
        NextPc = target;
        State.PC = target;
    }

    /// <summary>Raised after every exception entry (for tracing and tests).</summary>
    internal event Action<ExceptionKind, int>? ExceptionEntered;

    /// <summary>Whether FEAT_PAN is implemented (ID_AA64MMFR1_EL1.PAN).</summary>
    internal bool HasPan => ((Configuration.Model.IdAa64Mmfr1 >> 20) & 0xF) != 0;

    /// <summary>GetPSRFromPSTATE: an AArch64 SPSR, or in AArch32 state the AArch32 format (<see cref="GetAarch32Spsr"/>).</summary>
    internal ulong GetSpsrFromPstate() => State.Aarch32 ? GetAarch32Spsr() :
        (ulong)(State.Nzcv & 0xF000_0000u)
        | (State.Uao ? 1UL << 23 : 0)
        | (State.Pan ? 1UL << 22 : 0)
        | (State.SoftwareStep ? 1UL << 21 : 0)
        | (State.IllegalState ? 1UL << 20 : 0)
        | (State.Daif & 0x3C0u)
        | ((uint)State.EL << 2) | (uint)State.SpSel;

    /// <summary>
    /// AArch64.ExceptionReturn: restores PSTATE from SPSR_ELx and branches to ELR_ELx. An illegal return
    /// (to a higher or unimplemented EL, to an AArch32 mode this PE lacks, to AArch64 EL0/EL1 while HCR_EL2.RW makes EL1
    /// AArch32, to EL1 under HCR_EL2.TGE, or a bad M encoding) keeps the
    /// EL and SP selection and sets PSTATE.IL, as IllegalExceptionReturn says; NZCV, DAIF and PAN are restored
    /// either way (SetPSTATEFromPSR), and PSTATE.SS as DebugExceptionReturnSS says. Clears the local monitor and sets
    /// the event register (SendEventLocal).
    /// </summary>
    internal void ExceptionReturn()
    {
        int el = State.EL;
        ulong spsr = Sys.Spsr[el];
        ulong target = Sys.Elr[el];
        bool pmu = Pmu.Active;
        if (pmu) Pmu.ExceptionReturning(); // EXC_RETURN; the ERET counts at the EL it executes at
        ClearExclusiveLocal();
        EventRegister = true; // SendEventLocal: an exception return is a WFE wake-up event
        int m = (int)(spsr & 0x1F);
        bool toAarch32 = (m & 0x10) != 0;
        int newEl = toAarch32 ? ElFromM32(m & 0xF) : (m >> 2) & 3; // -1: a mode this PE has not (illegal below)
        int newSp = toAarch32 ? (newEl == 0 ? 0 : 1) : m & 1;
        bool illegal = newEl < 0
            || (!toAarch32 && (m & 2) != 0)       // M[1] is reserved in AArch64
            || newEl > el
            || newEl > Configuration.HighestEl
            || (newEl == 2 && !IsEl2Enabled)
            || (!toAarch32 && newEl == 0 && newSp == 1)
            || (newEl == 1 && IsEl2Enabled && (Sys.Hcr & HcrTge) != 0)
            || (!toAarch32 && newEl <= 1 && El1UsingAarch32); // EL1 (and so EL0) is AArch32 under HCR_EL2.RW = 0
        bool ss = DebugExceptionReturnSs(spsr, illegal ? el : newEl);
        State.Nzcv = (uint)spsr & 0xF000_0000u;
        State.Daif = (uint)spsr & 0x3C0u;
        State.Pan = HasPan && (spsr & (1UL << 22)) != 0;
        State.Uao = false;
        State.SoftwareStep = ss;
        if (illegal)
        {
            State.IllegalState = true;
        }
        else
        {
            State.IllegalState = (spsr & (1UL << 20)) != 0;
            SetElAndSpSel(newEl, newSp);
        }
        if (pmu) Pmu.ElChanged();
        NextPc = target;
        if (toAarch32 && !illegal) ReturnToAarch32(spsr, target);
        else if (!illegal && Aarch64DataBigEndian(newEl)) StopAarch64BigEndian(newEl, "an exception return to");
    }

    /// <summary>
    /// BigEndian() for AArch64 state at <paramref name="el"/>: SCTLR_ELx.EE, or at EL0 SCTLR_EL1.E0E (SCTLR_EL2.E0E under
    /// HCR_EL2.{E2H, TGE} = {1, 1}). AArch64 data accesses do not follow it yet: the run stops where it would take effect
    /// (<see cref="StopAarch64BigEndian"/>) rather than go on little-endian.
    /// </summary>
    internal bool Aarch64DataBigEndian(int el)
    {
        if (el != 0) return (Sys.Sctlr[el] & SctlrEl1.Ee) != 0;
        bool host = (EffectiveHcr & (HcrE2h | HcrTge)) == (HcrE2h | HcrTge);
        return (Sys.Sctlr[host ? 2 : 1] & SctlrEl1.E0E) != 0;
    }

    /// <summary>
    /// Stops the run: AArch64 big-endian data (SCTLR_ELx.EE/E0E, which ID_AA64MMFR0_EL1.BigEnd = 1 advertises as the
    /// Cortex-A57 TRM and QEMU do) is not modelled; AArch32 big-endian data (PSTATE.E, SCTLR.EE for an AArch32 EL1) is.
    /// </summary>
    internal void StopAarch64BigEndian(int el, string where) =>
        StopUnsupported($"big-endian data in AArch64 state (SCTLR_EL{(el == 0 ? 1 : el)}.{(el == 0 ? "E0E" : "EE")} = 1) at {where} EL{el} is not implemented");

    /// <summary>Clears the local exclusive monitor (ClearExclusiveLocal).</summary>
    internal void ClearExclusiveLocal() => ExclusiveMonitorLocal.Clear();

    /// <summary>
    /// Takes the highest-priority pending and unmasked asynchronous exception, if any, at the boundary
    /// before the instruction at <see cref="CpuState.PC"/>. Returns true when one was taken.
    /// </summary>
    internal bool CheckInterrupts()
    {
        ulong hcr = EffectiveHcr;
        if (SError.IsAsserted && TryPhysical(ScrEa, HcrAmo, 1u << 8, ExceptionKind.SError)) return true;
        if (Fiq.IsAsserted && TryPhysical(ScrFiq, HcrFmo, 1u << 6, ExceptionKind.Fiq)) return true;
        if (Irq.IsAsserted && TryPhysical(ScrIrq, HcrImo, 1u << 7, ExceptionKind.Irq)) return true;
        if (State.EL <= 1 && (hcr & HcrTge) == 0)
        {
            if ((hcr & HcrImo) != 0 && (State.Daif & (1u << 7)) == 0 && ((hcr & HcrVi) != 0 || VirtualIrq.IsAsserted))
            {
                TakeException(ExceptionKind.Irq, 1, State.PC);
                return true;
            }
            if ((hcr & HcrFmo) != 0 && (State.Daif & (1u << 6)) == 0 && ((hcr & HcrVf) != 0 || VirtualFiq.IsAsserted))
            {
                TakeException(ExceptionKind.Fiq, 1, State.PC);
                return true;
            }
            if ((hcr & HcrAmo) != 0 && (State.Daif & (1u << 8)) == 0 && (hcr & HcrVse) != 0)
            {
                Sys.Hcr &= ~HcrVse; // taking the virtual SError clears HCR_EL2.VSE
                InvalidateRegimeCache(); // (the cached regime holds HCR_EL2)
                TakeException(ExceptionKind.SError, 1, State.PC, ExceptionClass.SError, 0);
                return true;
            }
        }
        return false;
    }

    /// <summary>True when some interrupt input or virtual interrupt bit is asserted (masked or not).</summary>
    internal bool AnyInterruptAsserted
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get => _assertedLines != 0 || ((Sys.Hcr & (HcrVi | HcrVf | HcrVse)) != 0 && IsEl2Enabled);
    }

    // How many of the interrupt inputs (IRQ, FIQ, vIRQ, vFIQ, SError) are asserted, kept by their Changed events.
    private int _assertedLines;

    // Routing of a physical interrupt (Arm ARM D1.13.2 "Asynchronous exception routing"): SCR_EL3 first,
    // then HCR_EL2.{IMO,FMO,AMO,TGE}; a higher target EL than the current one ignores PSTATE masks. In Hyp mode (an
    // AArch32 EL2) every physical interrupt is taken in Hyp mode, masked by the CPSR (AArch32.TakePhysicalIRQException:
    // route_to_hyp when PSTATE.EL == EL2), where an AArch64 EL2 leaves one routed to EL1 pending.
    private bool TryPhysical(ulong scrBit, ulong hcrBit, uint daifBit, ExceptionKind kind)
    {
        if (El3UsingAarch32) return TryPhysicalAarch32El3(scrBit, hcrBit, daifBit, kind);
        int target;
        if (Configuration.HasEl3 && (Sys.Scr & scrBit) != 0) target = 3;
        else if (IsEl2Enabled && ((Sys.Hcr & (hcrBit | HcrTge)) != 0 || (State.EL == 2 && El2UsingAarch32))) target = 2;
        else target = 1;
        if (target < State.EL) return false;
        if (target == State.EL && (State.Daif & daifBit) != 0) return false;
        if (kind == ExceptionKind.SError)
            TakeException(kind, target, State.PC, ExceptionClass.SError, 0);
        else
            TakeException(kind, target, State.PC);
        return true;
    }
}
