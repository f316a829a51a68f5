using ArmVirt.Core;
using ArmVirt.Cpu;
using CpuCore = ArmVirt.Cpu.Cpu;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>The most CPUs a machine has (QEMU's virt with a GICv2 takes 8).</summary>
    public const int MaxCpus = 8;

    /// <summary>The default <see cref="Quantum"/>: 10,000 cycles, 10 µs of virtual time.</summary>
    public const ulong DefaultQuantum = 10_000;

    /// <summary>
    /// The default <see cref="Quantum"/> in parallel mode: 1,000,000 cycles, 1 ms of virtual time, the most a CPU runs
    /// ahead of the slowest CPU still running. The CPUs' threads meet only at clock events and every 64 quanta; a CPU
    /// sees another's interrupts, events and stores at once. A CPU a quantum ahead blocks its host thread until the
    /// slowest catches up: a quantum of several host scheduling slices (here ~1-2 ms of host time) keeps that rare when
    /// the CPUs outnumber the host's free cores (100,000 cycles cost the four-copy bench ~45,000 host context switches
    /// against ~5,000).
    /// </summary>
    public const ulong DefaultParallelQuantum = 1_000_000;

    /// <summary>
    /// With several CPUs, the cycles each one runs before the next takes its turn (<see cref="MachineBuilder.WithQuantum"/>).
    /// </summary>
    public ulong Quantum { get; }

    /// <summary>
    /// The index of the CPU running now, or that ran last (devices with banked registers ask it); in parallel mode the CPU
    /// of the calling host thread (0 on a thread that runs none).
    /// </summary>
    internal int CurrentCpuIndex
    {
        get => SmpMode == SmpMode.Parallel ? t_currentCpu : _currentCpuIndex;
        private set => _currentCpuIndex = value;
    }

    private int _currentCpuIndex;

    /// <summary>True while CPU <paramref name="index"/> is powered on (CPU 0 from boot, the others after PSCI CPU_ON).</summary>
    public bool IsPoweredOn(int index) => _poweredOn[index];

    private readonly bool[] _poweredOn;

    // A clock event at the end of the current turn, so that every CPU's run stops there (its execution loops stop at the
    // clock's next deadline; the compiled code checks the same deadline).
    private readonly ScheduledEvent _quantumEnd;

    // Deterministic round robin (the default mode): the CPUs share one virtual clock and run one at a time, in
    // index order, each up to the same deadline: the end of the turn (now + Quantum) or the next clock event, whichever
    // is first. The clock then advances to the slowest CPU's time, running the events due, and the next turn starts.
    // Events therefore never reach a CPU before its own time has passed them (a timer interrupt arrives with the
    // counter past CVAL on every CPU); what one CPU does is seen by another at most a turn later or earlier. When every
    // powered CPU waits with nothing asserted, the turn ends at the next clock event rather than after a quantum.
    private MachineExit RunRoundRobin(ulong maxInstructions)
    {
        ulong start = InstructionsExecuted;
        CpuCore? stopped = null;
        bool first = true;
        try
        {
            while (stopped == null)
            {
                stopped = BeginTurn(start, maxInstructions, ref first, out ulong budget);
                if (stopped != null) break;
                stopped = RunTurn(budget);
            }
        }
        finally
        {
            _serial.Flush();
        }
        return new MachineExit(stopped.StopReason, stopped.ExitCode, stopped.StopMessage ?? DescribeStop(stopped.StopReason));
    }

    // Between two turns, in both SMP modes, while no CPU runs: the run's instruction budget, host input, the clock advanced
    // to the slowest powered CPU (running the events due), the end of the next turn. Returns the CPU whose stop ends the
    // run (its StopReason says why), or null and the instructions the next turn may retire.
    private CpuCore? BeginTurn(ulong start, ulong maxInstructions, ref bool first, out ulong budget)
    {
        budget = 0;
        while (true)
        {
            ulong done = InstructionsExecuted - start;
            if (done >= maxInstructions)
            {
                Cpu.RequestStop(StopReason.InstructionLimit);
                return Cpu;
            }
            PollInput(first || AtReplayStart ? 's' : 'h');
            first = false;
            if (Cpu.StopReason == StopReason.Error) return Cpu; // a replay that diverged
            ulong now = ulong.MaxValue;
            bool idle = true;
            for (int i = 0; i < Cpus.Count; i++)
            {
                if (!_poweredOn[i]) continue;
                var c = Cpus[i];
                now = Math.Min(now, c.State.Cycles);
                if (!c.IsWaiting || c.AnyInterruptAsserted || c.ResumesWhenRun) idle = false;
            }
            if (now == ulong.MaxValue)
            {
                Cpu.RequestStop(StopReason.Halted, 0, "every CPU is off (PSCI CPU_OFF)");
                return Cpu;
            }
            Clock.AdvanceTo(now);
            if (!idle) Clock.Reschedule(_quantumEnd, now + TurnLength);
            else
            {
                _quantumEnd.Cancel();
                if (Clock.PendingDeadline == ulong.MaxValue)
                {
                    if (IdleWait()) continue; // host input may have raised an interrupt
                    Cpu.RequestStop(StopReason.Halted, 0, "every CPU waits for an interrupt that can never arrive");
                    return Cpu;
                }
            }
            budget = ReplayBudget(maxInstructions - done);
            return null;
        }
    }

    // The cycles of a turn: a quantum in the round robin; in parallel mode, where the quantum bounds how far a CPU runs
    // ahead of the others (Machine.Parallel.cs), ParallelTurnQuanta of them.
    private ulong TurnLength => SmpMode != SmpMode.Parallel ? Quantum
        : Quantum > ulong.MaxValue / ParallelTurnQuanta / 2 ? ulong.MaxValue / 2 : Quantum * ParallelTurnQuanta;

    // One turn: each powered CPU behind the deadline runs up to it. Returns the CPU that stopped the machine, or null.
    private CpuCore? RunTurn(ulong instructionBudget)
    {
        for (int i = 0; i < Cpus.Count; i++)
        {
            if (!_poweredOn[i]) continue;
            var c = Cpus[i];
            if (c.State.Cycles >= Clock.NextDeadline) continue;
            CurrentCpuIndex = i;
            ulong before = c.State.Instructions;
            var reason = c.RunToDeadline(instructionBudget);
            instructionBudget -= Math.Min(instructionBudget, c.State.Instructions - before);
            switch (reason)
            {
                case StopReason.None:
                    continue;
                case StopReason.Halted when !_poweredOn[i]: // PSCI CPU_OFF
                    c.ClearStop();
                    continue;
                case StopReason.InstructionLimit:
                    c.ClearStop();
                    return null; // the caller checks the machine's budget
                case StopReason.Reset:
                    Reboot();
                    return null;
                default:
                    return c;
            }
        }
        return null;
    }

    // PSCI CPU_ON for a CPU that is off: a cold reset of the core, then the entry state PSCI defines at the caller's
    // current time, in the highest Non-secure EL (DEN 0022 "CPU_ON": EL2 when implemented, else EL1; QEMU's firmware
    // does the same), so a hypervisor's secondaries start at EL2 whatever EL the boot CPU called from. With EL3, the
    // secure monitor's SCR_EL3 is the boot CPU's (NS, RW). Used by SmpPsciPlatform.
    internal void PowerOn(CpuCore caller, int index, ulong entry, ulong contextId)
    {
        var c = Cpus[index];
        if (SmpMode == SmpMode.Parallel) WaitUntilLeft(index); // a CPU just off (CPU_OFF) may still be leaving its run
        _retiredBeforeReset[index] += c.State.Instructions;
        c.Reset();
        c.State.Cycles = caller.State.Cycles;
        if (c.Configuration.HasEl3) c.Sys.Scr = caller.Sys.Scr;
        ArmVirt.Cpu.Firmware.PsciFirmware.PrepareCpuForEntry(c, entry, contextId, c.Configuration.HasEl2 ? 2 : 1);
        Volatile.Write(ref _poweredOn[index], true); // (parallel mode: the CPU's thread may run it from here on)
        if (SmpMode == SmpMode.Parallel && _offWaiting.Length == Cpus.Count) HandOverPowerOn(index);
    }

    // PSCI CPU_OFF: the caller stops after the call and no longer runs.
    internal void PowerOff(CpuCore caller)
    {
        _poweredOn[caller.Configuration.Index] = false;
        caller.RequestStop(StopReason.Halted, 0, $"PSCI CPU_OFF at PC 0x{caller.State.PC:x}");
    }
}
