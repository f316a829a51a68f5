namespace ArmVirt.Cpu.A32;

/// <summary>
/// The T32 branches (F3.1 "Branches and miscellaneous control", "Compare and branch on zero"): B (16- and 32-bit,
/// conditional and not), BL, BLX (immediate and register), BX, CBZ/CBNZ, and the IT instruction. Targets are relative
/// to the instruction's address + 4; BL and BLX write the next instruction's address with bit 0 set (T32) to LR.
/// </summary>
/// <remarks>
/// A conditional branch, CBZ/CBNZ or IT inside an IT block is UNPREDICTABLE (CONSTRAINED: UNDEFINED, the choice of
/// QEMU's translator for B&lt;c&gt;); a branch that is not the block's last instruction is UNPREDICTABLE too and runs
/// as written here.
/// </remarks>
internal static class T32Branches
{
    private static uint Pc(Cpu cpu) => (uint)cpu.State.PC;

    /// <summary>F5.1 B (T1, T3: conditional, outside an IT block; T2, T4).</summary>
    public static void B(Cpu cpu, in A32Operands op) => cpu.BranchWritePc(Pc(cpu) + 4 + op.Imm);

    /// <summary>F5.1 B (T1, T3): the encoding's condition was applied; UNDEFINED inside an IT block.</summary>
    public static void BConditional(Cpu cpu, in A32Operands op)
    {
        if (cpu.InItBlock) throw cpu.UndefinedException();
        cpu.BranchWritePc(Pc(cpu) + 4 + op.Imm);
    }

    /// <summary>F5.1 BL (immediate), T32 to T32: LR = the next instruction | 1.</summary>
    public static void Bl(Cpu cpu, in A32Operands op)
    {
        cpu.SetR(14, (uint)cpu.NextPc | 1);
        cpu.BranchWritePc(Pc(cpu) + 4 + op.Imm);
    }

    /// <summary>F5.1 BLX (immediate), T32 to A32: the target is Align(PC, 4) + imm32 (H = 1 is UNDEFINED: no row).</summary>
    public static void BlxImmediate(Cpu cpu, in A32Operands op)
    {
        cpu.SetR(14, (uint)cpu.NextPc | 1);
        cpu.State.Thumb = false;
        cpu.NextPc = ((Pc(cpu) + 4) & ~3u) + op.Imm;
    }

    /// <summary>F5.1 BX (T32): BXWritePC(R[m]); BX PC (R15 = the address + 4) goes to A32 state.</summary>
    public static void Bx(Cpu cpu, in A32Operands op) => cpu.BxWritePc(cpu.R(op.Rm));

    /// <summary>F5.1 BLX (register), T32: LR = the next instruction | 1, read after the target (BLX LR).</summary>
    public static void BlxRegister(Cpu cpu, in A32Operands op)
    {
        uint target = cpu.R(op.Rm);
        cpu.SetR(14, (uint)cpu.NextPc | 1);
        cpu.BxWritePc(target);
    }

    /// <summary>F5.1 CBZ, CBNZ (SetFlags = nonzero): a forward branch of i:imm5:'0' when R[n] is (not) zero.</summary>
    public static void CompareBranch(Cpu cpu, in A32Operands op)
    {
        if (cpu.InItBlock) throw cpu.UndefinedException();
        if ((cpu.R(op.Rn) == 0) != op.SetFlags) cpu.BranchWritePc(Pc(cpu) + 4 + op.Imm);
    }

    /// <summary>
    /// F5.1 IT: ITSTATE = firstcond:mask (the execution step does not advance it past the IT itself). firstcond = 1111,
    /// or 1110 with a mask of more than one instruction, is UNPREDICTABLE: UNDEFINED here, as an IT inside an IT block.
    /// </summary>
    public static void It(Cpu cpu, in A32Operands op)
    {
        uint firstcond = op.Imm >> 4, mask = op.Imm & 0xF;
        if (cpu.InItBlock || firstcond == 0xF || (firstcond == 0xE && System.Numerics.BitOperations.PopCount(mask) != 1))
            throw cpu.UndefinedException();
        cpu.State.It = (byte)op.Imm;
    }

    /// <summary>F5.1 TBB, TBH: a forward branch of twice the byte or halfword at Rn + Rm (TBH: Rn + 2 * Rm).</summary>
    public static void TableBranch(Cpu cpu, in A32Operands op)
    {
        if (cpu.InItBlock && !cpu.LastInItBlock) throw cpu.UndefinedException();
        bool half = op.SetFlags;
        uint address = cpu.R(op.Rn) + (half ? cpu.R(op.Rm) << 1 : cpu.R(op.Rm));
        uint offset = (uint)A32Memory.Load(cpu, address, half ? 2 : 1);
        if (cpu.AbortPending) return; // no branch: the abort is taken at this instruction (Cpu.DataAborts.cs)
        cpu.BranchWritePc(Pc(cpu) + 4 + 2 * offset);
    }
}
