namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// PSCI 1.1 function identifiers (Arm DEN 0022, "Function IDs"): fast calls in the Standard Secure Service range,
/// with bit 30 selecting the SMC64 convention. Names ending in 32 or 64 exist in both conventions; the others only
/// as SMC32. <see cref="PsciFirmware"/> implements a subset; the rest answer NOT_SUPPORTED.
/// </summary>
internal enum PsciFunction : uint
{
    /// <summary>PSCI_VERSION.</summary>
    Version = 0x8400_0000,
    /// <summary>CPU_SUSPEND, SMC32.</summary>
    CpuSuspend32 = 0x8400_0001,
    /// <summary>CPU_SUSPEND, SMC64.</summary>
    CpuSuspend64 = 0xC400_0001,
    /// <summary>CPU_OFF.</summary>
    CpuOff = 0x8400_0002,
    /// <summary>CPU_ON, SMC32.</summary>
    CpuOn32 = 0x8400_0003,
    /// <summary>CPU_ON, SMC64.</summary>
    CpuOn64 = 0xC400_0003,
    /// <summary>AFFINITY_INFO, SMC32.</summary>
    AffinityInfo32 = 0x8400_0004,
    /// <summary>AFFINITY_INFO, SMC64.</summary>
    AffinityInfo64 = 0xC400_0004,
    /// <summary>MIGRATE, SMC32.</summary>
    Migrate32 = 0x8400_0005,
    /// <summary>MIGRATE, SMC64.</summary>
    Migrate64 = 0xC400_0005,
    /// <summary>MIGRATE_INFO_TYPE.</summary>
    MigrateInfoType = 0x8400_0006,
    /// <summary>MIGRATE_INFO_UP_CPU, SMC32.</summary>
    MigrateInfoUpCpu32 = 0x8400_0007,
    /// <summary>MIGRATE_INFO_UP_CPU, SMC64.</summary>
    MigrateInfoUpCpu64 = 0xC400_0007,
    /// <summary>SYSTEM_OFF.</summary>
    SystemOff = 0x8400_0008,
    /// <summary>SYSTEM_RESET.</summary>
    SystemReset = 0x8400_0009,
    /// <summary>PSCI_FEATURES.</summary>
    Features = 0x8400_000A,
    /// <summary>CPU_FREEZE.</summary>
    CpuFreeze = 0x8400_000B,
    /// <summary>CPU_DEFAULT_SUSPEND, SMC32.</summary>
    CpuDefaultSuspend32 = 0x8400_000C,
    /// <summary>CPU_DEFAULT_SUSPEND, SMC64.</summary>
    CpuDefaultSuspend64 = 0xC400_000C,
    /// <summary>NODE_HW_STATE, SMC32.</summary>
    NodeHwState32 = 0x8400_000D,
    /// <summary>NODE_HW_STATE, SMC64.</summary>
    NodeHwState64 = 0xC400_000D,
    /// <summary>SYSTEM_SUSPEND, SMC32.</summary>
    SystemSuspend32 = 0x8400_000E,
    /// <summary>SYSTEM_SUSPEND, SMC64.</summary>
    SystemSuspend64 = 0xC400_000E,
    /// <summary>PSCI_SET_SUSPEND_MODE.</summary>
    SetSuspendMode = 0x8400_000F,
    /// <summary>PSCI_STAT_RESIDENCY, SMC32.</summary>
    StatResidency32 = 0x8400_0010,
    /// <summary>PSCI_STAT_RESIDENCY, SMC64.</summary>
    StatResidency64 = 0xC400_0010,
    /// <summary>PSCI_STAT_COUNT, SMC32.</summary>
    StatCount32 = 0x8400_0011,
    /// <summary>PSCI_STAT_COUNT, SMC64.</summary>
    StatCount64 = 0xC400_0011,
    /// <summary>SYSTEM_RESET2, SMC32.</summary>
    SystemReset2_32 = 0x8400_0012,
    /// <summary>SYSTEM_RESET2, SMC64.</summary>
    SystemReset2_64 = 0xC400_0012,
    /// <summary>MEM_PROTECT.</summary>
    MemProtect = 0x8400_0013,
    /// <summary>MEM_PROTECT_CHECK_RANGE, SMC32.</summary>
    MemProtectCheckRange32 = 0x8400_0014,
    /// <summary>MEM_PROTECT_CHECK_RANGE, SMC64.</summary>
    MemProtectCheckRange64 = 0xC400_0014,
}
