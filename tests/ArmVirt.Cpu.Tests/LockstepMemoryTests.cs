using ArmVirt.Core;
using ArmVirt.Cpu.Jit;

namespace ArmVirt.Cpu.Tests;

/// <summary>Programs with loads, stores, exclusives, atomics and MMIO under both engines.</summary>
[TestClass]
internal sealed class LockstepMemoryTests
{
    private const ulong Base = LockstepPair.RamBase;
    private const ulong Vbar = Base + 0x800;
    private const ulong DeviceBase = 0x0900_0000;

    // Fills a buffer with STR (register offset), STRB, STURH and an MMIO store per iteration; sums it back with
    // post-indexed LDR, LDRSB, LDP, pushes and pops through SP and an MMIO load; then LDXR/STXR, LDADD, SWP, CAS and
    // an aligned literal load (see the assembly in the comments).
    private static readonly uint[] MemoryProgram =
    [
        0xd2a80020, 0xd2802581, 0xd2800002, 0xd2a12014, // movz x0,#0x4001,lsl#16; mov x1,#300; mov x2,#0; movz x20,#0x900,lsl#16
        0x8b021443, 0xf8227803, 0x393e8002, 0x781fe003, // fill: add x3,x2,x2,lsl#5; str x3,[x0,x2,lsl#3]; strb w2,[x0,#4000]; sturh w3,[x0,#-2]
        0xb9000282, 0x91000442, 0xeb01005f, 0x54ffff21, // str w2,[x20]; add x2,x2,#1; cmp x2,x1; b.ne fill
        0xd2800002, 0xd2800004, 0xaa0003ea,             // mov x2,#0; mov x4,#0; mov x10,x0
        0xf8408545, 0x38a26806, 0x297f2147, 0x8b050084, // sum: ldr x5,[x10],#8; ldrsb x6,[x0,x2]; ldp w7,w8,[x10,#-8]; add x4,x4,x5
        0xca060c84, 0x8b070084, 0xa9bf17e4, 0xa8c133eb, // eor x4,x4,x6,lsl#3; add x4,x4,x7; stp x4,x5,[sp,#-16]!; ldp x11,x12,[sp],#16
        0xb940068d, 0x91000442, 0xeb01005f, 0x54fffea1, // ldr w13,[x20,#4]; add x2,x2,#1; cmp x2,x1; b.ne sum
        0x912ee00e, 0xc85f7dcf, 0x910015ef, 0xc8107dcf, // add x14,x0,#3000; retry: ldxr x15,[x14]; add x15,x15,#5; stxr w16,x15,[x14]
        0x35ffffb0, 0xf82401d1, 0xf82281d2, 0xc8b27dd3, // cbnz w16,retry; ldadd x4,x17,[x14]; swp x2,x18,[x14]; cas x18,x19,[x14]
        0xaa1603f6, 0x58000055, 0x14000000,             // mov x22,x22; ldr x21,lit; b .
        0x9abcdef0, 0x12345678,                         // lit: .quad 0x123456789abcdef0 (8-byte aligned: Device memory)
    ];

    /// <summary>
    /// A device whose register 0 records writes and raises the CPU's IRQ line when the value written satisfies
    /// <paramref name="raises"/> (by default: 3 mod 50), register 4 reads an incrementing counter and any write to
    /// register 8 lowers the line.
    /// </summary>
    internal sealed class IrqOnWriteDevice(Cpu cpu, Func<ulong, bool>? raises = null) : IMmioDevice
    {
        private readonly Func<ulong, bool> _raises = raises ?? (value => value % 50 == 3);
        private uint _reads;
        public List<ulong> Writes { get; } = new();

        public bool TryRead(ulong offset, int size, out ulong value)
        {
            value = offset == 4 ? ++_reads : 0;
            return true;
        }

        public bool TryWrite(ulong offset, int size, ulong value)
        {
            if (offset == 0)
            {
                Writes.Add(value);
                if (_raises(value)) cpu.Irq.Set(true);
            }
            else if (offset == 8)
            {
                cpu.Irq.Set(false);
            }
            return true;
        }
    }

    [TestMethod]
    [DataRow(0, JitTier.Optimized)]
    [DataRow(10, JitTier.Optimized)]
    [DataRow(0, JitTier.Baseline)]
    [DataRow(10, JitTier.Baseline)]
    public void MemoryProgramWithMmioInterruptsMatchesInterpreter(int threshold, JitTier tier)
    {
        using var pair = new LockstepPair(threshold, new CpuConfiguration { Model = CpuModel.Max },
            optimizeThreshold: tier == JitTier.Optimized ? 0 : long.MaxValue);
        pair.Load(Base, MemoryProgram);
        pair.Load(Vbar + 0x280, 0xb9000a9f, 0xd69f03e0); // IRQ: str wzr, [x20, #8]; eret
        var devices = new Dictionary<LockstepPair.Side, IrqOnWriteDevice>();
        foreach (var side in pair.Both)
        {
            devices[side] = new IrqOnWriteDevice(side.Cpu);
            side.Bus.AddMmio(DeviceBase, 0x1000, devices[side], "irq-on-write");
            side.Cpu.Sys.Vbar[1] = Vbar;
            side.Cpu.State.Daif = 0;
            side.Cpu.Sp = Base + 0x8000;
        }
        int irqs = 0;
        pair.Jit.Cpu.ExceptionEntered += (_, _) => irqs++;
        pair.RunLockstep(20_000);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(Base + 37 * 4, cpu.State.PC, $"reached the final b . (ESR 0x{cpu.Sys.Esr[1]:x} ELR 0x{cpu.Sys.Elr[1]:x} FAR 0x{cpu.Sys.Far[1]:x})");
        Assert.AreEqual(0x123456789abcdef0UL, cpu.X(21));
        Assert.AreEqual(300, devices[pair.Jit].Writes.Count);
        CollectionAssert.AreEqual(devices[pair.Interp].Writes, devices[pair.Jit].Writes);
        Assert.AreEqual(6, irqs, "one IRQ per value 3 mod 50 written");
        // Baseline blocks end at every branch: each loop pass is compared. A region runs the fill and sum loops
        // inside one method and returns (and is compared) at each IRQ, at the fill loop's exit to the next region
        // and at the system instructions: fewer comparisons, but each IRQ raised while it runs (5 with threshold 10,
        // where the first comes while the loop is still interpreted) is one.
        if (tier == JitTier.Baseline) Assert.IsTrue(pair.BlocksCompared > 100, $"{pair.BlocksCompared} blocks compared");
        else Assert.IsTrue(pair.BlocksCompared >= 5, $"{pair.BlocksCompared} regions compared");
    }

    [TestMethod]
    public void GuestStoreIntoItsOwnBlockTakesEffectAtTheNextInstruction()
    {
        // start: ldr w1, newinsn; adr x2, target; str w1, [x2]; target: add x0, x0, #1; subs x9, x9, #1;
        // b.ne start; b .; newinsn: add x0, x0, #3. The store rewrites the next instruction of its own block.
        using var pair = new LockstepPair(0);
        pair.Load(Base, 0x180000e1, 0x10000042, 0xb9000041, 0x91000400, 0xf1000529, 0x54ffff61, 0x14000000, 0x91000c00);
        pair.Setup(cpu => cpu.SetX(9, 5));
        pair.RunLockstep(40);
        Assert.AreEqual(15UL, pair.Jit.Cpu.X(0));
        Assert.AreEqual(Base + 24, pair.Jit.Cpu.State.PC);
        Assert.IsTrue(pair.Jit.Cpu.Translations!.BlocksInvalidated >= 1);
    }

    [TestMethod]
    public void DataAbortInsideABlockIsPrecise()
    {
        // mov x1, #1; ldr x2, [x3] (x3 = unmapped); add x4, x4, #1; b .   -> synchronous external abort at +4
        using var pair = new LockstepPair(0);
        pair.Load(Base, 0xd2800021, 0xf9400062, 0x91000484, 0x14000000);
        pair.Load(Vbar + 0x200, 0x14000000);
        pair.Setup(cpu =>
        {
            cpu.Sys.Vbar[1] = Vbar;
            cpu.SetX(3, 0x2000_0000);
        });
        pair.RunLockstep(10);
        var cpu = pair.Jit.Cpu;
        Assert.AreEqual(Base + 4, cpu.Sys.Elr[1]);
        Assert.AreEqual(0x25UL, cpu.Sys.Esr[1] >> 26, "data abort, same EL");
        Assert.AreEqual(0x2000_0000UL, cpu.Sys.Far[1]);
        Assert.AreEqual(0UL, cpu.X(4));
        Assert.AreEqual(1UL, cpu.X(1));
    }

    [TestMethod]
    public void RandomMixesOfLoadsStoresAndAluMatchInterpreter()
    {
        // Random data-processing instructions interleaved with loads and stores based on x28 (a RAM buffer): the
        // base register is re-pointed before each access so that every access is aligned and in RAM.
        var rng = new Random(7);
        using var pair = new LockstepPair(0);
        uint[] accesses =
        [
            0xf9400380, 0xf9000380, 0xb9400780, 0xb9000780, 0x39401380, 0x39001380, // ldr/str x0, w0, b0 at [x28, #0/#4/#4]
            0xa9400780, 0xa9000780, 0x79400b80, 0x79000b80, 0xf8408780, 0xf81f8f80,  // ldp/stp, ldrh/strh, post/pre-index
        ];
        int exceptions = 0;
        pair.Jit.Cpu.ExceptionEntered += (_, _) => exceptions++;
        for (int s = 0; s < 500; s++)
        {
            var words = new List<uint>();
            int n = 2 + rng.Next(20);
            for (int i = 0; i < n; i++)
            {
                if (rng.Next(3) == 0)
                {
                    uint a = accesses[rng.Next(accesses.Length)] | (uint)rng.Next(24); // random Rt in x0..x23
                    if (IsPair(a)) a |= (uint)rng.Next(24) << 10;                      // random Rt2
                    words.Add(0xd2a80038);                                               // movz x24, #0x4001, lsl #16
                    words.Add(0x91000000 | (24u << 5) | 28u | ((uint)rng.Next(256) << 13)); // add x28, x24, #(k * 8)
                    words.Add(a);
                }
                else
                {
                    uint w;
                    do w = LockstepRandomTests.RandomDataProcessing(rng); while ((w & 31) is >= 24 and < 31); // keep x24..x30 for addressing
                    words.Add(w);
                }
            }
            words.Add(0x14000000); // b .
            ulong at = Base + 0x4000 + (ulong)(s % 64) * 0x100;
            foreach (var side in pair.Both)
            {
                for (int i = 0; i < words.Count; i++) side.Bus.TryWrite(at + 4 * (ulong)i, 4, words[i]);
                side.Cpu.State.PC = at;
            }
            pair.RunLockstep((ulong)words.Count);
        }
        Assert.AreEqual(500L, pair.Jit.Cpu.Translations!.BlocksCompiled);
        Assert.IsTrue(exceptions < 50, $"{exceptions} sequences faulted: the accesses are meant to succeed");

        static bool IsPair(uint insn) => (insn & 0x3a000000) == 0x28000000;
    }

    /// <summary>A device whose every write schedules a clock event a few cycles later (like arming a short timer).</summary>
    private sealed class SchedulingDevice(Cpu cpu, VirtualClock clock, List<ulong> fired) : IMmioDevice
    {
        public bool TryRead(ulong offset, int size, out ulong value)
        {
            value = 0;
            return true;
        }

        public bool TryWrite(ulong offset, int size, ulong value)
        {
            clock.Schedule(cpu.State.Cycles + 1 + value % 4, () => fired.Add(cpu.State.Cycles));
            return true;
        }
    }

    [TestMethod]
    public void AnMmioWriteThatMovesTheDeadlineEndsTheBlock()
    {
        // loop: str w2, [x20]; add x2, x2, #1; add x3..x5, #1; subs x9, x9, #1; b.ne loop; b .
        // Each store schedules an event 1..4 cycles later, inside the rest of the block: it must fire at that cycle.
        using var pair = new LockstepPair(0);
        pair.Load(Base, 0xb9000282, 0x91000442, 0x91000463, 0x91000484, 0x910004a5, 0xf1000529, 0x54ffff41, 0x14000000);
        var fired = new Dictionary<LockstepPair.Side, List<ulong>>();
        foreach (var side in pair.Both)
        {
            fired[side] = new List<ulong>();
            side.Bus.AddMmio(DeviceBase, 0x1000, new SchedulingDevice(side.Cpu, side.Clock, fired[side]), "scheduler");
            side.Cpu.SetX(20, DeviceBase);
            side.Cpu.SetX(9, 50);
        }
        pair.RunLockstep(400);
        Assert.AreEqual(50, fired[pair.Jit].Count);
        CollectionAssert.AreEqual(fired[pair.Interp], fired[pair.Jit]);
        Assert.IsTrue(pair.BlocksCompared > 50);
    }
}
