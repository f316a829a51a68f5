using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ArmVirt.Cpu.Exceptions;
using ArmVirt.Cpu.SystemRegisters;

namespace ArmVirt.Cpu;

public sealed partial class Cpu
{
    /// <summary>
    /// Writable FPCR bits in Armv8.0 without trapped exceptions: AHP, DN, FZ, RMode, and Stride and Len, which have no
    /// function in AArch64 but hold the AArch32 FPSCR's fields for context switches (as Linux's compat FPSCR does).
    /// </summary>
    internal const uint FpcrWritableMask = 0x07F7_0000;

    /// <summary>
    /// Writable FPSR bits: N, Z, C, V (the AArch32 FPSCR's condition flags, implemented because AArch32 is), QC, IDC,
    /// IXC, UFC, OFC, DZC, IOC.
    /// </summary>
    internal const uint FpsrWritableMask = 0xF800_009F;

    private const ulong HcrE2h = 1UL << 34;


    // ---- SIMD&FP registers (Arm ARM shared/functions/vector V[], Vpart[]) ----

    /// <summary>V[n] as a 128-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Vector128<byte> VReg(int n) => ref Unsafe.As<VectorRegisterBits, Vector128<byte>>(ref State.V[n]);

    /// <summary>Element <paramref name="index"/> of V[n] viewed as an array of <typeparamref name="T"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal T VElement<T>(int n, int index) where T : unmanaged =>
        Unsafe.Add(ref Unsafe.As<VectorRegisterBits, T>(ref State.V[n]), index);

    /// <summary>Writes element <paramref name="index"/> of V[n], leaving the other elements unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetVElement<T>(int n, int index, T value) where T : unmanaged =>
        Unsafe.Add(ref Unsafe.As<VectorRegisterBits, T>(ref State.V[n]), index) = value;

    /// <summary>Reads an element of <paramref name="esize"/> bits (8, 16, 32 or 64), zero-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong VElementBits(int n, int index, int esize) => esize switch
    {
        8 => VElement<byte>(n, index),
        16 => VElement<ushort>(n, index),
        32 => VElement<uint>(n, index),
        _ => VElement<ulong>(n, index),
    };

    /// <summary>Writes an element of <paramref name="esize"/> bits (8, 16, 32 or 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetVElementBits(int n, int index, int esize, ulong value)
    {
        switch (esize)
        {
            case 8: SetVElement(n, index, (byte)value); break;
            case 16: SetVElement(n, index, (ushort)value); break;
            case 32: SetVElement(n, index, (uint)value); break;
            default: SetVElement(n, index, value); break;
        }
    }

    /// <summary>The low <paramref name="size"/> bits of V[n] (an H, S or D register; B for 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong VScalar(int n, int size) => VElementBits(n, 0, size);

    /// <summary>
    /// Writes a scalar of <paramref name="size"/> bits to V[n] and clears the rest of the 128-bit register,
    /// as every AArch64 write to a B/H/S/D register does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetVScalar(int n, int size, ulong value)
    {
        ulong mask = size == 64 ? ulong.MaxValue : (1UL << size) - 1;
        VReg(n) = Vector128.Create(value & mask, 0UL).AsByte();
    }

    /// <summary>Writes the 64-bit value to V[n] and clears bits 127..64 (a D register or a 64-bit vector).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetV64(int n, ulong value) => VReg(n) = Vector128.Create(value, 0UL).AsByte();

    /// <summary>Writes the full 128 bits of V[n].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetV128(int n, ulong low, ulong high) => VReg(n) = Vector128.Create(low, high).AsByte();

    // ---- The AArch32 view (Arm ARM "Mapping of AArch32 registers to AArch64": S<2n+1:2n> = D<n>, D<2n+1:2n> = Q<n> = V<n>) ----

    /// <summary>S[n] (n &lt; 32): word n % 4 of V[n / 4].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal uint SReg(int n) => VElement<uint>(n >> 2, n & 3);

    /// <summary>Writes S[n], leaving the rest of the register file unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetSReg(int n, uint value) => SetVElement(n >> 2, n & 3, value);

    /// <summary>D[n] (n &lt; 32): doubleword n % 2 of V[n / 2].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong DReg(int n) => VElement<ulong>(n >> 1, n & 1);

    /// <summary>Writes D[n], leaving the rest of the register file unchanged.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetDReg(int n, ulong value) => SetVElement(n >> 1, n & 1, value);

    /// <summary>An S (<paramref name="size"/> 32) or D (64) register of the VFP register file.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong VfpReg(int n, int size) => size == 64 ? DReg(n) : SReg(n);

    /// <summary>Writes an S (<paramref name="size"/> 32) or D (64) register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetVfpReg(int n, int size, ulong value)
    {
        if (size == 64) SetDReg(n, value);
        else SetSReg(n, (uint)value);
    }

    /// <summary>
    /// FPSCR, the AArch32 view of FPSR and FPCR (Arm ARM G8.2 FPSCR): N Z C V, QC and the cumulative exception bits
    /// are FPSR's, AHP, DN, FZ, RMode, Stride and Len FPCR's; the trap enables are RAZ/WI (no trapped exceptions).
    /// </summary>
    internal uint Fpscr
    {
        get => (State.Fpsr & FpsrWritableMask) | (State.Fpcr & FpcrWritableMask);
        set
        {
            State.Fpsr = value & FpsrWritableMask;
            State.Fpcr = value & FpcrWritableMask;
        }
    }

    // ---- Enable checks (Arm ARM AArch64.CheckFPAdvSIMDEnabled, AArch64.CheckFPAdvSIMDTrap) ----

    /// <summary>
    /// CheckFPAdvSIMDEnabled64: raises the SIMD&amp;FP access trap (EC 0x07, to EL1, EL2 or EL3) when
    /// CPACR_EL1.FPEN, CPTR_EL2.TFP or CPTR_EL3.TFP disable the instruction at the current EL. Under
    /// HCR_EL2.TGE a CPACR_EL1 trap from EL0 goes to EL2 with EC 0x00, as AArch64.AdvSIMDFPAccessTrap says.
    /// </summary>
    internal void CheckFPAdvSIMDEnabled()
    {
        CheckFPAdvSIMDTraps();
        // FPEXC.EN (AArch32.CheckAdvSIMDOrFPEnabled's fpexc_check) applies wherever EL1 is AArch32: on an ARMv7 PE, and on
        // an Armv8 PE with HCR_EL2.RW = 0 (AArch32 EL1 and the EL0 under it; an EL0 under an AArch64 EL1 behaves as if EN
        // were 1). Clear, every VFP and Advanced SIMD instruction is UNDEFINED, at PL1 and in Hyp mode too. Checked after
        // CPACR and HCPTR/CPTR_EL2, in QEMU's order (the pseudocode puts it between them; the two differ only when both
        // disable the instruction).
        if (State.Aarch32 && El1UsingAarch32 && (Sys.Fpexc32 & FpexcEn) == 0) throw UndefinedException();
    }

    private const ulong FpexcEn = 1UL << 30;

    /// <summary>
    /// The checks of <see cref="CheckFPAdvSIMDEnabled"/> without FPEXC.EN: what VMRS and VMSR of FPSID, MVFR0-2 and
    /// FPEXC are subject to (they must work with FPEXC.EN clear, to set it).
    /// </summary>
    internal void CheckFPAdvSIMDTraps()
    {
        int el = State.EL;
        bool e2hTge = (EffectiveHcr & (HcrE2h | HcrTge)) == (HcrE2h | HcrTge);
        // With an AArch32 EL3 the CPACR also governs the Secure PL1 modes (EL3) and Secure User mode, whose accesses it
        // makes UNDEFINED in Secure state; NSACR.CP10 = 0 makes every Non-secure access UNDEFINED (ARMv7 B4.1.111; QEMU's
        // fp_exception_el).
        bool aarch32El3 = Configuration.HasEl3 && El3UsingAarch32;
        if ((el <= 1 && !e2hTge) || (el == 3 && aarch32El3))
        {
            ulong fpen = (Sys.Cpacr >> 20) & 3;
            bool disabled = fpen switch { 1 => el == 0, 3 => false, _ => true };
            if (disabled) FPAccessTrap(aarch32El3 && IsSecureAarch32 ? 3 : 1);
        }
        if (aarch32El3 && el <= 2 && !IsSecureAarch32 && (Sys.Nsacr & (1UL << 10)) == 0) throw UndefinedException();
        if (el <= 2 && IsEl2Enabled)
        {
            ulong cptr2 = Sys.Cptr[2];
            if ((cptr2 & (1UL << 10)) != 0) FPAccessTrap(2);
        }
        if (Configuration.HasEl3)
        {
            ulong cptr3 = Sys.Cptr[3];
            if ((cptr3 & (1UL << 10)) != 0) FPAccessTrap(3);
        }
    }

    // AArch64.AdvSIMDFPAccessTrap: ISS holds CV = 1, COND = 0b1110 for a trapped A64 instruction. An ARMv7 PE's HSR
    // also names the coprocessor, 0xA (ARMv7 B3.13.6 "coproc"; RES0 in Armv8, as QEMU sets it).
    private void FPAccessTrap(int targetEl)
    {
        if (targetEl == 1 && State.EL == 0 && IsEl2Enabled && (Sys.Hcr & HcrTge) != 0)
            throw new GuestException(ExceptionClass.Unknown, 0, 2);
        throw new GuestException(ExceptionClass.FpAccess, (1u << 24) | (0xEu << 20) | (Configuration.Model.Aarch32Only ? 0xAu : 0), targetEl);
    }

    // ---- FPCR and FPSR ----

    /// <summary>Adds FPCR (3,3,4,4,0) and FPSR (3,3,4,4,1) to <see cref="SystemRegisters"/>; accessible from EL0, subject to the FP enable checks.</summary>
    internal void InstallFloatingPointRegisters()
    {
        SystemRegisters.Add(new SystemRegister("FPCR", 3, 3, 4, 4, 0,
            static cpu => cpu.State.Fpcr,
            static (cpu, v) => cpu.State.Fpcr = (uint)v & FpcrWritableMask,
            static (cpu, _) => { cpu.CheckFPAdvSIMDEnabled(); return SystemRegisterAccess.Allowed; }, minEl: 0));
        SystemRegisters.Add(new SystemRegister("FPSR", 3, 3, 4, 4, 1,
            static cpu => cpu.State.Fpsr,
            static (cpu, v) => cpu.State.Fpsr = (uint)v & FpsrWritableMask,
            static (cpu, _) => { cpu.CheckFPAdvSIMDEnabled(); return SystemRegisterAccess.Allowed; }, minEl: 0));
    }
}
