using System.Runtime.CompilerServices;
using ArmVirt.Mmu;

namespace ArmVirt.Mmu.Tests;

[TestClass]
internal sealed class TlbTests
{
    private static TranslationResult Page(ulong va, ulong pa, bool global = true, int s1Shift = 12, int s2Shift = 0, ulong ipa = ulong.MaxValue)
        => new(va, ipa == ulong.MaxValue ? pa : ipa, pa, new MemoryAttributes(0xFF, Shareability.Inner), TlbPermissions.All,
            s1Shift, s2Shift, global, true);

    private static ulong Ctx(ushort vmid, ushort asid, TranslationRegime regime = TranslationRegime.EL10, bool s2 = true)
        => Tlb.MakeContext(regime, vmid, asid, true, s2);

    private static bool Hit(Tlb tlb, ulong va, ulong ctx) => !Unsafe.IsNullRef(in tlb.Lookup(va, ctx));

    [TestMethod]
    public void InsertLookupAndHostOffset()
    {
        var tlb = new Tlb(new TestMemory(), 256);
        ulong ctx = Ctx(1, 5);
        Assert.IsFalse(Hit(tlb, 0x1234, ctx));
        tlb.Insert(0x1234, ctx, Page(0x1234, 0x4000_5234));
        ref readonly var e = ref tlb.Lookup(0x1FFF, ctx);
        Assert.IsFalse(Unsafe.IsNullRef(in e));
        Assert.AreEqual(0x4000_5000UL, e.PaPage);
        Assert.IsTrue(e.IsRam);
        Assert.AreEqual(TestMemory.FakeHostBase + 0x5ABC, (long)0x1ABC + e.HostOffset);
        Assert.AreEqual(0x4000_5FFFUL, e.ToResult(0x1FFF).PhysicalAddress);
        Assert.IsFalse(Hit(tlb, 0x2000, ctx));
        // Same index, other page: a miss, and inserting evicts.
        Assert.IsFalse(Hit(tlb, 0x1000 + 256 * 0x1000, ctx));
        tlb.Insert(0x1000 + 256 * 0x1000, ctx, Page(0x1000 + 256 * 0x1000, 0x0900_0000));
        Assert.IsFalse(Hit(tlb, 0x1000, ctx));
        ref readonly var mmio = ref tlb.Lookup(0x1000 + 256 * 0x1000, ctx);
        Assert.IsFalse(mmio.IsRam);
        Assert.AreEqual(1, tlb.Count);
    }

    [TestMethod]
    public void AsidVmidRegimeAndStageEnablesTagEntries()
    {
        var tlb = new Tlb(null, 256);
        tlb.Insert(0x1000, Ctx(1, 5), Page(0x1000, 0x4000_0000, global: false));
        tlb.Insert(0x2000, Ctx(1, 5), Page(0x2000, 0x4000_1000, global: true));
        Assert.IsTrue(Hit(tlb, 0x1000, Ctx(1, 5)));
        Assert.IsFalse(Hit(tlb, 0x1000, Ctx(1, 6)), "non-global entries match their ASID only");
        Assert.IsTrue(Hit(tlb, 0x2000, Ctx(1, 6)), "global entries match any ASID");
        Assert.IsFalse(Hit(tlb, 0x2000, Ctx(2, 5)), "VMID always matches");
        Assert.IsFalse(Hit(tlb, 0x2000, Ctx(1, 5, TranslationRegime.EL2)), "regime always matches");
        Assert.IsFalse(Hit(tlb, 0x2000, Ctx(1, 5, s2: false)), "stage enables are part of the tag");
        Assert.IsFalse(Hit(tlb, 0xFF00_0000_0000_2000, Ctx(1, 5)), "the top byte is part of the tag");
    }

    private static Tlb Filled(out ulong[] vas)
    {
        var tlb = new Tlb(null, 1024);
        vas = new ulong[8];
        // [0] vmid1 asid5 nG, [1] vmid1 asid6 nG, [2] vmid1 global, [3] vmid2 asid5 nG, [4] EL2, [5] EL3,
        // [6] vmid1 asid5 nG with stage 2 block 2 MiB at IPA 0x4020_0000, [7] vmid1 asid5 nG in a 2 MiB stage 1 block.
        vas[0] = 0x1000; tlb.Insert(vas[0], Ctx(1, 5), Page(vas[0], 0x4000_0000, global: false));
        vas[1] = 0x2000; tlb.Insert(vas[1], Ctx(1, 6), Page(vas[1], 0x4000_1000, global: false));
        vas[2] = 0x3000; tlb.Insert(vas[2], Ctx(1, 5), Page(vas[2], 0x4000_2000, global: true));
        vas[3] = 0x1000 + 0x10_0000; tlb.Insert(vas[3], Ctx(2, 5), Page(vas[3], 0x4000_3000, global: false));
        vas[4] = 0x5000; tlb.Insert(vas[4], Tlb.MakeContext(TranslationRegime.EL2, 0, 0, true, false), Page(vas[4], 0x5000));
        vas[5] = 0x6000; tlb.Insert(vas[5], Tlb.MakeContext(TranslationRegime.EL3, 0, 0, true, false), Page(vas[5], 0x6000));
        vas[6] = 0x7000; tlb.Insert(vas[6], Ctx(1, 5), Page(vas[6], 0x9000_7000, global: false, s2Shift: 21, ipa: 0x4023_7000));
        vas[7] = 0xFFFF_0000_0024_8000; tlb.Insert(vas[7], Ctx(1, 5), Page(vas[7], 0x4024_8000, global: false, s1Shift: 21));
        Assert.AreEqual(8, tlb.Count);
        return tlb;
    }

    private static string Remaining(Tlb tlb, ulong[] vas)
    {
        var ctxs = new[] { Ctx(1, 5), Ctx(1, 6), Ctx(1, 5), Ctx(2, 5), Tlb.MakeContext(TranslationRegime.EL2, 0, 0, true, false),
            Tlb.MakeContext(TranslationRegime.EL3, 0, 0, true, false), Ctx(1, 5), Ctx(1, 5) };
        var s = "";
        for (int i = 0; i < vas.Length; i++) if (Hit(tlb, vas[i], ctxs[i])) s += i;
        return s;
    }

    [TestMethod]
    [DataRow(TlbiOperation.Vmalle1, 0UL, "345")]
    [DataRow(TlbiOperation.Vmalls12e1, 0UL, "345")]
    [DataRow(TlbiOperation.Alle1, 0UL, "45")]
    [DataRow(TlbiOperation.Aside1, 5UL << 48, "12345")]
    [DataRow(TlbiOperation.Aside1, 6UL << 48, "0234567")]
    [DataRow(TlbiOperation.Vae1, (5UL << 48) | 0x1, "1234567")]
    [DataRow(TlbiOperation.Vale1, (6UL << 48) | 0x1, "01234567")]       // ASID 6 does not own VA 0x1000
    [DataRow(TlbiOperation.Vae1, (6UL << 48) | 0x3, "0134567")]         // global entry goes for any ASID
    [DataRow(TlbiOperation.Vaae1, 0x2UL, "0234567")]
    [DataRow(TlbiOperation.Vaale1, 0x1UL, "1234567")]
    [DataRow(TlbiOperation.Vae1, (5UL << 48) | 0xFF_0000_0020_0UL, "0123456")] // any VA inside the 2 MiB stage 1 block
    [DataRow(TlbiOperation.Ipas2e1, 0x4020_0UL, "0123457")]             // IPA inside the 2 MiB stage 2 block
    [DataRow(TlbiOperation.Ipas2le1, 0x4040_0UL, "01234567")]
    [DataRow(TlbiOperation.Alle2, 0UL, "0123567")]
    [DataRow(TlbiOperation.Vae2, 0x5UL, "0123567")]
    [DataRow(TlbiOperation.Vale2, 0x6UL, "01234567")]
    [DataRow(TlbiOperation.Alle3, 0UL, "0123467")]
    [DataRow(TlbiOperation.Vae3, 0x6UL, "0123467")]
    [DataRow(TlbiOperation.Vale3, 0x5UL, "01234567")]
    public void EveryTlbiKind(TlbiOperation op, ulong xt, string remaining)
    {
        var tlb = Filled(out var vas);
        long gen = tlb.Generation;
        tlb.Invalidate(op, xt, currentVmid: 1);
        Assert.AreEqual(remaining, Remaining(tlb, vas), op.ToString());
        Assert.IsTrue(tlb.Generation > gen);
    }

    [TestMethod]
    public void InvalidateAllEmpties()
    {
        var tlb = Filled(out var vas);
        tlb.InvalidateAll();
        Assert.AreEqual("", Remaining(tlb, vas));
        Assert.AreEqual(0, tlb.Count);
    }

    [TestMethod]
    public void VaInvalidationOfA64KPageDropsEveryCachedSubpage()
    {
        var tlb = new Tlb(null, 1024);
        for (ulong i = 0; i < 16; i++)
            tlb.Insert(0x10000 + i * 0x1000, Ctx(1, 5), Page(0x10000 + i * 0x1000, 0x4000_0000 + i * 0x1000, s1Shift: 16));
        Assert.AreEqual(16, tlb.Count);
        tlb.Invalidate(TlbiOperation.Vae1, (5UL << 48) | 0x10, 1);
        Assert.AreEqual(0, tlb.Count);
    }

    [TestMethod]
    [DataRow(21, DisplayName = "2 MiB blocks: the slots of the block's pages")]
    [DataRow(30, DisplayName = "1 GiB blocks: more pages than slots, the whole table")]
    public void VaInvalidationInsideABlockDropsEveryPageOfItAndNothingElse(int shift)
    {
        var tlb = new Tlb(null, 1024);
        ulong block = 0x8000_0000UL, size = 1UL << shift;
        ulong[] pages = [block, block + 0x1000, block + size / 2, block + size - 0x1000];
        foreach (ulong va in pages)
            tlb.Insert(va, Ctx(1, 5), Page(va, 0x4000_0000 + (va - block), global: false, s1Shift: shift));
        ulong outside = block + size + 0x3000, small = 0x7000;
        tlb.Insert(outside, Ctx(1, 5), Page(outside, 0x5000_0000, global: false, s1Shift: shift));
        tlb.Insert(small, Ctx(1, 5), Page(small, 0x6000_0000, global: false));
        ulong inside = block + size / 4 + 0x5000; // a page of the block no slot holds
        tlb.Invalidate(TlbiOperation.Vae1, (5UL << 48) | (inside >> 12), 1);
        foreach (ulong va in pages) Assert.IsFalse(Hit(tlb, va, Ctx(1, 5)), $"0x{va:x} is in the invalidated block");
        Assert.IsTrue(Hit(tlb, outside, Ctx(1, 5)), "the next block stays");
        Assert.IsTrue(Hit(tlb, small, Ctx(1, 5)), "a page elsewhere stays");
        tlb.Invalidate(TlbiOperation.Vae1, (5UL << 48) | (small >> 12), 1);
        Assert.IsFalse(Hit(tlb, small, Ctx(1, 5)));
        Assert.AreEqual(1, tlb.Count);
    }

    [TestMethod]
    public void TranslateCachedHitsWithoutWalkingAndRechecksRights()
    {
        var mem = new TestMemory();
        var tb = new TableBuilder(mem, 12, 39, 0x8000_0000);
        tb.Map(0x20_0000, 0x4000_0000, 3, (1UL << 2) | (1UL << 6)); // EL0 RW
        var xlat = new AddressTranslator(mem, 256);
        var c = Controls.El1(12, 39, tb.Root);
        var r = xlat.TranslateCached(in c, 0x20_0010, AccessType.Read);
        Assert.AreEqual(0x4000_0010UL, r.PhysicalAddress);
        int reads = mem.Reads;
        var again = xlat.TranslateCached(in c, 0x20_0FF8, AccessType.Write);
        Assert.AreEqual(0x4000_0FF8UL, again.PhysicalAddress);
        Assert.AreEqual(reads, mem.Reads, "a hit does not walk");
        // PAN set: the cached entry does not allow the access; the walk reports the fault.
        var pan = c with { Pan = true };
        var f = xlat.TranslateCached(in pan, 0x20_0010, AccessType.Read);
        Assert.AreEqual(FaultKind.Permission, f.Fault.Kind);
        // Changing the table without TLBI keeps the stale translation, as on hardware; TLBI removes it.
        mem[tb.DescriptorAddress(0x20_0000, 3)] = 0;
        Assert.IsFalse(xlat.TranslateCached(in c, 0x20_0010, AccessType.Read).IsFault);
        xlat.Tlb.Invalidate(TlbiOperation.Vaae1, 0x200, c.Vmid);
        Assert.AreEqual(FaultKind.Translation, xlat.TranslateCached(in c, 0x20_0010, AccessType.Read).Fault.Kind);
    }

    [TestMethod]
    public void HostFastPathChecksRightsRamAndDeviceAlignment()
    {
        var tlb = new Tlb(new TestMemory(), 256);
        ulong ctx = Ctx(1, 5);
        var read = new PermissionCheck(TlbPermissions.PrivRead, TlbPermissions.None);
        var write = new PermissionCheck(TlbPermissions.PrivWrite, TlbPermissions.None);
        tlb.Insert(0x1000, ctx, new TranslationResult(0x1000, 0x4000_0000, 0x4000_0000, new MemoryAttributes(0xFF, Shareability.Inner),
            TlbPermissions.PrivRead, 12, 0, true, true));
        tlb.Insert(0x2000, ctx, new TranslationResult(0x2000, 0x4000_1000, 0x4000_1000, MemoryAttributes.DeviceNGnRnE,
            TlbPermissions.All, 12, 0, true, true));
        tlb.Insert(0x3000, ctx, new TranslationResult(0x3000, 0x0900_0000, 0x0900_0000, MemoryAttributes.DeviceNGnRnE,
            TlbPermissions.All, 12, 0, true, true));
        Assert.IsTrue(tlb.TryGetHostAddress(0x1008, ctx, read, false, out nint h));
        Assert.AreEqual(TestMemory.FakeHostBase + 8, (long)h);
        Assert.IsFalse(tlb.TryGetHostAddress(0x1008, ctx, write, false, out _), "read-only page");
        Assert.IsTrue(tlb.TryGetHostAddress(0x2008, ctx, write, false, out _));
        Assert.IsFalse(tlb.TryGetHostAddress(0x2009, ctx, write, true, out _), "unaligned Device access");
        Assert.IsFalse(tlb.TryGetHostAddress(0x3000, ctx, read, false, out _), "MMIO page");
        Assert.IsFalse(tlb.TryGetHostAddress(0x4000, ctx, read, false, out _), "miss");
    }

    [TestMethod]
    public unsafe void EndToEndOverThePhysicalBus()
    {
        using var bus = new ArmVirt.Core.PhysicalBus();
        var ram = bus.AddRam(0x4000_0000, 0x100_0000);
        var xlat = new AddressTranslator(new PhysicalBusMemory(bus));
        // 39-bit VA, 4K granule: L1 table at RAM + 0x10000, L2 at +0x11000, L3 at +0x12000; VA 0x20_3000 -> PA 0x4080_0000.
        void W(ulong pa, ulong v) => Assert.IsTrue(bus.TryWrite(pa, 8, v));
        W(0x4001_0000, 0x4001_1000 | 3);
        W(0x4001_1000 + 1 * 8, 0x4001_2000 | 3);
        W(0x4001_2000 + 3 * 8, 0x4080_0000UL | (1UL << 10) | (3UL << 8) | (1UL << 2) | 3);
        bus.TryWrite(0x4080_0010, 8, 0xCAFE_F00D);
        var c = Controls.El1(12, 39, 0x4001_0000);
        var r = xlat.TranslateCached(in c, 0x20_3010, AccessType.Read);
        Assert.AreEqual(0x4080_0010UL, r.PhysicalAddress, r.ToString());
        var check = PermissionCheck.For(in c, AccessType.Read);
        Assert.IsTrue(xlat.Tlb.TryGetHostAddress(0x20_3010, c.TlbContext, check, false, out nint host));
        Assert.AreEqual((nint)(ram.Pointer + 0x80_0010), host);
        Assert.AreEqual(0xCAFE_F00DUL, *(ulong*)host);
    }

    [TestMethod]
    public void LookupDoesNotAllocate()
    {
        var tlb = new Tlb(new TestMemory(), 256);
        ulong ctx = Ctx(1, 5);
        tlb.Insert(0x1000, ctx, Page(0x1000, 0x4000_0000));
        var check = new PermissionCheck(TlbPermissions.PrivRead, TlbPermissions.None);
        ulong sum = 0;
        for (int i = 0; i < 100; i++) sum += tlb.Lookup(0x1000, ctx).PaPage; // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10000; i++)
        {
            ref readonly var e = ref tlb.Lookup(0x1000 + (ulong)(i & 0xFFF), ctx);
            if (check.Allows(e.Permissions)) sum += (ulong)e.HostOffset;
        }
        Assert.AreEqual(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.AreNotEqual(0UL, sum);
    }
}
