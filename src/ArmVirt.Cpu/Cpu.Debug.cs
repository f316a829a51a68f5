using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private const ulong MdscrSs = 1UL << 0, MdscrKde = 1UL << 13, MdscrMde = 1UL << 15;
    private const ulong MdcrEl2Tde = 1UL << 8, MdcrEl3Sdd = 1UL << 16;
    private const uint DebugFsc = 0b100010; // IFSC/DFSC "Debug exception"

    // ---- What the debug registers ask of the execution loops, recomputed when one of them is written ----
    // Breakpoints are checked only in StepInstruction: the JIT builds no block (so neither predecoded nor compiled
    // code) in a page holding an armed breakpoint address, and none at all while an unlinked context breakpoint is armed.
    // Watchpoints turn off the interpreter's RAM fast path and keep the pages they touch out of the regions' host TLB,
    // so that every access that may match reaches TranslateData. Software step makes the JIT step while it is active.

    // MDSCR_EL1.MDE set, the OS lock and OS double lock clear, and an enabled breakpoint (watchpoint).
    private bool _breakpointsArmed, _watchpointsArmed;
    // MDSCR_EL1.SS set (and the OS locks clear): StepInstruction runs CheckSoftwareStep, the JIT asks SoftwareStepActive.
    private bool _softwareStepConfigured;
    // Either of the above or a host breakpoint: the one test StepInstruction makes before the fetch when no debug feature
    // is in use. After the fetch: an armed breakpoint or a host code hook. On data accesses: an armed watchpoint, a host
    // watchpoint or memory hook (UpdateDebugSummary).
    private bool _instructionDebugChecks, _afterFetchChecks, _dataDebugChecks;
    // The VA pages (bits 63:12) of the armed address breakpoints, and whether an unlinked context breakpoint matches on
    // every page.
    private ulong[] _breakpointPages = [];
    private bool _breakpointsOnEveryPage;
    // The ranges the enabled watchpoints cover (SelfHostedDebug.WatchedRange), while they are armed.
    private (ulong Lo, ulong Hi)[] _watchedRanges = [];
    // SoftwareStep_DidNotStep and SoftwareStep_SteppedEX for the syndrome of the next Software Step exception: whether
    // the last instruction executed was stepped (executed in the active-not-pending state) and was a load-exclusive.
    private bool _lastInstructionStepped, _lastSteppedExclusive;
    // ShouldAdvanceSS = FALSE: the instruction returned from an exception (ERET sets PSTATE.SS itself).
    private bool _softwareStepAdvanceSuppressed;

    /// <summary>Breakpoints implemented (ID_AA64DFR0_EL1.BRPs + 1).</summary>
    internal int BreakpointCount => SystemRegisterTableBuilder.BreakpointCount(this);

    /// <summary>Context-aware breakpoints, the highest-numbered ones (ID_AA64DFR0_EL1.CTX_CMPs + 1).</summary>
    internal int ContextAwareBreakpointCount => (int)((SystemRegisterTableBuilder.IdAa64Dfr0(this) >> 28) & 0xF) + 1;

    /// <summary>Watchpoints implemented (ID_AA64DFR0_EL1.WRPs + 1).</summary>
    internal int WatchpointCount => SystemRegisterTableBuilder.WatchpointCount(this);

    /// <summary>IsSecure(): EL3 is implemented and the PE is at EL3 or SCR_EL3.NS is 0.</summary>
    internal bool IsSecure => Configuration.HasEl3 && (State.EL == 3 || (Sys.Scr & ScrEl3.Ns) == 0);

    /// <summary>
    /// Recomputes what the debug registers ask of the execution loops (after an MSR to one of them, a reset, or before
    /// <see cref="Run"/> and <see cref="Step"/>, as the caller may have written <see cref="Sys"/> directly). Translated
    /// code is dropped only when the pages holding breakpoints change.
    /// </summary>
    internal void DebugRegistersChanged()
    {
        var s = Sys;
        bool locked = s.OsLock || DoubleLocked;
        bool mde = !locked && (s.Mdscr & MdscrMde) != 0;
        Span<ulong> pages = stackalloc ulong[16];
        Span<(ulong, ulong)> ranges = stackalloc (ulong, ulong)[16];
        int pageCount = 0, rangeCount = 0;
        bool everyPage = false;
        if (mde)
        {
            for (int n = 0; n < BreakpointCount; n++)
            {
                ulong bcr = s.Dbgbcr[n];
                if ((bcr & 1) == 0) continue;
                if (SelfHostedDebug.IsUnlinkedContextMatch(bcr)) everyPage = true;
                else if (SelfHostedDebug.IsAddressMatch(bcr)) pages[pageCount++] = SelfHostedDebug.SignExtendedValue(s.Dbgbvr[n]) >> 12;
            }
            for (int n = 0; n < WatchpointCount; n++)
                if ((s.Dbgwcr[n] & 1) != 0) ranges[rangeCount++] = SelfHostedDebug.WatchedRange(this, n);
        }
        pages = pages[..pageCount];
        ranges = ranges[..rangeCount];
        bool breakpoints = everyPage || pageCount != 0;
        if (breakpoints != _breakpointsArmed || everyPage != _breakpointsOnEveryPage || !pages.SequenceEqual(_breakpointPages))
        {
            _breakpointsArmed = breakpoints;
            _breakpointsOnEveryPage = everyPage;
            _breakpointPages = pages.ToArray();
            _translations?.Flush(); // blocks were built for the old set of breakpoint pages
        }
        if ((rangeCount != 0) != _watchpointsArmed || !ranges.SequenceEqual(_watchedRanges))
        {
            _watchpointsArmed = rangeCount != 0;
            _watchedRanges = ranges.ToArray();
            InvalidateRegimeCache(); // turns the interpreter's RAM fast path off or on
            _hostTlbKeyed = false;   // the next region entry empties the host TLB
        }
        bool step = !locked && (s.Mdscr & MdscrSs) != 0;
        if (step != _softwareStepConfigured) _lastInstructionStepped = _lastSteppedExclusive = false;
        _softwareStepConfigured = step;
        UpdateDebugSummary();
    }

    // The flags the execution paths test, from the self-hosted debug state and the host's (Cpu.HostDebug.cs).
    private void UpdateDebugSummary()
    {
        _instructionDebugChecks = _breakpointsArmed || _softwareStepConfigured || _hostCodeChecks;
        _afterFetchChecks = _breakpointsArmed || _codeHooksArmed;
        bool data = _watchpointsArmed || _hostDataChecks;
        if (data != _dataDebugChecks) InvalidateRegimeCache(); // turns the interpreter's RAM fast path off or on
        _dataDebugChecks = data;
    }

    // StepInstruction's checks before the fetch: the host's breakpoints, then CheckSoftwareStep.
    private bool DebugBeforeFetch(ulong pc, out bool stepping)
    {
        if (_hostCodeChecks) CheckHostBreakpoint(pc);
        return CheckSoftwareStep(pc, out stepping);
    }

    // StepInstruction's checks after the fetch: AArch64.CheckBreakpoint, then (once the Illegal Execution state check has
    // passed) the host's code hooks.
    private void AfterFetchChecks(ulong pc)
    {
        if (_breakpointsArmed) CheckBreakpoint(pc);
        if (_codeHooksArmed)
        {
            if (State.IllegalState) CheckIllegalState();
            RunCodeHooks(pc);
        }
    }

    // TranslateData's checks after a translation without a fault: the host's watchpoints, then AArch64.CheckWatchpoint.
    private void CheckDataDebug(ulong va, int size, MemoryAccessKind kind)
    {
        if (_hostDataChecks) CheckHostWatchpoints(va, size, kind);
        if (_watchpointsArmed) CheckWatchpoint(va, size, kind);
    }

    /// <summary>DoubleLockStatus(): OSDLR_EL1.DLK set and DBGPRCR_EL1.CORENPDRQ clear (no halting debug).</summary>
    private bool DoubleLocked => (Sys.Osdlr & 1) != 0 && (Sys.Dbgprcr & 1) == 0;

    /// <summary>
    /// True when the JIT must build no block at <paramref name="pc"/>'s page: an armed breakpoint may match there, or the
    /// host has a breakpoint or code hook there, so each instruction of the page goes through
    /// <see cref="StepInstruction"/>, which checks it before it executes.
    /// </summary>
    internal bool InstructionChecksOnPage(ulong pc)
    {
        if (_hostCodeChecks && HostCodeOnPage(pc)) return true;
        if (!_breakpointsArmed) return false;
        if (_breakpointsOnEveryPage) return true;
        foreach (ulong page in _breakpointPages)
            if (page == pc >> 12) return true;
        return false;
    }

    /// <summary>
    /// True when the page of <paramref name="va"/> may hold a byte an armed watchpoint, a host watchpoint or a memory
    /// hook watches: the host TLB then keeps it out of its fast path. For the architectural watchpoints bits 63:56 are
    /// ignored (a tagged address matches by bits 55 down).
    /// </summary>
    internal bool PageMayBeWatched(ulong va)
    {
        if (!_dataDebugChecks) return false;
        if (_hostDataChecks && HostDataOnPage(va)) return true;
        if (!_watchpointsArmed) return false;
        const ulong Untagged = 0x00FF_FFFF_FFFF_F000;
        ulong page = va & Untagged;
        foreach (var (lo, hi) in _watchedRanges)
            if (hi > lo && page <= ((hi - 1) & Untagged) && (lo & Untagged) <= page) return true;
        return false;
    }

    /// <summary>
    /// The EL debug exceptions are taken to (DebugTarget() for the exceptions of the current EL): EL2 from EL2, and
    /// from EL0 and EL1 when EL2 is enabled and MDCR_EL2.TDE or HCR_EL2.TGE is set; EL1 otherwise.
    /// </summary>
    internal int DebugExceptionTargetEl => State.EL == 2 || RouteDebugToEl2 ? 2 : 1;

    private bool RouteDebugToEl2 => IsEl2Enabled && ((Sys.Hcr & HcrTge) != 0 || (Sys.Mdcr[2] & MdcrEl2Tde) != 0);

    /// <summary>AArch64.GenerateDebugExceptions(): debug exceptions can be taken from the current EL and PSTATE.D.</summary>
    internal bool DebugExceptionsEnabled => DebugExceptionsEnabledFrom(State.EL, (State.Daif & (1u << 9)) != 0);

    /// <summary>
    /// AArch64.GenerateDebugExceptionsFrom: not under the OS lock or double lock; to the debug target EL from a lower
    /// EL, or from the target EL itself with MDSCR_EL1.KDE set and <paramref name="masked"/> (PSTATE.D) clear; never
    /// from Secure state with MDCR_EL3.SDD set, never from EL3.
    /// </summary>
    internal bool DebugExceptionsEnabledFrom(int from, bool masked)
    {
        if (Sys.OsLock || DoubleLocked) return false;
        int target = RouteDebugToEl2 ? 2 : 1;
        bool secure = Configuration.HasEl3 && (from == 3 || (Sys.Scr & ScrEl3.Ns) == 0);
        if (secure && (Sys.Mdcr[3] & MdcrEl3Sdd) != 0) return false;
        // AArch32.GenerateDebugExceptionsFrom: with the debug target EL using AArch32 (an AArch32 EL1, or Hyp mode of an
        // AArch32-only PE) there is no KDE or PSTATE.D: enabled from every Non-secure EL but EL2.
        if (target == 1 ? El1UsingAarch32 : El2UsingAarch32) return from != 2;
        return from == target ? (Sys.Mdscr & MdscrKde) != 0 && !masked : target > from;
    }

    // ---- Software step (Arm ARM D2.12, CheckSoftwareStep, SSAdvance) ----

    /// <summary>
    /// CheckSoftwareStep before the instruction at <paramref name="pc"/> is fetched: in the active-pending state
    /// (MDSCR_EL1.SS set, debug exceptions enabled, PSTATE.SS clear) takes the Software Step exception and returns
    /// true. <paramref name="stepping"/> is set in the active-not-pending state: this instruction is the one stepped.
    /// </summary>
    private bool CheckSoftwareStep(ulong pc, out bool stepping)
    {
        stepping = false;
        _softwareStepAdvanceSuppressed = false;
        if (!_softwareStepConfigured || !DebugExceptionsEnabled || SoftwareStepTargetIsAarch32) return false;
        if (State.SoftwareStep)
        {
            stepping = true;
            return false;
        }
        // AArch64.SoftwareStepException: ISV is clear when the previous instruction was not stepped (after an exception
        // return into the active-pending state, for instance), EX says the stepped instruction was a load-exclusive.
        int target = DebugExceptionTargetEl;
        uint iss = (_lastInstructionStepped ? 1u << 24 : 0) | (_lastInstructionStepped && _lastSteppedExclusive ? 1u << 6 : 0) | DebugFsc;
        _lastInstructionStepped = false;
        TakeException(ExceptionKind.Synchronous, target, pc,
            target == State.EL ? ExceptionClass.SoftwareStepSame : ExceptionClass.SoftwareStepLower, iss);
        return true;
    }

    /// <summary>
    /// After an instruction completed with MDSCR_EL1.SS set: SSAdvance (active-not-pending becomes active-pending),
    /// unless the instruction was an exception return, and the syndrome facts of the next Software Step exception.
    /// </summary>
    private void SoftwareStepCompleted(uint insn, bool stepped, bool t32 = false)
    {
        if (!_softwareStepAdvanceSuppressed) State.SoftwareStep = false;
        _lastInstructionStepped = stepped;
        _lastSteppedExclusive = stepped && IsLoadExclusive(insn, State.Aarch32, t32);
    }

    // The load-exclusives of SoftwareStep_SteppedEX: A64 LDXR, LDAXR, LDXP, LDAXP (load/store exclusive group, o2 = 0,
    // L = 1); A32 LDREX{,B,H,D} and LDAEX{,B,H,D} (cond 0001 1xx1 Rn Rt 111x 1001 1111; LDA* have 1100); T32 LDREX
    // (1110 1000 0101) and LDREXB/H/D, LDAEXB/H/D/LDAEX (1110 1000 1101 ... op3 bit 6 set; TBB/TBH and LDA* have it clear).
    internal static bool IsLoadExclusive(uint insn, bool aarch32, bool t32) =>
        !aarch32 ? (insn & 0x3F80_0000u) == 0x0800_0000u && (insn & (1u << 22)) != 0
        : t32 ? (insn & 0xFFF0_0000u) == 0xE850_0000u || (insn & 0xFFF0_0040u) == 0xE8D0_0040u
        : (insn & 0x0F90_0E9Fu) == 0x0190_0E9Fu;

    /// <summary>
    /// SSAdvance for the instructions that complete by taking an exception (SVC, HVC, SMC: AArch64.CallSupervisor and
    /// the others advance before they take it), so that SPSR_ELx.SS records the step as done.
    /// </summary>
    internal void SoftwareStepAdvance()
    {
        if (_softwareStepConfigured) State.SoftwareStep = false;
    }

    /// <summary>
    /// Asked by the JIT's loop before it enters a block while a debug feature is in use: true when software step is
    /// active (each instruction must go through <see cref="StepInstruction"/>). Otherwise the instructions that run
    /// next are not stepped, which the syndrome of a later Software Step exception records.
    /// </summary>
    private bool SoftwareStepActive()
    {
        if (!_softwareStepConfigured) return false;
        if (!SoftwareStepTargetIsAarch32 && (State.SoftwareStep || DebugExceptionsEnabled)) return true;
        _lastInstructionStepped = false;
        return false;
    }

    /// <summary>
    /// DebugExceptionReturnSS: the PSTATE.SS an exception return to <paramref name="destEl"/> with
    /// <paramref name="spsr"/> sets: SPSR.SS when software step is configured, debug exceptions are disabled at the
    /// source and enabled at the destination; 0 otherwise. (Called before PSTATE changes.)
    /// </summary>
    private bool DebugExceptionReturnSs(ulong spsr, int destEl)
    {
        _softwareStepAdvanceSuppressed = true;
        if (!_softwareStepConfigured || DebugExceptionsEnabled || SoftwareStepTargetIsAarch32) return false;
        return DebugExceptionsEnabledFrom(destEl, (spsr & (1UL << 9)) != 0) && (spsr & (1UL << 21)) != 0;
    }

    // Software step exists only with an AArch64 debug target (Arm ARM D2.12: an AArch32 EL1, or Hyp mode, as the target
    // of debug exceptions has no software step; its MDSCR_EL1.SS, DBGDSCRext bit 0, has no effect).
    private bool SoftwareStepTargetIsAarch32 => RouteDebugToEl2 ? El2UsingAarch32 : El1UsingAarch32;

    // ---- Breakpoints and watchpoints (D2.8, D2.9) ----

    /// <summary>
    /// AArch64.CheckBreakpoint for the instruction at <paramref name="pc"/> (fetched without an abort, not yet
    /// executed): a Breakpoint exception (EC 0x30/0x31, IFSC = Debug exception) when a breakpoint matches and debug
    /// exceptions are enabled. FAR is UNKNOWN; it is written 0, as QEMU does, so nothing leaks into it.
    /// </summary>
    private void CheckBreakpoint(ulong pc)
    {
        if (!DebugExceptionsEnabled) return;
        for (int n = 0; n < BreakpointCount; n++)
        {
            // A breakpoint on the second halfword of a 32-bit T32 instruction only is CONSTRAINED UNPREDICTABLE
            // (AArch64.BreakpointMatch, Unpredictable_BPMATCHHALF): no event, as QEMU chooses.
            if (!SelfHostedDebug.BreakpointMatch(this, n, pc)) continue;
            int target = DebugExceptionTargetEl;
            throw new GuestException(target == State.EL ? ExceptionClass.BreakpointSame : ExceptionClass.BreakpointLower,
                DebugFsc, target, far: 0);
        }
    }

    /// <summary>
    /// AArch64.CheckWatchpoint for a data access that translated without a fault: a Watchpoint exception (EC
    /// 0x34/0x35, WnR, DFSC = Debug exception) when a watchpoint matches and debug exceptions are enabled. FAR is an
    /// address both accessed and watched: the higher of the access address and the watched range's start (QEMU's).
    /// Cache maintenance by VA does not match; DC ZVA is a store of its whole block.
    /// </summary>
    private void CheckWatchpoint(ulong va, int size, MemoryAccessKind kind)
    {
        if ((kind & MemoryAccessKind.CacheMaintenance) != 0 || !DebugExceptionsEnabled) return;
        bool write = (kind & (MemoryAccessKind.Write | MemoryAccessKind.ZeroBlock)) != 0;
        if ((kind & MemoryAccessKind.ZeroBlock) != 0)
        {
            size = 4 << (int)(Configuration.Model.Dczid & 0xF);
            va &= ~(ulong)(size - 1);
        }
        bool privileged = State.EL != 0 && (kind & MemoryAccessKind.Unprivileged) == 0;
        for (int n = 0; n < WatchpointCount; n++)
        {
            if (!SelfHostedDebug.WatchpointMatch(this, n, va, size, privileged, write)) continue;
            int target = DebugExceptionTargetEl;
            ulong far = Math.Max(va, SelfHostedDebug.WatchedRange(this, n).Lo);
            if (far >= va + (ulong)size) far = va;
            // Recorded as the access's abort, as a fault is (Cpu.DataAborts.cs).
            RecordAbort(target == State.EL ? ExceptionClass.WatchpointSame : ExceptionClass.WatchpointLower,
                (write ? 1u << 6 : 0) | DebugFsc, target, far, null);
            return;
        }
    }

    /// <summary>
    /// AddrTop(va, FALSE, PSTATE.EL): 55 when the address is tagged (TCR_EL1.TBI0/TBI1 by bit 55 for EL0 and EL1,
    /// TCR_ELx.TBI at EL2 and EL3), else 63.
    /// </summary>
    internal int DataAddressTop(ulong va)
    {
        bool tbi = State.EL <= 1
            ? ((Sys.Tcr[1] >> ((va & (1UL << 55)) != 0 ? 38 : 37)) & 1) != 0
            : ((Sys.Tcr[State.EL] >> 20) & 1) != 0;
        return tbi ? 55 : 63;
    }
}
