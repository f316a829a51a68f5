namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// One address translation instruction (AT S1E0R ... S12E0W, Arm ARM C5.3 "AT"), handed to
/// <see cref="Cpu.AddressTranslationHook"/> which returns the PAR_EL1 value.
/// </summary>
/// <param name="Address">The input VA (Xt).</param>
/// <param name="El">The EL whose access is translated: 0 (S1E0*, S12E0*), 1, 2 or 3.</param>
/// <param name="IncludeStage2">True for S12E0*/S12E1*: the result is the PA after stage 2 when EL2 is enabled.</param>
/// <param name="Write">True for the W forms (write permission is checked).</param>
internal readonly record struct AtRequest(ulong Address, int El, bool IncludeStage2, bool Write);
