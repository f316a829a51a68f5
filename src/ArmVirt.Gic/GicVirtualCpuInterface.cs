using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One CPU's GICv2 virtual CPU interface (GICV, IHI 0048B chapter 5.4): the guest's view, laid out as GICC,
/// backed by the list registers, GICH_VMCR and GICH_APR of the matching <see cref="GicVirtualInterfaceControl"/>.
/// Virtual priorities have 5 bits (LR.Priority is bits [7:3]) and 32 preemption levels. Deactivating a list
/// register entry with HW = 1 deactivates its physical interrupt in the <see cref="GicDistributor"/>.
/// </summary>
internal sealed class GicVirtualCpuInterface : RegisterMappedDevice
{
    // GICV_CTLR bits and where GICH_VMCR keeps them (IHI 0048B 5.3.4).
    private const uint EnableGrp0 = 1 << 0, EnableGrp1 = 1 << 1, AckCtl = 1 << 2, FiqEn = 1 << 3, Cbpr = 1 << 4;
    private const uint Eoimode = 1 << 9;
    private const uint CtlrMask = 0x21F;

    private readonly GicVirtualInterfaceControl _control;
    private readonly GicDistributor _distributor;
    private readonly InterruptLine _virq, _vfiq;

    internal GicVirtualCpuInterface(GicVirtualInterfaceControl control, GicDistributor distributor, int cpu,
        InterruptLine virq, InterruptLine vfiq) : base($"GICV{cpu}")
    {
        _control = control;
        _distributor = distributor;
        _virq = virq;
        _vfiq = vfiq;
        CpuNumber = cpu;
        control.VirtualCpuInterface = this;
        var r = Registers;
        r.Define("GICV_CTLR", 0x00, reset: 0, read: () => Vmcr & CtlrMask,
            write: v => SetVmcr((Vmcr & ~CtlrMask) | ((uint)v & CtlrMask)));
        r.Define("GICV_PMR", 0x04, reset: 0, read: () => (Vmcr >> 27) << 3,
            write: v => SetVmcr((Vmcr & 0x07FFFFFF) | (((uint)v >> 3) & 0x1F) << 27));
        r.Define("GICV_BPR", 0x08, reset: 2, read: () => (Vmcr >> 21) & 7,
            write: v => SetVmcr((Vmcr & ~(7u << 21)) | ((uint)v & 7) << 21));
        r.Define("GICV_IAR", 0x0C, reset: GicDistributor.SpuriousId, read: () => Acknowledge(alias: false), write: _ => { });
        r.Define("GICV_EOIR", 0x10, reset: 0, read: () => 0, write: v => EndOfInterrupt((uint)v));
        r.Define("GICV_RPR", 0x14, reset: 0xFF, read: () => (uint)Math.Min(RunningPriority, 0xFF), write: _ => { });
        r.Define("GICV_HPPIR", 0x18, reset: GicDistributor.SpuriousId, read: () => HighestPendingId(alias: false), write: _ => { });
        r.Define("GICV_ABPR", 0x1C, reset: 3, read: () => (Vmcr >> 18) & 7,
            write: v => SetVmcr((Vmcr & ~(7u << 18)) | ((uint)v & 7) << 18));
        r.Define("GICV_AIAR", 0x20, reset: GicDistributor.SpuriousId, read: () => Acknowledge(alias: true), write: _ => { });
        r.Define("GICV_AEOIR", 0x24, reset: 0, read: () => 0, write: v => EndOfInterrupt((uint)v));
        r.Define("GICV_AHPPIR", 0x28, reset: GicDistributor.SpuriousId, read: () => HighestPendingId(alias: true), write: _ => { });
        // 32 preemption levels fit GICV_APR0, an alias of GICH_APR; GICV_APR1..3 are RAZ/WI.
        r.Define("GICV_APR0", 0xD0, reset: 0, read: () => _control.Apr, write: v => { _control.Apr = (uint)v; _control.Update(); });
        for (int n = 1; n < 4; n++) r.Define($"GICV_APR{n}", 0xD0 + (ulong)(4 * n), reset: 0, writeMask: 0);
        r.Define("GICV_IIDR", 0xFC, reset: GicCpuInterface.Gic400Iidr, writeMask: 0);
        r.Define("GICV_DIR", 0x1000, reset: 0, read: () => 0, write: v => Deactivate((uint)v));
    }

    /// <summary>The CPU this interface belongs to.</summary>
    public int CpuNumber { get; }

    private uint Vmcr => _control.Vmcr;

    private void SetVmcr(uint value)
    {
        _control.WriteVmcr(value);
        _control.Update();
    }

    private int PriorityMask => (int)(Vmcr >> 27) << 3;

    /// <summary>The virtual running priority from GICH_APR, 0x100 when idle.</summary>
    internal int RunningPriority
    {
        get
        {
            int level = GicVirtualInterfaceControl.LowestSetBit(_control.Apr);
            return level < 0 ? GicPriority.Idle : level << 3;
        }
    }

    private static int Priority(uint lr) => (int)((lr >> 23) & 0x1F) << 3;

    private int GroupPriority(int priority, bool group1) =>
        GicPriority.GroupPriority(priority, group1 && (Vmcr & Cbpr) == 0 ? (int)((Vmcr >> 18) & 7) - 1 : (int)((Vmcr >> 21) & 7));

    /// <summary>The list register with the highest priority pending interrupt of an enabled virtual group, or -1.</summary>
    private int Candidate(out int priority, out bool group1)
    {
        int best = -1;
        priority = GicPriority.Idle;
        group1 = false;
        uint[] lrs = _control.Lr;
        for (int i = 0; i < lrs.Length; i++)
        {
            uint lr = lrs[i];
            if (GicVirtualInterfaceControl.State(lr) != 1) continue;
            bool g1 = (lr & GicVirtualInterfaceControl.LrGrp1) != 0;
            if ((Vmcr & (g1 ? EnableGrp1 : EnableGrp0)) == 0 || Priority(lr) >= priority) continue;
            best = i;
            priority = Priority(lr);
            group1 = g1;
        }
        return best;
    }

    private bool CanSignal(int lr, int priority, bool group1) =>
        lr >= 0 && priority < PriorityMask && GroupPriority(priority, group1) < RunningPriority;

    // The GICV_IAR value of a list register: VirtualID, and for a software SGI the source CPUID.
    private static uint InterruptId(uint lr)
    {
        uint id = lr & 0x3FF;
        if ((lr & GicVirtualInterfaceControl.LrHw) == 0 && id < 16) id |= lr & (7u << 10);
        return id;
    }

    /// <summary>Recomputes the vIRQ and vFIQ outputs (nothing is signalled while GICH_HCR.En is 0).</summary>
    internal void UpdateOutputs()
    {
        int lr = Candidate(out int priority, out bool group1);
        bool signal = (_control.Hcr & GicVirtualInterfaceControl.HcrEn) != 0 && CanSignal(lr, priority, group1);
        bool fiq = signal && !group1 && (Vmcr & FiqEn) != 0;
        _vfiq.Set(fiq);
        _virq.Set(signal && !fiq);
    }

    // IHI 0048B 5.4: GICV_IAR / GICV_AIAR; the list register entry goes from pending to active.
    private uint Acknowledge(bool alias)
    {
        int i = Candidate(out int priority, out bool group1);
        if (!CanSignal(i, priority, group1)) return GicDistributor.SpuriousId;
        if (alias ? !group1 : group1 && (Vmcr & AckCtl) == 0)
            return alias ? GicDistributor.SpuriousId : GicDistributor.Group1NotAcknowledgedId;
        uint lr = _control.Lr[i];
        _control.Lr[i] = (lr & ~(3u << 28)) | GicVirtualInterfaceControl.LrActive;
        _control.Apr |= 1u << (GroupPriority(priority, group1) >> 3);
        _control.Update();
        return InterruptId(lr);
    }

    private uint HighestPendingId(bool alias)
    {
        int i = Candidate(out _, out bool group1);
        if (i < 0) return GicDistributor.SpuriousId;
        if (alias ? !group1 : group1 && (Vmcr & AckCtl) == 0)
            return alias ? GicDistributor.SpuriousId : GicDistributor.Group1NotAcknowledgedId;
        return InterruptId(_control.Lr[i]);
    }

    // IHI 0048B 5.4.4 (GICV_EOIR): priority drop, and deactivation unless GICH_VMCR.VEM splits it off.
    private void EndOfInterrupt(uint value)
    {
        if ((value & 0x3FF) >= 1020) return;
        uint apr = _control.Apr;
        _control.Apr = apr & (apr - 1);
        if ((Vmcr & Eoimode) == 0) DeactivateVirtual(value);
        _control.Update();
    }

    private void Deactivate(uint value)
    {
        if ((value & 0x3FF) >= 1020 || (Vmcr & Eoimode) == 0) return;
        DeactivateVirtual(value);
        _control.Update();
    }

    // Finds the active list register entry for the interrupt and clears its active bit; with HW = 1 the
    // physical interrupt is deactivated too. An EOI with no matching entry counts in GICH_HCR.EOICount.
    private void DeactivateVirtual(uint value)
    {
        uint id = value & 0x3FF;
        uint[] lrs = _control.Lr;
        for (int i = 0; i < lrs.Length; i++)
        {
            uint lr = lrs[i];
            if ((lr & 0x3FF) != id || (lr & GicVirtualInterfaceControl.LrActive) == 0) continue;
            bool hw = (lr & GicVirtualInterfaceControl.LrHw) != 0;
            if (!hw && id < 16 && (lr & (7u << 10)) != (value & (7u << 10))) continue;
            lrs[i] = lr & ~GicVirtualInterfaceControl.LrActive;
            int physical = (int)((lr >> 10) & 0x3FF);
            if (hw && physical >= 16) _distributor.Deactivate(CpuNumber, physical);
            return;
        }
        _control.IncrementEoiCount();
    }
}
