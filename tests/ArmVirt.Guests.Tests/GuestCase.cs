using ArmVirt.Cpu;
using ArmVirt.Machine;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// One guest run: which ELF, how the machine is configured (as QEMU is in tests/guests/record-expected.sh: EL, GIC
/// version, number of CPUs and CPU model), and how it must end.
/// </summary>
internal sealed record GuestCase(string Name, string Elf, int HighestEl, bool Semihosting, StopReason Reason, int ExitCode,
    ulong MaxInstructions = GuestCase.DefaultMaxInstructions, int GicVersion = 2, int Cpus = 1, string Cpu = "cortex-a57",
    int MaxExceptions = GuestCase.DefaultMaxExceptions, string? HaltMarker = null)
{
    /// <summary>The machine this guest runs on, as QEMU's is configured for it, with the console going to <paramref name="serial"/>.</summary>
    public MachineBuilder Builder(ExecutionEngine engine, Stream serial) => new MachineBuilder()
        .WithEngine(engine)
        .WithMemory(128UL << 20)
        .WithCpu(Cpu)
        .WithCpus(Cpus)
        .WithHighestEl(HighestEl)
        .WithGicVersion(GicVersion)
        .WithKernel(ElfPath)
        .WithSemihosting(Semihosting)
        .WithSerial(serial);

    /// <summary>Instruction budget: the guests other than cpubench and shapes need well under a million.</summary>
    public const ulong DefaultMaxInstructions = 5_000_000;

    /// <summary>
    /// More exceptions than a guest takes (unless its case says more): beyond this (per CPU) the run is stopped as an
    /// exception storm.
    /// </summary>
    public const int DefaultMaxExceptions = 100;

    public static readonly GuestCase[] All =
    [
        new("demo", "demo.elf", 2, false, StopReason.PowerOff, 0),
        new("demo-el1", "demo.elf", 1, false, StopReason.PowerOff, 0),
        new("exceptions", "exceptions.elf", 1, false, StopReason.PowerOff, 0),
        new("el2", "el2.elf", 2, false, StopReason.PowerOff, 0),
        new("el2-a53-smp2", "el2.elf", 2, false, StopReason.PowerOff, 0, Cpus: 2, Cpu: "cortex-a53"),
        new("el2-max", "el2.elf", 2, false, StopReason.PowerOff, 0, Cpu: "max"),
        new("semihosting", "semihosting.elf", 1, true, StopReason.SemihostingExit, 3),
        new("mmu_s1", "mmu_s1.elf", 1, false, StopReason.PowerOff, 0),
        new("mmu_s2", "mmu_s2.elf", 2, false, StopReason.PowerOff, 0),
        // Data aborts of every kind (stage 1 at EL2 and EL1, alignment, external, stage 2 to EL2), 64 of each per
        // instruction, with every register the faulting instruction would write checked unchanged: about 8,500 (cortex-a57)
        // and 10,000 (max, with the LSE atomics) exceptions.
        new("aborts", "aborts.elf", 2, false, StopReason.PowerOff, 0, MaxExceptions: 20_000),
        new("aborts-max", "aborts.elf", 2, false, StopReason.PowerOff, 0, Cpu: "max", MaxExceptions: 20_000),
        new("simd", "simd.elf", 1, false, StopReason.PowerOff, 0),
        new("simd-el2", "simd.elf", 2, false, StopReason.PowerOff, 0),
        new("gicv3_hyp", "gicv3_hyp.elf", 2, false, StopReason.PowerOff, 0, GicVersion: 3),
        new("gicv3_el1", "gicv3_el1.elf", 1, false, StopReason.PowerOff, 0, GicVersion: 3),
        // Four CPUs: PSCI CPU_ON/AFFINITY_INFO/CPU_OFF, spinlocks and counters across CPUs, SGIs, TLBI IS, IC IVAU, SEV;
        // with GICv2 on cortex-a57 and with GICv3 on max (LSE CAS too).
        new("smp", "smp.elf", 1, false, StopReason.PowerOff, 0, Cpus: 4),
        new("smp-gicv3-max", "smp.elf", 1, false, StopReason.PowerOff, 0, GicVersion: 3, Cpus: 4, Cpu: "max"),
        // Three CPUs: 16-byte atomics (CASP, LDXP/STXP) against another CPU's plain stores and STADDs to half the pair,
        // read by a third with 16-byte atomics (SmpParallelGuestTests runs it in parallel mode): ~35 M instructions.
        new("pairs", "pairs.elf", 1, false, StopReason.PowerOff, 0, 50_000_000, Cpus: 3, Cpu: "max"),
        new("debug", "debug.elf", 1, false, StopReason.PowerOff, 0),
        new("debug-el2", "debug.elf", 2, false, StopReason.PowerOff, 0),
        // An AArch64 EL1 running an A32 program (built by arm-linux-gnueabihf-gcc) at AArch32 EL0.
        new("aarch32", "aarch32.elf", 1, false, StopReason.PowerOff, 0),
        // The same program built with -mthumb: T32 at AArch32 EL0 (IT blocks, CBZ, TBB/TBH, LDRD/STRD... as gcc emits them).
        new("aarch32_thumb", "aarch32_thumb.elf", 1, false, StopReason.PowerOff, 0),
        new("aarch32_vfp", "aarch32_vfp.elf", 1, false, StopReason.PowerOff, 0),
        new("aarch32_vfp_thumb", "aarch32_vfp_thumb.elf", 1, false, StopReason.PowerOff, 0),
        // An AArch64 EL2 running an A32 kernel at AArch32 EL1 (HCR_EL2.RW = 0) under stage 2: PL1 modes and banked
        // registers, CP15, exceptions at EL1 and their returns, traps and stage-2 aborts to EL2 with the AArch32 syndromes.
        // Its kernel prints through HVCs and MMIO exits: about 300 exceptions.
        new("aarch32_el1", "aarch32_el1.elf", 2, false, StopReason.PowerOff, 0, MaxExceptions: 1000),
        // The debug architecture from AArch32 EL1 under an AArch64 EL2: CP14 registers, BKPT, breakpoints (A32, T32 at a
        // halfword) and a watchpoint taken at EL1 and routed to EL2 by MDCR_EL2.TDE, the TDA/TDOSA/TDRA traps.
        new("debug32", "debug32.elf", 2, false, StopReason.PowerOff, 0),
        // An ARMv7-A hypervisor (cortex-a15, AArch32 only) starting in Hyp mode: PL2 registers, exceptions in Hyp mode,
        // a PL1 guest's HVCs and traps (HSR), a virtual IRQ, stage 2 with HDFAR/HPFAR, the Hyp timer through the GICv2.
        new("armv7_hyp", "armv7_hyp.elf", 2, false, StopReason.PowerOff, 0, Cpu: "cortex-a15"),
        // The ARMv7.1 debug architecture of cortex-a15 through CP14: BKPT, a breakpoint and a watchpoint at PL1, the
        // HDCR.TDA/TDOSA/TDRA traps to Hyp mode, HDCR.TDE routing BKPT and a breakpoint to Hyp mode.
        new("armv7_debug", "armv7_debug.elf", 2, false, StopReason.PowerOff, 0, Cpu: "cortex-a15"),
        // --el 3: Monitor mode and the Security Extensions (QEMU's secure=on, no PSCI: the guest ends halted).
        new("armv7_secure", "armv7_secure.elf", 3, false, StopReason.Halted, 0, Cpu: "cortex-a15", HaltMarker: "armv7_secure: done\n"),
        // cpubench.c's kernels built for A32 at AArch32 EL0 (cpubench_a32_user.c), 1 round: ~9 M instructions.
        new("cpubench-a32", "cpubench_a32_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
        new("pmu", "pmu.elf", 2, false, StopReason.PowerOff, 0),
        // The PMU from AArch32 EL1 and EL0 under an AArch64 EL2: the CP15 c9/c14 views, SW_INCR with the EL filters, the
        // overflow interrupt in IRQ mode, PMCCNTR by MCR/MRC with PMCCFILTR, PMUSERENR, MDCR_EL2.TPM and HPMN.
        new("pmu32", "pmu32.elf", 2, false, StopReason.PowerOff, 0),
        // The target of the GDB stub's scripted sessions (ArmVirt.Cli.Tests GdbSessionTests), built with -g.
        new("gdbtarget", "gdbtarget.elf", 1, false, StopReason.PowerOff, 0),
        // tests/guests/cpubench.c with 2 rounds (bench/cpubench.sh runs the 200-round cpubench.elf): ~16 M instructions.
        new("cpubench", "cpubench_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
        // The quick builds of the benchmark guests in the other translation modes of tests/guests/common/bench_mode.h
        // (MMU off at EL1, EL2 with its own stage 1, EL1 under a stage-2 monitor; bench/cpubench.sh --matrix runs the
        // full builds): cpubench ~16 M instructions, shapes.c (interpreter, lexer, function pointers, SHA-256, pointer
        // chasing) ~13 M.
        new("cpubench-mmuoff", "cpubench_mmuoff_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
        new("cpubench-el2", "cpubench_el2_quick.elf", 2, false, StopReason.PowerOff, 0, 40_000_000),
        new("cpubench-s2", "cpubench_s2_quick.elf", 2, false, StopReason.PowerOff, 0, 40_000_000),
        new("shapes-mmuoff", "shapes_mmuoff_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
        new("shapes-el1", "shapes_el1_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
        new("shapes-el2", "shapes_el2_quick.elf", 2, false, StopReason.PowerOff, 0, 40_000_000),
        new("shapes-s2", "shapes_s2_quick.elf", 2, false, StopReason.PowerOff, 0, 40_000_000),
    ];

    public static GuestCase Named(string name) => All.Single(c => c.Name == name);

    public static string GuestsDirectory => Path.Combine(AppContext.BaseDirectory, "guests");

    public string ElfPath => Path.Combine(GuestsDirectory, "bin", Elf);

    public string ExpectedPath => Path.Combine(GuestsDirectory, "expected", Name + ".txt");
}
