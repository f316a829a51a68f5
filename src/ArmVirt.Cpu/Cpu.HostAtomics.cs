namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    // Parallel SMP: single-copy atomicity across host threads (Arm ARM B2.2.1 "Requirements for single-copy atomicity").
    // An LSE atomic is a host compare-and-swap loop around the instruction's own operation; a store-exclusive whose
    // monitors pass is a host compare-and-swap against the value its load-exclusive read (QEMU's cmpxchg-based exclusives),
    // so a store by another PE between the two makes it fail even before that store's monitor clear is seen. A 16-byte
    // pair (CASP, STXP of two X registers) has no host compare-and-swap (.NET has no 128-bit Interlocked operation): it
    // is done in an exclusive section (InnerShareableDomain.StartExclusive, QEMU's start_exclusive), with every other PE
    // out of guest code, so it is atomic against their plain stores and 8-byte atomics too. AArch32 LDREXD/STREXD need
    // none of this: their 8 bytes are one host word (an aligned 8-byte load, an 8-byte compare-and-swap).

    /// <summary>
    /// After the store of a store-release (STLR, STLRB, STLRH; A32/T32 STL, STLB, STLH): in parallel mode a host full
    /// fence. A store-release is ordered before a later load-acquire of the same PE (Arm ARM B2.3, the Armv8 memory model: "Barrier-ordered-
    /// before": RCsc), but an x86 host lets a store wait in its store buffer while a later load reads memory, so another
    /// host thread could see the load before the store (the store-buffering shape tests/guests/litmus.c runs). The other
    /// orderings acquire and release ask for hold on x86 without a fence; a store-exclusive is a host compare-and-swap,
    /// itself a full fence. One PE per host thread only: in the round robin, accesses are in program order anyway.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void AfterStoreRelease()
    {
        if (Parallel) Interlocked.MemoryBarrier();
    }

    /// <summary>
    /// Parallel mode: starts an exclusive section for a 16-byte atomic of this PE (every other PE of its domain out of
    /// guest code until <see cref="EndExclusive"/>; InnerShareableDomain.StartExclusive). Its cost is a round trip to
    /// every other PE's thread: a few microseconds when each has a host core, up to a host scheduling slice when not.
    /// </summary>
    internal void StartExclusive() => _domain!.StartExclusive(this);

    /// <summary>Ends the section of <see cref="StartExclusive"/>.</summary>
    internal void EndExclusive() => _domain!.EndExclusive(this);

    // The value the last load-exclusive read (parallel mode: what the store-exclusive compares with).
    internal ulong ExclusiveValue, ExclusiveValueHigh;

    /// <summary>
    /// Translates <paramref name="va"/> for an atomic read-modify-write as the sequential path checks it (the read first,
    /// then write permission, watchpoints included: LoadStoreAtomic) and returns the host address of the RAM there, or
    /// null for MMIO.
    /// </summary>
    internal unsafe byte* HostAtomicPointer(ulong va, int size, int alignment, out ulong pa)
    {
        TranslateData(va, size, MemoryAccessKind.Atomic, alignment);
        pa = ProbeWrite(va, size, MemoryAccessKind.Atomic | MemoryAccessKind.Write, alignment);
        return Bus.RamPointer(pa, (ulong)size);
    }

    /// <summary>Host compare-and-swap of <paramref name="size"/> bytes (1, 2, 4, 8, naturally aligned): returns the old value.</summary>
    internal static unsafe ulong CompareExchangeHost(byte* p, int size, ulong value, ulong comparand) => size switch
    {
        1 => Interlocked.CompareExchange(ref *p, (byte)value, (byte)comparand),
        2 => Interlocked.CompareExchange(ref *(ushort*)p, (ushort)value, (ushort)comparand),
        4 => Interlocked.CompareExchange(ref *(uint*)p, (uint)value, (uint)comparand),
        _ => Interlocked.CompareExchange(ref *(ulong*)p, value, comparand),
    };

    /// <summary>
    /// The store of a store-exclusive whose monitors passed, in parallel mode: a host compare-and-swap against the value
    /// the load-exclusive read (<see cref="ExclusiveValue"/>), so that a store by another PE in between makes it fail
    /// (false); MMIO is written as usual.
    /// </summary>
    internal unsafe bool StoreExclusiveOnHost(ulong va, ulong pa, int size, ulong data, MemoryAccessKind kind)
    {
        byte* p = Bus.RamPointer(pa, (ulong)size);
        if (p == null)
        {
            WriteMemory(va, size, data, kind);
            return true;
        }
        ulong expected = ExclusiveValue;
        if (CompareExchangeHost(p, size, data, expected) != expected) return false;
        AfterHostAtomicWrite(va, pa, size, expected, data);
        return true;
    }

    /// <summary>What follows a host-atomic write to RAM: translated code there dropped, the store reported, hooks told.</summary>
    internal void AfterHostAtomicWrite(ulong va, ulong pa, int size, ulong old, ulong value)
    {
        AfterRamWrite(pa, size);
        if (_memoryHooksArmed)
        {
            ReportMemoryAccess(va, size, old, write: false);
            ReportMemoryAccess(va, size, value, write: true);
        }
    }
}
