namespace ArmVirt.Cpu.SystemRegisters;

/// <summary>
/// Storage of the architectural system registers. Registers banked by exception level are arrays indexed by
/// EL (index 0 unused where the register has no EL0 instance). The fields hold values already masked by the
/// write rules of <see cref="SystemRegisterTableBuilder"/>, so the MMU and the exception model may read them
/// directly. Registers owned by other components (generic timer, FPCR/FPSR) live there, not here.
/// </summary>
public sealed partial class SystemRegisterFile
{
    /// <summary>SCTLR_EL1..EL3 (index = EL).</summary>
    public readonly ulong[] Sctlr = new ulong[4];
    /// <summary>ACTLR_EL1..EL3 (IMPLEMENTATION DEFINED; plain storage).</summary>
    public readonly ulong[] Actlr = new ulong[4];
    /// <summary>VBAR_EL1..EL3.</summary>
    public readonly ulong[] Vbar = new ulong[4];
    /// <summary>ESR_EL1..EL3.</summary>
    public readonly ulong[] Esr = new ulong[4];
    /// <summary>FAR_EL1..EL3.</summary>
    public readonly ulong[] Far = new ulong[4];
    /// <summary>ELR_EL1..EL3.</summary>
    public readonly ulong[] Elr = new ulong[4];
    /// <summary>SPSR_EL1..EL3.</summary>
    public readonly ulong[] Spsr = new ulong[4];
    /// <summary>TTBR0_EL1..EL3.</summary>
    public readonly ulong[] Ttbr0 = new ulong[4];
    /// <summary>TTBR1_EL1 (index 1 only: TTBR1_EL2 needs FEAT_VHE).</summary>
    public readonly ulong[] Ttbr1 = new ulong[4];
    /// <summary>TCR_EL1..EL3.</summary>
    public readonly ulong[] Tcr = new ulong[4];
    /// <summary>MAIR_EL1..EL3.</summary>
    public readonly ulong[] Mair = new ulong[4];
    /// <summary>AMAIR_EL1..EL3.</summary>
    public readonly ulong[] Amair = new ulong[4];
    /// <summary>AFSR0_EL1..EL3.</summary>
    public readonly ulong[] Afsr0 = new ulong[4];
    /// <summary>AFSR1_EL1..EL3.</summary>
    public readonly ulong[] Afsr1 = new ulong[4];
    /// <summary>TPIDR_EL0..EL3 (index = EL).</summary>
    public readonly ulong[] Tpidr = new ulong[4];
    /// <summary>CPTR_EL2 and CPTR_EL3 (index = EL).</summary>
    public readonly ulong[] Cptr = new ulong[4];
    /// <summary>MDCR_EL2 and MDCR_EL3 (index = EL).</summary>
    public readonly ulong[] Mdcr = new ulong[4];

    /// <summary>TPIDRRO_EL0.</summary>
    public ulong Tpidrro;
    /// <summary>CPACR_EL1.</summary>
    public ulong Cpacr;
    /// <summary>CONTEXTIDR_EL1.</summary>
    public ulong ContextIdr;
    /// <summary>PAR_EL1.</summary>
    public ulong Par;
    /// <summary>CSSELR_EL1.</summary>
    public ulong Csselr;

    /// <summary>The physical MIDR_EL1 (what EL2 and EL3 read; EL1 reads VPIDR_EL2 when EL2 is enabled).</summary>
    public ulong Midr;
    /// <summary>The physical MPIDR_EL1 (what EL2 and EL3 read; EL1 reads VMPIDR_EL2 when EL2 is enabled).</summary>
    public ulong Mpidr;
    /// <summary>RVBAR_ELx of the highest implemented EL: the reset vector (set by the machine).</summary>
    public ulong Rvbar;

    /// <summary>MDSCR_EL1.</summary>
    public ulong Mdscr;
    /// <summary>MDCCINT_EL1.</summary>
    public ulong Mdccint;
    /// <summary>OSLSR_EL1.OSLK, the OS lock (set on cold reset, written through OSLAR_EL1).</summary>
    public bool OsLock;
    /// <summary>OSDLR_EL1.</summary>
    public ulong Osdlr;
    /// <summary>DBGPRCR_EL1.</summary>
    public ulong Dbgprcr;
    /// <summary>DBGCLAIMSET/CLR_EL1 claim tag bits.</summary>
    public ulong DbgClaim;
    /// <summary>DBGVCR32_EL2 (the AArch32 DBGVCR).</summary>
    public ulong Dbgvcr32;
    /// <summary>DBGWFAR of an ARMv7 PE: the address of the instruction that hit the last watchpoint, plus 8 (A32) or 4 (T32).</summary>
    public ulong Dbgwfar;
    /// <summary>TEECR and TEEHBR: the ThumbEE configuration (XED) and handler base of an ARMv7 PE that implements ThumbEE.</summary>
    internal ulong Teecr, Teehbr;
    /// <summary>DBGBVR&lt;n&gt;_EL1.</summary>
    public readonly ulong[] Dbgbvr = new ulong[16];
    /// <summary>DBGBCR&lt;n&gt;_EL1.</summary>
    public readonly ulong[] Dbgbcr = new ulong[16];
    /// <summary>DBGWVR&lt;n&gt;_EL1.</summary>
    public readonly ulong[] Dbgwvr = new ulong[16];
    /// <summary>DBGWCR&lt;n&gt;_EL1.</summary>
    public readonly ulong[] Dbgwcr = new ulong[16];

    /// <summary>HCR_EL2.</summary>
    public ulong Hcr;
    /// <summary>HSTR_EL2.</summary>
    public ulong Hstr;
    /// <summary>HACR_EL2.</summary>
    public ulong Hacr;
    /// <summary>VTTBR_EL2.</summary>
    public ulong Vttbr;
    /// <summary>VTCR_EL2.</summary>
    public ulong Vtcr;
    /// <summary>VPIDR_EL2.</summary>
    public ulong Vpidr;
    /// <summary>VMPIDR_EL2.</summary>
    public ulong Vmpidr;
    /// <summary>HPFAR_EL2.</summary>
    public ulong Hpfar;

    /// <summary>SPSR_abt, the saved program status of AArch32 Abort mode (SPSR_svc is SPSR_EL1).</summary>
    public ulong SpsrAbt;
    /// <summary>SPSR_und (AArch32 Undefined mode).</summary>
    public ulong SpsrUnd;
    /// <summary>SPSR_irq (AArch32 IRQ mode).</summary>
    public ulong SpsrIrq;
    /// <summary>SPSR_fiq (AArch32 FIQ mode).</summary>
    public ulong SpsrFiq;
    /// <summary>DACR32_EL2: the AArch32 DACR of EL1.</summary>
    public ulong Dacr32;
    /// <summary>IFSR32_EL2: the AArch32 IFSR of EL1.</summary>
    public ulong Ifsr32;
    /// <summary>FPEXC32_EL2: the AArch32 FPEXC.</summary>
    public ulong Fpexc32;

    /// <summary>SCR_EL3 (on an AArch32-only PE with EL3, the AArch32 SCR).</summary>
    public ulong Scr;

    // The Security Extensions of an AArch32-only PE with EL3 (Monitor mode): the Secure instances of the banked CP15
    // registers. Those with an AArch64 EL3 register of the same layout are kept there, as QEMU keeps them (SCTLR(S) in
    // Sctlr[3], TTBR0/1(S) in Ttbr0/Ttbr1[3], TTBCR(S) in Tcr[3], DFSR(S) in Esr[3], DFAR/IFAR(S) in Far[3], PRRR/NMRR(S)
    // in Mair[3], AMAIR0/1(S) in Amair[3], VBAR(S) in Vbar[3], TPIDRPRW(S) in Tpidr[3]; SPSR_mon is Spsr[3]); the others
    // are these fields.
    /// <summary>NSACR: Non-secure access to cp10/cp11 and NSASEDIS.</summary>
    internal ulong Nsacr;
    /// <summary>SDER: Secure debug enables.</summary>
    internal ulong Sder;
    /// <summary>MVBAR: the Monitor vector base.</summary>
    internal ulong Mvbar;
    /// <summary>DACR(S).</summary>
    internal ulong DacrS;
    /// <summary>IFSR(S).</summary>
    internal ulong IfsrS;
    /// <summary>PAR(S).</summary>
    internal ulong ParS;
    /// <summary>CONTEXTIDR(S).</summary>
    internal ulong ContextIdrS;
    /// <summary>TPIDRURW(S).</summary>
    internal ulong TpidrurwS;
    /// <summary>TPIDRURO(S).</summary>
    internal ulong TpidruroS;
    /// <summary>CSSELR(S).</summary>
    internal ulong CsselrS;
}
