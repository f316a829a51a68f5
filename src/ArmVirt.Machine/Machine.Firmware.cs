using ArmVirt.Cpu.Firmware;

namespace ArmVirt.Machine;

public sealed partial class Machine
{
    /// <summary>
    /// The SMCCC conduit of the built-in PSCI firmware, chosen as QEMU's virt does: HVC when the boot CPU starts at
    /// EL1 (no EL2 to take it), SMC when it starts at EL2 or EL3.
    /// </summary>
    internal static FirmwareConduit ConduitFor(int highestEl) => highestEl == 1 ? FirmwareConduit.Hvc : FirmwareConduit.Smc;

    /// <summary>What the built-in firmware needs to know about the machine.</summary>
    internal readonly record struct FirmwareSettings(bool Semihosting, Stream SemihostingOutput, ulong RamSize, string CommandLine);

    private void InstallFirmware(FirmwareSettings settings)
    {
        IPsciPlatform platform = Cpus.Count == 1 ? new SingleCpuPsciPlatform() : new SmpPsciPlatform(this);
        var psci = new PsciFirmware(ConduitFor(Cpu.Configuration.HighestEl), platform);
        // Semihosting's console shares the serial output; serial input stays with the UART (SYS_READC sees EOF).
        var semihosting = settings.Semihosting
            ? new Semihosting(settings.SemihostingOutput, null, SemihostingHeapInfo.FromRam(VirtMemoryMap.RamBase, settings.RamSize), settings.CommandLine)
            : null;
        // Parallel SMP: one semihosting call at a time (its console, open files and heap are the machine's).
        ISemihostingHandler? handler = semihosting != null && SmpMode == SmpMode.Parallel ? new SerializedSemihosting(semihosting) : semihosting;
        // QEMU's secure=on virt (7.2, -kernel without firmware) answers no PSCI call: an SMC reaches Monitor mode.
        bool noPsci = Cpu.El3UsingAarch32;
        foreach (var cpu in Cpus)
        {
            if (!noPsci) cpu.Firmware = psci;
            if (handler != null) cpu.Semihosting = handler;
        }
    }

    private sealed class SerializedSemihosting(ISemihostingHandler inner) : ISemihostingHandler
    {
        public void Handle(ArmVirt.Cpu.Cpu cpu)
        {
            lock (this) inner.Handle(cpu);
        }
    }
}
