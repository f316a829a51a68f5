namespace ArmVirt.Cpu.A32;

/// <summary>
/// F5.1 VLD1-VLD4 and VST1-VST4 (multiple structures, a single lane, and the all-lanes loads), with post-indexing by
/// the transfer size (Rm = 13) or a register. Elements are little-endian accesses of their size; the alignment the
/// encoding asks for is checked on the first address (an Alignment fault), and all loads happen before any register
/// is written.
/// </summary>
internal static class A32AdvSimdLoadStore
{
    /// <summary>The element or structure load or store.</summary>
    public static void Execute(Cpu cpu, in A32Operands op)
    {
        if (op.Size == 0 || op.Rn == 15) throw cpu.UndefinedException();
        cpu.CheckFPAdvSIMDEnabled();
        bool load = op.SetFlags;
        uint address = cpu.R(op.Rn);
        int ebytes = op.Size / 8, n = op.Imm2, inc = op.ShiftType;
        // A fault is recorded, not thrown (Cpu.DataAborts.cs): no register is written once one is pending.
        if (op.Imm > 1 && !A32Memory.CheckAligned(cpu, address, (int)op.Imm, load ? MemoryAccessKind.Read : MemoryAccessKind.Write)) return;
        // The transfers in memory order: (D register, lane; -1 = every lane).
        Span<(int Reg, int Lane)> slots = stackalloc (int, int)[32];
        int count = 0;
        switch (op.Kind)
        {
            case A32OperandKind.Immediate:
            {
                int elements = 8 / ebytes;
                if (n == 1)
                {
                    for (int r = 0; r < op.ShiftAmount; r++)
                        for (int e = 0; e < elements; e++) slots[count++] = (op.Rd + r, e);
                }
                else if (op.ShiftAmount == 2)
                {
                    // VLD2/VST2 of four registers (type 0011): the structures go to D[d+r] and D[d+r+2], r = 0, 1.
                    for (int r = 0; r < 2; r++)
                        for (int e = 0; e < elements; e++)
                        {
                            slots[count++] = (op.Rd + r, e);
                            slots[count++] = (op.Rd + r + 2, e);
                        }
                }
                else
                {
                    for (int e = 0; e < elements; e++)
                        for (int k = 0; k < n; k++) slots[count++] = (op.Rd + k * inc, e);
                }
                break;
            }
            case A32OperandKind.Register:
                for (int k = 0; k < n; k++) slots[count++] = (op.Rd + k * inc, op.Registers);
                break;
            default:
                for (int k = 0; k < n; k++) slots[count++] = (op.Rd + k * inc, -1);
                break;
        }
        if (load)
        {
            Span<ulong> values = stackalloc ulong[32];
            for (int i = 0; i < count; i++) values[i] = A32Memory.Load(cpu, address + (uint)(i * ebytes), ebytes);
            if (cpu.AbortPending) return;
            WriteBack(cpu, op, count * ebytes);
            for (int i = 0; i < count; i++)
            {
                var (reg, lane) = slots[i];
                ulong d = cpu.DReg(reg);
                if (lane < 0)
                {
                    ulong v = 0;
                    for (int b = 0; b < 64; b += op.Size) v |= values[i] << b;
                    cpu.SetDReg(reg, v);
                    if (op.ShiftAmount == 2 && n == 1) cpu.SetDReg(reg + 1, v); // VLD1 all lanes to two registers
                }
                else
                {
                    int shift = lane * op.Size;
                    ulong mask = (op.Size == 64 ? ulong.MaxValue : (1UL << op.Size) - 1) << shift;
                    cpu.SetDReg(reg, (d & ~mask) | (values[i] << shift & mask));
                }
            }
        }
        else
        {
            for (int i = 0; i < count && !cpu.AbortPending; i++)
            {
                var (reg, lane) = slots[i];
                ulong e = cpu.DReg(reg) >> (lane * op.Size);
                A32Memory.Store(cpu, address + (uint)(i * ebytes), ebytes, op.Size == 64 ? e : e & ((1UL << op.Size) - 1));
            }
            if (cpu.AbortPending) return;
            WriteBack(cpu, op, count * ebytes);
        }
    }

    // Rm = 15: no write-back; 13: by the bytes transferred; otherwise by R[m].
    private static void WriteBack(Cpu cpu, in A32Operands op, int bytes)
    {
        if (op.Rm == 15) return;
        cpu.SetR(op.Rn, cpu.R(op.Rn) + (op.Rm == 13 ? (uint)bytes : cpu.R(op.Rm)));
    }
}
