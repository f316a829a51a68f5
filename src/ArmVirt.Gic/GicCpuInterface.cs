using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One CPU's GICv2 physical CPU interface (GICC, IHI 0048B chapter 4.4; 8 KiB, GICC_DIR at 0x1000), as seen by
/// that CPU in a GIC without the Security Extensions. It selects the highest priority pending interrupt from
/// the <see cref="GicDistributor"/>, signals it on the CPU's IRQ or FIQ line when it passes the priority mask
/// and preempts the running priority, and keeps the active priorities (GICC_APRn for Group 0, GICC_NSAPRn
/// for Group 1; one bit per preemption level, 128 levels for 8 priority bits).
/// </summary>
internal sealed class GicCpuInterface : RegisterMappedDevice
{
    /// <summary>GICC_IIDR of the GIC-400 (architecture version 2, revision 1, Arm).</summary>
    public const uint Gic400Iidr = 0x0202143B;

    // GICC_CTLR for a GICv2 without the Security Extensions (IHI 0048B 4.4.1): EnableGrp0 [0], EnableGrp1 [1],
    // AckCtl [2], FIQEn [3], CBPR [4], the bypass disables [8:5] (stored; no legacy bypass inputs exist) and
    // EOImode [9]. Bit 10 (EOImodeNS) only exists with the Security Extensions.
    private const uint EnableGrp0 = 1 << 0, EnableGrp1 = 1 << 1, AckCtl = 1 << 2, FiqEn = 1 << 3, Cbpr = 1 << 4;
    private const uint EoiMode = 1 << 9;
    private const uint CtlrMask = 0x3FF;

    // With 8 priority bits the minimum binary points are 0 (GICC_BPR) and 1 (GICC_ABPR), QEMU's reset values.
    internal const int MinimumBpr = 0, MinimumAbpr = 1;

    private readonly GicDistributor _distributor;
    private readonly Gicv2 _gic;
    private readonly InterruptLine _irq, _fiq;
    private readonly uint[] _apr = new uint[4];
    private readonly uint[] _nsapr = new uint[4];
    private uint _ctlr, _pmr;
    private int _bpr = MinimumBpr, _abpr = MinimumAbpr;

    internal GicCpuInterface(Gicv2 gic, GicDistributor distributor, int cpu, InterruptLine irq, InterruptLine fiq)
        : base($"GICC{cpu}")
    {
        _gic = gic;
        _distributor = distributor;
        CpuNumber = cpu;
        _irq = irq;
        _fiq = fiq;
        var r = Registers;
        r.Define("GICC_CTLR", 0x00, reset: 0, read: () => _ctlr, write: v => { _ctlr = (uint)v & CtlrMask; Update(); });
        r.Define("GICC_PMR", 0x04, reset: 0, read: () => _pmr, write: v => { _pmr = (uint)v & 0xFF; Update(); });
        r.Define("GICC_BPR", 0x08, reset: MinimumBpr, read: () => (uint)_bpr, write: v => { _bpr = Math.Max((int)v & 7, MinimumBpr); Update(); });
        r.Define("GICC_IAR", 0x0C, reset: GicDistributor.SpuriousId, read: () => Acknowledge(alias: false), write: _ => { });
        r.Define("GICC_EOIR", 0x10, reset: 0, read: () => 0, write: v => EndOfInterrupt((uint)v));
        r.Define("GICC_RPR", 0x14, reset: 0xFF, read: () => (uint)Math.Min(RunningPriority, 0xFF), write: _ => { });
        r.Define("GICC_HPPIR", 0x18, reset: GicDistributor.SpuriousId, read: () => HighestPendingId(alias: false), write: _ => { });
        r.Define("GICC_ABPR", 0x1C, reset: MinimumAbpr, read: () => (uint)_abpr, write: v => { _abpr = Math.Max((int)v & 7, MinimumAbpr); Update(); });
        r.Define("GICC_AIAR", 0x20, reset: GicDistributor.SpuriousId, read: () => Acknowledge(alias: true), write: _ => { });
        r.Define("GICC_AEOIR", 0x24, reset: 0, read: () => 0, write: v => EndOfInterrupt((uint)v));
        r.Define("GICC_AHPPIR", 0x28, reset: GicDistributor.SpuriousId, read: () => HighestPendingId(alias: true), write: _ => { });
        for (int n = 0; n < 4; n++)
        {
            int i = n;
            r.Define($"GICC_APR{n}", 0xD0 + (ulong)(4 * n), reset: 0, read: () => _apr[i], write: v => { _apr[i] = (uint)v; Update(); });
            r.Define($"GICC_NSAPR{n}", 0xE0 + (ulong)(4 * n), reset: 0, read: () => _nsapr[i], write: v => { _nsapr[i] = (uint)v; Update(); });
        }
        r.Define("GICC_IIDR", 0xFC, reset: Gic400Iidr, writeMask: 0);
        r.Define("GICC_DIR", 0x1000, reset: 0, read: () => 0, write: v => Deactivate((uint)v));
    }

    /// <summary>The CPU this interface belongs to.</summary>
    public int CpuNumber { get; }

    /// <summary>The running priority: the group priority of the highest active priority, 0x100 when idle.</summary>
    internal int RunningPriority
    {
        get
        {
            int level = GicPriority.LowestActiveLevel(_apr, _nsapr);
            return level < 0 ? GicPriority.Idle : level << (MinimumBpr + 1);
        }
    }

    // IHI 0048B 3.3.3: Group 1 uses GICC_ABPR (as binary point ABPR-1) unless CBPR makes GICC_BPR common.
    private int GroupPriority(int priority, bool group1) =>
        GicPriority.GroupPriority(priority, group1 && (_ctlr & Cbpr) == 0 ? _abpr - 1 : _bpr);

    private int Candidate(out int priority, out bool group1) =>
        _distributor.HighestPending(CpuNumber, (_ctlr & EnableGrp0) != 0, (_ctlr & EnableGrp1) != 0, out priority, out group1);

    // IHI 0048B 3.2.2 / 3.3: an interrupt is signalled when its priority is above the priority mask and its
    // group priority is above the running priority.
    private bool CanSignal(int id, int priority, bool group1) =>
        id != GicDistributor.SpuriousId && priority < _pmr && GroupPriority(priority, group1) < RunningPriority;

    /// <summary>Recomputes this CPU's IRQ and FIQ outputs.</summary>
    internal void Update()
    {
        int id = Candidate(out int priority, out bool group1);
        bool signal = CanSignal(id, priority, group1);
        bool fiq = signal && !group1 && (_ctlr & FiqEn) != 0;
        _fiq.Set(fiq);
        _irq.Set(signal && !fiq);
    }

    // IHI 0048B 4.4.4 GICC_IAR and 4.4.9 GICC_AIAR.
    private uint Acknowledge(bool alias)
    {
        int id = Candidate(out int priority, out bool group1);
        if (!CanSignal(id, priority, group1)) return GicDistributor.SpuriousId;
        if (alias ? !group1 : group1 && (_ctlr & AckCtl) == 0)
            return alias ? GicDistributor.SpuriousId : GicDistributor.Group1NotAcknowledgedId;
        uint value = _distributor.Acknowledge(CpuNumber, id);
        int level = GroupPriority(priority, group1) >> (MinimumBpr + 1);
        (group1 ? _nsapr : _apr)[level >> 5] |= 1u << (level & 31);
        if (id < 32) Update();
        else _gic.UpdatePhysical();
        return value;
    }

    // IHI 0048B 4.4.6 GICC_HPPIR and 4.4.11 GICC_AHPPIR: not filtered by the priority mask or running priority.
    private uint HighestPendingId(bool alias)
    {
        int id = Candidate(out _, out bool group1);
        if (id == GicDistributor.SpuriousId) return GicDistributor.SpuriousId;
        if (alias ? !group1 : group1 && (_ctlr & AckCtl) == 0)
            return alias ? GicDistributor.SpuriousId : GicDistributor.Group1NotAcknowledgedId;
        // For an SGI, report the source CPU that the next acknowledge would return.
        return id < 16 ? _distributor.PeekSgiSource(CpuNumber, id) : (uint)id;
    }

    // IHI 0048B 3.2.5 / 4.4.5: priority drop, plus deactivation unless EOImode splits it off to GICC_DIR.
    private void EndOfInterrupt(uint value)
    {
        int id = (int)(value & 0x3FF);
        if (id >= 1020) return;
        GicPriority.DropLowest(_apr, _nsapr);
        if ((_ctlr & EoiMode) == 0) _distributor.Deactivate(CpuNumber, id);
        Update();
    }

    // IHI 0048B 4.4.15 GICC_DIR: only defined when EOImode is 1.
    private void Deactivate(uint value)
    {
        int id = (int)(value & 0x3FF);
        if (id >= 1020 || (_ctlr & EoiMode) == 0) return;
        _distributor.Deactivate(CpuNumber, id);
    }

    internal void SaveState(SnapshotWriter w)
    {
        Registers.SaveState(w);
        w.Write(_apr);
        w.Write(_nsapr);
        w.Write(_ctlr);
        w.Write(_pmr);
        w.Write(_bpr);
        w.Write(_abpr);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Registers.RestoreState(r);
        r.Read(_apr, "GICC_APR");
        r.Read(_nsapr, "GICC_NSAPR");
        _ctlr = r.ReadUInt32();
        _pmr = r.ReadUInt32();
        _bpr = r.ReadInt32(0, 7, "GICC_BPR");
        _abpr = r.ReadInt32(0, 7, "GICC_ABPR");
    }

    internal void ResetState()
    {
        _ctlr = 0;
        _pmr = 0;
        _bpr = MinimumBpr;
        _abpr = MinimumAbpr;
        Array.Clear(_apr);
        Array.Clear(_nsapr);
    }
}
