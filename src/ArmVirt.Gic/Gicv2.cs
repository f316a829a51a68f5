using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// A GICv2 interrupt controller with the Virtualization Extensions and without the Security Extensions,
/// modelled on the GIC-400 and on QEMU's <c>-M virt</c> GIC (8 priority bits): a <see cref="Distributor"/>,
/// and per CPU a physical CPU interface (GICC), a virtual interface control block (GICH) and a virtual CPU
/// interface (GICV).
/// </summary>
/// <remarks>
/// <para>Wiring: devices drive <see cref="Spi"/> and <see cref="Ppi"/> lines (level-sensitive inputs; an SPI
/// configured edge-triggered latches on each rising edge). The machine connects <see cref="IrqOutput"/>,
/// <see cref="FiqOutput"/>, <see cref="VirtualIrqOutput"/> and <see cref="VirtualFiqOutput"/> to each CPU's
/// IRQ/FIQ/vIRQ/vFIQ inputs. The maintenance interrupt of CPU <c>i</c> is driven onto <c>Ppi(i, 9)</c>
/// (INTID 25), so nothing else may drive that line. Toggling a line allocates nothing.</para>
/// <para>Mapping: banked registers need the accessing CPU. Either map a per-CPU device
/// (<see cref="DistributorView"/>, <see cref="CpuInterface"/>, <see cref="VirtualControl"/>,
/// <see cref="VirtualCpuInterface"/>) into each CPU's view, or map the shared windows
/// (<see cref="Distributor"/>, <see cref="CpuInterfaceWindow"/>, <see cref="VirtualControlWindow"/>,
/// <see cref="VirtualCpuInterfaceWindow"/>) once and set <see cref="AccessingCpu"/> to report which CPU is
/// running. The QEMU <c>virt</c> layout is GICD 0x0800_0000, GICC 0x0801_0000, GICH 0x0803_0000,
/// GICV 0x0804_0000 (GICC and GICV are 0x2000 bytes, GICH 0x1000).</para>
/// </remarks>
internal sealed class Gicv2 : IGic, ISnapshotState
{
    /// <summary>The PPI number (0..15) of the virtual interface maintenance interrupt: INTID 25.</summary>
    public const int MaintenancePpi = 9;

    private readonly InterruptLine[] _spis;
    private readonly InterruptLine[] _ppis;
    private readonly InterruptLine[] _irq, _fiq, _virq, _vfiq;
    private readonly GicCpuInterface[] _cpuInterfaces;
    private readonly GicVirtualInterfaceControl[] _virtualControls;
    private readonly GicVirtualCpuInterface[] _virtualCpuInterfaces;
    private readonly GicDistributorView[] _distributorViews;

    /// <summary>Creates the controller.</summary>
    /// <param name="cpuCount">Connected CPUs, 1..8.</param>
    /// <param name="interruptCount">Implemented interrupt IDs including the 32 SGIs and PPIs: a multiple of
    /// 32 from 32 to 992, or 1020 (the architectural maximum; rounded up to 1024 lines internally).</param>
    /// <param name="listRegisters">List registers per virtual interface, 1..64 (GIC-400: 4).</param>
    public Gicv2(int cpuCount, int interruptCount = 288, int listRegisters = 4)
    {
        if (cpuCount is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(cpuCount), "A GICv2 connects 1 to 8 CPUs.");
        if (interruptCount == 1020) interruptCount = 1024;
        else if (interruptCount < 32 || interruptCount > 992 || interruptCount % 32 != 0)
            throw new ArgumentOutOfRangeException(nameof(interruptCount), "The interrupt count must be a multiple of 32 from 32 to 992, or 1020.");
        if (listRegisters is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(listRegisters), "A GICv2 has 1 to 64 list registers.");
        CpuCount = cpuCount;
        ListRegisterCount = listRegisters;
        var distributor = new GicDistributor(this, cpuCount, interruptCount);
        Distributor = distributor;

        _spis = new InterruptLine[Math.Min(interruptCount, GicDistributor.FirstSpecialId) - 32];
        for (int n = 0; n < _spis.Length; n++)
        {
            int id = 32 + n;
            var line = new InterruptLine($"GIC SPI {n} (INTID {id})");
            line.Changed += level => distributor.SetLine(0, id, level);
            _spis[n] = line;
        }

        _ppis = new InterruptLine[cpuCount * 16];
        _irq = new InterruptLine[cpuCount];
        _fiq = new InterruptLine[cpuCount];
        _virq = new InterruptLine[cpuCount];
        _vfiq = new InterruptLine[cpuCount];
        _cpuInterfaces = new GicCpuInterface[cpuCount];
        _virtualControls = new GicVirtualInterfaceControl[cpuCount];
        _virtualCpuInterfaces = new GicVirtualCpuInterface[cpuCount];
        _distributorViews = new GicDistributorView[cpuCount];
        for (int c = 0; c < cpuCount; c++)
        {
            int cpu = c;
            for (int n = 0; n < 16; n++)
            {
                int id = 16 + n;
                var line = new InterruptLine($"GIC CPU{c} PPI {n} (INTID {id})");
                line.Changed += level => distributor.SetLine(cpu, id, level);
                _ppis[c * 16 + n] = line;
            }
            _irq[c] = new InterruptLine($"GIC CPU{c} IRQ");
            _fiq[c] = new InterruptLine($"GIC CPU{c} FIQ");
            _virq[c] = new InterruptLine($"GIC CPU{c} vIRQ");
            _vfiq[c] = new InterruptLine($"GIC CPU{c} vFIQ");
            _cpuInterfaces[c] = new GicCpuInterface(this, distributor, c, _irq[c], _fiq[c]);
            _virtualControls[c] = new GicVirtualInterfaceControl(this, c, listRegisters, _ppis[c * 16 + MaintenancePpi]);
            _virtualCpuInterfaces[c] = new GicVirtualCpuInterface(_virtualControls[c], distributor, c, _virq[c], _vfiq[c]);
            _distributorViews[c] = new GicDistributorView(distributor, c);
        }
        CpuInterfaceWindow = new GicBankedWindow(this, _cpuInterfaces);
        VirtualControlWindow = new GicBankedWindow(this, _virtualControls);
        VirtualCpuInterfaceWindow = new GicBankedWindow(this, _virtualCpuInterfaces);
    }

    /// <summary>Number of connected CPUs.</summary>
    public int CpuCount { get; }

    /// <summary>Number of implemented interrupt IDs (GICD_TYPER.ITLinesNumber = count / 32 - 1).</summary>
    public int InterruptCount => Distributor.InterruptCount;

    /// <summary>List registers per virtual interface.</summary>
    public int ListRegisterCount { get; }

    /// <summary>
    /// Reports which CPU (0-based) is performing the current bus access; used by <see cref="Distributor"/>
    /// and the shared windows. Defaults to CPU 0.
    /// </summary>
    public Func<int> AccessingCpu { get; set; } = static () => 0;

    /// <summary>The distributor (GICD, 4 KiB), banked by <see cref="AccessingCpu"/>.</summary>
    public GicDistributor Distributor { get; }

    /// <summary>The distributor as seen by CPU <paramref name="cpu"/>.</summary>
    public GicDistributorView DistributorView(int cpu) => _distributorViews[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s physical CPU interface (GICC).</summary>
    public GicCpuInterface CpuInterface(int cpu) => _cpuInterfaces[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s virtual interface control (GICH).</summary>
    public GicVirtualInterfaceControl VirtualControl(int cpu) => _virtualControls[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s virtual CPU interface (GICV).</summary>
    public GicVirtualCpuInterface VirtualCpuInterface(int cpu) => _virtualCpuInterfaces[cpu];

    /// <summary>One GICC window banked by <see cref="AccessingCpu"/>.</summary>
    public GicBankedWindow CpuInterfaceWindow { get; }

    /// <summary>One GICH window banked by <see cref="AccessingCpu"/>.</summary>
    public GicBankedWindow VirtualControlWindow { get; }

    /// <summary>One GICV window banked by <see cref="AccessingCpu"/>.</summary>
    public GicBankedWindow VirtualCpuInterfaceWindow { get; }

    /// <summary>Input of shared peripheral interrupt <paramref name="n"/> (INTID 32 + n).</summary>
    public InterruptLine Spi(int n) =>
        (uint)n < (uint)_spis.Length ? _spis[n] : throw new ArgumentOutOfRangeException(nameof(n), $"This GIC has SPIs 0..{_spis.Length - 1}.");

    /// <summary>Input of private peripheral interrupt <paramref name="n"/> (0..15, INTID 16 + n) of CPU <paramref name="cpu"/>.</summary>
    public InterruptLine Ppi(int cpu, int n) =>
        (uint)n < 16 ? _ppis[cpu * 16 + n] : throw new ArgumentOutOfRangeException(nameof(n), "PPIs are numbered 0..15.");

    /// <summary>CPU <paramref name="cpu"/>'s physical IRQ output.</summary>
    public InterruptLine IrqOutput(int cpu) => _irq[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s physical FIQ output (Group 0 with GICC_CTLR.FIQEn).</summary>
    public InterruptLine FiqOutput(int cpu) => _fiq[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s virtual IRQ output.</summary>
    public InterruptLine VirtualIrqOutput(int cpu) => _virq[cpu];

    /// <summary>CPU <paramref name="cpu"/>'s virtual FIQ output (virtual Group 0 with GICH_VMCR.VMFIQEn).</summary>
    public InterruptLine VirtualFiqOutput(int cpu) => _vfiq[cpu];

    /// <summary>Resets every register to its reset value. Input line levels are kept (they belong to the devices).</summary>
    public void Reset()
    {
        Distributor.ResetState();
        for (int c = 0; c < CpuCount; c++)
        {
            _cpuInterfaces[c].ResetState();
            _virtualControls[c].ResetState();
        }
        UpdateAll();
    }

    /// <summary>
    /// Writes the distributor (every interrupt's enable, group, pending, active, priority, target and input level), each
    /// CPU interface and each virtual interface control with its list registers.
    /// </summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("gicv2");
        writer.Write(CpuCount);
        Distributor.SaveState(writer);
        for (int c = 0; c < CpuCount; c++)
        {
            _cpuInterfaces[c].SaveState(writer);
            _virtualControls[c].SaveState(writer);
            _virtualCpuInterfaces[c].Registers.SaveState(writer);
        }
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives the CPUs' interrupt outputs from it.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("gicv2");
        int cpus = reader.ReadInt32();
        if (cpus != CpuCount) throw new SnapshotFormatException($"GICv2 for {cpus} CPUs in the snapshot, {CpuCount} here");
        Distributor.RestoreState(reader);
        for (int c = 0; c < CpuCount; c++)
        {
            _cpuInterfaces[c].RestoreState(reader);
            _virtualControls[c].RestoreState(reader);
            _virtualCpuInterfaces[c].Registers.RestoreState(reader);
        }
        UpdateAll();
    }

    internal void UpdateCpu(int cpu) => _cpuInterfaces[cpu].Update();

    /// <summary>Recomputes every CPU's physical IRQ/FIQ (after distributor state changed).</summary>
    internal void UpdatePhysical()
    {
        foreach (var c in _cpuInterfaces) c.Update();
    }

    internal void UpdateAll()
    {
        for (int c = 0; c < _cpuInterfaces.Length; c++)
        {
            _cpuInterfaces[c].Update();
            _virtualControls[c].Update();
        }
    }
}
