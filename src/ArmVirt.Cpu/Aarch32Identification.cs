namespace ArmVirt.Cpu;

/// <summary>
/// The AArch32 feature identification registers a CPU model reports through their AArch64 views (ID_PFR0_EL1 ...
/// MVFR2_EL1, Arm ARM D17.2), describing the AArch32 state EL0 implements.
/// </summary>
/// <param name="Pfr0">ID_PFR0: A32, T32 (Thumb-2), no Jazelle, no ThumbEE.</param>
/// <param name="Pfr1">ID_PFR1: programmers' model, Security, Virtualization, generic timer.</param>
/// <param name="Dfr0">ID_DFR0: AArch32 debug.</param>
/// <param name="Mmfr0">ID_MMFR0.</param>
/// <param name="Mmfr1">ID_MMFR1.</param>
/// <param name="Mmfr2">ID_MMFR2.</param>
/// <param name="Mmfr3">ID_MMFR3.</param>
/// <param name="Mmfr4">ID_MMFR4.</param>
/// <param name="Isar0">ID_ISAR0: divide, debug, coprocessor, compare-and-branch, bitfield, bit counting, swap.</param>
/// <param name="Isar1">ID_ISAR1.</param>
/// <param name="Isar2">ID_ISAR2: multiply, multi-access interruptibility, memory hints, load/store.</param>
/// <param name="Isar3">ID_ISAR3: saturate, SIMD (parallel add/subtract), SVC, synchronization, table branch, T32 copy, NOP.</param>
/// <param name="Isar4">ID_ISAR4.</param>
/// <param name="Isar5">ID_ISAR5: SEVL, the Crypto extension (AES, SHA1, SHA2), CRC32.</param>
/// <param name="Mvfr0">MVFR0: VFPv4 registers, single and double precision, divide, square root.</param>
/// <param name="Mvfr1">MVFR1: Advanced SIMD and its half-precision, fused multiply-add.</param>
/// <param name="Mvfr2">MVFR2: the v8 Advanced SIMD and floating-point instructions.</param>
public sealed record Aarch32Identification(uint Pfr0, uint Pfr1, uint Dfr0, uint Mmfr0, uint Mmfr1, uint Mmfr2, uint Mmfr3,
    uint Mmfr4, uint Isar0, uint Isar1, uint Isar2, uint Isar3, uint Isar4, uint Isar5, uint Mvfr0, uint Mvfr1, uint Mvfr2)
{
    /// <summary>
    /// Cortex-A57 (and Cortex-A53, which reports the same values), from the Cortex-A57 TRM "AArch32 register summary"
    /// and as QEMU's <c>-cpu cortex-a57</c> reports them.
    /// </summary>
    public static Aarch32Identification CortexA57 { get; } = new(
        Pfr0: 0x0000_0131, Pfr1: 0x0001_1011, Dfr0: 0x0301_0066,
        Mmfr0: 0x1010_1105, Mmfr1: 0x4000_0000, Mmfr2: 0x0126_0000, Mmfr3: 0x0210_2211, Mmfr4: 0,
        Isar0: 0x0210_1110, Isar1: 0x1311_2111, Isar2: 0x2123_2042, Isar3: 0x0111_2131, Isar4: 0x0001_1142, Isar5: 0x0001_1121,
        Mvfr0: 0x1011_0222, Mvfr1: 0x1211_1111, Mvfr2: 0x0000_0043);

    /// <summary>
    /// Cortex-A15 (ARMv7-A with the Virtualization, Security and Large Physical Address Extensions, VFPv4, Advanced
    /// SIMD), from the Cortex-A15 TRM "Processor Feature" and "Memory Model Feature" registers, as QEMU's
    /// <c>-cpu cortex-a15</c> reports them: ID_ISAR5 and MVFR2 are 0 (no v8 instructions).
    /// </summary>
    public static Aarch32Identification CortexA15 { get; } = new(
        Pfr0: 0x0000_1131, Pfr1: 0x0001_1011, Dfr0: 0x0201_0555,
        Mmfr0: 0x1020_1105, Mmfr1: 0x2000_0000, Mmfr2: 0x0124_0000, Mmfr3: 0x0210_2211, Mmfr4: 0,
        Isar0: 0x0210_1110, Isar1: 0x1311_2111, Isar2: 0x2123_2041, Isar3: 0x1111_2131, Isar4: 0x1001_1142, Isar5: 0,
        Mvfr0: 0x1011_0222, Mvfr1: 0x1111_1111, Mvfr2: 0);

    /// <summary>Cortex-A7 MPCore (its TRM's ID registers, as QEMU's <c>-cpu cortex-a7</c> reports them).</summary>
    public static Aarch32Identification CortexA7 { get; } = CortexA15 with { Mmfr0 = 0x1010_1105, Mmfr1 = 0x4000_0000 };
}
