using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// A GICv3 interrupt controller (IHI 0069) with one Security state (GICD_CTLR.DS = 1), affinity routing always on and
/// no LPIs/ITS, modelled on QEMU's <c>-M virt,gic-version=3</c> GIC: a <see cref="Distributor"/> (GICD, 64 KiB), per PE a
/// <see cref="Redistributor"/> (GICR, 128 KiB: RD_base + SGI_base) and a system-register <see cref="CpuInterface"/>
/// (ICC_*), which the machine plugs into each CPU's system-register table.
/// </summary>
/// <remarks>
/// <para>Wiring: devices drive <see cref="Spi"/> and <see cref="Ppi"/> lines; <see cref="IrqOutput"/> (Group 1) and
/// <see cref="FiqOutput"/> (Group 0) drive each CPU's IRQ/FIQ inputs. PE <c>i</c> has affinity
/// <see cref="Affinity"/>(i) (Aff0 = i, Aff1 = i / 256, as the CPUs' MPIDR_EL1). Toggling a line allocates nothing.
/// The model is not thread-safe: the machine serialises accesses and line changes.</para>
/// <para>Mapping (QEMU virt): GICD at 0x0800_0000, redistributor i at 0x080A_0000 + i * 0x2_0000.</para>
/// </remarks>
internal sealed class Gicv3 : IGic, ISnapshotState
{
    /// <summary>The PPI number (0..15) of the virtual interface maintenance interrupt: INTID 25.</summary>
    public const int MaintenancePpi = 9;

    /// <summary>Size of the distributor window.</summary>
    public const ulong DistributorSize = 0x1_0000;

    internal const byte DistributorPidr0 = 0x92, RedistributorPidr0 = 0x93;

    private readonly GicInterruptState _state;
    private readonly InterruptLine[] _spis;
    private readonly InterruptLine[] _ppis;
    private readonly InterruptLine[] _irq, _fiq;
    private readonly Gicv3Redistributor[] _redistributors;
    private readonly Gicv3CpuInterface[] _cpuInterfaces;

    /// <summary>Creates the controller.</summary>
    /// <param name="cpuCount">Connected PEs, 1..32.</param>
    /// <param name="interruptCount">Implemented interrupt IDs including the 32 SGIs and PPIs: a multiple of 32 from 64 to
    /// 992, or 1020 (the architectural maximum of SPIs + 1; rounded up to 1024 lines internally). QEMU virt: 288.</param>
    public Gicv3(int cpuCount, int interruptCount = 288)
    {
        if (cpuCount is < 1 or > 32) throw new ArgumentOutOfRangeException(nameof(cpuCount), "This GICv3 connects 1 to 32 CPUs.");
        if (interruptCount == 1020) interruptCount = 1024;
        else if (interruptCount < 64 || interruptCount > 992 || interruptCount % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(interruptCount), "The interrupt count must be a multiple of 32 from 64 to 992, or 1020.");
        CpuCount = cpuCount;
        _state = new GicInterruptState(cpuCount, interruptCount, sgiSources: false);
        Distributor = new Gicv3Distributor(this, _state);

        _spis = new InterruptLine[Math.Min(interruptCount, GicDistributor.FirstSpecialId) - 32];
        for (int n = 0; n < _spis.Length; n++)
        {
            int id = 32 + n;
            var line = new InterruptLine($"GIC SPI {n} (INTID {id})");
            line.Changed += level => Distributor.SetLine(id, level);
            _spis[n] = line;
        }

        _ppis = new InterruptLine[cpuCount * 16];
        _irq = new InterruptLine[cpuCount];
        _fiq = new InterruptLine[cpuCount];
        _redistributors = new Gicv3Redistributor[cpuCount];
        _cpuInterfaces = new Gicv3CpuInterface[cpuCount];
        for (int c = 0; c < cpuCount; c++)
        {
            var redistributor = new Gicv3Redistributor(this, _state, c);
            _redistributors[c] = redistributor;
            for (int n = 0; n < 16; n++)
            {
                int id = 16 + n;
                var line = new InterruptLine($"GIC CPU{c} PPI {n} (INTID {id})");
                line.Changed += level => redistributor.SetLine(id, level);
                _ppis[c * 16 + n] = line;
            }
            _irq[c] = new InterruptLine($"GIC CPU{c} IRQ");
            _fiq[c] = new InterruptLine($"GIC CPU{c} FIQ");
            _cpuInterfaces[c] = new Gicv3CpuInterface(this, _state, c, _irq[c], _fiq[c]);
        }
        Reset();
    }

    /// <summary>Number of connected PEs.</summary>
    public int CpuCount { get; }

    /// <summary>Number of implemented interrupt IDs (GICD_TYPER.ITLinesNumber = count / 32 - 1).</summary>
    public int InterruptCount => _state.Lines;

    /// <summary>The distributor (GICD).</summary>
    public Gicv3Distributor Distributor { get; }

    /// <summary>PE <paramref name="cpu"/>'s redistributor (GICR: RD_base and SGI_base frames, <see cref="Gicv3Redistributor.FrameSize"/> bytes).</summary>
    public Gicv3Redistributor Redistributor(int cpu) => _redistributors[cpu];

    /// <summary>PE <paramref name="cpu"/>'s CPU interface (the behaviour of its ICC_* system registers).</summary>
    public Gicv3CpuInterface CpuInterface(int cpu) => _cpuInterfaces[cpu];

    /// <summary>Input of shared peripheral interrupt <paramref name="n"/> (INTID 32 + n).</summary>
    public InterruptLine Spi(int n) =>
        (uint)n < (uint)_spis.Length ? _spis[n] : throw new ArgumentOutOfRangeException(nameof(n), $"This GIC has SPIs 0..{_spis.Length - 1}.");

    /// <summary>Input of private peripheral interrupt <paramref name="n"/> (0..15, INTID 16 + n) of PE <paramref name="cpu"/>.</summary>
    public InterruptLine Ppi(int cpu, int n) =>
        (uint)n < 16 ? _ppis[cpu * 16 + n] : throw new ArgumentOutOfRangeException(nameof(n), "PPIs are numbered 0..15.");

    /// <summary>PE <paramref name="cpu"/>'s IRQ output (Group 1 interrupts).</summary>
    public InterruptLine IrqOutput(int cpu) => _irq[cpu];

    /// <summary>PE <paramref name="cpu"/>'s FIQ output (Group 0 interrupts).</summary>
    public InterruptLine FiqOutput(int cpu) => _fiq[cpu];

    /// <summary>The affinity of PE <paramref name="cpu"/> in MPIDR_EL1 layout: Aff0 [7:0] = cpu % 256, Aff1 [15:8] = cpu / 256.</summary>
    public static ulong Affinity(int cpu) => (uint)cpu & 0xFFFFu;

    /// <summary>The PE whose affinity an IROUTER value names (Aff3 [39:32], Aff2.Aff1.Aff0 [23:0]), or -1.</summary>
    internal int CpuWithAffinity(ulong irouter)
    {
        ulong wanted = (irouter & 0xFF_FFFF) | (irouter >> 32 & 0xFF) << 32;
        for (int c = 0; c < CpuCount; c++)
            if (Affinity(c) == wanted) return c;
        return -1;
    }

    /// <summary>Resets every register to its reset value. Input line levels are kept (they belong to the devices).</summary>
    public void Reset()
    {
        _state.Reset();
        Distributor.ResetState();
        foreach (var r in _redistributors) r.ResetState();
        foreach (var c in _cpuInterfaces) c.ResetState();
        UpdateAll();
    }

    /// <summary>
    /// Writes the interrupt state, the distributor (GICD_CTLR, GICD_IROUTER), each redistributor (GICR_WAKER) and each
    /// ICC_* CPU interface; the ICH_* virtual interfaces are separate (<see cref="Gicv3VirtualCpuInterface.SaveState"/>).
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("gicv3");
        writer.Write(CpuCount);
        _state.SaveState(writer);
        Distributor.SaveState(writer);
        foreach (var r in _redistributors) r.SaveState(writer);
        foreach (var c in _cpuInterfaces) c.SaveState(writer);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives the CPUs' interrupt outputs from it.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("gicv3");
        int cpus = reader.ReadInt32();
        if (cpus != CpuCount) throw new SnapshotFormatException($"GICv3 for {cpus} CPUs in the snapshot, {CpuCount} here");
        _state.RestoreState(reader);
        Distributor.RestoreState(reader);
        foreach (var r in _redistributors) r.RestoreState(reader);
        foreach (var c in _cpuInterfaces) c.RestoreState(reader);
        UpdateAll();
    }

    internal void UpdateCpu(int cpu) => _cpuInterfaces[cpu].Update();

    /// <summary>Recomputes every PE's IRQ and FIQ (after distributor state changed).</summary>
    internal void UpdateAll()
    {
        foreach (var c in _cpuInterfaces) c.Update();
    }

    // CoreSight ID registers of Arm's GICv3 (PIDR4..7, PIDR0..3, CIDR0..3 from offset 0xFFD0), as QEMU's gicv3_idreg:
    // PIDR2.ArchRev [7:4] = 3.
    private static readonly byte[] IdRegisters = { 0x44, 0x00, 0x00, 0x00, 0x00, 0xB4, 0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    private static readonly string[] IdNames = { "PIDR4", "PIDR5", "PIDR6", "PIDR7", "PIDR0", "PIDR1", "PIDR2", "PIDR3", "CIDR0", "CIDR1", "CIDR2", "CIDR3" };

    internal static void DefineIdRegisters(RegisterMap r, string prefix, ulong offset, byte pidr0)
    {
        for (int i = 0; i < IdRegisters.Length; i++)
            r.Define($"{prefix}_{IdNames[i]}", offset + (ulong)(4 * i), reset: i == 4 ? pidr0 : IdRegisters[i], writeMask: 0);
    }
}
