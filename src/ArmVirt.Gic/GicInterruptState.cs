using ArmVirt.Core;
using System.Numerics;

namespace ArmVirt.Gic;

/// <summary>
/// The state of every interrupt of a GIC, shared by both generations (GICv2's distributor, GICv3's distributor and
/// redistributors): enable, group, priority, edge/level configuration, the pending latch, the input line level, the
/// active state and the set of CPUs an SPI is routed to; plus the interrupt state machine (IHI 0048B 3.2.4,
/// IHI 0069 4.1.2) and the highest-priority-pending-interrupt selection (IHI 0069 4.7, "HPPI").
/// SGIs and PPIs (IDs 0..31) are banked per CPU.
/// </summary>
internal sealed class GicInterruptState
{
    /// <summary>One slot per (interrupt, bank): [cpu*32 + id] for IDs 0..31, then [cpuCount*32 + id - 32] for SPIs.</summary>
    public readonly bool[] Enabled, Group1, Latch, Level, Active, Edge;

    /// <summary>Priority byte as written (8 bits stored, as QEMU's GICs do).</summary>
    public readonly byte[] Priority;

    /// <summary>SPIs: bit n set when CPU n is a target (GICv2 ITARGETSR, GICv3 IROUTER).</summary>
    public readonly uint[] Targets;

    /// <summary>GICv2 SGIs: bit n = pending from source CPU n. Unused by GICv3, where an SGI has one pending bit.</summary>
    public readonly byte[] SgiSources;

    internal GicInterruptState(int cpuCount, int lines, bool sgiSources)
    {
        CpuCount = cpuCount;
        Lines = lines;
        TracksSgiSources = sgiSources;
        int slots = cpuCount * 32 + lines - 32;
        Enabled = new bool[slots];
        Group1 = new bool[slots];
        Latch = new bool[slots];
        Level = new bool[slots];
        Active = new bool[slots];
        Edge = new bool[slots];
        Priority = new byte[slots];
        Targets = new uint[slots];
        SgiSources = new byte[slots];
    }

    /// <summary>Banks of SGIs/PPIs.</summary>
    public int CpuCount { get; }

    /// <summary>Interrupt IDs implemented (a multiple of 32).</summary>
    public int Lines { get; }

    /// <summary>GICv2: an SGI is pending per source CPU and acknowledging returns the source (GICC_IAR.CPUID).</summary>
    public bool TracksSgiSources { get; }

    public int Slot(int cpu, int id) => id < 32 ? cpu * 32 + id : CpuCount * 32 + id - 32;

    /// <summary>Pending: the latch, or for a level-sensitive interrupt the asserted input (IHI 0069 4.1.2).</summary>
    public bool IsPending(int slot, int id) =>
        id < 16 && TracksSgiSources ? SgiSources[slot] != 0 : Latch[slot] || (!Edge[slot] && Level[slot]);

    /// <summary>Drives the input of interrupt <paramref name="id"/>; a rising edge latches an edge-triggered interrupt.</summary>
    public void SetLine(int cpu, int id, bool level)
    {
        int slot = Slot(cpu, id);
        bool rising = level && !Level[slot];
        Level[slot] = level;
        if (rising && Edge[slot]) Latch[slot] = true;
    }

    /// <summary>
    /// The highest priority interrupt that is pending, not active, enabled, routed to <paramref name="cpu"/> and in an
    /// enabled group. Ties go to the lowest ID. Returns <see cref="GicDistributor.SpuriousId"/> when there is none.
    /// </summary>
    public int HighestPending(int cpu, bool group0Enabled, bool group1Enabled, out int priority, out bool group1)
    {
        int best = (int)GicDistributor.SpuriousId, bestPriority = GicPriority.Idle;
        bool bestGroup1 = false;
        if (group0Enabled || group1Enabled)
        {
            uint cpuBit = 1u << cpu;
            for (int id = 0, end = Math.Min(Lines, GicDistributor.FirstSpecialId); id < end; id++)
            {
                int slot = Slot(cpu, id);
                if (!Enabled[slot] || Active[slot] || Priority[slot] >= bestPriority || !IsPending(slot, id)) continue;
                if (id >= 32 && (Targets[slot] & cpuBit) == 0) continue;
                if (Group1[slot] ? !group1Enabled : !group0Enabled) continue;
                best = id;
                bestPriority = Priority[slot];
                bestGroup1 = Group1[slot];
            }
        }
        priority = bestPriority;
        group1 = bestGroup1;
        return best;
    }

    /// <summary>
    /// Acknowledges interrupt <paramref name="id"/> on <paramref name="cpu"/>: pending becomes active (or active and
    /// pending while a level input is still asserted or other SGI sources remain). Returns the ID, with the source
    /// CPU in bits [12:10] for a GICv2 SGI.
    /// </summary>
    public uint Acknowledge(int cpu, int id)
    {
        int slot = Slot(cpu, id);
        uint value = (uint)id;
        if (id < 16 && TracksSgiSources)
        {
            int source = BitOperations.TrailingZeroCount((uint)SgiSources[slot]);
            SgiSources[slot] &= (byte)~(1 << source);
            value |= (uint)source << 10;
        }
        else Latch[slot] = false;
        Active[slot] = true;
        return value;
    }

    // Snapshot form: every per-slot array, input levels included (the devices drive the same levels again after a
    // restore, so no edge is seen twice).
    public void SaveState(SnapshotWriter w)
    {
        w.Section("gic.interrupts");
        w.Write(Enabled);
        w.Write(Group1);
        w.Write(Latch);
        w.Write(Level);
        w.Write(Active);
        w.Write(Edge);
        w.Write(Priority);
        w.Write(Targets);
        w.Write(SgiSources);
    }

    public void RestoreState(SnapshotReader r)
    {
        r.Section("gic.interrupts");
        r.Read(Enabled, "GIC enables");
        r.Read(Group1, "GIC groups");
        r.Read(Latch, "GIC pending latches");
        r.Read(Level, "GIC input levels");
        r.Read(Active, "GIC active states");
        r.Read(Edge, "GIC trigger modes");
        r.Read(Priority, "GIC priorities");
        r.Read(Targets, "GIC targets");
        r.Read(SgiSources, "GIC SGI sources");
    }

    /// <summary>Clears all state except the input levels (which follow the wires); SGIs are edge-triggered.</summary>
    public void Reset()
    {
        Array.Clear(Enabled);
        Array.Clear(Group1);
        Array.Clear(Latch);
        Array.Clear(Active);
        Array.Clear(Edge);
        Array.Clear(Priority);
        Array.Clear(Targets);
        Array.Clear(SgiSources);
        for (int c = 0; c < CpuCount; c++)
            for (int id = 0; id < 16; id++) Edge[Slot(c, id)] = true;
    }

    // ---- 32-interrupt register helpers (word w covers IDs 32w..32w+31 in bank cpu) ----

    /// <summary>
    /// Declares the seven 32-interrupt bitmap registers of word <paramref name="word"/> (IGROUPR, ISENABLER, ICENABLER,
    /// ISPENDR, ICPENDR, ISACTIVER, ICACTIVER at <paramref name="frame"/> + 0x080 .. 0x380 + 4 * word), the layout the
    /// GICv2 distributor (IHI 0048B 4.3.4-4.3.9), the GICv3 distributor and the redistributor's SGI_base frame
    /// (IHI 0069 12.9, 12.11) share. They act on the interrupts of PE <paramref name="cpu"/>() (read at each access);
    /// the low <paramref name="fixedLowBits"/> enable and pending bits ignore writes; <paramref name="changed"/> runs
    /// after every write.
    /// </summary>
    public void DefineBitmapRegisters(ArmVirt.Core.RegisterMap r, string prefix, ulong frame, int word, Func<int> cpu,
        int fixedLowBits, uint enableReset, Action changed)
    {
        int w = word;
        ulong off = frame + (ulong)(4 * w);
        string n = w.ToString(System.Globalization.CultureInfo.InvariantCulture);
        r.Define($"{prefix}_IGROUPR{n}", off + 0x080, reset: 0,
            read: () => ReadBits(Group1, cpu(), w), write: v => { WriteAll(Group1, cpu(), w, (uint)v); changed(); });
        r.Define($"{prefix}_ISENABLER{n}", off + 0x100, reset: enableReset,
            read: () => ReadBits(Enabled, cpu(), w), write: v => { WriteBits(Enabled, cpu(), w, (uint)v, true, fixedLowBits); changed(); });
        r.Define($"{prefix}_ICENABLER{n}", off + 0x180, reset: enableReset,
            read: () => ReadBits(Enabled, cpu(), w), write: v => { WriteBits(Enabled, cpu(), w, (uint)v, false, fixedLowBits); changed(); });
        r.Define($"{prefix}_ISPENDR{n}", off + 0x200, reset: 0,
            read: () => ReadPending(cpu(), w), write: v => { WriteBits(Latch, cpu(), w, (uint)v, true, fixedLowBits); changed(); });
        r.Define($"{prefix}_ICPENDR{n}", off + 0x280, reset: 0,
            read: () => ReadPending(cpu(), w), write: v => { WriteBits(Latch, cpu(), w, (uint)v, false, fixedLowBits); changed(); });
        r.Define($"{prefix}_ISACTIVER{n}", off + 0x300, reset: 0,
            read: () => ReadBits(Active, cpu(), w), write: v => { WriteBits(Active, cpu(), w, (uint)v, true, 0); changed(); });
        r.Define($"{prefix}_ICACTIVER{n}", off + 0x380, reset: 0,
            read: () => ReadBits(Active, cpu(), w), write: v => { WriteBits(Active, cpu(), w, (uint)v, false, 0); changed(); });
    }

    public uint ReadBits(bool[] state, int cpu, int w)
    {
        uint v = 0;
        for (int i = 0; i < 32; i++)
            if (state[Slot(cpu, w * 32 + i)]) v |= 1u << i;
        return v;
    }

    /// <summary>Write-1-to-set (<paramref name="set"/>) or write-1-to-clear; IDs below <paramref name="firstWritable"/> do not change.</summary>
    public void WriteBits(bool[] state, int cpu, int w, uint value, bool set, int firstWritable)
    {
        for (int i = 0; i < 32; i++)
        {
            int id = w * 32 + i;
            if ((value & (1u << i)) == 0 || id < firstWritable) continue;
            state[Slot(cpu, id)] = set;
        }
    }

    public void WriteAll(bool[] state, int cpu, int w, uint value)
    {
        for (int i = 0; i < 32; i++) state[Slot(cpu, w * 32 + i)] = (value >> i & 1) != 0;
    }

    public uint ReadPending(int cpu, int w)
    {
        uint v = 0;
        for (int i = 0; i < 32; i++)
        {
            int id = w * 32 + i;
            if (IsPending(Slot(cpu, id), id)) v |= 1u << i;
        }
        return v;
    }

    public uint ReadPriority(int cpu, int first)
    {
        uint v = 0;
        for (int i = 0; i < 4; i++) v |= (uint)Priority[Slot(cpu, first + i)] << (8 * i);
        return v;
    }

    public void WritePriority(int cpu, int first, uint value)
    {
        for (int i = 0; i < 4; i++) Priority[Slot(cpu, first + i)] = (byte)(value >> (8 * i));
    }

    /// <summary>GICD/GICR_ICFGR: Int_config[1] of each 2-bit field (1 = edge); Int_config[0] reads as <paramref name="bit0"/>.</summary>
    public uint ReadConfig(int cpu, int first, uint bit0)
    {
        uint v = 0;
        for (int i = 0; i < 16; i++)
            v |= ((Edge[Slot(cpu, first + i)] ? 2u : 0u) | bit0) << (2 * i);
        return v;
    }

    public void WriteConfig(int cpu, int first, uint value)
    {
        for (int i = 0; i < 16; i++) Edge[Slot(cpu, first + i)] = (value >> (2 * i + 1) & 1) != 0;
    }
}
