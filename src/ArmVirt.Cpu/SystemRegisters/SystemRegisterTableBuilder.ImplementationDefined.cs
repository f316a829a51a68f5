namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // The IMPLEMENTATION DEFINED registers of cortex-a57 and cortex-a53 that Linux, firmware and hypervisors touch
    // (Cortex-A57 TRM r1p3 and Cortex-A53 TRM r0p4, section 4.3: the same encodings on both), as QEMU has them
    // (cortex_a72_a57_a53_cp_reginfo), which the guest tests compare against: EL1 and up, reads of their values, writes
    // accepted and ignored (they tune caches, prefetchers and ECC the emulator does not model; the syndrome registers
    // never record an error); trapped to EL2 by HCR_EL2.TIDCP from EL1, as the rest of the IMPLEMENTATION DEFINED space
    // (op0 = 3, CRn = 11 or 15). L2CTLR_EL1[25:24] is the number of cores in the cluster - 1 (the TRMs' L2CTLR_EL1
    // bit assignments; the machine's CPUs are one cluster, Aff0 = index, as QEMU reads it for up to four); its RAM
    // latency and ECC fields reset to the build configuration's values, which QEMU (and so this model) leaves 0. Every
    // CPU model has them: QEMU's max is built on cortex-a57 and keeps them (the el2-max guest case reads them).
    // The TRMs' write gating by ACTLR_EL2/ACTLR_EL3 is not modelled: QEMU's ACTLR_EL2 is RAZ/WI and writes are accepted.
    // The TIDCP trap is checked against the Arm ARM (TrapTests), not QEMU: Debian's QEMU 7.2 does not implement it.
    private static void AddImplementationDefined(SystemRegisterTable t)
    {
        var tidcp = SystemRegisterTraps.ImplementationDefined;
        Add(t, "L2CTLR_EL1", 3, 1, 11, 0, 2, c => (ulong)(Math.Min(c.Domain?.Cpus.Count ?? 1, 4) - 1) << 24, (_, _) => { }, tidcp);
        foreach (var (name, op1, crn, crm, op2) in new[]
        {
            ("L2ECTLR_EL1", 1, 11, 0, 3), ("L2ACTLR_EL1", 1, 15, 0, 0),
            ("CPUACTLR_EL1", 1, 15, 2, 0), ("CPUECTLR_EL1", 1, 15, 2, 1), ("CPUMERRSR_EL1", 1, 15, 2, 2),
            ("L2MERRSR_EL1", 1, 15, 2, 3),
        })
            Add(t, name, 3, op1, crn, crm, op2, _ => 0, (_, _) => { }, tidcp);
    }
}
