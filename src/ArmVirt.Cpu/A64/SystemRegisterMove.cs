using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// MRS, MSR (register), SYS and SYSL (Arm ARM C6.2 MRS/MSR/SYS/SYSL): look the encoding up in
/// <see cref="Cpu.SystemRegisters"/>, apply AArch64.CheckSystemAccess (UNDEFINED first, then traps in
/// EL1, EL2, EL3 order) and perform the access.
/// </summary>
internal static class SystemRegisterMove
{
    /// <summary>C6.2.195 MRS.</summary>
    public static void Mrs(Cpu cpu, uint insn)
    {
        var reg = ResolveOrTakeException(cpu, insn, write: false);
        if (reg != null) cpu.SetX(A64Fields.Rt(insn), reg.Read!(cpu));
    }

    /// <summary>C6.2.198 MSR (register). A write to a register the translation regime reads drops the cached regime.</summary>
    public static void Msr(Cpu cpu, uint insn)
    {
        var reg = ResolveOrTakeException(cpu, insn, write: true);
        if (reg == null) return;
        reg.Write!(cpu, cpu.X(A64Fields.Rt(insn)));
        if (reg.ChangesTranslation) cpu.InvalidateRegimeCache();
    }

    /// <summary>C6.2.322 SYS: the operation receives Xt.</summary>
    public static void Sys(Cpu cpu, uint insn) => Msr(cpu, insn);

    /// <summary>C6.2.323 SYSL: no Armv8.0 SYSL operation exists, but registered ones return their result in Xt.</summary>
    public static void Sysl(Cpu cpu, uint insn) => Mrs(cpu, insn);

    /// <summary>
    /// The register or operation <paramref name="insn"/> addresses, after the access checks; throws the
    /// UNDEFINED or trap exception otherwise.
    /// </summary>
    public static SystemRegister Resolve(Cpu cpu, uint insn, bool write) =>
        Check(cpu, insn, write, out var ec, out uint iss, out int targetEl) ?? throw new GuestException(ec, iss, targetEl);

    // Resolve for MRS, MSR, SYS and SYSL themselves: a failed check takes its exception at once (the instruction's
    // address as the preferred return, exactly what the execution loops do with a GuestException from a handler) and
    // returns null. A trapped system register access is how a hypervisor sees its guest's ID registers, virtual memory
    // controls, PMU, debug and set/way maintenance: no .NET throw, which costs microseconds, on that path. These
    // instructions end their block (all but DC by VA, below), so compiled code leaves at NextPc (the vector) as after HVC
    // or SVC.
    private static SystemRegister? ResolveOrTakeException(Cpu cpu, uint insn, bool write)
    {
        var reg = Check(cpu, insn, write, out var ec, out uint iss, out int targetEl);
        if (reg != null) return reg;
        // DC ZVA/CVAC/CVAU/CIVAC/IVAC do not end blocks (they are loads and stores to the JIT): their trap is recorded as
        // a data abort is, and the loop running them takes it at the instruction (Cpu.DataAborts.cs).
        if (Jit.InstructionClassifier.IsDataCacheByVa(insn)) cpu.RecordTrap(ec, iss, targetEl);
        else cpu.TakeException(ExceptionKind.Synchronous, targetEl, cpu.State.PC, ec, iss);
        return null;
    }

    // AArch64.CheckSystemAccess: the register, or null and the exception to take (UNDEFINED first, then traps in EL1,
    // EL2, EL3 order).
    private static SystemRegister? Check(Cpu cpu, uint insn, bool write, out ExceptionClass ec, out uint iss, out int targetEl)
    {
        int op1 = (int)A64Fields.Bits(insn, 18, 16);
        var reg = cpu.SystemRegisters.Find(SystemRegister.KeyOf(insn));
        var access = SystemRegisterAccess.Allowed;
        if (reg == null)
        {
            // HCR_EL2.TIDCP: the IMPLEMENTATION DEFINED space (op0 = 3, CRn = 11 or 15) traps from EL1.
            uint crn = A64Fields.Bits(insn, 15, 12);
            access = A64Fields.Bits(insn, 20, 19) == 3 && crn is 11 or 15 && cpu.State.EL == 1 && (cpu.EffectiveHcr & HcrEl2.Tidcp) != 0
                ? SystemRegisterAccess.TrapToEl2 : SystemRegisterAccess.Undefined;
        }
        else if (cpu.State.EL < SystemRegisterTableBuilder.MinElForOp1(op1) || cpu.State.EL < reg.MinEl
            || (write ? reg.Write == null : reg.Read == null))
            access = SystemRegisterAccess.Undefined;
        else if (reg.Check != null)
            access = reg.Check(cpu, write);
        if (access == SystemRegisterAccess.Allowed)
        {
            ec = default;
            iss = 0;
            targetEl = 0;
            return reg;
        }
        (ec, iss, targetEl) = Exception(cpu, insn, access);
        return null;
    }

    // The exception class, ISS and target EL of a failed access check (Trap and Undefined below build the same).
    private static (ExceptionClass Ec, uint Iss, int TargetEl) Exception(Cpu cpu, uint insn, SystemRegisterAccess access) => access switch
    {
        SystemRegisterAccess.TrapToEl1 => (ExceptionClass.SystemRegister64, TrapSyndrome(insn), cpu.State.EL == 0 ? cpu.SyncExceptionTargetEl : 1),
        SystemRegisterAccess.TrapToEl2 => (ExceptionClass.SystemRegister64, TrapSyndrome(insn), 2),
        SystemRegisterAccess.TrapToEl3 => (ExceptionClass.SystemRegister64, TrapSyndrome(insn), 3),
        _ => (ExceptionClass.Unknown, 0, cpu.SyncExceptionTargetEl),
    };

    /// <summary>The exception for a failed access check.</summary>
    public static GuestException Trap(Cpu cpu, uint insn, SystemRegisterAccess access)
    {
        var (ec, iss, targetEl) = Exception(cpu, insn, access);
        return new GuestException(ec, iss, targetEl);
    }

    /// <summary>UNDEFINED at the current EL (AArch64.UndefinedFault).</summary>
    public static GuestException Undefined(Cpu cpu) => new(ExceptionClass.Unknown, 0, cpu.SyncExceptionTargetEl);

    /// <summary>
    /// ISS for EC 0x18 (D17.2.37 "ISS encoding for an exception from MSR, MRS, or System instruction
    /// execution"): Op0[21:20], Op2[19:17], Op1[16:14], CRn[13:10], Rt[9:5], CRm[4:1], Direction[0] (1 = read).
    /// </summary>
    public static uint TrapSyndrome(uint insn) =>
        (A64Fields.Bits(insn, 20, 19) << 20) | (A64Fields.Bits(insn, 7, 5) << 17) | (A64Fields.Bits(insn, 18, 16) << 14)
        | (A64Fields.Bits(insn, 15, 12) << 10) | ((insn & 31) << 5) | (A64Fields.Bits(insn, 11, 8) << 1) | A64Fields.Bits(insn, 21, 21);
}
