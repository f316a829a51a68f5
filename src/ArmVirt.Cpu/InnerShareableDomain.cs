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
/// The other PEs are acted on directly, so they must not be running at that moment: a machine runs the PEs of a
/// domain one at a time on one thread (ArmVirt.Machine's deterministic round robin).
/// </remarks>
public sealed class InnerShareableDomain
{
    private readonly Cpu[] _cpus;

    /// <summary>Joins <paramref name="cpus"/> (at least two, none in another domain) into one domain.</summary>
    public InnerShareableDomain(IReadOnlyList<Cpu> cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        if (cpus.Count < 2) throw new ArgumentException("A domain joins at least two CPUs.", nameof(cpus));
        if (cpus.Any(c => c.Domain != null)) throw new ArgumentException("A CPU belongs to one domain only.", nameof(cpus));
        _cpus = [.. cpus];
        Monitor = new GlobalExclusiveMonitor(Math.Max(16, _cpus[0].ExclusiveReservationGranule));
        foreach (var cpu in _cpus)
        {
            cpu.GlobalMonitor = Monitor;
            cpu.JoinDomain(this);
            cpu.TlbMaintenance += op =>
            {
                if (!op.Broadcast) return;
                foreach (var o in _cpus) if (o != cpu) o.InvalidateTlbFromPeer(op);
            };
            cpu.InstructionCacheMaintenance += (op, pa) =>
            {
                if (op == InstructionCacheOperation.All) return; // IC IALLU: this PE only
                foreach (var o in _cpus) if (o != cpu) o.InvalidateInstructionCacheFromPeer(op, pa);
            };
            cpu.EventSignalled += _ =>
            {
                foreach (var o in _cpus) if (o != cpu) o.SignalEvent();
            };
        }
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
        foreach (var o in _cpus) if (o != writer) o.InvalidateTranslatedCode(pa, (ulong)size);
    }

    // A page got code in one PE's cache: no PE's host TLB may keep a write fast path to it.
    internal void DropHostTlbWritesOfPeers(Cpu cpu, ulong pa)
    {
        foreach (var o in _cpus) if (o != cpu) o.DropHostTlbWritesFromPeer(pa);
    }
}
