namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    private GlobalExclusiveMonitor? _globalMonitor;
    private int _globalMonitorSlot;

    /// <summary>
    /// The system-wide global exclusive monitor this CPU takes part in. A machine with several CPUs sets one shared
    /// instance on each of them. When none has been set, the first exclusive access creates a private one (granule
    /// from CTR_EL0.ERG) that observes this CPU's bus, so a single CPU still sees DMA writes break its reservation.
    /// </summary>
    internal GlobalExclusiveMonitor? GlobalMonitor
    {
        get => _globalMonitor;
        set
        {
            if (ReferenceEquals(value, _globalMonitor)) return;
            _globalMonitor?.Detach(this);
            _globalMonitor = value;
            _globalMonitorSlot = value?.Attach(this) ?? 0;
        }
    }

    /// <summary>The Exclusives reservation granule in bytes, 4 &lt;&lt; CTR_EL0.ERG (2 KiB when ERG is 0).</summary>
    internal int ExclusiveReservationGranule
    {
        get
        {
            int erg = (int)((Configuration.Model.Ctr >> 20) & 0xF);
            return erg == 0 ? 2048 : Math.Min(2048, 4 << erg);
        }
    }

    private GlobalExclusiveMonitor EnsureGlobalMonitor()
    {
        if (_globalMonitor == null) GlobalMonitor = new GlobalExclusiveMonitor(Math.Max(16, ExclusiveReservationGranule));
        return _globalMonitor!;
    }

    /// <summary>AArch64.SetExclusiveMonitors for an access already translated to <paramref name="pa"/>.</summary>
    internal void SetExclusiveMonitors(ulong pa, int size)
    {
        EnsureGlobalMonitor().MarkExclusive(_globalMonitorSlot, pa, size);
        ExclusiveMonitorLocal.Mark(pa, size);
    }

    /// <summary>
    /// The monitor part of AArch64.ExclusiveMonitorsPass for a translated, aligned store-exclusive: true when both the
    /// local and the global monitor hold <c>[pa, pa+size)</c>. The local monitor is cleared either way; a passing
    /// check also clears this PE's global mark (the store-exclusive moves it to Open Access).
    /// </summary>
    internal bool ExclusiveMonitorsPass(ulong pa, int size)
    {
        var global = EnsureGlobalMonitor();
        bool passed = ExclusiveMonitorLocal.Matches(pa, size) && global.IsExclusive(_globalMonitorSlot, pa, size);
        ExclusiveMonitorLocal.Clear();
        if (passed) global.Clear(_globalMonitorSlot);
        return passed;
    }
}
