using ArmVirt.Cpu.Pmu;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    // Cold reset values of the system registers (Arm ARM D17: "Reset values" of each register). Fields the Arm
    // ARM leaves architecturally UNKNOWN on reset are zero, with their RES1 bits set; RVBAR is the machine's.
    private void ResetSystemRegisters()
    {
        InvalidateRegimeCache();
        var s = Sys;
        foreach (var bank in new[] { s.Sctlr, s.Actlr, s.Vbar, s.Esr, s.Far, s.Elr, s.Spsr, s.Ttbr0, s.Ttbr1, s.Tcr, s.Mair,
                     s.Amair, s.Afsr0, s.Afsr1, s.Tpidr, s.Cptr, s.Mdcr, s.Dbgbvr, s.Dbgbcr, s.Dbgwvr, s.Dbgwcr })
            Array.Clear(bank);
        s.Tpidrro = s.Cpacr = s.ContextIdr = s.Par = s.Csselr = 0;
        s.Mdscr = s.Mdccint = s.Osdlr = s.Dbgprcr = s.DbgClaim = s.Teecr = s.Teehbr = 0;
        s.OsLock = true; // OSLSR_EL1.OSLK is set by a cold reset
        s.Hstr = s.Hacr = s.Vttbr = s.Hpfar = 0;

        s.Midr = Configuration.Model.Midr;
        s.Mpidr = SystemRegisterTableBuilder.PhysicalMpidr(this);
        s.Vpidr = s.Midr; // VPIDR_EL2/VMPIDR_EL2 reset to MIDR_EL1/MPIDR_EL1
        s.Vmpidr = s.Mpidr;

        // SCTLR_ELx control fields are architecturally UNKNOWN after reset except M, C, I (0). nTWI and nTWE are set
        // as in QEMU's reset_sctlr for cortex-a57/a53 (0x00c50838), so EL0 WFI/WFE are not trapped by a guest that
        // never writes SCTLR_EL1, and SA/SA0 (stack alignment checks) and CP15BEN (AArch32 EL0's CP15 barriers) are set
        // as QEMU sets them. Plus the RES1 bits (SCTLR_EL1: 29, 28, 23 SPAN, 22, 20, 11; SCTLR_EL2/EL3: 29, 28, 23, 22,
        // 18, 16, 11, 5, 4). When EL1 implements AArch32, bits 20, 28 and 29 are the AArch32 SCTLR's UWXN, TRE and AFE
        // (storage, SystemRegisterTableBuilder.SctlrEl1Aarch32Bits) and reset to 0: SCTLR_EL1 = 0x00C50838, the value of
        // the Cortex-A57/A53 TRMs ("SCTLR_EL1" reset value) and QEMU's reset_sctlr.
        ulong sctlrEl1Res1 = SystemRegisterTableBuilder.SctlrEl1Res1
            & (Configuration.Model.HasAarch32El1 ? ~SystemRegisterTableBuilder.SctlrEl1Aarch32Bits : ~0UL);
        s.Sctlr[1] = sctlrEl1Res1 | SctlrEl1.Span | SctlrEl1.NTwi | SctlrEl1.NTwe | SctlrEl1.Cp15ben | StackAlignmentChecks;
        s.Sctlr[2] = SystemRegisterTableBuilder.SctlrEl2Res1 | StackAlignmentCheck;
        s.Sctlr[3] = SystemRegisterTableBuilder.SctlrEl2Res1 | StackAlignmentCheck;
        s.Hcr = HcrEl2.Rw;
        s.Cptr[2] = SystemRegisterTableBuilder.CptrEl2Res1;
        s.Tcr[2] = SystemRegisterTableBuilder.TcrEl2Res1;
        s.Tcr[3] = SystemRegisterTableBuilder.TcrEl2Res1;
        s.Vtcr = SystemRegisterTableBuilder.VtcrRes1;
        s.Scr = SystemRegisterTableBuilder.ScrRes1;
        if (Configuration.Model.Aarch32Only)
        {
            // SCTLR as the core's TRM resets it (the model's value); HCR has no RW bit in AArch32 (EL1 is AArch32).
            s.Sctlr[1] = Configuration.Model.ResetSctlr;
            s.Sctlr[2] = A32.Cp15RegisterTable.HsctlrRes1; // HSCTLR: its control bits UNKNOWN (0, as QEMU), RES1 set
            s.Hcr = 0;
            // The Security Extensions (Monitor mode): SCR, NSACR, SDER, MVBAR and the Secure banks reset to 0 (SCR.NS = 0:
            // the PE comes out of reset in Secure state), SCTLR(S) to the TRM's value as SCTLR(NS), TTBCR(S) to 0.
            s.Scr = s.Nsacr = s.Sder = s.Mvbar = 0;
            s.DacrS = s.IfsrS = s.ParS = s.ContextIdrS = s.TpidrurwS = s.TpidruroS = s.CsselrS = 0;
            s.Sctlr[3] = Configuration.Model.ResetSctlr;
            s.Tcr[3] = 0;
        }
        DebugRegistersChanged();
        // MDCR_EL2.HPMN resets to PMCR_EL0.N: every event counter belongs to EL1 and EL0.
        if (Configuration.HasEl2 && Configuration.HasPmu) s.Mdcr[2] = PerformanceMonitors.EventCounters;
        Pmu.Reset();
    }

    private const ulong StackAlignmentCheck = 1UL << 3;             // SCTLR_ELx.SA
    private const ulong StackAlignmentChecks = (1UL << 3) | (1UL << 4); // SCTLR_EL1.SA, SA0
}
