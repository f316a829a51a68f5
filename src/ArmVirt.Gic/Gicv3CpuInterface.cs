using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One PE's GICv3 physical CPU interface: the behaviour behind the ICC_*_EL1/EL2/EL3 system registers (IHI 0069
/// chapter 12.2), for a GIC with one Security state (GICD_CTLR.DS = 1), so that Group 0 is signalled as FIQ and
/// Group 1 as IRQ (IHI 0069 4.6.2), and ICC registers have one (Non-secure) bank. 5 priority bits and 5 preemption
/// bits, as QEMU's Cortex-A57 (ICC_CTLR_EL1.PRIbits = 4): 32 preemption levels, so one active-priority register per
/// group (ICC_AP0R0/ICC_AP1R0), minimum binary points 2 (Group 0) and 3 (Group 1).
/// The system-register plumbing (access checks, traps, redirection to the virtual interface) lives in the machine;
/// this type has no notion of exception levels beyond the EL3 EOI mode.
/// </summary>
internal sealed class Gicv3CpuInterface
{
    /// <summary>Implemented priority bits (ICC_CTLR_EL1.PRIbits + 1).</summary>
    public const int PriorityBits = 5;

    /// <summary>Active-priority registers per group (ICC_AP0R&lt;n&gt;/ICC_AP1R&lt;n&gt; with n below this exist).</summary>
    public const int ActivePriorityRegisters = 1;

    /// <summary>Minimum ICC_BPR0_EL1 (7 - preemption bits).</summary>
    public const int MinimumBpr0 = 7 - PriorityBits;

    /// <summary>Minimum ICC_BPR1_EL1 (Non-secure Group 1: one more than ICC_BPR0_EL1's).</summary>
    public const int MinimumBpr1 = MinimumBpr0 + 1;

    /// <summary>Bits of a priority value the interface implements (the top <see cref="PriorityBits"/>).</summary>
    public const uint PriorityMask = 0xFFu << (8 - PriorityBits) & 0xFF;

    // IHI 0069 12.2.6 ICC_CTLR_EL1: CBPR [0], EOImode [1] (RW); PMHE [6] RAZ/WI; PRIbits [10:8], IDbits [13:11],
    // SEIS [14] = 0, A3V [15] = 1, RSS [18] = 0 (read-only). IDbits = 1 (24 bits) as QEMU reports.
    private const ulong Cbpr = 1 << 0, EoiMode = 1 << 1;
    internal const ulong CtlrReadOnly = (PriorityBits - 1) << 8 | 1 << 11 | 1 << 15;

    // IHI 0069 12.2.7 ICC_CTLR_EL3: CBPR_EL1S [0], CBPR_EL1NS [1], EOImode_EL3 [2], EOImode_EL1S [3], EOImode_EL1NS [4],
    // RM [5] = 0, PMHE [6] = 0, PRIbits/IDbits/A3V as ICC_CTLR_EL1, nDS [17] = 1 (as QEMU: DS cannot be cleared here).
    private const ulong Ctlr3EoiModeEl3 = 1 << 2;
    internal const ulong Ctlr3ReadOnly = CtlrReadOnly | 1 << 17;

    private readonly Gicv3 _gic;
    private readonly GicInterruptState _state;
    private readonly InterruptLine _irq, _fiq;
    private readonly uint[] _ap0r = new uint[ActivePriorityRegisters];
    private readonly uint[] _ap1r = new uint[ActivePriorityRegisters];
    private ulong _ctlr, _ctlrEl3;
    private uint _pmr;
    private int _bpr0 = MinimumBpr0, _bpr1 = MinimumBpr1;
    private bool _igrpen0, _igrpen1, _igrpen1Secure;

    internal Gicv3CpuInterface(Gicv3 gic, GicInterruptState state, int cpu, InterruptLine irq, InterruptLine fiq)
    {
        _gic = gic;
        _state = state;
        CpuNumber = cpu;
        _irq = irq;
        _fiq = fiq;
    }

    /// <summary>The PE this interface belongs to.</summary>
    public int CpuNumber { get; }

    /// <summary>ICC_SRE_EL2.Enable: EL1 accesses to ICC_SRE_EL1 do not trap to EL2 (reset 1).</summary>
    public bool SreEl2Enable { get; set; } = true;

    /// <summary>ICC_SRE_EL3.Enable: EL1/EL2 accesses to ICC_SRE_EL1/EL2 do not trap to EL3 (reset 1).</summary>
    public bool SreEl3Enable { get; set; } = true;

    /// <summary>ICC_SRE_ELx value: SRE [0], DFB [1], DIB [2] RAO/WI (no legacy interface, no bypass), Enable [3] for EL2/EL3.</summary>
    public ulong ReadSre(int el) => 0x7UL | (el == 2 && SreEl2Enable || el == 3 && SreEl3Enable ? 1UL << 3 : 0);

    /// <summary>Writes ICC_SRE_EL<paramref name="el"/>: only Enable (EL2, EL3) is writable.</summary>
    public void WriteSre(int el, ulong value)
    {
        bool enable = (value & (1UL << 3)) != 0;
        if (el == 2) SreEl2Enable = enable;
        else if (el == 3) SreEl3Enable = enable;
    }

    /// <summary>The running priority (ICC_RPR_EL1): the group priority of the highest active priority, 0xFF when idle.</summary>
    public int RunningPriority
    {
        get
        {
            int level = GicPriority.LowestActiveLevel(_ap0r, _ap1r);
            return level < 0 ? 0xFF : level << (MinimumBpr0 + 1);
        }
    }

    /// <summary>Reads an ICC_*_EL1 register (side effects included: ICC_IAR*_EL1 acknowledges).</summary>
    /// <param name="register">The register.</param>
    /// <param name="el">The accessing exception level (3 selects the EL3 EOI mode and ignores CBPR for BPR1).</param>
    public ulong Read(Gicv3CpuRegister register, int el = 1) => register switch
    {
        Gicv3CpuRegister.Pmr => _pmr,
        Gicv3CpuRegister.Iar0 => Acknowledge(group1: false),
        Gicv3CpuRegister.Iar1 => Acknowledge(group1: true),
        Gicv3CpuRegister.Hppir0 => HighestPendingId(group1: false),
        Gicv3CpuRegister.Hppir1 => HighestPendingId(group1: true),
        Gicv3CpuRegister.Bpr0 => (ulong)_bpr0,
        Gicv3CpuRegister.Bpr1 => (_ctlr & Cbpr) != 0 && el < 3 ? (ulong)Math.Min(_bpr0 + 1, 7) : (ulong)_bpr1,
        >= Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3 => ActivePriority(_ap0r, register - Gicv3CpuRegister.Ap0r0),
        >= Gicv3CpuRegister.Ap1r0 and <= Gicv3CpuRegister.Ap1r3 => ActivePriority(_ap1r, register - Gicv3CpuRegister.Ap1r0),
        Gicv3CpuRegister.Rpr => (ulong)RunningPriority,
        Gicv3CpuRegister.Ctlr => _ctlr | CtlrReadOnly,
        Gicv3CpuRegister.Igrpen0 => _igrpen0 ? 1UL : 0,
        Gicv3CpuRegister.Igrpen1 => _igrpen1 ? 1UL : 0,
        _ => 0, // EOIR0/1 and DIR are write-only
    };

    /// <summary>Writes an ICC_*_EL1 register (ICC_EOIR*_EL1 and ICC_DIR_EL1 complete interrupts).</summary>
    /// <param name="register">The register.</param>
    /// <param name="value">The value written.</param>
    /// <param name="el">The accessing exception level.</param>
    public void Write(Gicv3CpuRegister register, ulong value, int el = 1)
    {
        switch (register)
        {
            case Gicv3CpuRegister.Pmr: _pmr = (uint)value & PriorityMask; break;
            case Gicv3CpuRegister.Eoir0: EndOfInterrupt((int)(value & 0xFF_FFFF), group1: false, el); return;
            case Gicv3CpuRegister.Eoir1: EndOfInterrupt((int)(value & 0xFF_FFFF), group1: true, el); return;
            case Gicv3CpuRegister.Dir: Deactivate((int)(value & 0xFF_FFFF), el); return;
            case Gicv3CpuRegister.Bpr0: _bpr0 = Math.Max((int)(value & 7), MinimumBpr0); break;
            case Gicv3CpuRegister.Bpr1:
                if ((_ctlr & Cbpr) != 0 && el < 3) return; // reads return BPR0 + 1, writes are ignored (12.2.5)
                _bpr1 = Math.Max((int)(value & 7), MinimumBpr1);
                break;
            case >= Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3: SetActivePriority(_ap0r, register - Gicv3CpuRegister.Ap0r0, value); break;
            case >= Gicv3CpuRegister.Ap1r0 and <= Gicv3CpuRegister.Ap1r3: SetActivePriority(_ap1r, register - Gicv3CpuRegister.Ap1r0, value); break;
            case Gicv3CpuRegister.Ctlr: _ctlr = value & (Cbpr | EoiMode); break;
            case Gicv3CpuRegister.Igrpen0: _igrpen0 = (value & 1) != 0; break;
            case Gicv3CpuRegister.Igrpen1: _igrpen1 = (value & 1) != 0; break;
            default: return; // IAR, HPPIR and RPR are read-only
        }
        Update();
    }

    private static ulong ActivePriority(uint[] bank, int n) => n < bank.Length ? bank[n] : 0;

    private static void SetActivePriority(uint[] bank, int n, ulong value)
    {
        if (n < bank.Length) bank[n] = (uint)value;
    }

    /// <summary>ICC_CTLR_EL3: EOImode_EL3 is stored; the EL1 CBPR/EOImode fields alias the single ICC_CTLR_EL1 bank.</summary>
    public ulong ReadCtlrEl3()
    {
        ulong v = _ctlrEl3 | Ctlr3ReadOnly;
        if ((_ctlr & Cbpr) != 0) v |= 0b11;          // CBPR_EL1S, CBPR_EL1NS
        if ((_ctlr & EoiMode) != 0) v |= 0b11 << 3;  // EOImode_EL1S, EOImode_EL1NS
        return v;
    }

    /// <summary>Writes ICC_CTLR_EL3.</summary>
    public void WriteCtlrEl3(ulong value)
    {
        _ctlrEl3 = value & Ctlr3EoiModeEl3;
        _ctlr = ((value & 0b10) != 0 ? Cbpr : 0) | ((value & (1 << 4)) != 0 ? EoiMode : 0);
        Update();
    }

    /// <summary>ICC_IGRPEN1_EL3: EnableGrp1NS [0] aliases ICC_IGRPEN1_EL1; EnableGrp1S [1] is stored.</summary>
    public ulong ReadIgrpen1El3() => (_igrpen1 ? 1UL : 0) | (_igrpen1Secure ? 2UL : 0);

    /// <summary>Writes ICC_IGRPEN1_EL3.</summary>
    public void WriteIgrpen1El3(ulong value)
    {
        _igrpen1 = (value & 1) != 0;
        _igrpen1Secure = (value & 2) != 0;
        Update();
    }

    /// <summary>
    /// ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 (IHI 0069 12.2.21): TargetList [15:0], Aff1 [23:16], INTID [27:24],
    /// Aff2 [39:32], IRM [40] (all PEs but this one), RS [47:44] (which 16 Aff0 values TargetList covers), Aff3 [55:48].
    /// </summary>
    /// <param name="value">The value written.</param>
    /// <param name="group1">Generates a Group 1 SGI (ICC_SGI1R_EL1) rather than Group 0.</param>
    public void GenerateSgi(ulong value, bool group1)
    {
        int id = (int)(value >> 24) & 0xF;
        bool irm = (value & (1UL << 40)) != 0;
        ulong upper = (value >> 16 & 0xFF) << 8 | (value >> 32 & 0xFF) << 16 | (value >> 48 & 0xFF) << 32; // Aff3.Aff2.Aff1
        int rangeBase = (int)(value >> 44 & 0xF) * 16;
        for (int c = 0; c < _gic.CpuCount; c++)
        {
            if (irm)
            {
                if (c == CpuNumber) continue;
            }
            else
            {
                ulong affinity = Gicv3.Affinity(c);
                int aff0 = (int)(affinity & 0xFF) - rangeBase;
                if ((affinity & ~0xFFUL) != upper || (uint)aff0 > 15 || (value & (1UL << aff0)) == 0) continue;
            }
            _gic.Redistributor(c).ReceiveSgi(id, group1);
        }
    }

    private int Candidate(out int priority, out bool group1) =>
        _state.HighestPending(CpuNumber, _igrpen0 && _gic.Distributor.Group0Enabled, _igrpen1 && _gic.Distributor.Group1Enabled,
            out priority, out group1);

    // IHI 0069 12.2.5 / 4.8: Group 1 uses ICC_BPR1_EL1 as binary point BPR1 - 1 unless CBPR makes ICC_BPR0_EL1 common.
    private int GroupPriority(int priority, bool group1) =>
        GicPriority.GroupPriority(priority, group1 && (_ctlr & Cbpr) == 0 ? _bpr1 - 1 : _bpr0);

    // IHI 0069 4.8.3 / pseudocode CanSignalInterrupt: above the priority mask and preempting the running priority.
    private bool CanSignal(int id, int priority, bool group1)
    {
        if (id == GicDistributor.SpuriousId || priority >= _pmr) return false;
        int running = RunningPriority;
        return running == 0xFF || GroupPriority(priority, group1) < running;
    }

    /// <summary>Recomputes this PE's IRQ (Group 1) and FIQ (Group 0) outputs.</summary>
    internal void Update()
    {
        int id = Candidate(out int priority, out bool group1);
        bool signal = CanSignal(id, priority, group1);
        _fiq.Set(signal && !group1);
        _irq.Set(signal && group1);
    }

    // IHI 0069 12.2.13 ICC_IAR0_EL1 / 12.2.14 ICC_IAR1_EL1: the HPPI of the register's group if it can preempt.
    private ulong Acknowledge(bool group1)
    {
        int id = Candidate(out int priority, out bool candidateGroup1);
        if (!CanSignal(id, priority, candidateGroup1) || candidateGroup1 != group1) return GicDistributor.SpuriousId;
        _state.Acknowledge(CpuNumber, id);
        int level = GroupPriority(priority, group1) >> (MinimumBpr0 + 1);
        (group1 ? _ap1r : _ap0r)[level >> 5] |= 1u << (level & 31);
        if (id < 32) Update();
        else _gic.UpdateAll();
        return (ulong)id;
    }

    // IHI 0069 12.2.11 ICC_HPPIR0_EL1 / 12.2.12 ICC_HPPIR1_EL1: not filtered by the priority mask or running priority.
    private ulong HighestPendingId(bool group1)
    {
        int id = Candidate(out _, out bool candidateGroup1);
        return id == GicDistributor.SpuriousId || candidateGroup1 != group1 ? GicDistributor.SpuriousId : (ulong)id;
    }

    // IHI 0069 12.2.9 ICC_EOIR0_EL1 / 12.2.10: priority drop of the highest active priority if it belongs to this
    // register's group, plus deactivation unless EOImode splits it off to ICC_DIR_EL1.
    private void EndOfInterrupt(int id, bool group1, int el)
    {
        if (id >= _state.Lines || id >= GicDistributor.FirstSpecialId) return;
        int g0 = LowestSetBit(_ap0r), g1 = LowestSetBit(_ap1r);
        if (g0 < 0 && g1 < 0) return;
        bool activeGroup1 = g0 < 0 || (g1 >= 0 && g1 < g0);
        if (activeGroup1 != group1) return;
        var bank = group1 ? _ap1r : _ap0r;
        int level = group1 ? g1 : g0;
        bank[level >> 5] &= ~(1u << (level & 31));
        if (!EoiSplit(el)) DeactivateInterrupt(id);
        Update();
    }

    // IHI 0069 12.2.8 ICC_DIR_EL1: only effective when EOImode is 1.
    private void Deactivate(int id, int el)
    {
        if (id >= _state.Lines || id >= GicDistributor.FirstSpecialId || !EoiSplit(el)) return;
        DeactivateInterrupt(id);
    }

    private bool EoiSplit(int el) => el == 3 ? (_ctlrEl3 & Ctlr3EoiModeEl3) != 0 : (_ctlr & EoiMode) != 0;

    private void DeactivateInterrupt(int id)
    {
        _state.Active[_state.Slot(CpuNumber, id)] = false;
        if (id < 32) Update();
        else _gic.UpdateAll();
    }

    /// <summary>Deactivates physical interrupt <paramref name="id"/> on this PE (an ICH_LR&lt;n&gt;_EL2.HW deactivation).</summary>
    public void DeactivatePhysical(int id)
    {
        if ((uint)id < (uint)Math.Min(_state.Lines, GicDistributor.FirstSpecialId)) DeactivateInterrupt(id);
    }

    private static int LowestSetBit(uint[] bank)
    {
        for (int i = 0; i < bank.Length; i++)
            if (bank[i] != 0) return i * 32 + BitOperations.TrailingZeroCount(bank[i]);
        return -1;
    }

    internal void SaveState(SnapshotWriter w)
    {
        w.Section("icc");
        w.Write(_ap0r);
        w.Write(_ap1r);
        w.Write(_ctlr);
        w.Write(_ctlrEl3);
        w.Write(_pmr);
        w.Write(_bpr0);
        w.Write(_bpr1);
        w.Write(_igrpen0);
        w.Write(_igrpen1);
        w.Write(_igrpen1Secure);
        w.Write(SreEl2Enable);
        w.Write(SreEl3Enable);
    }

    internal void RestoreState(SnapshotReader r)
    {
        r.Section("icc");
        r.Read(_ap0r, "ICC_AP0R");
        r.Read(_ap1r, "ICC_AP1R");
        _ctlr = r.ReadUInt64();
        _ctlrEl3 = r.ReadUInt64();
        _pmr = r.ReadUInt32();
        _bpr0 = r.ReadInt32(0, 7, "ICC_BPR0");
        _bpr1 = r.ReadInt32(0, 7, "ICC_BPR1");
        _igrpen0 = r.ReadBool();
        _igrpen1 = r.ReadBool();
        _igrpen1Secure = r.ReadBool();
        SreEl2Enable = r.ReadBool();
        SreEl3Enable = r.ReadBool();
    }

    internal void ResetState()
    {
        _ctlr = 0;
        _ctlrEl3 = 0;
        _pmr = 0;
        _bpr0 = MinimumBpr0;
        _bpr1 = MinimumBpr1;
        Array.Clear(_ap0r);
        Array.Clear(_ap1r);
        _igrpen0 = _igrpen1 = _igrpen1Secure = false;
        SreEl2Enable = SreEl3Enable = true;
    }
}
