namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Branch, branch with link, and block data transfer" and the branch-and-exchange instructions: B, BL, BLX
/// (immediate), BX, BLX (register), BXJ. Targets are relative to PC + 8; BL and BLX write the next instruction's
/// address to LR (R14).
/// </summary>
internal static class A32Branches
{
    private static uint Pc(Cpu cpu) => (uint)cpu.State.PC;

    /// <summary>F5.1 B: BranchWritePC(PC + 8 + imm32).</summary>
    public static void B(Cpu cpu, in A32Operands op) => cpu.BranchWritePc(Pc(cpu) + 8 + op.Imm);

    /// <summary>F5.1 BL (immediate), A32 to A32.</summary>
    public static void Bl(Cpu cpu, in A32Operands op)
    {
        cpu.SetR(14, Pc(cpu) + 4);
        cpu.BranchWritePc(Pc(cpu) + 8 + op.Imm);
    }

    /// <summary>F5.1 BLX (immediate): BL to T32 code (SelectInstrSet(T32); the target is halfword-aligned).</summary>
    public static void BlxImmediate(Cpu cpu, in A32Operands op)
    {
        cpu.SetR(14, Pc(cpu) + 4);
        cpu.State.Thumb = true;
        cpu.NextPc = Pc(cpu) + 8 + op.Imm;
    }

    /// <summary>F5.1 BX, and BXJ (which Armv8 executes as BX: no Jazelle).</summary>
    public static void Bx(Cpu cpu, in A32Operands op) => cpu.BxWritePc(cpu.R(op.Rm));

    /// <summary>F5.1 BLX (register): the target is read before LR is written (BLX LR branches to the old LR).</summary>
    public static void BlxRegister(Cpu cpu, in A32Operands op)
    {
        uint target = cpu.R(op.Rm);
        cpu.SetR(14, Pc(cpu) + 4);
        cpu.BxWritePc(target);
    }
}
