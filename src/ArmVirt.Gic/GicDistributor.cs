using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// The GICv2 Distributor (GICD, IHI 0048B chapter 4.3) with the GIC-400 identification values and no
/// Security Extensions. It presents the state of every interrupt (enable, group, priority, target list,
/// edge/level configuration, the pending latch, the input line level, the active state, kept in the
/// <see cref="GicInterruptState"/> that GICv3 shares) through the GICv2 register map. SGIs and PPIs
/// (IDs 0..31) are banked per CPU; the bank an access sees is the accessing CPU's, which this device takes
/// from <see cref="Gicv2.AccessingCpu"/>; <see cref="Gicv2.DistributorView"/> gives a fixed-CPU view.
/// </summary>
internal sealed class GicDistributor : RegisterMappedDevice
{
    /// <summary>GICD_IIDR of the GIC-400 (ProductID 0x02, Variant 0, Revision 1, Implementer 0x43B = Arm).</summary>
    public const uint Gic400Iidr = 0x0200143B;

    internal const uint SpuriousId = 1023;
    internal const uint Group1NotAcknowledgedId = 1022;

    /// <summary>IDs 1020..1023 are special (spurious) and never name an interrupt.</summary>
    internal const int FirstSpecialId = 1020;

    // GIC-400 PIDR4..PIDR7, PIDR0..PIDR3, CIDR0..CIDR3 at 0xFD0..0xFFC.
    private static readonly byte[] IdRegisters = { 0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

    private readonly Gicv2 _gic;
    private readonly int _cpuCount;
    private readonly int _lines;
    private readonly GicInterruptState _state;

    private uint _ctlr;
    private int _accessingCpu;

    internal GicDistributor(Gicv2 gic, int cpuCount, int lines) : base("GICD")
    {
        _gic = gic;
        _cpuCount = cpuCount;
        _lines = lines;
        _state = new GicInterruptState(cpuCount, lines, sgiSources: true);
        ResetState();
        DeclareRegisters();
    }

    /// <summary>Number of interrupt IDs implemented (SGIs + PPIs + SPIs), a multiple of 32.</summary>
    public int InterruptCount => _lines;

    private int Cpu => _accessingCpu;

    private int Slot(int cpu, int id) => _state.Slot(cpu, id);

    private void DeclareRegisters()
    {
        var r = Registers;
        int words = _lines / 32;
        uint typer = (uint)(words - 1) | (uint)(_cpuCount - 1) << 5; // SecurityExtn (bit 10) = 0, LSPI = 0
        r.Define("GICD_CTLR", 0x000, reset: 0, read: () => _ctlr, write: v => { _ctlr = (uint)v & 3; _gic.UpdatePhysical(); });
        r.Define("GICD_TYPER", 0x004, reset: typer, writeMask: 0);
        r.Define("GICD_IIDR", 0x008, reset: Gic400Iidr, writeMask: 0);

        // SGI enables are fixed at 1 and SGI pending bits are set through GICD_SPENDSGIR (GIC-400).
        for (int n = 0; n < words; n++)
            _state.DefineBitmapRegisters(r, "GICD", 0, n, () => Cpu, fixedLowBits: 16, enableReset: n == 0 ? 0xFFFFu : 0, _gic.UpdatePhysical);

        for (int n = 0; n < _lines / 4; n++)
        {
            int first = n * 4;
            r.Define($"GICD_IPRIORITYR{n}", 0x400 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => _state.ReadPriority(Cpu, first), write: v => { _state.WritePriority(Cpu, first, (uint)v); _gic.UpdatePhysical(); });
            // IHI 0048B 4.3.12: a uniprocessor implementation has RAZ/WI target registers.
            uint targetsReset = _cpuCount > 1 && first < 32 ? 0x01010101u : 0;
            r.Define($"GICD_ITARGETSR{n}", 0x800 + (ulong)(4 * n), reset: targetsReset, narrowAccess: true,
                read: () => ReadTargets(first), write: v => { WriteTargets(first, (uint)v); _gic.UpdatePhysical(); });
        }

        for (int n = 0; n < _lines / 16; n++)
        {
            int first = n * 16;
            // GIC-400: SGIs edge (0xAAAAAAAA), PPIs level and read-only (0x55540000), SPIs level at reset.
            uint reset = n == 0 ? 0xAAAAAAAAu : n == 1 ? 0x55540000u : 0x55555555u;
            r.Define($"GICD_ICFGR{n}", 0xC00 + (ulong)(4 * n), reset: reset,
                read: () => ReadConfig(first), write: v => { WriteConfig(first, (uint)v); _gic.UpdatePhysical(); });
        }

        r.Define("GICD_SGIR", 0xF00, reset: 0, read: () => 0, write: v => GenerateSgi(Cpu, (uint)v));
        for (int n = 0; n < 4; n++)
        {
            int first = n * 4;
            r.Define($"GICD_CPENDSGIR{n}", 0xF10 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => ReadSgiSources(first), write: v => { WriteSgiSources(first, (uint)v, false); _gic.UpdateCpu(Cpu); });
            r.Define($"GICD_SPENDSGIR{n}", 0xF20 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => ReadSgiSources(first), write: v => { WriteSgiSources(first, (uint)v, true); _gic.UpdateCpu(Cpu); });
        }

        string[] idNames = { "PIDR4", "PIDR5", "PIDR6", "PIDR7", "PIDR0", "PIDR1", "PIDR2", "PIDR3", "CIDR0", "CIDR1", "CIDR2", "CIDR3" };
        for (int i = 0; i < IdRegisters.Length; i++)
            r.Define("GICD_" + idNames[i], 0xFD0 + (ulong)(4 * i), reset: IdRegisters[i], writeMask: 0);
    }

    /// <inheritdoc />
    public override bool TryRead(ulong offset, int size, out ulong value) => ReadAs(_gic.AccessingCpu(), offset, size, out value);

    /// <inheritdoc />
    public override bool TryWrite(ulong offset, int size, ulong value) => WriteAs(_gic.AccessingCpu(), offset, size, value);

    internal bool ReadAs(int cpu, ulong offset, int size, out ulong value)
    {
        _accessingCpu = CheckCpu(cpu);
        return base.TryRead(offset, size, out value);
    }

    internal bool WriteAs(int cpu, ulong offset, int size, ulong value)
    {
        _accessingCpu = CheckCpu(cpu);
        // CPENDSGIRn/SPENDSGIRn are byte-accessible write-1-to-clear/set registers: a narrow write must not
        // write back the bytes it did not address, so widen it with zeros (which change nothing).
        if (size < 4 && offset >= 0xF10 && offset < 0xF30)
        {
            int shift = (int)(offset & 3) * 8;
            ulong mask = size == 1 ? 0xFFUL : 0xFFFFUL;
            return base.TryWrite(offset & ~3UL, 4, (value & mask) << shift);
        }
        return base.TryWrite(offset, size, value);
    }

    private int CheckCpu(int cpu) =>
        (uint)cpu < (uint)_cpuCount ? cpu : throw new InvalidOperationException($"GIC: accessing CPU {cpu} is not connected.");

    // ---- register helpers (w = register index, 32 interrupts each) ----

    private uint ReadTargets(int first)
    {
        if (_cpuCount == 1) return 0;
        if (first < 32) return 0x01010101u << Cpu;
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (_state.Targets[Slot(0, first + i)] & 0xFF) << (8 * i);
        return v;
    }

    private void WriteTargets(int first, uint value)
    {
        if (_cpuCount == 1 || first < 32) return;
        byte implemented = (byte)((1 << _cpuCount) - 1);
        for (int i = 0; i < 4; i++) _state.Targets[Slot(0, first + i)] = (value >> (8 * i)) & implemented;
    }

    private uint ReadConfig(int first) =>
        first == 0 ? 0xAAAAAAAAu : first == 16 ? 0x55540000u : _state.ReadConfig(0, first, bit0: 1);

    private void WriteConfig(int first, uint value)
    {
        if (first >= 32) _state.WriteConfig(0, first, value);
    }

    private uint ReadSgiSources(int first)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (uint)_state.SgiSources[Slot(Cpu, first + i)] << (8 * i);
        return v;
    }

    private void WriteSgiSources(int first, uint value, bool set)
    {
        byte implemented = (byte)((1 << _cpuCount) - 1);
        for (int i = 0; i < 4; i++)
        {
            byte bits = (byte)((value >> (8 * i)) & implemented);
            int slot = Slot(Cpu, first + i);
            _state.SgiSources[slot] = set ? (byte)(_state.SgiSources[slot] | bits) : (byte)(_state.SgiSources[slot] & ~bits);
        }
    }

    // IHI 0048B 4.3.15 GICD_SGIR: TargetListFilter [25:24], CPUTargetList [23:16], NSATT [15], SGIINTID [3:0].
    // NSATT only selects a group when the Security Extensions are implemented; here it is ignored.
    private void GenerateSgi(int source, uint value)
    {
        int filter = (int)(value >> 24) & 3;
        int sgi = (int)value & 0xF;
        uint targets = filter switch
        {
            0 => (value >> 16) & 0xFF,
            1 => 0xFFu & ~(1u << source),
            2 => 1u << source,
            _ => 0, // reserved
        };
        targets &= (1u << _cpuCount) - 1;
        for (int c = 0; c < _cpuCount; c++)
        {
            if ((targets & (1u << c)) == 0) continue;
            _state.SgiSources[Slot(c, sgi)] |= (byte)(1 << source);
            _gic.UpdateCpu(c);
        }
    }

    // ---- interrupt state machine (IHI 0048B 3.2.4), shared with GICv3 in GicInterruptState ----

    /// <summary>Drives the input of interrupt <paramref name="id"/> (bank <paramref name="cpu"/> for a PPI).</summary>
    internal void SetLine(int cpu, int id, bool level)
    {
        _state.SetLine(cpu, id, level);
        if (id < 32) _gic.UpdateCpu(cpu);
        else _gic.UpdatePhysical();
    }

    /// <summary>
    /// The highest priority interrupt that is pending, not active, enabled, targeted at <paramref name="cpu"/>
    /// and whose group is enabled both here (GICD_CTLR) and by the caller. Ties go to the lowest ID.
    /// Returns <see cref="SpuriousId"/> when there is none.
    /// </summary>
    internal int HighestPending(int cpu, bool group0Enabled, bool group1Enabled, out int priority, out bool group1) =>
        _state.HighestPending(cpu, group0Enabled && (_ctlr & 1) != 0, group1Enabled && (_ctlr & 2) != 0, out priority, out group1);

    /// <summary>
    /// Acknowledges interrupt <paramref name="id"/> on <paramref name="cpu"/>: pending becomes active (or active
    /// and pending while a level input is still asserted or other SGI sources remain). Returns the GICC_IAR value.
    /// </summary>
    internal uint Acknowledge(int cpu, int id) => _state.Acknowledge(cpu, id);

    /// <summary>Moves interrupt <paramref name="id"/> (bank <paramref name="cpu"/>) from active to inactive.</summary>
    internal void Deactivate(int cpu, int id)
    {
        if ((uint)id >= (uint)_lines) return;
        _state.Active[Slot(cpu, id)] = false;
        if (id < 32) _gic.UpdateCpu(cpu);
        else _gic.UpdatePhysical();
    }

    /// <summary>The GICC_HPPIR value for SGI <paramref name="id"/>: the ID and the lowest pending source CPU.</summary>
    internal uint PeekSgiSource(int cpu, int id) =>
        (uint)id | (uint)BitOperations.TrailingZeroCount((uint)_state.SgiSources[Slot(cpu, id)]) << 10;

    internal bool IsActive(int cpu, int id) => (uint)id < (uint)_lines && _state.Active[Slot(cpu, id)];

    internal bool IsGroup1(int cpu, int id) => _state.Group1[Slot(cpu, id)];

    internal int PriorityOf(int cpu, int id) => _state.Priority[Slot(cpu, id)];

    internal void SaveState(SnapshotWriter w)
    {
        Registers.SaveState(w);
        w.Write(_ctlr);
        w.Write(_accessingCpu);
        _state.SaveState(w);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Registers.RestoreState(r);
        _ctlr = r.ReadUInt32();
        _accessingCpu = r.ReadInt32(0, _cpuCount - 1, "accessing CPU");
        _state.RestoreState(r);
    }

    internal void ResetState()
    {
        _state.Reset();
        for (int c = 0; c < _cpuCount; c++)
            for (int id = 0; id < 16; id++) _state.Enabled[Slot(c, id)] = true; // GIC-400: SGIs are permanently enabled
        // A uniprocessor GIC has no target registers: every SPI goes to CPU 0.
        if (_cpuCount == 1)
            for (int id = 32; id < _lines; id++) _state.Targets[Slot(0, id)] = 1;
        _ctlr = 0;
        // Input levels follow the wires, which a reset of the GIC does not change.
    }
}
