using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu.Tests;

/// <summary>The JIT with stage 1 translation on: blocks follow the PC's mapping, including a remap by the guest.</summary>
[TestClass]
public sealed class LockstepTranslationTests
{
    private const ulong Ram = LockstepPair.RamBase;
    private const ulong L1 = Ram + 0x1_0000, L2 = Ram + 0x1_1000, L3 = Ram + 0x1_2000;
    private const ulong PageAttrs = (1UL << 10) | (3UL << 8) | 0b11; // AF, inner shareable, page, AttrIndx 0
    private const ulong AliasVa = Ram + 0x4_0000;                    // page 64: mapped to CodeA, later to CodeB
    private const ulong CodeA = Ram + 0x3000, CodeB = Ram + 0x5000;

    // loop: add x0, x0, #imm; subs x1, x1, #1; b.ne loop; cbnz x9, done; mov x9, #1; str x10, [x11] (new L3
    // descriptor for the alias page); dsb ish; tlbi vmalle1; dsb ish; isb; mov x1, #10; b loop; done: b .
    private static uint[] Program(uint addImm) =>
    [
        0x91000000 | (addImm << 10), 0xf1000421, 0x54ffffc1, 0xb5000129, 0xd2800029, 0xf900016a, 0xd5033b9f,
        0xd508871f, 0xd5033b9f, 0xd5033fdf, 0xd2800141, 0x17fffff5, 0x14000000,
    ];

    private static void Store64(LockstepPair pair, ulong pa, ulong value) => pair.Load(pa, (uint)value, (uint)(value >> 32));

    [TestMethod]
    [DataRow(0L)]
    [DataRow(long.MaxValue)]
    public void GuestRemapOfTheCodePageIsFollowed(long optimizeThreshold)
    {
        using var pair = new LockstepPair(0, optimizeThreshold: optimizeThreshold);
        // Stage 1 for EL1&0: 39-bit VA, 4K granule, identity map of the first 1 MiB of RAM, page 64 aliased to CodeA.
        Store64(pair, L1 + 8, L2 | 0b11);
        Store64(pair, L2, L3 | 0b11);
        for (ulong i = 0; i < 256; i++) Store64(pair, L3 + i * 8, (Ram + i * 0x1000) | PageAttrs);
        Store64(pair, L3 + 64 * 8, CodeA | PageAttrs);
        pair.Load(CodeA, Program(1));
        pair.Load(CodeB, Program(3));
        pair.Setup(cpu =>
        {
            var s = cpu.Sys;
            s.Mair[1] = 0xFF;            // Attr0 = Normal write-back
            s.Tcr[1] = 25 | (1UL << 23); // T0SZ = 25, EPD1
            s.Ttbr0[1] = L1;
            s.Vbar[1] = Ram + 0x800;
            s.Sctlr[1] |= 1;             // M
            cpu.State.PC = AliasVa;
            cpu.SetX(1, 10);
            cpu.SetX(10, CodeB | PageAttrs);
            cpu.SetX(11, L3 + 64 * 8);
        });
        Assert.IsTrue(pair.Jit.Cpu.TranslationEnabled);
        pair.RunLockstep(200);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(10UL * 1 + 10UL * 3, cpu.X(0), "the second pass ran the code now mapped at the alias");
        Assert.AreEqual(AliasVa + 12 * 4, cpu.State.PC);
        var t = cpu.Translations!;
        if (optimizeThreshold != 0)
        {
            Assert.AreEqual(CodeB, t.Lookup(AliasVa, 1)!.PhysicalAddress, "the block was re-formed from the new mapping");
            Assert.IsTrue(pair.BlocksCompared >= 18);
        }
        else
        {
            // The region entered at the alias (formed from CodeA) ends at the TLBI; after the ISB the loop is reached
            // through the region of "mov x1, #10; b loop", which must have been formed from the new mapping (the old
            // region's loop would add 1). The loop then stays in that region: its entry block is not re-entered.
            var after = t.Lookup(AliasVa + 10 * 4, 1)!;
            Assert.AreEqual(CodeB + 10 * 4, after.PhysicalAddress, "the region after the remap was formed from the new mapping");
            Assert.AreEqual(JitTier.Optimized, after.Tier);
            Assert.IsTrue(pair.BlocksCompared >= 3, $"{pair.BlocksCompared} regions compared");
        }
    }

    // The alias page holds add x0, x0, #imm; ret. The bl block's direct link to the alias block must be refused once
    // the alias page maps elsewhere, even with the new mapping in the TLB.
    private const ulong Main = Ram + 0x2000, LinkCodeA = Ram + 0x6000, LinkCodeB = Ram + 0x7000;

    [TestMethod]
    [DataRow(0L)]
    [DataRow(long.MaxValue)]
    public void BlockLinkToARemappedPageIsRefused(long optimizeThreshold)
    {
        using var pair = new LockstepPair(0, optimizeThreshold: optimizeThreshold);
        Store64(pair, L1 + 8, L2 | 0b11);
        Store64(pair, L2, L3 | 0b11);
        for (ulong i = 0; i < 256; i++) Store64(pair, L3 + i * 8, (Ram + i * 0x1000) | PageAttrs);
        Store64(pair, L3 + 64 * 8, LinkCodeA | PageAttrs);
        // loop: bl AliasVa; subs x1, x1, #1; b.ne loop; cbnz x9, done; mov x9, #1; str x10, [x11]; dsb ish;
        // tlbi vmalle1; dsb ish; isb; ldr x12, [x13] (refills the TLB with the new mapping of the alias page);
        // mov x1, #10; b loop; done: b .
        pair.Load(Main, 0x94000000 | (uint)((AliasVa - Main) / 4), 0xf1000421, 0x54ffffc1, 0xb5000149, 0xd2800029,
            0xf900016a, 0xd5033b9f, 0xd508871f, 0xd5033b9f, 0xd5033fdf, 0xf94001ac, 0xd2800141, 0x17fffff4, 0x14000000);
        pair.Load(LinkCodeA, 0x91000400, 0xd65f03c0); // add x0, x0, #1; ret
        pair.Load(LinkCodeB, 0x91000c00, 0xd65f03c0); // add x0, x0, #3; ret
        pair.Setup(cpu =>
        {
            var s = cpu.Sys;
            s.Mair[1] = 0xFF;
            s.Tcr[1] = 25 | (1UL << 23);
            s.Ttbr0[1] = L1;
            s.Vbar[1] = Ram + 0x800;
            s.Sctlr[1] |= 1;
            cpu.State.PC = Main;
            cpu.SetX(1, 10);
            cpu.SetX(10, LinkCodeB | PageAttrs);
            cpu.SetX(11, L3 + 64 * 8);
            cpu.SetX(13, AliasVa);
        });
        pair.RunLockstep(300);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(10UL * 1 + 10UL * 3, cpu.X(0), "after the remap the linked call ran the code now mapped at the alias");
        Assert.AreEqual(Main + 13 * 4, cpu.State.PC);
        Assert.AreEqual(0x91000c00UL | (0xd65f03c0UL << 32), cpu.X(12), "the load saw the new mapping");
        var t = cpu.Translations!;
        var alias = t.Lookup(AliasVa, 1)!;
        Assert.AreEqual(LinkCodeB, alias.PhysicalAddress);
        var caller = t.Lookup(Main, 1)!;
        if (optimizeThreshold != 0)
        {
            // Baseline: the bl block is entered every pass, and its direct link goes to the re-formed block.
            Assert.AreSame(alias, caller.LinkTaken, "the block running the bl links to the re-formed block");
            Assert.AreSame(t.Lookup(Main + 4, 1), alias.LinkTaken, "ret links back");
        }
        else
        {
            // Optimized: the region entered at Main holds the loop and calls out at its bl (the alias page is another
            // page), linked to the old block. After the TLBI the loop runs in the region entered at "ldr x12, [x13]",
            // whose call-out must have refused that block (the TLB maps the alias elsewhere) for the re-formed one.
            var before = (RegionFallbacks)((object[])caller.Code!.Target!)[0];
            Assert.AreEqual(LinkCodeA, before.CallOutLinks.Single(l => l != null)!.PhysicalAddress, "the bl calls out, to the old block");
            var after = (RegionFallbacks)((object[])t.Lookup(Main + 10 * 4, 1)!.Code!.Target!)[0];
            Assert.AreSame(alias, after.CallOutLinks.Single(l => l != null), "the call-out links to the re-formed block (in the way of the stale link to the same PC)");
        }
    }
}
