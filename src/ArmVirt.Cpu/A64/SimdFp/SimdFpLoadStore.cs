using static ArmVirt.Cpu.A64.A64Fields;
using static ArmVirt.Cpu.A64.SimdFp.AdvSimd;

namespace ArmVirt.Cpu.A64.SimdFp;

/// <summary>
/// SIMD&amp;FP register loads and stores (Arm ARM C4.1.88): LDR/STR (immediate, unscaled, pre/post-index,
/// register offset), LDR (literal), LDP/STP/LDNP/STNP, LD1-LD4/ST1-ST4 (multiple and single structures,
/// with post-index) and LD1R-LD4R. Every access is made before any register is written, and every store
/// location is probed before the first byte is written, so a fault leaves the architectural state unchanged: a fault
/// is recorded on the CPU (<c>Cpu.AbortPending</c>, taken by the execution loop, Cpu.DataAborts.cs), not thrown, and
/// each handler returns before its register writes when one is pending.
/// </summary>
internal static class SimdFpLoadStore
{
    /// <summary>
    /// Reads <paramref name="bytes"/> (1, 2, 4, 8 or 16) at <paramref name="va"/>, aligned to the access size when
    /// alignment is checked. A fault is recorded on the CPU, not thrown (0 is returned).
    /// </summary>
    public static UInt128 Read(Cpu cpu, ulong va, int bytes)
    {
        if (bytes <= 8) return cpu.Load(va, bytes);
        ulong lo = cpu.Load(va, 8, MemoryAccessKind.Read, 16);
        ulong hi = cpu.Load(va + 8, 8);
        return new UInt128(hi, lo);
    }

    /// <summary>Checks that a write of <paramref name="bytes"/> at <paramref name="va"/> would not fault (recording the fault if it would).</summary>
    public static void Probe(Cpu cpu, ulong va, int bytes)
    {
        if (bytes <= 8) cpu.ProbeStore(va, bytes);
        else
        {
            cpu.ProbeStore(va, 8, MemoryAccessKind.Write, 16);
            cpu.ProbeStore(va + 8, 8);
        }
    }

    /// <summary>Writes <paramref name="bytes"/> of <paramref name="value"/> at <paramref name="va"/> (nothing once a fault is recorded).</summary>
    public static void Write(Cpu cpu, ulong va, int bytes, UInt128 value)
    {
        if (bytes <= 8) cpu.Store(va, bytes, (ulong)value);
        else
        {
            cpu.Store(va, 8, (ulong)value, MemoryAccessKind.Write, 16);
            cpu.Store(va + 8, 8, (ulong)(value >> 64));
        }
    }

    private static void SetRegister(Cpu cpu, int t, int bytes, UInt128 value) =>
        Set(cpu, t, bytes == 16 ? value : value & Mask(bytes * 8), bytes == 16);

    private static UInt128 RegisterValue(Cpu cpu, int t, int bytes)
    {
        UInt128 v = Get(cpu, t);
        return bytes == 16 ? v : v & Mask(bytes * 8);
    }

    /// <summary>log2 of the access size for LDR/STR (register forms): opc&lt;1&gt;:size.</summary>
    public static int Scale(uint insn) => (int)(((insn >> 21) & 4) | (insn >> 30));

    /// <summary>Constraint: a 128-bit access needs size = 00.</summary>
    public static bool ScaleValid(uint insn) => Scale(insn) <= 4;

    private static void Access(Cpu cpu, uint insn, ulong address, bool writeback, ulong newBase)
    {
        int bytes = 1 << Scale(insn);
        bool load = (insn & (1u << 22)) != 0;
        int t = Rt(insn);
        if (load)
        {
            UInt128 v = Read(cpu, address, bytes);
            if (cpu.AbortPending) return;
            SetRegister(cpu, t, bytes, v);
        }
        else
        {
            Write(cpu, address, bytes, RegisterValue(cpu, t, bytes));
            if (cpu.AbortPending) return;
        }
        if (writeback) cpu.SetXSp(Rn(insn), newBase);
    }

    /// <summary>LDR/STR (SIMD&amp;FP, unsigned offset).</summary>
    public static void UnsignedOffset(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        ulong address = cpu.XSp(Rn(insn)) + (Bits(insn, 21, 10) << Scale(insn));
        Access(cpu, insn, address, false, 0);
    }

    /// <summary>LDUR/STUR and the pre-/post-index forms (bits 11..10 = 00, 01 post, 11 pre).</summary>
    public static void Immediate9(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        ulong b = cpu.XSp(Rn(insn));
        ulong imm = (ulong)SignedBits(insn, 20, 12);
        int mode = (int)Bits(insn, 11, 10);
        ulong address = mode == 1 ? b : b + imm;
        Access(cpu, insn, address, mode != 0, b + imm);
    }

    /// <summary>LDR/STR (SIMD&amp;FP, register offset) with UXTW, LSL, SXTW, SXTX extension.</summary>
    public static void RegisterOffset(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int option = (int)Bits(insn, 15, 13);
        ulong m = cpu.X(Rm(insn));
        ulong offset = option switch
        {
            2 => (uint)m,
            6 => (ulong)(long)(int)m,
            _ => m,
        };
        if ((insn & (1u << 12)) != 0) offset <<= Scale(insn);
        Access(cpu, insn, cpu.XSp(Rn(insn)) + offset, false, 0);
    }

    /// <summary>Constraint for register offset: option is 010, 011, 110 or 111.</summary>
    public static bool RegisterOffsetValid(uint insn) => ScaleValid(insn) && (Bits(insn, 15, 13) & 2) != 0;

    /// <summary>LDR (literal, SIMD&amp;FP): opc 00 S, 01 D, 10 Q.</summary>
    public static void Literal(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int bytes = 4 << (int)Bits(insn, 31, 30);
        ulong address = cpu.State.PC + (ulong)(SignedBits(insn, 23, 5) << 2);
        UInt128 value = Read(cpu, address, bytes);
        if (cpu.AbortPending) return;
        SetRegister(cpu, Rt(insn), bytes, value);
    }

    /// <summary>LDP/STP/LDNP/STNP (SIMD&amp;FP): bits 24..23 = 00 no-allocate, 01 post-index, 10 offset, 11 pre-index.</summary>
    public static void Pair(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        int scale = 2 + (int)Bits(insn, 31, 30), bytes = 1 << scale;
        bool load = (insn & (1u << 22)) != 0;
        int mode = (int)Bits(insn, 24, 23);
        ulong b = cpu.XSp(Rn(insn));
        ulong offset = (ulong)(SignedBits(insn, 21, 15) << scale);
        ulong address = mode == 1 ? b : b + offset;
        int t = Rt(insn), t2 = Rt2(insn);
        if (load)
        {
            UInt128 v1 = Read(cpu, address, bytes);
            UInt128 v2 = Read(cpu, address + (ulong)bytes, bytes);
            if (cpu.AbortPending) return;
            SetRegister(cpu, t, bytes, v1);
            SetRegister(cpu, t2, bytes, v2);
        }
        else
        {
            Probe(cpu, address, bytes);
            Probe(cpu, address + (ulong)bytes, bytes);
            if (cpu.AbortPending) return; // (a store's fast path does not look at a pending abort)
            Write(cpu, address, bytes, RegisterValue(cpu, t, bytes));
            Write(cpu, address + (ulong)bytes, bytes, RegisterValue(cpu, t2, bytes));
            if (cpu.AbortPending) return;
        }
        if (mode is 1 or 3) cpu.SetXSp(Rn(insn), b + offset);
    }

    /// <summary>Constraint for LDP/STP: opc != 11.</summary>
    public static bool PairValid(uint insn) => Bits(insn, 31, 30) != 3;

    // ---- Structures ----

    private static (int Rpt, int Selem) MultipleShape(uint insn) => Bits(insn, 15, 12) switch
    {
        0b0000 => (1, 4),
        0b0010 => (4, 1),
        0b0100 => (1, 3),
        0b0110 => (3, 1),
        0b0111 => (1, 1),
        0b1000 => (1, 2),
        _ => (2, 1),
    };

    /// <summary>Constraint for multiple structures: a listed opcode, and 1D arrangements only for LD1/ST1.</summary>
    public static bool MultipleValid(uint insn)
    {
        uint opc = Bits(insn, 15, 12);
        if (opc is not (0b0000 or 0b0010 or 0b0100 or 0b0110 or 0b0111 or 0b1000 or 0b1010)) return false;
        return !(Bits(insn, 11, 10) == 3 && !Q(insn) && MultipleShape(insn).Selem > 1);
    }

    /// <summary>LD1-LD4 / ST1-ST4 (multiple structures), with and without post-index.</summary>
    public static void Multiple(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool load = (insn & (1u << 22)) != 0, q = Q(insn), postIndex = (insn & (1u << 23)) != 0;
        var (rpt, selem) = MultipleShape(insn);
        int esize = 8 << (int)Bits(insn, 11, 10), ebytes = esize / 8, elements = (q ? 128 : 64) / esize;
        int t = Rt(insn);
        ulong address = cpu.XSp(Rn(insn));
        int regs = rpt * selem;
        Span<UInt128> values = stackalloc UInt128[4];
        for (int r = 0; r < regs; r++) values[r] = load ? 0 : Get(cpu, (t + r) % 32);
        ulong offs = 0;
        if (!load)
        {
            for (int i = 0; i < rpt * elements * selem; i++) Probe(cpu, address + (ulong)(i * ebytes), ebytes);
            if (cpu.AbortPending) return;
        }
        for (int r = 0; r < rpt; r++)
            for (int e = 0; e < elements; e++)
                for (int s = 0; s < selem; s++)
                {
                    int reg = r + s; // register index within the list
                    if (load) values[reg] = With(values[reg], e, esize, (ulong)Read(cpu, address + offs, ebytes));
                    else Write(cpu, address + offs, ebytes, Elem(values[reg], e, esize));
                    offs += (ulong)ebytes;
                }
        if (cpu.AbortPending) return; // no register of the list, and not the base, written
        if (load)
            for (int r = 0; r < regs; r++) Set(cpu, (t + r) % 32, values[r], q);
        if (postIndex)
        {
            int m = Rm(insn);
            cpu.SetXSp(Rn(insn), address + (m == 31 ? offs : cpu.X(m)));
        }
    }

    /// <summary>
    /// LD1-LD4 / ST1-ST4 (single structure) and LD1R-LD4R, with and without post-index: opcode&lt;2:1&gt; is the
    /// scale (11 = replicate), selem = opcode&lt;0&gt;:R + 1.
    /// </summary>
    public static void Single(Cpu cpu, uint insn)
    {
        cpu.CheckFPAdvSIMDEnabled();
        bool load = (insn & (1u << 22)) != 0, q = Q(insn), postIndex = (insn & (1u << 23)) != 0;
        int opcode = (int)Bits(insn, 15, 13), size = (int)Bits(insn, 11, 10), s = (int)Bits(insn, 12, 12);
        int selem = (((opcode & 1) << 1) | (int)Bits(insn, 21, 21)) + 1;
        int scale = opcode >> 1, index = 0;
        bool replicate = false;
        switch (scale)
        {
            case 3: replicate = true; scale = size; break;
            case 0: index = (q ? 8 : 0) | (s << 2) | size; break;
            case 1: index = (q ? 4 : 0) | (s << 1) | (size >> 1); break;
            default:
                if ((size & 1) == 0) index = (q ? 2 : 0) | s;
                else { index = q ? 1 : 0; scale = 3; }
                break;
        }
        int esize = 8 << scale, ebytes = esize / 8, t = Rt(insn);
        ulong address = cpu.XSp(Rn(insn)), offs = 0;
        Span<UInt128> values = stackalloc UInt128[4];
        if (!load)
            for (int i = 0; i < selem; i++) Probe(cpu, address + (ulong)(i * ebytes), ebytes);
        if (cpu.AbortPending) return;
        for (int i = 0; i < selem; i++)
        {
            int reg = (t + i) % 32;
            if (replicate)
            {
                ulong e = (ulong)Read(cpu, address + offs, ebytes);
                UInt128 v = 0;
                for (int k = 0; k < 128 / esize; k++) v = With(v, k, esize, e);
                values[i] = v;
            }
            else if (load) values[i] = With(Get(cpu, reg), index, esize, (ulong)Read(cpu, address + offs, ebytes));
            else Write(cpu, address + offs, ebytes, Elem(Get(cpu, reg), index, esize));
            offs += (ulong)ebytes;
        }
        if (cpu.AbortPending) return;
        if (load)
            for (int i = 0; i < selem; i++) Set(cpu, (t + i) % 32, values[i], replicate ? q : true);
        if (postIndex)
        {
            int m = Rm(insn);
            cpu.SetXSp(Rn(insn), address + (m == 31 ? offs : cpu.X(m)));
        }
    }

    /// <summary>Constraint for single structures: the size/S combinations the Arm ARM allocates.</summary>
    public static bool SingleValid(uint insn)
    {
        int opcode = (int)Bits(insn, 15, 13), size = (int)Bits(insn, 11, 10), s = (int)Bits(insn, 12, 12);
        bool load = (insn & (1u << 22)) != 0;
        return (opcode >> 1) switch
        {
            3 => load && s == 0,
            0 => true,
            1 => (size & 1) == 0,
            _ => (size & 2) == 0 && !((size & 1) == 1 && s == 1),
        };
    }
}
