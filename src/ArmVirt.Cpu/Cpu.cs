using System.Runtime.CompilerServices;
using ArmVirt.Core;
using ArmVirt.Cpu.Pmu;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

/// <summary>
/// One AArch64 processing element: architectural state, system registers, interrupt inputs and the
/// execution loop. Instruction semantics (in <c>A64/</c>) operate on it through the helpers here.
/// </summary>
public sealed partial class Cpu
{
    /// <summary>Registers and PSTATE. A public field so that semantics and the JIT can take refs into it.</summary>
    public CpuState State;

    /// <summary>
    /// Where execution continues after the current instruction: <c>PC + 4</c> when the handler starts;
    /// branches and exception entry overwrite it.
    /// </summary>
    internal ulong NextPc;

    /// <summary>Creates a CPU attached to <paramref name="bus"/> and <paramref name="clock"/>, in its reset state.</summary>
    public Cpu(PhysicalBus bus, VirtualClock clock, CpuConfiguration? configuration = null)
    {
        Bus = bus;
        Clock = clock;
        Configuration = configuration ?? new CpuConfiguration();
        if (Configuration.HighestEl is < 1 or > 3) throw new ArgumentOutOfRangeException(nameof(configuration), "HighestEl must be 1, 2 or 3.");
        Irq = new InterruptLine($"cpu{Configuration.Index}.irq");
        Fiq = new InterruptLine($"cpu{Configuration.Index}.fiq");
        VirtualIrq = new InterruptLine($"cpu{Configuration.Index}.virq");
        VirtualFiq = new InterruptLine($"cpu{Configuration.Index}.vfiq");
        SError = new InterruptLine($"cpu{Configuration.Index}.serror");
        foreach (var line in (ReadOnlySpan<InterruptLine>)[Irq, Fiq, VirtualIrq, VirtualFiq, SError])
            line.Changed += level => { if (level) Interlocked.Increment(ref _assertedLines); else Interlocked.Decrement(ref _assertedLines); };
        Statistics = new CpuStatistics(this);
        Pmu = new PerformanceMonitors(this);
        unsafe
        {
            HostTlbBase = InitHostTlb();
        }
        SystemRegisterTableBuilder.Populate(this);
        InstallFloatingPointRegisters();
        if (Configuration.Model.Aarch32Only)
        {
            // An ARMv7-A PE: Armv8's AArch32 additions decode as UNDEFINED (A32/Armv7Decoders.cs).
            A32Decoder = A32.Armv7Decoders.A32;
            T32Decoder = A32.Armv7Decoders.T32;
        }
        _ = Translator; // hooks TLBI and AT to the MMU
        Reset();
    }

    /// <summary>The physical address space this CPU accesses.</summary>
    public PhysicalBus Bus { get; }

    /// <summary>The virtual clock this CPU drives.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Static configuration.</summary>
    public CpuConfiguration Configuration { get; }

    /// <summary>System register storage used by the exception model.</summary>
    public SystemRegisterFile Sys { get; } = new();

    /// <summary>Every system register and system instruction this CPU implements; devices may add to it.</summary>
    internal SystemRegisterTable SystemRegisters { get; } = new();

    /// <summary>The Performance Monitors Extension (PMUv3): counters, and the overflow interrupt request the machine wires to a PPI.</summary>
    internal PerformanceMonitors Pmu { get; }

    /// <summary>Physical IRQ input (from the GIC CPU interface).</summary>
    public InterruptLine Irq { get; }

    /// <summary>Physical FIQ input.</summary>
    public InterruptLine Fiq { get; }

    /// <summary>Virtual IRQ input (from the GIC virtual CPU interface), ORed with HCR_EL2.VI.</summary>
    public InterruptLine VirtualIrq { get; }

    /// <summary>Virtual FIQ input, ORed with HCR_EL2.VF.</summary>
    public InterruptLine VirtualFiq { get; }

    /// <summary>Physical SError input.</summary>
    public InterruptLine SError { get; }

    /// <summary>Resets registers and PSTATE: the CPU starts at its highest EL with SP_ELx selected and DAIF masked.</summary>
    public void Reset()
    {
        State = default;
        _predictor?.Reset(); // (before the PMU's reset, which reads its counts)
        _issuePc = ulong.MaxValue;
        State.EL = Configuration.HighestEl;
        State.SpSel = 1;
        State.Daif = 0xF << 6;
        ResetSystemRegisters();
        if (Configuration.Model.Aarch32Only) ResetAarch32Only();
        _translator?.Tlb.InvalidateAll();
        StopReason = StopReason.None;
        StopMessage = null;
        IsWaiting = false;
        EventRegister = false;
        // The PE's exclusive monitors come out of reset in the Open Access state (Arm ARM B2.9.3).
        ExclusiveMonitorLocal.Clear();
        _globalMonitor?.Clear(_globalMonitorSlot);
    }

    // ---- General registers (Arm ARM J1 "shared/functions/registers") ----

    /// <summary>X[n] with n = 31 reading as XZR.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong X(int n) => n == 31 ? 0 : State.X[n];

    /// <summary>Writes X[n]; n = 31 (XZR) discards the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetX(int n, ulong value)
    {
        if (n != 31) State.X[n] = value;
    }

    /// <summary>W[n]: the low 32 bits of X[n], WZR for 31.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint W(int n) => (uint)X(n);

    /// <summary>Writes W[n], zero-extending into X[n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetW(int n, uint value) => SetX(n, value);

    /// <summary>X[n] where n = 31 means the current stack pointer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong XSp(int n) => State.X[n];

    /// <summary>Writes X[n] where n = 31 means the current stack pointer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetXSp(int n, ulong value) => State.X[n] = value;

    /// <summary>The current stack pointer.</summary>
    public ulong Sp
    {
        get => State.X[31];
        set => State.X[31] = value;
    }

    /// <summary>Reads a banked stack pointer SP_ELn, whether or not it is the selected one.</summary>
    public ulong GetSpEl(int el) => SelectedSpIndex == el ? State.X[31] : State.Sp[el];

    /// <summary>Writes a banked stack pointer SP_ELn.</summary>
    public void SetSpEl(int el, ulong value)
    {
        if (SelectedSpIndex == el) State.X[31] = value;
        else State.Sp[el] = value;
    }

    private int SelectedSpIndex => State.SpSel == 0 ? 0 : State.EL;

    /// <summary>Changes PSTATE.EL and PSTATE.SP together, swapping the mirrored stack pointer.</summary>
    public void SetElAndSpSel(int el, int spSel)
    {
        State.Sp[SelectedSpIndex] = State.X[31];
        State.EL = el;
        State.SpSel = spSel;
        State.X[31] = State.Sp[SelectedSpIndex];
    }

    // ---- Flags and conditions ----

    /// <summary>PSTATE.N.</summary>
    internal bool N => (State.Nzcv & 0x8000_0000) != 0;
    /// <summary>PSTATE.Z.</summary>
    internal bool Z => (State.Nzcv & 0x4000_0000) != 0;
    /// <summary>PSTATE.C.</summary>
    internal bool C => (State.Nzcv & 0x2000_0000) != 0;
    /// <summary>PSTATE.V.</summary>
    internal bool V => (State.Nzcv & 0x1000_0000) != 0;

    /// <summary>Sets all four flags.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetNzcv(bool n, bool z, bool c, bool v) =>
        State.Nzcv = (n ? 0x8000_0000u : 0) | (z ? 0x4000_0000u : 0) | (c ? 0x2000_0000u : 0) | (v ? 0x1000_0000u : 0);

    /// <summary>ConditionHolds (shared/functions/system/ConditionHolds) for a 4-bit condition code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ConditionHolds(int cond) => ConditionHolds(State.Nzcv, cond);

    /// <summary>
    /// shared/functions/system/ConditionHolds for flags <paramref name="nzcv"/> (bits 31..28): the form compiled code
    /// calls with a constant condition on the flags it keeps in a local.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool ConditionHolds(uint nzcv, int cond)
    {
        uint f = nzcv >> 28;
        bool n = (f & 8) != 0, z = (f & 4) != 0, c = (f & 2) != 0, v = (f & 1) != 0;
        bool result = (cond >> 1) switch
        {
            0 => z,
            1 => c,
            2 => n,
            3 => v,
            4 => c && !z,
            5 => n == v,
            6 => n == v && !z,
            _ => true,
        };
        return (cond & 1) != 0 && cond != 0xF ? !result : result;
    }

    // ---- Stopping ----

    /// <summary>Why the CPU stopped, or <see cref="StopReason.None"/> while it runs.</summary>
    public StopReason StopReason
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (StopReason)Volatile.Read(ref _stopReason); // (read anew at every compiled loop head: another thread may set it)
        private set => _stopReason = (int)value;
    }

    // An int so that another PE's thread can raise StopReason.PeerRequest with a compare-and-swap (Cpu.PeerWork.cs).
    private int _stopReason;

    /// <summary>Exit code for <see cref="StopReason.SemihostingExit"/>, or a PSCI/semihosting supplied status.</summary>
    public int ExitCode { get; private set; }

    /// <summary>A human-readable explanation for <see cref="StopReason.Error"/> and similar stops.</summary>
    public string? StopMessage { get; private set; }

    /// <summary>Stops the execution loop after the current instruction.</summary>
    public void RequestStop(StopReason reason, int exitCode = 0, string? message = null)
    {
        if (StopReason is not (StopReason.None or StopReason.PeerRequest)) return; // the CPU's own stop outranks a peer's nudge
        StopReason = reason;
        ExitCode = exitCode;
        StopMessage = message;
        if (reason == StopReason.Halted) HaltedAtCycles = IsWaiting ? _waitStartCycles : State.Cycles;
    }

    /// <summary>Clears a previous stop so <see cref="Run"/> may continue.</summary>
    public void ClearStop()
    {
        StopReason = StopReason.None;
        StopMessage = null;
    }
}
