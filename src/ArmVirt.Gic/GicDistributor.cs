using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// The GICv2 Distributor (GICD, IHI 0048B chapter 4.3) with the GIC-400 identification values and no
/// Security Extensions. It holds the state of every interrupt: enable, group, priority, target list,
/// edge/level configuration, the pending latch, the input line level and the active state. SGIs and PPIs
/// (IDs 0..31) are banked per CPU; the bank an access sees is the accessing CPU's, which this device takes
/// from <see cref="Gicv2.AccessingCpu"/>; <see cref="Gicv2.DistributorView"/> gives a fixed-CPU view.
/// </summary>
public sealed class GicDistributor : RegisterMappedDevice
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

    // One slot per (interrupt, bank): slots [cpu*32 + id] for IDs 0..31, then [cpuCount*32 + id - 32] for SPIs.
    private readonly bool[] _enabled;
    private readonly bool[] _group1;
    private readonly bool[] _latch;      // pending state set by an edge, ISPENDR or (SGIs) _sgiSources
    private readonly bool[] _level;      // current input line level
    private readonly bool[] _active;
    private readonly bool[] _edge;       // ICFGR Int_config[1]
    private readonly byte[] _priority;
    private readonly byte[] _targets;    // SPIs only
    private readonly byte[] _sgiSources; // SGIs only: bit n = pending from source CPU n

    private uint _ctlr;
    private int _accessingCpu;

    internal GicDistributor(Gicv2 gic, int cpuCount, int lines) : base("GICD")
    {
        _gic = gic;
        _cpuCount = cpuCount;
        _lines = lines;
        int slots = cpuCount * 32 + lines - 32;
        _enabled = new bool[slots];
        _group1 = new bool[slots];
        _latch = new bool[slots];
        _level = new bool[slots];
        _active = new bool[slots];
        _edge = new bool[slots];
        _priority = new byte[slots];
        _targets = new byte[slots];
        _sgiSources = new byte[slots];
        ResetState();
        DeclareRegisters();
    }

    /// <summary>Number of interrupt IDs implemented (SGIs + PPIs + SPIs), a multiple of 32.</summary>
    public int InterruptCount => _lines;

    private int Cpu => _accessingCpu;

    private int Slot(int cpu, int id) => id < 32 ? cpu * 32 + id : _cpuCount * 32 + id - 32;

    private void DeclareRegisters()
    {
        var r = Registers;
        int words = _lines / 32;
        uint typer = (uint)(words - 1) | (uint)(_cpuCount - 1) << 5; // SecurityExtn (bit 10) = 0, LSPI = 0
        r.Define("GICD_CTLR", 0x000, reset: 0, read: () => _ctlr, write: v => { _ctlr = (uint)v & 3; _gic.UpdatePhysical(); });
        r.Define("GICD_TYPER", 0x004, reset: typer, writeMask: 0);
        r.Define("GICD_IIDR", 0x008, reset: Gic400Iidr, writeMask: 0);

        for (int n = 0; n < words; n++)
        {
            int w = n;
            ulong off = (ulong)(4 * n);
            r.Define($"GICD_IGROUPR{n}", 0x080 + off, reset: 0,
                read: () => ReadBits(_group1, w), write: v => { WriteGroups(w, (uint)v); _gic.UpdatePhysical(); });
            uint sgiEnables = n == 0 ? 0xFFFFu : 0;
            r.Define($"GICD_ISENABLER{n}", 0x100 + off, reset: sgiEnables,
                read: () => ReadBits(_enabled, w), write: v => { WriteBits(_enabled, w, (uint)v, true, false); _gic.UpdatePhysical(); });
            r.Define($"GICD_ICENABLER{n}", 0x180 + off, reset: sgiEnables,
                read: () => ReadBits(_enabled, w), write: v => { WriteBits(_enabled, w, (uint)v, false, false); _gic.UpdatePhysical(); });
            r.Define($"GICD_ISPENDR{n}", 0x200 + off, reset: 0,
                read: () => ReadPending(w), write: v => { WriteBits(_latch, w, (uint)v, true, false); _gic.UpdatePhysical(); });
            r.Define($"GICD_ICPENDR{n}", 0x280 + off, reset: 0,
                read: () => ReadPending(w), write: v => { WriteBits(_latch, w, (uint)v, false, false); _gic.UpdatePhysical(); });
            r.Define($"GICD_ISACTIVER{n}", 0x300 + off, reset: 0,
                read: () => ReadBits(_active, w), write: v => { WriteBits(_active, w, (uint)v, true, true); _gic.UpdatePhysical(); });
            r.Define($"GICD_ICACTIVER{n}", 0x380 + off, reset: 0,
                read: () => ReadBits(_active, w), write: v => { WriteBits(_active, w, (uint)v, false, true); _gic.UpdatePhysical(); });
        }

        for (int n = 0; n < _lines / 4; n++)
        {
            int first = n * 4;
            r.Define($"GICD_IPRIORITYR{n}", 0x400 + (ulong)(4 * n), reset: 0, narrowAccess: true,
                read: () => ReadPriority(first), write: v => { WritePriority(first, (uint)v); _gic.UpdatePhysical(); });
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

    private uint ReadBits(bool[] state, int w)
    {
        uint v = 0;
        for (int i = 0; i < 32; i++)
            if (state[Slot(Cpu, w * 32 + i)]) v |= 1u << i;
        return v;
    }

    // set: write-1-to-set (true) or write-1-to-clear (false). sgiWritable: whether SGI bits (IDs 0..15) change.
    private void WriteBits(bool[] state, int w, uint value, bool set, bool sgiWritable)
    {
        for (int i = 0; i < 32; i++)
        {
            int id = w * 32 + i;
            if ((value & (1u << i)) == 0 || (id < 16 && !sgiWritable)) continue;
            state[Slot(Cpu, id)] = set;
        }
    }

    private void WriteGroups(int w, uint value)
    {
        for (int i = 0; i < 32; i++) _group1[Slot(Cpu, w * 32 + i)] = (value >> i & 1) != 0;
    }

    private uint ReadPending(int w)
    {
        uint v = 0;
        for (int i = 0; i < 32; i++)
        {
            int id = w * 32 + i;
            if (IsPending(Slot(Cpu, id), id)) v |= 1u << i;
        }
        return v;
    }

    private uint ReadPriority(int first)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (uint)_priority[Slot(Cpu, first + i)] << (8 * i);
        return v;
    }

    // QEMU's GICv2 (the -M virt reference) implements all 8 priority bits.
    private void WritePriority(int first, uint value)
    {
        for (int i = 0; i < 4; i++) _priority[Slot(Cpu, first + i)] = (byte)(value >> (8 * i));
    }

    private uint ReadTargets(int first)
    {
        if (_cpuCount == 1) return 0;
        if (first < 32) return 0x01010101u << Cpu;
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (uint)_targets[Slot(0, first + i)] << (8 * i);
        return v;
    }

    private void WriteTargets(int first, uint value)
    {
        if (_cpuCount == 1 || first < 32) return;
        byte implemented = (byte)((1 << _cpuCount) - 1);
        for (int i = 0; i < 4; i++) _targets[Slot(0, first + i)] = (byte)((value >> (8 * i)) & implemented);
    }

    private uint ReadConfig(int first)
    {
        if (first == 0) return 0xAAAAAAAAu;
        if (first == 16) return 0x55540000u;
        uint v = 0;
        for (int i = 0; i < 16; i++)
            v |= (_edge[Slot(0, first + i)] ? 3u : 1u) << (2 * i);
        return v;
    }

    private void WriteConfig(int first, uint value)
    {
        if (first < 32) return;
        for (int i = 0; i < 16; i++)
        {
            int slot = Slot(0, first + i);
            bool edge = (value >> (2 * i + 1) & 1) != 0;
            _edge[slot] = edge;
        }
    }

    private uint ReadSgiSources(int first)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (uint)_sgiSources[Slot(Cpu, first + i)] << (8 * i);
        return v;
    }

    private void WriteSgiSources(int first, uint value, bool set)
    {
        byte implemented = (byte)((1 << _cpuCount) - 1);
        for (int i = 0; i < 4; i++)
        {
            byte bits = (byte)((value >> (8 * i)) & implemented);
            int slot = Slot(Cpu, first + i);
            _sgiSources[slot] = set ? (byte)(_sgiSources[slot] | bits) : (byte)(_sgiSources[slot] & ~bits);
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
            _sgiSources[Slot(c, sgi)] |= (byte)(1 << source);
            _gic.UpdateCpu(c);
        }
    }

    // ---- interrupt state machine (IHI 0048B 3.2.4) ----

    private bool IsPending(int slot, int id) =>
        id < 16 ? _sgiSources[slot] != 0 : _latch[slot] || (!_edge[slot] && _level[slot]);

    /// <summary>Drives the input of interrupt <paramref name="id"/> (bank <paramref name="cpu"/> for a PPI).</summary>
    internal void SetLine(int cpu, int id, bool level)
    {
        int slot = Slot(cpu, id);
        bool rising = level && !_level[slot];
        _level[slot] = level;
        if (rising && _edge[slot]) _latch[slot] = true;
        if (id < 32) _gic.UpdateCpu(cpu);
        else _gic.UpdatePhysical();
    }

    /// <summary>
    /// The highest priority interrupt that is pending, not active, enabled, targeted at <paramref name="cpu"/>
    /// and whose group is enabled both here (GICD_CTLR) and by the caller. Ties go to the lowest ID.
    /// Returns <see cref="SpuriousId"/> when there is none.
    /// </summary>
    internal int HighestPending(int cpu, bool group0Enabled, bool group1Enabled, out int priority, out bool group1)
    {
        bool g0 = group0Enabled && (_ctlr & 1) != 0;
        bool g1 = group1Enabled && (_ctlr & 2) != 0;
        int best = (int)SpuriousId, bestPriority = GicPriority.Idle;
        bool bestGroup1 = false;
        if (g0 || g1)
        {
            for (int id = 0, end = Math.Min(_lines, FirstSpecialId); id < end; id++)
            {
                int slot = Slot(cpu, id);
                if (!_enabled[slot] || _active[slot] || _priority[slot] >= bestPriority || !IsPending(slot, id)) continue;
                if (id >= 32 && _cpuCount > 1 && (_targets[slot] & (1 << cpu)) == 0) continue;
                if (_group1[slot] ? !g1 : !g0) continue;
                best = id;
                bestPriority = _priority[slot];
                bestGroup1 = _group1[slot];
            }
        }
        priority = bestPriority;
        group1 = bestGroup1;
        return best;
    }

    /// <summary>
    /// Acknowledges interrupt <paramref name="id"/> on <paramref name="cpu"/>: pending becomes active (or active
    /// and pending while a level input is still asserted or other SGI sources remain). Returns the GICC_IAR value.
    /// </summary>
    internal uint Acknowledge(int cpu, int id)
    {
        int slot = Slot(cpu, id);
        uint value = (uint)id;
        if (id < 16)
        {
            int source = BitOperations.TrailingZeroCount((uint)_sgiSources[slot]);
            _sgiSources[slot] &= (byte)~(1 << source);
            value |= (uint)source << 10;
        }
        else _latch[slot] = false;
        _active[slot] = true;
        return value;
    }

    /// <summary>Moves interrupt <paramref name="id"/> (bank <paramref name="cpu"/>) from active to inactive.</summary>
    internal void Deactivate(int cpu, int id)
    {
        if ((uint)id >= (uint)_lines) return;
        _active[Slot(cpu, id)] = false;
        if (id < 32) _gic.UpdateCpu(cpu);
        else _gic.UpdatePhysical();
    }

    /// <summary>The GICC_HPPIR value for SGI <paramref name="id"/>: the ID and the lowest pending source CPU.</summary>
    internal uint PeekSgiSource(int cpu, int id) =>
        (uint)id | (uint)BitOperations.TrailingZeroCount((uint)_sgiSources[Slot(cpu, id)]) << 10;

    internal bool IsActive(int cpu, int id) => (uint)id < (uint)_lines && _active[Slot(cpu, id)];

    internal bool IsGroup1(int cpu, int id) => _group1[Slot(cpu, id)];

    internal int PriorityOf(int cpu, int id) => _priority[Slot(cpu, id)];

    internal void ResetState()
    {
        Array.Clear(_enabled);
        Array.Clear(_group1);
        Array.Clear(_latch);
        Array.Clear(_active);
        Array.Clear(_edge);
        Array.Clear(_priority);
        Array.Clear(_targets);
        Array.Clear(_sgiSources);
        for (int c = 0; c < _cpuCount; c++)
            for (int id = 0; id < 16; id++)
            {
                _enabled[Slot(c, id)] = true; // GIC-400: SGIs are permanently enabled
                _edge[Slot(c, id)] = true;
            }
        _ctlr = 0;
        // _level follows the input wires, which a reset of the GIC does not change.
    }
}
