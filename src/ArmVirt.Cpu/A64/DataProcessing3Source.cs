using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>
/// C4.1.6 "Data-processing (3 source)": MADD, MSUB, SMADDL, SMSUBL, SMULH, UMADDL, UMSUBL, UMULH.
/// Register 31 is ZR in every operand (MUL, MNEG, SMULL, UMULL... are the Ra = ZR aliases).
/// </summary>
internal static class DataProcessing3Source
{
    /// <summary>C6.2 MADD: Rd = Ra + Rn * Rm.</summary>
    public static void Madd(Cpu cpu, uint insn)
    {
        ulong result = cpu.X(Ra(insn)) + cpu.X(Rn(insn)) * cpu.X(Rm(insn));
        cpu.SetX(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 MSUB: Rd = Ra - Rn * Rm.</summary>
    public static void Msub(Cpu cpu, uint insn)
    {
        ulong result = cpu.X(Ra(insn)) - cpu.X(Rn(insn)) * cpu.X(Rm(insn));
        cpu.SetX(Rd(insn), Sf(insn) ? result : (uint)result);
    }

    /// <summary>C6.2 SMADDL: Xd = Xa + SInt(Wn) * SInt(Wm).</summary>
    public static void Smaddl(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), cpu.X(Ra(insn)) + (ulong)((long)(int)cpu.W(Rn(insn)) * (int)cpu.W(Rm(insn))));

    /// <summary>C6.2 SMSUBL: Xd = Xa - SInt(Wn) * SInt(Wm).</summary>
    public static void Smsubl(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), cpu.X(Ra(insn)) - (ulong)((long)(int)cpu.W(Rn(insn)) * (int)cpu.W(Rm(insn))));

    /// <summary>C6.2 SMULH: Xd = (SInt(Xn) * SInt(Xm))&lt;127:64&gt;.</summary>
    public static void Smulh(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), (ulong)Math.BigMul((long)cpu.X(Rn(insn)), (long)cpu.X(Rm(insn)), out _));

    /// <summary>C6.2 UMADDL: Xd = Xa + UInt(Wn) * UInt(Wm).</summary>
    public static void Umaddl(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), cpu.X(Ra(insn)) + (ulong)cpu.W(Rn(insn)) * cpu.W(Rm(insn)));

    /// <summary>C6.2 UMSUBL: Xd = Xa - UInt(Wn) * UInt(Wm).</summary>
    public static void Umsubl(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), cpu.X(Ra(insn)) - (ulong)cpu.W(Rn(insn)) * cpu.W(Rm(insn)));

    /// <summary>C6.2 UMULH: Xd = (UInt(Xn) * UInt(Xm))&lt;127:64&gt;.</summary>
    public static void Umulh(Cpu cpu, uint insn) =>
        cpu.SetX(Rd(insn), Math.BigMul(cpu.X(Rn(insn)), cpu.X(Rm(insn)), out _));
}
