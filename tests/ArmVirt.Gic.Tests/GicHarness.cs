using ArmVirt.Core;
using ArmVirt.Gic;

namespace ArmVirt.Gic.Tests;

/// <summary>Register accessors over a <see cref="Gicv2"/> for the tests.</summary>
internal sealed class GicHarness
{
    // GICD offsets
    public const int CTLR = 0x000, TYPER = 0x004, IIDR = 0x008, IGROUPR = 0x080, ISENABLER = 0x100, ICENABLER = 0x180,
        ISPENDR = 0x200, ICPENDR = 0x280, ISACTIVER = 0x300, ICACTIVER = 0x380, IPRIORITYR = 0x400, ITARGETSR = 0x800,
        ICFGR = 0xC00, SGIR = 0xF00, CPENDSGIR = 0xF10, SPENDSGIR = 0xF20;
    // GICC / GICV offsets
    public const int C_CTLR = 0x00, PMR = 0x04, BPR = 0x08, IAR = 0x0C, EOIR = 0x10, RPR = 0x14, HPPIR = 0x18, ABPR = 0x1C,
        AIAR = 0x20, AEOIR = 0x24, AHPPIR = 0x28, APR = 0xD0, NSAPR = 0xE0, C_IIDR = 0xFC, DIR = 0x1000;
    // GICH offsets
    public const int HCR = 0x00, VTR = 0x04, VMCR = 0x08, MISR = 0x10, EISR0 = 0x20, EISR1 = 0x24, ELRSR0 = 0x30, ELRSR1 = 0x34,
        H_APR = 0xF0, LR = 0x100;

    public GicHarness(int cpus = 2, int interrupts = 288, int listRegisters = 4) => Gic = new Gicv2(cpus, interrupts, listRegisters);

    public Gicv2 Gic { get; }

    private static uint Read(IMmioDevice d, int offset, int size = 4)
    {
        Assert.IsTrue(d.TryRead((ulong)offset, size, out ulong v));
        return (uint)v;
    }

    private static void Write(IMmioDevice d, int offset, uint value, int size = 4) => Assert.IsTrue(d.TryWrite((ulong)offset, size, value));

    public uint D(int offset, int cpu = 0, int size = 4) => Read(Gic.DistributorView(cpu), offset, size);
    public void DW(int offset, uint value, int cpu = 0, int size = 4) => Write(Gic.DistributorView(cpu), offset, value, size);
    public uint C(int offset, int cpu = 0) => Read(Gic.CpuInterface(cpu), offset);
    public void CW(int offset, uint value, int cpu = 0) => Write(Gic.CpuInterface(cpu), offset, value);
    public uint H(int offset, int cpu = 0) => Read(Gic.VirtualControl(cpu), offset);
    public void HW(int offset, uint value, int cpu = 0) => Write(Gic.VirtualControl(cpu), offset, value);
    public uint V(int offset, int cpu = 0) => Read(Gic.VirtualCpuInterface(cpu), offset);
    public void VW(int offset, uint value, int cpu = 0) => Write(Gic.VirtualCpuInterface(cpu), offset, value);

    public bool Irq(int cpu = 0) => Gic.IrqOutput(cpu).IsAsserted;
    public bool Fiq(int cpu = 0) => Gic.FiqOutput(cpu).IsAsserted;
    public bool VIrq(int cpu = 0) => Gic.VirtualIrqOutput(cpu).IsAsserted;
    public bool VFiq(int cpu = 0) => Gic.VirtualFiqOutput(cpu).IsAsserted;

    public bool Bit(int baseOffset, int id, int cpu = 0) => (D(baseOffset + id / 32 * 4, cpu) >> (id % 32) & 1) != 0;

    /// <summary>Enables both groups in the distributor and CPU interface <paramref name="cpu"/> with PMR = 0xFF.</summary>
    public void EnableAll(int cpu = 0)
    {
        DW(CTLR, 3);
        CW(C_CTLR, 0x3 | 0x4, cpu); // EnableGrp0, EnableGrp1, AckCtl
        CW(PMR, 0xFF, cpu);
    }

    /// <summary>Enables interrupt <paramref name="id"/> with <paramref name="priority"/>, targeting <paramref name="targets"/>.</summary>
    public void Setup(int id, int priority, uint targets = 1, int cpu = 0, bool group1 = false, bool edge = false)
    {
        DW(IPRIORITYR + id, (uint)priority, cpu, size: 1);
        if (id >= 32) DW(ITARGETSR + id, targets, cpu, size: 1);
        if (group1) DW(IGROUPR + id / 32 * 4, D(IGROUPR + id / 32 * 4, cpu) | 1u << (id % 32), cpu);
        if (edge && id >= 32)
        {
            int reg = ICFGR + id / 16 * 4;
            DW(reg, D(reg) | 2u << (2 * (id % 16)), cpu);
        }
        DW(ISENABLER + id / 32 * 4, 1u << (id % 32), cpu);
    }

    public static uint Lr(uint vid, int state, int priority, bool group1 = false, bool hw = false, uint physical = 0, bool eoi = false, uint cpuid = 0)
    {
        uint v = vid & 0x3FF | (uint)state << 28 | (uint)(priority >> 3) << 23;
        if (group1) v |= 1u << 30;
        if (hw) v |= 1u << 31 | physical << 10;
        else v |= (eoi ? 1u << 19 : 0) | cpuid << 10;
        return v;
    }
}
