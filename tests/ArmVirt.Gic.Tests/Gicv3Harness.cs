using ArmVirt.Core;
using ArmVirt.Gic;

namespace ArmVirt.Gic.Tests;

/// <summary>Register accessors over a <see cref="Gicv3"/> for the tests: GICD, GICR (RD_base + SGI_base) and ICC_*.</summary>
internal sealed class Gicv3Harness
{
    // GICD offsets (IHI 0069 12.9)
    public const int CTLR = 0x0000, TYPER = 0x0004, IIDR = 0x0008, STATUSR = 0x0010, IGROUPR = 0x0080, ISENABLER = 0x0100,
        ICENABLER = 0x0180, ISPENDR = 0x0200, ICPENDR = 0x0280, ISACTIVER = 0x0300, ICACTIVER = 0x0380, IPRIORITYR = 0x0400,
        ITARGETSR = 0x0800, ICFGR = 0x0C00, IGRPMODR = 0x0D00, NSACR = 0x0E00, SGIR = 0x0F00, CPENDSGIR = 0x0F10,
        SPENDSGIR = 0x0F20, IROUTER = 0x6000, PIDR2 = 0xFFE8;
    // GICR RD_base offsets (IHI 0069 12.11)
    public const int R_CTLR = 0x0000, R_IIDR = 0x0004, R_TYPER = 0x0008, R_STATUSR = 0x0010, R_WAKER = 0x0014,
        R_PROPBASER = 0x0070, R_PENDBASER = 0x0078;
    // GICR SGI_base offsets (from the redistributor's base)
    public const int SGI = 0x1_0000;
    public const int R_IGROUPR0 = SGI + 0x080, R_ISENABLER0 = SGI + 0x100, R_ICENABLER0 = SGI + 0x180, R_ISPENDR0 = SGI + 0x200,
        R_ICPENDR0 = SGI + 0x280, R_ISACTIVER0 = SGI + 0x300, R_ICACTIVER0 = SGI + 0x380, R_IPRIORITYR = SGI + 0x400,
        R_ICFGR0 = SGI + 0xC00, R_ICFGR1 = SGI + 0xC04, R_IGRPMODR0 = SGI + 0xD00, R_NSACR = SGI + 0xE00;

    public Gicv3Harness(int cpus = 2, int interrupts = 288) => Gic = new Gicv3(cpus, interrupts);

    public Gicv3 Gic { get; }

    public static ulong Read(IMmioDevice d, int offset, int size = 4)
    {
        Assert.IsTrue(d.TryRead((ulong)offset, size, out ulong v));
        return v;
    }

    public static void Write(IMmioDevice d, int offset, ulong value, int size = 4) => Assert.IsTrue(d.TryWrite((ulong)offset, size, value));

    public uint D(int offset, int size = 4) => (uint)Read(Gic.Distributor, offset, size);
    public void DW(int offset, ulong value, int size = 4) => Write(Gic.Distributor, offset, value, size);
    public ulong R(int offset, int cpu = 0, int size = 4) => Read(Gic.Redistributor(cpu), offset, size);
    public void RW(int offset, ulong value, int cpu = 0, int size = 4) => Write(Gic.Redistributor(cpu), offset, value, size);

    public ulong Icc(Gicv3CpuRegister r, int cpu = 0) => Gic.CpuInterface(cpu).Read(r);
    public void IccW(Gicv3CpuRegister r, ulong value, int cpu = 0) => Gic.CpuInterface(cpu).Write(r, value);

    public bool Irq(int cpu = 0) => Gic.IrqOutput(cpu).IsAsserted;
    public bool Fiq(int cpu = 0) => Gic.FiqOutput(cpu).IsAsserted;

    /// <summary>Enables both groups in the distributor and in CPU interface <paramref name="cpu"/>, PMR = 0xFF, and wakes the redistributor.</summary>
    public void EnableAll(int cpu = 0)
    {
        DW(CTLR, 3);
        RW(R_WAKER, 0, cpu);
        IccW(Gicv3CpuRegister.Igrpen0, 1, cpu);
        IccW(Gicv3CpuRegister.Igrpen1, 1, cpu);
        IccW(Gicv3CpuRegister.Pmr, 0xFF, cpu);
    }

    /// <summary>Configures and enables SPI/PPI/SGI <paramref name="id"/> (SPIs routed to <paramref name="cpu"/>).</summary>
    public void Setup(int id, int priority, int cpu = 0, bool group1 = true, bool edge = false)
    {
        if (id < 32)
        {
            RW(R_IPRIORITYR + id, (uint)priority, cpu, size: 1);
            ulong groups = R(R_IGROUPR0, cpu);
            RW(R_IGROUPR0, group1 ? groups | 1UL << id : groups & ~(1UL << id), cpu);
            if (id >= 16 && edge) RW(R_ICFGR1, R(R_ICFGR1, cpu) | 2UL << (2 * (id - 16)), cpu);
            RW(R_ISENABLER0, 1UL << id, cpu);
            return;
        }
        DW(IPRIORITYR + id, (uint)priority, size: 1);
        DW(IROUTER + 8 * id, Gicv3.Affinity(cpu), size: 8);
        uint g = D(IGROUPR + id / 32 * 4);
        DW(IGROUPR + id / 32 * 4, group1 ? g | 1u << (id % 32) : g & ~(1u << (id % 32)));
        if (edge) DW(ICFGR + id / 16 * 4, D(ICFGR + id / 16 * 4) | 2u << (2 * (id % 16)));
        DW(ISENABLER + id / 32 * 4, 1u << (id % 32));
    }
}
