using ArmVirt.Cpu.Exceptions;

namespace ArmVirt.Cpu;

/// <summary>
/// Hyp mode, the AArch32 EL2 of an AArch32-only PE (<see cref="CpuModel.Aarch32Only"/> with EL2): the exception entry
/// to Hyp mode (AArch32.EnterHypMode and the callers that choose its vector) and what Hyp mode stores where. As the Arm
/// ARM's "Architectural mapping" of each AArch32 register gives them, Hyp's registers are the AArch64 EL2 ones: HSR is
/// ESR_EL2, ELR_hyp ELR_EL2, SPSR_hyp SPSR_EL2, HVBAR VBAR_EL2, HDFAR FAR_EL2[31:0], HIFAR FAR_EL2[63:32], HPFAR
/// HPFAR_EL2, HSCTLR SCTLR_EL2, HCR HCR_EL2 (the CP15 views are in <c>A32/Cp15RegisterTable.cs</c>), and SP_hyp is X15.
/// </summary>
public sealed partial class Cpu
{
    /// <summary>
    /// An exception taken to EL2 while EL2 is AArch32: Hyp mode's vector for it (AArch32.TakeUndefInstrException,
    /// TakeSVCException, CallHypervisor, TakePrefetchAbortException, TakeDataAbortException, TakePhysicalIRQException,
    /// TakePhysicalFIQException, TakePhysicalSErrorException and the traps' AArch32.TakeHypTrapException): from Hyp mode
    /// itself Undefined 0x04, SVC and HVC 0x08, Prefetch Abort 0x0C, Data Abort 0x10; from PL1 and PL0 every synchronous
    /// exception is the Hyp Trap, 0x14; IRQ 0x18, FIQ 0x1C and SError 0x10 from anywhere. HSR (EC, IL, ISS) is written
    /// for all but IRQ and FIQ (AArch32.ReportHypEntry), with HDFAR or HIFAR and HPFAR for aborts.
    /// </summary>
    private void TakeHypException(ExceptionKind kind, ulong preferredReturn, ExceptionClass ec, uint iss, bool il, ulong? far, ulong? ipa)
    {
        bool fromHyp = State.EL == 2;
        // AArch32.TakePrefetchAbortException / TakeDataAbortException with route_to_hyp for a debug exception (HDCR.TDE):
        // BKPT and breakpoints are Prefetch Aborts, watchpoints Data Aborts, with the debug event status (AArch32 HSR has
        // no debug exception classes). MOE as for PL1 (QEMU 7.2 writes its AArch64 syndrome, EC 0x38/0x30/0x34, instead).
        if (kind == ExceptionKind.Synchronous && ec is ExceptionClass.Bkpt32 or ExceptionClass.BreakpointLower or ExceptionClass.BreakpointSame)
        {
            SetMethodOfEntry(ec == ExceptionClass.Bkpt32 ? 0b0011u : 0b0001u);
            (ec, iss, far) = (fromHyp ? ExceptionClass.InstructionAbortSame : ExceptionClass.InstructionAbortLower, 0b100010, 0);
        }
        else if (kind == ExceptionKind.Synchronous && ec is ExceptionClass.WatchpointLower or ExceptionClass.WatchpointSame)
        {
            SetMethodOfEntry(0b1010u);
            SetWatchpointFaultAddress(preferredReturn);
            (ec, iss) = (fromHyp ? ExceptionClass.DataAbortSame : ExceptionClass.DataAbortLower, (iss & ((1u << 6) | (1u << 8))) | 0b100010);
        }
        bool instructionSide = ec is ExceptionClass.InstructionAbortLower or ExceptionClass.InstructionAbortSame or ExceptionClass.PcAlignment;
        int vector = kind switch
        {
            ExceptionKind.Irq => 0x18,
            ExceptionKind.Fiq => 0x1C,
            ExceptionKind.SError => 0x10,
            _ when !fromHyp => 0x14,
            _ => ec switch
            {
                ExceptionClass.Svc32 or ExceptionClass.Hvc32 => 0x08,
                ExceptionClass.InstructionAbortSame or ExceptionClass.PcAlignment or ExceptionClass.Bkpt32 => 0x0C,
                ExceptionClass.DataAbortSame => 0x10,
                _ => 0x04,
            },
        };
        // ARMv7's HSR.IL is UNK/SBZP where the field is not valid (an Unknown reason, a Prefetch Abort, a Data Abort
        // without a valid instruction syndrome), where Armv8 has RES1: 0, as QEMU writes it for an ARMv7 PE.
        if (ec == ExceptionClass.Unknown || instructionSide || (ec is ExceptionClass.DataAbortLower or ExceptionClass.DataAbortSame && (iss & (1u << 24)) == 0))
            il = false;
        if (kind is ExceptionKind.Synchronous or ExceptionKind.SError)
        {
            Sys.Esr[2] = ((ulong)ec << 26) | (il ? 1UL << 25 : 0) | (iss & 0x1FF_FFFF);
            if (far.HasValue)
                Sys.Far[2] = instructionSide
                    ? (Sys.Far[2] & 0xFFFF_FFFFUL) | ((ulong)(uint)far.Value << 32) // HIFAR
                    : (Sys.Far[2] & 0xFFFF_FFFF_0000_0000UL) | (uint)far.Value; // HDFAR
            if (ipa.HasValue) Sys.Hpfar = (ipa.Value >> 12) << 4;
        }
        EnterHypMode((uint)preferredReturn, vector);
    }

    /// <summary>
    /// AArch32.EnterHypMode: SPSR_hyp = the CPSR, Hyp mode (EL2), ELR_hyp = the preferred return, T = HSCTLR.TE, A, I
    /// and F masked (no EL3 to keep them), IT, SS and IL cleared, and the PC at HVBAR&lt;31:5&gt; + <paramref name="vectorOffset"/>.
    /// </summary>
    private void EnterHypMode(uint preferredReturn, int vectorOffset)
    {
        ulong hsctlr = Sys.Sctlr[2];
        Sys.Spsr[2] = GetAarch32Spsr();
        State.E = (hsctlr & (1UL << 25)) != 0; // PSTATE.E = HSCTLR.EE
        WriteMode(ModeHyp, 2);
        Sys.Elr[2] = preferredReturn;
        State.Thumb = (hsctlr & (1UL << 30)) != 0; // HSCTLR.TE
        State.Daif |= 0x1C0u;
        State.It = 0;
        State.SoftwareStep = false;
        State.IllegalState = false;
        ulong target = ((uint)Sys.Vbar[2] & ~0x1Fu) + (uint)vectorOffset;
        NextPc = target;
        State.PC = target;
    }

    /// <summary>
    /// The boot state of an AArch32-only PE (AArch32.TakeReset without the vector): AArch32 state in Supervisor mode, or in
    /// Hyp mode when EL2 is the highest EL (as QEMU starts a <c>virtualization=on</c> cortex-a15 for a kernel), A32, A, I
    /// and F masked.
    /// </summary>
    private void ResetAarch32Only()
    {
        State.Aarch32 = true;
        State.Thumb = false;
        State.Daif = 0x1C0u;
        if (Configuration.HasEl3) ResetAarch32El3();
        else WriteMode(Configuration.HasEl2 ? ModeHyp : ModeSupervisor, Configuration.HasEl2 ? 2 : 1);
    }
}
