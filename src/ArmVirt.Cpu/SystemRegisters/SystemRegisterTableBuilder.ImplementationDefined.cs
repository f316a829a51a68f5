namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // The IMPLEMENTATION DEFINED registers of cortex-a57 and cortex-a53 that Linux, firmware and hypervisors touch
    // (Cortex-A57 TRM r1p3 and Cortex-A53 TRM r0p4, section 4.3: the same encodings on both), as QEMU has them
    // (cortex_a72_a57_a53_cp_reginfo), which the guest tests compare against: EL1 and up, reads of their values, writes
    // accepted and ignored (they tune caches, prefetchers and ECC the emulator does not model; the syndrome registers
    // never record an error); trapped to EL2 by HCR_EL2.TIDCP from EL1, as the rest of the IMPLEMENTATION DEFINED space
    // (op0 = 3, CRn = 11 or 15). L2CTLR_EL1[25:24] is the number of cores - 1: 0 for the one core.
    private static void AddImplementationDefined(SystemRegisterTable t)
    {
        var tidcp = SystemRegisterTraps.ImplementationDefined;
        foreach (var (name, op1, crn, crm, op2) in new[]
        {
            ("L2CTLR_EL1", 1, 11, 0, 2), ("L2ECTLR_EL1", 1, 11, 0, 3), ("L2ACTLR_EL1", 1, 15, 0, 0),
            ("CPUACTLR_EL1", 1, 15, 2, 0), ("CPUECTLR_EL1", 1, 15, 2, 1), ("CPUMERRSR_EL1", 1, 15, 2, 2),
            ("L2MERRSR_EL1", 1, 15, 2, 3),
        })
            Add(t, name, 3, op1, crn, crm, op2, _ => 0, (_, _) => { }, tidcp);
    }
}
