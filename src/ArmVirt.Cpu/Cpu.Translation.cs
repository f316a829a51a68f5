using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;
using ArmVirt.Mmu;
using MmuTlbi = ArmVirt.Mmu.TlbiOperation;
using SysTlbi = ArmVirt.Cpu.SystemRegisters.TlbiOperation;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private AddressTranslator? _translator;
    private global::ArmVirt.Cpu.Timing.DescriptorReadCounter _descriptorReads = null!; // the translator's memory (Cpu.Timing.cs)

    /// <summary>The two-stage MMU with this CPU's TLB (created on first use).</summary>
    internal AddressTranslator Translator
    {
        get
        {
            if (_translator == null)
            {
                _translator = new AddressTranslator(_descriptorReads = new global::ArmVirt.Cpu.Timing.DescriptorReadCounter(new PhysicalBusMemory(Bus)));
                TlbMaintenance += OnTlbInvalidation;
                AddressTranslationHook = TranslateForAt;
            }
            return _translator;
        }
    }

    // The EL whose registers the current regime uses: 3 for the Secure PL1&0 regime of an AArch32 EL3 (Secure User mode too).
    private int RegimeEl => State.EL > 1 ? State.EL : State.EL == 0 && IsSecureAarch32 ? 3 : 1;

    /// <summary>
    /// True when the current regime translates: stage 1 enabled (SCTLR_ELx.M) or, for EL1&amp;0, stage 2 or
    /// HCR_EL2.DC in force. Otherwise accesses use the flat map of AArch64.S1DisabledOutput.
    /// </summary>
    internal bool TranslationEnabled
    {
        get
        {
            int regime = RegimeEl;
            if ((Sys.Sctlr[regime] & 1) != 0) return true;
            return regime == 1 && (EffectiveHcr & (HcrEl2.Vm | HcrEl2.Dc)) != 0;
        }
    }

    /// <summary>A snapshot of the registers the walk needs for the current EL's regime.</summary>
    internal TranslationControl CurrentTranslationControl() => TranslationControlFor(State.EL);

    /// <summary>
    /// A debugger's walk of <paramref name="va"/> in the current translation regime (stage 1 and, under it, stage 2):
    /// no TLB fill, no access-flag update, no exception; the fault, if any, is in the result.
    /// </summary>
    internal TranslationResult DebugTranslate(ulong va)
    {
        var control = CurrentTranslationControl();
        return Translator.Translate(in control, va, AccessType.Read);
    }

    /// <summary>The translation controls of the regime used at <paramref name="el"/>.</summary>
    internal TranslationControl TranslationControlFor(int el)
    {
        // An AArch32 EL3's Secure PL1&0 regime: the EL1&0 walk with the Secure banks (SCR.NS = 0 for EL0 and EL1 here: an
        // ATS1C* from Secure state, or Secure User mode).
        bool secure = El3UsingAarch32 && (el == 3 || (Sys.Scr & ScrNs) == 0);
        if (secure) return SecureTranslationControl(el);
        int regime = el <= 1 ? 1 : el;
        bool aarch32 = regime == 1 && El1UsingAarch32;
        return new TranslationControl
        {
            Regime = regime switch { 1 => TranslationRegime.EL10, 2 => TranslationRegime.EL2, _ => TranslationRegime.EL3 },
            El = el,
            Sctlr = Sys.Sctlr[regime],
            Tcr = Sys.Tcr[regime],
            Ttbr0 = Sys.Ttbr0[regime],
            Ttbr1 = regime == 1 ? Sys.Ttbr1[1] : 0,
            Mair = Sys.Mair[regime],
            El2Enabled = IsEl2Enabled,
            Hcr = Sys.Hcr,
            Vtcr = Sys.Vtcr,
            Vttbr = Sys.Vttbr,
            Pan = State.Pan,
            IdAa64Mmfr0 = Configuration.Model.IdAa64Mmfr0,
            Aarch32 = aarch32,
            El2Aarch32 = El2UsingAarch32,
            // Only an AArch32 EL1's regime reads them (an MSR of either drops the cached regime, an MCR as well).
            Dacr = aarch32 ? (uint)Sys.Dacr32 : 0,
            ContextIdr = aarch32 ? (uint)Sys.ContextIdr : 0,
        };
    }

    // The Secure PL1&0 regime of an AArch32 EL3 (TranslationControl.Secure): SCTLR, TTBCR, TTBR0/1, PRRR/NMRR, DACR and
    // CONTEXTIDR are their Secure instances, no stage 2.
    private TranslationControl SecureTranslationControl(int el) => new()
    {
        Regime = TranslationRegime.EL10,
        Secure = true,
        El = el == 0 ? 0 : 1,
        Sctlr = Sys.Sctlr[3],
        Tcr = Sys.Tcr[3],
        Ttbr0 = Sys.Ttbr0[3],
        Ttbr1 = Sys.Ttbr1[3],
        Mair = Sys.Mair[3],
        El2Enabled = false,
        Pan = State.Pan,
        IdAa64Mmfr0 = Configuration.Model.IdAa64Mmfr0,
        Aarch32 = true,
        El2Aarch32 = El2UsingAarch32,
        Dacr = (uint)Sys.DacrS,
        ContextIdr = (uint)Sys.ContextIdrS,
    };

    private static AccessType ToAccessType(MemoryAccessKind kind)
    {
        var a = (kind & MemoryAccessKind.Write) != 0 ? AccessType.Write : AccessType.Read;
        if ((kind & MemoryAccessKind.Unprivileged) != 0) a |= AccessType.Unprivileged;
        if ((kind & MemoryAccessKind.CacheMaintenance) != 0) a |= AccessType.CacheMaintenance;
        return a;
    }

    // ---- The current regime's translation controls, cached ----
    // Everything TranslationControlFor reads changes only through an MSR (SystemRegisterMove.Msr calls
    // InvalidateRegimeCache), an exception entry or return (which change PSTATE.EL and PSTATE.PAN, compared on every
    // use) or an MSR PAN (PSTATE.PAN again). Code outside the instruction stream that writes Sys directly (tests,
    // loaders, firmware preparing another CPU) runs before Run or Step, which both drop the cache.
    private TranslationControl _regime;
    private bool _regimeCached;
    // _regimeCached, and no watchpoint armed (nor a host watchpoint or memory hook): the interpreter's RAM fast path
    // (FastReadPointer, FastWritePointer) may be taken. (One flag, so that the fast path tests nothing more than before;
    // watchpoints send every access through TranslateData, which checks them.)
    private bool _regimeFastData;
    private int _regimeEl;
    private bool _regimePan;
    private bool _regimeTranslates;
    private ulong _regimeContext;
    private PermissionCheck _regimeReadCheck, _regimeWriteCheck, _regimeExecuteCheck;
    private Tlb? _tlb;

    /// <summary>Drops the cached translation controls of the current regime (after a write to a register they hold).</summary>
    internal void InvalidateRegimeCache() => _regimeCached = _regimeFastData = false;

    // True when the cached controls are those of the current EL and PSTATE.PAN; refreshes them otherwise.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void EnsureRegimeCache()
    {
        if (!_regimeCached || _regimeEl != State.EL || _regimePan != State.Pan) RefreshRegimeCache();
    }

    private void RefreshRegimeCache()
    {
        _regime = CurrentTranslationControl();
        _regimeTranslates = TranslationEnabled;
        _regimeContext = _regime.TlbContext;
        _regimeReadCheck = PermissionCheck.For(in _regime, AccessType.Read);
        _regimeWriteCheck = PermissionCheck.For(in _regime, AccessType.Write);
        _regimeExecuteCheck = PermissionCheck.For(in _regime, AccessType.Execute);
        _tlb = Translator.Tlb;
        if (!_regimeTranslates) CacheFlatRam();
        _regimeEl = State.EL;
        _regimePan = State.Pan;
        _regimeCached = true;
        _regimeFastData = !_dataDebugChecks;
        _regimeSerial++;
    }

    // Counts refreshes of the regime cache: the host TLB revalidates its key only after one.
    private long _regimeSerial;

    // The flat map's fast path (translation off): the largest RAM region, clipped to the physical address size (an
    // address above it takes the slow path's Address size fault). Empty until a regime without translation is cached.
    private ulong _flatRamBase, _flatRamSize;
    private unsafe byte* _flatRamHost;

    private unsafe void CacheFlatRam()
    {
        _flatRamBase = 0;
        _flatRamSize = 0;
        _flatRamHost = null;
        ulong paLimit = 1UL << PhysicalAddressBits;
        foreach (var r in Bus.Ram)
        {
            if (r.Size <= _flatRamSize || r.Base >= paLimit) continue;
            _flatRamBase = r.Base;
            _flatRamSize = Math.Min(r.Size, paLimit - r.Base);
            _flatRamHost = r.Pointer;
        }
    }

    private ulong TranslateThroughMmu(ulong va, MemoryAccessKind kind, bool misaligned)
    {
        EnsureRegimeCache();
        bool deviceFaults = misaligned || (kind & MemoryAccessKind.ZeroBlock) != 0;
        long reads = _descriptorReads.Reads;
        var r = Translator.TranslateCached(in _regime, va, ToAccessType(kind), deviceFaults);
        if (_timing != null) TimingWalked(reads, va);
        if (r.IsFault) return RecordAbortFor(va, r.Fault, kind);
        return r.PhysicalAddress;
    }

    // The soft-TLB fast path of an instruction fetch in the cached regime (which must be current): pc's physical
    // address when its page is in the TLB with execute permission.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TryFetchFromTlb(ulong pc, out ulong pa)
    {
        ref readonly TlbEntry e = ref _tlb!.Lookup(pc, _regimeContext);
        if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(in e) && _regimeExecuteCheck.Allows(e.Permissions))
        {
            pa = e.PaPage | (pc & 0xFFF);
            return true;
        }
        pa = 0;
        return false;
    }

    // The fetch translation of pc in a regime that translates: null and the physical address, or the abort the fetch
    // takes (returned, not thrown: the callers take it or fall back to the interpreter).
    private GuestException? TranslateFetch(ulong pc, out ulong pa)
    {
        EnsureRegimeCache();
        if (TryFetchFromTlb(pc, out pa)) return null;
        long reads = _descriptorReads.Reads;
        var r = Translator.TranslateCached(in _regime, pc, AccessType.Execute);
        if (_timing != null) TimingWalked(reads, pc);
        pa = r.PhysicalAddress;
        return r.IsFault ? AbortFor(pc, r.Fault, MemoryAccessKind.Read, fetch: true) : null;
    }

    /// <summary>
    /// True when the current regime translates (<see cref="TranslationEnabled"/>), from the cached controls.
    /// </summary>
    private bool RegimeTranslates
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        get
        {
            EnsureRegimeCache();
            return _regimeTranslates;
        }
    }

    /// <summary>
    /// The synchronous abort for an MMU fault: stage 2 faults (including those on stage 1 walks) go to EL2 with
    /// HPFAR_EL2; stage 1 faults follow the usual routing. Stage 2 data aborts of single-register loads and stores
    /// carry the instruction syndrome (ISV = 1), which a hypervisor needs to emulate MMIO.
    /// </summary>
    private GuestException AbortFor(ulong va, in TranslationFault fault, MemoryAccessKind kind, bool fetch)
    {
        var (ec, iss, target, ipa) = AbortSyndrome(in fault, kind, fetch);
        return new GuestException(ec, iss, target, far: va, ipa: ipa);
    }

    // The data abort of AbortFor recorded for the running load or store (Cpu.DataAborts.cs); returns 0.
    private ulong RecordAbortFor(ulong va, in TranslationFault fault, MemoryAccessKind kind)
    {
        var (ec, iss, target, ipa) = AbortSyndrome(in fault, kind, fetch: false);
        return RecordAbort(ec, iss, target, va, ipa);
    }

    private (ExceptionClass Ec, uint Iss, int Target, ulong? Ipa) AbortSyndrome(in TranslationFault fault, MemoryAccessKind kind, bool fetch)
    {
        int target = fault.IsStage2 ? 2 : SyncExceptionTargetEl;
        bool same = target == State.EL;
        _abortDomain = fault.Domain; // for the short-format DFSR/IFSR of an AArch32 EL1 (TakeAarch32Exception)
        ulong? ipa = fault.IsStage2 ? fault.Ipa : null;
        if (fetch)
            return (same ? ExceptionClass.InstructionAbortSame : ExceptionClass.InstructionAbortLower, fault.InstructionAbortIss, target, ipa);
        bool cm = (kind & MemoryAccessKind.CacheMaintenance) != 0;
        uint iss = fault.DataAbortIss(cm);
        if (fault.IsStage2 && !fault.S1Ptw && !cm) iss |= InstructionSyndrome.ForCurrentInstruction(this);
        return (same ? ExceptionClass.DataAbortSame : ExceptionClass.DataAbortLower, iss, target, ipa);
    }

    // TLBI: invalidate the TLB entries the operation names (the Mmu maps the operand fields).
    private void OnTlbInvalidation(TlbInvalidation op)
    {
        MmuTlbi mmuOp = op.Operation switch
        {
            SysTlbi.VmallE1 => MmuTlbi.Vmalle1,
            SysTlbi.VaE1 => MmuTlbi.Vae1,
            SysTlbi.AsidE1 => MmuTlbi.Aside1,
            SysTlbi.VaaE1 => MmuTlbi.Vaae1,
            SysTlbi.ValeE1 => MmuTlbi.Vale1,
            SysTlbi.VaaleE1 => MmuTlbi.Vaale1,
            SysTlbi.Ipas2E1 => MmuTlbi.Ipas2e1,
            SysTlbi.Ipas2LE1 => MmuTlbi.Ipas2le1,
            SysTlbi.AllE2 => MmuTlbi.Alle2,
            SysTlbi.VaE2 => MmuTlbi.Vae2,
            SysTlbi.ValeE2 => MmuTlbi.Vale2,
            SysTlbi.AllE1 => MmuTlbi.Alle1,
            SysTlbi.VmallS12E1 => MmuTlbi.Vmalls12e1,
            SysTlbi.AllE3 => MmuTlbi.Alle3,
            SysTlbi.VaE3 => MmuTlbi.Vae3,
            _ => MmuTlbi.Vale3,
        };
        // The issuer's VMID (VTTBR_EL2.VMID for EL1&0 operations with EL2 enabled), which a broadcast carries to other PEs.
        _translator!.Tlb.Invalidate(mmuOp, op.Operand, op.Vmid);
    }

    /// <summary>
    /// AT S1Exx / S12Exx (AArch64.AT): translates without the TLB and formats PAR_EL1. An external abort on the
    /// walk is not reported in PAR but taken as a Data Abort, as the Arm ARM requires.
    /// </summary>
    private static ulong TranslateForAt(Cpu cpu, AtRequest request)
    {
        var control = cpu.TranslationControlFor(request.El);
        var access = (request.Write ? AccessType.Write : AccessType.Read) | AccessType.AtInstruction;
        if (request.El == 0) access |= AccessType.Unprivileged;
        var r = cpu.Translator.Translate(in control, request.Address, access, unaligned: false, stage1Only: !request.IncludeStage2);
        if (r.IsFault && !r.Fault.ReportableInPar)
            throw cpu.AbortFor(request.Address, r.Fault, request.Write ? MemoryAccessKind.Write : MemoryAccessKind.Read, fetch: false);
        return ParEl1.Format(in r);
    }
}
