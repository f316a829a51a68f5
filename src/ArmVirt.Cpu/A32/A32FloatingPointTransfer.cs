using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu.A32;

/// <summary>
/// The VFP and Advanced SIMD register transfers of A32 and T32 (Arm ARM F4.1 "Advanced SIMD and floating-point load/store",
/// "64-bit move", "8, 16 and 32-bit transfer"): VLDR, VSTR, VLDM, VSTM (VPUSH, VPOP), VMOV between general-purpose
/// registers and S, D registers or scalars, VDUP (general-purpose register), VMRS and VMSR. Memory accesses are MemA
/// (word-aligned) and little-endian; a D register is its low word at the lower address. All loads happen before any
/// register is written, so a fault leaves the registers unchanged (it is recorded, not thrown: Cpu.DataAborts.cs).
/// </summary>
internal static class A32FloatingPointTransfer
{
    /// <summary>F5.1 VLDR: S or D register from [Rn +/- imm8 * 4]; Rn = PC is Align(PC, 4) (a literal load in T32 too).</summary>
    public static void Vldr(Cpu cpu, in A32Operands op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        uint address = Address(cpu, op);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        if (op.Size == 64)
        {
            uint first = (uint)A32Memory.Load(cpu, address, 4), second = (uint)A32Memory.Load(cpu, address + 4, 4);
            if (!cpu.AbortPending) cpu.SetDReg(op.Rd, A32Memory.Doubleword(cpu, first, second));
        }
        else
        {
            uint value = (uint)A32Memory.Load(cpu, address, 4);
            if (!cpu.AbortPending) cpu.SetSReg(op.Rd, value);
        }
    }

    /// <summary>F5.1 VSTR.</summary>
    public static void Vstr(Cpu cpu, in A32Operands op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        uint address = Address(cpu, op);
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        if (op.Size == 64)
        {
            ulong value = cpu.DReg(op.Rd);
            A32Memory.Store(cpu, address, 4, A32Memory.StoredWord(cpu, value, second: false));
            A32Memory.Store(cpu, address + 4, 4, A32Memory.StoredWord(cpu, value, second: true));
        }
        else A32Memory.Store(cpu, address, 4, cpu.SReg(op.Rd));
    }

    private static uint Address(Cpu cpu, in A32Operands op)
    {
        uint b = op.Rn == 15 ? cpu.R(15) & ~3u : cpu.R(op.Rn);
        return op.Add ? b + op.Imm : b - op.Imm;
    }

    /// <summary>
    /// Decode constraint of VLDM/VSTM: a register count from 1 to 16 D (or 32 S) registers that stays inside the register
    /// file, and no write-back to the PC (all UNPREDICTABLE; UNDEFINED here as in QEMU). An odd imm8 with D registers is
    /// FLDMX/FSTMX, which transfers imm8 / 2 registers and moves the address by imm8 * 4.
    /// </summary>
    public static bool MultipleValid(uint insn)
    {
        var op = A32Formats.VfpLoadStore(insn);
        int limit = op.Size == 64 ? 16 : 32;
        return op.Imm2 != 0 && op.Imm2 <= limit && op.Rd + op.Imm2 <= 32 && !(op.WriteBack && op.Rn == 15);
    }

    /// <summary>F5.1 VLDM, VLDMIA, VLDMDB, VPOP: consecutive registers from Rn (IA) or Rn - imm8 * 4 (DB), optional write-back.</summary>
    public static void Vldm(Cpu cpu, in A32Operands op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        uint b = cpu.R(op.Rn);
        uint address = op.Add ? b : b - op.Imm;
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Read)) return;
        int words = op.Size == 64 ? 2 * op.Imm2 : op.Imm2;
        Span<uint> values = stackalloc uint[32];
        for (int i = 0; i < words; i++) values[i] = (uint)A32Memory.Load(cpu, address + 4 * (uint)i, 4);
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, op.Add ? b + op.Imm : b - op.Imm);
        for (int i = 0; i < op.Imm2; i++)
        {
            if (op.Size == 64) cpu.SetDReg(op.Rd + i, A32Memory.Doubleword(cpu, values[2 * i], values[2 * i + 1]));
            else cpu.SetSReg(op.Rd + i, values[i]);
        }
    }

    /// <summary>F5.1 VSTM, VSTMIA, VSTMDB, VPUSH.</summary>
    public static void Vstm(Cpu cpu, in A32Operands op)
    {
        cpu.CheckFPAdvSIMDEnabled();
        uint b = cpu.R(op.Rn);
        uint address = op.Add ? b : b - op.Imm;
        if (!A32Memory.CheckAligned(cpu, address, 4, MemoryAccessKind.Write)) return;
        for (int i = 0; i < op.Imm2 && !cpu.AbortPending; i++)
        {
            if (op.Size == 64)
            {
                ulong value = cpu.DReg(op.Rd + i);
                A32Memory.Store(cpu, address + 8 * (uint)i, 4, A32Memory.StoredWord(cpu, value, second: false));
                A32Memory.Store(cpu, address + 8 * (uint)i + 4, 4, A32Memory.StoredWord(cpu, value, second: true));
            }
            else A32Memory.Store(cpu, address + 4 * (uint)i, 4, cpu.SReg(op.Rd + i));
        }
        if (cpu.AbortPending) return;
        if (op.WriteBack) cpu.SetR(op.Rn, op.Add ? b + op.Imm : b - op.Imm);
    }

    /// <summary>F5.1 VMOV (between general-purpose register and single-precision register); Rt = PC is UNPREDICTABLE (UNDEFINED).</summary>
    public static void MoveSingle(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException();
        cpu.CheckFPAdvSIMDEnabled();
        if (op.SetFlags) cpu.SetR(op.Rd, cpu.SReg(op.Rn));
        else cpu.SetSReg(op.Rn, cpu.R(op.Rd));
    }

    /// <summary>
    /// F5.1 VMOV (between two general-purpose registers and a doubleword register / two single-precision registers):
    /// Rt the low word (or S[m]), Rt2 the high word (or S[m+1]). Rt or Rt2 = PC, S31 as the first of two S registers and
    /// Rt = Rt2 on a transfer to them are UNPREDICTABLE: UNDEFINED.
    /// </summary>
    public static void MovePair(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15 || op.Rs == 15 || (op.SetFlags && op.Rd == op.Rs) || (op.Size == 32 && op.Rm == 31)) throw cpu.UndefinedException();
        cpu.CheckFPAdvSIMDEnabled();
        if (op.SetFlags)
        {
            ulong v = op.Size == 64 ? cpu.DReg(op.Rm) : (ulong)cpu.SReg(op.Rm + 1) << 32 | cpu.SReg(op.Rm);
            cpu.SetR(op.Rd, (uint)v);
            cpu.SetR(op.Rs, (uint)(v >> 32));
        }
        else if (op.Size == 64) cpu.SetDReg(op.Rm, (ulong)cpu.R(op.Rs) << 32 | cpu.R(op.Rd));
        else
        {
            cpu.SetSReg(op.Rm, cpu.R(op.Rd));
            cpu.SetSReg(op.Rm + 1, cpu.R(op.Rs));
        }
    }

    /// <summary>
    /// F5.1 VMOV (general-purpose register to scalar) and (scalar to general-purpose register, zero- or sign-extended by
    /// U): one 8-, 16- or 32-bit element of a D register. Rt = PC and the unallocated opc1:opc2 (and U = 1 with a 32-bit
    /// element) are UNDEFINED.
    /// </summary>
    public static void MoveScalar(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15 || op.Size == 0 || (op.SetFlags && op.Unsigned && op.Size == 32)) throw cpu.UndefinedException();
        cpu.CheckFPAdvSIMDEnabled();
        int shift = (int)op.Imm * op.Size;
        ulong mask = op.Size == 64 ? ulong.MaxValue : ((1UL << op.Size) - 1) << shift;
        ulong d = cpu.DReg(op.Rn);
        if (!op.SetFlags)
        {
            cpu.SetDReg(op.Rn, (d & ~mask) | ((ulong)cpu.R(op.Rd) << shift & mask));
            return;
        }
        ulong e = (d & mask) >> shift;
        if (!op.Unsigned && op.Size < 32) e = (ulong)((long)(e << (64 - op.Size)) >> (64 - op.Size));
        cpu.SetR(op.Rd, (uint)e);
    }

    /// <summary>F5.1 VDUP (general-purpose register): the low element of Rt in every element of Dd, or of Qd (Q = 1, d even).</summary>
    public static void Duplicate(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15 || op.Size == 0 || (op.Imm2 == 1 && (op.Rn & 1) != 0)) throw cpu.UndefinedException();
        cpu.CheckFPAdvSIMDEnabled();
        ulong e = cpu.R(op.Rd) & (op.Size == 32 ? 0xFFFF_FFFFUL : (1UL << op.Size) - 1);
        ulong v = 0;
        for (int i = 0; i < 64; i += op.Size) v |= e << i;
        cpu.SetDReg(op.Rn, v);
        if (op.Imm2 == 1) cpu.SetDReg(op.Rn + 1, v);
    }

    private const int Fpsid = 0b0000, Fpscr = 0b0001, Mvfr2 = 0b0101, Mvfr1 = 0b0110, Mvfr0 = 0b0111, Fpexc = 0b1000;

    /// <summary>
    /// F5.1 VMRS: FPSCR to Rt, or with Rt = 15 FPSCR.NZCV to APSR.NZCV (VMRS APSR_nzcv, FPSCR). At EL1 and above also
    /// FPSID (the model's), MVFR0-2 (the MVFRn_EL1 values; MVFR2 only where the model has one: ARMv7 has none) and FPEXC
    /// (FPEXC32_EL2: EN, with VECITR reading 0b111 in Armv8), which are UNDEFINED at EL0 (G8.2). Their accesses are checked for
    /// CPACR and HCPTR/CPTR_EL2 as FPSCR's; FPEXC.EN does not apply to them (an ARMv7 PE's EN gates the others). Then, at
    /// EL1, the ID group traps: HCR_EL2.TID0 for FPSID, TID3 for MVFR0-2 (HCR.TID0/TID3 in Hyp's view), to EL2 with EC 0x08
    /// (<see cref="IdGroupTrap"/>).
    /// </summary>
    public static void Vmrs(Cpu cpu, in A32Operands op)
    {
        if (op.Imm2 != Fpscr)
        {
            var model = cpu.Configuration.Model;
            if (cpu.State.EL == 0 || op.Rd == 15) throw cpu.UndefinedException();
            uint value = op.Imm2 switch
            {
                Fpsid => model.Fpsid,
                Mvfr0 => model.Aarch32.Mvfr0,
                Mvfr1 => model.Aarch32.Mvfr1,
                Mvfr2 when !model.Aarch32Only => model.Aarch32.Mvfr2,
                Fpexc => (uint)cpu.Sys.Fpexc32 | (model.Aarch32Only ? 0 : 0x700u), // VECITR: SUBARCHITECTURE DEFINED in ARMv7 (0, as QEMU)
                _ => throw cpu.UndefinedException(),
            };
            cpu.CheckFPAdvSIMDTraps();
            IdGroupTrap(cpu, op);
            cpu.SetR(op.Rd, value);
            return;
        }
        cpu.CheckFPAdvSIMDEnabled();
        uint fpscr = cpu.Fpscr;
        if (op.Rd == 15) cpu.State.Nzcv = fpscr & 0xF000_0000u;
        else cpu.SetR(op.Rd, fpscr);
    }

    /// <summary>
    /// VMRS's ID group traps (the VMRS pseudocode after CheckVFPEnabled: FPSID under HCR_EL2.TID0, MVFR0-2 under TID3, from
    /// EL1 with EL2 enabled): AArch64.AArch32SystemAccessTrap(EL2, 0x08), whose ISS has the layout of an MRC trap's with
    /// opc1 = 0b111, CRn = the register's number (reg), CRm = opc2 = 0, Rt (<see cref="Cpu.SyndromeRegister"/>) and Direction = 1 (read);
    /// CV = 1, COND = 0b1110 as the CP15 traps report (QEMU's check_hcr_el2_trap gives the same word).
    /// </summary>
    private static void IdGroupTrap(Cpu cpu, in A32Operands op)
    {
        if (cpu.State.EL != 1) return;
        ulong bit = op.Imm2 switch { Fpsid => HcrEl2.Tid0, Mvfr0 or Mvfr1 or Mvfr2 => HcrEl2.Tid3, _ => 0 };
        if ((cpu.EffectiveHcr & bit) == 0) return;
        uint rt = (uint)cpu.SyndromeRegister(op.Rd);
        uint iss = (1u << 24) | (0xEu << 20) | (7u << 14) | (uint)op.Imm2 << 10 | rt << 5 | 1;
        throw new GuestException(ExceptionClass.VmrsIdGroup, iss, 2);
    }

    /// <summary>
    /// F5.1 VMSR: Rt to FPSCR (the RAZ/WI bits dropped), or at EL1 and above to FPEXC (EN; the other bits, for
    /// exceptions and short vectors this PE does not implement, read as before) and FPSID (writes ignored). Rt = PC, the
    /// MVFRs and every other register but FPSCR at EL0 are UNDEFINED.
    /// </summary>
    public static void Vmsr(Cpu cpu, in A32Operands op)
    {
        if (op.Rd == 15) throw cpu.UndefinedException();
        if (op.Imm2 != Fpscr)
        {
            if (cpu.State.EL == 0 || op.Imm2 is not (Fpsid or Fpexc)) throw cpu.UndefinedException();
            cpu.CheckFPAdvSIMDTraps();
            if (op.Imm2 == Fpexc) cpu.Sys.Fpexc32 = cpu.R(op.Rd) & (1u << 30);
            return;
        }
        cpu.CheckFPAdvSIMDEnabled();
        cpu.Fpscr = cpu.R(op.Rd);
    }
}
