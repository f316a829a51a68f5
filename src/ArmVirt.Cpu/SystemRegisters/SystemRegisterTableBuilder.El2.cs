namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // SCTLR_EL2/EL3 without FEAT_VHE (D17.2.119/120): M, A, C, SA, I, WXN, EE writable; RES1 29, 28, 23, 22, 18,
    // 16, 11, 5, 4.
    internal const ulong SctlrEl2Res1 = 0x30C5_0830;
    internal const ulong SctlrEl2Writable = 0xF | (1UL << 12) | (1UL << 19) | (1UL << 25);
    // HCR_EL2 Armv8.0 bits 33:0; RW (bit 31) is RAO/WI unless EL1 implements AArch32, HCD (bit 29) is RES0 when EL3
    // is implemented.
    internal const ulong HcrWritable = 0x3_7FFF_FFFF & ~HcrEl2.Rw;
    // CPTR_EL2 without VHE: TFP, TTA, TCPAC writable; RES1 13:12 and 9:0 (bit 8, TZ, is RES1 without SVE).
    internal const ulong CptrEl2Res1 = 0x33FF;
    internal const ulong CptrWritable = (1UL << 10) | (1UL << 20) | (1UL << 31);
    // MDCR_EL2: HPMN, TPMCR, TPM, HPME, TDE, TDA, TDOSA, TDRA.
    internal const ulong MdcrEl2Writable = 0xFFF;
    // HSTR_EL2: T0..T15 except T4 and T14.
    internal const ulong HstrWritable = 0xBFEF;
    // TCR_EL2/EL3 without VHE: T0SZ, IRGN0, ORGN0, SH0, TG0, PS, TBI; RES1 bits 31 and 23.
    internal const ulong TcrEl2Writable = 0x0017_FF3F;
    internal const ulong TcrEl2Res1 = (1UL << 31) | (1UL << 23);
    // TTBR0_EL2/EL3: BADDR[47:1] (no ASID without VHE).
    internal const ulong TtbrEl2Writable = 0x0000_FFFF_FFFF_FFFE;
    // VTTBR_EL2: VMID[55:48] (8-bit VMIDs), BADDR[47:1].
    internal const ulong VttbrWritable = 0x00FF_FFFF_FFFF_FFFE;
    // VTCR_EL2: T0SZ, SL0, IRGN0, ORGN0, SH0, TG0, PS; RES1 bit 31.
    internal const ulong VtcrWritable = 0x7_FFFF;
    internal const ulong VtcrRes1 = 1UL << 31;
    // VMPIDR_EL2: Aff3, U, MT, Aff2..Aff0; bit 31 RES1.
    internal const ulong VmpidrWritable = 0xFF_41FF_FFFF;
    // HPFAR_EL2.FIPA[43:4] = IPA[51:12].
    internal const ulong HpfarWritable = 0x0000_0FFF_FFFF_FFF0;

    internal static ulong HcrMask(Cpu cpu, ulong v) =>
        (v & (cpu.Configuration.HasEl3 ? HcrWritable & ~HcrEl2.Hcd : HcrWritable))
        | (cpu.Configuration.Model.HasAarch32El1 ? v & HcrEl2.Rw : HcrEl2.Rw);

    private static void AddEl2(Cpu cpu, SystemRegisterTable t)
    {
        Add(t, "VPIDR_EL2", 3, 4, 0, 0, 0, c => c.Sys.Vpidr, (c, v) => c.Sys.Vpidr = v & 0xFFFF_FFFF);
        Add(t, "VMPIDR_EL2", 3, 4, 0, 0, 5, c => c.Sys.Vmpidr, (c, v) => c.Sys.Vmpidr = (v & VmpidrWritable) | (1UL << 31));
        Add(t, "SCTLR_EL2", 3, 4, 1, 0, 0, c => c.Sys.Sctlr[2], (c, v) =>
        {
            c.Sys.Sctlr[2] = (v & SctlrEl2Writable) | SctlrEl2Res1;
            if (c.State.EL == 2 && !c.State.Aarch32 && (v & SctlrEl1.Ee) != 0) c.StopAarch64BigEndian(2, "an MSR at"); // not modelled
        });
        Add(t, "ACTLR_EL2", 3, 4, 1, 0, 1, c => c.Sys.Actlr[2], (c, v) => c.Sys.Actlr[2] = v);
        Add(t, "HCR_EL2", 3, 4, 1, 1, 0, c => c.Sys.Hcr, (c, v) => c.Sys.Hcr = HcrMask(c, v));
        // HPMN and HPME change which counters count and may raise the overflow interrupt.
        Add(t, "MDCR_EL2", 3, 4, 1, 1, 1, c => c.Sys.Mdcr[2], (c, v) => c.Pmu.ControlWrite(static (c, v) => c.Sys.Mdcr[2] = v & MdcrEl2Writable, v));
        Add(t, "CPTR_EL2", 3, 4, 1, 1, 2, c => c.Sys.Cptr[2], (c, v) => c.Sys.Cptr[2] = (v & CptrWritable) | CptrEl2Res1,
            static (c, _) => SystemRegisterTraps.Cptr3(c));
        Add(t, "HSTR_EL2", 3, 4, 1, 1, 3, c => c.Sys.Hstr, (c, v) => c.Sys.Hstr = v & HstrWritable);
        Add(t, "HACR_EL2", 3, 4, 1, 1, 7, c => c.Sys.Hacr, (c, v) => c.Sys.Hacr = v);
        Add(t, "TTBR0_EL2", 3, 4, 2, 0, 0, c => c.Sys.Ttbr0[2], (c, v) => c.Sys.Ttbr0[2] = v & TtbrEl2Writable);
        Add(t, "TCR_EL2", 3, 4, 2, 0, 2, c => c.Sys.Tcr[2], (c, v) => c.Sys.Tcr[2] = (v & TcrEl2Writable) | TcrEl2Res1);
        Add(t, "VTTBR_EL2", 3, 4, 2, 1, 0, c => c.Sys.Vttbr, (c, v) => c.Sys.Vttbr = v & VttbrWritable);
        Add(t, "VTCR_EL2", 3, 4, 2, 1, 2, c => c.Sys.Vtcr, (c, v) => c.Sys.Vtcr = (v & VtcrWritable) | VtcrRes1);
        Add(t, "SPSR_EL2", 3, 4, 4, 0, 0, c => c.Sys.Spsr[2], (c, v) => c.Sys.Spsr[2] = v & SpsrMask(c, v));
        Add(t, "ELR_EL2", 3, 4, 4, 0, 1, c => c.Sys.Elr[2], (c, v) => c.Sys.Elr[2] = v);
        Add(t, "SP_EL1", 3, 4, 4, 1, 0, c => c.GetSpEl(1), (c, v) => c.SetSpEl(1, v));
        Add(t, "AFSR0_EL2", 3, 4, 5, 1, 0, c => c.Sys.Afsr0[2], (c, v) => c.Sys.Afsr0[2] = v & EsrWritable);
        Add(t, "AFSR1_EL2", 3, 4, 5, 1, 1, c => c.Sys.Afsr1[2], (c, v) => c.Sys.Afsr1[2] = v & EsrWritable);
        Add(t, "ESR_EL2", 3, 4, 5, 2, 0, c => c.Sys.Esr[2], (c, v) => c.Sys.Esr[2] = v & EsrWritable);
        Add(t, "FAR_EL2", 3, 4, 6, 0, 0, c => c.Sys.Far[2], (c, v) => c.Sys.Far[2] = v);
        Add(t, "HPFAR_EL2", 3, 4, 6, 0, 4, c => c.Sys.Hpfar, (c, v) => c.Sys.Hpfar = v & HpfarWritable);
        Add(t, "MAIR_EL2", 3, 4, 10, 2, 0, c => c.Sys.Mair[2], (c, v) => c.Sys.Mair[2] = v);
        Add(t, "AMAIR_EL2", 3, 4, 10, 3, 0, c => c.Sys.Amair[2], (c, v) => c.Sys.Amair[2] = v);
        Add(t, "VBAR_EL2", 3, 4, 12, 0, 0, c => c.Sys.Vbar[2], (c, v) => c.Sys.Vbar[2] = v & VbarWritable);
        if (cpu.Configuration.HighestEl == 2)
            Add(t, "RVBAR_EL2", 3, 4, 12, 0, 1, c => c.Sys.Rvbar, null);
        Add(t, "TPIDR_EL2", 3, 4, 13, 0, 2, c => c.Sys.Tpidr[2], (c, v) => c.Sys.Tpidr[2] = v);
        if (cpu.Configuration.Model.HasAarch32El1) AddAarch32El1State(t);
    }

    // The AArch64 registers that hold an AArch32 EL1's state with no AArch64 EL1 counterpart (D17.2: SPSR_irq,
    // SPSR_abt, SPSR_und, SPSR_fiq, DACR32_EL2, IFSR32_EL2, FPEXC32_EL2), which a hypervisor saves and restores for a
    // 32-bit guest. They exist when EL1 implements AArch32 (UNDEFINED otherwise). The SPSRs hold the AArch32 format;
    // IFSR32_EL2 keeps FS/STATUS, LPAE and ExT; FPEXC32_EL2 keeps EN, with VECITR reading 0b111 (no short vectors).
    private static void AddAarch32El1State(SystemRegisterTable t)
    {
        Add(t, "SPSR_irq", 3, 4, 4, 3, 0, c => c.Sys.SpsrIrq, (c, v) => c.Sys.SpsrIrq = v & SpsrMask(c, v | 0x10));
        Add(t, "SPSR_abt", 3, 4, 4, 3, 1, c => c.Sys.SpsrAbt, (c, v) => c.Sys.SpsrAbt = v & SpsrMask(c, v | 0x10));
        Add(t, "SPSR_und", 3, 4, 4, 3, 2, c => c.Sys.SpsrUnd, (c, v) => c.Sys.SpsrUnd = v & SpsrMask(c, v | 0x10));
        Add(t, "SPSR_fiq", 3, 4, 4, 3, 3, c => c.Sys.SpsrFiq, (c, v) => c.Sys.SpsrFiq = v & SpsrMask(c, v | 0x10));
        Add(t, "DACR32_EL2", 3, 4, 3, 0, 0, c => c.Sys.Dacr32, (c, v) => c.Sys.Dacr32 = v & 0xFFFF_FFFF);
        Add(t, "IFSR32_EL2", 3, 4, 5, 0, 1, c => c.Sys.Ifsr32, (c, v) => c.Sys.Ifsr32 = v & Ifsr32Writable);
        Add(t, "FPEXC32_EL2", 3, 4, 5, 3, 0, c => c.Sys.Fpexc32 | 0x700, (c, v) => c.Sys.Fpexc32 = v & (1UL << 30));
    }

    // IFSR32_EL2: FS[3:0]/STATUS[5:0], LPAE (9), FS[4] (10), ExT (12).
    internal const ulong Ifsr32Writable = 0x163F;
}
