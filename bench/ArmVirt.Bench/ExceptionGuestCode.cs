using ArmVirt.Core;
using ArmVirt.Cpu;

namespace ArmVirt.Bench;

/// <summary>
/// The guest programs of <see cref="ExceptionBenchmarks"/>: for each kind a CPU on its own bus (1 MiB of RAM at
/// 0x4000_0000, MMU off at every EL, plus a test device) running a loop of round trips counted down in X3.
/// Encodings from GNU as (aarch64-linux-gnu-as), as in the comments.
/// </summary>
public sealed class ExceptionGuestCode : IDisposable
{
    /// <summary>What one loop iteration does.</summary>
    public enum Kind { Hvc, Svc, Stage2Abort, Mmio, Irq, Undefined }

    private const ulong RamBase = 0x4000_0000;
    private const ulong Loop = RamBase;                   // the loop (one page)
    private const ulong Vectors = RamBase + 0x1_0000;     // VBAR_EL1 or VBAR_EL2
    private const ulong Stage2Table = RamBase + 0x2_0000; // level-1 stage 2 table (VTCR T0SZ 32, SL0 1)
    private const ulong DeviceBase = 0x0A00_0000;         // TestDevice
    private const ulong UnmappedIpa = 0x0900_0000;        // below RAM: no stage 2 mapping

    private const uint Subs = 0xF1000463;      // subs x3, x3, #1
    private const uint BneBack1 = 0x54FFFFC1;  // b.ne .-8
    private const uint BneBack2 = 0x54FFFFA1;  // b.ne .-12
    private const uint Self = 0x14000000;      // b .
    private const uint Eret = 0xD69F03E0;      // eret

    private readonly List<PhysicalBus> _buses = [];

    /// <summary>A CPU set up to run one kind of loop.</summary>
    public sealed class Scenario
    {
        internal Scenario(Kind kind, Cpu.Cpu cpu, TestDevice device, int el, int spSel, int instructionsPerTrip, int targetEl)
        {
            Kind = kind;
            Cpu = cpu;
            Device = device;
            _el = el;
            _spSel = spSel;
            InstructionsPerTrip = instructionsPerTrip;
            _targetEl = targetEl;
        }

        private readonly int _el, _spSel, _targetEl;

        /// <summary>The loop's kind.</summary>
        public Kind Kind { get; }

        /// <summary>The CPU that runs it.</summary>
        public Cpu.Cpu Cpu { get; }

        /// <summary>The test device at 0x0a00_0000.</summary>
        public TestDevice Device { get; }

        /// <summary>Guest instructions retired per round trip (an exception entry retires none).</summary>
        public int InstructionsPerTrip { get; }

        /// <summary>Runs <paramref name="trips"/> round trips from the loop's start; returns the instruction count.</summary>
        public ulong Run(int trips)
        {
            var cpu = Cpu;
            cpu.ClearStop();
            cpu.SetElAndSpSel(_el, _spSel);
            cpu.State.PC = Loop;
            cpu.State.X[3] = ulong.MaxValue;
            cpu.Run((ulong)trips * (ulong)InstructionsPerTrip);
            return cpu.State.Instructions;
        }

        /// <summary><see cref="Run"/>, checking that every trip took its exception (or made its accesses) and ended at the loop's start.</summary>
        public void RunChecked(int trips)
        {
            ulong exceptions = Cpu.Statistics.ExceptionsTaken[_targetEl];
            long accesses = Device.Accesses;
            ulong x3 = ulong.MaxValue - (ulong)trips;
            Run(trips);
            ulong taken = Cpu.Statistics.ExceptionsTaken[_targetEl] - exceptions;
            long made = Device.Accesses - accesses;
            bool ok = Cpu.State.PC == Loop && Cpu.State.EL == _el && Cpu.State.X[3] == x3 && Kind switch
            {
                Kind.Mmio => taken == 0 && made == 2L * trips,
                Kind.Irq => taken == (ulong)trips && made == 2L * trips,
                _ => taken == (ulong)trips && made == 0,
            };
            if (!ok)
                throw new InvalidOperationException(
                    $"{Kind} under {Cpu.Engine}: PC 0x{Cpu.State.PC:x} EL{Cpu.State.EL} X3 0x{Cpu.State.X[3]:x}, {taken} exceptions, {made} device accesses for {trips} trips");
        }
    }

    /// <summary>Builds the CPU, bus and code for <paramref name="kind"/> under <paramref name="engine"/>.</summary>
    public Scenario Create(Kind kind, ExecutionEngine engine)
    {
        var bus = new PhysicalBus();
        _buses.Add(bus);
        bus.AddRam(RamBase, 1 << 20);
        var cpu = new Cpu.Cpu(bus, new VirtualClock(), new CpuConfiguration { HighestEl = 2 });
        var device = new TestDevice(cpu.Irq);
        bus.AddMmio(DeviceBase, 0x1000, device, "test-device");
        if (engine == ExecutionEngine.Jit) cpu.Engine = ExecutionEngine.Jit;
        cpu.JitBackgroundCompilation = false; // compiled when due, so that the warm-up leaves the code compiled
        var s = cpu.Sys;
        s.Hcr = 1UL << 31; // RW: EL1 is AArch64
        s.Vbar[1] = Vectors;
        s.Vbar[2] = Vectors;
        switch (kind)
        {
            case Kind.Hvc:
                Load(bus, Loop, 0xD4000002, Subs, BneBack1, Self); // hvc #0
                Load(bus, Vectors + 0x400, Eret);                   // lower EL, synchronous
                return new Scenario(kind, cpu, device, 1, 1, 4, 2);
            case Kind.Svc:
                Load(bus, Loop, 0xD4000001, Subs, BneBack1, Self); // svc #0 (at EL0)
                Load(bus, Vectors + 0x400, Eret);
                return new Scenario(kind, cpu, device, 0, 0, 4, 1);
            case Kind.Stage2Abort:
                cpu.SetX(2, UnmappedIpa);
                Load(bus, Loop, 0xB9000041, Subs, BneBack1, Self); // str w1, [x2]
                Load(bus, Vectors + 0x400,
                    0xD53C520A,  // mrs x10, esr_el2
                    0xD53C608B,  // mrs x11, hpfar_el2
                    0xD53C4029,  // mrs x9, elr_el2
                    0x91001129,  // add x9, x9, #4
                    0xD51C4029,  // msr elr_el2, x9
                    Eret);
                // Stage 2: one 1 GiB block for RAM (IPA = PA), RW, Normal; nothing below it.
                ulong block = RamBase | (1UL << 10) | (3UL << 6) | (0xFUL << 2) | 0b01;
                Load(bus, Stage2Table + 8, (uint)block, (uint)(block >> 32));
                s.Vtcr = (s.Vtcr & ~0xFFFFUL) | 32 | (1UL << 6); // T0SZ 32, SL0 = 1, 4K granule
                s.Vttbr = Stage2Table;
                s.Hcr |= 1; // VM
                return new Scenario(kind, cpu, device, 1, 1, 9, 2);
            case Kind.Undefined:
                Load(bus, Loop, 0x00000000, Subs, BneBack1, Self); // udf #0 (an unallocated encoding) at EL1
                Load(bus, Vectors + 0x200,                          // current EL SPx, synchronous: skip it
                    0xD5384029,  // mrs x9, elr_el1
                    0x91001129,  // add x9, x9, #4
                    0xD5184029,  // msr elr_el1, x9
                    Eret);
                return new Scenario(kind, cpu, device, 1, 1, 7, 1);
            case Kind.Mmio:
                cpu.SetX(2, DeviceBase);
                Load(bus, Loop, 0xB9000041, 0xB9400044, Subs, BneBack2, Self); // str w1, [x2]; ldr w4, [x2]
                return new Scenario(kind, cpu, device, 1, 1, 4, 1);
            default:
                cpu.SetX(2, DeviceBase + TestDevice.RaiseOffset);
                // The loop starts with the line low and IRQs unmasked (DAIF.I clear: ERET restores it from SPSR).
                cpu.State.Daif &= ~(1u << 7);
                Load(bus, Loop, 0xB9000041, Subs, BneBack1, Self); // str w1, [x2] (raises the IRQ)
                Load(bus, Vectors + 0x280, 0xB900045F, Eret);      // current EL SPx IRQ: str wzr, [x2, #4] (lowers it)
                return new Scenario(kind, cpu, device, 1, 1, 5, 1);
        }
    }

    /// <summary>Runs <paramref name="kind"/> hot (after the benchmark's warm-up) for about <paramref name="seconds"/> and prints ns per trip.</summary>
    public static void ProfileLoop(Kind kind, ExecutionEngine engine, double seconds)
    {
        using var code = new ExceptionGuestCode();
        var s = code.Create(kind, engine);
        const int Trips = 20_000; // as ExceptionBenchmarks (this file is also compiled into ArmVirt.Cpu.Tests)
        for (int i = 0; i < 3; i++) s.RunChecked(Trips);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long trips = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            s.RunChecked(Trips);
            trips += Trips;
        }
        Console.WriteLine($"{kind} {engine}: {watch.Elapsed.TotalMilliseconds * 1e6 / trips:F1} ns per trip ({trips} trips)");
    }

    private static void Load(PhysicalBus bus, ulong at, params uint[] words)
    {
        var bytes = new byte[words.Length * 4];
        Buffer.BlockCopy(words, 0, bytes, 0, bytes.Length);
        bus.Load(at, bytes);
    }

    /// <summary>Releases the guest RAM.</summary>
    public void Dispose()
    {
        foreach (var bus in _buses) bus.Dispose();
    }

    /// <summary>
    /// A device with one 32-bit data register at offset 0 (reads return the last value written) and an interrupt
    /// register: a write at <see cref="RaiseOffset"/> raises its line, one at <see cref="RaiseOffset"/> + 4 lowers it.
    /// </summary>
    public sealed class TestDevice(InterruptLine line) : IMmioDevice
    {
        /// <summary>Offset of the register whose write raises the line.</summary>
        public const ulong RaiseOffset = 0x10;

        private ulong _data;

        /// <summary>Accesses so far.</summary>
        public long Accesses { get; private set; }

        /// <inheritdoc />
        public bool TryRead(ulong offset, int size, out ulong value)
        {
            Accesses++;
            value = offset == 0 ? _data : 0;
            return true;
        }

        /// <inheritdoc />
        public bool TryWrite(ulong offset, int size, ulong value)
        {
            Accesses++;
            if (offset == 0) _data = value;
            else if (offset == RaiseOffset) line.Set(true);
            else if (offset == RaiseOffset + 4) line.Set(false);
            return true;
        }
    }
}
