using ArmVirt.Cpu;

namespace ArmVirt.Guests.Tests;

/// <summary>
/// One guest run: which ELF, how the machine is configured (as QEMU is in tests/guests/record-expected.sh),
/// and how it must end.
/// </summary>
internal sealed record GuestCase(string Name, string Elf, int HighestEl, bool Semihosting, StopReason Reason, int ExitCode,
    ulong MaxInstructions = GuestCase.DefaultMaxInstructions, int GicVersion = 2)
{
    /// <summary>Instruction budget: the guests other than cpubench need well under a million.</summary>
    public const ulong DefaultMaxInstructions = 5_000_000;

    /// <summary>More exceptions than any guest takes: beyond this the run is stopped as an exception storm.</summary>
    public const int MaxExceptions = 100;

    public static readonly GuestCase[] All =
    [
        new("demo", "demo.elf", 2, false, StopReason.PowerOff, 0),
        new("demo-el1", "demo.elf", 1, false, StopReason.PowerOff, 0),
        new("exceptions", "exceptions.elf", 1, false, StopReason.PowerOff, 0),
        new("el2", "el2.elf", 2, false, StopReason.PowerOff, 0),
        new("semihosting", "semihosting.elf", 1, true, StopReason.SemihostingExit, 3),
        new("mmu_s1", "mmu_s1.elf", 1, false, StopReason.PowerOff, 0),
        new("mmu_s2", "mmu_s2.elf", 2, false, StopReason.PowerOff, 0),
        new("simd", "simd.elf", 1, false, StopReason.PowerOff, 0),
        new("simd-el2", "simd.elf", 2, false, StopReason.PowerOff, 0),
        new("gicv3_hyp", "gicv3_hyp.elf", 2, false, StopReason.PowerOff, 0, GicVersion: 3),
        new("gicv3_el1", "gicv3_el1.elf", 1, false, StopReason.PowerOff, 0, GicVersion: 3),
        // tests/guests/cpubench.c with 2 rounds (bench/cpubench.sh runs the 200-round cpubench.elf): ~16 M instructions.
        new("cpubench", "cpubench_quick.elf", 1, false, StopReason.PowerOff, 0, 40_000_000),
    ];

    public static GuestCase Named(string name) => All.Single(c => c.Name == name);

    public static string GuestsDirectory => Path.Combine(AppContext.BaseDirectory, "guests");

    public string ElfPath => Path.Combine(GuestsDirectory, "bin", Elf);

    public string ExpectedPath => Path.Combine(GuestsDirectory, "expected", Name + ".txt");
}
