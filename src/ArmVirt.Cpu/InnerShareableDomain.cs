using ArmVirt.Cpu.Jit;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

/// <summary>
/// The PEs of one Inner Shareable domain (Arm ARM B2.7 "Memory types and attributes", shareability domains): what one
/// does to shared state the others observe. One global exclusive monitor (a store by one PE clears another's
/// reservation and wakes its WFE); TLBI ...IS (and EL1 TLBI that HCR_EL2.FB broadcasts), IC IALLUIS and IC IVAU reach
/// every PE's TLB and translated code; SEV sets every PE's event register; a store by one PE drops translated code of
/// the others (one page filter summing every PE's code pages keeps those pages off every PE's store fast path).
/// </summary>
/// <remarks>
/// Deterministic (the default): the other PEs are acted on directly, so they must not be running at that moment: a machine
/// runs the PEs of the domain one at a time on one thread (ArmVirt.Machine's round robin). <see cref="Parallel"/>: each PE
/// runs on its own host thread, and what one PE does to another is queued for the target's thread (Cpu.PeerWork.cs);
/// the issuer of a TLBI or IC broadcast waits at its next DSB until every running peer applied it; exclusives and atomics
/// are atomic on the host (16-byte ones in an exclusive section); the page filter's counts change atomically.
/// </remarks>
internal sealed class InnerShareableDomain
{
    private readonly Cpu[] _cpus;
    private readonly long[][] _tickets; // per issuer, per peer: the ticket of the request it waits for (no allocation per TLBI)

    /// <summary>Joins <paramref name="cpus"/> (at least two, none in another domain) into one domain.</summary>
    /// <param name="cpus">The PEs.</param>
    /// <param name="parallel">True when each PE will run on its own host thread (see <see cref="Parallel"/>).</param>
    public InnerShareableDomain(IReadOnlyList<Cpu> cpus, bool parallel = false)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        if (cpus.Count < 2) throw new ArgumentException("A domain joins at least two CPUs.", nameof(cpus));
        if (cpus.Any(c => c.Domain != null)) throw new ArgumentException("A CPU belongs to one domain only.", nameof(cpus));
        _cpus = [.. cpus];
        Parallel = parallel;
        _tickets = [.. _cpus.Select(_ => new long[_cpus.Length])];
        CodePages.Concurrent = parallel;
        if (parallel) A64.Barriers.HostFences = true;
        Monitor = new GlobalExclusiveMonitor(Math.Max(16, _cpus[0].ExclusiveReservationGranule));
        for (int n = 0; n < _cpus.Length; n++)
        {
            var cpu = _cpus[n];
            var tickets = _tickets[n];
            cpu.GlobalMonitor = Monitor;
            cpu.JoinDomain(this);
            if (parallel) cpu.JoinParallelDomain();
            cpu.TlbMaintenance += op =>
            {
                if (!op.Broadcast) return;
                if (Parallel) Broadcast(cpu, tickets, new PeerWork { Kind = PeerWorkKind.Tlb, Tlb = op }, wait: true);
                else foreach (var o in _cpus) if (o != cpu) o.InvalidateTlbFromPeer(op);
            };
            cpu.InstructionCacheMaintenance += (op, pa) =>
            {
                if (op == InstructionCacheOperation.All) return; // IC IALLU: this PE only
                if (Parallel) Broadcast(cpu, tickets, new PeerWork { Kind = PeerWorkKind.InstructionCache, CacheOperation = op, Address = pa }, wait: true);
                else foreach (var o in _cpus) if (o != cpu) o.InvalidateInstructionCacheFromPeer(op, pa);
            };
            cpu.EventSignalled += _ =>
            {
                if (Parallel) Broadcast(cpu, tickets, new PeerWork { Kind = PeerWorkKind.Event }, wait: false);
                else foreach (var o in _cpus) if (o != cpu) o.SignalEvent();
            };
        }
    }

    /// <summary>
    /// True when the PEs run on their own host threads (ArmVirt.Machine's parallel mode): effects on other PEs are queued
    /// for their threads, exclusives and LSE atomics are host atomic. Fixed when the domain is made.
    /// </summary>
    public bool Parallel { get; }

    // Parallel mode: queues w for every PE but the issuer; for maintenance (wait), the issuer's next DSB waits until every
    // peer has applied it (CompleteBroadcasts). A PE's tickets only grow, so the last one posted to a peer covers the
    // earlier ones.
    private void Broadcast(Cpu issuer, long[] tickets, in PeerWork w, bool wait)
    {
        for (int i = 0; i < _cpus.Length; i++)
            if (_cpus[i] != issuer) tickets[i] = _cpus[i].Post(w);
        if (wait) issuer.BroadcastOutstanding = true;
    }

    /// <summary>
    /// Parallel mode, the DSB of <paramref name="issuer"/> after broadcast TLB or instruction cache maintenance: waits until
    /// every other PE has applied what the issuer broadcast (Arm ARM D8.14.2 and D7.5.9: a TLB or cache maintenance
    /// instruction is complete, for every PE of the shareability domain, once a DSB after it completes). Until then a
    /// peer may still use the old translation or code, as on hardware.
    /// </summary>
    internal void CompleteBroadcasts(Cpu issuer)
    {
        var tickets = _tickets[Array.IndexOf(_cpus, issuer)];
        for (int i = 0; i < _cpus.Length; i++)
            if (_cpus[i] != issuer) issuer.WaitFor(_cpus[i], tickets[i]);
    }

    // Parallel mode: the PE running an exclusive section (StartExclusive), or null.
    private Cpu? _exclusiveOwner;

    /// <summary>True while a PE of the domain runs an exclusive section (<see cref="StartExclusive"/>).</summary>
    internal bool ExclusiveSectionHeld => Volatile.Read(ref _exclusiveOwner) != null;

    /// <summary>
    /// Parallel mode: makes <paramref name="issuer"/>'s next accesses single-copy atomic against every access of the other
    /// PEs, plain stores included, by keeping every other PE out of guest code until <see cref="EndExclusive"/> (QEMU's
    /// start_exclusive, which its TCG uses for a 16-byte atomic when the host has no 16-byte compare-and-swap, as .NET has
    /// none). Called on the issuer's thread, in guest code: the other PEs are nudged and leave their code at their next
    /// check for a stop (a PE asleep in WFI or WFE is woken for it); a PE that enters guest code meanwhile waits in
    /// <see cref="Cpu.EnterGuest"/>. Two PEs starting sections at once take turns: the one that waits is out of guest code
    /// while it waits. The issuer applies its own request queue while it waits, so that a peer waiting for one of its
    /// requests to complete (a DSB after a broadcast TLBI) goes on to its next check.
    /// </summary>
    internal void StartExclusive(Cpu issuer)
    {
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _exclusiveOwner, issuer, null) != null)
        {
            issuer.PauseGuest();
            while (Volatile.Read(ref _exclusiveOwner) != null) spin.SpinOnce(sleep1Threshold: -1);
            issuer.ResumeGuest();
        }
        foreach (var o in _cpus)
            if (o != issuer) o.Nudge();
        foreach (var o in _cpus)
        {
            if (o == issuer) continue;
            while (o.InGuest)
            {
                issuer.RunPeerWork();
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }
    }

    /// <summary>Ends <paramref name="issuer"/>'s exclusive section: the other PEs may run guest code again.</summary>
    internal void EndExclusive(Cpu issuer)
    {
        Interlocked.CompareExchange(ref _exclusiveOwner, null, issuer); // (a full fence: the section's stores are visible first)
    }

    // Waits, out of guest code, until no exclusive section is held.
    internal void AwaitExclusiveEnd()
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref _exclusiveOwner) != null) spin.SpinOnce(sleep1Threshold: -1);
    }

    /// <summary>The PEs, in the order given.</summary>
    public IReadOnlyList<Cpu> Cpus => _cpus;

    /// <summary>The domain's global exclusive monitor.</summary>
    public GlobalExclusiveMonitor Monitor { get; }

    /// <summary>Pages holding translated code of any PE of the domain.</summary>
    public CodePageFilter CodePages { get; } = new();

    // A store by writer that may hit translated code: the other PEs drop theirs in the range.
    internal void InvalidateCodeOfPeers(Cpu writer, ulong pa, int size)
    {
        foreach (var o in _cpus)
        {
            if (o == writer) continue;
            if (Parallel) o.Post(new PeerWork { Kind = PeerWorkKind.Code, Address = pa, Size = (ulong)size });
            else o.InvalidateTranslatedCode(pa, (ulong)size);
        }
    }

    // A page got code in one PE's cache: no PE's host TLB may keep a write fast path to it.
    internal void DropHostTlbWritesOfPeers(Cpu cpu, ulong pa)
    {
        foreach (var o in _cpus)
        {
            if (o == cpu) continue;
            if (Parallel) o.Post(new PeerWork { Kind = PeerWorkKind.HostTlbWrites, Address = pa });
            else o.DropHostTlbWritesFromPeer(pa);
        }
    }
}
