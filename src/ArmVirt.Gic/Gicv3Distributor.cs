using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// The GICv3 Distributor (GICD, IHI 0069 chapter 12.9) of a GIC with one Security state (GICD_CTLR.DS = 1) and affinity
/// routing always enabled (ARE RAO/WI), as QEMU's <c>-M virt</c> GICv3 without the Security Extensions: it owns the
/// SPIs (IDs 32 and up); the SGIs and PPIs belong to the redistributors, so their bits here are RAZ/WI, as are
/// GICD_ITARGETSR, GICD_SGIR, GICD_[CS]PENDSGIR (legacy, ARE = 0 only) and GICD_IGRPMODR/GICD_NSACR (DS = 1).
/// </summary>
internal sealed class Gicv3Distributor : RegisterMappedDevice
{
    /// <summary>GICD_IIDR and GICR_IIDR: Arm (0x43B), r0p0, ProductID 0 — QEMU's value (a GIC-500 r0p0 without ProductID).</summary>
    public const uint Iidr = 0x0000_043B;

    // IHI 0069 12.9.4 GICD_CTLR with DS = 1: EnableGrp0 [0], EnableGrp1 [1], ARE [4] (RAO/WI here), DS [6] (RAO/WI),
    // E1NWF [7] (RAZ/WI: no 1-of-N wakeup), RWP [31] (writes take effect at once, so RAZ).
    internal const uint EnableGrp0 = 1 << 0, EnableGrp1 = 1 << 1, Are = 1 << 4, Ds = 1 << 6;

    // GICD_IROUTER<n>: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], IRM [31], Aff3 [39:32]. IRM is RAZ/WI: GICD_TYPER.No1N = 1.
    internal const ulong IrouterMask = 0xFF_00FF_FFFFUL;

    private readonly Gicv3 _gic;
    private readonly GicInterruptState _state;
    private readonly ulong[] _irouter;
    private uint _ctlr;

    internal Gicv3Distributor(Gicv3 gic, GicInterruptState state) : base("GICD")
    {
        _gic = gic;
        _state = state;
        _irouter = new ulong[state.Lines];
        DeclareRegisters();
    }

    /// <summary>Number of interrupt IDs implemented (SGIs + PPIs + SPIs), a multiple of 32.</summary>
    public int InterruptCount => _state.Lines;

    /// <summary>GICD_CTLR.EnableGrp0.</summary>
    internal bool Group0Enabled => (_ctlr & EnableGrp0) != 0;

    /// <summary>GICD_CTLR.EnableGrp1.</summary>
    internal bool Group1Enabled => (_ctlr & EnableGrp1) != 0;

    /// <summary>
    /// GICD_TYPER (IHI 0069 12.9.38): ITLinesNumber [4:0], CPUNumber [7:5] = 0 (ARE), SecurityExtn [10] = 0 (DS = 1),
    /// MBIS [16] = 0, LPIS [17] = 0 (no LPIs, no ITS), IDbits [23:19] = 15 (16-bit INTIDs), A3V [24] = 1, No1N [25] = 1.
    /// </summary>
    public uint Typer => (uint)(_state.Lines / 32 - 1) | 0xFu << 19 | 1u << 24 | 1u << 25;

    private void DeclareRegisters()
    {
        var r = Registers;
        int words = _state.Lines / 32;
        r.Define("GICD_CTLR", 0x000, reset: Are | Ds, read: () => _ctlr,
            write: v => { _ctlr = ((uint)v & (EnableGrp0 | EnableGrp1)) | Are | Ds; _gic.UpdateAll(); });
        r.Define("GICD_TYPER", 0x004, reset: Typer, writeMask: 0);
        r.Define("GICD_IIDR", 0x008, reset: Iidr, writeMask: 0);
        r.Define("GICD_STATUSR", 0x010, reset: 0, writeMask: 0);

        // Word 0 (SGIs and PPIs) is RAZ/WI here with affinity routing: those are the redistributors' (12.9 notes).
        foreach (var (name, offset) in Word0Bitmaps)
            r.Define($"GICD_{name}0", offset, reset: 0, writeMask: 0);
        for (int n = 1; n < words; n++)
            _state.DefineBitmapRegisters(r, "GICD", 0, n, static () => 0, fixedLowBits: 0, enableReset: 0, _gic.UpdateAll);
        for (int n = 0; n < words; n++)
            r.Define($"GICD_IGRPMODR{n}", 0xD00 + (ulong)(4 * n), reset: 0, writeMask: 0); // RAZ/WI with DS = 1

        for (int n = 0; n < _state.Lines / 4; n++)
        {
            int first = n * 4;
            bool spi = first >= 32;
            r.Define($"GICD_IPRIORITYR{n}", 0x400 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => spi ? _state.ReadPriority(0, first) : 0,
                write: v => { if (spi) { _state.WritePriority(0, first, (uint)v); _gic.UpdateAll(); } });
            r.Define($"GICD_ITARGETSR{n}", 0x800 + (ulong)(4 * n), reset: 0, writeMask: 0, narrowAccess: true); // RAZ/WI with ARE
        }

        for (int n = 0; n < _state.Lines / 16; n++)
        {
            int first = n * 16;
            bool spi = first >= 32;
            // Int_config[0] is RES0 in GICv3; SPIs reset level-sensitive.
            r.Define($"GICD_ICFGR{n}", 0xC00 + (ulong)(4 * n), reset: 0,
                read: () => spi ? _state.ReadConfig(0, first, bit0: 0) : 0,
                write: v => { if (spi) _state.WriteConfig(0, first, (uint)v); });
            r.Define($"GICD_NSACR{n}", 0xE00 + (ulong)(4 * n), reset: 0, writeMask: 0); // RAZ/WI with DS = 1
        }

        r.Define("GICD_SGIR", 0xF00, reset: 0, writeMask: 0); // RES0 with ARE
        for (int n = 0; n < 4; n++)
        {
            r.Define($"GICD_CPENDSGIR{n}", 0xF10 + (ulong)(4 * n), reset: 0, writeMask: 0, narrowAccess: true);
            r.Define($"GICD_SPENDSGIR{n}", 0xF20 + (ulong)(4 * n), reset: 0, writeMask: 0, narrowAccess: true);
        }

        for (int id = 32; id < Math.Min(_state.Lines, GicDistributor.FirstSpecialId); id++)
        {
            int i = id;
            r.Define($"GICD_IROUTER{id}", 0x6000 + (ulong)(8 * id), width: 8, reset: 0, narrowAccess: true,
                read: () => _irouter[i], write: v => { _irouter[i] = v & IrouterMask; Route(i); _gic.UpdateAll(); });
        }

        Gicv3.DefineIdRegisters(r, "GICD", 0xFFD0, Gicv3.DistributorPidr0);
    }

    private static readonly (string Name, ulong Offset)[] Word0Bitmaps =
    [
        ("IGROUPR", 0x080), ("ISENABLER", 0x100), ("ICENABLER", 0x180), ("ISPENDR", 0x200),
        ("ICPENDR", 0x280), ("ISACTIVER", 0x300), ("ICACTIVER", 0x380),
    ];

    // IHI 0069 4.5 "Affinity routing": an SPI goes to the PE whose affinity equals GICD_IROUTER's Aff3.Aff2.Aff1.Aff0.
    private void Route(int id)
    {
        int cpu = _gic.CpuWithAffinity(_irouter[id]);
        _state.Targets[_state.Slot(0, id)] = cpu < 0 ? 0 : 1u << cpu;
    }

    /// <summary>Drives the input of SPI INTID <paramref name="id"/>.</summary>
    internal void SetLine(int id, bool level)
    {
        _state.SetLine(0, id, level);
        _gic.UpdateAll();
    }

    internal void SaveState(SnapshotWriter w)
    {
        Registers.SaveState(w);
        w.Write(_irouter);
        w.Write(_ctlr);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Registers.RestoreState(r);
        r.Read(_irouter, "GICD_IROUTER");
        _ctlr = r.ReadUInt32();
    }

    internal void ResetState()
    {
        Registers.Reset();
        _ctlr = Are | Ds;
        Array.Clear(_irouter); // all SPIs route to affinity 0.0.0.0 (CPU 0)
        for (int id = 32; id < _state.Lines; id++) Route(id);
    }
}
