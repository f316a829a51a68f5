using static ArmVirt.Gic.Tests.GicHarness;

namespace ArmVirt.Gic.Tests;

[TestClass]
public sealed class LinuxStyleBringUpTests
{
    // The register sequence of Linux's irq-gic.c (gic_dist_init, gic_cpu_init, gic_cpu_if_up with split EOI
    // when booted at EL2), followed by a timer PPI and an IPI.
    [TestMethod]
    public void TimerPpiAndIpiWithSplitEoi()
    {
        var h = new GicHarness(cpus: 2, interrupts: 288);
        h.DW(CTLR, 0);
        int lines = (int)((h.D(TYPER) & 0x1F) + 1) * 32;
        Assert.AreEqual(288, lines);
        uint cpumask = 0;
        for (int i = 0; i < 32; i += 4) cpumask |= h.D(ITARGETSR + i);
        Assert.AreEqual(0x01010101u, cpumask);
        for (int i = 32; i < lines; i += 16) h.DW(ICFGR + i / 4, 0);
        for (int i = 32; i < lines; i += 4) h.DW(ITARGETSR + i, 0x01010101);
        for (int i = 32; i < lines; i += 4) h.DW(IPRIORITYR + i, 0xA0A0A0A0);
        for (int i = 32; i < lines; i += 32) { h.DW(ICACTIVER + i / 8, 0xFFFFFFFF); h.DW(ICENABLER + i / 8, 0xFFFFFFFF); }
        h.DW(CTLR, 1);
        for (int c = 0; c < 2; c++)
        {
            h.DW(ICACTIVER, 0xFFFFFFFF, cpu: c);
            h.DW(ICENABLER, 0xFFFF0000, cpu: c);
            for (int i = 0; i < 32; i += 4) h.DW(IPRIORITYR + i, 0xA0A0A0A0, cpu: c);
            h.CW(PMR, 0xF0, c);
            uint bypass = h.C(C_CTLR, c) & 0x1E0;
            h.CW(C_CTLR, bypass | 1u << 9 | 1, c);
        }
        // Timer PPI 14 (INTID 30) on CPU 1.
        h.DW(ISENABLER, 1u << 30, cpu: 1);
        h.Gic.Ppi(1, 14).Set(true);
        Assert.IsTrue(h.Irq(1));
        Assert.IsFalse(h.Irq(0));
        uint iar = h.C(IAR, 1);
        Assert.AreEqual(30u, iar);
        h.CW(EOIR, iar, 1);
        h.Gic.Ppi(1, 14).Set(false); // the handler reprograms the timer
        h.CW(DIR, iar, 1);
        Assert.AreEqual(1023u, h.C(IAR, 1));
        // IPI 1 from CPU 1 to CPU 0.
        h.DW(SGIR, 0x01u << 16 | 1, cpu: 1);
        Assert.IsTrue(h.Irq(0));
        iar = h.C(IAR, 0);
        Assert.AreEqual(1u | 1u << 10, iar);
        h.CW(EOIR, iar, 0);
        h.CW(DIR, iar, 0);
        Assert.IsFalse(h.Irq(0));
        Assert.AreEqual(0u, h.D(ISACTIVER, cpu: 0));
        Assert.AreEqual(1023u, h.C(IAR, 0));
    }
}
