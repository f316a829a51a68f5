namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // SCR_EL3 Armv8.0: NS, IRQ, FIQ, EA, SMD, HCE, SIF, ST, TWI, TWE writable; RES1 5:4; RW RAO/WI (no AArch32 below).
    internal const ulong ScrWritable = 0xF | ScrEl3.Smd | ScrEl3.Hce | ScrEl3.Sif | ScrEl3.St | ScrEl3.Twi | ScrEl3.Twe;
    internal const ulong ScrRes1 = 0x30 | ScrEl3.Rw;
    // MDCR_EL3: TPM, TDA, TDOSA, SPD32, SDD, SPME, EDAD, EPMAD.
    internal const ulong MdcrEl3Writable = (1UL << 6) | (1UL << 9) | (1UL << 10) | (3UL << 14) | (1UL << 16) | (1UL << 17) | (1UL << 20) | (1UL << 21);

    private static void AddEl3(Cpu cpu, SystemRegisterTable t)
    {
        Add(t, "SCTLR_EL3", 3, 6, 1, 0, 0, c => c.Sys.Sctlr[3], (c, v) =>
        {
            c.Sys.Sctlr[3] = (v & SctlrEl2Writable) | SctlrEl2Res1;
            if (c.State.EL == 3 && (v & SctlrEl1.Ee) != 0) c.StopAarch64BigEndian(3, "an MSR at"); // not modelled
        });
        Add(t, "ACTLR_EL3", 3, 6, 1, 0, 1, c => c.Sys.Actlr[3], (c, v) => c.Sys.Actlr[3] = v);
        // SCR_EL3.NS (whether EL2 is enabled: the HPMN partition) and MDCR_EL3.SPME change what the PMU counts.
        Add(t, "SCR_EL3", 3, 6, 1, 1, 0, c => c.Sys.Scr, (c, v) => c.Pmu.ControlWrite(static (c, v) => c.Sys.Scr = (v & ScrWritable) | ScrRes1, v));
        Add(t, "CPTR_EL3", 3, 6, 1, 1, 2, c => c.Sys.Cptr[3], (c, v) => c.Sys.Cptr[3] = v & CptrWritable);
        Add(t, "MDCR_EL3", 3, 6, 1, 3, 1, c => c.Sys.Mdcr[3], (c, v) => c.Pmu.ControlWrite(static (c, v) => c.Sys.Mdcr[3] = v & MdcrEl3Writable, v));
        Add(t, "TTBR0_EL3", 3, 6, 2, 0, 0, c => c.Sys.Ttbr0[3], (c, v) => c.Sys.Ttbr0[3] = v & TtbrEl2Writable);
        Add(t, "TCR_EL3", 3, 6, 2, 0, 2, c => c.Sys.Tcr[3], (c, v) => c.Sys.Tcr[3] = (v & TcrEl2Writable) | TcrEl2Res1);
        Add(t, "SPSR_EL3", 3, 6, 4, 0, 0, c => c.Sys.Spsr[3], (c, v) => c.Sys.Spsr[3] = v & SpsrMask(c));
        Add(t, "ELR_EL3", 3, 6, 4, 0, 1, c => c.Sys.Elr[3], (c, v) => c.Sys.Elr[3] = v);
        Add(t, "SP_EL2", 3, 6, 4, 1, 0, c => c.GetSpEl(2), (c, v) => c.SetSpEl(2, v));
        Add(t, "AFSR0_EL3", 3, 6, 5, 1, 0, c => c.Sys.Afsr0[3], (c, v) => c.Sys.Afsr0[3] = v & EsrWritable);
        Add(t, "AFSR1_EL3", 3, 6, 5, 1, 1, c => c.Sys.Afsr1[3], (c, v) => c.Sys.Afsr1[3] = v & EsrWritable);
        Add(t, "ESR_EL3", 3, 6, 5, 2, 0, c => c.Sys.Esr[3], (c, v) => c.Sys.Esr[3] = v & EsrWritable);
        Add(t, "FAR_EL3", 3, 6, 6, 0, 0, c => c.Sys.Far[3], (c, v) => c.Sys.Far[3] = v);
        Add(t, "MAIR_EL3", 3, 6, 10, 2, 0, c => c.Sys.Mair[3], (c, v) => c.Sys.Mair[3] = v);
        Add(t, "AMAIR_EL3", 3, 6, 10, 3, 0, c => c.Sys.Amair[3], (c, v) => c.Sys.Amair[3] = v);
        Add(t, "VBAR_EL3", 3, 6, 12, 0, 0, c => c.Sys.Vbar[3], (c, v) => c.Sys.Vbar[3] = v & VbarWritable);
        Add(t, "RVBAR_EL3", 3, 6, 12, 0, 1, c => c.Sys.Rvbar, null);
        Add(t, "TPIDR_EL3", 3, 6, 13, 0, 2, c => c.Sys.Tpidr[3], (c, v) => c.Sys.Tpidr[3] = v);
    }
}
