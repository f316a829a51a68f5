namespace ArmVirt.Cpu.SystemRegisters;

internal static partial class SystemRegisterTableBuilder
{
    // SCTLR_EL1 (D17.2.118) for Armv8.0 with EL0 AArch64 and AArch32: RES1 bits 29, 28, 23 (SPAN without FEAT_PAN),
    // 22, 20, 11. Writable: M, A, C, SA, SA0, CP15BEN, ITD, SED, UMA, I, DZE, UCT, nTWI, nTWE, WXN, E0E, EE, UCI
    // (CP15BEN, ITD and SED control AArch32 EL0).
    internal const ulong SctlrEl1Res1 = (1UL << 29) | (1UL << 28) | (1UL << 22) | (1UL << 20) | (1UL << 11);
    internal const ulong SctlrEl1Writable = 0x1F | SctlrEl1.Cp15ben | SctlrEl1.Itd | SctlrEl1.Sed | SctlrEl1.Uma | SctlrEl1.I
        | SctlrEl1.Dze | SctlrEl1.Uct | SctlrEl1.NTwi | SctlrEl1.NTwe | SctlrEl1.Wxn | SctlrEl1.E0E | SctlrEl1.Ee | SctlrEl1.Uci;
    // TCR_EL1 (D17.2.131): T0SZ, EPD0, IRGN0, ORGN0, SH0, TG0, T1SZ, A1, EPD1, IRGN1, ORGN1, SH1, TG1, IPS, AS, TBI0, TBI1.
    internal const ulong TcrEl1Writable = 0x0000_0077_FFFF_FFBF;
    // TTBR0/1_EL1: ASID[63:48], BADDR[47:1]; CnP (bit 0) needs FEAT_TTCNP.
    internal const ulong TtbrEl1Writable = 0xFFFF_FFFF_FFFF_FFFE;
    // CPACR_EL1: FPEN[21:20], TTA[28].
    internal const ulong CpacrWritable = (3UL << 20) | (1UL << 28);
    internal const ulong VbarWritable = ~0x7FFUL;
    internal const ulong EsrWritable = 0xFFFF_FFFF;

    // The SCTLR_EL1 bits RES0 or RES1 in AArch64 that the AArch32 SCTLR (SCTLR_EL1[31:0] when EL1 is AArch32) defines:
    // V (13), UWXN (20), TRE (28), AFE (29), TE (30). When EL1 implements AArch32 they hold what is written, so that a
    // hypervisor saving and restoring a 32-bit guest's SCTLR_EL1 keeps them (QEMU keeps them too).
    internal const ulong SctlrEl1Aarch32Bits = (1UL << 13) | (1UL << 20) | (1UL << 28) | (1UL << 29) | (1UL << 30);

    internal static ulong SctlrEl1Mask(Cpu cpu, ulong v)
    {
        ulong writable = SctlrEl1Writable | (cpu.HasPan ? SctlrEl1.Span : 0);
        ulong res1 = SctlrEl1Res1 | (cpu.HasPan ? 0 : SctlrEl1.Span);
        if (cpu.Configuration.Model.HasAarch32El1)
        {
            writable |= SctlrEl1Aarch32Bits;
            res1 &= ~SctlrEl1Aarch32Bits;
        }
        return (v & writable) | res1;
    }

    private static void AddEl1(Cpu cpu, SystemRegisterTable t)
    {
        var vm = SystemRegisterTraps.VirtualMemoryControl;
        Add(t, "SCTLR_EL1", 3, 0, 1, 0, 0, c => c.Sys.Sctlr[1], (c, v) =>
        {
            c.Sys.Sctlr[1] = SctlrEl1Mask(c, v);
            if (c.State.EL == 1 && !c.State.Aarch32 && (v & SctlrEl1.Ee) != 0) c.StopAarch64BigEndian(1, "an MSR at"); // not modelled
        }, vm);
        Add(t, "ACTLR_EL1", 3, 0, 1, 0, 1, c => c.Sys.Actlr[1], (c, v) => c.Sys.Actlr[1] = v, SystemRegisterTraps.Actlr);
        Add(t, "CPACR_EL1", 3, 0, 1, 0, 2, c => c.Sys.Cpacr, (c, v) => c.Sys.Cpacr = v & CpacrWritable, SystemRegisterTraps.Cpacr);
        // With an AArch32 EL1, the AArch64 views also keep the bits only the AArch32 registers define (as SCTLR_EL1 does):
        // TTBRn bit 0 (the short format's IRGN[1]) and VBAR bits 10..5 (the AArch32 VBAR is bits 31..5), so that a
        // hypervisor's save and restore of a 32-bit guest's registers keeps them (KVM's world switch; QEMU keeps them too).
        bool a32 = cpu.Configuration.Model.HasAarch32El1;
        ulong ttbrMask = a32 ? ~0UL : TtbrEl1Writable, vbarMask = a32 ? ~0x1FUL : VbarWritable;
        Add(t, "TTBR0_EL1", 3, 0, 2, 0, 0, c => c.Sys.Ttbr0[1], (c, v) => c.Sys.Ttbr0[1] = v & ttbrMask, vm);
        Add(t, "TTBR1_EL1", 3, 0, 2, 0, 1, c => c.Sys.Ttbr1[1], (c, v) => c.Sys.Ttbr1[1] = v & ttbrMask, vm);
        Add(t, "TCR_EL1", 3, 0, 2, 0, 2, c => c.Sys.Tcr[1], (c, v) => c.Sys.Tcr[1] = v & TcrEl1Writable, vm);
        Add(t, "AFSR0_EL1", 3, 0, 5, 1, 0, c => c.Sys.Afsr0[1], (c, v) => c.Sys.Afsr0[1] = v & EsrWritable, vm);
        Add(t, "AFSR1_EL1", 3, 0, 5, 1, 1, c => c.Sys.Afsr1[1], (c, v) => c.Sys.Afsr1[1] = v & EsrWritable, vm);
        Add(t, "ESR_EL1", 3, 0, 5, 2, 0, c => c.Sys.Esr[1], (c, v) => c.Sys.Esr[1] = v & EsrWritable, vm);
        Add(t, "FAR_EL1", 3, 0, 6, 0, 0, c => c.Sys.Far[1], (c, v) => c.Sys.Far[1] = v, vm);
        Add(t, "PAR_EL1", 3, 0, 7, 4, 0, c => c.Sys.Par, (c, v) => c.Sys.Par = v);
        Add(t, "MAIR_EL1", 3, 0, 10, 2, 0, c => c.Sys.Mair[1], (c, v) => c.Sys.Mair[1] = v, vm);
        Add(t, "AMAIR_EL1", 3, 0, 10, 3, 0, c => c.Sys.Amair[1], (c, v) => c.Sys.Amair[1] = v, vm);
        Add(t, "VBAR_EL1", 3, 0, 12, 0, 0, c => c.Sys.Vbar[1], (c, v) => c.Sys.Vbar[1] = v & vbarMask);
        if (cpu.Configuration.HighestEl == 1)
            Add(t, "RVBAR_EL1", 3, 0, 12, 0, 1, c => c.Sys.Rvbar, null);
        Add(t, "CONTEXTIDR_EL1", 3, 0, 13, 0, 1, c => c.Sys.ContextIdr, (c, v) => c.Sys.ContextIdr = v & 0xFFFF_FFFF, vm);
        Add(t, "TPIDR_EL1", 3, 0, 13, 0, 4, c => c.Sys.Tpidr[1], (c, v) => c.Sys.Tpidr[1] = v);
        Add(t, "TPIDR_EL0", 3, 3, 13, 0, 2, c => c.Sys.Tpidr[0], (c, v) => c.Sys.Tpidr[0] = v);
        // TPIDRRO_EL0 is read-only at EL0 and read/write at EL1 and above.
        Add(t, "TPIDRRO_EL0", 3, 3, 13, 0, 3, c => c.Sys.Tpidrro, (c, v) => c.Sys.Tpidrro = v,
            static (c, write) => write && c.State.EL == 0 ? SystemRegisterAccess.Undefined : Allowed);
    }
}
