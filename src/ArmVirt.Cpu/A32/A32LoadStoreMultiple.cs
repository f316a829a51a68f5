using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Load/Store Multiple": LDM/STM in the four addressing modes (IA, IB, DA, DB; PUSH and POP are STMDB SP! and
/// LDMIA SP!). Every access is MemA (word-aligned). The registers are written after all loads, so a fault leaves them
/// unchanged (and the base: the fault is recorded, Cpu.DataAborts.cs, and no register is written while one is
/// pending); a store multiple stops at its faulting word, the words before it written, as the Arm ARM allows; loading
/// the PC is LoadWritePC; a stored PC is PC + 8.
/// </summary>
/// <remarks>
/// The forms with S = 1 (User registers, exception return) are UNPREDICTABLE in User and System modes: UNDEFINED.
/// A written-back base that is also in a load list is UNKNOWN (UNPREDICTABLE): the loaded value wins, as in QEMU.
/// An empty list is UNPREDICTABLE: UNDEFINED here (the rows' constraint), as in QEMU.
/// </remarks>
internal static class A32LoadStoreMultiple
{
    /// <summary>Decode constraint: a non-empty register list.</summary>
    public static bool HasRegisters(uint insn) => (insn & 0xFFFF) != 0;

    // The lowest address accessed and the written-back base.
    private static uint Start(Cpu cpu, in A32Operands op, out uint writeBack)
    {
        uint b = cpu.R(op.Rn), length = 4 * (uint)BitOperations.PopCount(op.Registers);
        writeBack = op.Add ? b + length : b - length;
        return (op.Index, op.Add) switch
        {
            (false, true) => b,              // IA
            (true, true) => b + 4,           // IB
            (false, false) => b - length + 4, // DA
            _ => b - length,                 // DB
        };
    }

    /// <summary>F5.1 LDM, LDMIA, LDMIB, LDMDA, LDMDB, POP.</summary>
    public static void Ldm(Cpu cpu, in A32Operands op)
    {
        uint address = Start(cpu, op, out uint writeBack);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        Span<uint> values = stackalloc uint[16];
        for (int i = 0, a = 0; i < 16; i++)
        {
            if ((op.Registers & (1 << i)) == 0) continue;
            values[i] = (uint)A32Memory.Load(cpu, address + 4 * (uint)a++, 4);
        }
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, writeBack);
        for (int i = 0; i < 15; i++)
            if ((op.Registers & (1 << i)) != 0) cpu.SetR(i, values[i]);
        if ((op.Registers & 0x8000) != 0) cpu.BxWritePc(values[15]);
    }

    /// <summary>F5.1 STM, STMIA, STMIB, STMDA, STMDB, PUSH: the base stored is its value before the write-back.</summary>
    public static void Stm(Cpu cpu, in A32Operands op)
    {
        uint address = Start(cpu, op, out uint writeBack);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        for (int i = 0, a = 0; i < 16 && !cpu.AbortPending; i++)
        {
            if ((op.Registers & (1 << i)) == 0) continue;
            A32Memory.Store(cpu, address + 4 * (uint)a++, 4, cpu.R(i));
        }
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, writeBack);
    }

    // The S = 1 forms are CONSTRAINED UNPREDICTABLE in User and System modes (and at EL2): UNDEFINED, as QEMU.
    private static void CheckPrivilegedMode(Cpu cpu)
    {
        if (cpu.State.EL == 0 || cpu.State.Mode is Cpu.ModeSystem or Cpu.ModeHyp) throw cpu.UndefinedException();
    }

    // (LDM and STM of the User registers and LDM's exception return are UNDEFINED in Hyp mode, as in System mode.)

    /// <summary>F5.1 LDM (User registers): loads R[i] of User mode (no write-back: W = 1 is UNDEFINED here).</summary>
    public static void LdmUser(Cpu cpu, in A32Operands op)
    {
        CheckPrivilegedMode(cpu);
        if (op.WriteBack) throw cpu.UndefinedException();
        uint address = Start(cpu, op, out _);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        Span<uint> values = stackalloc uint[15];
        for (int i = 0, a = 0; i < 15; i++)
            if ((op.Registers & (1 << i)) != 0) values[i] = (uint)A32Memory.Load(cpu, address + 4 * (uint)a++, 4);
        if (cpu.AbortPending) return;
        for (int i = 0; i < 15; i++)
            if ((op.Registers & (1 << i)) != 0) cpu.State.X[Cpu.Aarch32Register(Cpu.ModeUser, i)] = values[i];
    }

    /// <summary>F5.1 STM (User registers): stores R[i] of User mode (no write-back: W = 1 is UNDEFINED here).</summary>
    public static void StmUser(Cpu cpu, in A32Operands op)
    {
        CheckPrivilegedMode(cpu);
        if (op.WriteBack) throw cpu.UndefinedException();
        uint address = Start(cpu, op, out _);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        for (int i = 0, a = 0; i < 16 && !cpu.AbortPending; i++)
        {
            if ((op.Registers & (1 << i)) == 0) continue;
            uint value = i == 15 ? cpu.R(15) : (uint)cpu.State.X[Cpu.Aarch32Register(Cpu.ModeUser, i)];
            A32Memory.Store(cpu, address + 4 * (uint)a++, 4, value);
        }
    }

    /// <summary>
    /// F5.1 LDM (exception return): loads the listed registers of the current mode and the PC, writes the base back
    /// (a base in the list is UNKNOWN: the loaded value wins), then AArch32.ExceptionReturn with SPSR[].
    /// </summary>
    public static void LdmExceptionReturn(Cpu cpu, in A32Operands op)
    {
        CheckPrivilegedMode(cpu);
        if (!cpu.TryGetSpsrOfMode(cpu.State.Mode, out ulong spsr)) throw cpu.UndefinedException();
        uint address = Start(cpu, op, out uint writeBack);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        Span<uint> values = stackalloc uint[16];
        for (int i = 0, a = 0; i < 16; i++)
            if ((op.Registers & (1 << i)) != 0) values[i] = (uint)A32Memory.Load(cpu, address + 4 * (uint)a++, 4);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, writeBack);
        for (int i = 0; i < 15; i++)
            if ((op.Registers & (1 << i)) != 0) cpu.SetR(i, values[i]);
        cpu.Aarch32ExceptionReturn(values[15], (uint)spsr);
    }

    /// <summary>
    /// F5.1 SRS: stores LR and SPSR of the current mode to the stack of the mode the instruction names (Rmode[13, mode],
    /// written back with W). UNDEFINED at EL0, in System mode (no SPSR), in Hyp mode and for a target mode that is not an EL1 mode
    /// (User, Monitor, Hyp, reserved: CONSTRAINED UNPREDICTABLE).
    /// </summary>
    public static void Srs(Cpu cpu, in A32Operands op)
    {
        int mode = op.Registers & 0x1F;
        if (cpu.State.EL == 0 || cpu.State.Mode == Cpu.ModeHyp || !cpu.TryGetSpsrOfMode(cpu.State.Mode, out ulong spsr)
            || (mode & 0x10) == 0 || (mode & 0xF) == Cpu.ModeUser || cpu.ElFromM32(mode & 0xF) != 1)
            throw cpu.UndefinedException();
        int sp = Cpu.Aarch32Register(mode, 13);
        uint b = (uint)cpu.State.X[sp];
        uint address = (op.Add ? b : b - 8) + (op.Index == op.Add ? 4u : 0);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        A32Memory.Store(cpu, address, 4, cpu.R(14));
        A32Memory.Store(cpu, address + 4, 4, (uint)spsr);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.State.X[sp] = op.Add ? b + 8 : b - 8;
    }

    /// <summary>
    /// F5.1 RFE: loads the PC and the CPSR from [Rn] (the IA, IB, DA, DB forms), writes Rn back with W, then
    /// AArch32.ExceptionReturn. UNDEFINED at EL0.
    /// </summary>
    public static void Rfe(Cpu cpu, in A32Operands op)
    {
        if (cpu.State.EL == 0) throw cpu.UndefinedException();
        uint b = cpu.R(op.Rn);
        uint address = (op.Add ? b : b - 8) + (op.Index == op.Add ? 4u : 0);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        uint newPc = (uint)A32Memory.Load(cpu, address, 4);
        uint spsr = (uint)A32Memory.Load(cpu, address + 4, 4);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, op.Add ? b + 8 : b - 8);
        cpu.Aarch32ExceptionReturn(newPc, spsr);
    }
}
