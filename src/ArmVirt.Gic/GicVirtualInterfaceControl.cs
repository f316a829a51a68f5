using System.Numerics;
using ArmVirt.Core;

namespace ArmVirt.Gic;

/// <summary>
/// One CPU's GICv2 virtual interface control registers (GICH, IHI 0048B chapter 5.3), used by the hypervisor:
/// GICH_HCR, GICH_VTR, GICH_VMCR, GICH_MISR, GICH_EISRn, GICH_ELRSRn, GICH_APR and the list registers.
/// It drives the CPU's maintenance interrupt (PPI 9, INTID 25) exactly as GICH_MISR reads while
/// GICH_HCR.En is set, and, through the matching <see cref="GicVirtualCpuInterface"/>, the vIRQ and vFIQ lines.
/// </summary>
internal sealed class GicVirtualInterfaceControl : RegisterMappedDevice
{
    // GICH_HCR (IHI 0048B 5.3.2).
    internal const uint HcrEn = 1 << 0, HcrUie = 1 << 1, HcrLrenpie = 1 << 2, HcrNpie = 1 << 3;
    internal const uint HcrVGrp0Eie = 1 << 4, HcrVGrp0Die = 1 << 5, HcrVGrp1Eie = 1 << 6, HcrVGrp1Die = 1 << 7;
    private const int EoiCountShift = 27;
    private const uint HcrMask = 0xF80000FF;

    // GICH_VMCR (IHI 0048B 5.3.4): VMPriMask [31:27], VMBP [23:21], VMABP [20:18], VEM [9], VMCBPR [4],
    // VMFIQEn [3], VMAckCtl [2], VMGrp1En [1], VMGrp0En [0].
    private const uint VmcrMask = 0xF8FC021F;
    /// <summary>GICH_VMCR reset: VMBP = 2 and VMABP = 3, the minimum binary points for 5 priority bits.</summary>
    internal const uint VmcrReset = 2u << 21 | 3u << 18;

    // GICH_MISR (IHI 0048B 5.3.5).
    internal const uint MisrEoi = 1 << 0, MisrU = 1 << 1, MisrLrenp = 1 << 2, MisrNp = 1 << 3;
    internal const uint MisrVGrp0E = 1 << 4, MisrVGrp0D = 1 << 5, MisrVGrp1E = 1 << 6, MisrVGrp1D = 1 << 7;

    // GICH_LR<n> (IHI 0048B 5.3.8): HW [31], Grp1 [30], State [29:28], Priority [27:23],
    // PhysicalID [19:10] (HW = 1) or EOI [19] and CPUID [12:10] (HW = 0), VirtualID [9:0].
    internal const uint LrHw = 1u << 31, LrGrp1 = 1u << 30, LrEoi = 1u << 19;
    internal const uint LrPending = 1u << 28, LrActive = 1u << 29;
    private const uint LrMask = 0xFF8FFFFF;

    /// <summary>Virtual priority bits (GICH_VTR.PRIbits + 1) and preemption bits (PREbits + 1), as the GIC-400.</summary>
    internal const int PriorityBits = 5, PreemptionBits = 5;

    private readonly Gicv2 _gic;
    private readonly InterruptLine _maintenance;
    internal readonly uint[] Lr;
    internal uint Hcr, Vmcr = VmcrReset, Apr;

    internal GicVirtualInterfaceControl(Gicv2 gic, int cpu, int listRegisters, InterruptLine maintenance)
        : base($"GICH{cpu}")
    {
        _gic = gic;
        CpuNumber = cpu;
        _maintenance = maintenance;
        Lr = new uint[listRegisters];
        var r = Registers;
        uint vtr = (uint)(PriorityBits - 1) << 29 | (uint)(PreemptionBits - 1) << 26 | (uint)(listRegisters - 1);
        r.Define("GICH_HCR", 0x00, reset: 0, read: () => Hcr, write: v => { Hcr = (uint)v & HcrMask; Update(); });
        r.Define("GICH_VTR", 0x04, reset: vtr, writeMask: 0);
        r.Define("GICH_VMCR", 0x08, reset: VmcrReset, read: () => Vmcr, write: v => { WriteVmcr((uint)v); Update(); });
        r.Define("GICH_MISR", 0x10, reset: 0, read: () => Misr, write: _ => { });
        r.Define("GICH_EISR0", 0x20, reset: 0, read: () => (uint)Eisr, write: _ => { });
        r.Define("GICH_EISR1", 0x24, reset: 0, read: () => (uint)(Eisr >> 32), write: _ => { });
        ulong elrsr = listRegisters == 64 ? ulong.MaxValue : (1UL << listRegisters) - 1;
        r.Define("GICH_ELRSR0", 0x30, reset: (uint)elrsr, read: () => (uint)Elrsr, write: _ => { });
        r.Define("GICH_ELRSR1", 0x34, reset: (uint)(elrsr >> 32), read: () => (uint)(Elrsr >> 32), write: _ => { });
        r.Define("GICH_APR", 0xF0, reset: 0, read: () => Apr, write: v => { Apr = (uint)v; Update(); });
        for (int n = 0; n < listRegisters; n++)
        {
            int i = n;
            r.Define($"GICH_LR{n}", 0x100 + (ulong)(4 * n), reset: 0, read: () => Lr[i], write: v => { Lr[i] = (uint)v & LrMask; Update(); });
        }
    }

    /// <summary>The CPU this interface belongs to.</summary>
    public int CpuNumber { get; }

    /// <summary>Number of implemented list registers.</summary>
    public int ListRegisterCount => Lr.Length;

    internal GicVirtualCpuInterface VirtualCpuInterface { get; set; } = null!;

    // IHI 0048B 5.3.4: binary points below the minimum read as the minimum.
    internal void WriteVmcr(uint value)
    {
        value &= VmcrMask;
        uint vmbp = Math.Max((value >> 21) & 7, 2u);
        uint vmabp = Math.Max((value >> 18) & 7, 3u);
        Vmcr = (value & ~(7u << 21 | 7u << 18)) | vmbp << 21 | vmabp << 18;
    }

    internal static uint State(uint lr) => (lr >> 28) & 3;

    // A list register whose interrupt was deactivated with EOI = 1 and HW = 0 and that asks for a maintenance interrupt.
    private static bool IsEoi(uint lr) => State(lr) == 0 && (lr & LrHw) == 0 && (lr & LrEoi) != 0;

    /// <summary>GICH_EISR1:GICH_EISR0: list registers holding an EOI maintenance request.</summary>
    internal ulong Eisr
    {
        get
        {
            ulong v = 0;
            for (int i = 0; i < Lr.Length; i++)
                if (IsEoi(Lr[i])) v |= 1UL << i;
            return v;
        }
    }

    /// <summary>GICH_ELRSR1:GICH_ELRSR0: list registers that hold no interrupt and no EOI request.</summary>
    internal ulong Elrsr
    {
        get
        {
            ulong v = 0;
            for (int i = 0; i < Lr.Length; i++)
                if (State(Lr[i]) == 0 && !IsEoi(Lr[i])) v |= 1UL << i;
            return v;
        }
    }

    internal int EoiCount => (int)(Hcr >> EoiCountShift);

    internal void IncrementEoiCount() =>
        Hcr = (Hcr & ~(0x1Fu << EoiCountShift)) | (uint)((EoiCount + 1) & 0x1F) << EoiCountShift;

    /// <summary>GICH_MISR, computed from the list registers, GICH_HCR and GICH_VMCR.</summary>
    internal uint Misr
    {
        get
        {
            int valid = 0, pending = 0;
            foreach (uint lr in Lr)
            {
                if (State(lr) != 0) valid++;
                if ((lr & LrPending) != 0) pending++;
            }
            uint misr = 0;
            if (Eisr != 0) misr |= MisrEoi;
            if ((Hcr & HcrUie) != 0 && valid <= 1) misr |= MisrU;
            if ((Hcr & HcrLrenpie) != 0 && EoiCount != 0) misr |= MisrLrenp;
            if ((Hcr & HcrNpie) != 0 && pending == 0) misr |= MisrNp;
            bool grp0 = (Vmcr & 1) != 0, grp1 = (Vmcr & 2) != 0;
            if ((Hcr & HcrVGrp0Eie) != 0 && grp0) misr |= MisrVGrp0E;
            if ((Hcr & HcrVGrp0Die) != 0 && !grp0) misr |= MisrVGrp0D;
            if ((Hcr & HcrVGrp1Eie) != 0 && grp1) misr |= MisrVGrp1E;
            if ((Hcr & HcrVGrp1Die) != 0 && !grp1) misr |= MisrVGrp1D;
            return misr;
        }
    }

    /// <summary>Recomputes the maintenance interrupt and the virtual IRQ/FIQ outputs.</summary>
    internal void Update()
    {
        _maintenance.Set((Hcr & HcrEn) != 0 && Misr != 0);
        VirtualCpuInterface.UpdateOutputs();
    }

    internal void SaveState(SnapshotWriter w)
    {
        Registers.SaveState(w);
        w.Write(Lr);
        w.Write(Hcr);
        w.Write(Vmcr);
        w.Write(Apr);
    }

    internal void RestoreState(SnapshotReader r)
    {
        Registers.RestoreState(r);
        r.Read(Lr, "GICH_LR");
        Hcr = r.ReadUInt32();
        Vmcr = r.ReadUInt32();
        Apr = r.ReadUInt32();
    }

    internal void ResetState()
    {
        Hcr = 0;
        Vmcr = VmcrReset;
        Apr = 0;
        Array.Clear(Lr);
    }

    internal static int LowestSetBit(uint v) => v == 0 ? -1 : BitOperations.TrailingZeroCount(v);
}
