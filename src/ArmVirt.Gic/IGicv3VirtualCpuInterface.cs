namespace ArmVirt.Gic;

/// <summary>
/// The virtual CPU interface of one PE (the ICV_*_EL1 registers), as seen by EL1 when HCR_EL2.IMO/FMO redirect
/// its accesses. It is driven by the hypervisor's ICH_*_EL2 registers (list registers, ICH_HCR_EL2, ICH_VMCR_EL2).
/// The physical GICv3 CPU interface's system-register installer calls it; the CPU never sees the GIC.
/// </summary>
internal interface IGicv3VirtualCpuInterface
{
    /// <summary>
    /// True when ICH_HCR_EL2 traps this EL1 access to EL2 (TC for the common registers, TALL0/TALL1 for each group,
    /// TDIR for ICV_DIR_EL1; IHI 0069 ICH_HCR_EL2): the caller then takes the system-register trap to EL2.
    /// </summary>
    bool TrapsToEl2(Gicv3CpuRegister register, bool write);

    /// <summary>Reads the ICV_* register (side effects included: ICV_IAR*_EL1 acknowledges a list register entry).</summary>
    ulong Read(Gicv3CpuRegister register);

    /// <summary>Writes the ICV_* register (ICV_EOIR*_EL1 / ICV_DIR_EL1 complete list register entries).</summary>
    void Write(Gicv3CpuRegister register, ulong value);
}
