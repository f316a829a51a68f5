using static ArmVirt.Cpu.A64.A64Fields;

namespace ArmVirt.Cpu.A64;

/// <summary>Semantics of LDR (literal) and LDRSW (literal) (Arm ARM C6.2 "LDR (literal)", "LDRSW (literal)").</summary>
internal static class LoadLiteral
{
    /// <summary>address = PC + SignExtend(imm19:'00'); opc 00 loads 32 bits, 01 64 bits, 10 32 bits sign-extended.</summary>
    public static void Load(Cpu cpu, uint insn)
    {
        ulong address = cpu.State.PC + (ulong)(SignedBits(insn, 23, 5) << 2);
        uint opc = insn >> 30;
        ulong value = cpu.Load(address, opc == 1 ? 8 : 4);
        if (cpu.AbortPending) return; // Rt unchanged (Cpu.DataAborts.cs)
        if (opc == 2) value = AddressingModes.SignExtend(value, 32);
        cpu.SetX(Rt(insn), value);
    }
}
