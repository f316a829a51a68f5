using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

/// <summary>
/// The Security Extensions of an AArch32-only PE with EL3 (<c>--el 3</c>: QEMU's <c>secure=on</c>): Monitor mode, the
/// Secure state and what selects it (Arm ARM ARMv7 B1.5, Armv8 G1.7 "Security state"). As "ELFromM32" gives the ELs of an
/// AArch32 EL3, Monitor mode and the Secure PL1 modes (Supervisor, FIQ, IRQ, Abort, Undefined, System with SCR.NS = 0)
/// are EL3, Secure User mode EL0, the Non-secure PL1 modes EL1 and Hyp mode EL2 (Non-secure only). The Secure instances of
/// the banked CP15 registers are stored where <c>SystemRegisterFile</c> says (the EL3 slots, as QEMU keeps them);
/// MRC/MCR reach the instance SCR.NS selects (<see cref="SecureBankSelected"/>), while translation and exception entry use
/// the one of the security state they happen in.
/// </summary>
public sealed partial class Cpu
{
    private const ulong ScrFw = 1UL << 4, ScrAw = 1UL << 5, ScrScd = 1UL << 7;

    /// <summary>HaveAArch32EL(EL3): an AArch32-only PE with EL3, whose EL3 is Monitor mode and the Secure PL1 modes.</summary>
    internal bool El3UsingAarch32 => Configuration.Model.Aarch32Only && Configuration.HasEl3;

    /// <summary>
    /// The bank of the banked CP15 registers an MRC/MCR reaches: the Secure one when SCR.NS = 0. In Secure state other
    /// than Monitor mode SCR.NS is 0, in Non-secure state 1, and Monitor mode sees the bank SCR.NS selects (B4.1.? "Banked
    /// system control registers"; QEMU's access_secure_reg).
    /// </summary>
    internal bool SecureBankSelected => El3UsingAarch32 && (Sys.Scr & ScrNs) == 0;

    /// <summary>IsSecure() with an AArch32 EL3: at EL3 (Monitor mode and the Secure PL1 modes), or at EL0 with SCR.NS = 0.</summary>
    internal bool IsSecureAarch32 => El3UsingAarch32 && (State.EL == 3 || (State.EL == 0 && (Sys.Scr & ScrNs) == 0));

    /// <summary>
    /// Where an exception of an AArch32 EL3 PE goes when it is not an AArch32 EL1 or Hyp mode's: Monitor mode for SMC and
    /// for what SCR routes there (IRQ, FIQ, External aborts and SError with SCR.IRQ/FIQ/EA: AArch32.TakePhysicalIRQException,
    /// TakePhysicalFIQException, TakeDataAbortException's route_to_monitor), else a Secure PL1 mode when the target is EL3
    /// (an exception taken in Secure state). False when neither applies (the caller takes it to EL1 or Hyp mode).
    /// </summary>
    private bool TryTakeAarch32El3Exception(ExceptionKind kind, int targetEl, ulong preferredReturn, ExceptionClass ec, uint iss, ulong? far)
    {
        bool toMonitor = kind switch
        {
            ExceptionKind.Irq => (Sys.Scr & ScrIrq) != 0,
            ExceptionKind.Fiq => (Sys.Scr & ScrFiq) != 0,
            ExceptionKind.SError => (Sys.Scr & ScrEa) != 0,
            _ => (ec == ExceptionClass.Smc32 && targetEl == 3) || ((Sys.Scr & ScrEa) != 0 && IsExternalAbort(ec, iss)),
        };
        if (toMonitor)
        {
            TakeMonitorException(kind, preferredReturn, ec, iss, far);
            return true;
        }
        if (targetEl != 3) return false;
        TakeAarch32Exception(kind, preferredReturn, ec, iss, far, el: 3);
        return true;
    }

    // IsExternalAbort for a synchronous abort given by its AArch64 syndrome: DFSC/IFSC 0b010000 (External abort), 0b0101xx
    // (External abort on a translation table walk), 0b011000 and 0b0111xx (parity or ECC error).
    private static bool IsExternalAbort(ExceptionClass ec, uint iss) =>
        ec is ExceptionClass.DataAbortLower or ExceptionClass.DataAbortSame or ExceptionClass.InstructionAbortLower or ExceptionClass.InstructionAbortSame
        && (iss & 0x3F) is 0b010000 or (>= 0b010100 and <= 0b010111) or 0b011000 or (>= 0b011100 and <= 0b011111);

    /// <summary>
    /// An exception taken to Monitor mode (AArch32.TakeSMCException, and the IRQ, FIQ and abort routes of SCR.IRQ/FIQ/EA):
    /// SMC at MVBAR + 0x08 returning after the SMC, IRQ 0x18 and FIQ 0x1C with LR + 4, a Prefetch Abort 0x0C (LR + 4, IFSR
    /// and IFAR) or Data Abort 0x10 (LR + 8, DFSR and DFAR) into the Secure bank, then AArch32.EnterMonitorMode.
    /// </summary>
    private void TakeMonitorException(ExceptionKind kind, ulong preferredReturn, ExceptionClass ec, uint iss, ulong? far)
    {
        int vector;
        uint lrOffset;
        switch (kind)
        {
            case ExceptionKind.Irq: (vector, lrOffset) = (0x18, 4); break;
            case ExceptionKind.Fiq: (vector, lrOffset) = (0x1C, 4); break;
            case ExceptionKind.SError:
                (vector, lrOffset) = (0x10, 8);
                Sys.Esr[3] = FaultStatus(0b010001, write: false, cm: false, bank: 3);
                break;
            default:
                if (ec == ExceptionClass.Smc32) (vector, lrOffset) = (0x08, 0);
                else if (ec is ExceptionClass.InstructionAbortLower or ExceptionClass.InstructionAbortSame)
                {
                    (vector, lrOffset) = (0x0C, 4);
                    Sys.IfsrS = FaultStatus(iss & 0x3F, write: false, cm: false, bank: 3);
                    if (far.HasValue) Sys.Far[3] = (Sys.Far[3] & 0xFFFF_FFFFUL) | ((ulong)(uint)far.Value << 32);
                }
                else
                {
                    (vector, lrOffset) = (0x10, 8);
                    Sys.Esr[3] = FaultStatus(iss & 0x3F, write: (iss & (1u << 6)) != 0, cm: (iss & (1u << 8)) != 0, bank: 3);
                    if (far.HasValue) Sys.Far[3] = (Sys.Far[3] & 0xFFFF_FFFF_0000_0000UL) | (uint)far.Value;
                }
                break;
        }
        EnterMonitorMode((uint)preferredReturn, lrOffset, vector);
    }

    /// <summary>
    /// AArch32.EnterMonitorMode: SPSR_mon = the CPSR, Monitor mode (EL3), LR_mon = the preferred return +
    /// <paramref name="lrOffset"/>, T = SCTLR(S).TE, E = SCTLR(S).EE, A, I and F masked, IT, SS and IL cleared, the PC at
    /// MVBAR&lt;31:5&gt; + <paramref name="vectorOffset"/>. SCR.NS is cleared when the exception is taken from Monitor mode.
    /// </summary>
    private void EnterMonitorMode(uint preferredReturn, uint lrOffset, int vectorOffset)
    {
        ulong sctlr = Sys.Sctlr[3];
        uint spsr = GetAarch32Spsr();
        if (State.Mode == ModeMonitor) ClearScrNs();
        WriteMode(ModeMonitor, 3);
        Sys.Spsr[3] = spsr;
        SetR(14, preferredReturn + lrOffset);
        State.Thumb = (sctlr & (1UL << 30)) != 0; // SCTLR.TE
        State.E = (sctlr & (1UL << 25)) != 0;     // SCTLR.EE
        State.Daif |= 0x1C0u;
        State.It = 0;
        State.SoftwareStep = false;
        State.IllegalState = false;
        ulong target = ((uint)Sys.Mvbar & ~0x1Fu) + (uint)vectorOffset;
        NextPc = target;
        State.PC = target;
    }

    // "if PSTATE.M == M32_Monitor then SCR.NS = '0'" (AArch32.EnterMode, EnterMonitorMode): an exception taken from
    // Monitor mode is taken in Secure state.
    private void ClearScrNs()
    {
        if ((Sys.Scr & ScrNs) == 0) return;
        Sys.Scr &= ~ScrNs;
        InvalidateRegimeCache();
    }

    /// <summary>
    /// The routing of a physical IRQ, FIQ or SError on an AArch32 EL3 PE (AArch32.TakePhysicalIRQException,
    /// TakePhysicalFIQException, TakePhysicalSErrorException; QEMU's arm_phys_excp_target_el and arm_excp_unmasked for a
    /// 32-bit EL3): to Monitor mode (EL3) under SCR.IRQ/FIQ/EA, to Hyp mode under HCR.IMO/FMO/AMO (or TGE) from Non-secure
    /// PL1/PL0 or while in Hyp mode, else to the IRQ, FIQ or Abort mode of the current security state (EL3 in Secure state,
    /// EL1 in Non-secure state). Never to a lower EL. The CPSR masks it when it stays at the current EL, and from Non-secure
    /// state also when SCR routes an IRQ or SError to Monitor mode, or an FIQ with SCR.FW = 1 and HCR.FMO = 0 (ARMv7
    /// B1.8.6 "Asynchronous exception masking"); one routed to Hyp mode by HCR from PL1 or PL0 is never masked.
    /// </summary>
    private bool TryPhysicalAarch32El3(ulong scrBit, ulong hcrBit, uint daifBit, ExceptionKind kind)
    {
        bool secure = IsSecureAarch32;
        bool toHypByHcr = !secure && State.EL < 2 && IsEl2Enabled && (Sys.Hcr & (hcrBit | HcrTge)) != 0;
        int target = (Sys.Scr & scrBit) != 0 ? 3
            : toHypByHcr || (State.EL == 2 && IsEl2Enabled) ? 2
            : secure ? 3 : 1;
        if (target < State.EL) return false;
        bool masked = (State.Daif & daifBit) != 0;
        if (masked && !secure && target > State.EL)
        {
            if (toHypByHcr && target == 2) masked = false;
            else if (target == 3 && kind == ExceptionKind.Fiq && !((Sys.Scr & ScrFw) != 0 && (EffectiveHcr & HcrFmo) == 0)) masked = false;
        }
        if (masked) return false;
        if (kind == ExceptionKind.SError)
            TakeException(kind, target, State.PC, ExceptionClass.SError, 0);
        else
            TakeException(kind, target, State.PC);
        return true;
    }

    /// <summary>
    /// The reset of an AArch32-only PE with EL3 (AArch32.TakeReset): Secure Supervisor mode (SCR.NS = 0), A32, A, I and F
    /// masked, the state QEMU's <c>secure=on</c> cortex-a15 is in for an ELF. (A Linux image is booted in Non-secure state:
    /// the machine sets SCR.NS and NSACR and enters Hyp mode, as QEMU's boot code does.)
    /// </summary>
    private void ResetAarch32El3() => WriteMode(ModeSupervisor, 3);

    /// <summary>
    /// The security state a PE with an AArch32 EL3 is started in at <paramref name="el"/> by QEMU's boot code and PSCI
    /// CPU_ON (do_cpu_reset, arm_set_cpu_on_async_work): Secure for EL3; otherwise Non-secure (SCR.NS), with NSACR.CP10
    /// and CP11 set so Non-secure code can use the FPU and, for Hyp mode, SCR.HCE so that HVC works.
    /// </summary>
    internal void SetSecurityForEntry(int el)
    {
        if (el == 3) Sys.Scr &= ~ScrNs;
        else
        {
            Sys.Scr |= ScrNs | (el == 2 ? ArmVirt.Cpu.SystemRegisters.ScrEl3.Hce : 0);
            Sys.Nsacr |= 3UL << 10;
        }
        InvalidateRegimeCache();
    }

    /// <summary>
    /// Boots a Linux image on an AArch32-only PE with EL3 as QEMU's do_cpu_reset does for a non-secure boot: SCR.NS and
    /// NSACR.CP10/CP11 set, then Hyp mode when EL2 is implemented (Non-secure Supervisor mode without it).
    /// </summary>
    internal void BootLinuxNonSecure()
    {
        Sys.Scr |= ScrNs;
        Sys.Nsacr |= 3UL << 10;
        InvalidateRegimeCache();
        WriteMode(Configuration.HasEl2 ? ModeHyp : ModeSupervisor, Configuration.HasEl2 ? 2 : 1);
    }
}
