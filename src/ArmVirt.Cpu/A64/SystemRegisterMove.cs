using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// MRS, MSR (register), SYS and SYSL (Arm ARM C6.2 MRS/MSR/SYS/SYSL): look the encoding up in
/// <see cref="Cpu.SystemRegisters"/>, apply AArch64.CheckSystemAccess (UNDEFINED first, then traps in
/// EL1, EL2, EL3 order) and perform the access.
/// </summary>
public static class SystemRegisterMove
{
    /// <summary>C6.2.195 MRS.</summary>
    public static void Mrs(Cpu cpu, uint insn)
    {
        var reg = Resolve(cpu, insn, write: false);
        cpu.SetX(A64Fields.Rt(insn), reg.Read!(cpu));
    }

    /// <summary>C6.2.198 MSR (register).</summary>
    public static void Msr(Cpu cpu, uint insn)
    {
        var reg = Resolve(cpu, insn, write: true);
        reg.Write!(cpu, cpu.X(A64Fields.Rt(insn)));
        cpu.InvalidateRegimeCache();
    }

    /// <summary>C6.2.322 SYS: the operation receives Xt.</summary>
    public static void Sys(Cpu cpu, uint insn) => Msr(cpu, insn);

    /// <summary>C6.2.323 SYSL: no Armv8.0 SYSL operation exists, but registered ones return their result in Xt.</summary>
    public static void Sysl(Cpu cpu, uint insn) => Mrs(cpu, insn);

    /// <summary>
    /// The register or operation <paramref name="insn"/> addresses, after the access checks; throws the
    /// UNDEFINED or trap exception otherwise.
    /// </summary>
    public static SystemRegister Resolve(Cpu cpu, uint insn, bool write)
    {
        int op1 = (int)A64Fields.Bits(insn, 18, 16);
        var reg = cpu.SystemRegisters.Find(SystemRegister.KeyOf(insn));
        if (reg == null)
        {
            // HCR_EL2.TIDCP: the IMPLEMENTATION DEFINED space (op0 = 3, CRn = 11 or 15) traps from EL1.
            uint crn = A64Fields.Bits(insn, 15, 12);
            if (A64Fields.Bits(insn, 20, 19) == 3 && crn is 11 or 15 && cpu.State.EL == 1 && (cpu.EffectiveHcr & HcrEl2.Tidcp) != 0)
                throw Trap(cpu, insn, SystemRegisterAccess.TrapToEl2);
            throw Undefined(cpu);
        }
        if (cpu.State.EL < SystemRegisterTableBuilder.MinElForOp1(op1) || cpu.State.EL < reg.MinEl
            || (write ? reg.Write == null : reg.Read == null))
            throw Undefined(cpu);
        var access = reg.Check?.Invoke(cpu, write) ?? SystemRegisterAccess.Allowed;
        if (access != SystemRegisterAccess.Allowed) throw Trap(cpu, insn, access);
        return reg;
    }

    /// <summary>The exception for a failed access check.</summary>
    public static GuestException Trap(Cpu cpu, uint insn, SystemRegisterAccess access) => access switch
    {
        SystemRegisterAccess.TrapToEl1 => new GuestException(ExceptionClass.SystemRegister64, TrapSyndrome(insn),
            cpu.State.EL == 0 ? cpu.SyncExceptionTargetEl : 1),
        SystemRegisterAccess.TrapToEl2 => new GuestException(ExceptionClass.SystemRegister64, TrapSyndrome(insn), 2),
        SystemRegisterAccess.TrapToEl3 => new GuestException(ExceptionClass.SystemRegister64, TrapSyndrome(insn), 3),
        _ => Undefined(cpu),
    };

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
