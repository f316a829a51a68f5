namespace ArmVirt.Cpu.Firmware;

/// <summary>PSCI return codes (Arm DEN 0022, "Return error codes"), returned as a signed 32-bit value in W0/X0.</summary>
internal enum PsciReturn
{
    /// <summary>The call succeeded.</summary>
    Success = 0,
    /// <summary>The function is not implemented.</summary>
    NotSupported = -1,
    /// <summary>An argument is not valid (unknown MPIDR, reserved bits set, unsupported affinity level).</summary>
    InvalidParameters = -2,
    /// <summary>The implementation refuses the request.</summary>
    Denied = -3,
    /// <summary>CPU_ON: the target core is already on.</summary>
    AlreadyOn = -4,
    /// <summary>CPU_ON: an earlier CPU_ON for the target core has not completed yet.</summary>
    OnPending = -5,
    /// <summary>The implementation failed for a reason of its own.</summary>
    InternalFailure = -6,
    /// <summary>The requested resource is not present.</summary>
    NotPresent = -7,
    /// <summary>The requested resource is disabled.</summary>
    Disabled = -8,
    /// <summary>An entry point address is known to be invalid (PSCI 1.0 and later).</summary>
    InvalidAddress = -9,
}
