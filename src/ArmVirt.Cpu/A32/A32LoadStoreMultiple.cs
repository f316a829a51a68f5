using System.Numerics;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// F4.1 "Load/Store Multiple": LDM/STM in the four addressing modes (IA, IB, DA, DB; PUSH and POP are STMDB SP! and
/// LDMIA SP!). Every access is MemA (word-aligned). The registers are written after all loads, so a fault leaves them
/// unchanged; loading the PC is LoadWritePC; a stored PC is PC + 8.
/// </summary>
/// <remarks>
/// The forms with S = 1 (user registers, exception return) are UNPREDICTABLE in User mode: UNDEFINED (no row).
/// A written-back base that is also in a load list is UNKNOWN (UNPREDICTABLE): the loaded value wins, as in QEMU.
/// An empty list is UNPREDICTABLE: UNDEFINED here (the rows' constraint), as in QEMU.
/// </remarks>
public static class A32LoadStoreMultiple
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
        A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read);
        Span<uint> values = stackalloc uint[16];
        for (int i = 0, a = 0; i < 16; i++)
        {
            if ((op.Registers & (1 << i)) == 0) continue;
            values[i] = (uint)cpu.ReadMemory(address + 4 * (uint)a++, 4);
        }
        if (op.WriteBack) cpu.SetR(op.Rn, writeBack);
        for (int i = 0; i < 15; i++)
            if ((op.Registers & (1 << i)) != 0) cpu.SetR(i, values[i]);
        if ((op.Registers & 0x8000) != 0) cpu.BxWritePc(values[15]);
    }

    /// <summary>F5.1 STM, STMIA, STMIB, STMDA, STMDB, PUSH: the base stored is its value before the write-back.</summary>
    public static void Stm(Cpu cpu, in A32Operands op)
    {
        uint address = Start(cpu, op, out uint writeBack);
        A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write);
        for (int i = 0, a = 0; i < 16; i++)
        {
            if ((op.Registers & (1 << i)) == 0) continue;
            cpu.WriteMemory(address + 4 * (uint)a++, 4, cpu.R(i));
        }
        if (op.WriteBack) cpu.SetR(op.Rn, writeBack);
    }
}
