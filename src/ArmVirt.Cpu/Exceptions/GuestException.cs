namespace ArmVirt.Cpu.Exceptions;

/// <summary>
/// Thrown by instruction semantics to abandon the current instruction and take a synchronous exception.
/// It never escapes the CPU: the execution loop catches it and performs AArch64.TakeException with the
/// instruction's own address as the preferred return address.
/// </summary>
internal sealed class GuestException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GuestException(ExceptionClass ec, uint iss, int targetEl, bool il = true, ulong? far = null, ulong? ipa = null)
    {
        Class = ec;
        Iss = iss;
        TargetEl = targetEl;
        InstructionLength32 = il;
        FaultAddress = far;
        IntermediatePhysicalAddress = ipa;
    }

    /// <summary>
    /// Formatted when asked (a debugger, a test failure), not at construction: a guest raises these on hot paths (a
    /// stage 2 data abort per MMIO exit of a KVM guest), where formatting the enum and the ISS cost time and garbage.
    /// </summary>
    public override string Message => $"{Class} ISS=0x{Iss:x} to EL{TargetEl}";

    /// <summary>Exception class.</summary>
    public ExceptionClass Class { get; }

    /// <summary>Instruction specific syndrome.</summary>
    public uint Iss { get; }

    /// <summary>The EL the exception is taken to.</summary>
    public int TargetEl { get; }

    /// <summary>ESR.IL: true for a 32-bit instruction.</summary>
    public bool InstructionLength32 { get; }

    /// <summary>Value for FAR_ELx, when it is valid.</summary>
    public ulong? FaultAddress { get; }

    /// <summary>IPA for HPFAR_EL2 on stage-2 faults.</summary>
    public ulong? IntermediatePhysicalAddress { get; }
}
