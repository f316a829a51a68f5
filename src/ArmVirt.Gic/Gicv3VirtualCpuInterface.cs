using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One PE's GICv3 virtualization (IHI 0069 "Virtual interrupt handling and prioritization"): the hypervisor's
/// ICH_*_EL2 state and the virtual CPU interface ICV_*_EL1 that EL1 reaches when HCR_EL2.IMO/FMO redirect it,
/// modelled as QEMU's <c>-M virt,gic-version=3</c> CPU interface: 5 virtual priority and preemption bits, 24-bit
/// vINTIDs, no vLPIs, no NMIs, no SEIs, TDIR supported (ICH_VTR_EL2 = 0x90B8_0000 + ListRegs).
/// </summary>
/// <remarks>
/// <para>Outputs: <see cref="VirtualIrq"/> and <see cref="VirtualFiq"/> go to the PE's vIRQ/vFIQ inputs,
/// <see cref="Maintenance"/> to its PPI 9 (INTID 25). They are recomputed after every register access that
/// changes them, and toggling them allocates nothing.</para>
/// <para>A list register with HW = 1 names a physical interrupt; deactivating the virtual interrupt (an EOI with
/// VEOIM = 0, or ICV_DIR_EL1) deactivates that pINTID through the callback given to the constructor, as a
/// write of the pINTID to ICC_DIR_EL1 would (IHI 0069 "Hardware interrupts" in the virtualization chapter).</para>
/// </remarks>
internal sealed class Gicv3VirtualCpuInterface : IGicv3VirtualCpuInterface, ISnapshotState
{
    /// <summary>The PPI number of the maintenance interrupt: INTID 25 (Server Base System Architecture).</summary>
    public const int MaintenancePpi = 9;

    // Virtual priority bits (ICH_VTR_EL2.PRIbits + 1) and preemption bits (PREbits + 1), as QEMU's Cortex-A57/A53.
    private const int PriorityBits = 5, PreemptionBits = 5;
    private const int MinVbpr0 = 7 - PreemptionBits, MinVbpr1 = MinVbpr0 + 1;
    private const int PriorityMask = (0xFF << (8 - PriorityBits)) & 0xFF;
    private const int IdlePriority = 0xFF;

    // ICH_HCR_EL2 (IHI 0069). TSEI is RES0 because ICH_VTR_EL2.SEIS is 0; vSGIEOICount and DVIM need GICv4.1.
    internal const ulong HcrEn = 1 << 0, HcrUie = 1 << 1, HcrLrenpie = 1 << 2, HcrNpie = 1 << 3;
    internal const ulong HcrVGrp0Eie = 1 << 4, HcrVGrp0Die = 1 << 5, HcrVGrp1Eie = 1 << 6, HcrVGrp1Die = 1 << 7;
    internal const ulong HcrTc = 1 << 10, HcrTall0 = 1 << 11, HcrTall1 = 1 << 12, HcrTdir = 1 << 14;
    private const int EoiCountShift = 27;
    private const ulong EoiCountMask = 0x1FUL << EoiCountShift;
    private const ulong HcrWritable = 0xFFUL | HcrTc | HcrTall0 | HcrTall1 | HcrTdir | EoiCountMask;

    // ICH_VMCR_EL2 (IHI 0069): VPMR [31:24], VBPR0 [23:21], VBPR1 [20:18], VEOIM [9], VCBPR [4],
    // VFIQEn [3] (RES1: system registers are always enabled), VAckCtl [2] (RES0), VENG1 [1], VENG0 [0].
    internal const ulong VmcrVeng0 = 1 << 0, VmcrVeng1 = 1 << 1, VmcrVfiqEn = 1 << 3, VmcrVcbpr = 1 << 4, VmcrVeoim = 1 << 9;
    private const int VbprShift1 = 18, VbprShift0 = 21, VpmrShift = 24;
    private const ulong VmcrWritable = VmcrVeng0 | VmcrVeng1 | VmcrVcbpr | VmcrVeoim | 7UL << VbprShift1 | 7UL << VbprShift0
        | (ulong)PriorityMask << VpmrShift;

    /// <summary>ICH_VMCR_EL2 at reset: VBPR0 and VBPR1 at their minimum (2 and 3), VFIQEn set.</summary>
    public const ulong VmcrReset = VmcrVfiqEn | (ulong)MinVbpr1 << VbprShift1 | (ulong)MinVbpr0 << VbprShift0;

    // ICH_MISR_EL2 (IHI 0069).
    internal const ulong MisrEoi = 1 << 0, MisrU = 1 << 1, MisrLrenp = 1 << 2, MisrNp = 1 << 3;
    internal const ulong MisrVGrp0E = 1 << 4, MisrVGrp0D = 1 << 5, MisrVGrp1E = 1 << 6, MisrVGrp1D = 1 << 7;

    // ICH_LR<n>_EL2 (IHI 0069): State [63:62], HW [61], Group [60], NMI [59] (RES0 here), Priority [55:48],
    // pINTID [44:32] (HW = 1) or EOI [41] (HW = 0), vINTID [31:0] (bits above IDbits = 24 are RES0).
    internal const ulong LrPending = 1UL << 62, LrActive = 1UL << 63, LrHw = 1UL << 61, LrGroup1 = 1UL << 60, LrEoi = 1UL << 41;
    private const int LrPriorityShift = 48, LrPintidShift = 32;
    private const ulong LrWritable = 0xFF_FFFFUL | 0x1FFFUL << LrPintidShift | (ulong)PriorityMask << LrPriorityShift
        | LrGroup1 | LrHw | LrPending | LrActive;

    // ICV_CTLR_EL1 (IHI 0069): A3V [15], IDbits [13:11] = 24 bits, PRIbits [10:8], VEOImode [1], VCBPR [0].
    private const ulong CtlrFixed = 1UL << 15 | 1UL << 11 | (ulong)(PriorityBits - 1) << 8;

    private const uint SpuriousId = 1023;
    private const int FirstLpi = 8192;

    private readonly ulong[] _lr;
    private readonly Action<int> _deactivatePhysical;
    private ulong _hcr, _vmcr = VmcrReset;
    // ICH_AP0R0_EL2 and ICH_AP1R0_EL2: 32 preemption levels fit the first register of each group.
    private uint _ap0, _ap1;

    /// <summary>Creates the interface of one PE.</summary>
    /// <param name="listRegisters">Implemented list registers, 1..16 (ICH_VTR_EL2.ListRegs + 1; QEMU: 4).</param>
    /// <param name="deactivatePhysical">Deactivates a physical INTID in the redistributor or distributor of this PE,
    /// as ICC_DIR_EL1 would: called when a list register entry with HW = 1 is deactivated.</param>
    /// <param name="name">A name for the output lines (diagnostics).</param>
    public Gicv3VirtualCpuInterface(int listRegisters, Action<int> deactivatePhysical, string name = "GICv3 CPU0")
    {
        if (listRegisters is < 1 or > 16)
            throw new ArgumentOutOfRangeException(nameof(listRegisters), "A GICv3 CPU interface has 1 to 16 list registers.");
        _lr = new ulong[listRegisters];
        _deactivatePhysical = deactivatePhysical ?? throw new ArgumentNullException(nameof(deactivatePhysical));
        VirtualIrq = new InterruptLine($"{name} vIRQ");
        VirtualFiq = new InterruptLine($"{name} vFIQ");
        Maintenance = new InterruptLine($"{name} maintenance (PPI 9)");
        Vtr = (ulong)(PriorityBits - 1) << 29 | (ulong)(PreemptionBits - 1) << 26 | 1UL << 23 // PRIbits, PREbits, IDbits = 24
            | 1UL << 21 | 1UL << 20 | 1UL << 19                                                   // A3V, nV4, TDS
            | (ulong)(listRegisters - 1);
    }

    /// <summary>The virtual IRQ output (a pending Group 1 virtual interrupt that can preempt).</summary>
    public InterruptLine VirtualIrq { get; }

    /// <summary>The virtual FIQ output (a pending Group 0 virtual interrupt that can preempt).</summary>
    public InterruptLine VirtualFiq { get; }

    /// <summary>The maintenance interrupt: asserted while ICH_HCR_EL2.En is 1 and ICH_MISR_EL2 is not zero.</summary>
    public InterruptLine Maintenance { get; }

    /// <summary>Number of implemented list registers.</summary>
    public int ListRegisterCount => _lr.Length;

    /// <summary>ICH_VTR_EL2: PRIbits = PREbits = 4 (5 bits), IDbits = 24 bits, A3V, nV4, TDS, ListRegs.</summary>
    public ulong Vtr { get; }

    /// <summary>ICH_HCR_EL2 (RES0 bits read as zero).</summary>
    public ulong Hcr
    {
        get => _hcr;
        set
        {
            _hcr = value & HcrWritable;
            Update();
        }
    }

    /// <summary>ICH_VMCR_EL2; binary points written below the minimum read as the minimum.</summary>
    public ulong Vmcr
    {
        get => _vmcr;
        set
        {
            value = (value & VmcrWritable) | VmcrVfiqEn;
            ulong vbpr0 = Math.Max((value >> VbprShift0) & 7, MinVbpr0), vbpr1 = Math.Max((value >> VbprShift1) & 7, MinVbpr1);
            _vmcr = (value & ~(7UL << VbprShift0 | 7UL << VbprShift1)) | vbpr0 << VbprShift0 | vbpr1 << VbprShift1;
            Update();
        }
    }

    /// <summary>ICH_MISR_EL2: the maintenance interrupt conditions that hold now.</summary>
    public ulong Misr
    {
        get
        {
            int valid = 0;
            bool pending = false;
            foreach (ulong lr in _lr)
            {
                if (State(lr) != 0) valid++;
                if (State(lr) == 1) pending = true;
            }
            ulong misr = 0;
            if (Eisr != 0) misr |= MisrEoi;
            if ((_hcr & HcrUie) != 0 && valid < 2) misr |= MisrU;
            if ((_hcr & HcrLrenpie) != 0 && (_hcr & EoiCountMask) != 0) misr |= MisrLrenp;
            if ((_hcr & HcrNpie) != 0 && !pending) misr |= MisrNp;
            bool g0 = (_vmcr & VmcrVeng0) != 0, g1 = (_vmcr & VmcrVeng1) != 0;
            if ((_hcr & HcrVGrp0Eie) != 0 && g0) misr |= MisrVGrp0E;
            if ((_hcr & HcrVGrp0Die) != 0 && !g0) misr |= MisrVGrp0D;
            if ((_hcr & HcrVGrp1Eie) != 0 && g1) misr |= MisrVGrp1E;
            if ((_hcr & HcrVGrp1Die) != 0 && !g1) misr |= MisrVGrp1D;
            return misr;
        }
    }

    /// <summary>ICH_EISR_EL2: list registers that are invalid, HW = 0 and EOI = 1 (an EOI maintenance request).</summary>
    public ulong Eisr
    {
        get
        {
            ulong v = 0;
            for (int i = 0; i < _lr.Length; i++)
                if ((_lr[i] & (LrPending | LrActive | LrHw | LrEoi)) == LrEoi) v |= 1UL << i;
            return v;
        }
    }

    /// <summary>ICH_ELRSR_EL2: list registers that are invalid and hold no EOI maintenance request.</summary>
    public ulong Elrsr
    {
        get
        {
            ulong v = 0;
            for (int i = 0; i < _lr.Length; i++)
            {
                ulong lr = _lr[i];
                if (State(lr) == 0 && ((lr & LrHw) != 0 || (lr & LrEoi) == 0)) v |= 1UL << i;
            }
            return v;
        }
    }

    /// <summary>Reads ICH_LR&lt;n&gt;_EL2, n in 0..<see cref="ListRegisterCount"/> - 1.</summary>
    public ulong ReadListRegister(int n) => _lr[CheckListRegister(n)];

    /// <summary>Writes ICH_LR&lt;n&gt;_EL2 (RES0 bits and unimplemented priority bits are not stored).</summary>
    public void WriteListRegister(int n, ulong value)
    {
        _lr[CheckListRegister(n)] = value & LrWritable;
        Update();
    }

    private int CheckListRegister(int n) => (uint)n < (uint)_lr.Length ? n
        : throw new ArgumentOutOfRangeException(nameof(n), $"ICH_LR{n}_EL2: this interface has {_lr.Length} list registers.");

    /// <summary>Reads ICH_AP0R&lt;n&gt;_EL2 (<paramref name="group"/> 0) or ICH_AP1R&lt;n&gt;_EL2 (group 1);
    /// with 5 preemption bits only n = 0 is implemented and the others read as zero.</summary>
    public ulong ReadActivePriorities(int group, int n) => n != 0 ? 0 : group == 0 ? _ap0 : _ap1;

    /// <summary>Writes ICH_AP0R&lt;n&gt;_EL2 or ICH_AP1R&lt;n&gt;_EL2 (n &gt; 0 is ignored).</summary>
    public void WriteActivePriorities(int group, int n, ulong value)
    {
        if (n != 0) return;
        if (group == 0) _ap0 = (uint)value;
        else _ap1 = (uint)value;
        Update();
    }

    /// <summary>Writes the list registers, ICH_HCR_EL2, ICH_VMCR_EL2 and the active priorities.</summary>
    public void SaveState(SnapshotWriter writer)
    {
        writer.Section("ich");
        writer.Write(_lr);
        writer.Write(_hcr);
        writer.Write(_vmcr);
        writer.Write(_ap0);
        writer.Write(_ap1);
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote and drives the virtual interrupts and maintenance interrupt.</summary>
    public void RestoreState(SnapshotReader reader)
    {
        reader.Section("ich");
        reader.Read(_lr, "ICH_LR<n>_EL2");
        _hcr = reader.ReadUInt64();
        _vmcr = reader.ReadUInt64();
        _ap0 = reader.ReadUInt32();
        _ap1 = reader.ReadUInt32();
        Update();
    }

    /// <summary>Puts every ICH_* register in its reset state and lowers the outputs.</summary>
    public void Reset()
    {
        _hcr = 0;
        _vmcr = VmcrReset;
        _ap0 = _ap1 = 0;
        Array.Clear(_lr);
        Update();
    }

    // Which ICH_HCR_EL2 trap bit covers each register (IHI 0069 ICH_HCR_EL2: TC common, TALL0 Group 0, TALL1 Group 1).
    private static readonly ulong[] TrapBit = BuildTrapBits();

    private static ulong[] BuildTrapBits()
    {
        var t = new ulong[Enum.GetValues<Gicv3CpuRegister>().Length];
        foreach (var r in Enum.GetValues<Gicv3CpuRegister>())
            t[(int)r] = r switch
            {
                Gicv3CpuRegister.Pmr or Gicv3CpuRegister.Dir or Gicv3CpuRegister.Rpr or Gicv3CpuRegister.Ctlr => HcrTc,
                Gicv3CpuRegister.Iar0 or Gicv3CpuRegister.Eoir0 or Gicv3CpuRegister.Hppir0 or Gicv3CpuRegister.Bpr0
                    or >= Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3 or Gicv3CpuRegister.Igrpen0 => HcrTall0,
                _ => HcrTall1,
            };
        return t;
    }

    /// <inheritdoc/>
    /// <remarks>The traps apply to EL1 accesses to the ICC_* registers as well as to the ICV_* ones, so the
    /// physical installer asks for every Non-secure EL1 access while EL2 is enabled. TDIR traps ICC/ICV_DIR_EL1.</remarks>
    public bool TrapsToEl2(Gicv3CpuRegister register, bool write) =>
        (_hcr & TrapBit[(int)register]) != 0 || (register == Gicv3CpuRegister.Dir && (_hcr & HcrTdir) != 0);

    /// <inheritdoc/>
    /// <remarks>Reads of the write-only ICV_EOIR0/1_EL1 and ICV_DIR_EL1 return 0; the installer makes them UNDEFINED.</remarks>
    public ulong Read(Gicv3CpuRegister register)
    {
        switch (register)
        {
            case Gicv3CpuRegister.Pmr: return (_vmcr >> VpmrShift) & 0xFF;
            case Gicv3CpuRegister.Iar0: return Acknowledge(group1: false);
            case Gicv3CpuRegister.Iar1: return Acknowledge(group1: true);
            case Gicv3CpuRegister.Hppir0: return HighestPending(group1: false);
            case Gicv3CpuRegister.Hppir1: return HighestPending(group1: true);
            case Gicv3CpuRegister.Bpr0: return Vbpr0;
            case Gicv3CpuRegister.Bpr1: return (_vmcr & VmcrVcbpr) != 0 ? Math.Min(Vbpr0 + 1, 7UL) : Vbpr1;
            case >= Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3: return ReadActivePriorities(0, register - Gicv3CpuRegister.Ap0r0);
            case >= Gicv3CpuRegister.Ap1r0 and <= Gicv3CpuRegister.Ap1r3: return ReadActivePriorities(1, register - Gicv3CpuRegister.Ap1r0);
            case Gicv3CpuRegister.Rpr: return (ulong)RunningPriority;
            case Gicv3CpuRegister.Ctlr: return CtlrFixed | ((_vmcr & VmcrVeoim) != 0 ? 2UL : 0) | ((_vmcr & VmcrVcbpr) != 0 ? 1UL : 0);
            case Gicv3CpuRegister.Igrpen0: return _vmcr & VmcrVeng0;
            case Gicv3CpuRegister.Igrpen1: return (_vmcr & VmcrVeng1) >> 1;
            default: return 0;
        }
    }

    /// <inheritdoc/>
    /// <remarks>Writes to the read-only ICV_IAR*, ICV_HPPIR* and ICV_RPR_EL1 are ignored; the installer makes them UNDEFINED.</remarks>
    public void Write(Gicv3CpuRegister register, ulong value)
    {
        switch (register)
        {
            case Gicv3CpuRegister.Pmr: SetVmcrField(VpmrShift, 0xFF, value & PriorityMask); break;
            case Gicv3CpuRegister.Eoir0: EndOfInterrupt((uint)value & 0xFF_FFFF, group1: false); break;
            case Gicv3CpuRegister.Eoir1: EndOfInterrupt((uint)value & 0xFF_FFFF, group1: true); break;
            case Gicv3CpuRegister.Dir: DeactivateInterrupt((uint)value & 0xFF_FFFF); break;
            case Gicv3CpuRegister.Bpr0: SetVmcrField(VbprShift0, 7, Math.Max(value & 7, MinVbpr0)); break;
            // IHI 0069 ICV_BPR1_EL1: with VCBPR set, writes are ignored (reads return VBPR0 + 1).
            case Gicv3CpuRegister.Bpr1: if ((_vmcr & VmcrVcbpr) == 0) SetVmcrField(VbprShift1, 7, Math.Max(value & 7, MinVbpr1)); break;
            case >= Gicv3CpuRegister.Ap0r0 and <= Gicv3CpuRegister.Ap0r3: WriteActivePriorities(0, register - Gicv3CpuRegister.Ap0r0, value); break;
            case >= Gicv3CpuRegister.Ap1r0 and <= Gicv3CpuRegister.Ap1r3: WriteActivePriorities(1, register - Gicv3CpuRegister.Ap1r0, value); break;
            case Gicv3CpuRegister.Ctlr: SetVmcrField(0, VmcrVeoim | VmcrVcbpr, (value & 2) << 8 | (value & 1) << 4); break;
            case Gicv3CpuRegister.Igrpen0: SetVmcrField(0, VmcrVeng0, value & 1); break;
            case Gicv3CpuRegister.Igrpen1: SetVmcrField(0, VmcrVeng1, (value & 1) << 1); break;
        }
    }

    private void SetVmcrField(int shift, ulong mask, ulong value)
    {
        _vmcr = (_vmcr & ~(mask << shift)) | (value & mask) << shift;
        Update();
    }

    private ulong Vbpr0 => (_vmcr >> VbprShift0) & 7;
    private ulong Vbpr1 => (_vmcr >> VbprShift1) & 7;

    private static int State(ulong lr) => (int)(lr >> 62);
    private static int Priority(ulong lr) => (int)(lr >> LrPriorityShift) & 0xFF;
    private static uint VirtualId(ulong lr) => (uint)lr;
    private static bool IsSpecial(uint id) => id is >= 1020 and <= 1023;

    /// <summary>The virtual running priority (ICV_RPR_EL1): from the lowest set active-priority bit, 0xFF when idle.</summary>
    private int RunningPriority
    {
        get
        {
            uint bits = _ap0 | _ap1;
            return bits == 0 ? IdlePriority : BitOperations.TrailingZeroCount(bits) << (MinVbpr0 + 1);
        }
    }

    // VGroupBits / VPriorityGroup: the group priority mask from VBPR0, or VBPR1 - 1 unless VCBPR makes Group 1 use VBPR0.
    private int GroupPriorityMask(bool group1)
    {
        int bpr = group1 && (_vmcr & VmcrVcbpr) == 0 ? (int)Vbpr1 - 1 : (int)Vbpr0;
        return (0xFF << (bpr + 1)) & 0xFF;
    }

    // HighestPriorityVirtualInterrupt: the pending list register entry of an enabled group with the highest priority
    // (the lowest index on a tie), or -1. Priority 0xFF is never signalled.
    private int HighestPriorityVirtualInterrupt()
    {
        if ((_vmcr & (VmcrVeng0 | VmcrVeng1)) == 0) return -1;
        int best = -1, priority = IdlePriority;
        for (int i = 0; i < _lr.Length; i++)
        {
            ulong lr = _lr[i];
            if (State(lr) != 1) continue;
            if ((_vmcr & ((lr & LrGroup1) != 0 ? VmcrVeng1 : VmcrVeng0)) == 0) continue;
            int p = Priority(lr);
            if (p < priority)
            {
                priority = p;
                best = i;
            }
        }
        return best;
    }

    // CanSignalVirtualInterrupt: the interface is enabled, the priority is above VPMR and its group priority is
    // higher than the running priority.
    private bool CanSignal(ulong lr)
    {
        if ((_hcr & HcrEn) == 0) return false;
        int priority = Priority(lr);
        if (priority >= (int)((_vmcr >> VpmrShift) & 0xFF)) return false;
        int running = RunningPriority;
        if (running == IdlePriority) return true;
        int mask = GroupPriorityMask((lr & LrGroup1) != 0);
        return (priority & mask) < (running & mask);
    }

    // VirtualReadIAR0/VirtualReadIAR1: acknowledge the highest priority pending interrupt of the group.
    private uint Acknowledge(bool group1)
    {
        uint id = SpuriousId;
        int i = HighestPriorityVirtualInterrupt();
        if (i >= 0 && ((_lr[i] & LrGroup1) != 0) == group1 && CanSignal(_lr[i]))
        {
            ulong lr = _lr[i];
            id = VirtualId(lr);
            if (IsSpecial(id))
            {
                _lr[i] = lr & ~LrPending; // a special vINTID goes from pending to invalid and is returned as is
            }
            else
            {
                _lr[i] = (lr & ~LrPending) | LrActive;
                int level = (Priority(lr) & GroupPriorityMask(group1)) >> (8 - PreemptionBits);
                if (group1) _ap1 |= 1u << level;
                else _ap0 |= 1u << level;
            }
        }
        Update();
        return id;
    }

    // VirtualReadHPPIR0/1: the highest priority pending interrupt if it belongs to the group, without masking.
    private uint HighestPending(bool group1)
    {
        int i = HighestPriorityVirtualInterrupt();
        return i >= 0 && ((_lr[i] & LrGroup1) != 0) == group1 ? VirtualId(_lr[i]) : SpuriousId;
    }

    // VPriorityDrop: clears the highest active priority (Group 0 first on a tie); returns its priority or -1.
    private int DropPriority()
    {
        uint bits = _ap0 | _ap1;
        if (bits == 0) return -1;
        int level = BitOperations.TrailingZeroCount(bits);
        if ((_ap0 & (1u << level)) != 0) _ap0 &= ~(1u << level);
        else _ap1 &= ~(1u << level);
        return level << (MinVbpr0 + 1);
    }

    // FindActiveVirtualInterrupt.
    private int FindActive(uint id)
    {
        for (int i = 0; i < _lr.Length; i++)
            if ((_lr[i] & LrActive) != 0 && VirtualId(_lr[i]) == id) return i;
        return -1;
    }

    // VirtualWriteEOIR0/VirtualWriteEOIR1: priority drop, then (VEOIM = 0, or a vLPI) deactivation of the matching
    // entry if its group and group priority match what was dropped. Without a matching entry, an EOI that would
    // have deactivated counts in ICH_HCR_EL2.EOIcount (not for LPIs, which have no active state).
    private void EndOfInterrupt(uint id, bool group1)
    {
        if (IsSpecial(id)) return;
        int dropped = DropPriority();
        if (dropped < 0)
        {
            Update(); // CONSTRAINED UNPREDICTABLE with nothing active: the list registers are not checked
            return;
        }
        bool deactivate = (_vmcr & VmcrVeoim) == 0 || id >= FirstLpi;
        int i = FindActive(id);
        if (i < 0)
        {
            if (deactivate && id < FirstLpi) IncrementEoiCount();
        }
        else if (deactivate && ((_lr[i] & LrGroup1) != 0) == group1 && (Priority(_lr[i]) & GroupPriorityMask(group1)) == dropped)
        {
            Deactivate(i);
        }
        Update();
    }

    // VirtualWriteDIR: with VEOIM = 1, deactivates the matching entry or counts in EOIcount.
    private void DeactivateInterrupt(uint id)
    {
        if (id >= 1020 || (_vmcr & VmcrVeoim) == 0) return;
        int i = FindActive(id);
        if (i < 0) IncrementEoiCount();
        else Deactivate(i);
        Update();
    }

    // Active -> invalid, active and pending -> pending; a HW entry also deactivates its physical interrupt.
    private void Deactivate(int i)
    {
        ulong lr = _lr[i];
        _lr[i] = lr & ~LrActive;
        if ((lr & LrHw) != 0)
        {
            int physical = (int)(lr >> LrPintidShift) & 0x1FFF;
            if (physical < 1020) _deactivatePhysical(physical);
        }
    }

    private void IncrementEoiCount()
    {
        ulong count = ((_hcr >> EoiCountShift) + 1) & 0x1F;
        _hcr = (_hcr & ~EoiCountMask) | count << EoiCountShift;
    }

    /// <summary>Recomputes the vIRQ, vFIQ and maintenance outputs.</summary>
    private void Update()
    {
        int i = HighestPriorityVirtualInterrupt();
        bool signal = i >= 0 && CanSignal(_lr[i]);
        bool group1 = i >= 0 && (_lr[i] & LrGroup1) != 0;
        VirtualFiq.Set(signal && !group1);
        VirtualIrq.Set(signal && group1);
        Maintenance.Set((_hcr & HcrEn) != 0 && Misr != 0);
    }
}
