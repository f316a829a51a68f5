using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One PE's GICv3 Redistributor (IHI 0069 chapter 12.10/12.11): a 128 KiB window of two 64 KiB frames, RD_base
/// (control: GICR_CTLR, GICR_IIDR, GICR_TYPER, GICR_WAKER, ID registers) and SGI_base at +0x1_0000 (the SGIs and PPIs
/// of this PE: group, enable, pending, active, priority, configuration). LPIs are not implemented (GICR_TYPER.PLPIS = 0),
/// so GICR_CTLR.EnableLPIs, GICR_PROPBASER and GICR_PENDBASER are RAZ/WI.
/// </summary>
internal sealed class Gicv3Redistributor : RegisterMappedDevice
{
    /// <summary>Size of one redistributor's frames (RD_base + SGI_base).</summary>
    public const ulong FrameSize = 0x2_0000;

    /// <summary>Offset of the SGI_base frame.</summary>
    public const ulong SgiBase = 0x1_0000;

    // IHI 0069 12.11.44 GICR_WAKER: ProcessorSleep [1], ChildrenAsleep [2].
    private const uint ProcessorSleep = 1 << 1, ChildrenAsleep = 1 << 2;

    private readonly Gicv3 _gic;
    private readonly GicInterruptState _state;
    private uint _waker = ProcessorSleep | ChildrenAsleep;

    internal Gicv3Redistributor(Gicv3 gic, GicInterruptState state, int cpu) : base($"GICR{cpu}")
    {
        _gic = gic;
        _state = state;
        CpuNumber = cpu;
        DeclareRegisters();
    }

    /// <summary>The PE this redistributor serves.</summary>
    public int CpuNumber { get; }

    /// <summary>
    /// GICR_TYPER (IHI 0069 12.11.37): PLPIS [0] = 0, VLPIS [1] = 0, Last [4] on the highest-numbered redistributor,
    /// Processor_Number [23:8], PPInum [31:27] = 0 (no extended PPIs), Affinity_Value [63:32] = Aff3.Aff2.Aff1.Aff0.
    /// </summary>
    public ulong Typer
    {
        get
        {
            ulong mpidr = Gicv3.Affinity(CpuNumber);
            ulong affinity = (mpidr & 0xFF_FFFF) | ((mpidr >> 32) & 0xFF) << 24;
            ulong last = CpuNumber == _gic.CpuCount - 1 ? 1UL << 4 : 0;
            return affinity << 32 | (ulong)(uint)CpuNumber << 8 | last;
        }
    }

    /// <summary>GICR_WAKER.ProcessorSleep is clear: the PE has told the redistributor it is awake.</summary>
    public bool IsAwake => (_waker & ProcessorSleep) == 0;

    private void DeclareRegisters()
    {
        var r = Registers;
        int cpu = CpuNumber;
        // RD_base frame.
        r.Define("GICR_CTLR", 0x0000, reset: 0, writeMask: 0); // EnableLPIs RAZ/WI (no LPIs), RWP/UWP = 0: writes complete at once
        r.Define("GICR_IIDR", 0x0004, reset: Gicv3Distributor.Iidr, writeMask: 0);
        r.Define("GICR_TYPER", 0x0008, width: 8, reset: Typer, writeMask: 0, narrowAccess: true);
        r.Define("GICR_STATUSR", 0x0010, reset: 0, writeMask: 0);
        // The handshake completes at once: ChildrenAsleep follows ProcessorSleep (IHI 0069 12.11.44, as QEMU).
        r.Define("GICR_WAKER", 0x0014, reset: ProcessorSleep | ChildrenAsleep, read: () => _waker,
            write: v => _waker = (v & ProcessorSleep) != 0 ? ProcessorSleep | ChildrenAsleep : 0);
        r.Define("GICR_PROPBASER", 0x0070, width: 8, reset: 0, writeMask: 0, narrowAccess: true);
        r.Define("GICR_PENDBASER", 0x0078, width: 8, reset: 0, writeMask: 0, narrowAccess: true);
        Gicv3.DefineIdRegisters(r, "GICR", 0xFFD0, Gicv3.RedistributorPidr0);

        // SGI_base frame: the banked SGI/PPI registers of this PE.
        const ulong s = SgiBase;
        _state.DefineBitmapRegisters(r, "GICR", s, 0, () => cpu, fixedLowBits: 0, enableReset: 0, () => _gic.UpdateCpu(cpu));
        for (int n = 0; n < 8; n++)
        {
            int first = n * 4;
            r.Define($"GICR_IPRIORITYR{n}", s + 0x400 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => _state.ReadPriority(cpu, first), write: v => Changed(() => _state.WritePriority(cpu, first, (uint)v)));
        }
        // SGIs are always edge-triggered (RO 0xAAAAAAAA); PPIs are configurable, as QEMU's (IMPLEMENTATION DEFINED).
        r.Define("GICR_ICFGR0", s + 0xC00, reset: 0xAAAA_AAAA, writeMask: 0);
        r.Define("GICR_ICFGR1", s + 0xC04, reset: 0, read: () => _state.ReadConfig(cpu, 16, bit0: 0),
            write: v => _state.WriteConfig(cpu, 16, (uint)v));
        r.Define("GICR_IGRPMODR0", s + 0xD00, reset: 0, writeMask: 0); // RAZ/WI with GICD_CTLR.DS = 1
        r.Define("GICR_NSACR", s + 0xE00, reset: 0, writeMask: 0);     // RAZ/WI with GICD_CTLR.DS = 1
    }

    private void Changed(Action change)
    {
        change();
        _gic.UpdateCpu(CpuNumber);
    }

    /// <summary>Drives the input of PPI INTID <paramref name="id"/> (16..31) of this PE.</summary>
    internal void SetLine(int id, bool level)
    {
        _state.SetLine(CpuNumber, id, level);
        _gic.UpdateCpu(CpuNumber);
    }

    /// <summary>Makes SGI <paramref name="id"/> pending on this PE if it is configured in the sending group (IHI 0069 12.8).</summary>
    internal void ReceiveSgi(int id, bool group1)
    {
        int slot = _state.Slot(CpuNumber, id);
        if (_state.Group1[slot] != group1) return;
        _state.Latch[slot] = true;
        _gic.UpdateCpu(CpuNumber);
    }

    internal void SaveState(SnapshotWriter w)
    {
        Registers.SaveState(w);
        w.Write(_waker);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Registers.RestoreState(r);
        _waker = r.ReadUInt32();
    }

    internal void ResetState()
    {
        Registers.Reset();
        _waker = ProcessorSleep | ChildrenAsleep;
    }
}
