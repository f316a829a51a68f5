using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>
    /// The SMCCC conduit of the built-in PSCI firmware, chosen as QEMU's virt does: HVC when the boot CPU starts at
    /// EL1 (no EL2 to take it), SMC when it starts at EL2 or EL3.
    /// </summary>
    public static FirmwareConduit ConduitFor(int highestEl) => highestEl == 1 ? FirmwareConduit.Hvc : FirmwareConduit.Smc;

    private void InstallFirmware(FirmwareConduit conduit, bool semihosting, Stream semihostingOutput)
    {
#if ARMVIRT_FIRMWARE
        Cpu.Firmware = new PsciFirmware(conduit, new SingleCpuPsciPlatform());
        if (semihosting) Cpu.Semihosting = new Semihosting(semihostingOutput, null);
#else
        // The firmware helper's PsciFirmware/Semihosting are not in this build yet (see ArmVirt.Machine.csproj).
        _ = conduit;
        if (semihosting)
            throw new MachineConfigurationException("semihosting: this build of ArmVirt has no semihosting support");
        _ = semihostingOutput;
#endif
    }
}
