using System.Runtime.CompilerServices;
using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    // Fault status codes (ESR_ELx.ISS.DFSC / IFSC).
    internal const uint FscAddressSizeL0 = 0b000000;
    internal const uint FscSyncExternal = 0b010000;
    internal const uint FscAlignment = 0b100001;

    /// <summary>The PE-local exclusive monitor.</summary>
    internal LocalExclusiveMonitor ExclusiveMonitorLocal { get; } = new();

    /// <summary>Physical address width from ID_AA64MMFR0_EL1.PARange (32, 36, 40, 42, 44, 48 or 52 bits).</summary>
    internal int PhysicalAddressBits => (Configuration.Model.IdAa64Mmfr0 & 0xF) switch
    {
        0 => 32, 1 => 36, 2 => 40, 3 => 42, 4 => 44, 5 => 48, _ => 52,
    };

    /// <summary>
    /// SCTLR[]: the SCTLR_ELx of S1TranslationRegime() for the current EL. Without FEAT_VHE, EL0 uses SCTLR_EL1 even
    /// when HCR_EL2.TGE is 1 (TGE changes where exceptions go and disables stage 1, not which SCTLR is read).
    /// </summary>
    internal ulong CurrentSctlr => Sys.Sctlr[RegimeEl];

    /// <summary>
    /// Translates a data address for this access and returns its physical address, raising the data abort
    /// the Arm ARM requires for an alignment or address-size fault. Stage 1 with SCTLR_ELx.M = 0 is a flat
    /// map whose data accesses are Device-nGnRnE, so every unaligned data access faults (AArch64.S1DisabledOutput).
    /// Then a Watchpoint exception when an armed watchpoint matches the access (every access that may match comes here:
    /// the RAM fast paths are off, or skip watched pages, while watchpoints are armed).
    /// </summary>
    /// <remarks>Throws the abort as a <see cref="GuestException"/>; the load/store handlers use <see cref="TranslateDataOrAbort"/>.</remarks>
    internal ulong TranslateData(ulong va, int size, MemoryAccessKind kind, int alignment = 0) =>
        ThrowIfAborted(TranslateDataOrAbort(va, size, kind, alignment));

    /// <summary>
    /// <see cref="TranslateData"/> without a throw: the physical address, or 0 with the abort recorded
    /// (<see cref="AbortPending"/>) for the execution loop to take.
    /// </summary>
    internal ulong TranslateDataOrAbort(ulong va, int size, MemoryAccessKind kind, int alignment = 0)
    {
        if (_abortPending) return 0; // an access after a fault of the same instruction does nothing
        ulong pa = TranslateDataAddress(va, size, kind, alignment);
        // AArch64.CheckDebug after a translation without a fault (D2.9: alignment and MMU faults come first).
        if (_dataDebugChecks && !_abortPending) CheckDataDebug(va, size, kind);
        return _abortPending ? 0 : pa;
    }

    private ulong TranslateDataAddress(ulong va, int size, MemoryAccessKind kind, int alignment)
    {
        JitCheckAfterAccess = true; // not the RAM fast path: an MMIO access may raise an interrupt or move the clock
        _jitFetchPageTrusted = false; // a walk may refill the TLB: block links re-check the fetch translation
        EnsureRegimeCache();
        ulong sctlr = _regime.Sctlr;
        if (alignment == 0) alignment = size;
        bool misaligned = (va & (ulong)(alignment - 1)) != 0;
        if (misaligned && ((kind & (MemoryAccessKind.AcquireRelease | MemoryAccessKind.Exclusive | MemoryAccessKind.Atomic)) != 0
            || (sctlr & 2) != 0)) // SCTLR_ELx.A
            return RecordDataAbort(va, kind, FscAlignment);
        if (_regimeTranslates) return TranslateThroughMmu(va, kind, misaligned);
        // Flat map with the MMU off: data accesses are Device-nGnRnE, so any unaligned access faults.
        if (misaligned || (kind & MemoryAccessKind.ZeroBlock) != 0) return RecordDataAbort(va, kind, FscAlignment);
        if ((va >> PhysicalAddressBits) != 0)
            return RecordDataAbort(va, kind, FscAddressSizeL0);
        return va;
    }

    // Accesses the soft-TLB fast path leaves to TranslateData: other rights (LDTR/STTR), cache maintenance, DC ZVA.
    private const MemoryAccessKind SlowPathKinds =
        MemoryAccessKind.Unprivileged | MemoryAccessKind.CacheMaintenance | MemoryAccessKind.ZeroBlock;

    /// <summary>Reads <paramref name="size"/> bytes (1, 2, 4, 8) at virtual address <paramref name="va"/>.</summary>
    /// <remarks>
    /// <see cref="Load"/> with a fault thrown as a <see cref="GuestException"/> (for callers other than the load/store
    /// handlers). The soft-TLB fast path is small enough to be inlined into the handlers and, through them, into compiled
    /// blocks: an access aligned to its size and alignment, of an ordinary kind, hitting a RAM page of the TLB under
    /// the cached regime with the rights it needs. Everything else takes <see cref="LoadSlow"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong ReadMemory(ulong va, int size, MemoryAccessKind kind = MemoryAccessKind.Read, int alignment = 0) =>
        ThrowIfAborted(Load(va, size, kind, alignment));

    /// <summary>
    /// The soft-TLB fast path of an ordinary read at <paramref name="va"/> that stays in its page: the host address when
    /// the cached regime is current and translates, and the TLB holds a RAM page for <paramref name="va"/> readable
    /// under it; otherwise null (the caller takes the slow path, <see cref="LoadSlow"/>). Shared by <see cref="ReadMemory"/>
    /// and the loads compiled code emits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe byte* FastReadPointer(ulong va)
    {
        if (_regimeFastData && _regimeEl == State.EL && _regimePan == State.Pan)
        {
            if (!_regimeTranslates) return FlatRamPointer(va);
            ref readonly Mmu.TlbEntry e = ref _tlb!.Lookup(va, _regimeContext);
            if (!Unsafe.IsNullRef(in e) && e.IsRam && _regimeReadCheck.Allows(e.Permissions))
                return (byte*)unchecked((nint)((long)va + e.HostOffset));
        }
        return null;
    }

    /// <summary>
    /// The write counterpart of <see cref="FastReadPointer"/>: the host address and the physical address of an
    /// ordinary write that stays in its page, or null. The caller stores through it, then calls
    /// <see cref="AfterFastWrite"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe byte* FastWritePointer(ulong va, out ulong pa)
    {
        if (_regimeFastData && _regimeEl == State.EL && _regimePan == State.Pan)
        {
            if (!_regimeTranslates)
            {
                pa = va;
                return FlatRamPointer(va);
            }
            ref readonly Mmu.TlbEntry e = ref _tlb!.Lookup(va, _regimeContext);
            if (!Unsafe.IsNullRef(in e) && e.IsRam && _regimeWriteCheck.Allows(e.Permissions))
            {
                pa = e.PaPage | (va & 0xFFF);
                return (byte*)unchecked((nint)((long)va + e.HostOffset));
            }
        }
        pa = 0;
        return null;
    }

    // The flat map (AArch64.S1DisabledOutput, translation off): PA = VA. An aligned access (the callers' condition) to its
    // Device-nGnRnE RAM behaves as an ordinary one. Null outside the RAM region the regime cache holds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe byte* FlatRamPointer(ulong va)
    {
        ulong offset = va - _flatRamBase;
        return offset < _flatRamSize ? _flatRamHost + offset : null;
    }

    /// <summary>
    /// What follows a store through <see cref="FastWritePointer"/>: translated code in the written page is dropped (the
    /// page filter inline, the rest only for a page that may hold code) and the store is reported (<see cref="NotifyStore"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AfterFastWrite(ulong pa, int size)
    {
        var filter = _storeCodeFilter;
        if (filter != null && filter.MayHoldCode(pa)) OnStoreMayHitCode(pa, size);
        if (_storesObserved) NotifyStore(pa, size);
    }

    /// <summary>
    /// <see cref="ReadMemory"/> for the load/store handlers: the same inlined fast path, and a slow path that records a
    /// data abort (<see cref="AbortPending"/>) and returns 0 instead of throwing. The handler checks
    /// <see cref="AbortPending"/> before its architectural writes; the execution loop takes the abort.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong Load(ulong va, int size, MemoryAccessKind kind = MemoryAccessKind.Read, int alignment = 0)
    {
        if ((va & (ulong)(uint)(Math.Max(size, alignment) - 1)) == 0 && (kind & SlowPathKinds) == 0)
        {
            unsafe
            {
                byte* h = FastReadPointer(va);
                if (h != null) return LoadHost(h, size);
            }
        }
        return LoadSlow(va, size, kind, alignment);
    }

    // The slow path of Load: 0 with the abort recorded on a fault, and nothing done after an earlier fault of the same
    // instruction (a second access to MMIO must not happen).
    private ulong LoadSlow(ulong va, int size, MemoryAccessKind kind, int alignment)
    {
        if (_abortPending) return 0;
        ulong value = ReadMemoryTranslated(va, size, kind, alignment);
        if (_abortPending) return 0;
        if (_memoryHooksArmed) ReportMemoryAccess(va, size, value, write: false);
        return value;
    }

    private ulong ReadMemoryTranslated(ulong va, int size, MemoryAccessKind kind, int alignment)
    {
        if ((va & 0xFFF) + (ulong)size > 0x1000 && RegimeTranslates) return ReadAcrossPages(va, size, kind, alignment);
        ulong pa = TranslateDataOrAbort(va, size, kind & ~MemoryAccessKind.Write, alignment);
        if (_abortPending) return 0;
        unsafe
        {
            byte* p = Bus.RamPointer(pa, (ulong)size);
            if (p != null)
            {
                return LoadHost(p, size);
            }
        }
        Statistics.MmioAccesses++;
        if (!Bus.TryRead(pa, size, out ulong value))
            return RecordDataAbort(va, kind & ~MemoryAccessKind.Write, FscSyncExternal);
        return value;
    }

    /// <summary>Writes the low <paramref name="size"/> bytes of <paramref name="value"/> at <paramref name="va"/>.</summary>
    /// <remarks>The inlinable soft-TLB fast path of <see cref="ReadMemory"/>, for writes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void WriteMemory(ulong va, int size, ulong value, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0)
    {
        Store(va, size, value, kind, alignment);
        ThrowIfAborted(0);
    }

    /// <summary><see cref="WriteMemory"/> for the load/store handlers: a fault is recorded, not thrown (see <see cref="Load"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Store(ulong va, int size, ulong value, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0)
    {
        if ((va & (ulong)(uint)(Math.Max(size, alignment) - 1)) == 0 && (kind & SlowPathKinds) == 0)
        {
            unsafe
            {
                // An aligned access stays in its page.
                byte* h = FastWritePointer(va, out ulong pa);
                if (h != null)
                {
                    StoreHost(h, size, value);
                    AfterFastWrite(pa, size);
                    return;
                }
            }
        }
        StoreSlow(va, size, value, kind | MemoryAccessKind.Write, alignment);
    }

    private void StoreSlow(ulong va, int size, ulong value, MemoryAccessKind kind, int alignment)
    {
        if (_abortPending) return;
        if ((va & 0xFFF) + (ulong)size > 0x1000 && RegimeTranslates)
            WriteAcrossPages(va, size, value, kind, alignment);
        else
        {
            ulong pa = TranslateDataOrAbort(va, size, kind, alignment);
            if (_abortPending) return;
            WritePhysical(va, pa, size, value, kind);
        }
        if (_memoryHooksArmed && !_abortPending) ReportMemoryAccess(va, size, value, write: true);
    }

    // An access that straddles two pages is translated page by page (both before any byte is written), then
    // performed byte by byte, little-endian.
    private ulong ReadAcrossPages(ulong va, int size, MemoryAccessKind kind, int alignment)
    {
        kind &= ~MemoryAccessKind.Write;
        ulong pa1 = TranslateDataOrAbort(va, size, kind, alignment);
        ulong second = (va | 0xFFF) + 1;
        ulong pa2 = TranslateDataOrAbort(second, 1, kind, 1);
        if (_abortPending) return 0;
        ulong value = 0;
        for (int i = 0; i < size; i++)
        {
            ulong a = va + (ulong)i;
            ulong pa = a < second ? pa1 + (a - va) : pa2 + (a - second);
            if (!Bus.TryRead(pa, 1, out ulong b)) return RecordDataAbort(a, kind, FscSyncExternal);
            value |= b << (8 * i);
        }
        return value;
    }

    private void WriteAcrossPages(ulong va, int size, ulong value, MemoryAccessKind kind, int alignment)
    {
        ulong pa1 = TranslateDataOrAbort(va, size, kind, alignment);
        ulong second = (va | 0xFFF) + 1;
        ulong pa2 = TranslateDataOrAbort(second, 1, kind, 1);
        if (_abortPending) return;
        for (int i = 0; i < size && !_abortPending; i++)
        {
            ulong a = va + (ulong)i;
            ulong pa = a < second ? pa1 + (a - va) : pa2 + (a - second);
            WritePhysical(a, pa, 1, value >> (8 * i), kind);
        }
    }

    /// <summary>Checks that a write of <paramref name="size"/> bytes at <paramref name="va"/> would succeed, without writing.</summary>
    internal ulong ProbeWrite(ulong va, int size, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0) =>
        ThrowIfAborted(ProbeStore(va, size, kind, alignment));

    /// <summary><see cref="ProbeWrite"/> for the load/store handlers: a fault is recorded, not thrown (see <see cref="Load"/>).</summary>
    internal ulong ProbeStore(ulong va, int size, MemoryAccessKind kind = MemoryAccessKind.Write, int alignment = 0)
    {
        kind |= MemoryAccessKind.Write;
        ulong pa = TranslateDataOrAbort(va, size, kind, alignment);
        if (_abortPending) return 0;
        unsafe
        {
            if (Bus.RamPointer(pa, (ulong)size) != null) return pa;
        }
        if (Bus.FindMmio(pa) == null) return RecordDataAbort(va, kind, FscSyncExternal);
        return pa;
    }

    /// <summary>
    /// What follows a write of <paramref name="size"/> bytes to RAM at <paramref name="pa"/> made directly through the
    /// bus's host pointer (DC ZVA): translated code there is dropped and <see cref="PhysicalWrite"/> is raised.
    /// </summary>
    internal void AfterRamWrite(ulong pa, int size)
    {
        OnStoreMayHitCode(pa, size);
        if (_storesObserved) NotifyStore(pa, size);
    }

    private void WritePhysical(ulong va, ulong pa, int size, ulong value, MemoryAccessKind kind)
    {
        unsafe
        {
            byte* p = Bus.RamPointer(pa, (ulong)size);
            if (p != null)
            {
                StoreHost(p, size, value);
                OnStoreMayHitCode(pa, size);
                if (_storesObserved) NotifyStore(pa, size);
                return;
            }
        }
        Statistics.MmioAccesses++;
        if (!Bus.TryWrite(pa, size, value))
            RecordDataAbort(va, kind, FscSyncExternal);
    }

    /// <summary>
    /// Raised after each guest data write to RAM with its physical address and size (after translated code there, this
    /// CPU's and its domain's, was dropped). While it has no handler compiled code reports no stores, so a handler costs
    /// every store of the guest a call.
    /// </summary>
    internal event Action<ulong, int>? PhysicalWrite
    {
        add
        {
            _physicalWrite += value;
            UpdateStoresObserved();
        }
        remove
        {
            _physicalWrite -= value;
            UpdateStoresObserved();
        }
    }

    private Action<ulong, int>? _physicalWrite;

    // True while a store must be reported: PhysicalWrite has a handler, or another PE holds an exclusive reservation
    // this CPU's stores may clear. Read by the store paths and by compiled code after each store.
    internal bool _storesObserved;
    private bool _othersHoldReservations;

    private void UpdateStoresObserved() => _storesObserved = _physicalWrite != null || _othersHoldReservations;

    /// <summary>Set by the global exclusive monitor: whether another PE now holds a reservation.</summary>
    internal void SetOthersHoldReservations(bool value)
    {
        _othersHoldReservations = value;
        UpdateStoresObserved();
    }

    /// <summary>
    /// Reports a store of this CPU to RAM: the global monitor clears other PEs' reservations it touches
    /// (ClearExclusiveByAddress) and <see cref="PhysicalWrite"/> is raised.
    /// </summary>
    internal void NotifyStore(ulong pa, int size)
    {
        if (_othersHoldReservations) _globalMonitor?.ClearByAddress(pa, size, _globalMonitorSlot);
        _physicalWrite?.Invoke(pa, size);
    }

    /// <summary>Fetches the instruction word at <paramref name="pc"/>, raising PC alignment or instruction aborts.</summary>
    internal uint FetchInstruction(ulong pc) => FetchFault(pc, out uint insn) is { } fault ? throw fault : insn;

    /// <summary>
    /// The instruction fetch of <see cref="FetchInstruction"/> without a throw: null and the word, or the abort the fetch
    /// takes (PC alignment, address size, a translation fault, an external abort outside RAM), for the caller to take
    /// at once (<see cref="StepInstruction"/>: a guest whose vector points at unmapped memory takes one per
    /// instruction, and a .NET throw costs microseconds).
    /// </summary>
    internal GuestException? FetchFault(ulong pc, out uint insn)
    {
        insn = 0;
        if ((pc & 3) != 0) return new GuestException(ExceptionClass.PcAlignment, 0, SyncExceptionTargetEl, far: pc);
        ulong pa = pc;
        if (RegimeTranslates)
        {
            if (TranslateFetch(pc, out pa) is { } abort) return abort;
        }
        else if ((pc >> PhysicalAddressBits) != 0) return InstructionAbort(pc, FscAddressSizeL0);
        unsafe
        {
            byte* p = FetchHostPointer(pa);
            if (p != null)
            {
                insn = Unsafe.ReadUnaligned<uint>(p);
                return null;
            }
        }
        return InstructionAbort(pc, FscSyncExternal);
    }

    // The host address of the word at physical address pa when it is RAM: the page of the last fetch is kept (RAM regions
    // are fixed for the bus's lifetime, so a page that was RAM stays RAM at the same host address).
    private unsafe byte* FetchHostPointer(ulong pa)
    {
        ulong page = pa & ~0xFFFUL;
        if (page != _fetchRamPage)
        {
            byte* host = Bus.RamPointer(page, 0x1000);
            if (host == null) return Bus.RamPointer(pa, 4); // a page only partly RAM
            _fetchRamPage = page;
            _fetchRamHost = host;
        }
        return _fetchRamHost + (pa & 0xFFF);
    }

    private ulong _fetchRamPage = ulong.MaxValue;
    private unsafe byte* _fetchRamHost;

    /// <summary>Builds the data abort for a fault on <paramref name="va"/> (ISS: WnR, CM, DFSC; ISV = 0).</summary>
    internal GuestException DataAbort(ulong va, MemoryAccessKind kind, uint fsc)
    {
        var (ec, iss, target) = DataAbortSyndrome(kind, fsc);
        return new GuestException(ec, iss, target, far: va);
    }

    private (ExceptionClass Ec, uint Iss, int Target) DataAbortSyndrome(MemoryAccessKind kind, uint fsc)
    {
        int target = SyncExceptionTargetEl;
        var ec = target == State.EL ? ExceptionClass.DataAbortSame : ExceptionClass.DataAbortLower;
        uint iss = fsc;
        if ((kind & MemoryAccessKind.Write) != 0 && (kind & MemoryAccessKind.CacheMaintenance) == 0) iss |= 1u << 6;
        if ((kind & MemoryAccessKind.CacheMaintenance) != 0) iss |= (1u << 8) | (1u << 6);
        return (ec, iss, target);
    }

    // Records the data abort of DataAbort (ISV = 0) for the running instruction; returns 0, the dummy its access yields.
    internal ulong RecordDataAbort(ulong va, MemoryAccessKind kind, uint fsc)
    {
        var (ec, iss, target) = DataAbortSyndrome(kind, fsc);
        return RecordAbort(ec, iss, target, va, null);
    }

    /// <summary>Builds the instruction abort for a fetch from <paramref name="va"/>.</summary>
    internal GuestException InstructionAbort(ulong va, uint fsc)
    {
        int target = SyncExceptionTargetEl;
        var ec = target == State.EL ? ExceptionClass.InstructionAbortSame : ExceptionClass.InstructionAbortLower;
        return new GuestException(ec, fsc, target, far: va);
    }

    /// <summary>Stops the run with an explanation because the guest used something not modelled.</summary>
    internal void StopUnsupported(string message)
    {
        RequestStop(StopReason.Error, 1, message);
        throw new CpuStoppedException(message);
    }

    // Little-endian host access of 1, 2, 4 or 8 bytes at a RAM host pointer (the guest and host are both little-endian).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe ulong LoadHost(byte* p, int size) => size switch
    {
        1 => *p,
        2 => Unsafe.ReadUnaligned<ushort>(p),
        4 => Unsafe.ReadUnaligned<uint>(p),
        _ => Unsafe.ReadUnaligned<ulong>(p),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void StoreHost(byte* p, int size, ulong value)
    {
        switch (size)
        {
            case 1: *p = (byte)value; break;
            case 2: Unsafe.WriteUnaligned(p, (ushort)value); break;
            case 4: Unsafe.WriteUnaligned(p, (uint)value); break;
            default: Unsafe.WriteUnaligned(p, value); break;
        }
    }
}

/// <summary>Abandons the current instruction because the CPU was stopped; caught by the execution loop.</summary>
internal sealed class CpuStoppedException(string message) : Exception(message);
