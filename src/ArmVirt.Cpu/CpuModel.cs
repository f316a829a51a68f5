namespace ArmVirt.Cpu;

/// <summary>
/// The identification a CPU model reports (MIDR_EL1 and the ID_AA64* registers), selected with <c>--cpu</c>.
/// </summary>
/// <param name="Name">Name used on the command line.</param>
/// <param name="Midr">MIDR_EL1.</param>
/// <param name="IdAa64Pfr0">ID_AA64PFR0_EL1 (EL fields are overridden to match the configured ELs).</param>
/// <param name="IdAa64Isar0">ID_AA64ISAR0_EL1.</param>
/// <param name="IdAa64Isar1">ID_AA64ISAR1_EL1.</param>
/// <param name="IdAa64Mmfr0">ID_AA64MMFR0_EL1.</param>
/// <param name="IdAa64Mmfr1">ID_AA64MMFR1_EL1.</param>
/// <param name="IdAa64Mmfr2">ID_AA64MMFR2_EL1.</param>
/// <param name="IdAa64Dfr0">ID_AA64DFR0_EL1.</param>
/// <param name="Ctr">CTR_EL0.</param>
/// <param name="Dczid">DCZID_EL0.</param>
/// <param name="Revidr">REVIDR_EL1.</param>
public sealed record CpuModel(string Name, ulong Midr, ulong IdAa64Pfr0, ulong IdAa64Isar0, ulong IdAa64Isar1,
    ulong IdAa64Mmfr0, ulong IdAa64Mmfr1, ulong IdAa64Mmfr2, ulong IdAa64Dfr0, ulong Ctr, ulong Dczid, ulong Revidr)
{
    /// <summary>
    /// Cortex-A57 r1p3, as QEMU's <c>-cpu cortex-a57</c> reports it (Cortex-A57 TRM, "AArch64 register summary"):
    /// 48-bit PA, 4K and 64K granules, 16-bit ASIDs, AES/SHA1/SHA2/PMULL and CRC32.
    /// </summary>
    public static CpuModel CortexA57 { get; } = new("cortex-a57",
        Midr: 0x411F_D070, IdAa64Pfr0: 0x0000_0000_0000_2222, IdAa64Isar0: 0x0000_0000_0001_1120,
        IdAa64Isar1: 0, IdAa64Mmfr0: 0x0000_0000_0000_1124, IdAa64Mmfr1: 0, IdAa64Mmfr2: 0,
        IdAa64Dfr0: 0x0000_0000_1030_5106, Ctr: 0x8444_C004, Dczid: 0x4, Revidr: 0) { Fpsid = 0x4103_4070 };

    /// <summary>Cortex-A53 r0p4.</summary>
    public static CpuModel CortexA53 { get; } = new("cortex-a53",
        Midr: 0x410F_D034, IdAa64Pfr0: 0x0000_0000_0000_2222, IdAa64Isar0: 0x0000_0000_0001_1120,
        IdAa64Isar1: 0, IdAa64Mmfr0: 0x0000_0000_0000_1122, IdAa64Mmfr1: 0, IdAa64Mmfr2: 0,
        IdAa64Dfr0: 0x0000_0000_1030_5106, Ctr: 0x8444_C004, Dczid: 0x4, Revidr: 0) { Pmcr = 0x4103_3000, Fpsid = 0x4103_4070 };

    /// <summary>
    /// A Cortex-A57 with the Armv8.1 additions the emulator implements: LSE atomics
    /// (ID_AA64ISAR0_EL1.Atomic = 2) and PAN (ID_AA64MMFR1_EL1.PAN = 1), like QEMU's <c>-cpu max</c> subset; in AArch32,
    /// VQRDMLAH/VQRDMLSH (ID_ISAR5.RDM = 1). What it does not implement it does not advertise.
    /// </summary>
    public static CpuModel Max { get; } = CortexA57 with
    {
        Name = "max",
        IdAa64Isar0 = 0x0000_0000_0021_1120,
        IdAa64Mmfr1 = 0x0000_0000_0010_0000,
        Aarch32 = Aarch32Identification.CortexA57 with { Isar5 = 0x0101_1121 },
    };

    /// <summary>The AArch32 identification registers (ID_PFR0_EL1 ... MVFR2_EL1), read at EL1 and above.</summary>
    public Aarch32Identification Aarch32 { get; init; } = Aarch32Identification.CortexA57;

    /// <summary>
    /// PMCR_EL0's reset value (Cortex-A57/A53 TRM "PMCR_EL0", the values QEMU resets it to): IMP 0x41, the core's
    /// IDCODE (A57 0x01, A53 0x03) and N = 6 event counters; the control bits reset to 0.
    /// </summary>
    public ulong Pmcr { get; init; } = 0x4101_3000;

    /// <summary>
    /// Cortex-A15 r4p0 as QEMU's <c>-cpu cortex-a15</c> reports it (Cortex-A15 TRM, "System control registers"): an
    /// ARMv7-A PE with no AArch64 state (<see cref="Aarch32Only"/>), the Virtualization Extensions (Hyp mode, PL2) and
    /// LPAE (40-bit physical addresses), VFPv4-D32 and Advanced SIMD, SDIV/UDIV; no v8 instructions (ID_ISAR5 = 0).
    /// The ID_AA64* values are not architecturally visible on it: they only describe, to the translation code, what
    /// the LPAE formats allow (4 KiB granule, 40-bit PA) and, in ID_AA64DFR0's BRPs/WRPs/CTX_CMPs, the debug units
    /// DBGDIDR reports (six breakpoints, two of them context-aware, four watchpoints: the TRM's and QEMU's).
    /// </summary>
    public static CpuModel CortexA15 { get; } = new("cortex-a15",
        Midr: 0x414F_C0F0, IdAa64Pfr0: 0x0000_0000_0000_0022, IdAa64Isar0: 0, IdAa64Isar1: 0,
        IdAa64Mmfr0: 0x0F00_0002, IdAa64Mmfr1: 0, IdAa64Mmfr2: 0, IdAa64Dfr0: 0x1030_5000, Ctr: 0x8444_C004, Dczid: 0x10, Revidr: 0)
    {
        Aarch32Only = true,
        Aarch32 = Aarch32Identification.CortexA15,
        Ccsidr = [0x701F_E00A, 0x201F_E00A, 0x711F_E07A], // 32 KiB L1 D, 32 KiB L1 I, 4 MiB L2 (QEMU's values)
        Fpsid = 0x4104_30F0,
        ResetSctlr = 0x00C5_0078,
    };

    /// <summary>
    /// Cortex-A7 r0p5 as QEMU's <c>-cpu cortex-a7</c> reports it (Cortex-A7 MPCore TRM): the same architecture as
    /// <see cref="CortexA15"/> (Virtualization Extensions, LPAE, VFPv4, SDIV/UDIV), its own caches and identification.
    /// </summary>
    public static CpuModel CortexA7 { get; } = CortexA15 with
    {
        Name = "cortex-a7",
        Midr = 0x410F_C075,
        Ctr = 0x8444_8003,
        Aarch32 = Aarch32Identification.CortexA7,
        // The caches' CCSIDRs are cortex-a15's, as QEMU 7.2 reports them for its cortex-a7 (the guests compare with it).
        Fpsid = 0x4102_3075,
    };

    /// <summary>
    /// The PE implements AArch32 only (an ARMv7-A core): it resets into AArch32 Supervisor mode, or Hyp mode when EL2 is
    /// its highest EL; EL1 (and EL2) are always AArch32 and A64 code cannot run on it.
    /// </summary>
    public bool Aarch32Only { get; init; }

    /// <summary>CCSIDR of the L1 data, L1 instruction and L2 unified caches, when the model gives them (else the A57/A53 values).</summary>
    public IReadOnlyList<uint>? Ccsidr { get; init; }

    /// <summary>
    /// FPSID, read by VMRS at EL1 and above in AArch32: Cortex-A57 and A53 0x41034070 (their TRMs' "FPSID": implementer
    /// Arm, no software-emulation, subarchitecture 0x03 (VFPv3 common), part 0x40, variant 7, revision 0; QEMU's
    /// reset_fpsid), the ARMv7 models their own.
    /// </summary>
    public uint Fpsid { get; init; }

    /// <summary>SCTLR's reset value on an AArch32-only model (QEMU's <c>reset_sctlr</c>; the TRM's with the caches off).</summary>
    public uint ResetSctlr { get; init; }

    /// <summary>The models <c>--cpu</c> accepts.</summary>
    public static IReadOnlyList<CpuModel> All { get; } = [CortexA57, CortexA53, Max, CortexA15, CortexA7];

    /// <summary>FEAT_LSE: ID_AA64ISAR0_EL1.Atomic is 2 or more.</summary>
    public bool HasLse => ((IdAa64Isar0 >> 20) & 0xF) >= 2;

    /// <summary>FEAT_CRC32: ID_AA64ISAR0_EL1.CRC32 is 1.</summary>
    public bool HasCrc32 => ((IdAa64Isar0 >> 16) & 0xF) >= 1;

    /// <summary>
    /// EL1 implements AArch32 (ID_AA64PFR0_EL1.EL1 = 2 in the model's value): an AArch64 EL2 may run EL1 in AArch32
    /// with HCR_EL2.RW = 0, which is then writable.
    /// </summary>
    public bool HasAarch32El1 => ((IdAa64Pfr0 >> 4) & 0xF) == 2;

    /// <summary>Finds a model by name, case-insensitively.</summary>
    public static CpuModel? Find(string name) => All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase));
}
