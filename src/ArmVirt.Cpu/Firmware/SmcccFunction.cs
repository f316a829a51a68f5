namespace ArmVirt.Cpu.Firmware;

/// <summary>Arm Architecture Service function identifiers (SMC Calling Convention, Arm DEN 0028, owner 0).</summary>
internal enum SmcccFunction : uint
{
    /// <summary>SMCCC_VERSION: returns the implemented SMCCC version (1.1 = 0x10001).</summary>
    Version = 0x8000_0000,
    /// <summary>SMCCC_ARCH_FEATURES: whether an Arm Architecture Service function is implemented.</summary>
    ArchFeatures = 0x8000_0001,
    /// <summary>SMCCC_ARCH_SOC_ID (SMCCC 1.2).</summary>
    ArchSocId = 0x8000_0002,
    /// <summary>SMCCC_ARCH_WORKAROUND_1 (CVE-2017-5715 branch predictor invalidation).</summary>
    ArchWorkaround1 = 0x8000_8000,
    /// <summary>SMCCC_ARCH_WORKAROUND_2 (CVE-2018-3639 speculative store bypass).</summary>
    ArchWorkaround2 = 0x8000_7FFF,
    /// <summary>SMCCC_ARCH_WORKAROUND_3 (CVE-2022-23960 branch history).</summary>
    ArchWorkaround3 = 0x8000_3FFF,
}
