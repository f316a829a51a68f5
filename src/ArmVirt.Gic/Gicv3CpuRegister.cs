namespace ArmVirt.Gic;

/// <summary>
/// The GICv3 CPU interface registers that an EL1 access reaches either as ICC_*_EL1 (physical) or, when
/// HCR_EL2.IMO/FMO route the interrupt group to EL2, as the ICV_*_EL1 register with the same encoding
/// (IHI 0069, 12.1.10 "Virtualization and the CPU interface system registers"; 12.3 ICV_* descriptions).
/// ICC_SGI*R, ICC_SRE_EL1 and ICC_ASGI1R are not virtualized and are therefore not listed.
/// </summary>
internal enum Gicv3CpuRegister
{
    /// <summary>ICC/ICV_PMR_EL1: priority mask (redirected when IMO or FMO is set).</summary>
    Pmr,
    /// <summary>ICC/ICV_IAR0_EL1 (Group 0: FMO).</summary>
    Iar0,
    /// <summary>ICC/ICV_EOIR0_EL1 (Group 0: FMO).</summary>
    Eoir0,
    /// <summary>ICC/ICV_HPPIR0_EL1 (Group 0: FMO).</summary>
    Hppir0,
    /// <summary>ICC/ICV_BPR0_EL1 (Group 0: FMO).</summary>
    Bpr0,
    /// <summary>ICC/ICV_AP0R0_EL1 (Group 0: FMO); Ap0r1..Ap0r3 follow.</summary>
    Ap0r0,
    /// <summary>ICC/ICV_AP0R1_EL1.</summary>
    Ap0r1,
    /// <summary>ICC/ICV_AP0R2_EL1.</summary>
    Ap0r2,
    /// <summary>ICC/ICV_AP0R3_EL1.</summary>
    Ap0r3,
    /// <summary>ICC/ICV_AP1R0_EL1 (Group 1: IMO); Ap1r1..Ap1r3 follow.</summary>
    Ap1r0,
    /// <summary>ICC/ICV_AP1R1_EL1.</summary>
    Ap1r1,
    /// <summary>ICC/ICV_AP1R2_EL1.</summary>
    Ap1r2,
    /// <summary>ICC/ICV_AP1R3_EL1.</summary>
    Ap1r3,
    /// <summary>ICC/ICV_DIR_EL1 (redirected when IMO or FMO is set).</summary>
    Dir,
    /// <summary>ICC/ICV_RPR_EL1 (redirected when IMO or FMO is set).</summary>
    Rpr,
    /// <summary>ICC/ICV_IAR1_EL1 (Group 1: IMO).</summary>
    Iar1,
    /// <summary>ICC/ICV_EOIR1_EL1 (Group 1: IMO).</summary>
    Eoir1,
    /// <summary>ICC/ICV_HPPIR1_EL1 (Group 1: IMO).</summary>
    Hppir1,
    /// <summary>ICC/ICV_BPR1_EL1 (Group 1: IMO).</summary>
    Bpr1,
    /// <summary>ICC/ICV_CTLR_EL1 (redirected when IMO or FMO is set).</summary>
    Ctlr,
    /// <summary>ICC/ICV_IGRPEN0_EL1 (Group 0: FMO).</summary>
    Igrpen0,
    /// <summary>ICC/ICV_IGRPEN1_EL1 (Group 1: IMO).</summary>
    Igrpen1,
}
