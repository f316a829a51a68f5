namespace ArmVirt.Cpu.Firmware;

/// <summary>
/// Built-in firmware that answers SMCCC calls (PSCI, SMCCC_VERSION) made through one conduit. The CPU offers an
/// HVC or SMC to it only where the architecture would otherwise take the call to an EL that is not implemented.
/// </summary>
internal interface IFirmwareCallHandler
{
    /// <summary>The conduit this firmware answers.</summary>
    FirmwareConduit Conduit { get; }

    /// <summary>
    /// Handles the call whose function ID is in W0 and arguments in X1..X7, writing results to X0..X3 per SMCCC.
    /// Returns false if <paramref name="immediate"/> is not 0 (not an SMCCC call), leaving the CPU untouched.
    /// </summary>
    bool TryHandleCall(Cpu cpu, ushort immediate);
}
